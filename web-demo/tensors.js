// Input makers and output summaries for the "bring your own model" panel.
import { Tensor } from '../js/index.js';

const ARRAYS = {
  float32: Float32Array, float64: Float64Array, float16: Uint16Array, int8: Int8Array, uint8: Uint8Array,
  int16: Int16Array, uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array,
  uint64: BigUint64Array, bool: Uint8Array,
};

// The names of a value's symbolic (string) or unknown (null) dims.
export function symbolicDims(meta) {
  return (meta.dims ?? []).map((d, i) => (typeof d === 'number' ? null : d ?? `${meta.name}[${i}]`)).filter(Boolean);
}

// Concrete dims: numbers stay, symbolic dims take the user's value (default 1).
export function resolveDims(meta, symValues) {
  if (!meta.dims) return [1];
  return meta.dims.map((d, i) => (typeof d === 'number' ? d : symValues[d ?? `${meta.name}[${i}]`] ?? 1));
}

// float32 -> IEEE half bits (round to nearest; enough for demo inputs).
const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
export function toHalf(x) {
  f32[0] = x;
  const b = u32[0], sign = (b >>> 16) & 0x8000, exp = ((b >>> 23) & 0xff) - 112, man = b & 0x7fffff;
  if (exp <= 0) return sign;                    // flush tiny values to zero
  if (exp >= 31) return sign | 0x7c00;          // overflow -> inf
  return sign | (exp << 10) | ((man + 0x1000) >>> 13);
}
export function fromHalf(h) {
  const e = (h >>> 10) & 0x1f, m = h & 0x3ff, s = h & 0x8000 ? -1 : 1;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

// Floats uniform in [-1, 1); integers in [0, 10) so index-like inputs (token ids) stay valid.
export function randomTensor(meta, dims) {
  const type = meta.type ?? 'float32';
  const Arr = ARRAYS[type];
  if (!Arr) throw new Error(`input '${meta.name}': cannot make random values of type ${type}`);
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Arr(n);
  for (let i = 0; i < n; i++) {
    const r = Math.random();
    if (type === 'float32' || type === 'float64') data[i] = r * 2 - 1;
    else if (type === 'float16') data[i] = toHalf(r * 2 - 1);
    else if (type === 'int64' || type === 'uint64') data[i] = BigInt(Math.floor(r * 10));
    else if (type === 'bool') data[i] = r < 0.5 ? 1 : 0;
    else data[i] = Math.floor(r * 10);
  }
  return new Tensor(type, data, dims);
}

// `text` is JSON: a number, or a flat or nested array. A nested array gives its
// own shape; a flat one takes `dims` (from the metadata) when the sizes agree.
export function parseTensor(meta, text, dims) {
  let v;
  try { v = JSON.parse(text); } catch { throw new Error(`input '${meta.name}': values must be JSON, e.g. [1, 2, 3] or [[1, 2], [3, 4]]`); }
  const nested = [];
  for (let x = v; Array.isArray(x); x = x[0]) nested.push(x.length);
  const flat = Array.isArray(v) ? v.flat(Infinity) : [v];
  const type = meta.type ?? 'float32';
  const want = dims.reduce((a, b) => a * b, 1);
  const shape = nested.length > 1 || want !== flat.length ? nested : dims;
  const values = type === 'float16' ? flat.map(toHalf) : flat;
  if (flat.some((x) => typeof x !== 'number' && typeof x !== 'boolean')) throw new Error(`input '${meta.name}': values must be numbers`);
  return new Tensor(type, values, shape);
}

const fmt = (x) => (typeof x === 'bigint' || Number.isInteger(x) ? String(x) : Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(3) : x.toFixed(4));

// A short text for one output: first values, and min/max/mean (+ argmax) for numbers.
export function summarize(t) {
  const vals = t.type === 'float16' ? Array.from(t.data, fromHalf) : t.data;
  const head = Array.from(vals.slice(0, 8), fmt).join(', ') + (t.size > 8 ? ', …' : '');
  if (t.size === 0) return '(empty)';
  if (typeof vals[0] === 'bigint' || t.size === 1) return `[${head}]`;
  let min = Infinity, max = -Infinity, sum = 0, arg = 0;
  for (let i = 0; i < vals.length; i++) {
    const x = vals[i];
    if (x < min) min = x;
    if (x > max) { max = x; arg = i; }
    sum += x;
  }
  return `[${head}]  min ${fmt(min)} · max ${fmt(max)} (at ${arg}) · mean ${fmt(sum / vals.length)}`;
}

// A whole random feed { name: Tensor } for a session's inputMetadata, symbolic dims from
// symValues: randomTensor for each input, except that an input named like an attention mask
// is all ones (a random mask would hide most positions) and one named like token type ids all
// zeros (BERT-style models embed only types 0 and 1).
export function randomFeed(metadata, symValues) {
  const feed = {};
  for (const m of metadata) {
    const dims = resolveDims(m, symValues);
    const t = randomTensor(m, dims);
    const fill = /mask/i.test(m.name) ? 1 : /type_ids/i.test(m.name) ? 0 : null;
    if (fill !== null && t.type !== 'float16') t.data.fill(typeof t.data[0] === 'bigint' ? BigInt(fill) : fill);
    feed[m.name] = t;
  }
  return feed;
}
