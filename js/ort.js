// qwasm/ort: a namespace shaped like onnxruntime-web's (InferenceSession, Tensor, env), so
// code written for onnxruntime-web — transformers.js in particular, through
// `globalThis[Symbol.for('onnxruntime')] = await import('qwasm/ort')` — runs on qwasm.
// Tensor is onnxruntime-common's own class: `instanceof ort.Tensor` holds for the outputs.
import { Tensor } from 'onnxruntime-common';
import { createSession } from './index.js';

export { Tensor };

const VERSION = '0.1.0';

// Read by InferenceSession.create for what its options leave out. `wasm.numThreads` and
// `wasm.simd` play the roles of qwasm's `threads` / `simd` options; the other fields exist
// because callers of onnxruntime-web set them (transformers.js writes wasm.proxy and logLevel).
export const env = {
  logLevel: 'warning',
  debug: false,
  versions: { common: '1.30.0', qwasm: VERSION },
  wasm: { numThreads: undefined, simd: undefined, proxy: false, wasmPaths: undefined },
  webgpu: {},
};

// Element types onnxruntime-web names that the JS API carries.
const FEED_TYPES = new Set(['float32', 'float16', 'float64', 'int8', 'uint8', 'int16', 'uint16',
  'int32', 'uint32', 'int64', 'uint64', 'bool']);

// onnxruntime-web's dims -> qwasm's: free dims as strings, unknown ones too (as '?'),
// with freeDimensionOverrides applied.
function metadata(list, overrides) {
  return list.map((v) => ({
    name: v.name,
    isTensor: true,
    type: v.type,
    shape: (v.dims ?? []).map((d) => (typeof d === 'string' && overrides[d] !== undefined ? overrides[d] : d ?? '?')),
  }));
}

// A feed as qwasm's run() takes it: any { type, data, dims } (another copy of
// onnxruntime-common's Tensor included); float16 may come as a Float16Array.
function toFeed(name, t) {
  if (!t || typeof t !== 'object' || typeof t.type !== 'string' || !Array.isArray(t.dims) && !ArrayBuffer.isView(t.dims)) {
    throw new TypeError(`input '${name}': expected a Tensor ({ type, data, dims }), got ${t === null ? 'null' : typeof t}`);
  }
  if (t.location !== undefined && t.location !== 'cpu') {
    throw new TypeError(`input '${name}': tensor location '${t.location}' is not supported (only 'cpu')`);
  }
  if (!FEED_TYPES.has(t.type)) throw new TypeError(`input '${name}': tensor type '${t.type}' is not supported by qwasm`);
  let data = t.data;
  if (t.type === 'float16' && typeof Float16Array !== 'undefined' && data instanceof Float16Array) {
    data = new Uint16Array(data.buffer, data.byteOffset, data.length);
  }
  return { type: t.type, data, dims: Array.from(t.dims, Number) };
}

// Outputs come back as onnxruntime-common Tensors over the copies run() already made.
function toOrtTensor(t) {
  return new Tensor(t.type, t.data, [...t.dims]);
}

export class InferenceSession {
  #session;
  #overrides;

  constructor(session, overrides) {
    this.#session = session;
    this.#overrides = overrides;
    this.inputNames = session.inputNames;
    this.outputNames = session.outputNames;
    this.inputMetadata = metadata(session.inputMetadata, overrides);
    this.outputMetadata = metadata(session.outputMetadata, overrides);
  }

  // model: a file path / URL string, or the bytes (ArrayBuffer / Uint8Array); onnxruntime-web's
  // (buffer, byteOffset, byteLength, options) form too. options: externalData,
  // freeDimensionOverrides (feeds must match them), executionProviders (accepted and ignored:
  // qwasm has one), logSeverityLevel, plus qwasm's threads and simd.
  static async create(model, ...rest) {
    let options = rest[0];
    if (model instanceof ArrayBuffer && typeof rest[0] === 'number') {
      const [offset, length, opts] = rest;
      model = new Uint8Array(model, offset, length ?? model.byteLength - offset);
      options = opts;
    }
    options ??= {};
    if (typeof options !== 'object') throw new TypeError('InferenceSession.create: options must be an object');
    if (!(typeof model === 'string' || model instanceof URL || model instanceof ArrayBuffer || model instanceof Uint8Array)) {
      throw new TypeError('InferenceSession.create: expected a path, URL, ArrayBuffer or Uint8Array');
    }
    const overrides = options.freeDimensionOverrides ?? {};
    for (const [k, v] of Object.entries(overrides)) {
      if (!Number.isInteger(v) || v < 0) throw new TypeError(`freeDimensionOverrides.${k} must be a non-negative integer, got ${v}`);
    }
    const session = await createSession(model, {
      externalData: options.externalData,
      threads: options.threads ?? env.wasm.numThreads ?? undefined,
      simd: options.simd ?? env.wasm.simd ?? 'auto',
    });
    return new InferenceSession(session, overrides);
  }

  #checkOverrides(name, dims) {
    const meta = this.inputMetadata.find((m) => m.name === name);
    if (!meta) return;
    meta.shape.forEach((d, i) => {
      if (typeof d === 'number' && dims.length === meta.shape.length && dims[i] !== d) {
        throw new Error(`input '${name}': dimension ${i} is ${dims[i]} but the session fixes it to ${d} ` +
          '(freeDimensionOverrides or the model)');
      }
    });
  }

  // fetches: output names, or an object whose keys name the outputs (pre-allocated output
  // tensors are not used: outputs are always fresh copies). Returns { name: Tensor }.
  async run(feeds, fetches, options) {
    if (!feeds || typeof feeds !== 'object') throw new TypeError('run(feeds): feeds must be an object of { name: Tensor }');
    const qfeeds = {};
    for (const [name, t] of Object.entries(feeds)) {
      qfeeds[name] = toFeed(name, t);
      this.#checkOverrides(name, qfeeds[name].dims);
    }
    let names = [];
    if (Array.isArray(fetches)) names = fetches;
    // An object is fetches when one of its keys names an output, else RunOptions (as onnxruntime-web decides).
    else if (fetches && typeof fetches === 'object' && Object.keys(fetches).some((k) => this.outputNames.includes(k))) {
      names = Object.keys(fetches);
    }
    for (const n of names) {
      if (!this.outputNames.includes(n)) throw new RangeError(`fetches: '${n}' is not an output of this model (outputs: ${this.outputNames.join(', ')})`);
    }
    const out = await this.#session.run(qfeeds, { outputs: names });
    const result = {};
    for (const [name, t] of Object.entries(out)) result[name] = toOrtTensor(t);
    return result;
  }

  startProfiling() { this.#session.startProfiling(); }
  endProfiling() { return this.#session.endProfiling(); }

  async release() { this.#session.dispose(); }
}
