// A model's int8 GEMM throughput inside the runtime against the relaxed-dot loop of the same
// module (benchDotCeiling, 12 chains), measured back to back: one model run, one ceiling
// window, the ratio per round, the median of ROUNDS (default 11), so machine load cancels out.
// GOPS_PER_RUN is the model's GEMM work (2 ops per multiply-add; BERT-base at seq 128: 21.7,
// one layer 1.81). Relaxed build, one thread.
// Usage: node tools/bench/gemm-vs-ceiling.mjs model.onnx GOPS_PER_RUN input=d0,d1,.. [u8]
import { _benchCeilings, createSession, Tensor } from 'qwasm';
const [model, gops, spec, u8] = process.argv.slice(2);
const [name, d] = spec.split('=');
const dims = d.split(',').map(Number), n = dims.reduce((a, b) => a * b, 1);
const x = u8 ? new Tensor('uint8', Uint8Array.from({ length: n }, (_, i) => (i * 37) & 255), dims)
  : new Tensor('float32', Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37)), dims);
const s = await createSession(model, { simd: 'relaxed', threads: 1 });
const c = await _benchCeilings('relaxed', 1);
const feeds = { [name]: x };
for (let i = 0; i < 5; ++i) { await s.run(feeds); c.dotGops(12); }
const r = [], g = [];
for (let i = 0; i < Number(process.env.ROUNDS || 11); ++i) {
  const t0 = performance.now(); await s.run(feeds); const ms = performance.now() - t0;
  const ceil = c.dotGops(12);
  g.push(Number(gops) / ms * 1e3); r.push(Number(gops) / ms * 1e3 / ceil);
}
const med = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
console.log(`${model}: ${med(g).toFixed(1)} GOP/s wall, ${med(r).toFixed(3)} of the relaxed-dot ceiling (min ${Math.min(...r).toFixed(3)} max ${Math.max(...r).toFixed(3)})`);
