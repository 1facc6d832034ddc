// qwasm/quantize on a generated float BERT-style encoder (tools/models/make_hf_models.py):
// weight-only 4 / 8 bit and dynamic int8. The quantized weights equal the numpy reference
// (tools/models/check_nbits.py), the quantized models run in qwasm and in onnxruntime-web and
// stay close to the float model, the native qwasm-quantize tool writes the same bytes, and bad
// input is a clear Error that leaves the source untouched.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ortweb from 'onnxruntime-web';
import { createSession, Tensor } from 'qwasm';
import { quantize } from 'qwasm/quantize';
import { hfModels } from './support/hf-models.mjs';
import { bertTinyFeeds, cosine, fixture, opts } from './helpers.mjs';

ortweb.env.wasm.numThreads = 1;
const ROOT = new URL('../../', import.meta.url).pathname;
const FLOAT = `${hfModels()}/bert-tiny/onnx/model.onnx`;
const floatBytes = new Uint8Array(readFileSync(FLOAT));
const dir = mkdtempSync(join(tmpdir(), 'qwasm-quantize-'));
const SEQ = 9;

const feeds = (T) => bertTinyFeeds(T, SEQ);

async function runQwasm(model, extra = {}) {
  const s = await createSession(model, opts(extra));
  const { last_hidden_state: y } = await s.run(feeds(Tensor));
  s.dispose();
  return y.data;
}
async function runOrt(model, extra = {}) {
  const s = await ortweb.InferenceSession.create(model, extra);
  const { last_hidden_state: y } = await s.run(feeds(ortweb.Tensor));
  await s.release();
  return y.data;
}
const maxDiff = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
const floatOut = await runOrt(FLOAT);

const CASES = [
  { name: 'weight-only 4-bit, block 32', options: { mode: 'weight-only', weights: { bits: 4, blockSize: 32 } }, check: ['check_nbits.py', 4, 32, 0], cos: 0.99 },
  { name: 'weight-only 4-bit symmetric, block 16', options: { mode: 'weight-only', weights: { bits: 4, blockSize: 16, symmetric: true } }, check: ['check_nbits.py', 4, 16, 1], cos: 0.98 },
  { name: 'weight-only 8-bit (per-channel DequantizeLinear -> MatMul)', options: { mode: 'weight-only', weights: { bits: 8 } }, check: ['check_int8_dq.py'], cos: 0.9999 },
  { name: 'dynamic int8 (per-channel weights)', options: { mode: 'dynamic' }, cos: 0.999 },
];

for (const c of CASES) {
  test(`${c.name}: runs in qwasm and onnxruntime-web, close to the float model`, async () => {
    const before = floatBytes.slice();
    const { model, externalData, report } = await quantize(floatBytes, c.options);
    assert.deepEqual(floatBytes, before, 'the source was modified');
    assert.equal(externalData, undefined);
    const quantized = report.filter((r) => r.action !== 'float');
    assert.equal(quantized.length, 12, JSON.stringify(report));  // 6 per layer: Q, K, V, output, 2 MLP
    assert.ok(report.filter((r) => r.action === 'float').every((r) => /not a constant/.test(r.detail)), JSON.stringify(report));
    assert.ok(model.length < floatBytes.length * (c.check?.[1] === 4 ? 0.6 : 0.75), `${model.length} bytes`);
    const path = join(dir, `${c.name.replace(/\W+/g, '_')}.onnx`);
    writeFileSync(path, model);
    if (c.check) {
      const [script, ...args] = c.check;
      execFileSync('/usr/bin/python3', [join(ROOT, 'tools/models', script), FLOAT, path, ...args.map(String)], { stdio: 'pipe' });
    }
    const q = await runQwasm(model);
    const o = await runOrt(path);
    const cq = cosine(q, floatOut), co = cosine(o, floatOut);
    assert.ok(cq >= c.cos, `qwasm vs float: cosine ${cq}`);
    assert.ok(co >= c.cos, `onnxruntime-web vs float: cosine ${co}`);
    assert.ok(cosine(q, o) >= c.cos, `qwasm vs onnxruntime-web: cosine ${cosine(q, o)}`);
  });
}

test('accuracy level 0 (float activations): qwasm equals onnxruntime-web on the 4-bit model within 1e-4', async () => {
  const { model } = await quantize(floatBytes, { weights: { bits: 4, accuracyLevel: 0 } });
  const path = join(dir, 'level0.onnx');
  writeFileSync(path, model);
  const d = maxDiff(await runQwasm(model), await runOrt(path));
  assert.ok(d <= 1e-4, `max |qwasm - onnxruntime-web| = ${d}`);
});

// Per op type calls of one qwasm run of `model`.
async function profile(model) {
  const s = await createSession(model, opts());
  s.startProfiling();
  const { last_hidden_state: y } = await s.run(feeds(Tensor));
  const calls = Object.fromEntries(s.endProfiling().map((e) => [e.op, e.calls]));
  s.dispose();
  return { y: y.data, calls };
}

