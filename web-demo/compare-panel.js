// "Compare with onnxruntime-web": runs the model of the "Bring your own model" panel in qwasm
// and in onnxruntime-web on the same inputs, one thread each, and shows both medians, the
// speed ratio and the largest output difference. onnxruntime-web (~10 MB) is imported only
// when the button is pressed (the page's import map points at its npm copy).
import { createSession } from '../js/index.js';
import { fillRows, loadOrt } from './ort-web.js';
import { maxDiff, median } from './timing.js';
import { $ } from './ui.js';

async function bytesOf(src) {
  if (typeof src === 'string') return src;  // a URL: onnxruntime-web fetches it itself
  return new Uint8Array(await src.arrayBuffer());
}

// model: what the panel loaded (URL string or File), externalData: its [{ path, data: File }],
// session: the qwasm session, inputs: { name: Tensor } from the panel, repeat: runs to time.
export async function compareWithOrt({ model, externalData, session, inputs, repeat }) {
  const out = $('byo-compare');
  out.hidden = false;
  out.dataset.state = 'running';
  out.querySelector('.label').textContent = 'Loading onnxruntime-web…';
  const ort = await loadOrt();
  const ext = externalData && await Promise.all(externalData.map(async (e) => ({ path: e.path, data: await bytesOf(e.data) })));
  const o = await ort.InferenceSession.create(await bytesOf(model), { executionProviders: ['wasm'], externalData: ext });
  // The panel's session has the default thread count (several cores on a cross-origin
  // isolated page): the comparison times a one-thread session of the same model.
  let q = session;
  try {
    if (session.threads !== 1) {
      out.querySelector('.label').textContent = 'Loading a one-thread qwasm session…';
      q = await createSession(model, { externalData, threads: 1 });
    }
    out.querySelector('.label').textContent = `Timing ${repeat} runs each…`;
    const oFeeds = Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, new ort.Tensor(t.type, t.data, [...t.dims])]));
    let qOut, oOut;
    const qMs = await median(async () => { qOut = await q.run(inputs); }, repeat);
    const oMs = await median(async () => { oOut = await o.run(oFeeds); }, repeat);
    const diffs = q.outputNames.map((n) => [n, maxDiff(qOut[n].data, oOut[n].data)]);
    const rows = [[`qwasm (${q.threads} thread)`, `${qMs.toFixed(2)} ms`], ['onnxruntime-web', `${oMs.toFixed(2)} ms`],
      ['speed-up', `${(oMs / qMs).toFixed(2)}x`], ...diffs.map(([n, d]) => [`max |difference| ${n}`, d.toExponential(2)])];
    fillRows(out.querySelector('tbody'), rows);
    out.querySelector('.label').textContent = `One thread each, median of ${repeat} runs after a warm-up, same inputs`;
    Object.assign(out.dataset, { state: 'done', qwasmThreads: String(q.threads), qwasmMs: qMs.toFixed(3), ortMs: oMs.toFixed(3), maxDiff: String(Math.max(...diffs.map((d) => d[1]))) });
  } finally {
    if (q !== session) q.dispose();
    await o.release();
  }
}
