// qwasm/quantize mode 'dynamic' on an ai.onnx opset-9 model (tools/models/make_opset9_model.py):
// the mode raises the opset to 11 (DynamicQuantizeLinear), where Clip and Slice take inputs, not
// attributes. Before, the output kept the opset-9 Clip / Slice nodes under opset 11 (neither
// qwasm nor onnxruntime-web loaded PP-OCR's dynamic models, "Slice ... required input 1 is
// missing"); now they are rewritten in the opset-11 form and the quantized model runs in both,
// close to the float model in onnxruntime-web; an op changed in a way not rewritten (Pad-2) is a
// clear Error, not a broken model.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
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
const dir = mkdtempSync(join(tmpdir(), 'qwasm-quantize-opset-'));
function model(...args) {
  const path = join(dir, `opset9${args.join('')}.onnx`);
  execFileSync('/usr/bin/python3', [join(ROOT, 'tools/models/make_opset9_model.py'), path, ...args]);
  return new Uint8Array(readFileSync(path));
}
const r = rng(5);
const x = Float32Array.from({ length: 64 }, () => 4 * r() - 2);  // [-2, 2): Clip(-0.5, 0.5) cuts most

async function ort(bytes) {
  const s = await ortweb.InferenceSession.create(bytes);
  try {
    return (await s.run({ x: new ortweb.Tensor('float32', x, [2, 32]) })).y;
  } finally {
    await s.release();
  }
}

test('dynamic int8 on an opset-9 model rewrites Clip / Slice for opset 11 and runs in qwasm and onnxruntime-web', async () => {
  const float = model();
  const want = await ort(float);
  assert.deepEqual(want.dims, [2, 8]);
  assert.ok(want.data.some((v) => v === 1), 'the float output reaches the final Clip max 1.0 somewhere');
  const { model: q, report } = await quantize(float, { mode: 'dynamic' });
  assert.deepEqual(report.map((e) => [e.node, e.action]), [['mm', 'MatMulInteger']]);
  const s = await createSession(q, opts());
  let got;
  try {
    got = (await s.run({ x: new Tensor('float32', x, [2, 32]) })).y;
  } finally {
    s.dispose();
  }
  const gotOrt = await ort(q);
  const peak = Math.max(...want.data.map(Math.abs));
  for (const [name, y] of [['qwasm', got], ['onnxruntime-web', gotOrt]]) {
    assert.deepEqual(y.dims, [2, 8], name);
    for (let i = 0; i < 16; ++i) {
      assert.ok(Math.abs(y.data[i] - want.data[i]) <= 0.03 * peak, `${name} [${i}]: ${y.data[i]} vs float ${want.data[i]}`);
      assert.ok(y.data[i] <= 1, `${name} [${i}] ${y.data[i]} above the Clip max`);
    }
  }
});

test('dynamic int8 refuses an opset-9 op it does not rewrite (Pad-2) with a clear Error', async () => {
  await assert.rejects(quantize(model('--pad'), { mode: 'dynamic' }),
    /raises the model's ai\.onnx opset from 9 to 11 \(DynamicQuantizeLinear\), which changes Pad \(node 'pad'\)/);
});
