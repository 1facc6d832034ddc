// Engine feature detection: tiny hand-assembled modules that validate only when
// the engine supports SIMD128 / relaxed SIMD.
const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const TYPE_V128 = [0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b];  // () -> v128
const ONE_FUNC = [0x03, 0x02, 0x01, 0x00];
const V128_CONST = [0xfd, 0x0c, ...new Array(16).fill(0)];

function moduleWithBody(ops) {
  const body = [0x00, ...ops, 0x0b];
  return new Uint8Array([...HEADER, ...TYPE_V128, ...ONE_FUNC, 0x0a, body.length + 2, 0x01, body.length, ...body]);
}

// v128.const
const SIMD128_MODULE = moduleWithBody(V128_CONST);
// v128.const x3; i32x4.relaxed_dot_i8x16_i7x16_add_s (0xfd 0x113)
const RELAXED_MODULE = moduleWithBody([...V128_CONST, ...V128_CONST, ...V128_CONST, 0xfd, 0x93, 0x02]);

let cached;
export function engineFeatures() {
  if (!cached) {
    const validate = (m) => { try { return WebAssembly.validate(m); } catch { return false; } };
    const isolated = typeof globalThis.crossOriginIsolated === 'boolean' ? globalThis.crossOriginIsolated
      : typeof process === 'object' && !!process.versions?.node;
    cached = {
      simd128: validate(SIMD128_MODULE),
      relaxedSimd: validate(RELAXED_MODULE),
      threads: typeof SharedArrayBuffer === 'function' && isolated,
    };
  }
  return cached;
}
