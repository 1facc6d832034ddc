// Greedy decoding over an onnxruntime session (onnxruntime-web in the demo's Compare,
// onnxruntime-node as the tests' oracle) of a decoder with past_key_values.* inputs carried
// from present.* outputs, and position_ids when the model has it. onnxruntime has no generation
// loop of its own. No imports: the demo and the tests both use it with their own `ort`.

// The first index of the largest value, as qwasm's greedy sampleToken picks.
function argmax(a, from, to) {
  let best = from;
  for (let i = from + 1; i < to; i++) if (a[i] > a[best]) best = i;
  return best - from;
}

// Run 0 prefills the prompt and gives token 0; runs 1..n-1 feed one token each (n-1 decode
// steps, as qwasm's lm.generate does). The timers cover the feeds and session.run, not the
// argmax (qwasm's prefillMs / decodeMs cover the same). With keepLogits, logitsAt[i] is step i's
// last-position logits. Returns { ids, prefillMs, decodeMs, logitsAt }.
export async function ortGreedy(ort, session, promptIds, n, { keepLogits = false } = {}) {
  const meta = new Map(session.inputMetadata.map((m) => [m.name, m]));
  const pastNames = session.inputNames.filter((name) => name.startsWith('past_key_values.'));
  let past = Object.fromEntries(pastNames.map((name) => {
    const [, heads, , headDim] = meta.get(name).shape;
    return [name, new ort.Tensor('float32', new Float32Array(0), [1, heads, 0, headDim])];
  }));
  const hasPositions = session.inputNames.includes('position_ids');
  const ids = [], logitsAt = [];
  let feedIds = promptIds, pastLen = 0, prefillMs = 0, decodeMs = 0;
  for (let step = 0; step < n; step++) {
    const t = performance.now();
    const len = feedIds.length;
    const feeds = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(feedIds, BigInt), [1, len]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(pastLen + len).fill(1n), [1, pastLen + len]),
      ...past,
    };
    if (hasPositions) {
      feeds.position_ids = new ort.Tensor('int64', BigInt64Array.from({ length: len }, (_, i) => BigInt(pastLen + i)), [1, len]);
    }
    const r = await session.run(feeds);
    const dt = performance.now() - t;
    if (step === 0) prefillMs = dt; else decodeMs += dt;
    const logits = r.logits.data, end = logits.length, start = end - r.logits.dims.at(-1);
    if (keepLogits) logitsAt.push(logits.slice(start, end));
    const next = argmax(logits, start, end);
    ids.push(next);
    past = Object.fromEntries(pastNames.map((name) => [name, r[name.replace('past_key_values', 'present')]]));
    pastLen += len;
    feedIds = [next];
  }
  return { ids, prefillMs, decodeMs, logitsAt };
}
