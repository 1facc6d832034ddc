// Bad input gives a clear Error naming what was wrong, and the runtime stays usable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { _debugHeap, createSession, Tensor } from 'qwasm';
import { fixture, fixtureBytes, opts, SIMD, THREADS } from './helpers.mjs';

const f32 = (n, v = 1) => new Tensor('float32', new Float32Array(n).fill(v), [n / 3, 3]);

async function stillWorks() {
  const s = await createSession(fixture('add.onnx'), opts());
  const { y } = await s.run({ a: f32(3, 1), b: f32(3, 2) });
  assert.deepEqual(Array.from(y.data), [3, 3, 3]);
  s.dispose();
}

test('malformed protobuf', async () => {
  await assert.rejects(createSession(new Uint8Array([0x0a, 0xff, 0xff, 0x01, 0x02]), opts()), /not a valid ONNX protobuf/);
  await stillWorks();
});

test('truncated model', async () => {
  const bytes = fixtureBytes('mlp.onnx');
  await assert.rejects(createSession(bytes.slice(0, bytes.length >> 1), opts()), /malformed or truncated/);
  await stillWorks();
});

test('truncated stream (fewer bytes than announced)', async () => {
  const bytes = fixtureBytes('mlp.onnx');
  const res = new Response(bytes.slice(0, 100), { headers: { 'content-length': String(bytes.length) } });
  // Response recomputes nothing: the announced length disagrees with the body.
  await assert.rejects(createSession(res, opts()), /truncated|malformed/);
  await stillWorks();
});

test('empty model', async () => {
  await assert.rejects(createSession(new Uint8Array(0), opts()), /empty/);
});

test('missing file', async () => {
  await assert.rejects(createSession(fixture('no-such-model.onnx'), opts()), /not found/);
});

test('unsupported operator names domain, op, opset and node', async () => {
  await assert.rejects(createSession(fixture('unsupported.onnx'), opts()),
    (e) => e instanceof Error && /com\.example::FancyOp/.test(e.message) && /opset 3/.test(e.message) && /'mystery'/.test(e.message));
  await stillWorks();
});

test('two nodes writing one value are refused, naming both', async () => {
  await assert.rejects(createSession(fixture('two_writers.onnx'), opts()),
    (e) => /Neg node 'second'/.test(e.message) && /output 'h'/.test(e.message) && /Relu node 'first'/.test(e.message));
  await stillWorks();
});

test('an opset newer than qwasm implements is refused, naming domain and version', async () => {
  await assert.rejects(createSession(fixture('opset_too_new.onnx'), opts()),
    (e) => /opset 99 of domain 'ai\.onnx'/.test(e.message) && /newest qwasm implements \(21\)/.test(e.message));
  await stillWorks();
});

test('a model input of a type JS cannot hold (bfloat16) is refused by name, freeing the session', async () => {
  const attempt = () => assert.rejects(createSession(fixture('bfloat16_input.onnx'), opts()),
    (e) => /model input 'x'/.test(e.message) && /bfloat16/.test(e.message) && /not supported by the JS API/.test(e.message));
  for (let i = 0; i < 3; i++) await attempt();  // warm up allocator bins
  const before = await _debugHeap(SIMD, THREADS);
  for (let i = 0; i < 20; i++) await attempt();
  const grew = (await _debugHeap(SIMD, THREADS)) - before;
  assert.ok(grew <= 1024, `heap grew by ${grew} bytes after 20 refused bfloat16 models`);
  await stillWorks();
});

test('external data location with .. or an absolute path is rejected', async () => {
  await assert.rejects(createSession(fixture('escape_location.onnx'), opts()), /tensor 'w'.*'\.\.\/secret\.bin'/);
  await assert.rejects(createSession(fixture('absolute_location.onnx'), opts()), /tensor 'w'.*absolute/);
});

test('external file shorter than offset + length', async () => {
  await assert.rejects(createSession(fixtureBytes('external.onnx'), opts({
    externalData: [{ path: 'external.weights.bin', data: new Uint8Array(100) }],
  })), /tensor 'w'.*shorter/);
  await assert.rejects(createSession(fixtureBytes('external.onnx'), opts({ externalData: [] })),
    /external\.weights\.bin/);
});

test('external data length that disagrees with dtype and shape names the tensor', async () => {
  await assert.rejects(createSession(fixture('wrong_length.onnx'), opts()),
    /tensor 'w'.*length 12 does not match float32 \[1,4\] \(16 bytes\)/);
  await stillWorks();
});

test('failed external-data loads release everything they allocated', async () => {
  const attempt = () => Promise.all([
    assert.rejects(createSession(fixture('wrong_length.onnx'), opts())),
    assert.rejects(createSession(fixture('escape_location.onnx'), opts())),
    assert.rejects(createSession(fixtureBytes('external.onnx'), opts({
      externalData: [{ path: 'external.weights.bin', data: new Uint8Array(100) }] }))),
    assert.rejects(createSession(fixtureBytes('external.onnx'), opts({ externalData: [] }))),
  ]);
  for (let i = 0; i < 3; i++) await attempt();  // warm up allocator bins
  const before = await _debugHeap(SIMD, THREADS);
  for (let i = 0; i < 30; i++) await attempt();
  const grew = (await _debugHeap(SIMD, THREADS)) - before;
  assert.ok(grew <= 1024, `heap grew by ${grew} bytes after 120 failed external-data loads`);
});

