// Accuracy of the quantizer's int8 modes on generated float CNNs (tools/models/make_float_cnn.py,
// random seeded weights; Conv + BatchNormalization + activation as exporters write them):
// fp32 vs dynamic int8 and static int8 with each calibration method, with and without the
// sensitivity pass. Calibration: 16 seeded random images; held out: 16 others. Metrics over
// the held-out images, every model run in qwasm (Node, one thread): mean and least cosine of
// the logits (centred log-probabilities) with the float model's, and top-1 agreement (per output row: mnv3 one row of 2 classes,
// svtr 80 columns of 97 classes). Also the quantize time (static includes calibration runs).
//   node tools/bench/quantize-accuracy.mjs [mnv3|svtr]...
import { createSession, Tensor } from 'qwasm';
import { quantize } from 'qwasm/quantize';
import { readFileSync } from 'node:fs';
import { generated } from './common.mjs';

const kinds = process.argv.slice(2).length ? process.argv.slice(2) : ['mnv3', 'svtr'];
const SHAPES = { mnv3: [1, 3, 48, 192], svtr: [1, 3, 48, 320] };

function rng(seed) {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 4294967296; };
}
function images(seed, n, dims) {
  const r = rng(seed), size = dims.reduce((a, b) => a * b);
  return Array.from({ length: n }, () => ({ x: new Tensor('float32', Float32Array.from({ length: size }, () => 2 * r() - 1), dims) }));
}
// Both models end in a Softmax over the last axis: compare centred log-probabilities, which
// equal the centred logits (the probabilities of a random-weight model sit near uniform,
// where their cosine says little).
function centredLog(y) {
  const c = y.dims.at(-1), out = new Float64Array(y.data.length);
  for (let r = 0; r < y.data.length / c; ++r) {
    let mean = 0;
    for (let j = 0; j < c; ++j) mean += Math.log(Math.max(y.data[r * c + j], 1e-30)) / c;
    for (let j = 0; j < c; ++j) out[r * c + j] = Math.log(Math.max(y.data[r * c + j], 1e-30)) - mean;
  }
  return { data: out, dims: y.dims };
}
async function outputs(model, feeds) {
  const s = await createSession(model, { threads: 1, simd: process.env.QWASM_SIMD ?? 'auto' });
  const out = [];
  for (const f of feeds) out.push(centredLog((await s.run(f)).y));
  s.dispose();
  return out;
}
function cosine(a, b) {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; ++i) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
  return ab / Math.sqrt(aa * bb);
}
function top1(a, b, classes) {
  let same = 0, rows = 0;
  for (let r = 0; r < a.length / classes; ++r, ++rows) {
    let ia = 0, ib = 0;
    for (let c = 1; c < classes; ++c) {
      if (a[r * classes + c] > a[r * classes + ia]) ia = c;
      if (b[r * classes + c] > b[r * classes + ib]) ib = c;
    }
    same += ia === ib;
  }
  return [same, rows];
}

for (const kind of kinds) {
  const path = generated(`quantize-accuracy/${kind}_float.onnx`, 'tools/models/make_float_cnn.py', ['--kind', kind]);
  const float = new Uint8Array(readFileSync(path));
  const calib = images(1, 16, SHAPES[kind]), held = images(2, 16, SHAPES[kind]);
  const want = await outputs(float, held);
  const classes = want[0].dims.at(-1);
  const CASES = [
    ['dynamic int8', { mode: 'dynamic' }],
    ['static minmax', { mode: 'static', keepFloat: 0, calibration: { data: calib, method: 'minmax' } }],
    ['static percentile 99.999', { mode: 'static', keepFloat: 0, calibration: { data: calib, method: 'percentile' } }],
    ['static entropy', { mode: 'static', keepFloat: 0, calibration: { data: calib, method: 'entropy' } }],
    ['static minmax + sensitivity (auto)', { mode: 'static', calibration: { data: calib, method: 'minmax' } }],
    ['static entropy + sensitivity (auto)', { mode: 'static', calibration: { data: calib, method: 'entropy' } }],
  ];
  console.log(`\n${kind} (${float.length} B float):`);
  console.log('| mode | mean logit cosine | least logit cosine | top-1 agreement | left float | bytes | quantize s |');
  console.log('|---|---|---|---|---|---|---|');
  for (const [name, options] of CASES) {
    const t0 = performance.now();
    const { model, report } = await quantize(float, options);
    const secs = (performance.now() - t0) / 1000;
    const got = await outputs(model, held);
    const cos = got.map((g, i) => cosine(g.data, want[i].data));
    let same = 0, rows = 0;
    got.forEach((g, i) => { const [s, r] = top1(g.data, want[i].data, classes); same += s; rows += r; });
    const left = report.filter((r) => r.action === 'float' && /sensitivity/.test(r.detail)).map((r) => r.node);
    console.log(`| ${name} | ${(cos.reduce((a, b) => a + b) / cos.length).toFixed(4)} | ${Math.min(...cos).toFixed(4)} | ` +
      `${same}/${rows} (${((100 * same) / rows).toFixed(1)}%) | ${left.length ? left.join(', ') : '-'} | ${model.length} | ${secs.toFixed(1)} |`);
  }
}
