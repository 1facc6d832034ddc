// Tensor element types: names as in onnxruntime-web, codes as in onnx.proto.
export const DTYPES = {
  float32: { code: 1, array: Float32Array },
  uint8: { code: 2, array: Uint8Array },
  int8: { code: 3, array: Int8Array },
  uint16: { code: 4, array: Uint16Array },
  int16: { code: 5, array: Int16Array },
  int32: { code: 6, array: Int32Array },
  int64: { code: 7, array: BigInt64Array },
  bool: { code: 9, array: Uint8Array },
  float16: { code: 10, array: Uint16Array },
  float64: { code: 11, array: Float64Array },
  uint32: { code: 12, array: Uint32Array },
  uint64: { code: 13, array: BigUint64Array },
};

const BY_CODE = new Map(Object.entries(DTYPES).map(([name, d]) => [d.code, name]));

// onnx.proto types with no typed array here, named for error messages.
const NO_ARRAY = { 8: 'string', 14: 'complex64', 15: 'complex128', 16: 'bfloat16', 17: 'float8e4m3fn',
  18: 'float8e4m3fnuz', 19: 'float8e5m2', 20: 'float8e5m2fnuz', 21: 'uint4', 22: 'int4' };

// `what` names the value for the error ("input 'x'").
export function dtypeName(code, what = 'tensor') {
  const name = BY_CODE.get(code);
  if (!name) {
    const known = NO_ARRAY[code];
    throw new Error(`${what}: element type ${known ? `${known} (${code})` : `code ${code}`} is not supported by the JS API ` +
      `(supported: ${Object.keys(DTYPES).join(', ')})`);
  }
  return name;
}

export function dtypeInfo(name) {
  const d = DTYPES[name];
  if (!d) throw new Error(`unsupported tensor type '${name}' (expected one of ${Object.keys(DTYPES).join(', ')})`);
  return d;
}
