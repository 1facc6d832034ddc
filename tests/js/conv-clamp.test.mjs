// Conv chains ending in Max / Min with a constant (tools/models/make_conv_clamp_model.py,
// generated at test time) against onnxruntime-web (wasm, one thread) in the same process:
// the scalar ones are folded into the Conv's epilogue (the profile has no Max / Min node for
// them), a per-channel constant and a Conv output seen elsewhere keep their own Max node.
// Tolerance 1e-5: both sum the 24-72 products of each output in float32, in their own orders.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ortweb from 'onnxruntime-web';
import { createSession, Tensor } from 'qwasm';
import { opts } from './helpers.mjs';

ortweb.env.wasm.numThreads = 1;

test('scalar Max / Min after a Conv fold into it and match onnxruntime-web', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'qwasm-conv-clamp-')), 'conv_clamp.onnx');
  const script = new URL('../../tools/models/make_conv_clamp_model.py', import.meta.url).pathname;
  execFileSync('/usr/bin/python3', [script, path], { stdio: 'pipe' });
  const dims = [1, 8, 10, 16];
  const x = Float32Array.from({ length: 8 * 10 * 16 }, (_, i) => 2 * Math.sin(i * 0.37));
  const ref = await ortweb.InferenceSession.create(path);
  const want = await ref.run({ x: new ortweb.Tensor('float32', x, dims) });
  await ref.release();
  const s = await createSession(path, opts());
  s.startProfiling();
  const got = await s.run({ x: new Tensor('float32', x, dims) });
  const ops = Object.fromEntries(s.endProfiling().map((r) => [r.op, r.calls]));
  s.dispose();
  for (const name of ['y_wake', 'y_relu6', 'y_chan', 'y_conv', 'y_shared']) {
    const g = got[name].data, w = want[name].data;
    assert.equal(g.length, w.length, name);
    let worst = 0;
    for (let i = 0; i < w.length; ++i) worst = Math.max(worst, Math.abs(g[i] - w[i]));
    assert.ok(worst <= 1e-5, `${name}: max |qwasm - onnxruntime-web| = ${worst}`);
  }
  // The clamps really bind: some outputs sit on the constants.
  assert.ok(got.y_wake.data.some((v) => v === Math.fround(-0.4)), 'y_wake: no value clamped to -0.4');
  assert.ok(got.y_relu6.data.some((v) => v === Math.fround(0.6)) && got.y_relu6.data.some((v) => v === 0), 'y_relu6');
  assert.deepEqual({ Conv: ops.Conv, Max: ops.Max, Min: ops.Min }, { Conv: 4, Max: 2, Min: undefined });
});
