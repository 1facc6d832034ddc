// "Quantize a model": a float .onnx (plus external data files) from disk is quantized in the
// page by qwasm/quantize (weight-only 4-bit MatMulNBits or 8-bit DequantizeLinear -> MatMul,
// dynamic or static int8), the report shown node by node, the result offered as a download
// and run side by side with the float model on the same random inputs. Calibrated modes get
// random feeds made from the model's input metadata (the panel says so: real data calibrates
// better).
import { createSession } from '../js/index.js';
import { quantize } from '../js/quantize.js';
import { pickModelFiles, wireFilePicker } from './file-pick.js';
import { fillRows } from './ort-web.js';
import { randomFeed } from './tensors.js';
import { maxDiff, median } from './timing.js';
import { $, dimBoxes, dimValues, overallProgress, showError } from './ui.js';

let source = null;      // { name, model: File, externalData } chosen by the user
let floatSession = null;
let result = null;      // quantize()'s { model, externalData, report } and its file name
let downloadUrl = null;

const err = () => $('qz').querySelector('.error');
const kb = (n) => (n >= 1048576 ? `${(n / 1048576).toFixed(2)} MB` : `${(n / 1024).toFixed(1)} KB`);

function settings() {
  const mode = $('qz-mode').value;
  const algorithm = $('qz-algo').value;
  return { mode, algorithm, calibrated: mode === 'static' || (mode === 'weight-only' && algorithm !== 'rtn') };
}

// Shows only the controls that apply to the chosen mode / algorithm.
function syncControls() {
  const { mode, calibrated } = settings();
  for (const el of $('qz-form').querySelectorAll('label[data-for]')) {
    const f = el.dataset.for;
    el.hidden = f === 'calibrated' ? !calibrated : f !== mode;
  }
  const n = Number($('qz-feeds').value) || 0;
  $('qz-calib-note').textContent = calibrated
    ? `Calibration: ${n} random feed${n === 1 ? '' : 's'} generated from the model's input metadata (floats uniform in [-1, 1), integers in [0, 10), masks all ones, token type ids zeros; symbolic dims as set above). Real inputs calibrate better.`
    : 'No calibration needed: weights are rounded to nearest' + (mode === 'dynamic' ? ', activation ranges are measured at run time.' : '.');
}

function options() {
  const { mode, algorithm, calibrated } = settings();
  const opts = { mode, externalData: source.externalData };
  if (mode === 'weight-only') {
    opts.weights = { bits: Number($('qz-bits').value), blockSize: Number($('qz-block').value), symmetric: $('qz-sym').checked, algorithm };
  }
  if (calibrated) {
    const n = Math.min(64, Math.max(1, Math.floor(Number($('qz-feeds').value) || 1)));
    const dims = dimValues($('qz-dims'));
    const data = Array.from({ length: n }, () => randomFeed(floatSession.inputMetadata, dims));
    opts.calibration = { data, ...(mode === 'static' ? { method: $('qz-method').value } : {}) };
  }
  return opts;
}

function tag({ mode, weights }) {
  if (mode === 'weight-only') return `q${weights.bits}${weights.algorithm === 'rtn' ? '' : `-${weights.algorithm}`}`;
  return mode === 'dynamic' ? 'int8-dynamic' : 'int8-static';
}

function showReport(report, ms, bytes) {
  const rows = report.map((r) => {
    const tr = document.createElement('tr');
    tr.dataset.action = r.action;
    for (const [text, cls] of [[r.node, 'name'], [r.opType, 'dtype'], [r.action, r.action === 'float' ? 'float' : 'quantized'], [r.detail, 'detail']]) {
      const td = document.createElement('td');
      td.textContent = text;
      td.className = cls;
      tr.append(td);
    }
    return tr;
  });
  $('qz-report').tBodies[0].replaceChildren(...rows);
  const counts = {};
  for (const r of report) counts[r.action] = (counts[r.action] ?? 0) + 1;
  const quantized = report.filter((r) => r.action !== 'float').length;
  const by = Object.entries(counts).map(([a, n]) => `${n} ${a}`).join(', ');
  const out = result.model.length + (result.externalData ?? []).reduce((a, e) => a + e.data.length, 0);
  $('qz-report-summary').textContent =
    `${quantized} of ${report.length} candidate nodes quantized (${by}) · ${kb(bytes)} → ${kb(out)} · ${ms.toFixed(0)} ms`;
}

// The quantized model's external data: the files quantize() wrote, plus the source's own
// files, which the output still reads for the tensors it left as written (embeddings, norms).
function quantizedExternalData() {
  const ext = [...(result.externalData ?? []), ...(source.externalData ?? [])];
  return ext.length ? ext : undefined;
}

function offerDownload() {
  if (downloadUrl) URL.revokeObjectURL(downloadUrl);
  downloadUrl = URL.createObjectURL(new Blob([result.model], { type: 'application/octet-stream' }));
  const a = $('qz-download');
  a.href = downloadUrl;
  a.download = result.name;
  a.textContent = `Download ${result.name} (${kb(result.model.length)})`;
  // The panel sets no externalDataThreshold, so quantize() writes no external files of its own.
  $('qz-download-note').textContent = source.externalData
    ? `It still reads the tensors it left float from ${source.externalData.map((e) => e.path).join(', ')}: keep ${source.externalData.length === 1 ? 'that file' : 'those files'} next to it.`
    : '';
}

