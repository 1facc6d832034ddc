// A minimal decoder for onnx.TensorProto files (the backend tests' input_*.pb /
// output_*.pb), producing qwasm Tensors. Only what the test data uses.
import { Tensor } from 'qwasm';

function reader(buf) {
  let pos = 0;
  const varint = () => {
    let result = 0n, shift = 0n;
    for (;;) {
      const b = buf[pos++];
      if (b === undefined) throw new Error('truncated varint');
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
    }
  };
  const bytes = () => { const n = Number(varint()); const out = buf.subarray(pos, pos + n); pos += n; return out; };
  return { varint, bytes, done: () => pos >= buf.length, skip: (wt) => {
    if (wt === 0) varint(); else if (wt === 1) pos += 8; else if (wt === 2) bytes(); else if (wt === 5) pos += 4;
    else throw new Error(`unsupported wire type ${wt}`);
  } };
}

// Repeated scalar field: packed (wire type 2) or one value per tag.
function pushValues(r, wt, list, kind) {
  const one = (rr) => {
    if (kind === 'varint') list.push(rr.varint());
    else throw new Error('bad kind');
  };
  if (wt === 2 && kind === 'varint') {
    const sub = reader(r.bytes());
    while (!sub.done()) one(sub);
  } else if (wt === 2) {
    const b = r.bytes();
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const w = kind === 'float' ? 4 : 8;
    for (let i = 0; i + w <= b.length; i += w) list.push(kind === 'float' ? dv.getFloat32(i, true) : dv.getFloat64(i, true));
  } else if (kind !== 'varint') {
    throw new Error(`unpacked ${kind} values are not supported`);
  } else {
    one(r);
  }
}

const TYPES = { 1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64' };
const ARRAYS = { float32: Float32Array, uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array, int32: Int32Array, int64: BigInt64Array, bool: Uint8Array, float16: Uint16Array, float64: Float64Array, uint32: Uint32Array, uint64: BigUint64Array };

export class UnsupportedType extends Error {}
// Types the JS API has no array for, named for the skip reason.
const UNSUPPORTED = { 0: 'undefined', 8: 'string', 14: 'complex64', 15: 'complex128', 16: 'bfloat16',
  17: 'float8e4m3fn', 18: 'float8e4m3fnuz', 19: 'float8e5m2', 20: 'float8e5m2fnuz', 21: 'uint4', 22: 'int4' };

// The graph inputs / outputs of a ModelProto whose type is not a tensor (a sequence,
// optional, map or sparse tensor: values the JS API cannot pass), as "name (kind)".
// ModelProto.graph = 7; GraphProto.input = 11, output = 12; ValueInfoProto.name = 1,
// type = 2; TypeProto.tensor_type = 1 (the others: 4 sequence, 5 map, 8 sparse, 9 optional).
export function nonTensorGraphValues(input) {
  const KINDS = { 4: 'sequence', 5: 'map', 8: 'sparse tensor', 9: 'optional' };
  const fields = (buf, want) => {
    const r = reader(buf), out = [];
    while (!r.done()) {
      const key = Number(r.varint());
      const field = key >> 3, wt = key & 7;
      if (wt === 2 && want.includes(field)) out.push([field, r.bytes()]);
      else r.skip(wt);
    }
    return out;
  };
  const found = [];
  for (const [, graph] of fields(new Uint8Array(input), [7])) {
    for (const [, vi] of fields(graph, [11, 12])) {
      let name = '';
      for (const [f, b] of fields(vi, [1, 2])) {
        if (f === 1) name = new TextDecoder().decode(b);
        else for (const [kind] of fields(b, [4, 5, 8, 9])) found.push(`${name} (${KINDS[kind]})`);
      }
    }
  }
  return found;
}

// Returns { name, tensor }.
export function decodeTensorProto(input) {
  // Node Buffers share pooled memory and their slice() does not copy: take a plain copy.
  const buf = new Uint8Array(input);
  const r = reader(buf);
  const dims = [], ints = [], floats = [], doubles = [];
  let dataType = 0, name = '', raw = null;
  while (!r.done()) {
    const key = Number(r.varint());
    const field = key >> 3, wt = key & 7;
    if (field === 1) pushValues(r, wt, dims, 'varint');
    else if (field === 2) dataType = Number(r.varint());
    else if (field === 4) pushValues(r, wt, floats, 'float');
    else if (field === 5 || field === 7 || field === 11) pushValues(r, wt, ints, 'varint');
    else if (field === 8) name = new TextDecoder().decode(r.bytes());
    else if (field === 9) raw = r.bytes();
    else if (field === 10) pushValues(r, wt, doubles, 'double');
    else r.skip(wt);
  }
  const type = TYPES[dataType];
  if (!type) {
    const what = UNSUPPORTED[dataType] ? `${UNSUPPORTED[dataType]} (${dataType})` : `${dataType}`;
    throw new UnsupportedType(`tensor '${name}': element type ${what} is not in the JS API`);
  }
  const Arr = ARRAYS[type];
  const shape = dims.map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  let data;
  if (raw) {
    data = new Arr(raw.slice().buffer, 0, count);
  } else if (type === 'float32') {
    data = Float32Array.from(floats);
  } else if (type === 'float64') {
    data = Float64Array.from(doubles);
  } else if (type === 'int64') {
    data = BigInt64Array.from(ints, (v) => BigInt.asIntN(64, v));
  } else if (type === 'uint64') {
    data = BigUint64Array.from(ints, (v) => BigInt.asUintN(64, v));
  } else {
    data = Arr.from(ints, (v) => Number(BigInt.asIntN(64, v)));
  }
  return { name, tensor: new Tensor(type, data, shape) };
}
