// Fills tests/data/quant/manifest.json with expected outputs from onnxruntime-node
// (1.30.0, the repository's devDependency). Run after make_quant_models.py:
//   node tests/quant/make_expected.mjs
// Cases whose expected values the generator computed in numpy (no onnxruntime CPU
// kernel, e.g. ConvInteger with int8 weights or MatMulInteger with per-row a_zero_point)
// keep them; where both exist they are cross-checked and disagreements reported.
// Cases marked "expected_by": "onnxruntime-web" run on onnxruntime-web (1.30.0, the wasm
// build, single-threaded) instead: its integer kernels are portable C, so the integer-exact
// expectations do not depend on the CPU that made them (onnxruntime-node's native int8 paths
// differ between AVX2-only and VNNI machines).
// float16 data is stored as raw uint16 bit patterns.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ortNode from 'onnxruntime-node';
import * as ortWebModule from 'onnxruntime-web';

const ortWeb = ortWebModule.default ?? ortWebModule;
ortWeb.env.wasm.numThreads = 1;
const SOURCES = {
  'onnxruntime-node': { ort: ortNode, options: {}, label: 'onnxruntime-node 1.30.0' },
  'onnxruntime-web': { ort: ortWeb, options: { executionProviders: ['wasm'] }, label: 'onnxruntime-web 1.30.0 (wasm)' },
};

const DIR = fileURLToPath(new URL('../data/quant/', import.meta.url));
const ARRAYS = {
  float32: Float32Array, uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array,
  int32: Int32Array, float16: Uint16Array, bool: Uint8Array,  // bool data is 0 / 1
};
const decode = (v) => (v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v);
const encode = (x) => (Number.isFinite(x) ? x : Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity');

const manifest = JSON.parse(readFileSync(DIR + 'manifest.json', 'utf8'));
let fromOrt = 0, fromNumpy = 0, problems = 0;
for (const c of manifest.cases) {
  if (c.error) continue;
  const src = SOURCES[c.expected_by ?? 'onnxruntime-node'];
  const ort = src.ort;
  let results;
  try {
    const session = await ort.InferenceSession.create(DIR + c.model, { logSeverityLevel: 4, ...src.options });
    const feeds = {};
    for (const i of c.inputs) feeds[i.name] = new ort.Tensor(i.type, ARRAYS[i.type].from(i.data.map(decode)), i.dims);
    results = await session.run(feeds);
    await session.release();
  } catch (e) {
    if (c.expected_source === 'numpy') {
      c.ort_error = String(e.message).split('\n')[0].slice(0, 200);
      fromNumpy++;
      continue;
    }
    console.error(`${c.name}: onnxruntime failed and no numpy expectation: ${e.message}`);
    problems++;
    continue;
  }
  for (const o of c.outputs) {
    const t = results[o.name];
    const got = Array.from(t.data, Number);
    const ref = o.data ? o.data.map(decode) : c.numpy_check ? c.numpy_check.map(decode) : null;
    if (ref) {
      let worst = 0;
      for (let k = 0; k < got.length; k++) worst = Math.max(worst, Math.abs(got[k] - ref[k]) || 0);
      const bound = c.tolerance.atol + c.tolerance.rtol * Math.max(...ref.map(Math.abs));
      if (worst > bound) {
        console.error(`${c.name}/${o.name}: onnxruntime and numpy differ by ${worst} (bound ${bound})`);
        problems++;
      }
    }
    o.dims = Array.from(t.dims);
    o.data = got.map(encode);
  }
  delete c.numpy_check;
  c.expected_source = src.label;
  fromOrt++;
}
writeFileSync(DIR + 'manifest.json', JSON.stringify(manifest, null, 1) + '\n');
console.log(`expected outputs: ${fromOrt} from onnxruntime, ${fromNumpy} from numpy; ${problems} problems`);
process.exit(problems ? 1 : 0);
