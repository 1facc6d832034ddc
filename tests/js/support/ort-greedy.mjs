// Reference greedy decoding with onnxruntime-node (the test oracle for qwasm/llm), by the same
// loop the demo's Compare runs over onnxruntime-web (web-demo/ort-greedy.js).
// Usage: node tests/js/support/ort-greedy.mjs MODEL.onnx PROMPT_IDS_JSON [STEPS]  -> prints {"ids":[...]}
import ort from 'onnxruntime-node';
import { ortGreedy as greedyOver } from '../../../web-demo/ort-greedy.js';

export async function ortGreedy(modelPath, promptIds, steps) {
  const s = await ort.InferenceSession.create(modelPath);
  try {
    return (await greedyOver(ort, s, promptIds, steps)).ids;
  } finally {
    await s.release();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [model, prompt, steps = '32'] = process.argv.slice(2);
  console.log(JSON.stringify({ ids: await ortGreedy(model, JSON.parse(prompt), Number(steps)) }));
}
