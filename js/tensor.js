import { dtypeInfo } from './dtypes.js';

// float16 data as its bits. A Float16Array (where the engine has one) becomes a Uint16Array
// view of the same memory; numbers convert through Float16Array, as onnxruntime-web does, and
// are refused where there is none (they would otherwise be read as bits).
function float16Bits(data) {
  const F16 = globalThis.Float16Array;
  if (Array.isArray(data)) {
    if (!F16) {
      throw new TypeError("Tensor of type 'float16' from numbers needs Float16Array, which this JavaScript engine " +
        'lacks: pass the float16 bits as a Uint16Array');
    }
    data = F16.from(data);
  }
  return F16 && data instanceof F16 ? new Uint16Array(data.buffer, data.byteOffset, data.length) : data;
}

// A CPU tensor shaped like onnxruntime-web's: new Tensor(type, data, dims).
// int64 uses BigInt64Array, float16 Uint16Array (raw bits; a Float16Array is taken as a view),
// bool Uint8Array.
export class Tensor {
  constructor(type, data, dims) {
    const info = dtypeInfo(type);
    if (dims === undefined) dims = [data.length];
    if (!Array.isArray(dims)) throw new TypeError('Tensor dims must be an array of non-negative integers');
    for (const d of dims) {
      if (!Number.isInteger(d) || d < 0) throw new TypeError(`Tensor dims must be non-negative integers, got [${dims}]`);
    }
    const size = dims.reduce((a, b) => a * b, 1);
    if (type === 'float16') data = float16Bits(data);
    if (Array.isArray(data)) {
      data = type === 'int64' || type === 'uint64'
        ? info.array.from(data, (v) => BigInt(v))
        : info.array.from(data, type === 'bool' ? (v) => (v ? 1 : 0) : undefined);
    }
    if (!(data instanceof info.array)) {
      throw new TypeError(`Tensor of type '${type}' needs a ${info.array.name}, got ${data?.constructor?.name ?? typeof data}`);
    }
    if (data.length !== size) {
      throw new RangeError(`Tensor data has ${data.length} elements but dims [${dims}] need ${size}`);
    }
    this.type = type;
    this.data = data;
    this.dims = Object.freeze([...dims]);
    this.size = size;
  }
}
