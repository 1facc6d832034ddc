// A model folder in the Hugging Face layout (config.json, generation_config.json,
// tokenizer.json, tokenizer_config.json, onnx/model{suffix}.onnx [+ _data files]) read from a
// URL, a local path (Node) or a map of file names to contents. Used by qwasm/llm's
// loadCausalLM; the ONNX file itself is streamed by createSession, never read here.
import { platform } from './platform.js';
import { openSource } from './sources.js';

// transformers.js's dtype -> file-name suffix convention.
export const DTYPE_SUFFIX = {
  fp32: '', fp16: '_fp16', q8: '_quantized', int8: '_int8', uint8: '_uint8', q4: '_q4', q4f16: '_q4f16', bnb4: '_bnb4',
};

const SOURCE_TYPES = [ArrayBuffer, Uint8Array, ...(typeof Blob !== 'undefined' ? [Blob] : []),
  ...(typeof Response !== 'undefined' ? [Response] : []), ...(typeof ReadableStream !== 'undefined' ? [ReadableStream] : [])];

// Whether loadCausalLM's `model` names a folder rather than one ONNX file.
export function isFolder(model) {
  if (typeof model === 'string' || model instanceof URL) return !/\.onnx([?#].*)?$/i.test(String(model));
  return !!model && typeof model === 'object' && !SOURCE_TYPES.some((T) => model instanceof T);
}

const textOf = async (v) => {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array || v instanceof ArrayBuffer) return new TextDecoder().decode(v);
  if (typeof Blob !== 'undefined' && v instanceof Blob) return v.text();
  if (typeof Response !== 'undefined' && v instanceof Response) return v.text();
  if (v && typeof v === 'object') return JSON.stringify(v);  // an already-parsed JSON file
  throw new TypeError(`expected file contents, got ${typeof v}`);
};

// Returns { label, has(name), json(name), model(name) -> a createSession source,
// external(name) -> options.externalData for the ONNX file (or undefined) }.
export async function openFolder(model, signal) {
  if (typeof model === 'string' || model instanceof URL) {
    let s = String(model);
    if (!s.endsWith('/')) s += '/';
    const p = platform();
    if (p.isPath(s) || (p.openFile && /^file:/i.test(s))) return localFolder(s, p);
    return urlFolder(s, signal);
  }
  return mapFolder(model);
}

async function readAll(src) {
  const parts = [];
  let n = 0;
  for await (const c of src.chunks) { parts.push(c.slice()); n += c.length; }  // file chunks share one buffer
  const out = new Uint8Array(n);
  let off = 0;
  for (const c of parts) { out.set(c, off); off += c.length; }
  return out;
}

// A folder on the local file system (Node's platform opens the files).
function localFolder(dir, p) {
  if (/^file:/i.test(dir)) dir = decodeURIComponent(new URL(dir).pathname);
  const file = (name) => dir + name;
  return {
    label: dir,
    has: (name) => p.openFile(file(name), name).then(() => true, () => false),  // stats, does not read
    async json(name) { return JSON.parse(new TextDecoder().decode(await readAll(await p.openFile(file(name), name)))); },
    model: file,  // external data resolves next to it
    external: () => undefined,
  };
}

// Files are fetched once (GET: HEAD probes are not served everywhere); a 404 means absent.
// The ONNX file is not probed: createSession streams it, and a 404 there is reported by
// loadCausalLM as the missing dtype file.
function urlFolder(base, signal) {
  const url = (name) => new URL(name, base).href;
  const cache = new Map();
  const get = (name) => {
    if (!cache.has(name)) cache.set(name, fetch(url(name), { signal }));
    return cache.get(name);
  };
  return {
    label: base,
    async has(name) {
      if (name.endsWith('.onnx')) return true;
      const r = await get(name).catch(() => null);
      return !!r?.ok;
    },
    async json(name) {
      const r = await get(name);
      if (!r.ok) throw new Error(`${url(name)}: HTTP ${r.status} ${r.statusText}`);
      return r.clone().json();
    },
    model: url,
    external: () => undefined,
  };
}

function mapFolder(files) {
  const norm = (p) => String(p).replace(/^\.?\//, '');
  const entries = new Map(Object.entries(files).map(([k, v]) => [norm(k), v]));
  return {
    label: 'the given files',
    has: async (name) => entries.has(name),
    async json(name) { return JSON.parse(await textOf(entries.get(name))); },
    model: (name) => entries.get(name),
    // Every other file in the ONNX file's folder may be its external data, named by location.
    external(name) {
      const dir = name.slice(0, name.lastIndexOf('/') + 1);
      const out = [];
      for (const [k, v] of entries) {
        if (k !== name && k.startsWith(dir) && !k.slice(dir.length).includes('/') && !k.endsWith('.onnx')) {
          out.push({ path: k.slice(dir.length), data: v });
        }
      }
      return out.length ? out : undefined;
    },
  };
}
