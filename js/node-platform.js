// Node's platform (see platform.js): files from disk, wasm read with fs, the pthread pool's
// workers as CommonJS, and the model cache in a folder. Only index.node.js / llm.node.js
// (the "node" export condition) import this, so no `node:` import reaches a browser bundle.
import { createHash } from 'node:crypto';
import { access, mkdir, open, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DIST_FILES } from './files.js';
import { setPlatform, webPlatform } from './platform.js';

// Node loads pool workers as CommonJS; this package is "type": "module", so they are .cjs copies.
const NODE_FILES = {
  ...DIST_FILES,
  'qwasm-relaxed-threads.worker.cjs': new URL('../dist/qwasm-relaxed-threads.worker.cjs', import.meta.url),
  'qwasm-simd128-threads.worker.cjs': new URL('../dist/qwasm-simd128-threads.worker.cjs', import.meta.url),
};

const FILE_CHUNK = 1 << 20;  // also the wasm staging size: peak load memory counts both

// One buffer reused for every chunk: the loader copies each chunk into wasm memory
// before asking for the next, and a fresh array per chunk would leave hundreds of MiB
// of garbage for the GC while a large model loads (it showed in peak RSS).
async function* readFileChunks(path) {
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

const isUrlLike = (s) => /^(https?|blob|data|file):/i.test(s);
const toUrl = (s) => (isUrlLike(s) ? new URL(s) : pathToFileURL(s));

async function openFile(pathOrFileUrl, what) {
  const path = /^file:/i.test(pathOrFileUrl) ? fileURLToPath(pathOrFileUrl) : pathOrFileUrl;
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new Error(`${what}: file '${path}' not found`);
  }
  return { chunks: readFileChunks(path), total: st.size, base: { dir: dirname(path) } };
}

// The cache folder: <key>.bin holds a file's bytes and <key>.json its URL, size and ETag,
// the key being the SHA-256 of the URL. An entry whose .bin is not the recorded size is missing.
function nodeCacheStore(options = {}) {
  const dir = options.cacheDir ?? join(homedir(), '.cache', 'qwasm');
  const key = (url) => join(dir, createHash('sha256').update(url).digest('hex'));
  return {
    where: `cache folder ${dir}`,
    async get(url) {
      const k = key(url);
      let meta;
      try {
        meta = JSON.parse(await readFile(`${k}.json`, 'utf8'));
        if (meta.url !== url || (await stat(`${k}.bin`)).size !== meta.size) return null;
      } catch {
        return null;
      }
      return { chunks: readFileChunks(`${k}.bin`), total: meta.size, etag: meta.etag };
    },
    async writer(url, { total, etag }) {
      await mkdir(dir, { recursive: true });
      const k = key(url);
      const tmp = `${k}.${process.pid}.${Date.now()}.tmp`;
      const fh = await open(tmp, 'w');
      let written = 0;
      let pending = Promise.resolve();
      let closed = false;
      const close = async () => {
        if (closed) return;
        closed = true;
        await pending.catch(() => {});
        await fh.close();
      };
      return {
        write(chunk) {
          // Copied: the chunk's buffer is reused for the next one.
          const copy = chunk.slice();
          written += copy.length;
          pending = pending.then(() => fh.write(copy));
        },
        async commit() {
          await pending;
          await close();
          if (total !== undefined && written !== total) {
            await unlink(tmp).catch(() => {});
            return;
          }
          await rename(tmp, `${k}.bin`);
          await writeFile(`${k}.json`, JSON.stringify({ url, size: written, etag }));
        },
        async abort() {
          await close();
          await unlink(tmp).catch(() => {});
        },
      };
    },
    async clear() { await rm(dir, { recursive: true, force: true }); },
  };
}

export const nodePlatform = {
  name: 'node',
  distFiles: NODE_FILES,
  workerFile: (name) => `${name}.worker.cjs`,
  toUrl,
  async fetchWasm(url) {
    if (url.protocol !== 'file:') return webPlatform.fetchWasm(url);
    const path = fileURLToPath(url);
    try {
      return await readFile(path);
    } catch (e) {
      throw new Error(`qwasm: cannot read wasm file ${path}: ${e.code === 'ENOENT' ? 'file not found' : e.message}`);
    }
  },
  // A path the pool's worker_threads start from (checked first, so a missing one is named).
  async prepareWorker(url) {
    if (url.protocol !== 'file:') throw new Error(`qwasm: a Node worker must be a file, got ${url.href}`);
    try {
      await access(fileURLToPath(url));
    } catch {
      throw new Error(`qwasm: cannot load worker script ${fileURLToPath(url)}: file not found`);
    }
    return fileURLToPath(url);
  },
  cores: async () => (availableParallelism ? availableParallelism() : cpus().length),
  isPath: (s) => !/^(https?|blob|data):/i.test(s),
  openFile,
  cacheStore: nodeCacheStore,
  // Worker mode's worker_thread (worker.node.js). Its 'error' (the module failed to load or
  // threw) and an unexpected 'exit' reject every call in flight.
  startWorker() {
    const url = new URL('./worker.node.js', import.meta.url);
    // The app's Node flags (e.g. --experimental-wasm-relaxed-simd) apply in the worker too,
    // except those about the main script's source, which a worker refuses.
    const execArgv = process.execArgv.filter((a) => !/^--(input-type|eval|print)\b|^-[ep]$/.test(a));
    const w = new Worker(url, { execArgv });
    let terminated = false;
    return {
      post: (msg, transfer = []) => w.postMessage(msg, transfer),
      onMessage: (fn) => w.on('message', fn),
      onError(fn) {
        w.on('error', (e) => fn(new Error(`qwasm: worker ${fileURLToPath(url)} failed: ${e.message}`)));
        w.on('exit', (code) => { if (!terminated) fn(new Error(`qwasm: worker ${fileURLToPath(url)} exited with code ${code}`)); });
      },
      terminate() { terminated = true; return w.terminate(); },
      ref: () => w.ref(),
      unref: () => w.unref(),
    };
  },
  // Paths stay paths (a worker_thread shares the process's working directory).
  absolute: (s) => s,
};

export function installNodePlatform() { setPlatform(nodePlatform); }
