// Small DOM helpers shared by the demo's panels.
import { symbolicDims } from './tensors.js';

export const $ = (id) => document.getElementById(id);

const PHASES = {
  download: 'Downloading the model graph',
  weights: 'Streaming weights into wasm memory',
  prepare: 'Preparing kernels',
  read: 'Reading the model into the quantizer',  // qwasm/quantize's phases
  quantize: 'Quantizing',
};

const size = (n) => (n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : `${Math.round(n / 1024)} KB`);

// An onProgress callback for createSession that drives a .progress element.
// Each phase fills the bar on its own (the weights' total is unknown until the
// graph is parsed); data-phase / data-percent expose the state to tests, and
// 100% in the 'prepare' phase means the model is ready.
export function overallProgress(el, tap) {
  el.hidden = false;
  el.dataset.state = 'loading';
  el.setAttribute('role', 'progressbar');
  el.setAttribute('aria-valuemin', '0');
  el.setAttribute('aria-valuemax', '100');
  return (p) => {
    tap?.(p);
    const { phase, loaded, total } = p;
    const pct = total ? Math.min(100, Math.floor((100 * loaded) / total)) : 0;
    el.querySelector('.bar').style.width = `${pct}%`;
    // download / weights count bytes; quantize counts the quantizer's steps; read and prepare are 0..1
    const bytes = phase === 'quantize' ? ` · ${loaded} of ${total}`
      : phase === 'prepare' || phase === 'read' ? '' : ` · ${size(loaded)}${total ? ` of ${size(total)}` : ''}`;
    el.querySelector('.label').textContent = `${PHASES[phase] ?? phase}: ${pct}%${bytes}`;
    el.dataset.phase = phase;
    el.dataset.percent = String(pct);
    el.setAttribute('aria-valuenow', String(pct));
    el.setAttribute('aria-valuetext', el.querySelector('.label').textContent);
    if (phase === 'prepare' && pct === 100) {
      el.dataset.state = 'ready';
      el.querySelector('.label').textContent = 'Loaded';
    }
  };
}

// Shows an error in a panel's error box (or hides it when e is null).
export function showError(box, e, context) {
  if (!e) { box.hidden = true; box.textContent = ''; return; }
  const msg = e?.message ?? String(e);
  box.replaceChildren();
  if (context) {
    const strong = document.createElement('strong');
    strong.textContent = `${context}: `;
    box.append(strong);
  }
  box.append(document.createTextNode(msg));
  box.hidden = false;
}

// While busy, every control of the form is disabled except Stop.
export function setBusy(form, busy) {
  for (const el of form.elements) el.disabled = el.classList.contains('stop') ? !busy : busy;
}

// One number box per distinct symbolic dim (batch, sequence, ...) of `metadata` (a session's
// inputMetadata), in `container`; dimValues(container) reads them back as { symbol: n }.
export function dimBoxes(container, metadata) {
  const syms = [...new Set(metadata.flatMap(symbolicDims))];
  container.replaceChildren(...syms.map((s) => {
    const label = document.createElement('label');
    const input = document.createElement('input');
    Object.assign(input, { type: 'number', min: 0, value: 1 });
    input.dataset.sym = s;
    label.append(`${s} = `, input);
    return label;
  }));
}

export function dimValues(container) {
  const values = {};
  for (const el of container.querySelectorAll('input')) values[el.dataset.sym] = Math.max(0, Math.floor(Number(el.value) || 0));
  return values;
}
