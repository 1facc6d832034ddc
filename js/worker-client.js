// Worker mode ({ worker: true }): sessions whose runtime lives in one dedicated Worker
// (browsers) / worker_thread (Node), started on first use and terminated when its last
// session is disposed, so all its memory goes back to the system. The main thread only
// posts messages: feeds go as copies of the caller's arrays, outputs come back by
// transfer (worker-serve.js). Same API as InferenceSession / CausalLM.
import { abortError, platform } from './platform.js';
import { Tensor } from './tensor.js';
import { generateText } from './generate-text.js';

let shared = null;

// The worker and its calls in flight. In Node it is unref'd while nothing is in flight,
// so an idle worker never keeps the app's process alive.
function worker() {
  if (shared) return shared;
  const port = platform().startWorker();
  const state = { port, calls: new Map(), next: 1, live: 0, dead: null };
  const failAll = (err) => {
    state.dead = err;
    for (const c of state.calls.values()) c.reject(err);
    state.calls.clear();
    if (shared === state) shared = null;
  };
  port.onMessage((msg) => {
    const c = state.calls.get(msg.call);
    if (!c) return;
    if (msg.event) return c.onEvent?.(msg.event);
    state.calls.delete(msg.call);
    if (state.calls.size === 0) port.unref();
    if (msg.error) {
      const e = new Error(msg.error.message);
      e.name = msg.error.name;
      c.reject(e);
    } else {
      c.resolve(msg.result);
    }
  });
  port.onError((err) => { failAll(err); port.terminate(); });
  port.unref();
  shared = state;
  return state;
}

function call(state, op, args, { onEvent, signal, transfer = [] } = {}) {
  if (state.dead) return Promise.reject(state.dead);
  if (signal?.aborted) return Promise.reject(abortError(signal, op));
  const id = state.next++;
  return new Promise((resolve, reject) => {
    const onAbort = () => state.port.post({ call: id, op: 'abort', args: { call: id } });
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = (f) => (v) => { signal?.removeEventListener('abort', onAbort); f(v); };
    state.calls.set(id, {
      resolve: done(resolve),
      // An aborted call rejects with the caller's own signal reason, as without a worker.
      reject: done((e) => reject(signal?.aborted && e?.name === 'AbortError' ? abortError(signal, op) : e)),
      onEvent,
    });
    if (state.calls.size === 1) state.port.ref();
    state.port.post({ call: id, op, args }, transfer);
  });
}

// A model source as the worker can receive it: relative URLs made absolute (the worker's
// base URL is not the page's), streams and Responses transferred, bytes copied.
function portable(src, transfer) {
  if (src instanceof URL) return src.href;
  if (typeof src === 'string') return platform().absolute(src);
  if (typeof Response === 'function' && src instanceof Response) {
    if (!src.ok) throw new Error(`model: HTTP ${src.status} ${src.statusText}`);
    transfer.push(src.body);
    return src.body;
  }
  if (src && typeof src.getReader === 'function') {
    transfer.push(src);
    return src;
  }
  return src;  // ArrayBuffer, typed array, Blob: structured clone
}

function portableOptions(options, transfer) {
  const { onProgress, signal, worker: _, externalData, wasmPaths, ...rest } = options;
  const out = { ...rest, progress: typeof onProgress === 'function' };
  if (externalData) out.externalData = externalData.map((e) => ({ path: e.path, data: portable(e.data, transfer) }));
  if (wasmPaths !== undefined) {
    out.wasmPaths = typeof wasmPaths === 'object' && !(wasmPaths instanceof URL)
      ? Object.fromEntries(Object.entries(wasmPaths).map(([k, v]) => [k, platform().absolute(String(v))]))
      : platform().absolute(String(wasmPaths));
  }
  return out;
}

class RemoteSession {
  #state;
  #id;
  #info;

  constructor(state, id, info) {
    this.#state = state;
    this.#id = id;
    this.#info = info;
    this.variant = info.variant;
    this.threads = info.threads;
  }

