// Elementwise op benchmarks: one single-node model per case (tools/models/make_elementwise_bench.py:
// Add/Mul/Sub/Div with and without broadcasting, Max/Sum, Pow, Less/Equal, int and float16 Add,
// Relu/Sigmoid/Clip, Cast pairs), about a million elements each, in qwasm and onnxruntime-web
// (wasm, one thread) in the same Node process: median ms and the ratio onnxruntime-web / qwasm.
// Usage: node tools/bench/elementwise.mjs [CASE_SUBSTRING ...]
import * as ort from 'onnxruntime-web';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createSession, features, Tensor } from 'qwasm';
import { BENCH_DIR, ROOT, cpuInfo, median } from './common.mjs';
import { execFileSync } from 'node:child_process';

ort.env.wasm.numThreads = 1;
const SIMD = process.env.QWASM_SIMD || 'relaxed';
const dir = join(BENCH_DIR, 'elementwise');
execFileSync('/usr/bin/python3', [join(ROOT, 'tools/models/make_elementwise_bench.py'), dir], { stdio: 'inherit' });
const wanted = process.argv.slice(2);
const cases = readdirSync(dir).filter((f) => f.endsWith('.onnx')).map((f) => f.slice(0, -5))
  .filter((c) => !wanted.length || wanted.some((w) => c.includes(w))).sort();

const cpu = cpuInfo();
const build = await features({ simd: SIMD, threads: 1 });
console.log(`# cpu: ${cpu.model} (${cpu.cores} cores; ${cpu.flags.join(' ')}); engine: Node ${process.version}; ` +
  `qwasm build ${build.variant}, relaxed dot class ${build.dot}; onnxruntime-web 1.30, one thread`);

// Deterministic data of each input's type: small values (so integer Adds do not all wrap,
// Pow stays finite), float16 as its bits.
function data(type, n, seed) {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  switch (type) {
    case 'float32': return Float32Array.from({ length: n }, () => next() * 4 - 2);
    case 'float16': return Uint16Array.from({ length: n }, () => 0x3800 + Math.floor(next() * 0x800));  // [0.5, 1)
    case 'int64': return BigInt64Array.from({ length: n }, () => BigInt(Math.floor(next() * 200) - 100));
    case 'int32': return Int32Array.from({ length: n }, () => Math.floor(next() * 200) - 100);
    case 'int8': return Int8Array.from({ length: n }, () => Math.floor(next() * 100) - 50);
    case 'uint8': return Uint8Array.from({ length: n }, () => Math.floor(next() * 256));
    default: throw new Error(`no data for ${type}`);
  }
}

const rows = [];
for (const c of cases) {
  const file = join(dir, `${c}.onnx`);
  const q = await createSession(file, { simd: SIMD, threads: 1 });
  const o = await ort.InferenceSession.create(file, { executionProviders: ['wasm'] });
  const inputs = q.inputMetadata.map((m, i) => ({ ...m, data: data(m.type, m.dims.reduce((a, b) => a * b, 1), 7 + i) }));
  const qFeeds = Object.fromEntries(inputs.map((m) => [m.name, new Tensor(m.type, m.data, m.dims)]));
  const oFeeds = Object.fromEntries(inputs.map((m) => [m.name, new ort.Tensor(m.type, m.data, m.dims)]));
  const opts = { warmup: 4, runs: 15, warmupMs: 500, minMs: 500 };
  const qMs = await median(() => q.run(qFeeds), opts);
  const oMs = await median(() => o.run(oFeeds), opts);
  q.dispose();
  await o.release();
  const row = { bench: `elementwise/${c}`, qwasmMs: Number(qMs.toFixed(3)), ortMs: Number(oMs.toFixed(3)),
    ratio: Number((oMs / qMs).toFixed(2)) };
  rows.push(row);
  console.log(JSON.stringify(row));
}
console.log('\n| case | qwasm ms | onnxruntime-web ms | ort / qwasm |\n|---|---|---|---|');
for (const r of rows) console.log(`| ${r.bench.slice(12)} | ${r.qwasmMs} | ${r.ortMs} | ${r.ratio}x |`);
