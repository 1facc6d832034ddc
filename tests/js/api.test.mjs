// The pinned JS API: model kinds, run, metadata, Tensor, features.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSession, features, Tensor } from 'qwasm';
import { fixture, fixtureBytes, opts, SIMD } from './helpers.mjs';

const a = new Tensor('float32', Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
const b = new Tensor('float32', Float32Array.from([10, 20, 30, 40, 50, 60]), [2, 3]);
const sum = [11, 22, 33, 44, 55, 66];  // worked by hand

async function checkAdd(model) {
  const s = await createSession(model, opts());
  try {
    assert.deepEqual(s.inputNames, ['a', 'b']);
    assert.deepEqual(s.outputNames, ['y']);
    const { y } = await s.run({ a, b });
    assert.equal(y.type, 'float32');
    assert.deepEqual(y.dims, [2, 3]);
    assert.deepEqual(Array.from(y.data), sum);
  } finally {
    s.dispose();
  }
}

test('model from a file path', () => checkAdd(fixture('add.onnx')));
test('model from a file: URL', () => checkAdd(new URL('../data/add.onnx', import.meta.url).href));
test('model from an ArrayBuffer', () => checkAdd(fixtureBytes('add.onnx').slice().buffer));
test('model from a Uint8Array view with an offset', () => {
  const bytes = fixtureBytes('add.onnx');
  const padded = new Uint8Array(bytes.length + 7);
  padded.set(bytes, 7);
  return checkAdd(padded.subarray(7));
});
test('model from a Blob', () => checkAdd(new Blob([fixtureBytes('add.onnx')])));
test('model from a Response', () => checkAdd(new Response(fixtureBytes('add.onnx'))));
test('model from a ReadableStream in small pieces', () => {
  const bytes = fixtureBytes('add.onnx');
  let off = 0;
  const stream = new ReadableStream({
    pull(c) {
      if (off >= bytes.length) return c.close();
      c.enqueue(bytes.slice(off, off + 7));
      off += 7;
    },
  });
  return checkAdd(stream);
});

test('symbolic dims resolve per run', async () => {
  const s = await createSession(fixture('add.onnx'), opts());
  const one = new Tensor('float32', Float32Array.from([1, 2, 3]), [1, 3]);
  assert.deepEqual(Array.from((await s.run({ a: one, b: one })).y.data), [2, 4, 6]);
  assert.deepEqual(Array.from((await s.run({ a, b })).y.data), sum);
  s.dispose();
});

test('MLP outputs match the numpy reference', async () => {
  const ref = JSON.parse(new TextDecoder().decode(fixtureBytes('mlp.expected.json')));
  const s = await createSession(fixture('mlp.onnx'), opts());
  const out = await s.run({ x: new Tensor('float32', Float32Array.from(ref.x), ref.dims) });
  assert.deepEqual(Object.keys(out).sort(), ['logits', 'probs']);
  ref.probs.forEach((p, i) => assert.ok(Math.abs(out.probs.data[i] - p) < 1e-5, `probs[${i}]`));
  ref.logits.forEach((p, i) => assert.ok(Math.abs(out.logits.data[i] - p) < 1e-4, `logits[${i}]`));
  const only = await s.run({ x: new Tensor('float32', Float32Array.from(ref.x), ref.dims) }, { outputs: ['logits'] });
  assert.deepEqual(Object.keys(only), ['logits']);
  s.dispose();
});

test('external data resolved relative to the model path', async () => {
  const s = await createSession(fixture('external.onnx'), opts());
  const x = new Tensor('float32', new Float32Array(1024).fill(2), [1, 1024]);
  const { y } = await s.run({ x });
  for (let i = 0; i < 1024; i++) assert.equal(y.data[i], i * 0.5 * 2);
  s.dispose();
});

test('external data given in options.externalData', async () => {
  const s = await createSession(fixtureBytes('external.onnx'), opts({
    externalData: [{ path: 'external.weights.bin', data: fixtureBytes('external.weights.bin') }],
  }));
  const { y } = await s.run({ x: new Tensor('float32', new Float32Array(1024).fill(1), [1, 1024]) });
  assert.equal(y.data[1023], 1023 * 0.5);
  s.dispose();
});

test('onProgress reports download and prepare phases', async () => {
  const events = [];
  const s = await createSession(fixture('mlp.onnx'), opts({ onProgress: (e) => events.push(e) }));
  s.dispose();
  const dl = events.filter((e) => e.phase === 'download');
  assert.ok(dl.length >= 1);
  assert.equal(dl.at(-1).loaded, dl.at(-1).total);
  assert.equal(dl.at(-1).total, fixtureBytes('mlp.onnx').length);
  assert.deepEqual(events.filter((e) => e.phase === 'prepare').at(-1), { phase: 'prepare', loaded: 1, total: 1 });
});

test('Tensor validates its arguments', () => {
  assert.throws(() => new Tensor('float32', new Int32Array(2), [2]), /Float32Array/);
  assert.throws(() => new Tensor('float32', new Float32Array(3), [2, 2]), /3 elements/);
  assert.throws(() => new Tensor('complex', new Float32Array(1), [1]), /unsupported tensor type/);
  const t = new Tensor('int64', [1, 2, 3], [3]);
  assert.ok(t.data instanceof BigInt64Array);
  assert.equal(t.size, 3);
});

test('features() describes the engine and the loaded variant', async () => {
  const f = await features();
  assert.equal(typeof f.simd128, 'boolean');
  assert.equal(typeof f.relaxedSimd, 'boolean');
  assert.equal(typeof f.threads, 'boolean');
  assert.ok(['relaxed', 'simd128'].includes(f.variant));
  if (!f.relaxedSimd) assert.equal(f.variant, 'simd128');
  const s = await createSession(fixture('add.onnx'), opts());
  if (SIMD !== 'auto') assert.equal(s.variant, SIMD);
  s.dispose();
});

test('startProfiling / endProfiling time each operator type over the runs between them', async () => {
  const s = await createSession(fixture('add.onnx'), opts());
  await s.run({ a, b });  // not profiled
  s.startProfiling();
  await s.run({ a, b });
  await s.run({ a, b });
  const prof = s.endProfiling();
  // add.onnx is one Add node: two profiled runs -> one entry with two calls.
  assert.equal(prof.length, 1);
  assert.equal(prof[0].op, 'Add');
  assert.equal(prof[0].calls, 2);
  assert.ok(prof[0].ms >= 0);
  s.startProfiling();
  assert.deepEqual(s.endProfiling(), []);  // restarting clears the previous totals
  s.dispose();
});
