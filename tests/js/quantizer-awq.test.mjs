// qwasm/quantize weights.algorithm 'awq' and smoothQuant on a generated float model
// (tools/models/make_awq_models.py: a LayerNormalization feeding four MatMuls, a Mul by a
// constant before a MatMul, a MatMul on the graph input, a gated MLP) with outlier input channels: the
// quantized models run in qwasm and onnxruntime-web with the same outputs, AWQ's error vs the
// float model is below round to nearest's and SmoothQuant's below plain int8's; the native
// tool does weight-only gptq / awq with --calib; bad input is a clear Error. The arithmetic
// is checked against numpy in tests/unit/quantize_awq_test.cc.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ortweb from 'onnxruntime-web';
import { createSession, Tensor } from 'qwasm';
import { quantize } from 'qwasm/quantize';
import { rng } from './support/real-models.mjs';
import { opts } from './helpers.mjs';

ortweb.env.wasm.numThreads = 1;
const ROOT = new URL('../../', import.meta.url).pathname;
const TOOL = join(ROOT, 'build/native/tools/qwasm-quantize');
const dir = mkdtempSync(join(tmpdir(), 'qwasm-quantize-awq-'));
const FLOAT = join(dir, 'awq.onnx');
execFileSync('/usr/bin/python3', [join(ROOT, 'tools/models/make_awq_models.py'), FLOAT]);
const floatBytes = new Uint8Array(readFileSync(FLOAT));
const K = 64, ROWS = 24, OUTPUTS = ['y2', 'y3', 'y4', 'y5'];

// Gaussian-ish inputs (sum of 4 uniforms), every 9th channel 10x larger: activation outliers.
function feeds(seed, n) {
  const r = rng(seed);
  return Array.from({ length: n }, () => {
    const x = new Float32Array(ROWS * K);
    for (let i = 0; i < x.length; ++i) x[i] = (r() + r() + r() + r() - 2) * 1.7 * (i % K % 9 === 4 ? 10 : 1);
    return { x: new Tensor('float32', x, [ROWS, K]) };
  });
}
const calibration = feeds(11, 4), heldOut = feeds(99, 4);

async function qwasmOutputs(model) {
  const s = await createSession(model, opts());
  try {
    const out = [];
    for (const f of heldOut) out.push(await s.run(f));
    return out;
  } finally {
    s.dispose();
  }
}
async function ortOutputs(model) {
  const s = await ortweb.InferenceSession.create(model);
  try {
    const out = [];
    for (const f of heldOut) out.push(await s.run({ x: new ortweb.Tensor('float32', f.x.data, f.x.dims) }));
    return out;
  } finally {
    await s.release();
  }
}
const want = await ortOutputs(floatBytes);
// mean squared error against the float model over every output of every held-out feed
function mse(got) {
  let e = 0, n = 0;
  got.forEach((o, j) => OUTPUTS.forEach((y) => o[y].data.forEach((v, i) => { e += (v - want[j][y].data[i]) ** 2; ++n; })));
  return e / n;
}
// max |a - b| relative to max |b|, over every output
function relDiff(a, b) {
  let d = 0, m = 0;
  a.forEach((o, j) => OUTPUTS.forEach((y) => o[y].data.forEach((v, i) => {
    d = Math.max(d, Math.abs(v - b[j][y].data[i]));
    m = Math.max(m, Math.abs(b[j][y].data[i]));
  })));
  return d / m;
}
const detail = (r, node) => r.report.find((e) => e.node === node)?.detail ?? '';

test('awq: the 1/s lands in the LayerNormalization, the Mul, the gated MLP\'s gate columns and an inserted Mul; qwasm = onnxruntime-web; below rtn vs float', async () => {
  // accuracyLevel 0 (float activations): onnxruntime-web's MatMulNBits then computes what qwasm does
  const w = { bits: 4, blockSize: 32, accuracyLevel: 0 };
  const rtn = await quantize(floatBytes, { weights: w });
  const awq = await quantize(floatBytes, { weights: { ...w, algorithm: 'awq' }, calibration: { data: calibration } });
  assert.match(detail(awq, 'mm1'), /awq alpha [0-9.]+ .*folded into LayerNormalization 'ln'/);
  assert.match(detail(awq, 'mm3'), /folded into Mul 'mul'/);
  assert.match(detail(awq, 'mm4'), /inserted Mul/);
  assert.match(detail(awq, 'mmd'), /folded into the columns of MatMul 'mmg' \(input 0 of Mul 'glu'\)/);
  assert.equal(detail(awq, 'mmu'), detail(awq, 'mm1'));  // one group, one s
  assert.equal(awq.report.filter((e) => e.action === 'MatMulNBits').length, 7);
  const q = await qwasmOutputs(awq.model), o = await ortOutputs(awq.model);
  const d = relDiff(q, o);
  assert.ok(d <= 1e-4, `awq model: max |qwasm - onnxruntime-web| / max |y| = ${d}`);
  const eRtn = mse(await qwasmOutputs(rtn.model)), eAwq = mse(q), eAwqOrt = mse(o);
  console.log(`awq vs float: held-out output MSE rtn ${eRtn.toPrecision(4)}, awq ${eAwq.toPrecision(4)} (qwasm), ${eAwqOrt.toPrecision(4)} (onnxruntime-web); ratio ${(eAwq / eRtn).toFixed(3)}; qwasm vs onnxruntime-web ${d.toExponential(2)}`);
  assert.ok(eAwq < 0.8 * eRtn, `awq MSE ${eAwq} not below 0.8 x rtn ${eRtn}`);
  // the default accuracy level (int8 activations in qwasm) keeps the gain
  const awq4 = await quantize(floatBytes, { weights: { bits: 4, algorithm: 'awq' }, calibration: { data: calibration } });
  const e4 = mse(await qwasmOutputs(awq4.model));
  assert.ok(e4 < 0.8 * eRtn, `awq (accuracy level 4) MSE ${e4} not below 0.8 x rtn ${eRtn}`);
});

