// Child process for the memory benchmark: peak RSS while loading one model,
// above the baseline taken once the runtime itself is initialised.
// Usage: node load-memory.mjs qwasm|onnxruntime-web MODEL SIMD  -> {"peakMiB": ...}
import { readFileSync } from 'node:fs';

const [impl, model, simd] = process.argv.slice(2);
// VmHWM (this process's RSS high-water mark). Not getrusage's maxrss, which a
// child inherits from its parent across fork + exec on Linux.
const maxRssMiB = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
if (impl === 'qwasm') {
  const { createSession, features, _debugHeap } = await import('../../js/index.js');
  await features();  // instantiates the wasm module
  const heap0 = await _debugHeap(simd);
  const base = maxRssMiB();
  const s = await createSession(model, { simd, threads: 1 });
  const peakMiB = maxRssMiB() - base;
  // What the loaded session holds in wasm memory (packed weights + graph + plans):
  // the "(packed weights + graph)" the memory target is stated against.
  const heldMiB = ((await _debugHeap(simd)) - heap0) / 1048576;
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
