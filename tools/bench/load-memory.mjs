// Child process for the memory benchmark: peak RSS while loading one model,
// above the baseline taken once the runtime itself is initialised.
// Usage: node load-memory.mjs qwasm|onnxruntime-web MODEL SIMD  -> {"peakMiB": ...}
const [impl, model, simd] = process.argv.slice(2);
const maxRssMiB = () => process.resourceUsage().maxRSS / 1024;
if (impl === 'qwasm') {
  const { createSession, features } = await import('../../js/index.js');
  await features();  // instantiates the wasm module
  const base = maxRssMiB();
  const s = await createSession(model, { simd });
  console.log(JSON.stringify({ peakMiB: maxRssMiB() - base }));
  s.dispose();
} else {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  const base = maxRssMiB();
  const s = await ort.InferenceSession.create(model, { executionProviders: ['wasm'] });
  console.log(JSON.stringify({ peakMiB: maxRssMiB() - base }));
  await s.release();
}
