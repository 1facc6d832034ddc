// Per-node overhead (issue #15): tiny models where run time is all bookkeeping, and the silero VAD
// models of the real suite, in qwasm and onnxruntime-web (wasm, one thread) in one Node process.
// Usage: node tools/bench/overhead.mjs   (QWASM_SIMD picks the build; default simd128)
import * as ort from 'onnxruntime-web';
import { loadavg } from 'node:os';
import { createSession, Tensor } from 'qwasm';
import { generated, median } from './common.mjs';
import { benchReal } from './real.mjs';

ort.env.wasm.numThreads = 1;
const SIMD = process.env.QWASM_SIMD || 'simd128';
const opts = { warmup: 20, runs: 7, warmupMs: 1000, minMs: 500 };
console.log(`# load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const x = Float32Array.from({ length: 8 }, (_, i) => Math.sin(i));
const rows = [];
for (const kind of ['identity', 'squeeze', 'if']) {
  const file = generated(`overhead_${kind}.onnx`, 'tools/models/make_overhead_models.py', [kind]);
  const feedsOf = (T) => ({ x: T('float32', x, [1, 8]), ...(kind === 'if' ? { cond: T('bool', [true], []) } : {}) });
  const q = await createSession(file, { simd: SIMD, threads: 1 });
  const qFeeds = feedsOf((type, data, dims) => new Tensor(type, type === 'bool' ? Uint8Array.from(data) : data, dims));
  const qMs = await median(() => q.run(qFeeds), opts);
  q.dispose();
  const o = await ort.InferenceSession.create(file, { executionProviders: ['wasm'] });
  const oFeeds = feedsOf((type, data, dims) => new ort.Tensor(type, type === 'bool' ? Uint8Array.from(data) : data, dims));
  const ortMs = await median(() => o.run(oFeeds), opts);
  await o.release();
  rows.push({ name: `overhead_${kind}`, qMs, ortMs });
}
for (const r of await benchReal(SIMD, (c) => c.name.startsWith('silero'))) rows.push(r);
console.log('\nmodel                          qwasm ms   ort-web ms   ort/qwasm');
for (const r of rows) {
  const q = r.qMs === undefined ? `(${r.skipped})` : r.qMs.toFixed(4);
  console.log(`${r.name.padEnd(30)} ${q.padStart(9)} ${r.ortMs.toFixed(4).padStart(11)} ${r.qMs ? (r.ortMs / r.qMs).toFixed(2).padStart(10) + 'x' : ''}`);
}
