// The JS API checks, run inside the page for one wasm variant (?simd=...).
// Results go to window.__qwasmResults for the Playwright runner.
import { createSession, features, Tensor } from '../../js/index.js';
import { loadCausalLM } from '../../js/llm.js';
import * as ort from '../../js/ort.js';
import { assert, check, publish } from './page-checks.mjs';

const simd = new URLSearchParams(location.search).get('simd') || 'auto';
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

await check(`threads in a cross-origin isolated page (${simd})`, async () => {
  assert(globalThis.crossOriginIsolated === true, 'the test server sends COOP/COEP, so the page is isolated');
  assert((await features()).threads === true, 'features().threads');
  // The q4 LM's prefill logits, byte for byte, on 1 thread (plain build) and 2 (threaded build).
  const lm = new URL('../../models/tinylm/onnx/model_q4.onnx', location.href).href;
  const prompt = [72, 101, 108, 108, 111, 44, 32, 77, 114, 46, 32, 68, 97, 114, 99, 121];
  const outs = [];
  for (const threads of [1, 2]) {
    const s = await createSession(lm, { simd, threads });
    assert(s.threads === threads, `session.threads ${s.threads}, asked ${threads}`);
    const T = prompt.length, feeds = {};
    for (const m of s.inputMetadata) {
      if (m.name === 'input_ids') feeds[m.name] = new Tensor('int64', BigInt64Array.from(prompt, BigInt), [1, T]);
      else if (m.name === 'attention_mask') feeds[m.name] = new Tensor('int64', new BigInt64Array(T).fill(1n), [1, T]);
      else if (m.name === 'position_ids') feeds[m.name] = new Tensor('int64', BigInt64Array.from(prompt.keys(), BigInt), [1, T]);
      else feeds[m.name] = new Tensor('float32', new Float32Array(0), m.dims.map((d) => (typeof d === 'number' ? d : /batch/.test(d) ? 1 : 0)));
    }
    const { logits } = await s.run(feeds, { outputs: ['logits'] });
    outs.push(new Uint8Array(logits.data.buffer, logits.data.byteOffset, logits.data.byteLength));
    s.dispose();
  }
  assert(outs[0].length > 0 && outs[0].length === outs[1].length, 'logits sizes');
  assert(outs[0].every((b, i) => b === outs[1][i]), 'logits differ between 1 and 2 threads');
});

await check(`qwasm/llm text in / text out on the embedded model folder (${simd})`, async () => {
  const dir = new URL('../../models/tinylm/', location.href).href;
  const expected = await (await fetch(dir + 'expected_greedy.json')).json();
  const lm = await loadCausalLM(dir, { simd, threads: 1 });
  assert(JSON.stringify(lm.tokenizer.encode(expected.prompt)) === JSON.stringify(expected.prompt_ids), 'prompt ids');
  let text = '';
  for await (const piece of lm.generateText(expected.prompt, { maxNewTokens: expected.generated_ids.length })) text += piece;
  lm.dispose();
  assert(expected.prompt + text === expected.text, `generated ${JSON.stringify(text)}`);
});

await check(`qwasm/ort: an onnxruntime-web-shaped session (${simd})`, async () => {
  const bytes = new Uint8Array(await (await fetch(data('add.onnx'))).arrayBuffer());
  const s = await ort.InferenceSession.create(bytes, { simd, threads: 1, executionProviders: ['wasm'] });
  const feeds = {};
  for (const m of s.inputMetadata) {
    assert(m.isTensor === true && m.type === 'float32', JSON.stringify(m));
    const n = m.shape.reduce((a, d) => a * (typeof d === 'number' ? d : 2), 1);
    feeds[m.name] = new ort.Tensor('float32', Float32Array.from({ length: n }, (_, i) => i + 1), m.shape.map((d) => (typeof d === 'number' ? d : 2)));
  }
  const out = await s.run(feeds);
  const t = out[s.outputNames[0]];
  assert(t instanceof ort.Tensor && t.location === 'cpu', 'output is an ort.Tensor on the cpu');
  const [a, b] = Object.values(feeds);
  assert(t.data.every((v, i) => v === a.data[i] + b.data[i]), `sum ${t.data}`);
  await s.release();
});

publish();
