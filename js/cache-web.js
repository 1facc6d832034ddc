// The browser's model cache: the Cache API, one entry per file URL. Each entry records the
// file's size (and the server's ETag) in its own headers; an entry whose body is not that
// size is treated as missing. (cache.js decides when to use it.)
const DEFAULT_NAME = 'qwasm';
const SIZE = 'x-qwasm-size';
const ETAG = 'x-qwasm-etag';

async function* blobChunks(blob) {
  const reader = blob.stream().getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

export function webCacheStore(options = {}) {
  const name = options.cacheName ?? DEFAULT_NAME;
  if (typeof caches !== 'object' || !caches) {
    throw new Error('options.cache: this context has no Cache API (it needs a secure context: https or localhost)');
  }
  return {
    where: `Cache API '${name}'`,
    async get(url) {
      const cache = await caches.open(name);
      const res = await cache.match(url);
      if (!res) return null;
      const size = Number(res.headers.get(SIZE));
      const blob = await res.blob();
      if (!Number.isFinite(size) || blob.size !== size) {
        await cache.delete(url);
        return null;
      }
      return { chunks: blobChunks(blob), total: size, etag: res.headers.get(ETAG) ?? undefined };
    },
    // Streams the bytes into the cache as they are downloaded: the entry is complete once
    // commit() closes its body, and an errored body (abort, or the wrong size) stores nothing.
    // Without a known size (no Content-Length) the bytes are kept until commit instead.
    async writer(url, { total, etag }) {
      const cache = await caches.open(name);
      let controller;
      let written = 0;
      const held = total === undefined ? [] : null;
      const body = new ReadableStream({ start(c) { controller = c; } });
      const headers = { 'content-type': 'application/octet-stream' };
      if (etag) headers[ETAG] = etag;
      let put = null;
      const start = (size) => {
        headers[SIZE] = String(size);
        put = cache.put(url, new Response(body, { headers }));
        put.catch(() => {});  // awaited in commit; an aborted entry's rejection is expected
      };
      if (!held) start(total);
      return {
        write(chunk) {
          written += chunk.length;
          if (held) held.push(chunk.slice());
          else controller.enqueue(chunk.slice());
        },
        async commit() {
          if (held) {
            start(written);
            for (const c of held) controller.enqueue(c);
          } else if (written !== total) {
            controller.error(new Error(`received ${written} of ${total} bytes`));
            return;
          }
          controller.close();
          await put;
        },
        abort() {
          if (put) controller.error(new Error('download aborted'));
        },
      };
    },
    async clear() { await caches.delete(name); },
  };
}
