// qwasm/quantize mode 'static' on a small generated float CNN (tools/models/make_small_cnn.py:
// Conv + Relu, depthwise Conv + Clip, 1x1 Conv, grouped Conv, Gemm and MatMul outputs): the
// QDQ model runs in qwasm on its fused integer kernels (QLinearConv / QLinearMatMul in the
// profile, no float Conv / Gemm / MatMul left) and in onnxruntime-web, both close to the float
// model on held-out inputs; the native tool reads the same calibration data from TensorProto
// and .npy / .npz files (the same bytes from each) and its model matches the JS one's outputs; bad input is a clear Error.
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
import { cosine, opts } from './helpers.mjs';

ortweb.env.wasm.numThreads = 1;
const ROOT = new URL('../../', import.meta.url).pathname;
const TOOL = join(ROOT, 'build/native/tools/qwasm-quantize');
const dir = mkdtempSync(join(tmpdir(), 'qwasm-quantize-static-'));
const FLOAT = join(dir, 'cnn.onnx');
execFileSync('/usr/bin/python3', [join(ROOT, 'tools/models/make_small_cnn.py'), FLOAT], { cwd: join(ROOT, 'tools/models') });
const floatBytes = new Uint8Array(readFileSync(FLOAT));
const DIMS = [2, 3, 16, 16];

function images(seed, n, T = Tensor) {
  const r = rng(seed);
  return Array.from({ length: n }, () => ({ x: new T('float32', Float32Array.from({ length: 2 * 3 * 256 }, () => 3.4 * (r() - 0.5)), DIMS) }));
}
const calibration = images(11, 8);
const heldOut = images(99, 4);


async function runAll(run) {
  const out = [];
  for (const f of heldOut) out.push(await run(f));
  return out;
}
async function qwasmOutputs(model) {
  const s = await createSession(model, opts());
  try {
    s.startProfiling();
    const out = await runAll((f) => s.run(f));
    return { out, ops: s.endProfiling().map((p) => p.op) };
  } finally {
    s.dispose();
  }
}
async function ortOutputs(model) {
  const s = await ortweb.InferenceSession.create(model);
  try {
    return await runAll(async ({ x }) => s.run({ x: new ortweb.Tensor('float32', x.data, x.dims) }));
  } finally {
    await s.release();
  }
}
const floatOut = await ortOutputs(floatBytes);
function minCosine(got, want = floatOut) {
  let m = 1;
  got.forEach((o, i) => { for (const k of ['logits', 'embed']) m = Math.min(m, cosine(o[k].data, want[i][k].data)); });
  return m;
}

const CASES = [
  { name: 'minmax, uint8', options: {}, cos: 0.999 },
  { name: 'minmax, int8 activations, reduceRange', options: { activations: { type: 'int8', reduceRange: true } }, cos: 0.998 },
  { name: 'percentile 99.9', options: { calibration: { method: 'percentile', percentile: 99.9 } }, cos: 0.995 },
  // entropy clips hard with 8 small calibration feeds: 0.926 measured here (qwasm = onnxruntime-web)
  { name: 'entropy', options: { calibration: { method: 'entropy' } }, cos: 0.9 },
];

for (const c of CASES) {
  test(`static ${c.name}: fused integer kernels in qwasm, runs in onnxruntime-web, close to the float model`, async (t) => {
    const before = floatBytes.slice();
    const { model, report } = await quantize(floatBytes, {
      mode: 'static', keepFloat: 0, ...c.options, calibration: { data: calibration, ...c.options.calibration },
    });
    assert.deepEqual(floatBytes, before, 'the source was modified');
    assert.deepEqual(report.map((r) => r.action), Array(6).fill('QDQ'), JSON.stringify(report));
    assert.deepEqual(report.map((r) => r.opType), ['Conv', 'Conv', 'Conv', 'Conv', 'Gemm', 'MatMul']);
    const { out: q, ops } = await qwasmOutputs(model);
    assert.ok(ops.includes('QLinearConv') && ops.includes('QLinearMatMul'), ops.join());
    for (const op of ['Conv', 'Gemm', 'MatMul']) assert.ok(!ops.includes(op), `float ${op} left in ${ops.join()}`);
    const o = await ortOutputs(model);
    const cq = minCosine(q), co = minCosine(o), cqo = minCosine(q, o);
    t.diagnostic(`output cosine vs float: qwasm ${cq.toFixed(5)}, onnxruntime-web ${co.toFixed(5)}; qwasm vs onnxruntime-web ${cqo.toFixed(6)}`);
    assert.ok(cq >= c.cos, `qwasm vs float: cosine ${cq}`);
    assert.ok(co >= c.cos, `onnxruntime-web vs float: cosine ${co}`);
    assert.ok(cqo >= 0.999, `qwasm vs onnxruntime-web: cosine ${cqo}`);
  });
}