test('aborting while external weights stream in frees everything', async () => {
  const model = new URL('../../models/tinylm/onnx/model_q4.onnx', import.meta.url).pathname;
  const abortMidWeights = async () => {
    const ac = new AbortController();
    let weightsEvents = 0;
    await assert.rejects(createSession(model, opts({
      signal: ac.signal,
      onProgress: (p) => { if (p.phase === 'weights' && ++weightsEvents === 1) ac.abort(); },
    })), (e) => e.name === 'AbortError');
    assert.equal(weightsEvents, 1, 'aborted after the first chunk of weights');
  };
  await abortMidWeights();  // warm up allocator bins
  const before = await _debugHeap(SIMD, THREADS);
  for (let i = 0; i < 10; i++) await abortMidWeights();
  const grew = (await _debugHeap(SIMD, THREADS)) - before;
  assert.ok(grew <= 1024, `heap grew by ${grew} bytes after 10 aborted loads`);
  await stillWorks();
});

test('a q4 model keeps its weights once: heap after loading is about the file size', async () => {
  // MatMulNBits weights are rearranged where they landed and the raw initializers are not
  // kept beside a packed copy. (Peak memory while loading is measured by npm run bench.)
  const { statSync } = await import('node:fs');
  const model = new URL('../../models/tinylm/onnx/model_q4.onnx', import.meta.url).pathname;
  const fileBytes = statSync(model).size + statSync(`${model}_data`).size;
  const before = await _debugHeap(SIMD, THREADS);
  const s = await createSession(model, opts());
  const held = (await _debugHeap(SIMD, THREADS)) - before;
  s.dispose();
  assert.ok(held < 1.15 * fileBytes, `session holds ${held} bytes for a ${fileBytes}-byte model`);
  assert.ok(held > 0.9 * fileBytes, `session holds ${held} bytes, less than the weights (${fileBytes})?`);
});

test('wrong inputs: missing, unknown, wrong dtype, wrong shape', async () => {
  const s = await createSession(fixture('add.onnx'), opts());
  await assert.rejects(s.run({ a: f32(3) }), /missing input 'b'/);
  await assert.rejects(s.run({ a: f32(3), b: f32(3), c: f32(3) }), /unknown input 'c'/);
  await assert.rejects(s.run({ a: f32(3), b: new Tensor('int32', new Int32Array(3), [1, 3]) }), /input 'b'.*float32.*int32/);
  await assert.rejects(s.run({ a: f32(3), b: new Tensor('float32', new Float32Array(4), [1, 4]) }), /input 'b'.*shape/);
  await assert.rejects(s.run({ a: f32(3), b: f32(6) }), /dimension 'n'/);
  await assert.rejects(s.run({ a: f32(3), b: f32(3) }, { outputs: ['nope'] }), /unknown output 'nope'/);
  const { y } = await s.run({ a: f32(3, 1), b: f32(3, 4) });
  assert.deepEqual(Array.from(y.data), [5, 5, 5]);
  s.dispose();
  await assert.rejects(s.run({ a: f32(3), b: f32(3) }), /disposed/);
});

test('abort signal cancels loading', async () => {
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(createSession(fixture('mlp.onnx'), opts({ signal: ac.signal })), (e) => e.name === 'AbortError');
  const ac2 = new AbortController();
  let n = 0;
  const stream = new ReadableStream({ pull(c) { if (++n === 2) ac2.abort(); c.enqueue(new Uint8Array(16)); } });
  await assert.rejects(createSession(stream, opts({ signal: ac2.signal })), (e) => e.name === 'AbortError');
  await stillWorks();
});

test('create/run/dispose 200 times does not grow the heap', async () => {
  const bytes = fixtureBytes('mlp.onnx');
  const x = new Tensor('float32', new Float32Array(32).fill(0.5), [2, 16]);
  const cycle = async () => {
    const s = await createSession(bytes, opts());
    await s.run({ x });
    s.dispose();
  };
  for (let i = 0; i < 5; i++) await cycle();  // warm up allocator bins
  const before = await _debugHeap(SIMD, THREADS);
  for (let i = 0; i < 200; i++) await cycle();
  const after = await _debugHeap(SIMD, THREADS);
  assert.ok(after - before <= 1024, `heap grew by ${after - before} bytes over 200 sessions`);
  // Failed loads release everything too.
  const failBefore = await _debugHeap(SIMD, THREADS);
  for (let i = 0; i < 50; i++) await assert.rejects(createSession(bytes.slice(0, 500), opts()));
  for (let i = 0; i < 50; i++) await assert.rejects(createSession(fixture('unsupported.onnx'), opts()));
  assert.ok((await _debugHeap(SIMD, THREADS)) - failBefore <= 1024, 'heap grew after failed loads');
});
