import { dtypeInfo } from './dtypes.js';

// A CPU tensor shaped like onnxruntime-web's: new Tensor(type, data, dims).
// int64 uses BigInt64Array, float16 Uint16Array (raw bits), bool Uint8Array.
export class Tensor {
  constructor(type, data, dims) {
    const info = dtypeInfo(type);
    if (dims === undefined) dims = [data.length];
    if (!Array.isArray(dims)) throw new TypeError('Tensor dims must be an array of non-negative integers');
    for (const d of dims) {
      if (!Number.isInteger(d) || d < 0) throw new TypeError(`Tensor dims must be non-negative integers, got [${dims}]`);
    }
    const size = dims.reduce((a, b) => a * b, 1);
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
