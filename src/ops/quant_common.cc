#include "ops/quant_common.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "ops/row_math.h"

namespace qwasm {

bool is_int_quant(DType t) {
  switch (t) {
    case DType::UInt8: case DType::Int8: case DType::UInt16: case DType::Int16:
    case DType::UInt4: case DType::Int4: case DType::Int32: return true;
    default: return false;
  }
}

QRange qrange(DType t, const std::string& who) {
  switch (t) {
    case DType::UInt8: return {0, 255};
    case DType::Int8: return {-128, 127};
    case DType::UInt16: return {0, 65535};
    case DType::Int16: return {-32768, 32767};
    case DType::UInt4: return {0, 15};
    case DType::Int4: return {-8, 7};
    case DType::Int32: return {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
    default: fail(who, ": quantized type ", dtype_name(t), " is not supported");
  }
}

int32_t get_q(const Tensor& t, int64_t i) {
  const void* p = t.raw();
  switch (t.dtype()) {
    case DType::UInt8: return static_cast<const uint8_t*>(p)[i];
    case DType::Int8: return static_cast<const int8_t*>(p)[i];
    case DType::UInt16: return static_cast<const uint16_t*>(p)[i];
    case DType::Int16: return static_cast<const int16_t*>(p)[i];
    case DType::Int32: return static_cast<const int32_t*>(p)[i];
    case DType::UInt4: case DType::Int4: {
      const uint8_t b = static_cast<const uint8_t*>(p)[i / 2];
      int32_t v = (i & 1) ? b >> 4 : b & 15;
      if (t.dtype() == DType::Int4 && v >= 8) v -= 16;
      return v;
    }
    default: return int32_t(t.get_i64(i));
  }
}

void set_q(Tensor& t, int64_t i, int32_t v) {
  void* p = t.raw();
  switch (t.dtype()) {
    case DType::UInt8: static_cast<uint8_t*>(p)[i] = uint8_t(v); break;
    case DType::Int8: static_cast<int8_t*>(p)[i] = int8_t(v); break;
    case DType::UInt16: static_cast<uint16_t*>(p)[i] = uint16_t(v); break;
    case DType::Int16: static_cast<int16_t*>(p)[i] = int16_t(v); break;
    case DType::Int32: static_cast<int32_t*>(p)[i] = v; break;
    case DType::UInt4: case DType::Int4: {
      uint8_t& b = static_cast<uint8_t*>(p)[i / 2];
      b = (i & 1) ? uint8_t((b & 0x0f) | ((v & 15) << 4)) : uint8_t((b & 0xf0) | (v & 15));
      break;
    }
    default: break;
  }
}

namespace {

// One float8 format: the value of every code is computed from these fields, and
// encoding searches the sorted table of non-negative finite values, so there is
// a single definition of each format rather than bit tricks per format.
struct F8Format {
  int exp_bits, man_bits, bias;
  bool fnuz;     // no -0, no infinity, NaN = 0x80
  bool has_inf;  // E5M2: 0x7C = inf, 0x7D..0x7F = NaN
  uint8_t max_code;  // largest finite positive code
  std::array<float, 256> value;
};

F8Format make_format(int e, int m, int bias, bool fnuz, bool has_inf) {
  F8Format f{e, m, bias, fnuz, has_inf, 0, {}};
  for (int c = 0; c < 256; ++c) {
    const int sign = c >> 7, ex = (c >> m) & ((1 << e) - 1), man = c & ((1 << m) - 1);
    float v;
    if (ex == 0) v = std::ldexp(float(man), 1 - bias - m);
    else v = std::ldexp(float((1 << m) | man), ex - bias - m);
    f.value[size_t(c)] = sign ? -v : v;
  }
  const float nan = std::numeric_limits<float>::quiet_NaN();
  if (fnuz) {
    f.value[0x80] = nan;
    f.max_code = 0x7f;
  } else if (has_inf) {
    f.value[0x7c] = std::numeric_limits<float>::infinity();
    f.value[0xfc] = -std::numeric_limits<float>::infinity();
    for (int c : {0x7d, 0x7e, 0x7f, 0xfd, 0xfe, 0xff}) f.value[size_t(c)] = nan;
    f.max_code = 0x7b;
  } else {  // E4M3FN: only S.1111.111 is NaN
    f.value[0x7f] = f.value[0xff] = nan;
    f.max_code = 0x7e;
  }
  return f;
}

const F8Format& format_of(DType t) {
  static const F8Format e4m3fn = make_format(4, 3, 7, false, false);
  static const F8Format e4m3fnuz = make_format(4, 3, 8, true, false);
  static const F8Format e5m2 = make_format(5, 2, 15, false, true);
  static const F8Format e5m2fnuz = make_format(5, 2, 16, true, false);
  switch (t) {
    case DType::Float8E4M3FN: return e4m3fn;
    case DType::Float8E4M3FNUZ: return e4m3fnuz;
    case DType::Float8E5M2: return e5m2;
    default: return e5m2fnuz;
  }
}

}  // namespace

DynQuant dynamic_qparams(const float* x, int64_t n) {
  float lo = 0, hi = 0;
  row_min_max(x, n, lo, hi);
  const float scale = (hi - lo) / 255.0f;
  // All zeros: the formula gives scale 0 (and 0/0 zero point); use scale 1, zero
  // point 0 as onnxruntime does, so y = 0 and dequantizing gives the zeros back.
  if (scale == 0) return {1.0f, 0};
  if (!std::isfinite(scale)) return {scale, 0};
  return {scale, uint8_t(round_clamp(0.0f - lo / scale, 0, 255))};
}

void quantize_u8(const float* x, int64_t n, DynQuant p, uint8_t* q) {
  if (p.scale == 0) {
    std::fill(q, q + n, uint8_t(0));
    return;
  }
  // Dividing (not multiplying by 1 / scale) matches the reference rounding exactly.
  // Branch-free clamp (NaN -> 0 through the first compare) so the loop vectorises.
  const float zp = float(p.zero_point), scale = p.scale;
  for (int64_t i = 0; i < n; ++i) {
    const float v = std::nearbyint(x[i] / scale) + zp;
    q[i] = uint8_t(int32_t(v >= 0.0f ? (v <= 255.0f ? v : 255.0f) : 0.0f));
  }
}

float f8_to_float(uint8_t v, DType t) { return format_of(t).value[v]; }

uint8_t float_to_f8(float x, DType t, bool saturate) {
  const F8Format& f = format_of(t);
  const uint8_t nan = f.fnuz ? 0x80 : 0x7f;
  if (std::isnan(x)) return nan;
  const uint8_t sign = std::signbit(x) ? 0x80 : 0;
  const float a = std::fabs(x);
  auto overflow = [&]() -> uint8_t {
    if (saturate) return uint8_t(sign | f.max_code);
    if (f.has_inf) return uint8_t(sign | 0x7c);
    return nan;
  };
  if (std::isinf(a)) return overflow();
  // Codes 0..max_code are increasing in value: find the first >= a.
  const float* v = f.value.data();
  const float* hi = std::lower_bound(v, v + f.max_code + 1, a);
  uint8_t code;
  if (hi == v + f.max_code + 1) {
    // Above the largest finite value: it still rounds down to it when below the
    // midpoint to the next (unrepresentable) step, ties going to the even code.
    const float ulp = v[f.max_code] - v[f.max_code - 1];
    const float mid = v[f.max_code] + ulp / 2;
    if (a < mid || (a == mid && (f.max_code & 1) == 0)) code = f.max_code;
    else return overflow();
  } else if (*hi == a) {
    code = uint8_t(hi - v);
  } else {
    const uint8_t up = uint8_t(hi - v), down = uint8_t(up - 1);
    const float d_lo = a - v[down], d_hi = v[up] - a;
    code = d_lo < d_hi ? down : d_hi < d_lo ? up : ((down & 1) == 0 ? down : up);
  }
  if (code == 0) return f.fnuz ? 0 : sign;  // fnuz has no -0 (0x80 is NaN)
  return uint8_t(sign | code);
}

}  // namespace qwasm
