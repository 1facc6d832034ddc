// The generated quantization suite (tests/data/quant: models from
// make_quant_models.py, expected outputs from onnxruntime-node or numpy, see the
// manifest) run through the public API. Integer outputs must match exactly; float
// outputs within each case's stated tolerance |got - want| <= atol + rtol * |want|
// (NaN must match NaN). Cases with an "error" entry must fail to load with a
// message naming the node and saying what was wrong.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createSession, Tensor } from 'qwasm';
import { DATA, opts } from './helpers.mjs';

const DIR = DATA + 'quant/';
const manifest = JSON.parse(readFileSync(DIR + 'manifest.json', 'utf8'));
const ARRAYS = {
  float32: Float32Array, uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array,
  int32: Int32Array, float16: Uint16Array, bool: Uint8Array,  // bool data is 0 / 1
};
const decode = (v) => (v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v);

function halfToFloat(h) {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 31, m = h & 1023;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

function check(c, spec, got) {
  assert.equal(got.type, spec.type, `${c.name}/${spec.name}: type`);
  assert.deepEqual(got.dims, spec.dims, `${c.name}/${spec.name}: dims`);
  const want = spec.data.map(decode);
  const isFloat = spec.type === 'float32' || spec.type === 'float16';
  const conv = spec.type === 'float16' ? halfToFloat : Number;
  const { atol, rtol } = c.tolerance;
  for (let i = 0; i < want.length; i++) {
    const g = conv(got.data[i]), w = conv(want[i]);
    if (!isFloat) {
      assert.equal(g, w, `${c.name}/${spec.name}[${i}]: got ${g}, expected ${w} (exact)`);
    } else if (Number.isNaN(w) || !Number.isFinite(w)) {
      assert.ok(Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w)), `${c.name}/${spec.name}[${i}]: got ${g}, expected ${w}`);
    } else {
      assert.ok(Math.abs(g - w) <= atol + rtol * Math.abs(w),
        `${c.name}/${spec.name}[${i}]: got ${g}, expected ${w} (atol ${atol}, rtol ${rtol}, from ${c.expected_source})`);
    }
  }
}

for (const c of manifest.cases) {
  test(`${c.name} [${c.ops.join(', ')}]${c.error ? ' is rejected' : ''}`, async () => {
    if (c.error) {
      await assert.rejects(createSession(DIR + c.model, opts()), (e) => {
        assert.ok(e instanceof Error);
        assert.ok(e.message.includes(c.node), `message should name node '${c.node}': ${e.message}`);
        assert.ok(e.message.includes(c.error), `message should say "${c.error}": ${e.message}`);
        return true;
      });
      return;
    }
    const s = await createSession(DIR + c.model, opts());
    try {
      const feeds = {};
      for (const i of c.inputs) feeds[i.name] = new Tensor(i.type, ARRAYS[i.type].from(i.data.map(decode)), i.dims);
      const out = await s.run(feeds);
      for (const o of c.outputs) check(c, o, out[o.name]);
    } finally {
      s.dispose();
    }
  });
}

test('every quantization operator is covered by the suite', () => {
  const ops = new Set(manifest.cases.flatMap((c) => c.ops));
  for (const op of ['QuantizeLinear', 'DequantizeLinear', 'DynamicQuantizeLinear', 'MatMulInteger', 'ConvInteger',
    'QLinearMatMul', 'QLinearConv', 'MatMulNBits', 'MatMulIntegerToFloat', 'DynamicQuantizeMatMul', 'QLinearMul',
    'QLinearGlobalAveragePool', 'QLinearAveragePool', 'QLinearConcat', 'QLinearSigmoid', 'QLinearLeakyRelu',
    'QGemm', 'QLinearSoftmax', 'QLinearWhere', 'QLinearReduceMean']) {
    assert.ok(ops.has(op), op);
  }
});
