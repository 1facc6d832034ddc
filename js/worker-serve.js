// The runtime's side of worker mode ({ worker: true }): runs inside a dedicated Worker
// (worker.js) or a worker_thread (worker.node.js) and answers worker-client.js's calls.
// Messages: { call, op, args } in; { call, event } (progress, tokens) and
// { call, result } / { call, error } out. Outputs leave by transfer: each is copied out
// of wasm memory once, into a buffer of its own, and that buffer moves to the caller.
import { createSession, features, Tensor } from './index.js';
import { loadCausalLM } from './llm.js';

const plain = (t) => ({ type: t.type, data: t.data, dims: [...t.dims] });
const tensor = (t) => new Tensor(t.type, t.data, t.dims);

function describe(session) {
  return {
    inputMetadata: session.inputMetadata, outputMetadata: session.outputMetadata,
    variant: session.variant, threads: session.threads,
  };
}

export function serve(port) {
  const objects = new Map();  // id -> InferenceSession | CausalLM
  const aborts = new Map();   // call -> AbortController
  let nextId = 1;

  const sessionOf = (id) => {
    const o = objects.get(id);
    if (!o) throw new Error('session has been disposed');
    return o.session ?? o;
  };

  const ops = {
    async create({ kind, model, options }, call, emit, signal) {
      const opts = { ...options, signal };
      if (options.progress) opts.onProgress = (p) => emit({ progress: p });
      delete opts.progress;
      const obj = kind === 'lm' ? await loadCausalLM(model, opts) : await createSession(model, opts);
      const id = nextId++;
      objects.set(id, obj);
      const session = obj.session ?? obj;
      return { id, ...describe(session), numLayers: obj.numLayers, kvShapes: obj.kvShapes && [...obj.kvShapes] };
    },
    async run({ id, feeds, options }, call, emit, signal) {
      const ins = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, tensor(t)]));
      const outs = await sessionOf(id).run(ins, { ...options, signal });
      const result = Object.fromEntries(Object.entries(outs).map(([k, t]) => [k, plain(t)]));
      return { result, transfer: Object.values(result).map((t) => t.data.buffer) };
    },
    async generate({ id, promptIds, options }, call, emit, signal) {
      const lm = objects.get(id);
      if (!lm?.generate) throw new Error('session has been disposed');
      for await (const token of lm.generate(promptIds, { ...options, signal })) emit({ token });
      return lm.lastStats;
    },
    // qwasm/quantize with { worker: true }: the quantizer's module loads here on first use;
    // the model and external files it returns leave by transfer.
    async quantize({ model, options }, call, emit, signal) {
      const { quantize } = await import('./quantize.js');
      const opts = { ...options, signal };
      if (options.progress) opts.onProgress = (p) => emit({ progress: p });
      delete opts.progress;
      // Calibration feeds stay plain { type, data, dims }: quantize() checks them itself and
      // names the feed and input that is wrong, as in-process.
      const r = await quantize(model, opts);
      return { result: r, transfer: [r.model.buffer, ...(r.externalData ?? []).map((e) => e.data.buffer)] };
    },
    startProfiling: ({ id }) => sessionOf(id).startProfiling(),
    endProfiling: ({ id }) => sessionOf(id).endProfiling(),
    features: ({ options }) => features(options),
    dispose({ id }) {
      objects.get(id)?.dispose();
      objects.delete(id);
      return { live: objects.size };
    },
  };

  port.onMessage(async ({ call, op, args }) => {
    if (op === 'abort') {
      aborts.get(args.call)?.abort();
      return;
    }
    const ac = new AbortController();
    aborts.set(call, ac);
    const emit = (event) => port.post({ call, event });
    try {
      let r = await ops[op](args, call, emit, ac.signal);
      let transfer = [];
      if (op === 'run' || op === 'quantize') ({ result: r, transfer } = r);
      port.post({ call, result: r }, transfer);
    } catch (e) {
      port.post({ call, error: { name: e?.name ?? 'Error', message: e?.message ?? String(e) } });
    } finally {
      aborts.delete(call);
    }
  });
}
