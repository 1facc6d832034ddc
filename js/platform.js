// How the package reaches files and wasm on its host. This default is the web's (fetch,
// WebAssembly.instantiateStreaming, the Cache API) and has no Node imports, so browser
// bundles never see one; index.node.js / llm.node.js (the "node" export condition)
// install Node's (node-platform.js) before any of it runs.
import { DIST_FILES } from './files.js';
import { webCacheStore } from './cache-web.js';

export const runningInNode = typeof process === 'object' && !!process.versions?.node && typeof window === 'undefined';

async function fetchOk(url, what) {
  let res;
  try {
    res = await fetch(url, { credentials: 'same-origin' });
  } catch (e) {
    throw new Error(`qwasm: cannot fetch ${what} ${url}: ${e.message}`);
  }
  if (!res.ok) throw new Error(`qwasm: cannot load ${what} ${url}: HTTP ${res.status} ${res.statusText}`.trimEnd());
  return res;
}

// WebAssembly.instantiate's result for `bytes` (or a Response), failures naming the file.
export async function instantiateBytes(source, imports, url) {
  try {
    // Bytes first: in Node the first touch of the global Response loads undici (and its wasm).
    if (!ArrayBuffer.isView(source) && !(source instanceof ArrayBuffer)) {
      if (typeof WebAssembly.instantiateStreaming === 'function' &&
          /^application\/wasm\b/.test(source.headers.get('content-type') ?? '')) {
        return await WebAssembly.instantiateStreaming(source, imports);
      }
      source = await source.arrayBuffer();
    }
    return await WebAssembly.instantiate(source, imports);
  } catch (e) {
    throw new Error(`qwasm: cannot instantiate ${url}: ${e.message}`);
  }
}

export const webPlatform = {
  name: 'web',
  distFiles: DIST_FILES,
  workerFile: (name) => `${name}.worker.js`,
  toUrl: (s) => new URL(s, globalThis.location?.href),
  // The wasm's bytes (a Response here), fetched before the glue starts anything (pool
  // workers included), so a missing file fails with nothing left running.
  fetchWasm: (url) => fetchOk(url, 'wasm file'),
  // A Worker whose script fails to load only fires an error event the glue never turns
  // into a rejection (its pool would wait forever): the script is fetched first (a failure
  // names its URL), and the pool's workers start from a blob: URL of its text. A bundler may
  // have inlined the small script as a data: URL (Vite does under 4 KiB), and a worker from a
  // data: URL has an opaque origin that cannot import the glue (on a cross-origin isolated
  // page the pool then never starts); a blob: URL keeps the page's origin and policies.
  async prepareWorker(url) {
    const res = await fetchOk(url, 'worker script');
    const text = await res.text();
    return URL.createObjectURL(new Blob([text], { type: 'text/javascript' }));
  },
  cores: async () => globalThis.navigator?.hardwareConcurrency || 1,
  // Strings are always URLs on the web.
  isPath: () => false,
  openFile: null,
  cacheStore: (options) => webCacheStore(options),
  // Worker mode's worker (worker.js). `new Worker(new URL('./worker.js', import.meta.url), ...)`
  // in one expression is the form bundlers (Vite, webpack, Parcel) recognise: they bundle the
  // worker with its imports and rewrite the URL. A separate `new URL('./worker.js', ...)` would
  // make it a plain asset instead (Vite inlines one that small as a data: URL, without its
  // imports: the worker never starts). A worker that fails to start fires 'error' and its
  // calls reject, naming its URL where it is known.
  startWorker() {
    const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    return {
      post: (msg, transfer = []) => w.postMessage(msg, transfer),
      onMessage: (fn) => { w.onmessage = (e) => fn(e.data); },
      onError: (fn) => {
        w.onerror = (e) => {
          e.preventDefault?.();
          fn(new Error(`qwasm: the worker of worker mode, ${workerName()}, failed: ${e.message || 'its script did not load'}`));
        };
      },
      terminate: () => w.terminate(),
      ref() {},
      unref() {},
    };
  },
  // A URL string made absolute against the page (a worker resolves against its own URL).
  absolute: (s) => new URL(s, globalThis.location?.href).href,
};

// The worker script's URL for error messages: known when the package's files are served as
// they are (this module is still platform.js); a bundler renames both files, and then only the
// Worker knows it. WORKER_FILE is not a literal in new URL(), so bundlers leave this one alone.
const WORKER_FILE = './worker.js';
function workerName() {
  const here = import.meta.url;
  return /\/platform\.js([?#].*)?$/.test(here) ? new URL(WORKER_FILE, here).href : "qwasm's js/worker.js (bundled with the app)";
}

let current = webPlatform;
export function setPlatform(p) { current = p; }
export function platform() { return current; }

// Resolves in a later task, once pending timers, I/O and (in browsers) rendering had their
// turn: generate() awaits it between tokens so a long generation never starves the event
// loop. setImmediate in Node; elsewhere a MessageChannel message (setTimeout(0) is clamped to
// 4 ms once nested, and scheduler.yield() continuations outrank rendering).
let channel;
const waiting = [];
export function nextTask() {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  if (!channel) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => waiting.shift()?.();
  }
  return new Promise((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(0);
  });
}

// The Error an aborted signal rejects with: its reason when that is an Error, else an
// AbortError saying what was aborted.
export function abortError(signal, what) {
  const reason = signal?.reason;
  if (reason instanceof Error) return reason;
  const e = new Error(`${what} was aborted`);
  e.name = 'AbortError';
  return e;
}
