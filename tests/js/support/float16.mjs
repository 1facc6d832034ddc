// IEEE float16 bits <-> numbers for the float16 tests (Node 20 and 22 have no Float16Array:
// float16 tensors carry their bits in a Uint16Array). Conversion to float16 rounds to nearest
// even, as onnxruntime and numpy do; written from the IEEE 754 binary16 layout.
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function f16ToF32(h) {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f, man = h & 0x3ff;
  if (exp === 0) return sign * man * 2 ** -24;
  if (exp === 31) return man ? NaN : sign * Infinity;
  return sign * (1 + man / 1024) * 2 ** (exp - 15);
}

export function f32ToF16(v) {
  f32[0] = v;
  const u = u32[0];
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  let man = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (man ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {  // subnormal or zero in float16
    if (e < -10) return sign;
    man |= 0x800000;
    const shift = 14 - e;
    let m = man >>> shift;
    const rem = man & ((1 << shift) - 1), halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (m & 1))) m += 1;
    return sign | m;
  }
  let out = sign | (e << 10) | (man >>> 13);
  const rem = man & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (out & 1))) out += 1;  // a carry into the exponent is right
  return out;
}

// Values of a float16 tensor's data (Uint16Array bits, or a Float16Array where there is one).
export function f16Values(data) {
  if (data instanceof Uint16Array) return Array.from(data, f16ToF32);
  return Array.from(data, Number);
}

// A seeded uniform [0, 1) generator (the package's mulberry32), so every run feeds the same values.
export { rng as seeded } from '../../../js/random.js';
