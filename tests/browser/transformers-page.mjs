// transformers.js (its web build) on qwasm through the documented hook, against the same
// transformers.js on its default browser runtime (onnxruntime-web, wasm, one thread) in the same
// page: two instances of the module (the hook is read when the module is evaluated). Models: the
// generated Hugging Face folders the runner writes into build/hf-browser/ (offline).
// Results go to window.__qwasmResults for the Playwright runner.
import * as ortweb from 'onnxruntime-web/webgpu';
import * as ort from '../../js/ort.js';
import { countingHook } from '../js/support/counting-hook.mjs';
import { assert, check, fail, publish } from './page-checks.mjs';

const maxDiff = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

try {
  // onnxruntime-web from this server, not a CDN (transformers.js sets a CDN path when none is set).
  ortweb.env.wasm.wasmPaths = new URL('../../node_modules/@huggingface/transformers/node_modules/onnxruntime-web/dist/', location.href).href;
  ortweb.env.wasm.numThreads = 1;
  ort.env.wasm.numThreads = 1;
  const lib = new URL('../../node_modules/@huggingface/transformers/dist/transformers.web.js', location.href).href;
  const ref = await import(`${lib}?runtime=onnxruntime-web`);
  // Every session transformers.js creates through qwasm, by input names.
  const { hook, created } = countingHook(ort);
  globalThis[Symbol.for('onnxruntime')] = hook;
  const qw = await import(`${lib}?runtime=qwasm`);
  delete globalThis[Symbol.for('onnxruntime')];
  for (const t of [ref, qw]) {
    t.env.allowRemoteModels = false;
    t.env.allowLocalModels = true;
    t.env.useBrowserCache = false;
    // A path, not a URL: transformers.js's web build only probes local files given as paths.
    t.env.localModelPath = new URL('../../build/hf-browser/', location.href).pathname;
  }
  const both = (task, model, options) =>
    Promise.all([ref.pipeline(task, model, { device: 'wasm', ...options }), qw.pipeline(task, model, { device: 'auto', ...options })]);
  const SENTENCES = ['the house was quiet', 'she said nothing at all to her sister'];

  await check('feature-extraction q8 (mean pooling, normalized) equals onnxruntime-web within 1e-3', async () => {
    const [r, q] = await both('feature-extraction', 'bert-tiny', { dtype: 'q8' });
    const want = await r(SENTENCES, { pooling: 'mean', normalize: true });
    const got = await q(SENTENCES, { pooling: 'mean', normalize: true });
    assert(got.dims.join() === '2,64', `dims ${got.dims}`);
    const d = maxDiff(Array.from(got.data), Array.from(want.data));
    assert(d <= 1e-3, `max |qwasm - onnxruntime-web| = ${d}`);
  });

  await check('text-classification fp32: same labels, scores within 1e-4', async () => {
    const [r, q] = await both('text-classification', 'bert-tiny-cls', { dtype: 'fp32' });
    const want = await r(SENTENCES);
    const got = await q(SENTENCES);
    got.forEach((g, i) => {
      assert(g.label === want[i].label, `sentence ${i}: ${g.label} vs ${want[i].label}`);
      assert(Math.abs(g.score - want[i].score) <= 1e-4, `sentence ${i}: ${g.score} vs ${want[i].score}`);
    });
  });

  await check('text-generation (q4 decoder, past_key_values): greedy text identical', async () => {
    const [r, q] = await both('text-generation', 'llama-tiny', { dtype: 'q4' });
    const want = await r('she said that', { max_new_tokens: 12, do_sample: false });
    const got = await q('she said that', { max_new_tokens: 12, do_sample: false });
    assert(got[0].generated_text === want[0].generated_text, `${got[0].generated_text} vs ${want[0].generated_text}`);
    assert(got[0].generated_text.split(' ').length > 3, got[0].generated_text);
  });

  await check("text-generation sampled (top_k): transformers.js's own TopK session goes through qwasm", async () => {
    const q = await qw.pipeline('text-generation', 'llama-tiny', { device: 'auto', dtype: 'q4' });
    const out = await q('she said that', { max_new_tokens: 8, do_sample: true, top_k: 5, temperature: 0.8 });
    assert(/^she said that \S/.test(out[0].generated_text) && out[0].generated_text.split(' ').length > 3, out[0].generated_text);
    assert(created.some((names) => names.length === 2 && names[0] === 'x' && names[1] === 'k'),
      `sessions created through qwasm: ${JSON.stringify(created)}`);
  });
} catch (e) {
  fail('page setup', e);
}
publish();
