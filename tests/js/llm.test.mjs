// qwasm/llm: greedy decoding equals onnxruntime-node's on generated decoders of
// both graph styles (optimum / onnxruntime-genai), and the sampling options behave.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
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

test('a model without decoder inputs is refused clearly', async () => {
  await assert.rejects(loadCausalLM(new URL('../data/add.onnx', import.meta.url).pathname, opts()), /no 'input_ids' input/);
});
