// Loads one of the wasm builds (relaxed SIMD or plain SIMD128, each with and without
// threads) once per build and keeps it. 'auto' takes the relaxed build when the engine
// validates it AND its in-module probe finds the dot-product instruction usable.
// Files come from the package's dist/ (files.js) or from options.wasmPaths; a file that
// cannot be loaded rejects with an Error naming its URL or path.
import { engineFeatures } from './features.js';
import { locate } from './files.js';
import { instantiateBytes, platform, runningInNode } from './platform.js';

const modules = new Map();
// Pool workers each threaded module was started with (PTHREAD_POOL_SIZE=Module.qwasmPoolSize).
const poolSizes = new WeakMap();
// The builds loaded so far, in order: [{ name, variant, mod }] (features() reports on these).
const loaded = [];
// The relaxed build's probe verdict once a relaxed build loaded (null: no probe in the build).
let relaxedDot;

function checkPlatform() {
  if (runningInNode && platform().name !== 'node') {
    throw new Error("qwasm: in Node import 'qwasm' / 'qwasm/llm' by package name (the \"node\" export " +
      'condition: js/index.node.js, js/llm.node.js), not the browser entry js/index.js');
  }
}

// Threaded builds (`<variant>-threads`) start their pthread pool with the module: a
// blocked main thread cannot wait for a new worker to load, so sessions only use
// workers that exist (see poolThreads).
async function instantiate(name, poolSize, wasmPaths) {
  const p = platform();
  const where = (file) => locate(file, wasmPaths, p.distFiles, p.toUrl);
  const glueUrl = where(`qwasm-${name}.mjs`);
  const wasmUrl = where(`qwasm-${name}.wasm`);
  const workerUrl = poolSize === undefined ? null : where(p.workerFile(`qwasm-${name}`));
  const workerLocation = workerUrl ? await p.prepareWorker(workerUrl) : null;
  let factory;
  try {
    ({ default: factory } = await import(/* @vite-ignore */ glueUrl.href));
  } catch (e) {
    throw new Error(`qwasm: cannot load the wasm glue ${glueUrl.href}: ${e.message}`);
  }
  // The glue's own fetch would fail without naming the file (and, in emcc 3.1.6 under
  // Node, calls fetch() on a file path: docs/toolchain.md trap 4), so the package
  // fetches the wasm itself, before the glue starts (and a threaded one starts its
  // workers), and instantiates it in the glue's hook, where a failure rejects here.
  const source = await p.fetchWasm(wasmUrl);
  let failed;
  const failure = new Promise((_, reject) => { failed = reject; });
  const opts = {
    locateFile: (file) => (file.endsWith('.worker.js') && workerLocation ? workerLocation : wasmUrl.href),
    instantiateWasm(imports, receive) {
      instantiateBytes(source, imports, wasmUrl.protocol === 'file:' ? decodeURIComponent(wasmUrl.pathname) : wasmUrl.href)
        .then(({ instance, module }) => receive(instance, module), failed);
      return {};
    },
  };
  if (poolSize !== undefined) {
    opts.qwasmPoolSize = poolSize;
    opts.mainScriptUrlOrBlob = glueUrl.href;
  }
  // In Node the glue unrefs its idle pool workers itself (src/bindings/node_pool_post.js).
  const mod = await Promise.race([factory(opts), failure]);
  poolSizes.set(mod, poolSize ?? 0);
  return mod;
}

function load(variant, poolSize, wasmPaths) {
  const name = poolSize === undefined ? variant : `${variant}-threads`;
  if (!modules.has(name)) {
    const p = instantiate(name, poolSize, wasmPaths).then((mod) => {
      if (variant === 'relaxed') relaxedDot = dotClass(mod);
      loaded.push({ name, variant, mod });
      return mod;
    });
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
  return Math.max(1, Math.min((await platform().cores()) || 1, kMaxDefaultThreads));
}

// threads > 1 loads the threaded build of the chosen SIMD variant; its pool is sized
// for the larger of the request and the default, once per page / process.
export async function getModule(simd = 'auto', threads = 1, wasmPaths = undefined) {
  checkPlatform();
  const f = engineFeatures();
  if (simd !== 'auto' && simd !== 'simd128' && simd !== 'relaxed') {
    throw new Error(`simd must be 'auto', 'relaxed' or 'simd128', got '${simd}'`);
  }
  const pool = threads > 1 ? Math.max(threads, await defaultThreads()) - 1 : undefined;
  if (simd === 'relaxed') {
    if (!f.relaxedSimd) throw new Error("simd: 'relaxed' requested but this engine does not support WebAssembly relaxed SIMD");
    return { mod: await load('relaxed', pool, wasmPaths), variant: 'relaxed' };
  }
  if (!f.simd128) throw new Error('this engine does not support WebAssembly SIMD128, which qwasm requires');
  if (simd === 'auto' && f.relaxedSimd) {
    const mod = await load('relaxed', pool, wasmPaths);
    if (dotClass(mod) !== 'broken') return { mod, variant: 'relaxed' };
  }
  return { mod: await load('simd128', pool, wasmPaths), variant: 'simd128' };
}

// What features() reports: the first build that loaded, else none (the caller then
// loads the one createSession would).
export function loadedBuild() {
  const b = loaded.find((l) => l.variant === 'relaxed' && relaxedDot !== 'broken') ?? loaded[0];
  return b ? { variant: b.variant, dot: relaxedDot ?? null, build: b.name } : null;
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

// The module's memory as a buffer that covers [0, end): the one the last call returned
// while it still does, else a fresh one (heapBytes). Memory growth detaches an ArrayBuffer
// (byteLength 0) and leaves an older SharedArrayBuffer short, so the length test catches
// both. A run reads several regions; each memoryView call is an embind round trip that
// cost a few percent of the smallest models' runs (tens of microseconds).
const buffers = new WeakMap();
export function heapBuffer(mod, end) {
  const b = buffers.get(mod);
  if (b && b.byteLength >= end && b.byteLength > 0) return b;
  const fresh = mod.memoryView(0, 0).buffer;
  buffers.set(mod, fresh);
  return fresh;
}

export { dotClass };