async function runQuantize(ev) {
  ev.preventDefault();
  showError(err(), null);
  $('qz-result').hidden = true;
  $('qz-compare').hidden = true;
  const go = $('qz-go');
  go.disabled = true;
  const progress = $('qz-progress');
  // Stop aborts the call: quantize() rejects with the signal's reason at once and ends the worker.
  const stop = $('qz-stop');
  const ac = new AbortController();
  stop.onclick = () => ac.abort(new DOMException('Quantization stopped', 'AbortError'));
  stop.hidden = false;
  try {
    const opts = options();
    const onProgress = overallProgress(progress);
    onProgress({ phase: 'read', loaded: 0, total: 1 });
    // In the worker (worker: true) the page keeps painting while the quantizer's passes run.
    const t0 = performance.now();
    const r = await quantize(source.model, { ...opts, onProgress, worker: true, signal: ac.signal });
    const ms = performance.now() - t0;
    const base = source.name.replace(/\.onnx$/i, '');
    result = { ...r, name: `${base}.${tag(opts)}.onnx` };
    progress.dataset.state = 'ready';
    progress.querySelector('.bar').style.width = '100%';
    progress.querySelector('.label').textContent = 'Quantized';
    showReport(r.report, ms, r.sourceBytes ?? source.model.size);
    offerDownload();
    $('qz-result').hidden = false;
  } catch (e) {
    if (ac.signal.aborted) {
      progress.dataset.state = 'stopped';
      progress.querySelector('.label').textContent = 'Stopped';
    } else {
      progress.hidden = true;
      showError(err(), e, `Could not quantize ${source.name}`);
    }
  } finally {
    go.disabled = false;
    stop.hidden = true;
    stop.onclick = null;
  }
}

async function compare() {
  showError(err(), null);
  const button = $('qz-compare-go');
  button.disabled = true;
  const out = $('qz-compare');
  out.hidden = false;
  out.dataset.state = 'running';
  out.querySelector('.label').textContent = 'Loading the quantized model…';
  let q;
  try {
    q = await createSession(result.model, { externalData: quantizedExternalData(), threads: floatSession.threads });
    const inputs = randomFeed(floatSession.inputMetadata, dimValues($('qz-dims')));
    const repeat = Math.min(200, Math.max(1, Math.floor(Number($('qz-repeat').value) || 1)));
    out.querySelector('.label').textContent = `Timing ${repeat} runs each…`;
    let fOut, qOut;
    const fMs = await median(async () => { fOut = await floatSession.run(inputs); }, repeat);
    const qMs = await median(async () => { qOut = await q.run(inputs); }, repeat);
    const diffs = floatSession.outputNames.map((n) => [n, maxDiff(fOut[n].data, qOut[n].data)]);
    const range = (t) => { let m = 0; for (const v of t.data) m = Math.max(m, Math.abs(Number(v))); return m; };
    fillRows(out.querySelector('tbody'), [
      ['float', `${fMs.toFixed(2)} ms`], [`quantized (${result.name})`, `${qMs.toFixed(2)} ms`],
      ['speed-up', `${(fMs / qMs).toFixed(2)}x`],
      ...diffs.map(([n, d]) => [`max |difference| ${n}`, `${d.toExponential(2)} (float max |${n}| ${range(fOut[n]).toExponential(2)})`]),
    ]);
    out.querySelector('.label').textContent =
      `Same random inputs, ${q.threads} thread${q.threads === 1 ? '' : 's'} each, median of ${repeat} runs after a warm-up`;
    Object.assign(out.dataset, { state: 'done', floatMs: fMs.toFixed(3), quantizedMs: qMs.toFixed(3), maxDiff: String(Math.max(...diffs.map((d) => d[1]))) });
  } catch (e) {
    out.dataset.state = 'error';
    showError(err(), e, 'Comparison failed');
  } finally {
    q?.dispose();
    button.disabled = false;
  }
}

async function openFiles(files) {
  showError(err(), null);
  let picked;
  try { picked = pickModelFiles(files); } catch (e) { showError(err(), e); return; }
  floatSession?.dispose();
  floatSession = null;
  for (const id of ['qz-form', 'qz-result', 'qz-progress', 'qz-summary']) $(id).hidden = true;
  const { model, externalData } = picked;
  try {
    const s = await createSession(model, { externalData });
    floatSession = s;
    source = { name: model.name, model, externalData };
    dimBoxes($('qz-dims'), s.inputMetadata);
    if ($('qz-dims').children.length) {
      const label = document.createElement('span');
      label.className = 'muted small';
      label.textContent = 'Input dims for the random feeds:';
      $('qz-dims').prepend(label);
    }
    const ext = externalData ? ` + ${externalData.length} external data file${externalData.length === 1 ? '' : 's'}` : '';
    $('qz-summary').textContent = `${model.name} (${kb(model.size)}${ext}) · inputs ${s.inputMetadata.map((m) => `${m.name} ${m.type}`).join(', ')}`;
    $('qz-summary').hidden = false;
    $('qz-form').hidden = false;
    syncControls();
  } catch (e) {
    showError(err(), e, `Could not load ${model.name}`);
  }
}

export function setupQuantize() {
  wireFilePicker($('qz-files'), $('qz'), openFiles);
  for (const id of ['qz-mode', 'qz-algo', 'qz-feeds']) $(id).addEventListener('input', syncControls);
  $('qz-form').addEventListener('submit', runQuantize);
  $('qz-compare-go').addEventListener('click', compare);
  syncControls();
}
