// DynamicQuantizeLinear follows the spec bit for bit in every build: scale =
// (max(0, max x) - min(0, min x)) / 255, zero point = saturate(round_half_even(0 - min / scale)),
// y = saturate(round_half_even(x / scale) + zero point), with x / scale a division (multiplying by
// 1 / scale rounds differently for some x). Compared with onnxruntime-web (wasm, one thread) on
// tests/data/quant/dql_mixed.onnx (x: float32 [3, 5]) for seeded random inputs, among which the
// test checks there are elements where division and reciprocal multiplication round to different
// uint8 values, and for exact ties (x / scale = k + 0.5 with scale a power of two).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-web';
import { createSession, Tensor } from 'qwasm';
import { rng } from './support/real-models.mjs';
import { fixture, SIMD } from './helpers.mjs';

ort.env.wasm.numThreads = 1;
const fr = Math.fround;
const roundEven = (v) => { const r = Math.round(v); return Math.abs(v - Math.trunc(v)) === 0.5 && r % 2 ? r - 1 : r; };

// How many elements of x quantize differently with x * (1 / scale) than with x / scale.
function reciprocalDisagreements(x) {
  let lo = 0, hi = 0;
  for (const v of x) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const scale = fr(fr(hi - lo) / 255), inv = fr(1 / scale);
  return x.filter((v) => roundEven(fr(v / scale)) !== roundEven(fr(v * inv))).length;
}

function inputs() {
  const r = rng(777);
  const cases = [];
  for (let t = 0; t < 300; t++) {
    const span = 10 ** (4 * r() - 2);
    cases.push(Float32Array.from({ length: 15 }, () => (r() - 0.3) * span));
  }
  // Near-ties where division and reciprocal multiplication disagree: with max element hi and
  // no negatives, scale = hi / 255; x within a few ulps of (k + 0.5) * scale.
  const bits = new Float32Array(1), word = new Int32Array(bits.buffer);
  const ulps = (x, j) => { bits[0] = x; word[0] += j; return bits[0]; };
  for (let t = 0; t < 40; t++) {
    const hi = fr(10 ** (4 * r() - 2));
    const scale = fr(hi / 255), inv = fr(1 / scale);
    const found = [];
    for (let k = 0; k < 254 && found.length < 14; k++) {
      const x0 = fr((k + 0.5) * scale);
      for (let j = -3; j <= 3; j++) {
        const x = ulps(x0, j);
        if (roundEven(fr(x / scale)) !== roundEven(fr(x * inv)) && found.length < 14) found.push(x);
      }
    }
    while (found.length < 14) found.push(fr(r() * hi));
    cases.push(Float32Array.from([...found, hi]));
  }
  // Ties: range [0, 31.875] gives scale 0.125 exactly; x = 0.0625 * (2k + 1) is k + 0.5 levels.
  cases.push(Float32Array.from({ length: 15 }, (_, i) => (i === 14 ? 31.875 : 0.0625 * (2 * i + 1))));
  cases.push(Float32Array.from({ length: 15 }, (_, i) => (i === 14 ? -31.875 : -0.0625 * (2 * i + 1))));
  return cases;
}

test(`DynamicQuantizeLinear (${SIMD}) equals onnxruntime-web bit for bit, ties and division included`, async (t) => {
  const model = fixture('quant/dql_mixed.onnx');
  const ref = await ort.InferenceSession.create(model, { executionProviders: ['wasm'] });
  const q = await createSession(model, { simd: SIMD, threads: 1 });
  let discriminating = 0;
  try {
    for (const x of inputs()) {
      discriminating += reciprocalDisagreements(Array.from(x));
      const want = await ref.run({ x: new ort.Tensor('float32', x, [3, 5]) });
      const got = await q.run({ x: new Tensor('float32', x, [3, 5]) });
      assert.ok(Object.is(got.y_scale.data[0], want.y_scale.data[0]), `scale ${got.y_scale.data[0]} vs ${want.y_scale.data[0]} for ${x}`);
      assert.equal(got.y_zp.data[0], want.y_zp.data[0], `zero point for ${x}`);
      assert.deepEqual(Array.from(got.y.data), Array.from(want.y.data), `y for ${x}`);
    }
  } finally {
    q.dispose();
    await ref.release();
  }
  t.diagnostic(`${discriminating} elements where x * (1 / scale) would have given another uint8`);
  assert.ok(discriminating > 0, 'no input where x * (1 / scale) and x / scale round differently: the test cannot tell them apart');
});
