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

// The real-model suite: the implementations of one model timed in turns (one sample of each
// per round), so that load from other processes falls on all of them alike; medians of at
// least 7 rounds and 300 ms of samples per implementation, after 3 rounds and 2 s of warm-up.
// A sample is a batch of runs lasting about 2 ms: the page's clock ticks in 5 microseconds and
// the wake-word heads run in tens of them.
async function timeInTurns(fns, { rounds = 7, minMs = 300, warmMs = 2000 } = {}) {
  const start = performance.now();
  for (let i = 0; i < 3 || performance.now() - start < warmMs; i++) for (const f of fns) await f();
  const batch = [];
  for (const f of fns) {
    const a = performance.now();
    for (let i = 0; i < 3; i++) await f();
    batch.push(Math.max(1, Math.ceil(2 / Math.max((performance.now() - a) / 3, 0.005))));
  }
  const t = fns.map(() => []);
  const timed = performance.now();
  for (let r = 0; r < rounds || performance.now() - timed < minMs * fns.length; r++) {
    for (let k = 0; k < fns.length; k++) {
      const a = performance.now();
      for (let j = 0; j < batch[k]; j++) await fns[k]();
      t[k].push((performance.now() - a) / batch[k]);
    }
  }
  return t.map((x) => x.sort((p, q) => p - q)[x.length >> 1]);
}

function maxAbsDiff(a, b) {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const x = Number(a[i]), y = Number(b[i]);
    if (Number.isNaN(x) !== Number.isNaN(y)) return Infinity;
    if (!Number.isNaN(x)) m = Math.max(m, Math.abs(x - y));
  }
  return m;
}

const ARRAYS = { float32: Float32Array, int64: BigInt64Array, int32: Int32Array, uint8: Uint8Array, int8: Int8Array, bool: Uint8Array };

// Cases from build/bench/real-page/manifest.json (written by models-chromium.mjs): per model
// onnxruntime-web, then qwasm relaxed and simd128, each compared with onnxruntime-web's outputs.
async function runReal() {
  const { cases } = await (await fetch('/build/bench/real-page/manifest.json')).json();
  const rows = [];
  for (const c of cases) {
    const inputs = await Promise.all(c.inputs.map(async (x) =>
      ({ ...x, data: new ARRAYS[x.type](await (await fetch(x.file)).arrayBuffer()) })));
    const feeds = (T) => Object.fromEntries(inputs.map((x) => [x.name, T(x.type, x.data, x.dims)]));
    const o = await ort.InferenceSession.create(c.model, { executionProviders: ['wasm'] });
    const oFeeds = feeds((type, data, dims) => new ort.Tensor(type, data, dims));
    const want = await o.run(oFeeds);
    const row = { bench: c.name, source: c.source, tolerance: c.tolerance };
    const timed = [['ort', () => o.run(oFeeds)]];
    const sessions = [];
    for (const simd of ['relaxed', 'simd128']) {
      try {
        const q = await createSession(c.model, { simd, threads: 1 });
        sessions.push(q);
        const qFeeds = feeds((type, data, dims) => new Tensor(type, data, dims));
        const got = await q.run(qFeeds);
        row[simd] = { maxErr: Math.max(...Object.keys(want).map((n) => maxAbsDiff(got[n].data, want[n].data))) };
        timed.push([simd, () => q.run(qFeeds)]);
      } catch (e) {
        row[simd] = { error: String(e?.message || e) };
      }
    }
    // The first model also waits out the page's start (three runs had one implementation of
    // it at 2x its later figure after a 2 s warm-up).
    const ms = await timeInTurns(timed.map(([, f]) => f), { warmMs: rows.length ? 2000 : 6000 });
    timed.forEach(([name], k) => { if (name === 'ort') row.ort = ms[k]; else row[name].ms = ms[k]; });
    for (const q of sessions) q.dispose();
    await o.release();
    rows.push(row);
    log(`${c.name}: ort ${row.ort.toPrecision(3)} ms, relaxed ${row.relaxed.ms?.toPrecision(3)}, simd128 ${row.simd128.ms?.toPrecision(3)}`);
  }
  return rows;
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
  const f = await features({ threads: 1 });  // the one-thread builds every bench here runs
  const rows = [];
  let real;
  for (const key of names) {
    if (key === 'real') {
      real = await runReal();
      continue;
    }
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
  return { features: f, userAgent: navigator.userAgent, rows, real };
}

const names = (new URLSearchParams(location.search).get('benches') || 'bert,mobilenet,turn').split(',');
window.benchResult = run(names).catch((e) => ({ error: String(e?.stack || e) }));
