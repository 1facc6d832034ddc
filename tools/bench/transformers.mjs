// transformers.js pipelines on qwasm (through qwasm/ort and the documented hook) against the
// same transformers.js on its default Node runtime (onnxruntime-node), one process, one thread
// each, warmed up, medians. Usage: node tools/bench/transformers.mjs
// Models: a MiniLM-L6-shaped encoder (generated, random weights, fp32 and quantize_dynamic q8)
// for feature-extraction, and the embedded tinylm (q4) for text-generation.
import { cpus } from 'node:os';
import * as ort from 'qwasm/ort';
import { features } from 'qwasm';
import { BENCH_DIR, ROOT, find, generated, median, printTable, report } from './common.mjs';

const SIMD = process.env.QWASM_SIMD || 'relaxed';
ort.env.wasm.simd = SIMD;
ort.env.wasm.numThreads = 1;
const spec = import.meta.resolve('@huggingface/transformers');
const HOOK = Symbol.for('onnxruntime');
const dflt = await import(`${spec}?runtime=default`);
globalThis[HOOK] = ort;
const qw = await import(`${spec}?runtime=qwasm`);
delete globalThis[HOOK];

generated('hf', 'tools/models/make_hf_models.py', ['--minilm']);  // build/bench/hf/{minilm-l6,...}
const hf = `${BENCH_DIR}/hf/`;
const f = await features();
console.log(`# cpu: ${cpus()[0]?.model}; engine: Node ${process.version}; qwasm build ${f.variant}, relaxed dot class ${f.dot}`);

// device 'auto' is what the hook needs (transformers.js lists no device for it); its default
// Node runtime gets 'cpu' (its 'auto' would try CUDA first).
const ONE_THREAD = { device: 'cpu', session_options: { intraOpNumThreads: 1, interOpNumThreads: 1 } };
const ratios = [];
const sentences = Array.from({ length: 8 }, (_, i) =>
  'it is a truth universally acknowledged that a single man in possession of a good fortune must be in want of a wife '.repeat(1 + (i % 3)));

for (const dtype of ['fp32', 'q8']) {
  const bench = `feature-extraction minilm-l6 ${dtype}, 8 sentences`;
  for (const [impl, t, extra] of [[`qwasm-${SIMD}`, qw, {}], ['onnxruntime-node (default)', dflt, ONE_THREAD]]) {
    t.env.allowRemoteModels = false;
    t.env.localModelPath = hf;
    const p = await t.pipeline('feature-extraction', 'minilm-l6', { device: 'auto', ...extra, dtype });
    report(bench, impl, 'ms_per_call', await median(() => p(sentences, { pooling: 'mean', normalize: true }),
      { warmup: 3, runs: 7, warmupMs: 2000 }), 'ms');
    await p.dispose();
  }
  ratios.push([`${bench}: default / qwasm`, find(bench, 'onnxruntime-node (default)', 'ms_per_call') / find(bench, `qwasm-${SIMD}`, 'ms_per_call'), 'report']);
}

{
  const bench = 'text-generation tinylm q4, 64 new tokens greedy';
  const N = 64;
  for (const [impl, t, extra] of [[`qwasm-${SIMD}`, qw, {}], ['onnxruntime-node (default)', dflt, ONE_THREAD]]) {
    t.env.allowRemoteModels = false;
    t.env.localModelPath = `${ROOT}models/`;
    const p = await t.pipeline('text-generation', 'tinylm', { device: 'auto', ...extra, dtype: 'q4' });
    const run = () => p('It is a truth universally', { max_new_tokens: N, min_new_tokens: N, do_sample: false });
    const ms = await median(run, { warmup: 2, runs: 5, warmupMs: 2000 });
    report(bench, impl, 'ms_per_call', ms, 'ms');
    report(bench, impl, 'tokens_per_s', (N / ms) * 1000, 'tok/s');
    await p.dispose();
  }
  ratios.push([`${bench}: qwasm / default tokens/s`, find(bench, `qwasm-${SIMD}`, 'tokens_per_s') / find(bench, 'onnxruntime-node (default)', 'tokens_per_s'), 'report']);
}

printTable(ratios);
