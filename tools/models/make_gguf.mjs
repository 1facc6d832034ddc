// Writes a GGUF (version 3) file of a Qwen2-architecture decoder with random weights, for
// benchmarking llama.cpp builds (wllama) against qwasm on the same shape. Written from the GGUF
// spec (ggml's docs/gguf.md): header, typed key/value metadata, tensor infos, aligned data.
//
// The weights are random quantized blocks written directly (no float weights are made): Q4_0
// (f16 scale + 16 bytes of nibbles per 32 values) or Q8_0 (f16 scale + 32 int8 per 32 values),
// scaled so a weight has standard deviation 1/sqrt(in_features) like tools/models/make_decoder.py.
// Norms and biases are float32. The vocabulary is byte-level BPE ("gpt2" model, "qwen2"
// pre-tokenizer) with the 256 byte symbols, then placeholder tokens, then Qwen's special tokens;
// the benchmark feeds token ids, so no merges are needed.
//
// Usage: node tools/models/make_gguf.mjs OUT.gguf --type q4_0|q8_0 [--qwen-0.5b]
//          [--layers 2 --hidden 64 --heads 4 --kv-heads 2 --ff 128 --vocab 512]
import { closeSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

const ALIGN = 32;
const GGUF = { U32: 4, I32: 5, F32: 6, BOOL: 7, STRING: 8, ARRAY: 9 };
// ggml_type ids and block layouts (values per block, bytes per block).
const TYPES = {
  f32: { id: 0, block: 1, bytes: 4 },
  q4_0: { id: 2, block: 32, bytes: 18, fileType: 2 },
  q8_0: { id: 8, block: 32, bytes: 34, fileType: 7 },
};

// --- a growable little-endian byte writer for the header ---
class Bytes {
  constructor() { this.buf = new Uint8Array(1 << 20); this.len = 0; this.view = new DataView(this.buf.buffer); }
  #room(n) {
    if (this.len + n <= this.buf.length) return;
    const b = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
    this.view = new DataView(b.buffer);
  }
  u32(v) { this.#room(4); this.view.setUint32(this.len, v, true); this.len += 4; }
  i32(v) { this.#room(4); this.view.setInt32(this.len, v, true); this.len += 4; }
  u64(v) { this.#room(8); this.view.setBigUint64(this.len, BigInt(v), true); this.len += 8; }
  f32(v) { this.#room(4); this.view.setFloat32(this.len, v, true); this.len += 4; }
  u8(v) { this.#room(1); this.buf[this.len++] = v; }
  str(s) {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.#room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  bytes() { return this.buf.subarray(0, this.len); }
}

// Metadata values: [gguf type, value] or [ARRAY, element type, values].
function writeKV(w, key, type, value, elemType) {
  w.str(key);
  w.u32(type);
  const one = (t, v) => {
    if (t === GGUF.U32) w.u32(v);
    else if (t === GGUF.I32) w.i32(v);
    else if (t === GGUF.F32) w.f32(v);
    else if (t === GGUF.BOOL) w.u8(v ? 1 : 0);
    else if (t === GGUF.STRING) w.str(v);
    else throw new Error(`gguf: no writer for type ${t}`);
  };
  if (type !== GGUF.ARRAY) return one(type, value);
  w.u32(elemType);
  w.u64(value.length);
  for (const v of value) one(elemType, v);
}

// GPT-2's byte-to-unicode map: the 256 symbols byte-level BPE vocabularies start from.
function byteSymbols() {
  const keep = [];
  for (let b = 33; b <= 126; b++) keep.push(b);
  for (let b = 161; b <= 172; b++) keep.push(b);
  for (let b = 174; b <= 255; b++) keep.push(b);
  const kept = new Set(keep);
  const out = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) out[b] = String.fromCodePoint(kept.has(b) ? b : 256 + extra++);
  return out;
}

function vocabulary(n) {
  const special = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'];
  const specialAt = Math.min(151643, n - special.length);  // Qwen2's ids where the vocab is that big
  const tokens = byteSymbols();
  for (let i = 256; i < n; i++) tokens.push(`tok${i}`);
  const types = new Array(n).fill(1);  // 1 = normal, 3 = control
  special.forEach((s, j) => { tokens[specialAt + j] = s; types[specialAt + j] = 3; });
  return { tokens, types, eos: specialAt, imEnd: specialAt + 2 };
}

// Deterministic xorshift32 random bytes (fast: ~1 GB of weights is written).
function randomFiller(seed) {
  let s = seed >>> 0 || 1;
  return (u32) => {
    for (let i = 0; i < u32.length; i++) {
      s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
      u32[i] = s;
    }
  };
}

function f16(x) {  // float32 -> IEEE half bits (round to nearest; normal range only is needed here)
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer)[0];
  const sign = (u >>> 16) & 0x8000;
  const e = ((u >>> 23) & 0xff) - 127 + 15;
  const m = u & 0x7fffff;
  if (e <= 0) return sign;
  if (e >= 31) return sign | 0x7c00;
  let h = sign | (e << 10) | (m >>> 13);
  if (m & 0x1000) h++;  // round (ties away; fine for scales)
  return h;
}

// Quantized tensor data: random codes, every block scaled by `d` (the code's std times d = std).
function fillQuantized(out, type, std, fill) {
  const t = TYPES[type];
  const codeStd = type === 'q4_0' ? Math.sqrt((16 * 16 - 1) / 12) : Math.sqrt((256 * 256 - 1) / 12);
  const d = f16(std / codeStd);
  fill(new Uint32Array(out.buffer, out.byteOffset, out.length >> 2));
  for (let o = 0; o < out.length; o += t.bytes) { out[o] = d & 0xff; out[o + 1] = d >> 8; }
}

function fillFloat(out, center, spread, fill) {
  const u = new Uint32Array(out.length);
  fill(u);
  for (let i = 0; i < out.length; i++) out[i] = center + spread * ((u[i] / 2 ** 32) * 2 - 1) * Math.sqrt(3);
}

export function qwen2Tensors(a, type) {
  const hd = a.hidden / a.heads, kv = a.kvHeads * hd;
  const list = [];
  // ne: ggml order, ne[0] is the contiguous (input-feature) dimension.
  const mat = (name, ne, std) => list.push({ name, ne, type, std });
  const vec = (name, n, center, spread) => list.push({ name, ne: [n], type: 'f32', center, spread });
  mat('token_embd.weight', [a.hidden, a.vocab], 1);
  for (let i = 0; i < a.layers; i++) {
    const b = `blk.${i}.`;
    vec(`${b}attn_norm.weight`, a.hidden, 1, 0.1);
    mat(`${b}attn_q.weight`, [a.hidden, a.hidden], 1 / Math.sqrt(a.hidden));
    mat(`${b}attn_k.weight`, [a.hidden, kv], 1 / Math.sqrt(a.hidden));
    mat(`${b}attn_v.weight`, [a.hidden, kv], 1 / Math.sqrt(a.hidden));
    vec(`${b}attn_q.bias`, a.hidden, 0, 0.02);
    vec(`${b}attn_k.bias`, kv, 0, 0.02);
    vec(`${b}attn_v.bias`, kv, 0, 0.02);
    mat(`${b}attn_output.weight`, [a.hidden, a.hidden], 1 / Math.sqrt(a.hidden));
    vec(`${b}ffn_norm.weight`, a.hidden, 1, 0.1);
    mat(`${b}ffn_gate.weight`, [a.hidden, a.ff], 1 / Math.sqrt(a.hidden));
    mat(`${b}ffn_up.weight`, [a.hidden, a.ff], 1 / Math.sqrt(a.hidden));
    mat(`${b}ffn_down.weight`, [a.ff, a.hidden], 1 / Math.sqrt(a.ff));
  }
  vec('output_norm.weight', a.hidden, 1, 0.1);
  // An untied LM head like make_decoder.py's (qwasm's model has a separate q4 head too).
  mat('output.weight', [a.hidden, a.vocab], 1 / Math.sqrt(a.hidden));
  for (const t of list) {
    const T = TYPES[t.type];
    if (t.ne[0] % T.block) throw new Error(`${t.name}: ${t.ne[0]} is not a multiple of ${T.block}`);
    t.size = (t.ne.reduce((x, y) => x * y, 1) / T.block) * T.bytes;
  }
  return list;
}

export function writeGguf(out, a, type) {
  if (!TYPES[type] || type === 'f32') throw new Error(`--type must be q4_0 or q8_0, got '${type}'`);
  const tensors = qwen2Tensors(a, type);
  const vocab = vocabulary(a.vocab);
  const arch = 'qwen2';
  const kvs = [
    ['general.architecture', GGUF.STRING, arch],
    ['general.name', GGUF.STRING, `qwen2-shaped-random-${type}`],
    ['general.alignment', GGUF.U32, ALIGN],
    ['general.file_type', GGUF.U32, TYPES[type].fileType],
    [`${arch}.context_length`, GGUF.U32, a.maxPos],
    [`${arch}.embedding_length`, GGUF.U32, a.hidden],
    [`${arch}.block_count`, GGUF.U32, a.layers],
    [`${arch}.feed_forward_length`, GGUF.U32, a.ff],
    [`${arch}.attention.head_count`, GGUF.U32, a.heads],
    [`${arch}.attention.head_count_kv`, GGUF.U32, a.kvHeads],
    [`${arch}.rope.freq_base`, GGUF.F32, 1e6],
    [`${arch}.attention.layer_norm_rms_epsilon`, GGUF.F32, 1e-6],
    ['tokenizer.ggml.model', GGUF.STRING, 'gpt2'],
    ['tokenizer.ggml.pre', GGUF.STRING, 'qwen2'],
    ['tokenizer.ggml.tokens', GGUF.ARRAY, vocab.tokens, GGUF.STRING],
    ['tokenizer.ggml.token_type', GGUF.ARRAY, vocab.types, GGUF.I32],
    ['tokenizer.ggml.merges', GGUF.ARRAY, [], GGUF.STRING],
    ['tokenizer.ggml.bos_token_id', GGUF.U32, vocab.eos],
    ['tokenizer.ggml.eos_token_id', GGUF.U32, vocab.imEnd],
    ['tokenizer.ggml.padding_token_id', GGUF.U32, vocab.eos],
    ['tokenizer.ggml.add_bos_token', GGUF.BOOL, false],
  ];
  const w = new Bytes();
  w.buf.set([0x47, 0x47, 0x55, 0x46]);  // "GGUF"
  w.len = 4;
  w.u32(3);
  w.u64(tensors.length);
  w.u64(kvs.length);
  for (const [k, t, v, e] of kvs) writeKV(w, k, t, v, e);
  let offset = 0;
  for (const t of tensors) {
    w.str(t.name);
    w.u32(t.ne.length);
    for (const n of t.ne) w.u64(n);
    w.u32(TYPES[t.type].id);
    w.u64(offset);
    t.offset = offset;
    offset += Math.ceil(t.size / ALIGN) * ALIGN;
  }
  while (w.len % ALIGN) w.u8(0);

  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.tmp`;
  const fd = openSync(tmp, 'w');
  writeSync(fd, w.bytes());
  const fill = randomFiller(a.seed);
  for (const t of tensors) {
    const padded = Math.ceil(t.size / ALIGN) * ALIGN;
    if (t.type === 'f32') {
      const v = new Float32Array(padded / 4);
      fillFloat(v.subarray(0, t.size / 4), t.center, t.spread, fill);
      writeSync(fd, new Uint8Array(v.buffer));
      continue;
    }
    // Whole rows at a time, in chunks of about 16 MB.
    const rowBytes = (t.ne[0] / TYPES[t.type].block) * TYPES[t.type].bytes;
    const rowsPer = Math.max(1, Math.floor((16 << 20) / rowBytes));
    const rows = t.size / rowBytes;
    const chunk = new Uint8Array(Math.ceil((rowsPer * rowBytes) / 4) * 4);
    for (let r = 0; r < rows; r += rowsPer) {
      const n = Math.min(rowsPer, rows - r) * rowBytes;
      const part = chunk.subarray(0, Math.ceil(n / 4) * 4);
      fillQuantized(part, t.type, t.std, fill);
      writeSync(fd, part.subarray(0, n));
    }
    if (padded > t.size) writeSync(fd, new Uint8Array(padded - t.size));
  }
  closeSync(fd);
  renameSync(tmp, out);
  return { tensors: tensors.length, bytes: w.len + offset };
}

export const QWEN_05B = { layers: 24, hidden: 896, heads: 14, kvHeads: 2, ff: 4864, vocab: 151936, maxPos: 4096 };

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  const opts = {}, pos = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--qwen-0.5b') opts.qwen = true;
    else if (argv[i].startsWith('--')) opts[argv[i].slice(2)] = argv[++i];
    else pos.push(argv[i]);
  }
  const out = pos[0];
  const opt = (name, dflt) => opts[name] ?? dflt;
  if (!out) throw new Error('usage: make_gguf.mjs OUT.gguf --type q4_0|q8_0 [--qwen-0.5b] [--layers N ...]');
  const a = opts.qwen ? { ...QWEN_05B } : {
    layers: Number(opt('layers', 2)), hidden: Number(opt('hidden', 64)), heads: Number(opt('heads', 4)),
    kvHeads: Number(opt('kv-heads', 2)), ff: Number(opt('ff', 128)), vocab: Number(opt('vocab', 512)), maxPos: 4096,
  };
  a.seed = Number(opt('seed', 1));
  const r = writeGguf(out, a, opt('type', 'q4_0'));
  console.log(`wrote ${out}: ${r.tensors} tensors, ${(r.bytes / 1048576).toFixed(1)} MiB`);
}
