// The embedded default model (models/tinylm: a tiny Llama-style LM trained on Jane Austen,
// q4 MatMulNBits, external data): qwasm/llm's greedy tokens equal onnxruntime-node's, computed
// live here, and the committed ones; the demo tokenizer decodes them to English words.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadCausalLM } from '../../js/llm.js';
import { ortGreedy } from '../../tools/ort-greedy.mjs';
import { Tokenizer } from '../../web-demo/tokenizer.js';
import { opts } from './helpers.mjs';

const dir = new URL('../../models/tinylm/', import.meta.url).pathname;
const MODEL = dir + 'model_q4.onnx';
const expected = JSON.parse(readFileSync(dir + 'expected_greedy.json', 'utf8'));
const config = JSON.parse(readFileSync(dir + 'config.json', 'utf8'));
const tokenizer = Tokenizer.fromJSON(JSON.parse(readFileSync(dir + 'tokenizer.json', 'utf8')));
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

test('tokenizer and config agree with the committed prompt', () => {
  assert.equal(tokenizer.vocabSize, config.vocab_size);
  assert.deepEqual(tokenizer.encode(expected.prompt), expected.prompt_ids);
  assert.equal(expected.generated_ids.length, STEPS);
});

test(`greedy ${STEPS} tokens equal onnxruntime-node (live) and expected_greedy.json; lastStats`, async () => {
  const ort = await ortGreedy(MODEL, expected.prompt_ids, STEPS);
  assert.deepEqual(ort, expected.generated_ids, 'onnxruntime-node no longer gives the committed tokens');
  const lm = await loadCausalLM(MODEL, opts());
  try {
    const got = await greedy(lm, expected.prompt_ids);
    assert.deepEqual(got, ort);
    const s = lm.lastStats;
    assert.equal(s.promptTokens, expected.prompt_ids.length);
    assert.equal(s.generatedTokens, STEPS);
    assert.ok(s.prefillMs > 0 && Number.isFinite(s.prefillMs), `prefillMs ${s.prefillMs}`);
    assert.ok(s.decodeMs > 0 && Number.isFinite(s.decodeMs), `decodeMs ${s.decodeMs}`);
    assert.ok(s.tokensPerSecond > 0 && Number.isFinite(s.tokensPerSecond), `tokensPerSecond ${s.tokensPerSecond}`);
    // A second generate starts fresh (the KV cache of the first is not reused).
    assert.deepEqual(await greedy(lm, expected.prompt_ids, 8), ort.slice(0, 8));
  } finally {
    lm.dispose();
  }
});

test('a second, longer prompt: greedy tokens equal onnxruntime-node', async () => {
  const prompt = tokenizer.encode('"My dear Mr. Bennet," said his lady to him one day, "have you heard that Netherfield Park is let at last?"');
  assert.ok(prompt.length > 2 * expected.prompt_ids.length, `prompt of ${prompt.length} tokens`);
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

test('the greedy continuation decodes to English words', () => {
  const text = tokenizer.decode(expected.generated_ids);
  assert.equal(tokenizer.decode([...expected.prompt_ids, ...expected.generated_ids]), expected.text);
  const ws = words(text);
  assert.ok(ws.length >= 10, `only ${ws.length} words in ${JSON.stringify(text)}`);
  const english = ws.filter((w) => /^[A-Za-z]+$/.test(w) && austenWords.has(w.toLowerCase()));
  assert.ok(english.length >= 0.8 * ws.length,
    `${english.length}/${ws.length} words are common training-text words: ${JSON.stringify(text)}`);
});
