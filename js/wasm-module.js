// Loads one of the two wasm builds (relaxed SIMD or plain SIMD128) once per
// variant and caches it. 'auto' takes the relaxed build when the engine validates
// it AND its in-module probe finds the dot-product instruction usable.
import { engineFeatures } from './features.js';

const isNode = typeof process === 'object' && !!process.versions?.node && typeof window === 'undefined';
const modules = new Map();
// Pool workers each threaded module was started with (PTHREAD_POOL_SIZE=Module.qwasmPoolSize).
const poolSizes = new WeakMap();

// Threaded builds (`<variant>-threads`) start their pthread pool with the module: a
// blocked main thread cannot wait for a new worker to load, so sessions only use
// workers that exist (see claimWorkers).
async function instantiate(name, poolSize) {
  const glueUrl = new URL(`../dist/qwasm-${name}.mjs`, import.meta.url);
  const wasmUrl = new URL(`../dist/qwasm-${name}.wasm`, import.meta.url);
  // Node loads the worker as CommonJS: this package is "type": "module", so it gets a .cjs copy.
  const workerUrl = new URL(`../dist/qwasm-${name}.worker.${isNode ? 'cjs' : 'js'}`, import.meta.url);
  const { default: factory } = await import(glueUrl.href);
  const opts = { locateFile: (file) => (file.endsWith('.worker.js') ? workerUrl : wasmUrl).href };
  if (isNode) {
    // emcc 3.1.6's glue would fetch() a file path under Node (TOOLCHAIN.md trap 4).
    const { readFile } = await import('node:fs/promises');
    const { fileURLToPath } = await import('node:url');
    opts.wasmBinary = await readFile(wasmUrl);
    opts.locateFile = (file) => (file.endsWith('.worker.js') ? fileURLToPath(workerUrl) : wasmUrl.href);
  }
  if (poolSize !== undefined) {
    opts.qwasmPoolSize = poolSize;
    opts.mainScriptUrlOrBlob = glueUrl.href;
  }
  // In Node the glue unrefs its idle pool workers itself (src/bindings/node_pool_post.js).
  const mod = await factory(opts);
  poolSizes.set(mod, poolSize ?? 0);
  return mod;
}

function load(variant, poolSize) {
  const name = poolSize === undefined ? variant : `${variant}-threads`;
  if (!modules.has(name)) {
    const p = instantiate(name, poolSize);
    p.catch(() => modules.delete(name));
    modules.set(name, p);
  }
  return modules.get(name);
}

// The probe's verdict inside the relaxed build (null when the build has no probe).
function dotClass(mod) {
  const c = typeof mod.dotClass === 'function' ? mod.dotClass() : 'none';
  return c === 'none' ? null : c;
}

// Threads worth using by default: the cores, capped (decode is memory-bound beyond a few).
const kMaxDefaultThreads = 4;
export async function defaultThreads() {
  if (!engineFeatures().threads) return 1;
  let cores = globalThis.navigator?.hardwareConcurrency;
  if (isNode) {
    const os = await import('node:os');
    cores = os.availableParallelism ? os.availableParallelism() : os.cpus().length;
  }
  return Math.max(1, Math.min(cores || 1, kMaxDefaultThreads));
}

// threads > 1 loads the threaded build of the chosen SIMD variant; its pool is sized
// for the larger of the request and the default, once per page / process.
export async function getModule(simd = 'auto', threads = 1) {
  const f = engineFeatures();
  if (simd !== 'auto' && simd !== 'simd128' && simd !== 'relaxed') {
    throw new Error(`simd must be 'auto', 'relaxed' or 'simd128', got '${simd}'`);
  }
  const pool = threads > 1 ? Math.max(threads, await defaultThreads()) - 1 : undefined;
  if (simd === 'relaxed') {
    if (!f.relaxedSimd) throw new Error("simd: 'relaxed' requested but this engine does not support WebAssembly relaxed SIMD");
    return { mod: await load('relaxed', pool), variant: 'relaxed' };
  }
  if (!f.simd128) throw new Error('this engine does not support WebAssembly SIMD128, which qwasm requires');
  if (simd === 'auto' && f.relaxedSimd) {
    const mod = await load('relaxed', pool);
    if (dotClass(mod) !== 'broken') return { mod, variant: 'relaxed' };
  }
  return { mod: await load('simd128', pool), variant: 'simd128' };
}

// Threads a threaded module can give one session: the caller + every pool worker. The
// first threaded session makes the shared pool from all the workers the module started
// (none is created later: a blocked main thread cannot wait for a new worker to load).
export function poolThreads(mod) {
  return 1 + (poolSizes.get(mod) ?? 0);
}

// `bytes` bytes of the module's memory at `ptr`, as a Uint8Array made now by the module
// (embind typed_memory_view, src/bindings/features_bindings.cc): memory may have grown,
// here or on a pool worker, since any earlier view was made. Use it before the next wasm call.
export function heapBytes(mod, ptr, bytes) {
  return mod.memoryView(ptr, bytes);
}

export { dotClass, isNode };
