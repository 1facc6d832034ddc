// Reference greedy decoding with onnxruntime-node (the test oracle for qwasm/llm).
// Usage: node tests/js/support/ort-greedy.mjs MODEL.onnx PROMPT_IDS_JSON [STEPS]  -> prints {"ids":[...]}
// Handles both decoder styles: position_ids when the model has it, past_key_values.{i}.*
// inputs carried from present.{i}.* outputs.
import ort from 'onnxruntime-node';

export async function ortGreedy(modelPath, promptIds, steps) {
  const s = await ort.InferenceSession.create(modelPath);
  const meta = new Map(s.inputMetadata.map((m) => [m.name, m]));
  const pastNames = s.inputNames.filter((n) => n.startsWith('past_key_values.'));
  const shapeOf = (n) => meta.get(n).shape;
  let past = {};
  for (const n of pastNames) {
    const [, heads, , hd] = shapeOf(n);
    past[n] = new ort.Tensor('float32', new Float32Array(0), [1, heads, 0, hd]);
  }
  const out = [];
  let ids = promptIds.slice();
  let pastLen = 0;
  for (let step = 0; step < steps; step++) {
    const n = ids.length;
    const feeds = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, n]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(pastLen + n).fill(1n), [1, pastLen + n]),
      ...past,
    };
    if (s.inputNames.includes('position_ids')) {
      feeds.position_ids = new ort.Tensor('int64', BigInt64Array.from({ length: n }, (_, i) => BigInt(pastLen + i)), [1, n]);
    }
    const r = await s.run(feeds);
    const logits = r.logits.data;
    const vocab = r.logits.dims[2];
    let best = 0;
    const base = logits.length - vocab;
    for (let i = 1; i < vocab; i++) if (logits[base + i] > logits[base + best]) best = i;
    out.push(best);
    past = {};
    for (const p of pastNames) past[p] = r[p.replace('past_key_values', 'present')];
    pastLen += n;
    ids = [best];
  }
  await s.release();
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [model, prompt, steps = '32'] = process.argv.slice(2);
  console.log(JSON.stringify({ ids: await ortGreedy(model, JSON.parse(prompt), Number(steps)) }));
}
