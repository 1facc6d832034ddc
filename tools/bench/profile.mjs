// Where the time goes in the wasm build: per operator type over a few runs.
// Usage: node tools/bench/profile.mjs model.onnx [name=dims ...]  (random float / int64 inputs;
// symbolic dims default to 1, or give e.g. sequence_length=128). BY_SHAPE=1: one row per op and
// its input / output shapes.
import { createSession, Tensor } from 'qwasm';

const [model, ...args] = process.argv.slice(2);
const dimsOf = Object.fromEntries(args.map((a) => a.split('=')).map(([k, v]) => [k, Number(v)]));
const s = await createSession(model, { simd: process.env.QWASM_SIMD || 'auto', threads: Number(process.env.QWASM_THREADS || 1) });
const feeds = {};
for (const m of s.inputMetadata) {
  const dims = (m.dims ?? []).map((d) => (typeof d === 'number' ? d : dimsOf[d] ?? 1));
  const n = dims.reduce((a, b) => a * b, 1);
  if (m.type === 'int64') feeds[m.name] = new Tensor('int64', BigInt64Array.from({ length: n }, (_, i) => BigInt(i % 100)), dims);
  else feeds[m.name] = new Tensor('float32', Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37)), dims);
}
await s.run(feeds);  // warm-up
const runs = Number(process.env.RUNS || 3);
s.startProfiling({ byShape: process.env.BY_SHAPE === '1' });
const t0 = performance.now();
for (let i = 0; i < runs; ++i) await s.run(feeds);
const total = (performance.now() - t0) / runs;
const rows = s.endProfiling();
console.log(`${s.variant}: ${total.toFixed(1)} ms/run`);
for (const r of rows) console.log(`  ${r.op.padEnd(process.env.BY_SHAPE === '1' ? 80 : 40)} ${(r.ms / runs).toFixed(2).padStart(9)} ms/run ${(r.calls / runs).toFixed(0).padStart(5)} calls`);
s.dispose();
