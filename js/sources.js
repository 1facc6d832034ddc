// Turns every model kind of the public API into an async sequence of byte
// chunks plus a total (when known), so bytes can go into wasm memory as they
// arrive and the JS heap never holds a whole file. URLs may go through the model
// cache (options.cache: cache-web.js in browsers, a folder in Node).
import { platform } from './platform.js';

const BUFFER_CHUNK = 1 << 20;

async function* readStream(stream) {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value instanceof Uint8Array ? value : new Uint8Array(value);
    }
  } finally {
    reader.releaseLock();
  }
}

async function* sliceBuffer(bytes) {
  for (let off = 0; off < bytes.length; off += BUFFER_CHUNK) yield bytes.subarray(off, off + BUFFER_CHUNK);
}

async function fromResponse(res, what) {
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${res.statusText}`);
  const len = Number(res.headers.get('content-length'));
  return { chunks: readStream(res.body), total: Number.isFinite(len) && len > 0 ? len : undefined };
}

// Passes `chunks` through while writing them to a cache entry, which is committed only
// when the whole sequence went through (the store checks the size), else dropped.
async function* throughCache(chunks, writer) {
  let done = false;
  try {
    for await (const chunk of chunks) {
      writer.write(chunk);
      yield chunk;
    }
    done = true;
    await writer.commit();
  } finally {
    if (!done) await writer.abort();
  }
}

// The model cache of these options, or null: `cache: true` turns it on; `cacheDir`
// (Node) / `cacheName` (browsers) say where it lives.
export function cacheOf(options) {
  if (!options?.cache) return null;
  return platform().cacheStore(options);
}

// Returns { chunks: AsyncIterable<Uint8Array>, total?: number, base?: object, fromCache?: true }.
// A chunk is valid until the next one is requested (file chunks share one buffer).
// `base` is where relative external-data files are resolved from.
export async function openSource(model, what = 'model', signal, cache = null) {
  if (typeof model === 'string' || model instanceof URL) {
    const p = platform();
    const s = String(model);
    if (p.isPath(s)) return p.openFile(s, what);
    const url = new URL(s, globalThis.location?.href).href;
    const base = (u) => ({ url: new URL('.', u).href });
    if (cache) {
      const hit = await cache.get(url);
      if (hit) return { chunks: hit.chunks, total: hit.total, base: base(url), fromCache: true };
    }
    let res;
    try {
      res = await fetch(url, { signal });
    } catch (e) {
      if (e?.name === 'AbortError') throw e;
      throw new Error(`${what}: cannot fetch '${s}': ${e.message}`);
    }
    const out = await fromResponse(res, `${what} '${s}'`);
    if (cache) {
      const writer = await cache.writer(url, { total: out.total, etag: res.headers.get('etag') ?? undefined });
      out.chunks = throughCache(out.chunks, writer);
    }
    return { ...out, base: base(res.url || url) };
  }
  if (model instanceof ArrayBuffer) return { chunks: sliceBuffer(new Uint8Array(model)), total: model.byteLength };
  if (ArrayBuffer.isView(model)) {
    const u8 = new Uint8Array(model.buffer, model.byteOffset, model.byteLength);
    return { chunks: sliceBuffer(u8), total: u8.length };
  }
  if (typeof Blob === 'function' && model instanceof Blob) return { chunks: readStream(model.stream()), total: model.size };
  if (typeof Response === 'function' && model instanceof Response) return fromResponse(model, what);
  if (model && typeof model.getReader === 'function') return { chunks: readStream(model), total: undefined };
  throw new TypeError(`${what}: expected a URL or path string, ArrayBuffer, Uint8Array, Blob, Response or ReadableStream`);
}

// Resolves an external-data location relative to the model's base.
export function resolveRelative(base, location) {
  if (base?.dir) return { path: `${base.dir}/${location}` };
  if (base?.url) return { url: new URL(location, base.url).href };
  return null;
}
