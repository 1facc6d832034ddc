// Starts the benchmark worker for ?build=<wasm-relaxed|wasm-simd128>&args=<space-separated>,
// echoes every line it prints to the console (the runner reads them there) and the
// page, and sets window.qwasmBench = { done, exitCode, error } when it ends.
const params = new URLSearchParams(location.search);
const build = params.get('build') || 'wasm-relaxed';
if (!/^wasm-(relaxed|simd128)$/.test(build)) throw new Error(`unknown build '${build}'`);
const args = (params.get('args') || '').split(' ').filter(Boolean);
const state = (window.qwasmBench = { done: false, exitCode: null, error: null });

const out = document.body.appendChild(document.createElement('div'));
const show = (text) => { out.textContent += `${text}\n`; };
const finish = (exitCode, error = null) => {
  if (state.done) return;
  Object.assign(state, { done: true, exitCode, error });
  console.log(`qwasm-bench-end ${JSON.stringify({ exitCode, error })}`);
};

const worker = new Worker(new URL('worker.js', import.meta.url));
worker.onmessage = ({ data }) => {
  if (data.line !== undefined) {
    console.log(`qwasm-bench-line ${data.line}`);
    show(data.line);
  } else if (data.exit !== undefined) {
    finish(data.exit);
  } else if (data.error !== undefined) {
    show(`error: ${data.error}`);
    finish(null, data.error);
  }
};
worker.onerror = (e) => finish(null, `worker error: ${e.message}`);
worker.postMessage({ script: `../../../build/kernel-tests/wasm/web/qwasm_kernel_bench_web_${build.slice(5)}.js`, args });
