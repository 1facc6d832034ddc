// options.threads: sessions on the threaded builds give bit-identical outputs to the
// single-threaded build (the operators split work into whole kernel tiles), on the q4
// MatMulNBits LM and a float model (the int8 turn_detector is compared in
// turn-detector.test.mjs, the splits themselves in tests/unit/thread_pool_test.cc); the thread count is
// reported and capped by the module's pool; bad values are clear errors; disposing
// threaded sessions returns the heap to where it was.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { _debugHeap, createSession, features, Tensor } from 'qwasm';
import { loadCausalLM } from 'qwasm/llm';
import { fixture, SIMD } from './helpers.mjs';

const LM = new URL('../../models/tinylm/onnx/model_q4.onnx', import.meta.url).pathname;
const PROMPT = [72, 101, 108, 108, 111, 44, 32, 77, 114, 46, 32, 68, 97, 114, 99, 121];

// Raw bytes of every output, for exact comparison.
const bytesOf = (outs) => Object.fromEntries(Object.entries(outs).map(([k, t]) =>
  [k, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('hex')]));

test('features() reports threads in Node', async () => {
  assert.equal((await features()).threads, true);
});

test('threads must be a positive integer', async () => {
  for (const bad of [0, -1, 1.5, '2', 1000]) {
    await assert.rejects(createSession(fixture('mlp.onnx'), { simd: SIMD, threads: bad }), /options\.threads must be an integer/);
  }
});

test('a session reports the threads it runs on, capped by the pool', async () => {
  const one = await createSession(fixture('mlp.onnx'), { simd: SIMD, threads: 1 });
  assert.equal(one.threads, 1);
  one.dispose();
  const many = await createSession(fixture('mlp.onnx'), { simd: SIMD, threads: 3 });
  assert.ok(many.threads >= 2 && many.threads <= 3, `threads ${many.threads}`);
  many.dispose();
});

test('q4 LM: logits and 24 greedy tokens are identical on 1, 2 and 3 threads', async () => {
  const runs = [];
  for (const threads of [1, 2, 3]) {
    const lm = await loadCausalLM(LM, { simd: SIMD, threads });
    try {
      const ids = [];
      for await (const id of lm.generate(PROMPT, { maxNewTokens: 24 })) ids.push(id);
      runs.push({ threads, ids });
    } finally {
      lm.dispose();
    }
  }
  for (const r of runs.slice(1)) assert.deepEqual(r.ids, runs[0].ids, `threads ${r.threads}`);

  // The raw logits of one prefill, byte for byte (MatMulNBits, f32 MatMul, attention).
  const s1 = await createSession(LM, { simd: SIMD, threads: 1 });
  const s2 = await createSession(LM, { simd: SIMD, threads: 2 });
  try {
    assert.equal(s2.threads, 2);
    const feeds = {};
    const T = PROMPT.length;
    for (const m of s1.inputMetadata) {
      if (m.name === 'input_ids') feeds[m.name] = new Tensor('int64', BigInt64Array.from(PROMPT, BigInt), [1, T]);
      else if (m.name === 'attention_mask') feeds[m.name] = new Tensor('int64', new BigInt64Array(T).fill(1n), [1, T]);
      else if (m.name === 'position_ids') feeds[m.name] = new Tensor('int64', BigInt64Array.from(PROMPT.keys(), BigInt), [1, T]);
      else {
        const dims = m.dims.map((d) => (typeof d === 'number' ? d : d === null ? 0 : /batch/.test(d) ? 1 : 0));
        feeds[m.name] = new Tensor('float32', new Float32Array(0), dims);
      }
    }
    const a = bytesOf(await s1.run(feeds));
    const b = bytesOf(await s2.run(feeds));
    assert.ok(Object.keys(a).length > 0);
    assert.deepEqual(b, a);
  } finally {
    s1.dispose();
    s2.dispose();
  }
});

test('float model: outputs identical on 1 and 2 threads', async () => {
  for (const name of ['mlp.onnx']) {
    const s1 = await createSession(fixture(name), { simd: SIMD, threads: 1 });
    const s2 = await createSession(fixture(name), { simd: SIMD, threads: 2 });
    try {
      const feeds = {};
      for (const m of s1.inputMetadata) {
        const dims = m.dims.map((d) => (typeof d === 'number' ? d : 64));
        const n = dims.reduce((x, y) => x * y, 1);
        feeds[m.name] = new Tensor('float32', Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37)), dims);
      }
      assert.deepEqual(bytesOf(await s2.run(feeds)), bytesOf(await s1.run(feeds)), name);
    } finally {
      s1.dispose();
      s2.dispose();
    }
  }
});

test('create/run/dispose threaded sessions does not grow the heap', async () => {
  const x = new Tensor('float32', new Float32Array(64 * 16).fill(0.25), [64, 16]);
  const cycle = async () => {
    const s = await createSession(fixture('mlp.onnx'), { simd: SIMD, threads: 2 });
    await s.run({ x });
    s.dispose();
  };
  for (let i = 0; i < 5; i++) await cycle();
  const before = await _debugHeap(SIMD, 2);
  for (let i = 0; i < 50; i++) await cycle();
  const after = await _debugHeap(SIMD, 2);
  assert.ok(after - before <= 1024, `heap grew by ${after - before} bytes over 50 threaded sessions`);
});
