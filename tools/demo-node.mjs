// The main job for now: load the bundled model through the public API in Node,
// run it, print outputs, timing and the engine features.
import { createSession, features, Tensor } from 'qwasm';

const model = process.argv[2] ?? new URL('../tests/data/mlp.onnx', import.meta.url).pathname;
console.log('features:', await features());

const t0 = performance.now();
const session = await createSession(model, {
  onProgress: ({ phase, loaded, total }) => console.log(`  ${phase}: ${loaded}/${total} bytes`),
});
const t1 = performance.now();
console.log(`loaded ${model} in ${(t1 - t0).toFixed(1)} ms (variant: ${session.variant})`);
console.log('inputs:', session.inputMetadata, '\noutputs:', session.outputMetadata);

// Deterministic inputs; symbolic dims become 1.
const sizeOf = (dims) => dims.map((d) => (typeof d === 'number' ? d : 1));
const feeds = {};
for (const { name, type, dims } of session.inputMetadata) {
  const shape = sizeOf(dims ?? [1]);
  const n = shape.reduce((a, b) => a * b, 1);
  if (type !== 'float32') throw new Error(`demo feeds float32 only; input '${name}' is ${type}`);
  feeds[name] = new Tensor('float32', Float32Array.from({ length: n }, (_, i) => Math.sin(i)), shape);
}

const times = [];
let out;
for (let i = 0; i < 20; i++) {
  const a = performance.now();
  out = await session.run(feeds);
  times.push(performance.now() - a);
}
times.sort((a, b) => a - b);
for (const [name, t] of Object.entries(out)) {
  console.log(`${name}: ${t.type} [${t.dims}] ${Array.from(t.data.slice(0, 8), (v) => Number(v).toFixed(5)).join(', ')}`);
}
console.log(`run: median ${times[10].toFixed(3)} ms over 20 runs`);
session.dispose();
