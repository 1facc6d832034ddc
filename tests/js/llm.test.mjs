// qwasm/llm: greedy decoding equals onnxruntime-node's on generated decoders of
// both graph styles (optimum / onnxruntime-genai), and the sampling options behave.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import ort from 'onnxruntime-node';
import { Tensor } from 'qwasm';
import { loadCausalLM, sampleToken } from 'qwasm/llm';
import { ortGreedy } from './support/ort-greedy.mjs';
import { opts } from './helpers.mjs';

const dir = mkdtempSync(join(tmpdir(), 'qwasm-llm-'));
const generator = new URL('../../tools/models/make_decoder.py', import.meta.url).pathname;
function makeDecoder(name, args) {
  const out = join(dir, name);
  execFileSync('/usr/bin/python3', [generator, out, ...args], { stdio: 'pipe' });
  return out;
}

const PROMPT = [3, 17, 42, 99, 7, 250, 1];
const STYLES = {
  'optimum': ['--style', 'optimum'],
  'genai (GroupQueryAttention with rotary)': ['--style', 'genai'],
  'genai (RotaryEmbedding + GroupQueryAttention), external data': ['--style', 'genai', '--separate-rotary', '--external'],
  'optimum, accuracy level 0, symmetric': ['--style', 'optimum', '--accuracy-level', '0', '--symmetric'],
};

for (const [label, args] of Object.entries(STYLES)) {
  test(`greedy 32 tokens equal onnxruntime-node: ${label}`, async () => {
    const model = makeDecoder(`${label.replace(/\W+/g, '_')}.onnx`, args);
    const expected = await ortGreedy(model, PROMPT, 32);
    const lm = await loadCausalLM(model, opts());
    const got = [];
    for await (const id of lm.generate(PROMPT, { maxNewTokens: 32 })) got.push(id);
    assert.deepEqual(got, expected);
    assert.equal(lm.lastStats.promptTokens, PROMPT.length);
    assert.equal(lm.lastStats.generatedTokens, 32);
    assert.ok(lm.lastStats.tokensPerSecond > 0);
    lm.dispose();
  });
}

test('stop ids end generation; a second generate starts fresh', async () => {
  const lm = await loadCausalLM(makeDecoder('stop.onnx', ['--style', 'optimum']), opts());
  const first = [];
  for await (const id of lm.generate(PROMPT, { maxNewTokens: 8 })) first.push(id);
  const stopped = [];
  for await (const id of lm.generate(PROMPT, { maxNewTokens: 8, stopIds: [first[2]] })) stopped.push(id);
  assert.deepEqual(stopped, first.slice(0, 3));
  lm.dispose();
});

test('seeded sampling is reproducible; top-k 1 is greedy', () => {
  const logits = Float32Array.from([0.1, 2.0, 1.9, -1, 0.5]);
  const rnd = (seed) => { let s = seed; return () => ((s = (s * 16807) % 2147483647) / 2147483647); };
  assert.equal(sampleToken(logits, { temperature: 0 }, rnd(1)), 1);
  assert.equal(sampleToken(logits, { temperature: 1, topK: 1 }, rnd(1)), 1);
  const draws = (seed, n, o) => {
    const r = rnd(seed);
    return Array.from({ length: n }, () => sampleToken(logits, { temperature: 1, ...o }, r));
  };
  assert.deepEqual(draws(7, 20, { topP: 0.9 }), draws(7, 20, { topP: 0.9 }));
  assert.ok(new Set(draws(7, 200, {})).size > 2, 'temperature 1 without filters samples widely');
  // top-p 0.5 keeps only the two most likely tokens (their softmax mass is ~0.8).
  const kept = new Set(draws(3, 200, { topP: 0.5 }));
  assert.ok([...kept].every((id) => id === 1 || id === 2), `kept ${[...kept]}`);
});

// The prompt's feeds (empty past) for implementation T's Tensor class.
function promptFeeds(T, lm) {
  const n = PROMPT.length;
  const feeds = {
    input_ids: new T('int64', BigInt64Array.from(PROMPT, BigInt), [1, n]),
    attention_mask: new T('int64', new BigInt64Array(n).fill(1n), [1, n]),
    position_ids: new T('int64', BigInt64Array.from(PROMPT, (_, i) => BigInt(i)), [1, n]),
  };
  for (const [name, { heads, headDim }] of lm.kvShapes) feeds[name] = new T('float32', new Float32Array(0), [1, heads, 0, headDim]);
  return feeds;
}

test('the LM head runs for the last position only unless allLogits: the bits of the full run\'s last row', async () => {
  const model = makeDecoder('last_position.onnx', ['--style', 'optimum']);
  const last = await loadCausalLM(model, opts());
  const all = await loadCausalLM(model, opts({ allLogits: true }));
  const a = (await last.session.run(promptFeeds(Tensor, last), { outputs: ['logits'] })).logits;
  const b = (await all.session.run(promptFeeds(Tensor, all), { outputs: ['logits'] })).logits;
  const n = PROMPT.length, vocab = 256;
  assert.deepEqual(a.dims, [1, 1, vocab]);
  assert.deepEqual(b.dims, [1, n, vocab]);
  assert.deepEqual(Array.from(a.data), Array.from(b.data.subarray((n - 1) * vocab)));
  // onnxruntime-node's last row (the full graph): the same logits up to the int8 A quantization.
  const s = await ort.InferenceSession.create(model);
  const want = (await s.run(promptFeeds(ort.Tensor, last))).logits.data.subarray((n - 1) * vocab);
  await s.release();
  let worst = 0, scale = 0;
  for (let i = 0; i < vocab; i++) worst = Math.max(worst, Math.abs(a.data[i] - want[i])), scale = Math.max(scale, Math.abs(want[i]));
  assert.ok(worst <= 1e-3 * scale, `largest difference ${worst} for logits up to ${scale}`);
  last.dispose();
  all.dispose();
});

test('a model without decoder inputs is refused clearly', async () => {
  await assert.rejects(loadCausalLM(new URL('../data/add.onnx', import.meta.url).pathname, opts()), /no 'input_ids' input/);
});
