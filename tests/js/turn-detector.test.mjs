// The real third-party int8 model: turn_detector.onnx from npm
// @livekit/agents-plugin-livekit@0.1.3 (a 4-layer Llama-style decoder, opset 17,
// DynamicQuantizeLinear + MatMulInteger u8 x i8). Fetched with `npm pack` into the
// git-ignored build/bench/livekit (support/turn-detector-model.mjs, shared with tools/bench), never
// committed. qwasm's `prob` must equal onnxruntime-node's within 1e-4 for fixed token
// sequences of several lengths. Without the network (and no cached copy) this FAILS.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import ort from 'onnxruntime-node';
import { createSession, Tensor } from 'qwasm';
import { turnDetectorPath } from './support/turn-detector-model.mjs';
import { opts } from './helpers.mjs';

const PACKAGE = '@livekit/agents-plugin-livekit@0.1.3';
// model.model.embed_tokens.weight_quantized is [49155, 576]: ids 0..49154 are valid.
const VOCAB = 49155;
// Lengths 1, 7, 16, 32, 48, 64. Note: with per-tensor DynamicQuantizeLinear over activations
// that have outliers, one float rounding difference before a quantizer can flip a u8 value and
// move prob by far more than 1e-4; for some other random sequences (e.g. 24, 40, 72, 88 tokens)
// onnxruntime-node's own graph optimization levels ('disabled' vs the default 'all') disagree by
// 5e-5 to 1.4e-2. The reference here is onnxruntime-node with its default session options.
const LENGTHS = [1, 7, 16, 32, 48, 64];
const TOLERANCE = 1e-4;

// Deterministic ids spread over the whole vocabulary (a 31-bit LCG, fixed seed per length),
// always including the first and last valid ids in the longer sequences.
function tokenIds(n) {
  let s = 12345 + n;
  const ids = Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s % VOCAB;
  });
  if (n >= 16) { ids[3] = 0; ids[n - 2] = VOCAB - 1; }
  return ids;
}

function fetchModel() {
  try {
    return turnDetectorPath();
  } catch (e) {
    throw new Error(`turn_detector.onnx: could not fetch ${PACKAGE} with npm pack into build/bench/livekit ` +
      `(this test needs npm registry access the first time; it does not skip): ${e.message}`);
  }
}

test(`turn_detector.onnx (${PACKAGE}): prob equals onnxruntime-node within ${TOLERANCE}`, async (t) => {
  const model = fetchModel();
  const reference = await ort.InferenceSession.create(model);
  const session = await createSession(model, opts());
  try {
    assert.deepEqual(session.inputNames, ['input_ids']);
    assert.deepEqual(session.outputNames, ['prob']);
    const probs = [];
    for (const n of LENGTHS) {
      await t.test(`${n} token${n > 1 ? 's' : ''}`, async () => {
        const ids = BigInt64Array.from(tokenIds(n), BigInt);
        const want = (await reference.run({ input_ids: new ort.Tensor('int64', ids, [1, n]) })).prob;
        const { prob } = await session.run({ input_ids: new Tensor('int64', ids, [1, n]) });
        assert.equal(prob.type, 'float32');
        assert.deepEqual(prob.dims, want.dims);
        assert.deepEqual(prob.dims, [1]);
        const got = prob.data[0], expected = want.data[0];
        assert.ok(Number.isFinite(expected) && expected >= 0 && expected <= 1, `onnxruntime prob ${expected}`);
        const diff = Math.abs(got - expected);
        assert.ok(diff <= TOLERANCE, `${n} tokens: qwasm prob ${got}, onnxruntime-node ${expected}, |diff| ${diff} > ${TOLERANCE}`);
        probs.push(expected);
      });
    }
    // The sequences really exercise the model: not one constant output.
    assert.ok(new Set(probs.map((p) => p.toFixed(4))).size >= 3, `probs ${probs}`);
  } finally {
    session.dispose();
    await reference.release();
  }
});

// The int8 decoder (DynamicQuantizeLinear + MatMulInteger chains) on 1 and 2 threads:
// the same prob, bit for bit, at every length (row splits of whole kernel tiles).
test('turn_detector.onnx: prob identical on 1 and 2 threads', async () => {
  const model = fetchModel();
  const one = await createSession(model, opts({ threads: 1 }));
  const two = await createSession(model, opts({ threads: 2 }));
  try {
    assert.equal(two.threads, 2);
    for (const n of LENGTHS) {
      const input_ids = new Tensor('int64', BigInt64Array.from(tokenIds(n), BigInt), [1, n]);
      const a = (await one.run({ input_ids })).prob.data[0];
      const b = (await two.run({ input_ids })).prob.data[0];
      assert.ok(Object.is(a, b), `${n} tokens: 1 thread ${a}, 2 threads ${b}`);
    }
  } finally {
    one.dispose();
    two.dispose();
  }
});
