// qwasm: quantized ONNX inference for the web. The public API (README, js/index.d.ts); the browser /
// default entry. Node's entry (index.node.js) installs Node's platform and re-exports this.
import { engineFeatures } from './features.js';
import { InferenceSession, kLastPositionOutput } from './session.js';
import { abortError as abortErrorOf, platform } from './platform.js';
import { cacheOf, openSource, resolveRelative } from './sources.js';
import { Tensor } from './tensor.js';
import { createRemote } from './worker-client.js';
import { defaultThreads, getModule, heapBytes, loadedBuild, poolThreads } from './wasm-module.js';

export { Tensor, InferenceSession };

const BLOCK = 4 << 20;

const abortError = (signal) => abortErrorOf(signal, 'model loading');

// Copies the model's chunks into wasm-owned blocks (parsed in place afterwards).
async function pumpModel(mod, loader, src, onProgress, signal) {
  let ptr = 0, cap = 0, used = 0, loaded = 0;
  for await (const chunk of src.chunks) {
    if (signal?.aborted) throw abortError(signal);
    for (let off = 0; off < chunk.length;) {
      if (used === cap) {
        const left = src.total !== undefined ? src.total - loaded - off : BLOCK;
        cap = Math.max(Math.min(BLOCK, left), chunk.length - off, 1);
        ptr = loader.allocChunk(cap);
        if (!ptr) throw new Error(`model: out of wasm memory after ${loaded + off} bytes`);
        used = 0;
      }
      const n = Math.min(cap - used, chunk.length - off);
      heapBytes(mod, ptr + used, n).set(chunk.subarray(off, off + n));
      used += n;
      off += n;
    }
    loaded += chunk.length;
    onProgress?.({ phase: 'download', loaded, total: src.total ?? loaded, fromCache: src.fromCache === true });
  }
  if (cap) loader.setLastChunkSize(used);
  if (signal?.aborted) throw abortError(signal);
  if (src.total !== undefined && loaded !== src.total) {
    throw new Error(`model: truncated, received ${loaded} of ${src.total} bytes`);
  }
  if (loaded === 0) throw new Error('model: is empty (0 bytes)');
}

// Streams one external-data file through the loader's staging buffer into the
// tensors' final storage. `progress` accumulates bytes over all external files.
async function pumpExternal(mod, loader, location, src, progress, onProgress, signal) {
  let offset = 0;
  for await (const chunk of src.chunks) {
    if (signal?.aborted) throw abortError(signal);
    const ptr = loader.stagingBuffer(chunk.length);
    if (!ptr) throw new Error(`external data file '${location}': out of wasm memory`);
    heapBytes(mod, ptr, chunk.length).set(chunk);
    const r = loader.writeExternal(location, offset, chunk.length);
    if (r.error) throw new Error(r.error);
    offset += chunk.length;
    progress.loaded += chunk.length;
    onProgress?.({ phase: 'weights', loaded: progress.loaded, total: progress.total, fromCache: src.fromCache === true });
  }
  if (signal?.aborted) throw abortError(signal);
  if (src.total !== undefined && offset !== src.total) {
    throw new Error(`external data file '${location}': truncated, received ${offset} of ${src.total} bytes`);
  }
  const r = loader.finishExternal(location, offset);
  if (r.error) throw new Error(r.error);
}

function findExternal(externalData, location) {
  if (!externalData) return undefined;
  if (!Array.isArray(externalData)) throw new TypeError('options.externalData must be an array of { path, data }');
  const norm = (p) => String(p).replace(/^\.\//, '');
  return externalData.find((e) => norm(e.path) === norm(location))?.data;
}

export async function createSession(model, options = {}) {
  if (options.worker) return createRemote('session', model, options);
  const { externalData, onProgress, signal, simd = 'auto', wasmPaths } = options;
  if (signal?.aborted) throw abortError(signal);
  const threads = await resolveThreads(options.threads);
  const cache = cacheOf(options);
  const { mod, variant } = await getModule(simd, threads, wasmPaths);
  const loader = new mod.ModelLoader();
  try {
    const src = await openSource(model, 'model', signal, cache);
    await pumpModel(mod, loader, src, onProgress, signal);
    const parsed = loader.parse();
    if (parsed.error) throw new Error(parsed.error);
    const progress = { loaded: 0, total: parsed.externalFiles.reduce((n, f) => n + f.bytes, 0) };
    for (const { location } of parsed.externalFiles) {
      let data = findExternal(externalData, location);
      if (data === undefined) {
        const rel = externalData ? null : resolveRelative(src.base, location);
        if (!rel) throw new Error(`external data file '${location}' is referenced by the model but not given in options.externalData`);
        data = rel.path ?? rel.url;
      }
      const ext = await openSource(data, `external data file '${location}'`, signal, cache);
      await pumpExternal(mod, loader, location, ext, progress, onProgress, signal);
    }
    onProgress?.({ phase: 'prepare', loaded: 0, total: 1 });
    const pool = poolThreads(mod);
    const built = loader.build(Math.min(threads, pool), pool, options[kLastPositionOutput] ?? '');
    if (built.error) throw new Error(built.error);
    const session = new InferenceSession(mod, variant, loader.takeSession());
    onProgress?.({ phase: 'prepare', loaded: 1, total: 1 });
    return session;
  } finally {
    loader.release();
    loader.delete();
  }
}

// options.threads: a positive integer, or undefined for the default (defaultThreads()).
async function resolveThreads(threads) {
  if (threads === undefined) return defaultThreads();
  if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
    throw new TypeError(`options.threads must be an integer from 1 to 256, got ${threads}`);
  }
  if (threads > 1 && !engineFeatures().threads) {
    throw new Error(`options.threads is ${threads} but this context cannot run wasm threads (SharedArrayBuffer needs a ` +
      'cross-origin isolated page: serve it with Cross-Origin-Opener-Policy: same-origin and ' +
      'Cross-Origin-Embedder-Policy: require-corp); use threads: 1');
  }
  return threads;
}

// The engine's features and the build createSession uses: the one already loaded, or
// else the one createSession(model, options) would load (loaded now, and kept for it).
// Never instantiates a second build.
export async function features(options = {}) {
  const f = engineFeatures();
  if (!f.simd128) return { ...f, variant: null, dot: null };
  if (!loadedBuild()) await getModule(options.simd ?? 'auto', await resolveThreads(options.threads), options.wasmPaths);
  const { variant, dot } = loadedBuild();
  return { ...f, variant, dot };
}

// Empties the model cache (options.cacheDir / options.cacheName as for createSession).
export async function clearCache(options = {}) {
  await platform().cacheStore(options).clear();
}

// Internal hooks for the decoder benchmarks: ceilings measured in the module that runs the
// models (src/bindings/bench_bindings.cc); not part of the pinned API.
export async function _benchCeilings(simd = 'auto', threads = undefined) {
  const { mod } = await getModule(simd, await resolveThreads(threads));
  return {
    readGBps: (bytes) => mod.benchReadBandwidth(bytes),  // one streaming read of a bytes-sized buffer
    dotGops: (accumulators = 8) => mod.benchDotCeiling(accumulators),  // the relaxed dot, 8 or 12 chains (0: simd128 build)
    release: () => mod.benchRelease(),
  };
}

// Internal hooks for tests (heap accounting); not part of the pinned API.
export async function _debugHeap(simd = 'auto', threads = undefined) {
  const { mod } = await getModule(simd, await resolveThreads(threads));
  return mod.heapInUse();
}
