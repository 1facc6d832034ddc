// Model benchmarks inside the browser: qwasm and onnxruntime-web 1.30 in the same page,
// one thread each, same inputs, medians. Driven by tools/bench/models-chromium.mjs,
// which reads window.benchResult. Models come from build/bench (made by the Node bench).
import { createSession, features, Tensor } from '/js/index.js';
import * as ort from '/node_modules/onnxruntime-web/dist/ort.min.mjs';

ort.env.wasm.numThreads = 1;
ort.env.wasm.wasmPaths = '/node_modules/onnxruntime-web/dist/';

const log = (s) => { document.getElementById('log').textContent += `${s}\n`; };

// Warm up for `warmup` runs and at least 2 s (V8 tiers large modules up in the background).
async function median(fn, runs, warmup = Number(new URLSearchParams(location.search).get("warmup") || 3)) {
  const start = performance.now();
  for (let i = 0; i < warmup || performance.now() - start < 2000; i++) await fn();
  const t = [];
  for (let i = 0; i < runs; i++) {
    const a = performance.now();
    await fn();
    t.push(performance.now() - a);
  }
  return t.sort((x, y) => x - y)[t.length >> 1];
}

const BENCHES = {
  bert: {
    name: 'bert-base-qdynamic-seq128', model: '/build/bench/bert_base_qdynamic.onnx', runs: 5,
    feeds: (T) => ({ hidden_states: T('float32', Float32Array.from({ length: 128 * 768 }, (_, i) => Math.sin(i * 0.37)), [1, 128, 768]) }),
  },
  mobilenet: {
    name: 'mobilenetv2-qdq-224', model: '/build/bench/mobilenetv2_qdq.onnx', runs: 7,
    feeds: (T) => ({ input: T('float32', Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => Math.cos(i * 0.011)), [1, 3, 224, 224]) }),
  },
  turn: {
    name: 'turn_detector-32tok', model: '/build/bench/livekit/package/dist/turn_detector.onnx', runs: 7,
    feeds: (T) => ({ input_ids: T('int64', BigInt64Array.from({ length: 32 }, (_, i) => BigInt(100 + i * 37)), [1, 32]) }),
  },
};

async function run(names) {
  const f = await features();
  const rows = [];
  for (const key of names) {
    const b = BENCHES[key];
    const q = await createSession(b.model, { simd: 'relaxed', threads: 1 });
    const qFeeds = b.feeds((type, data, dims) => new Tensor(type, data, dims));
    const qMs = await median(() => q.run(qFeeds), b.runs);
    q.dispose();
    const o = await ort.InferenceSession.create(b.model, { executionProviders: ['wasm'] });
    const oFeeds = b.feeds((type, data, dims) => new ort.Tensor(type, data, dims));
    const oMs = await median(() => o.run(oFeeds), b.runs);
    await o.release();
    rows.push({ bench: b.name, qwasm: qMs, ort: oMs });
    log(`${b.name}: qwasm ${qMs.toFixed(1)} ms, onnxruntime-web ${oMs.toFixed(1)} ms`);
  }
  return { features: f, userAgent: navigator.userAgent, rows };
}

const names = (new URLSearchParams(location.search).get('benches') || 'bert,mobilenet,turn').split(',');
window.benchResult = run(names).catch((e) => ({ error: String(e?.stack || e) }));
