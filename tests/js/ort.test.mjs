// qwasm/ort, the onnxruntime-web-shaped namespace: sessions answer like onnxruntime-web's
// (names, metadata, outputs) on the same generated models, and bad feeds are clear Errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ortweb from 'onnxruntime-web';
import * as common from 'onnxruntime-common';
import * as ort from 'qwasm/ort';
import { hfModels } from './support/hf-models.mjs';
import { SIMD, THREADS } from './helpers.mjs';

ortweb.env.wasm.numThreads = 1;
const models = hfModels();
const llama = `${models}/llama-tiny/onnx/model_q4.onnx`;
const bert = `${models}/bert-tiny/onnx/model.onnx`;
const create = (m, o = {}) => ort.InferenceSession.create(m, { simd: SIMD, threads: THREADS, ...o });

function bertFeeds(T, seq = 5) {
  const ids = BigInt64Array.from({ length: seq }, (_, i) => BigInt(5 + 7 * i));
  return {
    input_ids: new T('int64', ids, [1, seq]),
    attention_mask: new T('int64', new BigInt64Array(seq).fill(1n), [1, seq]),
    token_type_ids: new T('int64', new BigInt64Array(seq), [1, seq]),
  };
}

test('ort.Tensor is onnxruntime-common\'s class', () => {
  assert.equal(ort.Tensor, common.Tensor);
  assert.equal(typeof ort.env.wasm, 'object');
});

test('names and metadata equal onnxruntime-web\'s', async () => {
  for (const m of [llama, bert]) {
    const [q, w] = await Promise.all([create(m), ortweb.InferenceSession.create(m)]);
    assert.deepEqual(q.inputNames, w.inputNames);
    assert.deepEqual(q.outputNames, w.outputNames);
    assert.deepEqual(q.inputMetadata, w.inputMetadata);
    assert.deepEqual(q.outputMetadata, w.outputMetadata);
    await q.release();
    await w.release();
  }
});

test('run: outputs are ort Tensors equal to onnxruntime-web\'s; fetches select outputs', async () => {
  const [q, w] = await Promise.all([create(bert), ortweb.InferenceSession.create(bert)]);
  const feeds = bertFeeds(ortweb.Tensor);  // another copy of onnxruntime-common's Tensor is a valid feed
  const got = await q.run(feeds);
  const want = await w.run(feeds);
  const out = got.last_hidden_state;
  assert.ok(out instanceof ort.Tensor);
  assert.equal(out.location, 'cpu');
  assert.equal(out.type, 'float32');
  assert.deepEqual(out.dims, want.last_hidden_state.dims);
  let worst = 0;
  for (let i = 0; i < out.size; ++i) worst = Math.max(worst, Math.abs(out.data[i] - want.last_hidden_state.data[i]));
  assert.ok(worst < 1e-4, `max |qwasm - onnxruntime-web| = ${worst}`);
  // outputs are copies: a later run does not change them
  const first = out.data[0];
  await q.run(bertFeeds(ort.Tensor, 9));
  assert.equal(out.data[0], first);
  assert.deepEqual(Object.keys(await q.run(feeds, ['last_hidden_state'])), ['last_hidden_state']);
  assert.deepEqual(Object.keys(await q.run(feeds, { last_hidden_state: null })), ['last_hidden_state']);
  assert.deepEqual(Object.keys(await q.run(feeds, { logSeverityLevel: 3 })), ['last_hidden_state']);
  await assert.rejects(q.run(feeds, ['nope']), /fetches: 'nope' is not an output/);
  out.dispose();
  await q.release();
  await w.release();
});

test('zero-size past_key_values feeds (first decoder step) match onnxruntime-web', async () => {
  const [q, w] = await Promise.all([create(llama), ortweb.InferenceSession.create(llama)]);
  const seq = 4;
  const feeds = {
    input_ids: new ort.Tensor('int64', BigInt64Array.from([1n, 20n, 30n, 40n]), [1, seq]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(seq).fill(1n), [1, seq]),
    position_ids: new ort.Tensor('int64', BigInt64Array.from([0n, 1n, 2n, 3n]), [1, seq]),
  };
  for (const m of q.inputMetadata.filter((m) => m.name.startsWith('past_key_values'))) {
    feeds[m.name] = new ort.Tensor('float32', new Float32Array(0), [1, m.shape[1], 0, m.shape[3]]);
  }
  const got = await q.run(feeds);
  const want = await w.run(feeds);
  assert.deepEqual(got['present.1.value'].dims, [1, 2, seq, 16]);
  // accuracy_level 4 lets MatMulNBits quantize its activations to int8, which qwasm does and
  // onnxruntime-web's wasm build does not: logits agree to 2% of their range, argmax exactly.
  let worst = 0, range = 0;
  for (let i = 0; i < got.logits.size; ++i) {
    worst = Math.max(worst, Math.abs(got.logits.data[i] - want.logits.data[i]));
    range = Math.max(range, Math.abs(want.logits.data[i]));
  }
  assert.ok(worst < 0.02 * range, `logits max |qwasm - onnxruntime-web| = ${worst} (range ${range})`);
  const vocab = got.logits.dims[2];
  const argmax = (d, p) => { let b = 0; for (let i = 1; i < vocab; ++i) if (d[p * vocab + i] > d[p * vocab + b]) b = i; return b; };
  for (let p = 0; p < seq; ++p) assert.equal(argmax(got.logits.data, p), argmax(want.logits.data, p), `position ${p}`);
  await q.release();
  await w.release();
});

test('bad feeds and options are clear Errors; the session stays usable', async () => {
  const q = await create(bert, { freeDimensionOverrides: { batch_size: 1 }, executionProviders: ['wasm'] });
  assert.deepEqual(q.inputMetadata[0].shape, [1, 'sequence_length']);
  const good = bertFeeds(ort.Tensor);
  await assert.rejects(q.run({ ...good, input_ids: new ort.Tensor('float32', new Float32Array(5), [1, 5]) }),
    /input_ids.*int64.*float32|input_ids.*expected int64/);
  await assert.rejects(q.run({ ...good, input_ids: { type: 'int64', dims: [1, 5] } }), /input 'input_ids'/);
  await assert.rejects(q.run({ ...good, input_ids: 42 }), /input 'input_ids': expected a Tensor/);
  await assert.rejects(q.run({ ...good, input_ids: { type: 'string', data: ['a'], dims: [1] } }), /'string' is not supported/);
  const two = bertFeeds(ort.Tensor);
  for (const k of Object.keys(two)) two[k] = new ort.Tensor('int64', new BigInt64Array(10), [2, 5]);
  await assert.rejects(q.run(two), /input 'input_ids': dimension 0 is 2 but the session fixes it to 1/);
  await assert.rejects(create(42), /expected a path, URL, ArrayBuffer or Uint8Array/);
  await assert.rejects(create(new Uint8Array([1, 2, 3])), /model/);
  await assert.rejects(create(bert, { freeDimensionOverrides: { batch_size: -1 } }), /non-negative integer/);
  const ok = await q.run(good);
  assert.deepEqual(ok.last_hidden_state.dims, [1, 5, 64]);
  await q.release();
});
