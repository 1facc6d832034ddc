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
    if (typeof Response === 'function' && source instanceof Response) {
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
  instantiate: async (url, imports) => instantiateBytes(await fetchOk(url, 'wasm file'), imports, url),
  // A Worker whose script fails to load only fires an error event the glue never turns
  // into a rejection (its pool would wait forever): check the script loads first. The
  // browser's HTTP cache serves the Worker's own request afterwards.
  async checkWorker(url) {
    const res = await fetchOk(url, 'worker script');
    await res.body?.cancel();
  },
  workerLocation: (url) => url.href,
  cores: async () => globalThis.navigator?.hardwareConcurrency || 1,
  // Strings are always URLs on the web.
  isPath: () => false,
  openFile: null,
  cacheStore: (options) => webCacheStore(options),
};

let current = webPlatform;
export function setPlatform(p) { current = p; }
export function platform() { return current; }
