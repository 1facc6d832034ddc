// com.microsoft transformer contrib ops (Attention with every mask_index form, past/present
// and attention_bias; QAttention; SkipLayerNormalization with its optional outputs;
// EmbedLayerNormalization; BiasGelu, FastGelu, QuickGelu; FusedMatMul / TransposeMatMul;
// the RMS siblings; DynamicQuantizeLSTM; BiasAdd and BiasSoftmax; and the ONNX GridSample at
// opset 20 with its renamed linear / cubic modes, 4-D and 5-D, and its refusals) on one-node models that
// tools/models/make_contrib_models.py writes at test time. Each case runs in qwasm and in
// onnxruntime-web (wasm, one thread) in this process and the outputs must agree within the
// case's stated tolerance: 1e-5 absolute on values of order 1 for float outputs (measured
// worst 7.2e-7: summation order and exp/tanh implementations; QAttention's and
// DynamicQuantizeLSTM's integer products are exact in both, only the float rescaling
// rounds differently), 2e-3 relative for float16 outputs (about two float16 ulps: both
// compute in float32 and round once, at different points), integer outputs exactly. BiasAdd and BiasSoftmax, which
// onnxruntime-web lacks, are checked against numpy (1e-6 and 1e-5). Bad input must give an Error naming the node, and the runtime stays usable.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ortweb from 'onnxruntime-web';
import { createSession, Tensor } from 'qwasm';
import { opts } from './helpers.mjs';

ortweb.env.wasm.numThreads = 1;
const ROOT = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'qwasm-contrib-'));
execFileSync('/usr/bin/python3', [join(ROOT, 'tools/models/make_contrib_models.py'), dir], { stdio: 'pipe' });
const { cases } = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));

const ARRAYS = { float32: Float32Array, int32: Int32Array, uint8: Uint8Array, int8: Int8Array, float16: Uint16Array };
// A float16 bit pattern's value.
function halfValue(h) {
  const e = (h >> 10) & 31, m = h & 1023, sign = h & 0x8000 ? -1 : 1;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 31) return m ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}
const feedsOf = (c, T) => Object.fromEntries(Object.entries(c.inputs).map(([name, t]) =>
  [name, new T(t.type, ARRAYS[t.type].from(t.data), t.dims)]));

async function runQwasm(c) {
  const s = await createSession(join(dir, c.model), opts());
  try {
    return await s.run(feedsOf(c, Tensor));
  } finally {
    s.dispose();
  }
}
async function runOrt(c) {
  const s = await ortweb.InferenceSession.create(join(dir, c.model));
  try {
    return await s.run(feedsOf(c, ortweb.Tensor));
  } finally {
    await s.release();
  }
}

function compare(name, got, want, tol) {
  assert.deepEqual([...got.dims], [...want.dims], `${name}: dims`);
  assert.equal(got.type, want.type, `${name}: type`);
  // float16: the tolerance is relative to max(1, |reference|) (a float16 ulp grows with the value).
  const half = want.type === 'float16';
  const value = (t, i) => (half ? halfValue(t.data[i]) : Number(t.data[i]));
  let worst = 0, at = -1;
  for (let i = 0; i < want.data.length; ++i) {
    const ref = value(want, i);
    const d = Math.abs(value(got, i) - ref) / (half ? Math.max(1, Math.abs(ref)) : 1);
    if (!(d <= worst)) worst = d, at = i;  // NaN counts as the worst
  }
  const limit = want.type === 'float32' || half ? tol : 0;
  assert.ok(worst <= limit, `${name}: max |qwasm - reference| = ${worst} at ${at} (limit ${limit}): ` +
    `${value(got, at)} vs ${value(want, at)}`);
  return worst;
}

const good = cases.filter((c) => !c.error);
const bad = cases.filter((c) => c.error);
assert.ok(good.length >= 47 && bad.length >= 8, 'the generator wrote the expected cases');

for (const c of good) {
  test(`${c.name}: equals ${c.oracle === 'ort' ? 'onnxruntime-web' : 'numpy'} within ${c.tol}`, async (t) => {
    const got = await runQwasm(c);
    const want = c.oracle === 'ort' ? await runOrt(c) : Object.fromEntries(Object.entries(c.expected).map(
      ([k, t]) => [k, { type: t.type, dims: t.dims, data: t.data }]));
    for (const name of c.outputs) {
      assert.ok(got[name], `qwasm output ${name} missing`);
      t.diagnostic(`${name}: max |diff| ${compare(name, got[name], want[name], c.tol)}`);
    }
  });
}

for (const c of bad) {
  test(`${c.name}: a clear Error naming the node`, async () => {
    await assert.rejects(runQwasm(c), (e) => {
      assert.ok(e instanceof Error);
      assert.match(e.message, new RegExp(c.error));
      return true;
    });
  });
}

test('the runtime stays usable after the errors', async () => {
  const c = good.find((x) => x.name === 'attention_plain');
  const got = await runQwasm(c);
  compare('output', got.output, (await runOrt(c)).output, c.tol);
});
