// A Vite app using qwasm as an app would: the package by name, its model copied into
// public/models/tinylm/. Runs the shipped LM in the page and in worker mode (threads on a
// cross-origin isolated page) and checks onnxruntime-node's greedy output
// (expected_greedy.json). Results go to window.__viteResults for tests/vite/run.mjs.
import { createSession, features } from 'qwasm';
import { loadCausalLM } from 'qwasm/llm';

const results = [];
const log = (s) => { document.getElementById('log').textContent += `${s}\n`; };
const assert = (c, m) => { if (!c) throw new Error(m); };
// A check that neither resolves nor rejects fails as a hang instead of stalling the run.
const withTimeout = (p, ms = 30000) => Promise.race([p,
  new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms (a hang)`)), ms))]);
async function check(name, fn) {
  try {
    await withTimeout(fn());
    results.push({ name, ok: true });
    log(`ok   ${name}`);
  } catch (e) {
    results.push({ name, ok: false, error: String(e?.stack || e) });
    log(`FAIL ${name}: ${e}`);
  }
}

const isolated = self.crossOriginIsolated === true;
const threads = isolated ? 2 : 1;
const folder = new URL('/models/tinylm/', location.href).href;
const modelUrl = `${folder}onnx/model_q4.onnx`;
const missing = new URL('/missing/', location.href).href;
const expected = await (await fetch(`${folder}expected_greedy.json`)).json();

async function rejectsNaming(load, what) {
  const err = await load().then(() => null, (e) => e);
  assert(err instanceof Error, `expected an Error, got ${err}`);
  assert(err.message.includes(`${missing}qwasm-`), `${what}: the message does not name the URL: ${err.message}`);
}

// First, before any build loaded: wasm files that are not where wasmPaths says.
await check('wasm files not where wasmPaths says: rejects naming the URL (page)', () =>
  rejectsNaming(() => createSession(modelUrl, { threads, wasmPaths: missing }), 'page'));
await check('wasm files not where wasmPaths says: rejects naming the URL (worker)', () =>
  rejectsNaming(() => createSession(modelUrl, { threads, wasmPaths: missing, worker: true }), 'worker'));

await check(`features(): a build loads from the bundle, threads ${isolated}`, async () => {
  const f = await features({ threads });
  assert(f.variant === 'relaxed' || f.variant === 'simd128', `variant ${f.variant}`);
  assert(f.threads === isolated, `threads ${f.threads}, crossOriginIsolated ${isolated}`);
});

await check(`the LM in the page (threads: ${threads}): greedy tokens as onnxruntime-node`, async () => {
  const lm = await loadCausalLM(folder, { threads });
  try {
    assert(lm.session.threads === threads, `session.threads ${lm.session.threads}`);
    const ids = [];
    for await (const id of lm.generate(expected.prompt_ids, { maxNewTokens: 16 })) ids.push(id);
    assert(ids.join() === expected.generated_ids.slice(0, 16).join(), `ids ${ids}`);
    assert(lm.tokenizer.encode(expected.prompt).join() === expected.prompt_ids.join(), 'tokenizer');
  } finally {
    lm.dispose();
  }
});

await check(`the LM folder in worker mode (threads: ${threads}): greedy text as onnxruntime-node`, async () => {
  const lm = await loadCausalLM(folder, { threads, worker: true });
  try {
    assert(lm.session.threads === threads, `session.threads ${lm.session.threads}`);
    let text = expected.prompt;
    for await (const piece of lm.generateText(expected.prompt, { maxNewTokens: 32 })) text += piece;
    assert(text === expected.text, `text ${JSON.stringify(text)}`);
  } finally {
    lm.dispose();
  }
});

window.__viteResults = results;
