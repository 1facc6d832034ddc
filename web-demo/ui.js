// Small DOM helpers shared by the demo's panels.
export const $ = (id) => document.getElementById(id);

const PHASES = {
  download: 'Downloading the model graph',
  weights: 'Streaming weights into wasm memory',
  prepare: 'Preparing kernels',
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
    const bytes = phase === 'prepare' ? '' : ` · ${size(loaded)}${total ? ` of ${size(total)}` : ''}`;
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
