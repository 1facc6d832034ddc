// qwasm/llm's Tokenizer: byte-level BPE in the "qwasm-bpe-v1" format of the embedded
// default model (models/tinylm/tokenizer.json), following the steps documented in
// tools/tinylm/tokenizer.py. Part of the package because text in / text out needs it
// next to loadCausalLM (lm.tokenizer) and the demo may use only the public
// API. Pure JS (no wasm); runs in browsers and Node.
//
//   import { Tokenizer } from 'qwasm/llm';
//   const tok = Tokenizer.fromJSON(await (await fetch('tokenizer.json')).json());
//   const ids = tok.encode('It is a truth universally');
//   tok.decode(ids);

const FORMAT = 'qwasm-bpe-v1';

// Bytes <-> "binary strings" (one char per byte, 0..255): the chunking regex is
// defined over bytes, and a JS regex without the `u` flag over such a string
// sees exactly those bytes.
const utf8 = new TextEncoder();
function toBinary(text) {
  let s = '';
  for (const b of utf8.encode(text)) s += String.fromCharCode(b);
  return s;
}

function hexBytes(hex) {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(2 * i, 2), 16);
  return out;
}

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class Tokenizer {
  #ranks = new Map();   // a * 65536 + b -> merge rank (ids are < 65536)
  #merges;              // rank -> [a, b]
  #cache = new Map();   // chunk (binary string) -> ids
  #pattern;
  #special;             // string -> id
  #specialRe;
  #specialIds;

  constructor({ pattern, merges, specialTokens = {} }) {
    this.#pattern = new RegExp(pattern, 'g');
    this.#merges = merges.map(([a, b]) => [a, b]);
    this.vocab = Array.from({ length: 256 }, (_, i) => Uint8Array.of(i));
    merges.forEach(([a, b], r) => {
      this.#ranks.set(a * 65536 + b, r);
      const v = new Uint8Array(this.vocab[a].length + this.vocab[b].length);
      v.set(this.vocab[a]);
      v.set(this.vocab[b], this.vocab[a].length);
      this.vocab.push(v);
    });
    this.#special = new Map(Object.entries(specialTokens));
    for (const [s, id] of [...this.#special].sort((x, y) => x[1] - y[1])) {
      if (id !== this.vocab.length) throw new Error(`tokenizer: special token ${s} has id ${id}, expected ${this.vocab.length}`);
      this.vocab.push(utf8.encode(s));
    }
    this.#specialIds = new Set(this.#special.values());
    // Capturing group: split() keeps the separators at odd indices.
    this.#specialRe = this.#special.size
      ? new RegExp(`(${[...this.#special.keys()].map(escapeRegExp).join('|')})`) : null;
  }

  // Builds from the parsed tokenizer.json; checks the stored vocab against the merges.
  static fromJSON(j) {
    if (j.format !== FORMAT) throw new Error(`tokenizer: format '${j.format}' is not '${FORMAT}'`);
    const tok = new Tokenizer({ pattern: j.pattern, merges: j.merges, specialTokens: j.special_tokens });
    if (j.vocab) {
      if (j.vocab.length !== tok.vocab.length) throw new Error('tokenizer: vocab size does not match the merges');
      j.vocab.forEach((hex, i) => {
        const want = hexBytes(hex), got = tok.vocab[i];
        if (want.length !== got.length || want.some((b, k) => b !== got[k])) throw new Error(`tokenizer: vocab[${i}] does not match the merges`);
      });
    }
    return tok;
  }

  get vocabSize() { return this.vocab.length; }

  // Step 3: merge the lowest-ranked adjacent pair everywhere, until none is left.
  #bpe(chunk) {
    const hit = this.#cache.get(chunk);
    if (hit) return hit;
    let ids = Array.from(chunk, (c) => c.charCodeAt(0));
    while (ids.length > 1) {
      let best = -1;
      for (let i = 0; i + 1 < ids.length; i++) {
        const r = this.#ranks.get(ids[i] * 65536 + ids[i + 1]);
        if (r !== undefined && (best < 0 || r < best)) best = r;
      }
      if (best < 0) break;
      const [a, b] = this.#merges[best];
      const out = [];
      for (let i = 0; i < ids.length; i++) {
        // Left to right without overlap, as in the Python reference.
        if (i + 1 < ids.length && ids[i] === a && ids[i + 1] === b) { out.push(256 + best); i++; } else out.push(ids[i]);
      }
      ids = out;
    }
    if (this.#cache.size < 100000) this.#cache.set(chunk, ids);
    return ids;
  }

  // Encodes text without treating special-token strings specially (steps 2-4).
  encodeOrdinary(text) {
    const ids = [];
    for (const m of toBinary(text).matchAll(this.#pattern)) ids.push(...this.#bpe(m[0]));
    return ids;
  }

  encode(text) {
    if (!this.#specialRe) return this.encodeOrdinary(text);
    const ids = [];
    text.split(this.#specialRe).forEach((piece, i) => {
      if (i % 2) ids.push(this.#special.get(piece));
      else if (piece) ids.push(...this.encodeOrdinary(piece));
    });
    return ids;
  }

  #bytes(ids, skipSpecial) {
    const parts = [];
    let n = 0;
    for (const id of ids) {
      if (skipSpecial && this.#specialIds.has(id)) continue;
      const v = this.vocab[id];
      if (!v) throw new RangeError(`tokenizer: id ${id} is outside the vocabulary (size ${this.vocab.length})`);
      parts.push(v);
      n += v.length;
    }
    const out = new Uint8Array(n);
    let off = 0;
    for (const p of parts) { out.set(p, off); off += p.length; }
    return out;
  }

  // Invalid UTF-8 becomes U+FFFD, as in the Python side's errors="replace".
  decode(ids, { skipSpecial = true } = {}) {
    return new TextDecoder('utf-8').decode(this.#bytes(ids, skipSpecial));
  }

  // For streaming: push(id) returns the text that became complete with this id
  // (a multi-byte character split over tokens appears once all its bytes arrived).
  streamDecoder({ skipSpecial = true } = {}) {
    const dec = new TextDecoder('utf-8');
    return {
      push: (id) => dec.decode(this.#bytes([id], skipSpecial), { stream: true }),
      flush: () => dec.decode(),
    };
  }
}