test('awq: the clipping search (default) lowers the held-out error below the scales alone; awqClip false turns it off; 8 bits keeps the MatMulNBits blocks it searched', async () => {
  const w = { bits: 4, blockSize: 32, accuracyLevel: 0, algorithm: 'awq' };
  const clip = await quantize(floatBytes, { weights: w, calibration: { data: calibration } });
  const scalesOnly = await quantize(floatBytes, { weights: { ...w, awqClip: false }, calibration: { data: calibration } });
  assert.match(detail(clip, 'mm1'), /awq alpha [0-9.]+ .*clipped \d+ of \d+ blocks/);
  assert.doesNotMatch(detail(scalesOnly, 'mm1'), /clipped/);
  const eClip = mse(await qwasmOutputs(clip.model)), eScales = mse(await qwasmOutputs(scalesOnly.model));
  console.log(`awq vs float: held-out output MSE scales only ${eScales.toPrecision(4)}, with clipping ${eClip.toPrecision(4)} (ratio ${(eClip / eScales).toFixed(3)})`);
  assert.ok(eClip < eScales, `awq with clipping MSE ${eClip} not below scales only ${eScales}`);
  const q8 = await quantize(floatBytes, { weights: { bits: 8, algorithm: 'awq' }, calibration: { data: calibration } });
  assert.equal(q8.report.filter((e) => e.action === 'MatMulNBits' && /^\[\d+, \d+\] 8-bit, block 32/.test(e.detail)).length, 7);
  await assert.rejects(quantize(floatBytes, { weights: { algorithm: 'awq', awqClip: 1 }, calibration: { data: calibration } }), /weights.awqClip must be a boolean/);
});

for (const mode of ['dynamic', 'static']) {
  test(`smoothQuant (${mode}): qwasm = onnxruntime-web; int8 error vs float below ${mode} without it`, async () => {
    const base = { mode, keepFloat: 0, ...(mode === 'static' ? { calibration: { data: calibration } } : {}) };
    const plain = await quantize(floatBytes, base);
    const sq = await quantize(floatBytes, { ...base, smoothQuant: { alpha: 0.5 }, calibration: { data: calibration } });
    assert.match(detail(sq, 'mm4'), /smoothQuant alpha 0\.50, 1\/s in an inserted Mul/);
    const q = await qwasmOutputs(sq.model), o = await ortOutputs(sq.model);
    const d = relDiff(q, o);
    // both integer-exact; the float rescales and, for static, a rounding at an output pair can differ
    assert.ok(d <= (mode === 'static' ? 2e-2 : 1e-4), `smoothQuant ${mode} model: max |qwasm - onnxruntime-web| / max |y| = ${d}`);
    const ePlain = mse(await qwasmOutputs(plain.model)), eSq = mse(q);
    console.log(`smoothQuant ${mode} vs float: held-out output MSE without ${ePlain.toPrecision(4)}, with ${eSq.toPrecision(4)} (onnxruntime-web ${mse(o).toPrecision(4)}); ratio ${(eSq / ePlain).toFixed(3)}; qwasm vs onnxruntime-web ${d.toExponential(2)}`);
    assert.ok(eSq < 0.8 * ePlain, `smoothQuant MSE ${eSq} not below 0.8 x ${ePlain}`);
  });
}

// .npz calibration data for the native tool, as numpy writes it.
function writeNpz(path, feedsList) {
  const raw = join(dir, 'calib.f32');
  writeFileSync(raw, Buffer.concat(feedsList.map((f) => Buffer.from(f.x.data.buffer, f.x.data.byteOffset, f.x.data.byteLength))));
  mkdirSync(path, { recursive: true });
  execFileSync('/usr/bin/python3', ['-c', `import sys, os, numpy as np
a = np.fromfile(sys.argv[1], np.float32).reshape(-1, ${ROWS}, ${K})
for k, x in enumerate(a): np.savez(os.path.join(sys.argv[2], 'feed_%d.npz' % k), x=x)`, raw, path]);
}

