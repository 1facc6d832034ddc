// "Bring your own model": open a .onnx (plus external data files) from disk or
// a URL, list its inputs/outputs, run it on random or typed-in values.
import { createSession } from '../js/index.js';
import { compareWithOrt } from './compare-panel.js';
import { pickModelFiles, wireFilePicker } from './file-pick.js';
import { parseTensor, randomTensor, resolveDims, summarize } from './tensors.js';
import { $, dimBoxes, dimValues, overallProgress, showError } from './ui.js';

let session = null;
let loaded = null;   // { model, externalData } of the session, for the comparison
let loading = null;  // AbortController of the load in flight, if any

const err = () => $('byo').querySelector('.error');
const shapeText = (dims) => (dims ? `[${dims.map((d) => d ?? '?').join(', ')}]` : 'unknown');

function cell(text, cls) {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

function row(...cells) {
  const tr = document.createElement('tr');
  tr.append(...cells);
  return tr;
}

function showModel(name, loadMs) {
  const ins = session.inputMetadata.map((m) => {
    const input = document.createElement('input');
    input.placeholder = 'random';
    input.dataset.name = m.name;
    input.setAttribute('aria-label', `values for ${m.name}`);
    const td = document.createElement('td');
    td.append(input);
    return row(cell(m.name, 'name'), cell(m.type ?? '?', 'dtype'), cell(shapeText(m.dims), 'shape'), td);
  });
  $('byo-inputs').tBodies[0].replaceChildren(...ins);
  $('byo-outputs').tBodies[0].replaceChildren(...session.outputMetadata.map((m) =>
    row(cell(m.name, 'name'), cell(m.type ?? '?', 'dtype'), cell(shapeText(m.dims), 'shape'), cell('—', 'result'))));

  dimBoxes($('byo-dims'), session.inputMetadata);
  $('byo-summary').textContent =
    `${name} · ${session.inputNames.length} inputs, ${session.outputNames.length} outputs · loaded in ${loadMs.toFixed(0)} ms on the ${session.variant} build`;
  $('byo-timing').textContent = '';
  $('byo-info').hidden = false;
}

async function load(name, model, externalData) {
  showError(err(), null);
  loading?.abort();
  const ctl = (loading = new AbortController());
  session?.dispose();
  session = null;
  $('byo-info').hidden = true;
  const progress = $('byo-progress');
  try {
    const t0 = performance.now();
    const s = await createSession(model, { externalData, onProgress: overallProgress(progress), signal: ctl.signal });
    if (ctl.signal.aborted) { s.dispose(); return; }  // a newer load replaced this one
    session = s;
    loaded = { model, externalData };
    $('byo-compare').hidden = true;
    showModel(name, performance.now() - t0);
  } catch (e) {
    if (ctl.signal.aborted) return;
    progress.hidden = true;  // the error box says what happened
    showError(err(), e, `Could not load ${name}`);
  }
}

function feeds() {
  const symValues = dimValues($('byo-dims'));
  const out = {};
  for (const m of session.inputMetadata) {
    const box = $('byo-inputs').querySelector(`input[data-name="${CSS.escape(m.name)}"]`);
    const dims = resolveDims(m, symValues);
    out[m.name] = box.value.trim() ? parseTensor(m, box.value.trim(), dims) : randomTensor(m, dims);
  }
  return out;
}

async function run() {
  showError(err(), null);
  const button = $('byo-run');
  button.disabled = true;
  try {
    const inputs = feeds();
    const repeat = Math.min(200, Math.max(1, Number($('byo-repeat').value) || 1));
    const times = [];
    let out;
    for (let i = 0; i < repeat; i++) {
      const t0 = performance.now();
      out = await session.run(inputs);
      times.push(performance.now() - t0);
    }
    const rows = $('byo-outputs').tBodies[0].rows;
    session.outputNames.forEach((name, i) => {
      const t = out[name];
      rows[i].cells[1].textContent = t.type;
      rows[i].cells[2].textContent = shapeText(t.dims);
      rows[i].cells[3].textContent = summarize(t);
    });
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    $('byo-timing').textContent = repeat === 1
      ? `run: ${median.toFixed(2)} ms`
      : `${repeat} runs: median ${median.toFixed(2)} ms · fastest ${times[0].toFixed(2)} ms`;
    $('byo-timing').dataset.runs = String(Number($('byo-timing').dataset.runs ?? 0) + 1);
  } catch (e) {
    showError(err(), e, 'Run failed');
  } finally {
    button.disabled = false;
  }
}

function openFiles(files) {
  let picked;
  try { picked = pickModelFiles(files); } catch (e) { showError(err(), e); return; }
  load(picked.model.name, picked.model, picked.externalData);
}

export function setupByo() {
  wireFilePicker($('byo-files'), $('byo'), openFiles);
  $('byo-url-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const url = $('byo-url').value.trim();
    if (!url) return;
    let href;
    try { href = new URL(url, location.href).href; } catch { showError(err(), new Error(`not a URL: ${url}`)); return; }
    load(href.split('/').pop() || href, href);
  });
  $('byo-run').addEventListener('click', run);
  $('byo-compare-go').addEventListener('click', async () => {
    showError(err(), null);
    const button = $('byo-compare-go');
    button.disabled = true;
    try {
      const repeat = Math.min(200, Math.max(3, Number($('byo-repeat').value) || 1));
      await compareWithOrt({ ...loaded, session, inputs: feeds(), repeat });
    } catch (e) {
      $('byo-compare').dataset.state = 'error';
      showError(err(), e, 'Comparison failed');
    } finally {
      button.disabled = false;
    }
  });
}
