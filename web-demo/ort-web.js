// onnxruntime-web for the demo's Compare buttons: imported on first use only (~10 MB; the
// page's import map points at its npm copy), one thread, its wasm files next to its module.
let ortPromise;
export function loadOrt() {
  ortPromise ??= import('onnxruntime-web').then((ort) => {
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.wasmPaths = new URL('../node_modules/onnxruntime-web/dist/', import.meta.url).href;
    return ort;
  });
  return ortPromise;
}

// Puts [label, value] rows into a <tbody>.
export function fillRows(tbody, rows) {
  tbody.replaceChildren(...rows.map(([k, v]) => {
    const tr = document.createElement('tr');
    for (const text of [k, v]) { const td = document.createElement('td'); td.textContent = text; tr.append(td); }
    return tr;
  }));
}
