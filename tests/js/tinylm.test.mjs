// The embedded default model (models/tinylm: a tiny Llama-style LM trained on Jane Austen,
// q4 MatMulNBits, external data, in the Hugging Face folder layout) through qwasm/llm only:
// loaded as a folder, text encoded with lm.tokenizer, greedy tokens equal onnxruntime-node's
// (computed live here) and the committed onnxruntime run, and generateText writes English words.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadCausalLM } from 'qwasm/llm';
import { opts } from './helpers.mjs';
import { ortGreedy } from './support/ort-greedy.mjs';

const dir = new URL('../../models/tinylm/', import.meta.url).pathname;
const MODEL = dir + 'onnx/model_q4.onnx';
const json = (name) => JSON.parse(readFileSync(dir + name, 'utf8'));
// expected_greedy.json: onnxruntime-node's greedy tokens for its prompt (tools/tinylm/generate_ort.mjs).
const expected = json('expected_greedy.json');
const config = json('config.json');
const folderLM = await loadCausalLM(dir, opts());
const tokenizer = folderLM.tokenizer;
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
    assert.equal(lm.tokenizer, null);
    assert.equal(folderLM.numLayers, config.num_hidden_layers);
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

test("generateText on the folder: the greedy continuation streams as text and reads as English", async () => {
  const text = 'Elizabeth was';
  const pieces = [];
  for await (const piece of folderLM.generateText(text, { maxNewTokens: STEPS })) pieces.push(piece);
  const continuation = pieces.join('');
  const ids = await greedy(folderLM, tokenizer.encode(text));
  assert.equal(continuation, tokenizer.decode(ids));
  assert.equal(tokenizer.decode([...tokenizer.encode(text), ...ids]), text + continuation);
  assert.ok(pieces.length > 1 && pieces.every((p) => !p.includes('\uFFFD')), JSON.stringify(pieces));
  const ws = words(continuation);
  assert.ok(ws.length >= 10, `only ${ws.length} words in ${JSON.stringify(continuation)}`);
  const english = ws.filter((w) => /^[A-Za-z]+$/.test(w) && austenWords.has(w.toLowerCase()));
  assert.ok(english.length >= 0.8 * ws.length,
    `${english.length}/${ws.length} words are common training-text words: ${JSON.stringify(continuation)}`);
});

test('generateText: the committed greedy text; bad input and missing files are clear Errors', async () => {
  let got = '';
  for await (const p of folderLM.generateText(expected.prompt, { maxNewTokens: STEPS })) got += p;
  assert.equal(expected.prompt + got, expected.text);
  await assert.rejects(async () => { for await (const _ of folderLM.generateText(42)); }, /prompt string or an array/);
  await assert.rejects(async () => { for await (const _ of folderLM.generateText([{ role: 'user', content: 'hi' }])); },
    /chat_template/);
  await assert.rejects(loadCausalLM(dir, { ...opts(), dtype: 'q8' }), /dtype 'q8' needs onnx\/model_quantized.onnx/);
  await assert.rejects(loadCausalLM(dir, { ...opts(), dtype: 'q3' }), /dtype 'q3' is not one of/);
  const files = { 'config.json': json('config.json'), 'onnx/model_q4.onnx': readFileSync(MODEL) };
  await assert.rejects(loadCausalLM(files, opts()), /has no tokenizer.json/);
  const lm = await loadCausalLM(MODEL, opts());
  await assert.rejects(async () => { for await (const _ of lm.generateText('x')); }, /single ONNX file/);
  lm.dispose();
});

test('a map of files loads like the folder (external data from the map); config mismatches are refused', async () => {
  const names = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json',
    'onnx/model_q4.onnx', 'onnx/model_q4.onnx_data'];
  const files = Object.fromEntries(names.map((n) => [n, new Uint8Array(readFileSync(dir + n))]));
  const lm = await loadCausalLM(files, opts());
  const ids = tokenizer.encode(expected.prompt);
  assert.deepEqual(await greedy(lm, ids, 8), expected.generated_ids.slice(0, 8));
  lm.dispose();
  const bad = { ...files, 'config.json': JSON.stringify({ ...config, num_key_value_heads: 2 }) };
  await assert.rejects(loadCausalLM(bad, opts()), /num_key_value_heads = 2 but onnx\/model_q4.onnx's past_key_values.0.key has 4 heads/);
  const badDim = { ...files, 'config.json': JSON.stringify({ ...config, head_dim: 32 }) };
  await assert.rejects(loadCausalLM(badDim, opts()), /head_dim = 32/);
});

test('chat messages go through the chat template of tokenizer_config.json', async () => {
  const names = ['config.json', 'generation_config.json', 'tokenizer.json', 'onnx/model_q4.onnx', 'onnx/model_q4.onnx_data'];
  const files = Object.fromEntries(names.map((n) => [n, new Uint8Array(readFileSync(dir + n))]));
  files['tokenizer_config.json'] = JSON.stringify({ ...json('tokenizer_config.json'),
    chat_template: "{% for m in messages %}{{ m['role'] | upper }}: {{ m['content'] }}\n{% endfor %}{% if add_generation_prompt %}ASSISTANT:{% endif %}" });
  const lm = await loadCausalLM(files, opts());
  let chat = '';
  for await (const p of lm.generateText([{ role: 'user', content: 'Who is Mr. Darcy?' }], { maxNewTokens: 12 })) chat += p;
  let plain = '';
  for await (const p of lm.generateText('USER: Who is Mr. Darcy?\nASSISTANT:', { maxNewTokens: 12 })) plain += p;
  assert.equal(chat, plain);
  assert.ok(chat.length > 0);
  lm.dispose();
});

test.after(() => folderLM.dispose());
