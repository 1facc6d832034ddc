import * as ortweb from 'onnxruntime-web';
import * as ort from 'qwasm/ort';
import { f16Values } from './tests/js/support/float16.mjs';
ortweb.env.wasm.numThreads = 1; ort.env.wasm.simd = 'simd128'; ort.env.wasm.numThreads = 1;
for (const model of process.argv.slice(2)) {
  const [q, r] = await Promise.all([ort.InferenceSession.create(model), ortweb.InferenceSession.create(model)]);
  const pastNames = q.inputNames.filter((n) => n.startsWith('past_key_values.'));
  const feedsOf = (T, tokens, past) => {
    const f = { input_ids: new ortweb.Tensor('int64', BigInt64Array.from(tokens), [1, tokens.length]),
      attention_mask: new ortweb.Tensor('int64', new BigInt64Array(T).fill(1n), [1, T]) };
    for (const n of pastNames) f[n] = past?.[n] ?? new ortweb.Tensor('float16', new Uint16Array(0), [1, 2, 0, 16]);
    return f;
  };
  let tokens = [1n, 17n, 42n, 99n, 5n, 230n], T = 6, pq, pr;
  for (let step = 0; step < 4; ++step) {
    const [gq, gr] = await Promise.all([q.run(feedsOf(T, tokens, pq)), r.run(feedsOf(T, tokens, pr))]);
    const a = f16Values(gq.logits.data), b = f16Values(gr.logits.data);
    let m = 0, mx = 0; a.forEach((v, i) => { m = Math.max(m, Math.abs(v - b[i])); mx = Math.max(mx, Math.abs(b[i])); });
    const k = f16Values(gq['present.1.key'].data), kr = f16Values(gr['present.1.key'].data);
    let mk = 0; k.forEach((v, i) => { mk = Math.max(mk, Math.abs(v - kr[i])); });
    console.log(model, 'step', step, 'logits max diff', m.toFixed(5), 'max |logit|', mx.toFixed(3), 'present.1.key max diff', mk.toFixed(5));
    pq = Object.fromEntries(pastNames.map((n) => [n, gq[n.replace('past_key_values', 'present')]]));
    pr = Object.fromEntries(pastNames.map((n) => [n, gr[n.replace('past_key_values', 'present')]]));
    tokens = [BigInt(7 + step)]; T += 1;
  }
}
