// The embedded default model (models/tinylm: a tiny Llama-style LM trained on Jane Austen,
// q4 MatMulNBits, external data) through qwasm/llm only: text encoded with its Tokenizer,
// greedy tokens from loadCausalLM equal onnxruntime-node's (computed live here) and the
// committed onnxruntime run, and the runtime's own continuation decodes to English words.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadCausalLM, Tokenizer } from 'qwasm/llm';
import { opts } from './helpers.mjs';
import { ortGreedy } from './support/ort-greedy.mjs';

const dir = new URL('../../models/tinylm/', import.meta.url).pathname;
const MODEL = dir + 'model_q4.onnx';
const json = (name) => JSON.parse(readFileSync(dir + name, 'utf8'));
// expected_greedy.json: onnxruntime-node's greedy tokens for its prompt (tools/tinylm/generate_ort.mjs).
const expected = json('expected_greedy.json');
const config = json('config.json');
const tokenizer = Tokenizer.fromJSON(json('tokenizer.json'));
// The 2000 most frequent words of the training text (provenance in the file's header).
const austenWords = new Set(readFileSync(new URL('./austen-words.txt', import.meta.url), 'utf8')
  .split('\n').filter((l) => l && !l.startsWith('#')));
const STEPS = 32;

async function greedy(lm, prompt, n = STEPS) {
  const ids = [];
  for await (const id of lm.generate(prompt, { maxNewTokens: n })) ids.push(id);
  return ids;
}

// Whitespace-separated words, leading and trailing punctuation removed, empty ones dropped.
const words = (text) => text.split(/\s+/).map((w) => w.replace(/^[^A-Za-z]+|[^A-Za-z]+$/g, '')).filter(Boolean);

test('loads through qwasm/llm with the shape its config gives', async () => {
  const lm = await loadCausalLM(MODEL, opts());
  try {
    assert.equal(lm.numLayers, config.num_hidden_layers);
    assert.equal(tokenizer.vocabSize, config.vocab_size);
  } finally {
    lm.dispose();
  }
});

test(`greedy ${STEPS} tokens of an encoded prompt equal onnxruntime-node (live and committed); lastStats`, async () => {
  const prompt = tokenizer.encode(expected.prompt);
  const ort = await ortGreedy(MODEL, prompt, STEPS);
  const lm = await loadCausalLM(MODEL, opts());
  try {
    const got = await greedy(lm, prompt);
    assert.deepEqual(got, ort);
    // The committed run was made with the Python tokenizer: same ids, same tokens.
    assert.deepEqual(prompt, expected.prompt_ids);
    assert.deepEqual(got, expected.generated_ids);
    const s = lm.lastStats;
    assert.equal(s.promptTokens, prompt.length);
    assert.equal(s.generatedTokens, STEPS);
    assert.ok(s.prefillMs > 0 && Number.isFinite(s.prefillMs), `prefillMs ${s.prefillMs}`);
    assert.ok(s.decodeMs > 0 && Number.isFinite(s.decodeMs), `decodeMs ${s.decodeMs}`);
    assert.ok(s.tokensPerSecond > 0 && Number.isFinite(s.tokensPerSecond), `tokensPerSecond ${s.tokensPerSecond}`);
    // A second generate starts fresh (the KV cache of the first is not reused).
    assert.deepEqual(await greedy(lm, prompt, 8), ort.slice(0, 8));
  } finally {
    lm.dispose();
  }
});

test('a second, longer prompt: greedy tokens equal onnxruntime-node', async () => {
  const prompt = tokenizer.encode('"My dear Mr. Bennet," said his lady to him one day, "have you heard that Netherfield Park is let at last?"');
  assert.ok(prompt.length > 16, `prompt of ${prompt.length} tokens`);
  const want = await ortGreedy(MODEL, prompt, STEPS);
  const lm = await loadCausalLM(MODEL, opts());
  try {
    assert.deepEqual(await greedy(lm, prompt), want);
    assert.equal(lm.lastStats.promptTokens, prompt.length);
    assert.equal(lm.lastStats.generatedTokens, STEPS);
  } finally {
    lm.dispose();
  }
});

test("the runtime's greedy continuation, decoded (whole and streamed), reads as English", async () => {
  const text = 'Elizabeth was';
  const prompt = tokenizer.encode(text);
  const lm = await loadCausalLM(MODEL, opts());
  let ids;
  try {
    ids = await greedy(lm, prompt);
  } finally {
    lm.dispose();
  }
  const continuation = tokenizer.decode(ids);
  const stream = tokenizer.streamDecoder();
  assert.equal(ids.map((id) => stream.push(id)).join('') + stream.flush(), continuation);
  assert.equal(tokenizer.decode([...prompt, ...ids]), text + continuation);
  const ws = words(continuation);
  assert.ok(ws.length >= 10, `only ${ws.length} words in ${JSON.stringify(continuation)}`);
  const english = ws.filter((w) => /^[A-Za-z]+$/.test(w) && austenWords.has(w.toLowerCase()));
  assert.ok(english.length >= 0.8 * ws.length,
    `${english.length}/${ws.length} words are common training-text words: ${JSON.stringify(continuation)}`);
});
