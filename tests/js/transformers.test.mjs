// transformers.js (@huggingface/transformers, the real package) on qwasm through the
// documented hook, against the same transformers.js on onnxruntime-web in the same process
// (two instances of the module: the hook is read when the module is evaluated). onnxruntime-web
// is the reference rather than onnxruntime-node because its int8 GEMM is exact on every CPU.
// Models: generated Hugging Face folders (tools/models/make_hf_models.py), offline.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import * as ortweb from 'onnxruntime-web';
import * as ort from 'qwasm/ort';
import { hfModels } from './support/hf-models.mjs';
import { SIMD, THREADS } from './helpers.mjs';
import { countingHook } from './support/counting-hook.mjs';

const HOOK = Symbol.for('onnxruntime');
ortweb.env.wasm.numThreads = 1;
ortweb.env.wasm.wasmPaths = new URL('../../node_modules/onnxruntime-web/dist/', import.meta.url).href;
ort.env.wasm.simd = SIMD;
ort.env.wasm.numThreads = THREADS;

// Every session transformers.js creates through qwasm, by input names.
const { hook: qwasmHook, created } = countingHook(ort);

const spec = import.meta.resolve('@huggingface/transformers');
globalThis[HOOK] = ortweb;
const ref = await import(`${spec}?runtime=onnxruntime-web`);
globalThis[HOOK] = qwasmHook;
const qw = await import(`${spec}?runtime=qwasm`);
delete globalThis[HOOK];
for (const t of [ref, qw]) {
  t.env.allowRemoteModels = false;
  t.env.localModelPath = hfModels() + '/';
}

const maxDiff = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
const SENTENCES = ['the house was quiet', 'she said nothing at all to her sister', 'mr darcy walked in'];

// pipeline(task, model, options) in both instances
async function both(task, model, options) {
  return Promise.all([ref, qw].map((t) => t.pipeline(task, model, { device: 'auto', ...options })));
}

for (const [dtype, tol] of [['fp32', 1e-4], ['q8', 1e-3]]) {
  test(`feature-extraction (mean pooling, normalized), ${dtype}: equals onnxruntime-web within ${tol}`, async () => {
    const [r, q] = await both('feature-extraction', 'bert-tiny', { dtype });
    const opts = { pooling: 'mean', normalize: true };
    const want = await r(SENTENCES, opts);
    const got = await q(SENTENCES, opts);
    assert.deepEqual(got.dims, [3, 64]);
    const d = maxDiff(Array.from(got.data), Array.from(want.data));
    assert.ok(d <= tol, `max |qwasm - onnxruntime-web| = ${d}`);
    await Promise.all([r.dispose(), q.dispose()]);
  });

  test(`text-classification, ${dtype}: same labels, scores within ${tol}`, async () => {
    const [r, q] = await both('text-classification', 'bert-tiny-cls', { dtype });
    const want = await r(SENTENCES, { top_k: 2 });
    const got = await q(SENTENCES, { top_k: 2 });
    assert.equal(got.length, SENTENCES.length);
    got.forEach((g, i) => {
      assert.deepEqual(g.map((x) => x.label), want[i].map((x) => x.label));
      const d = maxDiff(g.map((x) => x.score), want[i].map((x) => x.score));
      assert.ok(d <= tol, `sentence ${i}: max score difference ${d}`);
    });
    await Promise.all([r.dispose(), q.dispose()]);
  });
}

test('text-generation (Llama-style q4 decoder with past_key_values): greedy text identical', async () => {
  const [r, q] = await both('text-generation', 'llama-tiny', { dtype: 'q4' });
  for (const prompt of ['she said that', 'it is a truth universally']) {
    const want = await r(prompt, { max_new_tokens: 16, do_sample: false });
    const got = await q(prompt, { max_new_tokens: 16, do_sample: false });
    assert.equal(got[0].generated_text, want[0].generated_text);
    assert.ok(got[0].generated_text.split(' ').length > prompt.split(' ').length, got[0].generated_text);
  }
  await Promise.all([r.dispose(), q.dispose()]);
});

// The q4f16 form (float16 throughout, a float16 KV cache that transformers.js allocates from the
// session's inputMetadata, GroupQueryAttention, RotaryEmbedding, (Skip)SimplifiedLayerNormalization,
// MatMulNBits with float16 scales): the same greedy text as onnxruntime-web.
test('text-generation q4f16 (float16 decoder with a float16 KV cache): greedy text identical', async () => {
  const [r, q] = await both('text-generation', 'llama-tiny', { dtype: 'q4f16' });
  for (const prompt of ['she said that', 'it is a truth universally']) {
    const want = await r(prompt, { max_new_tokens: 16, do_sample: false });
    const got = await q(prompt, { max_new_tokens: 16, do_sample: false });
    assert.equal(got[0].generated_text, want[0].generated_text);
    assert.ok(got[0].generated_text.split(' ').length > prompt.split(' ').length, got[0].generated_text);
  }
  await Promise.all([r.dispose(), q.dispose()]);
});

test('text-generation sampled (top_k): runs on qwasm, with transformers.js\'s own TopK session built through qwasm', async () => {
  const q = await qw.pipeline('text-generation', 'llama-tiny', { device: 'auto', dtype: 'q4' });
  const out = await q('she said that', { max_new_tokens: 8, do_sample: true, top_k: 5, temperature: 0.8 });
  assert.match(out[0].generated_text, /^she said that \S/);
  assert.ok(out[0].generated_text.split(' ').length > 3, out[0].generated_text);
  // transformers.js caches its TopK op session per module instance (text-classification may
  // have built it already): one session with the op's inputs x and k went through the hook.
  assert.ok(created.some((names) => names.length === 2 && names[0] === 'x' && names[1] === 'k'),
    `sessions created through qwasm: ${JSON.stringify(created)}`);
  await q.dispose();
});

// The reference here is the committed onnxruntime run (models/tinylm/expected_greedy.json):
// onnxruntime-web in Node cannot read external data by path, which is what transformers.js passes.
test("pipeline('text-generation', 'tinylm') writes the committed Jane Austen continuation through qwasm", async () => {
  const expected = JSON.parse(readFileSync(new URL('../../models/tinylm/expected_greedy.json', import.meta.url), 'utf8'));
  const models = fileURLToPath(new URL('../../models/', import.meta.url));
  const saved = qw.env.localModelPath;
  qw.env.localModelPath = models;
  try {
    const q = await qw.pipeline('text-generation', 'tinylm', { device: 'auto', dtype: 'q4' });
    const got = await q(expected.prompt, { max_new_tokens: expected.generated_ids.length, do_sample: false });
    assert.equal(got[0].generated_text, expected.text);
    await q.dispose();
  } finally {
    qw.env.localModelPath = saved;
  }
});
