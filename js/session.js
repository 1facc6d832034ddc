// InferenceSession: the JS face of a wasm SessionHandle. Inputs are written
// straight into wasm memory the runtime allocated; outputs are copied out once.
import { dtypeInfo, dtypeName } from './dtypes.js';
import { Tensor } from './tensor.js';
import { abortError } from './platform.js';
import { heapBytes } from './wasm-module.js';

// Package-internal hooks (used by llm.js, not part of the public API).
export const kCarry = Symbol('qwasm.carry');
export const kClearCarry = Symbol('qwasm.clearCarry');

// A model input or output of a type JS cannot hold (bfloat16, string, ...) is refused
// here, naming it, rather than at the first run.
function describe(info, kind) {
  return info.map((v) => ({ name: v.name, type: v.type ? dtypeName(v.type, `model ${kind} '${v.name}'`) : undefined,
    dims: v.dims }));
}

export class InferenceSession {
  #mod;
  #handle;
  #inputs;
  #outputs;

  constructor(mod, variant, handle) {
    this.#mod = mod;
    this.#handle = handle;
    try {
      this.#inputs = describe(handle.inputInfo(), 'input');
      this.#outputs = describe(handle.outputInfo(), 'output');
    } catch (e) {
      this.dispose();
      throw e;
    }
    this.variant = variant;
    /** Threads this session runs on (the caller included). */
    this.threads = handle.threads();
  }

  get inputNames() { return this.#inputs.map((v) => v.name); }
  get outputNames() { return this.#outputs.map((v) => v.name); }
  // [{ name, type, dims }] with symbolic dims as strings (or null when unknown).
  get inputMetadata() { return this.#inputs; }
  get outputMetadata() { return this.#outputs; }

  #alive() {
    if (!this.#handle) throw new Error('session has been disposed');
    return this.#handle;
  }

  async run(feeds, options = {}) {
    const handle = this.#alive();
    if (!feeds || typeof feeds !== 'object') throw new TypeError('run(feeds): feeds must be an object of { name: Tensor }');
    const names = Array.isArray(options) ? options : (options.outputs ?? []);
    // The run itself is one synchronous wasm call: a signal stops it before it starts.
    const signal = Array.isArray(options) ? undefined : options.signal;
    if (signal?.aborted) throw abortError(signal, 'run');
    try {
      for (const [name, t] of Object.entries(feeds)) {
        if (!t || typeof t.type !== 'string' || !t.data || !Array.isArray(t.dims)) {
          throw new TypeError(`input '${name}': expected a Tensor`);
        }
        const info = dtypeInfo(t.type);
        if (!(t.data instanceof info.array)) throw new TypeError(`input '${name}': data of a '${t.type}' tensor must be a ${info.array.name}`);
        const staged = handle.stageInput(name, info.code, t.dims);
        if (staged.error) throw new Error(staged.error);
        if (staged.bytes !== t.data.byteLength) {
          throw new Error(`input '${name}': data has ${t.data.length} elements but dims [${t.dims}] need ${staged.bytes / info.array.BYTES_PER_ELEMENT}`);
        }
        heapBytes(this.#mod, staged.ptr, staged.bytes).set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
      }
    } catch (e) {
      handle.clearInputs();
      throw e;
    }
    const r = handle.run(names);
    if (r.error) throw new Error(r.error);
    const out = {};
    try {
      for (const o of r.outputs) {
        const type = dtypeName(o.type, `output '${o.name}'`);
        const Arr = dtypeInfo(type).array;
        const bytes = heapBytes(this.#mod, o.ptr, o.bytes).slice();
        out[o.name] = new Tensor(type, new Arr(bytes.buffer, 0, o.bytes / Arr.BYTES_PER_ELEMENT), o.dims);
      }
    } finally {
      handle.clearOutputs();
    }
    return out;
  }

  // Per operator type timing over the runs between the two calls (the same idea as
  // onnxruntime's startProfiling / endProfiling, returned instead of written to a file):
  // [{ op: 'domain::op_type', ms, calls }], most expensive first.
  startProfiling() { this.#alive().startProfiling(); }
  endProfiling() {
    return this.#alive().endProfiling().sort((a, b) => b.ms - a.ms);
  }

  // Output -> input pairs that stay in wasm memory between runs (KV caches).
  [kCarry](pairs) { this.#alive().setCarry(pairs); }
  [kClearCarry]() { this.#alive().clearCarry(); }

  // Frees everything the session holds in wasm memory. Idempotent.
  dispose() {
    if (this.#handle) {
      this.#handle.delete();
      this.#handle = null;
    }
  }
}