test('weight-only 8-bit: qwasm runs the DequantizeLinear -> MatMul pairs on packed integers, equal to onnxruntime-web within 1e-4', async () => {
  const { model, report } = await quantize(floatBytes, { weights: { bits: 8 } });
  assert.ok(report.filter((r) => r.action !== 'float').every((r) => r.action === 'DequantizeLinear' && /per-channel/.test(r.detail)), JSON.stringify(report));
  const { y, calls } = await profile(model);
  // the same kernels as the 4-bit MatMulNBits model: no DequantizeLinear at run time and no
  // extra float MatMul (those left are the attention products, which have no weight)
  const q4 = (await profile((await quantize(floatBytes, { weights: { bits: 4 } })).model)).calls;
  assert.equal(calls.DequantizeLinear, undefined, JSON.stringify(calls));
  assert.equal(calls['com.microsoft::MatMulNBits'], q4['com.microsoft::MatMulNBits'], JSON.stringify(calls));
  assert.ok(calls['com.microsoft::MatMulNBits'] >= 12, JSON.stringify(calls));
  assert.equal(calls.MatMul, q4.MatMul, JSON.stringify({ int8: calls, q4 }));
  const path = join(dir, 'w8.onnx');
  writeFileSync(path, model);
  const d = maxDiff(y, await runOrt(path));
  assert.ok(d <= 1e-4, `max |qwasm - onnxruntime-web| = ${d}`);
});

test('externalDataThreshold writes the large weights to an external file that loads back', async () => {
  const { model, externalData } = await quantize(floatBytes, { weights: { bits: 4 }, externalDataThreshold: 1024, externalDataName: 'q.onnx_data' });
  assert.equal(externalData.length, 1);
  assert.equal(externalData[0].path, 'q.onnx_data');
  assert.ok(externalData[0].data.length > model.length, `${externalData[0].data.length} external bytes, ${model.length} model bytes`);
  const inline = (await quantize(floatBytes, { weights: { bits: 4 } })).model;
  assert.deepEqual(await runQwasm(model, { externalData }), await runQwasm(inline));
  // and a quantized external-data model is itself a valid source (its file read from the map)
  await assert.rejects(quantize(model, { externalData }), /already quantized/);
});

test('the native qwasm-quantize tool writes the same model bytes', { skip: !existsSync(join(ROOT, 'build/native/tools/qwasm-quantize')) && 'build/native/tools/qwasm-quantize is not built' }, async () => {
  const out = join(dir, 'native_q4.onnx');
  const log = execFileSync(join(ROOT, 'build/native/tools/qwasm-quantize'), ['--bits', '4', '--block-size', '32', FLOAT, out], { encoding: 'utf8' });
  assert.match(log, /MatMulNBits/);
  const { model } = await quantize(floatBytes, { weights: { bits: 4, blockSize: 32 } });
  assert.deepEqual(new Uint8Array(readFileSync(out)), model);
});

test('bad input and unsupported options are clear Errors; the quantizer stays usable', async () => {
  const q4 = (await quantize(floatBytes, { weights: { bits: 4 } })).model;
  await assert.rejects(quantize(q4), /already quantized \(node '.*' is MatMulNBits\)/);
  await assert.rejects(quantize(fixture('add.onnx')), /no node this mode can quantize.*no MatMul at all/);
  await assert.rejects(quantize(new Uint8Array([1, 2, 3, 4])), /not a valid ONNX ModelProto/);
  await assert.rejects(quantize(floatBytes, { weights: { bits: 3 } }), /bits must be 4 or 8/);
  await assert.rejects(quantize(floatBytes, { weights: { bits: 4, blockSize: 48 } }), /power of two from 16 to 256/);
  await assert.rejects(quantize(floatBytes, { mode: 'dynamic', weights: { bits: 4 } }), /4-bit weights need mode 'weight-only'/);
  await assert.rejects(quantize(floatBytes, { mode: 'static' }), /mode 'static' needs calibration data/);
  await assert.rejects(quantize(floatBytes, { weights: { algorithm: 'gptq' } }), /algorithm 'gptq' needs calibration data/);
  await assert.rejects(quantize(floatBytes, { mode: 'fast' }), /options.mode must be one of/);
  await assert.rejects(quantize(floatBytes, { ops: ['Conv'] }), /op type 'Conv' cannot be quantized yet/);
  await assert.rejects(quantize(fixture('external.onnx'), { externalData: [] }), /not given in options.externalData/);
  const { report } = await quantize(floatBytes, { exclude: ['MatMul_43'] });
  assert.ok(report.some((r) => r.node === 'MatMul_43' && r.action === 'float' && /excluded/.test(r.detail)), JSON.stringify(report));
  const progress = [];
  await quantize(floatBytes, { onProgress: (p) => progress.push(p.phase) });
  assert.ok(progress.includes('quantize') && progress.includes('read'), progress.join());
});
