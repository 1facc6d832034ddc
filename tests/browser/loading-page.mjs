// Loading checks inside a page: files that cannot be loaded reject createSession with an
// Error naming their URL (never a hang); options.wasmPaths; the Cache API model cache.
// Results go to window.__qwasmResults; the runner counts the page's requests.
import { clearCache, createSession, Tensor } from '../../js/index.js';
import { loadCausalLM } from '../../js/llm.js';
import { assert, check, publish } from './page-checks.mjs';

const withTimeout = (p, ms = 20000) => Promise.race([p,
  new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms (a hang)`)), ms))]);
const data = (n) => new URL(`../data/${n}`, location.href).href;
const missing = new URL('/missing/', location.href).href;
const builds = ['relaxed', 'simd128', 'relaxed-threads', 'simd128-threads'];
const mapAll = (suffix) => Object.fromEntries(builds.map((b) => [`qwasm-${b}${suffix}`, `${missing}qwasm-${b}${suffix}`]));

async function rejectsNaming(options, pattern) {
  let err;
  try {
    await withTimeout(createSession(data('add.onnx'), options));
  } catch (e) {
    err = e;
  }
  assert(err instanceof Error, `expected an Error, got ${err}`);
  assert(pattern.test(err.message), `message: ${err.message}`);
}

await check('wasmPaths prefix with no files there: the glue URL is named', () =>
  rejectsNaming({ threads: 1, wasmPaths: missing }, /cannot load the wasm glue http:\/\/[^ ]+\/missing\/qwasm-/));
await check('a wasm file answering 404: its URL and the status are named', () =>
  rejectsNaming({ threads: 1, wasmPaths: mapAll('.wasm') }, /wasm file http:\/\/[^ ]+\/missing\/qwasm-[a-z0-9-]+\.wasm: HTTP 404/));
await check('a worker script answering 404 (threads): its URL is named', () =>
  rejectsNaming({ threads: 2, wasmPaths: mapAll('.worker.js') }, /worker script http:\/\/[^ ]+\/missing\/qwasm-[a-z0-9-]+\.worker\.js: HTTP 404/));

await check('after the failures a session loads and runs', async () => {
  const s = await withTimeout(createSession(data('add.onnx'), { threads: 1 }));
  const a = new Tensor('float32', Float32Array.from([1, 2, 3]), [1, 3]);
  const { y } = await s.run({ a, b: a });
  assert(y.type === 'float32' && Array.from(y.data).join() === '2,4,6', `y = ${Array.from(y.data)}`);
  s.dispose();
});

// Loads the LM with the cache on; returns whether its bytes came from the cache.
const lm = new URL('../../models/tinylm/onnx/model_q4.onnx', location.href).href;
const lmUrl = () => lm;
async function cachedLoad() {
  const events = [];
  const s = await createSession(lm, { threads: 1, cache: true, onProgress: (e) => events.push(e) });
  s.dispose();
  const bytes = events.filter((e) => e.phase === 'download' || e.phase === 'weights');
  assert(bytes.length > 0, 'no download / weights progress');
  const from = new Set(bytes.map((e) => e.fromCache));
  assert(from.size === 1, `mixed fromCache flags ${[...from]}`);
  return [...from][0];
}
await check('cache: first load downloads, second comes from the Cache API, clearCache empties it', async () => {
  await clearCache();
  assert((await cachedLoad()) === false, 'first load said fromCache');
  assert((await cachedLoad()) === true, 'second load did not come from the cache');
  await clearCache();
  assert((await cachedLoad()) === false, 'a load after clearCache said fromCache');
});

await check('worker mode with 2 threads (the pool nested in the worker) runs the LM as on the page', async () => {
  const prompt = [1022, 364, 258, 1914, 471, 105, 1169, 555];
  const out = [];
  for (const worker of [true, false]) {
    const lm = await loadCausalLM(lmUrl(), { worker, threads: 2, cache: true });
    try {
      assert(lm.session.threads === 2, `session.threads ${lm.session.threads}`);
      const ids = [];
      for await (const id of lm.generate(prompt, { maxNewTokens: 8 })) ids.push(id);
      out.push(ids.join());
    } finally {
      lm.dispose();
    }
  }
  assert(out[0] === '44,282,330,341,405,258,385,487' && out[1] === out[0], `tokens ${out}`);
});

// Frames (requestAnimationFrame) and timer ticks during a 64-token generation: their
// longest gap, and how many frames there were.
async function heartbeatDuring(lm) {
  let frames = 0, lastFrame = performance.now(), lastTick = lastFrame, gap = 0, live = true;
  const frame = () => {
    const now = performance.now();
    gap = Math.max(gap, now - lastFrame);
    lastFrame = now;
    frames++;
    if (live) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  const timer = setInterval(() => {
    const now = performance.now();
    gap = Math.max(gap, now - lastTick);
    lastTick = now;
  }, 4);
  const t0 = performance.now();
  const ids = [];
  for await (const id of lm.generate([1022, 364, 258, 1914, 471, 105, 1169, 555], { maxNewTokens: 64 })) ids.push(id);
  const ms = performance.now() - t0;
  live = false;
  clearInterval(timer);
  return { ids, ms, frames, gap };
}
const greedy8 = '44,282,330,341,405,258,385,487';  // expected_greedy.json (onnxruntime-node)
window.__qwasmHeartbeat = {};
for (const worker of [true, false]) {
  await check(`64-token generation ${worker ? 'in a worker: the longest main-thread gap is <= 50 ms' : 'on the page: frames between tokens'}`, async () => {
    const lm = await loadCausalLM(lmUrl(), { worker, threads: 1, cache: true });  // cached: no more model requests
    try {
      await heartbeatDuring(lm);  // warm-up (first-run compilation, caches)
      // The machine is shared (2 cores, other builds): up to 3 tries, the best counts, all are reported.
      const tries = [];
      let r;
      do {
        r = await heartbeatDuring(lm);
        tries.push({ ms: Math.round(r.ms), frames: r.frames, gap: Number(r.gap.toFixed(1)) });
      } while (worker && r.gap > 50 && tries.length < 3);
      window.__qwasmHeartbeat[worker ? 'worker' : 'page'] = tries;
      assert(r.ids.length === 64 && r.ids.slice(0, 8).join() === greedy8, `tokens ${r.ids.slice(0, 8)}`);
      if (worker) assert(r.gap <= 50, `longest gap ${r.gap.toFixed(1)} ms`);
      else assert(r.frames >= 2 && r.frames >= r.ms / 100, `${r.frames} frames in ${r.ms.toFixed(0)} ms`);
    } finally {
      lm.dispose();
    }
  });
}

publish();
