// qwasm/quantize weights.type 'float8e4m3fn' (weight-only): per-output-channel float8 weights
// behind DequantizeLinear (opset 19) -> MatMul. The stored codes and scales equal the numpy
// reference (tools/models/float8_weights.py check), the model runs in qwasm and in
// onnxruntime-web with the same outputs and stays close to the float model; bad options and a
// model below opset 19 are clear errors.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ortweb from 'onnxruntime-web';
import { createSession, Tensor } from 'qwasm';
import { quantize } from 'qwasm/quantize';
import { hfModels } from './support/hf-models.mjs';
import { cosine, opts } from './helpers.mjs';

ortweb.env.wasm.numThreads = 1;
const ROOT = new URL('../../', import.meta.url).pathname;
const TOOL = join(ROOT, 'tools/models/float8_weights.py');
const dir = mkdtempSync(join(tmpdir(), 'qwasm-quantize-f8-'));
const FLOAT = join(dir, 'mlp.onnx');
execFileSync('/usr/bin/python3', [TOOL, 'make', FLOAT]);
const floatBytes = new Uint8Array(readFileSync(FLOAT));

const B = 5;
const x = Float32Array.from({ length: B * 64 }, (_, i) => Math.sin(i * 0.37) * 2);
async function runQwasm(model) {
  const s = await createSession(model, opts());
  const { y } = await s.run({ x: new Tensor('float32', x, [B, 64]) });
  s.dispose();
  return y.data;
}
async function runOrt(model) {
  const s = await ortweb.InferenceSession.create(model);
  const { y } = await s.run({ x: new ortweb.Tensor('float32', x, [B, 64]) });
  await s.release();
  return y.data;
}

test('float8 E4M3FN weights: numpy-equal codes, qwasm == onnxruntime-web, close to float', async () => {
  const before = floatBytes.slice();
  const { model, report } = await quantize(floatBytes, { weights: { type: 'float8e4m3fn' } });
  assert.deepEqual(floatBytes, before, 'the source was modified');
  assert.deepEqual(report.map((r) => [r.node, r.action]), [['fc1', 'DequantizeLinear'], ['fc2', 'DequantizeLinear']]);
  assert.ok(report.every((r) => /float8 E4M3FN/.test(r.detail)), JSON.stringify(report));
  const out = join(dir, 'mlp.f8.onnx');
  writeFileSync(out, model);
  const check = execFileSync('/usr/bin/python3', [TOOL, 'check', FLOAT, out], { encoding: 'utf8' });
  assert.match(check, /^2 float8 weights compared, 0 wrong/);
  // float8 is 1 byte per weight, as int8; the scales add 4 bytes per column.
  assert.ok(model.length < floatBytes.length / 3, `${model.length} B vs float ${floatBytes.length} B`);
  const [q, o, f] = [await runQwasm(model), await runOrt(model), await runOrt(floatBytes)];
  const maxDiff = q.reduce((m, v, i) => Math.max(m, Math.abs(v - o[i])), 0);
  assert.ok(maxDiff < 1e-5, `qwasm vs onnxruntime-web on the float8 model: ${maxDiff}`);
  const cos = cosine(q, f);
  console.log(`# float8 weights: output cosine vs float ${cos.toFixed(6)}, qwasm vs onnxruntime-web max diff ${maxDiff}`);
  assert.ok(cos > 0.999, `cosine vs float ${cos}`);
});

test('float8: bad options and a model below opset 19 are clear errors', async () => {
  await assert.rejects(quantize(floatBytes, { weights: { type: 'float8e4m3fn', bits: 4 } }), (e) => e instanceof TypeError && /8-bit floats/.test(e.message));
  await assert.rejects(quantize(floatBytes, { mode: 'dynamic', weights: { type: 'float8e4m3fn' } }), (e) => e instanceof TypeError && /weight-only/.test(e.message));
  await assert.rejects(quantize(floatBytes, { weights: { type: 'float8e5m2' } }), (e) => e instanceof TypeError && /float8e4m3fn/.test(e.message));
  const bert = new Uint8Array(readFileSync(`${hfModels()}/bert-tiny/onnx/model.onnx`));  // opset < 19
  await assert.rejects(quantize(bert, { weights: { type: 'float8e4m3fn' } }), /opset 19 or later; the model imports ai.onnx opset \d+/);
  // Still usable afterwards.
  const { report } = await quantize(floatBytes, { weights: { type: 'float8e4m3fn' } });
  assert.equal(report.length, 2);
});
