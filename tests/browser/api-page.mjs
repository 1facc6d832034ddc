// The JS API checks, run inside the page for one wasm variant (?simd=...).
// Results go to window.__qwasmResults for the Playwright runner.
import { createSession, features, Tensor } from '../../js/index.js';

const simd = new URLSearchParams(location.search).get('simd') || 'auto';
const results = [];
const log = (s) => { document.getElementById('log').textContent += s + '\n'; };

async function check(name, fn) {
  try {
    await fn();
    results.push({ name, ok: true });
    log(`ok   ${name}`);
  } catch (e) {
    results.push({ name, ok: false, error: String(e?.stack || e) });
    log(`FAIL ${name}: ${e}`);
  }
}
const assert = (c, msg) => { if (!c) throw new Error(msg); };
const data = (n) => new URL(`../data/${n}`, location.href).href;

await check('features', async () => {
  const f = await features();
  assert(f.simd128 === true, 'simd128');
  assert(['relaxed', 'simd128'].includes(f.variant), `variant ${f.variant}`);
  assert(typeof f.threads === 'boolean', 'threads');
});

await check(`add model from URL (${simd})`, async () => {
  const s = await createSession(data('add.onnx'), { simd });
  assert(simd === 'auto' || s.variant === simd, `variant ${s.variant}`);
  const a = new Tensor('float32', Float32Array.from([1, 2, 3]), [1, 3]);
  const { y } = await s.run({ a, b: a });
  assert(Array.from(y.data).join() === '2,4,6', `y = ${Array.from(y.data)}`);
  s.dispose();
});

await check('MLP from a fetch Response matches numpy', async () => {
  const ref = await (await fetch(data('mlp.expected.json'))).json();
  const s = await createSession(await fetch(data('mlp.onnx')), { simd });
  const { probs } = await s.run({ x: new Tensor('float32', Float32Array.from(ref.x), ref.dims) });
  ref.probs.forEach((p, i) => assert(Math.abs(probs.data[i] - p) < 1e-5, `probs[${i}]`));
  s.dispose();
});

await check('Blob and external data resolved against the model URL', async () => {
  const blob = await (await fetch(data('mlp.onnx'))).blob();
  const s1 = await createSession(blob, { simd });
  s1.dispose();
  const s2 = await createSession(data('external.onnx'), { simd });
  const { y } = await s2.run({ x: new Tensor('float32', new Float32Array(1024).fill(2), [1, 1024]) });
  assert(y.data[3] === 3, `y[3] = ${y.data[3]}`);
  s2.dispose();
});

await check('errors are Error objects and the runtime stays usable', async () => {
  let err;
  try { await createSession(new Uint8Array([0x0a, 0xff, 0xff]), { simd }); } catch (e) { err = e; }
  assert(err instanceof Error && /not a valid ONNX/.test(err.message), `got ${err}`);
  err = undefined;
  try { await createSession(data('unsupported.onnx'), { simd }); } catch (e) { err = e; }
  assert(err instanceof Error && /FancyOp/.test(err.message), `got ${err}`);
  const s = await createSession(data('add.onnx'), { simd });
  s.dispose();
});

window.__qwasmResults = results;