  get inputNames() { return this.#info.inputMetadata.map((v) => v.name); }
  get outputNames() { return this.#info.outputMetadata.map((v) => v.name); }
  get inputMetadata() { return this.#info.inputMetadata; }
  get outputMetadata() { return this.#info.outputMetadata; }

  #alive() {
    if (this.#id === null) throw new Error('session has been disposed');
    return this.#id;
  }

  async run(feeds, options = {}) {
    const id = this.#alive();
    if (!feeds || typeof feeds !== 'object') throw new TypeError('run(feeds): feeds must be an object of { name: Tensor }');
    const names = Array.isArray(options) ? options : options.outputs;
    const signal = Array.isArray(options) ? undefined : options.signal;
    const plain = {};
    for (const [name, t] of Object.entries(feeds)) {
      if (!t || typeof t.type !== 'string' || !t.data || !Array.isArray(t.dims)) throw new TypeError(`input '${name}': expected a Tensor`);
      plain[name] = { type: t.type, data: t.data, dims: [...t.dims] };
    }
    const outs = await call(this.#state, 'run', { id, feeds: plain, options: names ? { outputs: names } : {} }, { signal });
    return Object.fromEntries(Object.entries(outs).map(([k, t]) => [k, new Tensor(t.type, t.data, t.dims)]));
  }

  startProfiling() { return call(this.#state, 'startProfiling', { id: this.#alive() }); }
  endProfiling() { return call(this.#state, 'endProfiling', { id: this.#alive() }); }

  // Internal (RemoteLM): the worker-side id.
  get _id() { return this.#alive(); }

  // Frees the session in the worker; the last one's dispose terminates the worker.
  dispose() {
    if (this.#id === null) return;
    const id = this.#id;
    this.#id = null;
    const state = this.#state;
    state.live--;
    call(state, 'dispose', { id }).catch(() => {}).finally(() => {
      if (state.live === 0 && state.calls.size === 0) {
        state.port.terminate();
        if (shared === state) shared = null;
      }
    });
  }
}

class RemoteLM {
  #state;
  #session;

  constructor(state, session, info) {
    this.#state = state;
    this.#session = session;
    this.numLayers = info.numLayers;
    this.kvShapes = new Map(info.kvShapes);
    this.lastStats = null;
  }

  #text = null;  // as CausalLM's: { tokenizer, chat, eos, defaults, textStream } for a model folder

  get session() { return this.#session; }
  get tokenizer() { return this.#text?.tokenizer ?? null; }

  // Package-internal (llm.js's loadCausalLM): what the model folder provides.
  attachText(text) { this.#text = text; }

  generateText(prompt, options = {}) { return generateText(this, this.#text, prompt, options); }

  // Tokens stream in as the worker makes them; leaving the loop early aborts the rest.
  async *generate(promptIds, options = {}) {
    if (!Array.isArray(promptIds) && !ArrayBuffer.isView(promptIds)) throw new TypeError('generate: promptIds must be an array of token ids');
    const { signal, ...rest } = options;
    const queue = [];
    let wake = null;
    const local = new AbortController();
    const onAbort = () => local.abort(signal.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) local.abort(signal.reason);
    const done = call(this.#state, 'generate', { id: this.#session._id, promptIds: Array.from(promptIds, Number), options: rest }, {
      signal: local.signal,
      onEvent: (e) => { queue.push(e.token); wake?.(); },
    });
    let finished = false;
    const end = done.then((stats) => { this.lastStats = stats; }).finally(() => { finished = true; wake?.(); });
    end.catch(() => {});
    try {
      for (;;) {
        while (queue.length) {
          if (signal?.aborted) throw abortError(signal, 'generate');
          yield queue.shift();
        }
        if (finished) break;
        await new Promise((r) => { wake = r; });
        wake = null;
      }
      await end;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (!finished) {
        local.abort();
        await end.catch(() => {});
      }
    }
  }

  dispose() { this.#session.dispose(); }
}

export async function createRemote(kind, model, options) {
  const state = worker();
  const transfer = [];
  const args = { kind, model: portable(model, transfer), options: portableOptions(options, transfer) };
  state.live++;
  let info;
  try {
    info = await call(state, 'create', args, {
      signal: options.signal, transfer,
      onEvent: (e) => e.progress && options.onProgress?.(e.progress),
    });
  } catch (e) {
    state.live--;
    if (state.live === 0 && state.calls.size === 0 && !state.dead) {
      state.port.terminate();
      if (shared === state) shared = null;
    }
    throw e;
  }
  const session = new RemoteSession(state, info.id, info);
  return kind === 'lm' ? new RemoteLM(state, session, info) : session;
}

// A feed for the worker: plain { type, data, dims } (typed arrays are copied by the post).
function plainFeed(feed, k) {
  if (!feed || typeof feed !== 'object') throw new TypeError(`quantize: calibration feed ${k} must be an object { inputName: Tensor }`);
  return Object.fromEntries(Object.entries(feed).map(([name, t]) => {
    if (!t || typeof t.type !== 'string' || !t.data || !Array.isArray(t.dims)) throw new TypeError(`quantize: calibration feed ${k}, input '${name}': expected a Tensor`);
    return [name, { type: t.type, data: t.data, dims: [...t.dims] }];
  }));
}

// qwasm/quantize with { worker: true }: the same quantize() in the shared worker, so a page
// stays responsive while it runs. Calibration feeds are read here first (an async iterable
// is drained into an array: the worker needs them as one message); the worker ends with the
// call when no session lives in it.
export async function quantizeRemote(source, options) {
  const state = worker();
  const transfer = [];
  const { calibration, ...rest } = options;
  const opts = portableOptions(rest, transfer);
  if (calibration) {
    opts.calibration = { ...calibration };
    if (calibration.data != null) {
      const feeds = [];
      for await (const feed of calibration.data) feeds.push(plainFeed(feed, feeds.length));
      opts.calibration.data = feeds;
    }
  }
  // The quantizer's C++ run cannot look at messages, so an abort rejects here at once and,
  // when nothing else lives in the worker, ends the worker: the work really stops.
  const { signal } = options;
  let onAbort;
  const aborted = new Promise((_, reject) => {
    onAbort = () => reject(abortError(signal, 'quantize'));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  state.live++;
  try {
    return await Promise.race([aborted, call(state, 'quantize', { model: portable(source, transfer), options: opts }, {
      signal, transfer,
      onEvent: (e) => e.progress && options.onProgress?.(e.progress),
    })]);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    state.live--;
    if (state.live === 0 && !state.dead && (state.calls.size === 0 || signal?.aborted)) {
      state.port.terminate();
      if (shared === state) shared = null;
    }
  }
}