test('dynamic on the CNN: ConvInteger for every Conv, MatMulInteger for the Gemm and MatMul; qwasm and onnxruntime-web close to float', async (t) => {
  const { model, report } = await quantize(floatBytes, { mode: 'dynamic' });
  assert.deepEqual(report.map((r) => r.action), ['ConvInteger', 'ConvInteger', 'ConvInteger', 'ConvInteger', 'MatMulInteger', 'MatMulInteger'], JSON.stringify(report));
  const { out: q } = await qwasmOutputs(model);
  const o = await ortOutputs(model);
  t.diagnostic(`output cosine vs float: qwasm ${minCosine(q).toFixed(5)}, onnxruntime-web ${minCosine(o).toFixed(5)}`);
  assert.ok(minCosine(q) >= 0.995, `qwasm ${minCosine(q)}`);
  assert.ok(minCosine(o) >= 0.995, `onnxruntime-web ${minCosine(o)}`);
  assert.ok(minCosine(q, o) >= 0.9999, `qwasm vs onnxruntime-web ${minCosine(q, o)}`);
});

test('the sensitivity pass (default) reports each node\'s cost; keepFloat: 1 leaves the costliest float', async () => {
  async function* feeds() { for (const f of calibration) yield f; }  // an async iterable works too
  const auto = await quantize(floatBytes, { mode: 'static', calibration: { data: feeds() } });
  const cost = (r) => Number(/alone it costs ([0-9.e+-]+)/.exec(r.detail)?.[1]);
  assert.ok(auto.report.every((r) => Number.isFinite(cost(r))), JSON.stringify(auto.report));
  const one = await quantize(floatBytes, { mode: 'static', keepFloat: 1, calibration: { data: calibration } });
  const left = one.report.filter((r) => r.action === 'float');
  assert.equal(left.length, 1, JSON.stringify(one.report));
  assert.match(left[0].detail, /left float by the sensitivity pass/);
  const worst = auto.report.reduce((a, b) => (cost(b) > cost(a) ? b : a));
  assert.equal(left[0].node, worst.node);
  assert.ok(minCosine((await qwasmOutputs(one.model)).out) >= 0.999);
});

// Calibration files for the native tool: TensorProto (field 1 dims, 2 data_type, 8 name,
// 9 raw_data) and .npy (format 1.0), written here from the same feeds.
function varint(n) {
  const b = [];
  for (let v = BigInt(n); ; v >>= 7n) { if (v < 128n) { b.push(Number(v)); return b; } b.push(Number(v & 127n) | 128); }
}
function tensorProto(name, t) {
  const raw = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const nm = new TextEncoder().encode(name);
  return Uint8Array.from([...t.dims.flatMap((d) => [0x08, ...varint(d)]), 0x10, 1, 0x42, ...varint(nm.length), ...nm, 0x4a, ...varint(raw.length), ...raw]);
}
function npy(t) {
  let h = `{'descr': '<f4', 'fortran_order': False, 'shape': (${t.dims.join(', ')}), }`;
  h = h.padEnd(Math.ceil((h.length + 11) / 64) * 64 - 11) + '\n';
  const head = Uint8Array.from([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0, h.length & 255, h.length >> 8, ...new TextEncoder().encode(h)]);
  const out = new Uint8Array(head.length + t.data.byteLength);
  out.set(head);
  out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), head.length);
  return out;
}

