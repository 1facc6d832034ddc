// qwasm against onnxruntime-web (one thread each) in process CPU time (process.cpuUsage),
// the two runs alternating: on a machine shared with other builds, wall time stretches with
// the load and CPU time much less. Medians of RUNS (default 7) after 4 warm-up runs each.
// Usage: node tools/bench/cpu-pair.mjs bert | mobilenet      (the models of models.mjs)
//        [U8=1] node tools/bench/cpu-pair.mjs model.onnx 1,128,768   (input "x", float or uint8)
import * as ort from 'onnxruntime-web';
import { createSession, Tensor } from 'qwasm';
import { generated } from './common.mjs';

ort.env.wasm.numThreads = 1;
const [which = 'bert', dimsArg] = process.argv.slice(2);
const runs = Number(process.env.RUNS || 7);
const sin = (i) => Math.sin(i * 0.37);
const cfg = which.endsWith('.onnx')
  ? { model: which, name: 'x', dims: dimsArg.split(',').map(Number), f: sin }
  : which === 'bert'
    ? { model: generated('bert_base_qdynamic.onnx', 'tools/models/make_bert_qdynamic.py'), name: 'hidden_states', dims: [1, 128, 768], f: sin }
    : { model: generated('mobilenetv2_qdq.onnx', 'tools/models/make_mobilenetv2_qdq.py'), name: 'input', dims: [1, 3, 224, 224], f: (i) => Math.cos(i * 0.011) };
const n = cfg.dims.reduce((a, b) => a * b, 1);
const u8 = process.env.U8 === '1';
const x = u8 ? Uint8Array.from({ length: n }, (_, i) => (i * 37) & 255) : Float32Array.from({ length: n }, (_, i) => cfg.f(i));
const type = u8 ? 'uint8' : 'float32';
const q = await createSession(cfg.model, { simd: process.env.QWASM_SIMD || 'relaxed', threads: 1 });
const o = await ort.InferenceSession.create(cfg.model, { executionProviders: ['wasm'] });
const qf = { [cfg.name]: new Tensor(type, x, cfg.dims) };
const of = { [cfg.name]: new ort.Tensor(type, x, cfg.dims) };
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const time = async (f) => { const c0 = cpu(), t0 = performance.now(); await f(); return [cpu() - c0, performance.now() - t0]; };
for (let i = 0; i < 4; ++i) { await q.run(qf); await o.run(of); }
const qc = [], oc = [], qw = [], ow = [];
for (let i = 0; i < runs; ++i) {
  let [c, w] = await time(() => q.run(qf));
  qc.push(c), qw.push(w);
  [c, w] = await time(() => o.run(of));
  oc.push(c), ow.push(w);
}
const med = (a) => [...a].sort((p, r) => p - r)[a.length >> 1];
console.log(`${which} ${q.variant}: qwasm cpu ${med(qc).toFixed(1)} ms (wall ${med(qw).toFixed(1)}), ` +
  `onnxruntime-web cpu ${med(oc).toFixed(1)} ms (wall ${med(ow).toFixed(1)}), ` +
  `ratio cpu ${(med(oc) / med(qc)).toFixed(3)}x wall ${(med(ow) / med(qw)).toFixed(3)}x`);
q.dispose();
await o.release();
