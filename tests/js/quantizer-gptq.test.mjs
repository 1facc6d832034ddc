// qwasm/quantize weights.algorithm 'gptq' on one generated MatMul (tools/models/make_gptq_matmul.py)
// with correlated inputs: the GPTQ model's output error vs the float model (onnxruntime-web) on
// held-out data is lower than round-to-nearest's; the native tool's arithmetic is checked
// against numpy in tests/unit/quantize_gptq_test.cc.
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
const dir = mkdtempSync(join(tmpdir(), 'qwasm-quantize-gptq-'));
const FLOAT = join(dir, 'matmul.onnx');
execFileSync('/usr/bin/python3', [join(ROOT, 'tools/models/make_gptq_matmul.py'), FLOAT]);
const floatBytes = new Uint8Array(readFileSync(FLOAT));
const K = 64, ROWS = 32, F = 6;

// x = latent factors (F per row) mixed into K channels + small noise: strongly correlated inputs
const mixR = rng(5);
const mix = Float64Array.from({ length: F * K }, () => 2 * mixR() - 1);
function feeds(seed, n) {
  const r = rng(seed);
  return Array.from({ length: n }, () => {
    const x = new Float32Array(ROWS * K);
    for (let i = 0; i < ROWS; ++i) {
      const lat = Array.from({ length: F }, () => 2 * r() - 1);
      for (let k = 0; k < K; ++k) {
        let s = 0.05 * (2 * r() - 1);
        for (let f = 0; f < F; ++f) s += lat[f] * mix[f * K + k];
        x[i * K + k] = s;
      }
    }
    return { x: new Tensor('float32', x, [ROWS, K]) };
  });
}
const calibration = feeds(11, 4), heldOut = feeds(99, 4);

async function outputs(model) {
  const s = await createSession(model, opts());
  try {
    const out = [];
    for (const f of heldOut) out.push((await s.run(f)).y.data);
    return out;
  } finally {
    s.dispose();
  }
}

test('gptq: lower held-out output error than rtn', async () => {
  const ref = await ortweb.InferenceSession.create(floatBytes);
  const want = [];
  for (const f of heldOut) want.push((await ref.run({ x: new ortweb.Tensor('float32', f.x.data, f.x.dims) })).y.data);
  await ref.release();
  const mse = (got) => {
    let e = 0, n = 0;
    got.forEach((g, j) => g.forEach((v, i) => { e += (v - want[j][i]) ** 2; ++n; }));
    return e / n;
  };
  const rtn = await quantize(floatBytes, { weights: { bits: 4, blockSize: 32 } });
  const gptq = await quantize(floatBytes, { weights: { bits: 4, blockSize: 32, algorithm: 'gptq' }, calibration: { data: calibration } });
  assert.match(gptq.report.find((r) => r.node === 'MatMul_0').detail, /gptq/);
  const eRtn = mse(await outputs(rtn.model)), eGptq = mse(await outputs(gptq.model));
  console.log(`gptq vs float: held-out output MSE rtn ${eRtn.toPrecision(4)}, gptq ${eGptq.toPrecision(4)} (ratio ${(eGptq / eRtn).toFixed(3)})`);
  assert.ok(eGptq < 0.8 * eRtn, `gptq MSE ${eGptq} not below 0.8 x rtn ${eRtn}`);
  await assert.rejects(quantize(floatBytes, { mode: 'dynamic', weights: { algorithm: 'gptq' } }),
    /algorithm 'gptq' is for mode 'weight-only'/);
});
