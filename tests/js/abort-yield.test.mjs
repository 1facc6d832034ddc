// generate() yields to the event loop between tokens (a timer heartbeat keeps ticking
// during a generation), and run() / generate() take an AbortSignal.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Tensor } from 'qwasm';
import { loadCausalLM } from 'qwasm/llm';
import { opts } from './helpers.mjs';

const model = new URL('../../models/tinylm/onnx/model_q4.onnx', import.meta.url).pathname;
// expected_greedy.json (onnxruntime-node): the prompt and its first greedy tokens.
const prompt = [1022, 364, 258, 1914, 471, 105, 1169, 555];
const greedy = [44, 282, 330, 341, 405, 258, 385, 487];
let lm;
before(async () => { lm = await loadCausalLM(model, opts()); });
after(() => lm.dispose());

test('a timer heartbeat ticks between the tokens of a generation', async () => {
  let ticks = 0;
  const beat = setInterval(() => { ticks++; }, 0);
  const ticksAt = [];
  try {
    for await (const id of lm.generate(prompt, { maxNewTokens: 48 })) ticksAt.push([id, ticks]);
  } finally {
    clearInterval(beat);
  }
  assert.deepEqual(ticksAt.slice(0, 8).map(([id]) => id), greedy);
  // Without yielding, a for-await over the generator runs on microtasks only and no timer
  // fires until it ends (ticks stay 0 throughout).
  const gaps = ticksAt.slice(1).filter(([, t], i) => t > ticksAt[i][1]).length;
  assert.ok(gaps >= (ticksAt.length - 1) / 2, `the heartbeat ran between ${gaps} of ${ticksAt.length - 1} token pairs`);
});

test('generate stops with the AbortError of a signal aborted by a timer mid-generation', async () => {
  const ac = new AbortController();
  const ids = [];
  const timer = setTimeout(() => ac.abort(), 30);
  await assert.rejects(async () => {
    for await (const id of lm.generate(prompt, { maxNewTokens: 200, signal: ac.signal })) ids.push(id);
  }, (e) => e === ac.signal.reason && e.name === 'AbortError');
  clearTimeout(timer);
  assert.ok(ids.length > 0 && ids.length < 200, `${ids.length} tokens before the abort`);
  assert.deepEqual(ids.slice(0, 8), greedy.slice(0, Math.min(8, ids.length)));
  // The LM is usable afterwards and starts from a clean KV cache.
  const again = [];
  for await (const id of lm.generate(prompt, { maxNewTokens: 8 })) again.push(id);
  assert.deepEqual(again, greedy);
});

test('an already aborted signal: generate throws its reason, run rejects, the session stays usable', async () => {
  const reason = new Error('user cancelled');
  const gen = lm.generate(prompt, { signal: AbortSignal.abort(reason) });
  await assert.rejects(gen.next(), (e) => e === reason);
  const s = lm.session;
  const feeds = {
    input_ids: new Tensor('int64', [1022n], [1, 1]),
    attention_mask: new Tensor('int64', [1n], [1, 1]),
    position_ids: new Tensor('int64', [0n], [1, 1]),
  };
  for (const n of s.inputNames.filter((n) => n.startsWith('past_key_values.'))) {
    feeds[n] = new Tensor('float32', new Float32Array(0), [1, 4, 0, 48]);
  }
  const aborted = AbortSignal.abort();
  await assert.rejects(s.run(feeds, { signal: aborted }), (e) => e === aborted.reason && e.name === 'AbortError');
  const { logits } = await s.run(feeds, { outputs: ['logits'] });
  assert.deepEqual(logits.dims, [1, 1, 2048]);
});
