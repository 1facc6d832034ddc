// Input makers and output summaries for the "bring your own model" panel.
import { Tensor } from '../js/index.js';

const ARRAYS = {
  float32: Float32Array, float64: Float64Array, float16: Uint16Array, int8: Int8Array, uint8: Uint8Array,
  int16: Int16Array, uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array,
  uint64: BigUint64Array, bool: Uint8Array,
};

function concreteDims(meta, sym) {
  return (meta.dims ?? [1]).map((d) => (typeof d === 'number' ? d : sym));
}

export function randomTensor(meta, sym) {
  const dims = concreteDims(meta, sym);
  const n = dims.reduce((a, b) => a * b, 1);
  const type = meta.type ?? 'float32';
  const Arr = ARRAYS[type];
  if (!Arr) throw new Error(`input '${meta.name}': no random values for type ${type}`);
  const data = new Arr(n);
  for (let i = 0; i < n; i++) {
    const r = Math.random();
    if (type === 'float32' || type === 'float64') data[i] = r * 2 - 1;
    else if (type === 'int64' || type === 'uint64') data[i] = BigInt(Math.floor(r * 10));
    else if (type === 'bool') data[i] = r < 0.5 ? 1 : 0;
    else if (type === 'float16') data[i] = 0x3c00;  // 1.0
    else data[i] = Math.floor(r * 10);
  }
  return new Tensor(type, data, dims);
}

// `text` is JSON: a flat or nested array. Dims come from the metadata (symbolic = sym)
// unless the nesting says otherwise.
export function parseTensor(meta, text, sym) {
  let v;
  try { v = JSON.parse(text); } catch { throw new Error(`input '${meta.name}': values must be JSON, e.g. [1, 2, 3]`); }
  const dims = [];
  for (let x = v; Array.isArray(x); x = x[0]) dims.push(x.length);
  const flat = Array.isArray(v) ? v.flat(Infinity) : [v];
  const type = meta.type ?? 'float32';
  const shape = dims.length === (meta.dims?.length ?? dims.length) ? dims : concreteDims(meta, sym);
  return new Tensor(type, flat, shape);
}

export function summarize(name, t) {
  const head = Array.from(t.data.slice(0, 12), (x) => (typeof x === 'number' && !Number.isInteger(x) ? x.toPrecision(5) : String(x)));
  let extra = '';
  if (t.type === 'float32' && t.size > 1) {
    let best = 0;
    for (let i = 1; i < t.size; i++) if (t.data[i] > t.data[best]) best = i;
    extra = `  argmax=${best}`;
  }
  return `${name}: ${t.type} [${t.dims.join(', ')}]${extra}\n  ${head.join(', ')}${t.size > 12 ? ', …' : ''}`;
}
