// qwasm/llm: causal-LM generation over a decoder that follows the optimum /
// transformers.js export convention (input_ids, attention_mask, optional
// position_ids, past_key_values.{i}.key/.value -> logits, present.{i}.key/.value)
// or onnxruntime-genai's (same names, no position_ids). The KV cache stays in
// wasm memory between steps; the prompt is prefilled in one run.
import { createSession, Tensor } from './index.js';
import { abortError, nextTask } from './platform.js';
import { kCarry, kClearCarry } from './session.js';
import { createRemote } from './worker-client.js';

export { Tokenizer } from './tokenizer.js';

const PAST = /^past_key_values\.(\d+)\.(key|value)$/;

// mulberry32: small, fast, seedable.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function sampleToken(logits, { temperature = 0, topK = 0, topP = 1 }, random) {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  if (!(temperature > 0)) return best;
  let ids = Array.from(logits.keys());
  if (topK > 0 && topK < ids.length) ids = ids.sort((x, y) => logits[y] - logits[x]).slice(0, topK);
  else ids.sort((x, y) => logits[y] - logits[x]);
  const max = logits[ids[0]];
  let probs = ids.map((i) => Math.exp((logits[i] - max) / temperature));
  const sum = probs.reduce((a, b) => a + b, 0);
  probs = probs.map((p) => p / sum);
  if (topP < 1) {
    let acc = 0, keep = 0;
    while (keep < probs.length && acc < topP) acc += probs[keep++];
    ids = ids.slice(0, Math.max(keep, 1));
    probs = probs.slice(0, ids.length);
    const s = probs.reduce((a, b) => a + b, 0);
    probs = probs.map((p) => p / s);
  }
  let r = random();
  for (let i = 0; i < ids.length; i++) {
    r -= probs[i];
    if (r <= 0) return ids[i];
  }
  return ids[ids.length - 1];
}

class CausalLM {
  #session;
  #layers;
  #kv;  // { type, heads, headDim } per past input name

  constructor(session) {
    this.#session = session;
    const meta = new Map(session.inputMetadata.map((m) => [m.name, m]));
    for (const need of ['input_ids', 'attention_mask']) {
      if (!meta.has(need)) throw new Error(`loadCausalLM: the model has no '${need}' input (inputs: ${session.inputNames.join(', ')})`);
    }
    if (!session.outputNames.includes('logits')) throw new Error("loadCausalLM: the model has no 'logits' output");
    this.#kv = new Map();
    const pairs = [];
    for (const m of session.inputMetadata) {
      const k = PAST.exec(m.name);
      if (!k) continue;
      const [, layer, kind] = k;
      const out = `present.${layer}.${kind}`;
      if (!session.outputNames.includes(out)) throw new Error(`loadCausalLM: input '${m.name}' has no matching output '${out}'`);
      const dims = m.dims ?? [];
      if (dims.length !== 4 || typeof dims[1] !== 'number' || typeof dims[3] !== 'number') {
        throw new Error(`loadCausalLM: input '${m.name}' needs dims [batch, heads, past, head_dim] with fixed heads and head_dim, got [${dims}]`);
      }
      this.#kv.set(m.name, { type: m.type, heads: dims[1], headDim: dims[3] });
      pairs.push([out, m.name]);
    }
    this.#layers = pairs.length / 2;
    this.hasPositionIds = meta.has('position_ids');
    session[kCarry](pairs);
    this.lastStats = null;
  }

  get session() { return this.#session; }
  get numLayers() { return this.#layers; }

  #emptyPast() {
    const feeds = {};
    for (const [name, { type, heads, headDim }] of this.#kv) {
      const Arr = type === 'float16' ? Uint16Array : Float32Array;
      feeds[name] = new Tensor(type, new Arr(0), [1, heads, 0, headDim]);
    }
    return feeds;
  }

  async #step(ids, past) {
    const n = ids.length;
    const feeds = {
      input_ids: new Tensor('int64', BigInt64Array.from(ids, (v) => BigInt(v)), [1, n]),
      attention_mask: new Tensor('int64', new BigInt64Array(past + n).fill(1n), [1, past + n]),
    };
    if (this.hasPositionIds) {
      feeds.position_ids = new Tensor('int64', BigInt64Array.from({ length: n }, (_, i) => BigInt(past + i)), [1, n]);
    }
    if (past === 0) Object.assign(feeds, this.#emptyPast());
    const { logits } = await this.#session.run(feeds, { outputs: ['logits'] });
    const vocab = logits.dims[logits.dims.length - 1];
    return logits.data.subarray(logits.data.length - vocab);  // last position only
  }

  // Yields generated token ids one at a time.
  async *generate(promptIds, options = {}) {
    const { maxNewTokens = 32, temperature = 0, topK = 0, topP = 1, seed = 0, stopIds = [], signal } = options;
    if (signal?.aborted) throw abortError(signal, 'generate');
    if (!Array.isArray(promptIds) && !ArrayBuffer.isView(promptIds)) throw new TypeError('generate: promptIds must be an array of token ids');
    if (promptIds.length === 0) throw new Error('generate: promptIds is empty');
    const ids = Array.from(promptIds, Number);
    const random = rng(seed);
    const stop = new Set(stopIds);
    this.#session[kClearCarry]();
    const stats = { promptTokens: ids.length, generatedTokens: 0, prefillMs: 0, decodeMs: 0, tokensPerSecond: 0 };
    this.lastStats = stats;
    let t = performance.now();
    let logits = await this.#step(ids, 0);
    stats.prefillMs = performance.now() - t;
    let past = ids.length;
    try {
      for (let i = 0; i < maxNewTokens; i++) {
        const next = sampleToken(logits, { temperature, topK, topP }, random);
        stats.generatedTokens++;
        yield next;
        if (stop.has(next) || i + 1 === maxNewTokens) break;
        // Timers, I/O, input and frames get their turn between tokens (and may abort).
        await nextTask();
        if (signal?.aborted) throw abortError(signal, 'generate');
        t = performance.now();
        logits = await this.#step([next], past);
        stats.decodeMs += performance.now() - t;
        past += 1;
        // Decode speed: one token per decode step (the first token came from prefill).
        stats.tokensPerSecond = (stats.generatedTokens) / (stats.decodeMs / 1000);
      }
    } finally {
      this.#session[kClearCarry]();
    }
  }

  dispose() { this.#session.dispose(); }
}

export async function loadCausalLM(model, options = {}) {
  if (options.worker) return createRemote('lm', model, options);
  const session = await createSession(model, options);
  try {
    return new CausalLM(session);
  } catch (e) {
    session.dispose();
    throw e;
  }
}
