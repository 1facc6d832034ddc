// Float16 models end to end against onnxruntime-web (wasm, one thread) in the same process:
// the common float ops one node at a time and in chains with float16 values between them
// (tools/models/make_fp16_models.py, generated at test time), and the q4f16 decoder form over a
// prefill and decode steps. (transformers.js with dtype 'q4f16' is in transformers.test.mjs.)
//
// Both runtimes compute float16 ops in float32 and round each result to float16 (round to
// nearest even), so they differ only where float32 summation orders or approximations of exp /
// erf / tanh differ and the rounding to float16 then lands on the other side: a few float16
// ulps. Tolerance per element: |qwasm - ort| <= abs + rel * |ort|, default abs 1e-3, rel 4e-3
// (4 ulps; float16's epsilon is 2^-10). Cases with accuracy_level 4 MatMulNBits quantize A to
// int8 per block in qwasm, as that level allows, where onnxruntime-web computes in float:
// their tolerance is stated with them.
//
// Float16 data is Uint16Array bits (the pinned API); Node 20 and 22 have no Float16Array, and
// where there is one, onnxruntime-web's outputs may come as Float16Array (f16Values reads both).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ortweb from 'onnxruntime-web';
import { createSession, Tensor } from 'qwasm';
import * as ort from 'qwasm/ort';
import { f16Values, f32ToF16, seeded } from './support/float16.mjs';
import { opts, SIMD, THREADS } from './helpers.mjs';

ortweb.env.wasm.numThreads = 1;
ortweb.env.wasm.wasmPaths = new URL('../../node_modules/onnxruntime-web/dist/', import.meta.url).href;

const DEFAULT_TOL = { abs: 1e-3, rel: 4e-3 };
const TOL = {
  // int8 A per block (1/254 of the block's largest |a| per element), summed over K = 64
  matmulnbits_acc4: { abs: 3e-2, rel: 2e-2 },
  matmulnbits_symmetric: { abs: 3e-2, rel: 2e-2 },
  // a LayerNormalization after a residual sum amplifies the sum's last-bit differences
  chain_mlp: { abs: 3e-3, rel: 8e-3 },
  chain_attention: { abs: 2e-3, rel: 8e-3 },
};

const dir = mkdtempSync(join(tmpdir(), 'qwasm-fp16-'));
execFileSync('/usr/bin/python3', [new URL('../../tools/models/make_fp16_models.py', import.meta.url).pathname, dir],
  { stdio: 'pipe' });
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));

const ARRAYS = { float16: Uint16Array, float32: Float32Array };
function feedsFor(c, seed) {
  const rnd = seeded(seed);
  const out = {};
  for (const i of c.inputs) {
    const n = i.dims.reduce((a, b) => a * b, 1);
    const v = Array.from({ length: n }, () => i.lo + (i.hi - i.lo) * rnd());
    out[i.name] = { type: i.type, data: i.type === 'float16' ? Uint16Array.from(v, f32ToF16) : ARRAYS[i.type].from(v), dims: i.dims };
  }
  return out;
}

const values = (t) => (t.type === 'float16' ? f16Values(t.data) : Array.from(t.data, Number));

// Worst excess over the tolerance (<= 0 means within it) and the largest difference.
function compare(got, want, tol) {
  const g = values(got), w = values(want);
  let worst = -Infinity, maxDiff = 0, at = -1;
  for (let i = 0; i < w.length; ++i) {
    if (Number.isNaN(w[i]) && Number.isNaN(g[i])) continue;
    const d = g[i] === w[i] ? 0 : Math.abs(g[i] - w[i]);
    const excess = d - (tol.abs + tol.rel * Math.abs(w[i]));
    if (excess > worst) worst = excess, at = i;
    maxDiff = Math.max(maxDiff, d);
  }
  return { ok: !(worst > 0), maxDiff, at, got: g[at], want: w[at] };
}

function assertClose(name, got, want, tol) {
  assert.equal(got.type, want.type, `${name}: type`);
  assert.deepEqual([...got.dims], [...want.dims], `${name}: dims`);
  const r = compare(got, want, tol);
  assert.ok(r.ok, `${name}: element ${r.at} = ${r.got}, onnxruntime-web ${r.want} (max |diff| ${r.maxDiff}, ` +
    `tolerance ${tol.abs} + ${tol.rel} * |ort|)`);
}

test(`float16 ops (${manifest.length} generated cases, one model) match onnxruntime-web`, async () => {
  const path = join(dir, 'fp16_ops.onnx');
  const feeds = {};
  for (const c of manifest) Object.assign(feeds, feedsFor(c, 7));
  const ref = await ortweb.InferenceSession.create(path);
  const want = await ref.run(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ortweb.Tensor(t.type, t.data, t.dims)])));
  await ref.release();
  const s = await createSession(path, opts());
  const got = await s.run(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new Tensor(t.type, t.data, t.dims)])));
  s.dispose();
  const failures = [];
  for (const c of manifest) {
    for (const name of c.outputs) {
      try {
        assertClose(name, got[name], want[name], TOL[c.name] ?? DEFAULT_TOL);
      } catch (e) {
        failures.push(e.message);
      }
    }
  }
  assert.deepEqual(failures, []);
});

