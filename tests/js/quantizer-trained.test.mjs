// qwasm/quantize on a trained float model: the shapes CNN (tools/models/train_shapes_cnn.py,
// committed in tests/data/trained/ with its held-out and calibration images). Static int8 at the
// default options (minmax calibration on the 64 calibration images, the sensitivity pass) keeps
// the held-out accuracy within 2 points of the float model's accuracy in onnxruntime-web, and
// agrees with the float model's top-1 on at least 95% of the 1000 images. The same model with its
// weights as Constant nodes (the form paddle2onnx exports) quantizes to the same outputs, in
// static and dynamic mode.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ortweb from 'onnxruntime-web';
import { createSession, Tensor } from 'qwasm';
import { quantize } from 'qwasm/quantize';
import { TRAINED, argmaxRows, readShapes, shapeFeeds } from './support/trained-shapes.mjs';
import { opts } from './helpers.mjs';

ortweb.env.wasm.numThreads = 1;
const ROOT = new URL('../../', import.meta.url).pathname;
const float = new Uint8Array(readFileSync(TRAINED + 'shapes_cnn.onnx'));
const held = readShapes('shapes_heldout.u8');
const T = (type, data, dims) => new Tensor(type, data, dims);
const heldFeeds = shapeFeeds(held, 100, T);
const calibration = { data: shapeFeeds(readShapes('shapes_calib.u8'), 8, T) };

async function qwasmLogits(model, feeds = heldFeeds) {
  const s = await createSession(model, opts());
  try {
    const out = [];
    for (const f of feeds) out.push((await s.run(f)).logits.data);
    return out;
  } finally {
    s.dispose();
  }
}
async function ortPredictions(model) {
  const s = await ortweb.InferenceSession.create(model);
  try {
    const pred = [];
    for (const f of heldFeeds) pred.push(...argmaxRows((await s.run({ x: new ortweb.Tensor('float32', f.x.data, f.x.dims) })).logits.data, 10));
    return pred;
  } finally {
    await s.release();
  }
}
const accuracy = (pred) => pred.filter((p, i) => p === held.labels[i]).length / held.n;

const fp32Pred = ortPredictions(float);
// Entropy calibration once clipped this CNN's ReLU6 outputs near 1 (the zeros' spike ruled the
// divergence search): 28.9% accuracy. It is held to the same bound as minmax.
for (const method of [undefined, 'entropy']) {
  test(`static int8 (${method ? `${method} calibration` : 'default options'}) keeps the trained CNN within 2 points of fp32 accuracy`, async () => {
    const fp32 = await fp32Pred;
    const fp32Acc = accuracy(fp32);
    // the committed model is a trained one (chance is 10%): a broken export or data file shows here
    assert.ok(fp32Acc > 0.8, `onnxruntime-web fp32 accuracy ${fp32Acc}`);
    const { model, report } = await quantize(float, { mode: 'static', calibration: method ? { ...calibration, method } : calibration });
    assert.ok(report.filter((r) => r.action === 'QDQ').length >= 6, JSON.stringify(report));
    const pred = (await qwasmLogits(model)).flatMap((r) => argmaxRows(r, 10));
    const acc = accuracy(pred), agree = pred.filter((p, i) => p === fp32[i]).length / held.n;
    console.log(`# ${method ?? 'minmax'}: accuracy ${acc} (fp32 ${fp32Acc}), top-1 agreement ${agree}`);
    assert.ok(acc >= fp32Acc - 0.02, `static int8 accuracy ${acc} vs fp32 ${fp32Acc}`);
    assert.ok(agree >= 0.95, `top-1 agreement with fp32 ${agree}`);
  });
}

test('weights as Constant nodes quantize like initializers (static and dynamic)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qwasm-quantize-trained-'));
  const path = join(dir, 'shapes_cnn_constants.onnx');
  execFileSync('/usr/bin/python3', [join(ROOT, 'tools/models/constants_as_nodes.py'), TRAINED + 'shapes_cnn.onnx', path]);
  const constants = new Uint8Array(readFileSync(path));
  const feeds = heldFeeds.slice(0, 2);
  for (const options of [{ mode: 'static', calibration }, { mode: 'dynamic' }]) {
    const a = await quantize(float, options), b = await quantize(constants, options);
    assert.deepEqual(b.report.map((r) => [r.node, r.action]), a.report.map((r) => [r.node, r.action]));
    const [ya, yb] = [await qwasmLogits(a.model, feeds), await qwasmLogits(b.model, feeds)];
    assert.deepEqual(yb, ya, options.mode);
  }
});
