// Turns every model kind of the public API into an async sequence of byte
// chunks plus a total (when known), so bytes can go into wasm memory as they
// arrive and the JS heap never holds a whole file.
import { isNode } from './wasm-module.js';

const FILE_CHUNK = 1 << 20;  // also the wasm staging size: peak load memory counts both

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
  for (let off = 0; off < bytes.length; off += FILE_CHUNK) yield bytes.subarray(off, off + FILE_CHUNK);
}

// One buffer reused for every chunk: the loader copies each chunk into wasm memory
// before asking for the next, and a fresh 4 MiB array per chunk would leave hundreds
// of MiB of garbage for the GC while a large model loads (it showed in peak RSS).
async function* readFileChunks(path) {
  const { open } = await import('node:fs/promises');
  const fh = await open(path, 'r');
  const buf = new Uint8Array(FILE_CHUNK);
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, FILE_CHUNK, null);
      if (bytesRead === 0) return;
      yield bytesRead === FILE_CHUNK ? buf : buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

function isUrlLike(s) {
  return /^(https?|blob|data):/i.test(s) || (!isNode && !/^file:/i.test(s));
}

async function fromResponse(res, what) {
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${res.statusText}`);
  const len = Number(res.headers.get('content-length'));
  return { chunks: readStream(res.body), total: Number.isFinite(len) && len > 0 ? len : undefined };
}

// Returns { chunks: AsyncIterable<Uint8Array>, total?: number, base?: string }.
// A chunk is valid until the next one is requested (file chunks share one buffer).
// `base` is where relative external-data files are resolved from.
export async function openSource(model, what = 'model', signal) {
  if (typeof model === 'string' || model instanceof URL) {
    const s = String(model);
    if (isNode && !isUrlLike(s)) {
      const { fileURLToPath } = await import('node:url');
      const path = /^file:/i.test(s) ? fileURLToPath(s) : s;
      const { stat } = await import('node:fs/promises');
      let st;
      try {
        st = await stat(path);
      } catch {
        throw new Error(`${what}: file '${path}' not found`);
      }
      const { dirname } = await import('node:path');
      return { chunks: readFileChunks(path), total: st.size, base: { dir: dirname(path) } };
    }
    let res;
    try {
      res = await fetch(s, { signal });
    } catch (e) {
      if (e?.name === 'AbortError') throw e;
      throw new Error(`${what}: cannot fetch '${s}': ${e.message}`);
    }
    const out = await fromResponse(res, `${what} '${s}'`);
    return { ...out, base: { url: new URL('.', res.url || new URL(s, globalThis.location?.href)).href } };
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