// Decoders in the q4f16 form (tools/models/make_decoder.py --style genai --separate-rotary
// --fp16: GroupQueryAttention, RotaryEmbedding, (Skip)SimplifiedLayerNormalization,
// MatMulNBits with float16 A / scales / output, a float16 KV cache) through qwasm/ort (the
// namespace transformers.js uses) and onnxruntime-web: a 6-token prefill, then decode steps
// feeding each runtime its own present cache back. With accuracy_level 0 both compute in float
// (measured: within 1 float16 ulp of the logits, 0.002); with 4 qwasm quantizes A to int8 per
// block, as the level allows, and onnxruntime-web's float16 path does not (measured 0.04).
// One more at level 0 has the rotation inside GroupQueryAttention (do_rotary=1, float16 caches).
function decoder(level, separateRotary) {
  const path = join(dir, `decoder_q4f16_acc${level}${separateRotary ? '' : '_gqa_rotary'}.onnx`);
  execFileSync('/usr/bin/python3', [new URL('../../tools/models/make_decoder.py', import.meta.url).pathname, path,
    '--style', 'genai', '--fp16', '--accuracy-level', String(level), ...(separateRotary ? ['--separate-rotary'] : [])],
  { stdio: 'pipe' });
  return path;
}

const FLOAT_TOL = { abs: 4e-3, rel: 4e-3 };
for (const [level, separate, tol] of [[0, true, FLOAT_TOL], [0, false, FLOAT_TOL], [4, true, { abs: 8e-2, rel: 2e-2 }]]) {
  const form = separate ? 'RotaryEmbedding nodes' : 'rotary inside GroupQueryAttention';
  test(`q4f16 decoder (${form}), accuracy_level ${level}: logits and the float16 KV cache match onnxruntime-web within ${tol.abs} + ${tol.rel} * |ort|`, async () => {
    const model = decoder(level, separate);
    ort.env.wasm.simd = SIMD;
    ort.env.wasm.numThreads = THREADS;
    const [q, r] = await Promise.all([ort.InferenceSession.create(model), ortweb.InferenceSession.create(model)]);
    const pastNames = q.inputNames.filter((n) => n.startsWith('past_key_values.'));
    assert.equal(pastNames.length, 4, `past inputs: ${q.inputNames}`);
    assert.equal(q.inputMetadata.find((m) => m.name === pastNames[0]).type, 'float16');
    const feedsOf = (T, tokens, past) => {
      const f = { input_ids: new ortweb.Tensor('int64', BigInt64Array.from(tokens), [1, tokens.length]),
        attention_mask: new ortweb.Tensor('int64', new BigInt64Array(T).fill(1n), [1, T]) };
      for (const n of pastNames) f[n] = past?.[n] ?? new ortweb.Tensor('float16', new Uint16Array(0), [1, 2, 0, 16]);
      return f;
    };
    const presentOf = (out) => Object.fromEntries(pastNames.map((n) => [n, out[n.replace('past_key_values', 'present')]]));
    let tokens = [1n, 17n, 42n, 99n, 5n, 230n], T = tokens.length, pq, pr;
    for (let step = 0; step < 4; ++step) {
      const [gq, gr] = await Promise.all([q.run(feedsOf(T, tokens, pq)), r.run(feedsOf(T, tokens, pr))]);
      assertClose(`step ${step} logits`, gq.logits, gr.logits, tol);
      for (const n of pastNames) {
        const p = n.replace('past_key_values', 'present');
        assertClose(`step ${step} ${p}`, gq[p], gr[p], tol);
      }
      pq = presentOf(gq), pr = presentOf(gr);
      tokens = [BigInt(7 + step)];
      T += 1;
    }
    await Promise.all([q.release(), r.release()]);
  });
}

test("Tensor('float16'): Uint16Array bits; a Float16Array is viewed as bits; numbers only through Float16Array", () => {
  const t = new Tensor('float16', Uint16Array.of(0x3e00, 0xc000), [2]);
  assert.deepEqual(f16Values(t.data), [1.5, -2]);
  if (typeof globalThis.Float16Array === 'undefined') {
    assert.throws(() => new Tensor('float16', [1.5, -2], [2]), (e) => e instanceof TypeError && /Float16Array/.test(e.message));
  } else {
    const fromNumbers = new Tensor('float16', [1.5, -2], [2]);
    assert.ok(fromNumbers.data instanceof Uint16Array);
    assert.deepEqual([...fromNumbers.data], [0x3e00, 0xc000]);
    const view = new Tensor('float16', globalThis.Float16Array.of(1.5, -2), [2]);
    assert.deepEqual([...view.data], [0x3e00, 0xc000]);
  }
});
