// qwasm/ort wrapped as transformers.js's onnxruntime hook (globalThis[Symbol.for('onnxruntime')])
// so a test can see which sessions transformers.js built through qwasm: `created` gets the
// input names of each. Shared by the Node test and the Chromium page.
export function countingHook(ort) {
  const created = [];
  const hook = {
    ...ort,
    InferenceSession: {
      async create(...args) {
        const s = await ort.InferenceSession.create(...args);
        created.push(s.inputNames);
        return s;
      },
    },
  };
  return { hook, created };
}
