// qwasm/quantize inside the page: small float models generated at test time (quantize-suite.mjs
// serves them under /__generated/) are quantized in every mode, the quantized models run in
// qwasm in the page, and their outputs are checked against the float model run in
// onnxruntime-web (wasm), with the bounds of tests/js/quantizer.test.mjs and
// quantizer-static.test.mjs. Results go to window.__qwasmResults.
import * as ort from 'onnxruntime-web';
import { createSession, Tensor } from '../../js/index.js';
import { quantize } from '../../js/quantize.js';
import { rng } from '../../js/random.js';
import { assert, check, log, publish } from './page-checks.mjs';

ort.env.wasm.numThreads = 1;
ort.env.wasm.wasmPaths = new URL('../../node_modules/onnxruntime-web/dist/', location.href).href;
const bytesOf = async (name) => new Uint8Array(await (await fetch(`/__generated/${name}`)).arrayBuffer());

function cosine(a, b) {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; ++i) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
  return ab / Math.sqrt(aa * bb);
}

async function runQwasm(model, feeds) {
  const s = await createSession(model, { threads: 1 });
  try {
    const out = [];
    for (const f of feeds) out.push(await s.run(f));
    return out;
  } finally {
    s.dispose();
  }
}
async function runOrt(model, feeds) {
  const s = await ort.InferenceSession.create(model, { executionProviders: ['wasm'] });
  try {
    const out = [];
    for (const f of feeds) {
      out.push(await s.run(Object.fromEntries(Object.entries(f).map(([k, t]) => [k, new ort.Tensor(t.type, t.data, t.dims)]))));
    }
    return out;
  } finally {
    await s.release();
  }
}
function minCosine(got, want, names) {
  let m = 1;
  got.forEach((o, i) => { for (const k of names) m = Math.min(m, cosine(o[k].data, want[i][k].data)); });
  return m;
}

// bert-tiny (tools/models/make_hf_models.py): the feeds of tests/js/quantizer.test.mjs.
const SEQ = 9;
const bertFeed = {
  input_ids: new Tensor('int64', BigInt64Array.from({ length: 2 * SEQ }, (_, i) => BigInt(5 + ((i * 37) % 300))), [2, SEQ]),
  attention_mask: new Tensor('int64', new BigInt64Array(2 * SEQ).fill(1n), [2, SEQ]),
  token_type_ids: new Tensor('int64', new BigInt64Array(2 * SEQ), [2, SEQ]),
};
const bert = await bytesOf('bert-tiny.onnx');
const bertFloat = await runOrt(bert, [bertFeed]);

const BERT_CASES = [
  { name: 'weight-only 4-bit RTN, block 32', options: { mode: 'weight-only', weights: { bits: 4, blockSize: 32, algorithm: 'rtn' } }, action: 'MatMulNBits', cos: 0.99 },
  { name: 'dynamic int8', options: { mode: 'dynamic' }, action: 'MatMulInteger', cos: 0.999 },
];
for (const c of BERT_CASES) {
  await check(`bert-tiny ${c.name}: 12 MatMuls quantized, qwasm output cosine >= ${c.cos} vs float`, async () => {
    const phases = new Set();
    const { model, report } = await quantize(bert, { ...c.options, onProgress: (p) => phases.add(p.phase) });
    assert(phases.has('read') && phases.has('quantize'), `progress phases ${[...phases]}`);
    const done = report.filter((r) => r.action !== 'float');
    assert(done.length === 12 && done.every((r) => r.action === c.action), JSON.stringify(report));
    assert(model.length < bert.length * (c.options.weights?.bits === 4 ? 0.6 : 0.75), `${model.length} of ${bert.length} bytes`);
    const cq = minCosine(await runQwasm(model, [bertFeed]), bertFloat, ['last_hidden_state']);
    log(`     cosine ${cq.toFixed(6)}`);
    assert(cq >= c.cos, `qwasm vs float: cosine ${cq}`);
  });
}

// The small CNN (tools/models/make_small_cnn.py), calibrated and checked on different images,
// as in tests/js/quantizer-static.test.mjs.
const DIMS = [2, 3, 16, 16];
function images(seed, n) {
  const r = rng(seed);
  return Array.from({ length: n }, () => ({ x: new Tensor('float32', Float32Array.from({ length: 2 * 3 * 256 }, () => 3.4 * (r() - 0.5)), DIMS) }));
}
const cnn = await bytesOf('cnn.onnx');
const heldOut = images(99, 4);
const cnnFloat = await runOrt(cnn, heldOut);

await check('small CNN static minmax (QDQ): 6 nodes quantized, qwasm output cosine >= 0.999 vs float', async () => {
  const { model, report } = await quantize(cnn, { mode: 'static', keepFloat: 0, calibration: { data: images(11, 8), method: 'minmax' } });
  assert(report.length === 6 && report.every((r) => r.action === 'QDQ'), JSON.stringify(report));
  const cq = minCosine(await runQwasm(model, heldOut), cnnFloat, ['logits', 'embed']);
  log(`     cosine ${cq.toFixed(6)}`);
  assert(cq >= 0.999, `qwasm vs float: cosine ${cq}`);
});

await check('an already quantized model and a model with nothing to quantize are Errors; the quantizer stays usable', async () => {
  const q4 = (await quantize(bert, { weights: { bits: 4 } })).model;
  let e;
  try { await quantize(q4); } catch (x) { e = x; }
  assert(e instanceof Error && /already quantized/.test(e.message), `got ${e}`);
  e = undefined;
  const add = new Uint8Array(await (await fetch('../data/add.onnx')).arrayBuffer());
  try { await quantize(add); } catch (x) { e = x; }
  assert(e instanceof Error && /no node this mode can quantize/.test(e.message), `got ${e}`);
  const again = await quantize(bert, { mode: 'dynamic' });
  assert(again.model.length > 0, 'quantizer unusable after the errors');
});

publish();