test('the native qwasm-quantize tool: --mode weight-only --bits 4 --algorithm gptq|awq --calib', { skip: !existsSync(TOOL) && 'build/native/tools/qwasm-quantize is not built' }, async () => {
  const calib = join(dir, 'calib-npz');
  writeNpz(calib, calibration);
  const eRtn = mse(await qwasmOutputs((await quantize(floatBytes, { weights: { bits: 4 } })).model));
  for (const algorithm of ['gptq', 'awq']) {
    const out = join(dir, `native-${algorithm}.onnx`);
    const log = execFileSync(TOOL, ['--mode', 'weight-only', '--bits', '4', '--algorithm', algorithm, '--calib', calib, FLOAT, out], { encoding: 'utf8' });
    assert.match(log, algorithm === 'awq' ? /mm1 .*MatMulNBits .*awq alpha/ : /mm1 .*MatMulNBits .*gptq/);
    const model = new Uint8Array(readFileSync(out));
    const q = await qwasmOutputs(model), o = await ortOutputs(model);
    const e = mse(q);
    console.log(`native ${algorithm}: held-out output MSE ${e.toPrecision(4)} (rtn ${eRtn.toPrecision(4)}), onnxruntime-web ${mse(o).toPrecision(4)}`);
    // GPTQ's gain needs more calibration rows than these 96 on 64 outlier-heavy inputs (with 4
    // feeds it overfits y4 / y5 here); it is shown in quantizer-gptq.test.mjs. AWQ's shows here.
    if (algorithm === 'awq') assert.ok(e < 0.8 * eRtn, `native awq MSE ${e} not below 0.8 x rtn ${eRtn}`);
    // the JS quantizer on the same data: the same method, so the same gain (the float
    // model ran natively there and in wasm here, so scales may differ in the last bit)
    const js = await quantize(floatBytes, { weights: { bits: 4, algorithm }, calibration: { data: calibration } });
    const ej = mse(await qwasmOutputs(js.model));
    assert.ok(Math.abs(ej - e) <= 0.05 * e, `native ${algorithm} MSE ${e}, JS ${ej}`);
  }
  for (const algorithm of ['gptq', 'awq']) {
    assert.throws(() => execFileSync(TOOL, ['--algorithm', algorithm, FLOAT, join(dir, 'x.onnx')], { stdio: 'pipe' }),
      new RegExp(`algorithm '${algorithm}' needs calibration data`));
  }
  const sq = join(dir, 'native-sq.onnx');
  assert.match(execFileSync(TOOL, ['--mode', 'dynamic', '--smooth-quant', '0.5', '--calib', calib, FLOAT, sq], { encoding: 'utf8' }), /smoothQuant alpha 0\.50/);
});

test('awq / gptq / smoothQuant bad input is a clear Error', async () => {
  for (const algorithm of ['awq', 'gptq']) {
    await assert.rejects(quantize(floatBytes, { weights: { algorithm } }), new RegExp(`weights.algorithm '${algorithm}' needs calibration data`));
    const q = (data) => quantize(floatBytes, { weights: { algorithm }, calibration: { data } });
    await assert.rejects(q([{ image: calibration[0].x }]), /calibration feed 0 .*unknown input 'image'/);
    await assert.rejects(q([calibration[0], { x: new Tensor('int64', new BigInt64Array(ROWS * K), [ROWS, K]) }]), /calibration feed 1 .*input 'x': expected float32, got int64/);
    await assert.rejects(q([{ x: new Tensor('float32', new Float32Array(ROWS * 8), [ROWS, 8]) }]), /calibration feed 0 .*input 'x': expected shape \[rows,64\]/);
    await assert.rejects(q([{}]), /calibration feed 0 .*missing input 'x'/);
  }
  await assert.rejects(quantize(floatBytes, { mode: 'dynamic', weights: { algorithm: 'awq' }, calibration: { data: calibration } }), /algorithm 'awq' is for mode 'weight-only'/);
  await assert.rejects(quantize(floatBytes, { mode: 'dynamic', smoothQuant: { alpha: 0.5 } }), /smoothQuant needs calibration data/);
  await assert.rejects(quantize(floatBytes, { mode: 'dynamic', smoothQuant: { alpha: 1.5 }, calibration: { data: calibration } }), /smoothQuant.alpha must be a number in \[0, 1\]/);
  await assert.rejects(quantize(floatBytes, { smoothQuant: true, calibration: { data: calibration } }), /smoothQuant is for the int8 modes/);
  // the quantizer is usable after the errors
  const ok = await quantize(floatBytes, { mode: 'dynamic', smoothQuant: true, calibration: { data: calibration } });
  assert.match(detail(ok, 'mm1'), /smoothQuant alpha 0\.50, 1\/s folded into LayerNormalization/);
});
