// qwasm/llm: causal-LM generation over a decoder that follows the optimum /
// transformers.js export convention (input_ids, attention_mask, optional
// position_ids, past_key_values.{i}.key/.value -> logits, present.{i}.key/.value)
// or onnxruntime-genai's (same names, no position_ids). The KV cache stays in
// wasm memory between steps; the prompt is prefilled in one run.
import { createSession, Tensor } from './index.js';
import { DTYPE_SUFFIX, isFolder, openFolder } from './model-folder.js';
import { abortError, nextTask } from './platform.js';
import { kCarry, kClearCarry, kLastPositionOutput } from './session.js';
import { generateText } from './generate-text.js';
import { rng } from './random.js';
import { createRemote } from './worker-client.js';

const PAST = /^past_key_values\.(\d+)\.(key|value)$/;

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
  #text = null;  // { tokenizer, chat, eos, defaults } when loaded from a model folder

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
  /** { encode(text), decode(ids) } when the model was loaded from a folder with tokenizer.json. */
  get tokenizer() { return this.#text?.tokenizer ?? null; }
  /** The heads / head_dim of the KV cache the graph declares, per past input name. */
  get kvShapes() { return new Map(this.#kv); }

  // Package-internal: attaches what a model folder provides (see loadCausalLM).
  attachText(text) { this.#text = text; }

  // Generates text from a prompt string, or from chat messages [{ role, content }] through the
  // folder's chat template. Yields text pieces as they complete (no character is split across
  // pieces); stops at the end-of-sequence ids of generation_config.json / config.json.
  generateText(prompt, options = {}) { return generateText(this, this.#text, prompt, options); }

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

// model: one ONNX file (any createSession source), or a Hugging Face model folder (URL, local
// path, or { 'config.json': ..., 'onnx/model_q4.onnx': ..., ... }) whose ONNX file options.dtype
// picks ('q4' by default; 'fp32', 'fp16', 'q8', 'q4f16', ... as transformers.js names them).
export async function loadCausalLM(model, options = {}) {
  if (!isFolder(model)) {
    return options.worker ? createRemote('lm', model, options) : fromSession(await createSession(model, lmSessionOptions(options)));
  }
  const folder = await openFolder(model, options.signal);
  const read = async (name, required) => {
    if (!(await folder.has(name))) {
      if (required) throw new Error(`loadCausalLM: ${folder.label} has no ${name}`);
      return {};
    }
    try {
      return await folder.json(name);
    } catch (e) {
      throw new Error(`loadCausalLM: ${name} in ${folder.label}: ${e.message}`);
    }
  };
  const config = await read('config.json', true);
  const [generation, tokenizerJson, tokenizerConfig] = await Promise.all([
    read('generation_config.json', false), read('tokenizer.json', true), read('tokenizer_config.json', false)]);
  const jsConfig = config['transformers.js_config'] ?? {};
  const dtype = options.dtype ?? (typeof jsConfig.dtype === 'string' ? jsConfig.dtype : 'q4');
  if (!(dtype in DTYPE_SUFFIX)) {
    throw new TypeError(`loadCausalLM: dtype '${dtype}' is not one of ${Object.keys(DTYPE_SUFFIX).join(', ')}`);
  }
  const file = `onnx/model${DTYPE_SUFFIX[dtype]}.onnx`;
  if (!(await folder.has(file))) throw new Error(`loadCausalLM: dtype '${dtype}' needs ${file}, which ${folder.label} does not have`);
  const { loadTokenizer, loadChatTemplate, textStream } = await import('./text.js');
  const [tokenizer, chat] = await Promise.all([loadTokenizer(tokenizerJson, tokenizerConfig), loadChatTemplate(tokenizerConfig)]);
  // Worker mode: the folder's JSON files and the tokenizer stay here, the ONNX file (and its
  // external data) loads in the worker.
  const sessionOptions = { ...options, externalData: options.externalData ?? folder.external(file) };
  let lm;
  try {
    lm = options.worker ? await createRemote('lm', folder.model(file), sessionOptions)
      : fromSession(await createSession(folder.model(file), lmSessionOptions(sessionOptions)));
  } catch (e) {
    if (/^model: HTTP 404/.test(e.message)) throw new Error(`loadCausalLM: dtype '${dtype}' needs ${file}, which ${folder.label} does not have`);
    throw e;
  }
  try {
    checkConfig(lm, config, file);
  } catch (e) {
    lm.dispose();
    throw e;
  }
  const eos = [generation.eos_token_id ?? config.eos_token_id].flat().filter((v) => Number.isInteger(v));
  const defaults = {};
  if (Number.isInteger(generation.max_new_tokens)) defaults.maxNewTokens = generation.max_new_tokens;
  if (generation.do_sample) {
    defaults.temperature = generation.temperature ?? 1;
    if (generation.top_k !== undefined) defaults.topK = generation.top_k;
    if (generation.top_p !== undefined) defaults.topP = generation.top_p;
  }
  lm.attachText({ tokenizer, chat, eos, defaults, textStream: () => textStream(tokenizer) });
  return lm;
}

// generate() reads the next token's logits only: unless options.allLogits, the LM head runs for
// the last position of each step (a prompt's other positions would cost about a quarter of a
// Qwen2.5-0.5B prefill), so session.run gives logits [batch, 1, vocab].
function lmSessionOptions(options) {
  return options.allLogits ? options : { ...options, [kLastPositionOutput]: 'logits' };
}

function fromSession(session) {
  try {
    return new CausalLM(session);
  } catch (e) {
    session.dispose();
    throw e;
  }
}

// config.json must describe the graph it ships with: a mismatch usually means a wrong file.
function checkConfig(lm, config, file) {
  const heads = config.num_attention_heads;
  const kvHeads = config.num_key_value_heads ?? heads;
  const headDim = config.head_dim ?? (config.hidden_size && heads ? config.hidden_size / heads : undefined);
  if (Number.isInteger(config.num_hidden_layers) && config.num_hidden_layers !== lm.numLayers) {
    throw new Error(`loadCausalLM: config.json says num_hidden_layers = ${config.num_hidden_layers} but ${file} has ${lm.numLayers} layers of past_key_values`);
  }
  for (const [name, kv] of lm.kvShapes) {
    if (kvHeads !== undefined && kv.heads !== kvHeads) {
      throw new Error(`loadCausalLM: config.json says num_key_value_heads = ${kvHeads} but ${file}'s ${name} has ${kv.heads} heads`);
    }
    if (headDim !== undefined && kv.headDim !== headDim) {
      throw new Error(`loadCausalLM: config.json says head_dim = ${headDim} but ${file}'s ${name} has head_dim ${kv.headDim}`);
    }
  }
}
