// Child process for the memory benchmark: peak RSS while loading one model,
// above the baseline taken once the runtime itself is initialised.
// Usage: node load-memory.mjs qwasm|onnxruntime-web MODEL SIMD [WARM_MODEL]  -> {"peakMiB": ...}
// With WARM_MODEL (qwasm only), that model is loaded and disposed first and the baseline
// is taken after it: what a load costs once V8 has compiled the loader's hot code with its
// optimizing tier (a one-time cost per process, paid during the first load otherwise).
import { readFileSync } from 'node:fs';

const [impl, model, simd, warmModel] = process.argv.slice(2);
// VmHWM (this process's RSS high-water mark). Not getrusage's maxrss, which a
// child inherits from its parent across fork + exec on Linux.
const maxRssMiB = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
if (impl === 'qwasm') {
  const { createSession, features, _debugHeap } = await import('qwasm');
  await features({ simd, threads: 1 });  // instantiates the wasm module the session uses (no threaded build needed)
  if (warmModel) {
    (await createSession(warmModel, { simd, threads: 1 })).dispose();
    await new Promise((r) => setTimeout(r, 2000));  // lets background compilation finish
  }
  const heap0 = await _debugHeap(simd, 1);
  const base = maxRssMiB();
  const s = await createSession(model, { simd, threads: 1 });
  const peakMiB = maxRssMiB() - base;
  // What the loaded session holds in wasm memory (packed weights + graph + plans):
  // the "(packed weights + graph)" the memory target is stated against.
  const heldMiB = ((await _debugHeap(simd, 1)) - heap0) / 1048576;
  console.log(JSON.stringify({ peakMiB, heldMiB }));
  s.dispose();
} else {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  const { ortOptions } = await import('./decoder.mjs');
  const base = maxRssMiB();
  const s = await ort.InferenceSession.create(model, ortOptions(model));
  console.log(JSON.stringify({ peakMiB: maxRssMiB() - base }));
  await s.release();
}
