// InferenceSession: the JS face of a wasm SessionHandle. Inputs are written
// straight into wasm memory the runtime allocated; outputs are copied out once.
import { dtypeInfo, dtypeName } from './dtypes.js';
import { Tensor } from './tensor.js';
import { abortError } from './platform.js';
import { heapBuffer } from './wasm-module.js';

// Package-internal hooks (used by llm.js, not part of the public API).
export const kCarry = Symbol('qwasm.carry');
export const kClearCarry = Symbol('qwasm.clearCarry');
// createSession option: a graph output [batch, seq, n] computed for the last position only
// (llm.js's next-token logits; SessionOptions::last_position_outputs in C++).
export const kLastPositionOutput = Symbol('qwasm.lastPositionOutput');

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
  #inputIndex;   // input name -> its number in the model's input list
  #dimsPtr = 0;  // the handle's dims buffer (dimsBuffer) and how many doubles it holds
  #dimsRoom = 0;
  #outTypes = [];  // #outputType's entries

  constructor(mod, variant, handle) {
    this.#mod = mod;
    this.#handle = handle;
    try {
      this.#inputs = describe(handle.inputInfo(), 'input');
      this.#outputs = describe(handle.outputInfo(), 'output');
      this.#inputIndex = new Map(this.#inputs.map((v, i) => [v.name, i]));
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
    // Checked here first, then staged through calls that pass numbers only (src/bindings/
    // session_handle.h): the dims of every input in one buffer, one call per input, one
    // view of memory for all the copies (taken after the last allocation).
    const staged = [];
    let rankSum = 0;
    for (const name of Object.keys(feeds)) {
      const t = feeds[name];
      if (!t || typeof t.type !== 'string' || !t.data || !Array.isArray(t.dims)) {
        throw new TypeError(`input '${name}': expected a Tensor`);
      }
      const info = dtypeInfo(t.type);
      if (!(t.data instanceof info.array)) throw new TypeError(`input '${name}': data of a '${t.type}' tensor must be a ${info.array.name}`);
      const index = this.#inputIndex.get(name);
      if (index === undefined) {
        throw new Error(`unknown input '${name}' (the model's inputs are ${this.inputNames.map((n) => `'${n}'`).join(', ')})`);
      }
      staged.push({ name, t, info, index, offset: rankSum });
      rankSum += t.dims.length;
    }
    const mod = this.#mod;
    try {
      if (rankSum > this.#dimsRoom) {
        this.#dimsPtr = handle.dimsBuffer(rankSum);
        this.#dimsRoom = rankSum;
      }
      const dims = new Float64Array(heapBuffer(mod, this.#dimsPtr + 8 * rankSum), this.#dimsPtr, rankSum);
      for (const s of staged) dims.set(s.t.dims, s.offset);
      for (const s of staged) {
        s.ptr = handle.stage(s.index, s.info.code, s.t.dims.length, s.offset);
        if (s.ptr < 0) throw new Error(handle.lastError());
        const elements = s.t.dims.reduce((a, b) => a * b, 1);
        if (elements !== s.t.data.length) {
          throw new Error(`input '${s.name}': data has ${s.t.data.length} elements but dims [${s.t.dims}] need ${elements}`);
        }
      }
      let end = 0;
      for (const { t, ptr } of staged) end = Math.max(end, ptr + t.data.byteLength);
      const heap = heapBuffer(mod, end);
      for (const { t, info, ptr } of staged) {
        // One view of the staged input's own type (its buffer is 64-byte aligned).
        if (t.data.byteLength) new info.array(heap, ptr, t.data.length).set(t.data);
      }
    } catch (e) {
      handle.clearInputs();
      throw e;
    }
    const ptr = names.length ? handle.runStaged(names) : handle.runStagedAll();
    if (ptr < 0) throw new Error(handle.lastError());
    const out = {};
    try {
      const n = new Float64Array(heapBuffer(mod, ptr + 8), ptr, 1)[0];
      let heap = heapBuffer(mod, ptr + 8 + 8 * n);
      const meta = new Float64Array(heap, ptr + 8, n);
      for (let i = 0; i < n;) {
        const { name, type, Arr } = this.#outputType(meta[i], meta[i + 1]);
        const at = meta[i + 2], bytes = meta[i + 3], rank = meta[i + 4];
        const dims = Array.from(meta.subarray(i + 5, i + 5 + rank));
        if (at + bytes > heap.byteLength) heap = heapBuffer(mod, at + bytes);
        // Copied out through a view of the element type where the data is aligned to it (a
        // value the runtime allocated always is), else as bytes.
        const count = bytes / Arr.BYTES_PER_ELEMENT;
        const data = at % Arr.BYTES_PER_ELEMENT === 0 ? new Arr(heap, at, count).slice()
          : new Arr(new Uint8Array(heap, at, bytes).slice().buffer, 0, count);
        out[name] = new Tensor(type, data, dims);
        i += 5 + rank;
      }
    } finally {
      handle.clearOutputs();
    }
    return out;
  }

  // Output `index`'s name, JS type and array class for element type `code`, kept per
  // output (looked up, with the message built, only when the code changes).
  #outputType(index, code) {
    const kept = this.#outTypes[index];
    if (kept && kept.code === code) return kept;
    const name = this.#outputs[index].name;
    const type = dtypeName(code, `output '${name}'`);
    return (this.#outTypes[index] = { code, name, type, Arr: dtypeInfo(type).array });
  }

  // Per operator type timing over the runs between the two calls (the same idea as
  // onnxruntime's startProfiling / endProfiling, returned instead of written to a file):
  // [{ op: 'domain::op_type', ms, calls }], most expensive first. { byShape: true }: one
  // row per op and its input / output shapes ('Conv [1,3,8,8] [16,3,3,3] -> [1,16,8,8]').
  startProfiling({ byShape = false } = {}) { this.#alive().startProfiling(byShape); }
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
