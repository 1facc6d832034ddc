// The demo page. Uses only qwasm's public API.
import { createSession, features, Tensor } from '../js/index.js';
import { setupTextGeneration } from './lm-panel.js';
import { randomTensor, parseTensor, summarize } from './tensors.js';

const $ = (id) => document.getElementById(id);

export function showError(e) {
  const box = $('error');
  box.textContent = e ? `Error: ${e.message ?? e}` : '';
  box.hidden = !e;
}

export function progressBar(el) {
  return ({ phase, loaded, total }) => {
    el.hidden = false;
    const pct = total ? Math.min(100, Math.round((100 * loaded) / total)) : 0;
    el.querySelector('.bar').style.width = `${pct}%`;
    el.querySelector('.label').textContent = `${phase}: ${pct}% (${(loaded / 1048576).toFixed(1)} MB)`;
    el.dataset.phase = phase;
    el.dataset.percent = String(pct);
  };
}

async function showFeatures() {
  const f = await features();
  const rows = {
    'SIMD128': f.simd128 ? 'yes' : 'no',
    'Relaxed SIMD': f.relaxedSimd ? 'yes' : 'no',
    'Dot-product class (probe)': f.dot ?? 'n/a',
    'Threads available': f.threads ? 'yes' : 'no',
    'Cross-origin isolated': globalThis.crossOriginIsolated ? 'yes' : 'no',
    'Wasm build loaded': f.variant ?? 'none',
    'Hardware threads': String(navigator.hardwareConcurrency ?? '?'),
  };
  $('features-list').replaceChildren(...Object.entries(rows).flatMap(([k, v]) => {
    const dt = document.createElement('dt'); dt.textContent = k;
    const dd = document.createElement('dd'); dd.textContent = v; dd.dataset.key = k;
    return [dt, dd];
  }));
}

// ---- Bring your own model ----
let byoSession = null;

function cell(text) { const td = document.createElement('td'); td.textContent = text; return td; }
const dimsText = (dims) => (dims ? `[${dims.map((d) => d ?? '?').join(', ')}]` : 'unknown');

function showModelInfo(session) {
  const ins = session.inputMetadata.map((m) => {
    const tr = document.createElement('tr');
    const input = document.createElement('input');
    input.placeholder = 'random';
    input.dataset.name = m.name;
    const td = document.createElement('td'); td.append(input);
    tr.append(cell(m.name), cell(m.type ?? '?'), cell(dimsText(m.dims)), td);
    return tr;
  });
  $('byo-inputs').tBodies[0].replaceChildren(...ins);
  $('byo-outputs').tBodies[0].replaceChildren(...session.outputMetadata.map((m) => {
    const tr = document.createElement('tr');
    tr.append(cell(m.name), cell(m.type ?? '?'), cell(dimsText(m.dims)));
    return tr;
  }));
  $('byo-result').textContent = '';
  $('byo-info').hidden = false;
}

async function loadByo(model, externalData) {
  showError(null);
  byoSession?.dispose();
  byoSession = null;
  $('byo-info').hidden = true;
  try {
    byoSession = await createSession(model, { externalData, onProgress: progressBar($('byo-progress')) });
    showModelInfo(byoSession);
  } catch (e) {
    showError(e);
  }
}

async function runByo() {
  showError(null);
  try {
    const sym = Number($('byo-symdim').value) || 1;
    const feeds = {};
    for (const m of byoSession.inputMetadata) {
      const text = document.querySelector(`#byo-inputs input[data-name="${CSS.escape(m.name)}"]`).value.trim();
      feeds[m.name] = text ? parseTensor(m, text, sym) : randomTensor(m, sym);
    }
    const t0 = performance.now();
    const out = await byoSession.run(feeds);
    const ms = performance.now() - t0;
    $('byo-result').textContent = `${Object.entries(out).map(([n, t]) => summarize(n, t)).join('\n')}\n\nrun: ${ms.toFixed(2)} ms`;
  } catch (e) {
    showError(e);
  }
}

$('byo-files').addEventListener('change', (ev) => {
  const files = [...ev.target.files];
  const model = files.find((f) => f.name.endsWith('.onnx'));
  if (!model) { showError(new Error('choose a .onnx file (plus any external data files it references)')); return; }
  const externalData = files.filter((f) => f !== model).map((f) => ({ path: f.name, data: f }));
  loadByo(model, externalData.length ? externalData : undefined);
});
$('byo-url-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const url = $('byo-url').value.trim();
  if (url) loadByo(new URL(url, location.href).href);
});
$('byo-run').addEventListener('click', runByo);

// Expose a hook for the browser tests (they drive the page like a user would).
window.qwasmDemo = { Tensor };

await showFeatures().catch(showError);
await setupTextGeneration({ showError, progressBar }).catch(showError);
window.qwasmDemo.ready = true;