test('the native qwasm-quantize tool reads TensorProto, .npy and .npz calibration data; its model matches the JS one', { skip: !existsSync(TOOL) && 'build/native/tools/qwasm-quantize is not built' }, async () => {
  const pb = join(dir, 'calib-pb'), np = join(dir, 'calib-npy'), npz = join(dir, 'calib-npz');
  mkdirSync(np, { recursive: true });
  mkdirSync(npz, { recursive: true });
  calibration.forEach((f, k) => {
    mkdirSync(join(pb, `test_data_set_${k}`), { recursive: true });
    writeFileSync(join(pb, `test_data_set_${k}`, 'input_0.pb'), tensorProto('x', f.x));
    writeFileSync(join(np, `feed_${k}.npy`), npy(f.x));
  });
  // .npz as numpy writes it (np.savez: stored zip entries with zip64 sizes), from the .npy files.
  execFileSync('/usr/bin/python3', ['-c', 'import sys, glob, os, numpy as np\nfor f in sorted(glob.glob(sys.argv[1] + "/*.npy")): np.savez(os.path.join(sys.argv[2], os.path.basename(f)[:-4] + ".npz"), x=np.load(f))', np, npz]);
  // The float model runs natively there and in wasm here, whose float kernels may round
  // differently in the last bit: ranges and so scales can differ by an ulp, so the native
  // result is compared by its outputs; the two file formats must give the same bytes.
  for (const method of ['minmax', 'entropy']) {
    const { model } = await quantize(floatBytes, { mode: 'static', calibration: { data: calibration, method } });
    const files = [];
    for (const calib of [pb, np, npz]) {
      const out = join(dir, `native-${method}-${files.length}.onnx`);
      const log = execFileSync(TOOL, ['--mode', 'static', '--calib', calib, '--calibration-method', method, FLOAT, out], { encoding: 'utf8' });
      assert.match(log, /QDQ/);
      files.push(new Uint8Array(readFileSync(out)));
    }
    assert.deepEqual(files[0], files[1], `${method}: TensorProto and .npy calibration data gave different models`);
    assert.deepEqual(files[0], files[2], `${method}: TensorProto and .npz calibration data gave different models`);
    assert.equal(files[0].length, model.length);
    const c = minCosine((await qwasmOutputs(files[0])).out, (await qwasmOutputs(model)).out);
    assert.ok(c >= 0.9999, `${method}: native vs JS quantized model outputs, cosine ${c}`);
  }
  assert.throws(() => execFileSync(TOOL, ['--mode', 'static', FLOAT, join(dir, 'x.onnx')], { stdio: 'pipe' }), /mode 'static' needs calibration data/);
});

test('static bad input: clear Errors naming the feed and input; the quantizer stays usable', async () => {
  const q = (calib, extra = {}) => quantize(floatBytes, { mode: 'static', keepFloat: 0, calibration: calib, ...extra });
  await assert.rejects(quantize(floatBytes, { mode: 'static' }), /mode 'static' needs calibration data/);
  await assert.rejects(q({ data: [{ image: calibration[0].x }] }), /calibration feed 0 .*unknown input 'image'/);
  await assert.rejects(q({ data: [calibration[0], { x: new Tensor('int64', new BigInt64Array(2 * 768), DIMS) }] }), /calibration feed 1 .*input 'x': expected float32, got int64/);
  await assert.rejects(q({ data: [{ x: new Tensor('float32', new Float32Array(3 * 20 * 16), [1, 3, 20, 16]) }] }), /calibration feed 0 .*input 'x': expected shape \[N,3,16,16\]/);
  await assert.rejects(q({ data: [{}] }), /calibration feed 0 .*missing input 'x'/);
  await assert.rejects(q({ data: [{ x: { type: 'float32', data: new Float32Array(5), dims: [2, 3, 16, 16] } }] }), /calibration feed 0, input 'x': data has 5 elements/);  // a Tensor-shaped object (Tensor itself checks this)
  await assert.rejects(q({ data: 42 }), /calibration.data must be an array or \(async\) iterable/);
  await assert.rejects(q({ data: calibration, method: 'kl' }), /calibration.method must be one of/);
  await assert.rejects(q({ data: calibration }, { ops: ['Add'] }), /op type 'Add' cannot be quantized in mode 'static'/);
  await assert.rejects(quantize(floatBytes, { mode: 'dynamic', calibration: { data: calibration } }), /calibration data is used by mode 'static' and weight-only algorithms/);
  const { model } = await q({ data: calibration });
  await assert.rejects(q({ data: calibration }).then(() => quantize(model, { mode: 'static', calibration: { data: calibration } })), /already quantized \(node 'x_QuantizeLinear' is QuantizeLinear\)/);
  const all = ['Conv_4', 'Conv_12', 'Conv_18', 'Conv_24', 'Gemm_31', 'MatMul_33'];
  await assert.rejects(q({ data: calibration }, { exclude: all }), /no node mode 'static' can quantize.*Conv_12: excluded by options.exclude/);
  const { report } = await q({ data: calibration }, { exclude: ['Conv_12'] });
  assert.ok(report.some((r) => r.node === 'Conv_12' && r.action === 'float'), JSON.stringify(report));
});
