// "Compare with onnxruntime-web" for the text-generation panel: the same prompt, greedy, the
// same number of new tokens, in qwasm (lm.generate of qwasm/llm) and in onnxruntime-web, one
// thread each (the greedy loop over onnxruntime-web is ort-greedy.js). Shows prefill ms, decode
// tokens/s, the ratio, and whether the two token-id sequences agree (else the first divergence).
import { loadCausalLM } from '../js/llm.js';
import { ortGreedy } from './ort-greedy.js';
import { fillRows, loadOrt } from './ort-web.js';
import { $ } from './ui.js';

const FOLDER = new URL('../models/tinylm/', import.meta.url);
const MODEL = new URL('onnx/model_q4.onnx', FOLDER);
const DATA = new URL('model_q4.onnx_data', MODEL);

// The panel's LM uses the default thread count (several cores on a cross-origin isolated
// page); the comparison is one thread each, so it loads a one-thread copy when needed.
let oneThread;
function oneThreadLM(lm) {
  if (lm.session.threads === 1) return lm;
  oneThread ??= loadCausalLM(FOLDER.href, { dtype: 'q4', threads: 1 }).catch((e) => { oneThread = undefined; throw e; });
  return oneThread;
}

let ortSession;  // created on the first press, kept for the next ones
async function ortLM(ort) {
  ortSession ??= ort.InferenceSession.create(MODEL.href, {
    executionProviders: ['wasm'], externalData: [{ path: 'model_q4.onnx_data', data: DATA.href }],
  }).catch((e) => { ortSession = undefined; throw e; });
  return ortSession;
}

async function qwasmGreedy(lm, promptIds, n) {
  const ids = [];
  for await (const id of lm.generate(promptIds, { maxNewTokens: n, temperature: 0 })) ids.push(id);
  const { prefillMs, decodeMs } = lm.lastStats;
  return { ids, prefillMs, decodeMs };
}

// Decode speed of both sides on the same footing: decode steps (tokens after the first) per second.
const perSecond = (r) => (r.ids.length > 1 && r.decodeMs > 0 ? (r.ids.length - 1) / (r.decodeMs / 1000) : 0);

// lm: the panel's qwasm CausalLM (its tokenizer decodes a divergence); promptIds, n: what to generate.
export async function compareLmWithOrt({ lm, promptIds, n }) {
  if (!(n >= 2)) throw new Error('the comparison needs at least 2 new tokens (one prefill, one decode step)');
  const out = $('lm-compare');
  const label = out.querySelector('.label');
  out.hidden = false;
  out.dataset.state = 'running';
  label.textContent = 'Loading onnxruntime-web and the model into it…';
  const ort = await loadOrt();
  const session = await ortLM(ort);
  label.textContent = 'Loading a one-thread qwasm session…';
  const qlm = await oneThreadLM(lm);

  // A short warm-up on both sides: onnxruntime-web's first runs pay one-time costs.
  label.textContent = 'Warming up…';
  await ortGreedy(ort, session, promptIds, 4);
  await qwasmGreedy(qlm, promptIds, 4);
  label.textContent = `Generating ${n} tokens in qwasm…`;
  const q = await qwasmGreedy(qlm, promptIds, n);
  label.textContent = `Generating ${n} tokens in onnxruntime-web…`;
  const o = await ortGreedy(ort, session, promptIds, n, { keepLogits: true });

  const qRate = perSecond(q), oRate = perSecond(o);
  let diverge = q.ids.findIndex((id, i) => id !== o.ids[i]);
  if (diverge < 0 && q.ids.length !== o.ids.length) diverge = Math.min(q.ids.length, o.ids.length);
  const tok = lm.tokenizer;
  const show = (id) => (id === undefined ? 'nothing' : `${id} ${JSON.stringify(tok.decode([id], { skipSpecial: false }))}`);
  let agreement = `all ${n} agree`;
  if (diverge >= 0) {
    // How close the two choices were in onnxruntime-web's own logits at that step.
    const l = o.logitsAt[diverge];
    const gap = l && q.ids[diverge] !== undefined ? (l[o.ids[diverge]] - l[q.ids[diverge]]).toExponential(2) : 'n/a';
    agreement = `first ${diverge} agree; token ${diverge}: qwasm ${show(q.ids[diverge])}, onnxruntime-web ` +
      `${show(o.ids[diverge])} (logit gap ${gap} in onnxruntime-web)`;
  }
  fillRows(out.querySelector('tbody'), [
    ['', `qwasm (${qlm.session.variant} build, ${qlm.session.threads} thread) · onnxruntime-web (1 thread)`],
    ['prefill', `${q.prefillMs.toFixed(1)} ms · ${o.prefillMs.toFixed(1)} ms (${promptIds.length} prompt tokens)`],
    ['decode', `${qRate.toFixed(0)} tokens/s · ${oRate.toFixed(0)} tokens/s (${n - 1} steps)`],
    ['speed-up', `prefill ${(o.prefillMs / q.prefillMs).toFixed(2)}x · decode ${(qRate / oRate).toFixed(2)}x`],
    ['greedy token ids', agreement],
  ]);
  label.textContent = `One thread each, greedy, ${n} new tokens after a warm-up, same prompt ids`;
  Object.assign(out.dataset, {
    state: 'done', tokens: String(n), qwasmThreads: String(qlm.session.threads),
    qwasmPrefillMs: q.prefillMs.toFixed(3), ortPrefillMs: o.prefillMs.toFixed(3),
    qwasmTokensPerSecond: qRate.toFixed(2), ortTokensPerSecond: oRate.toFixed(2),
    decodeRatio: (qRate / oRate).toFixed(3), agree: String(diverge < 0), firstDivergence: String(diverge),
    qwasmIds: q.ids.join(','), ortIds: o.ids.join(','),
  });
}
