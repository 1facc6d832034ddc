// Bare instruction loops that bound what a kernel can reach on this host/engine:
// independent accumulators, operands in registers, nothing but the dot instruction.
// Returns giga-ops per second (1 multiply-add = 2 ops), or 0 when not built here.
// Each function lives in this file only because it needs per-file ISA flags.
#include "bench_ceiling.h"

#include <chrono>
#include <cstdint>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif
#if defined(__AVX512VNNI__)
#include <immintrin.h>
#endif

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
volatile int32_t g_sink;
}  // namespace

double ceiling_relaxed_dot_gops() {
#if defined(__wasm_relaxed_simd__)
  v128_t a = wasm_i8x16_splat(3), b = wasm_i8x16_splat(5);
  v128_t acc[8];
  for (auto& x : acc) x = wasm_i32x4_splat(g_sink);
  const long iters = 20000000;
  const auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < iters; ++i)
    for (auto& x : acc) x = wasm_i32x4_relaxed_dot_i8x16_i7x16_add(a, b, x);
  const double s = seconds_since(t0);
  int32_t sum = 0;
  for (auto& x : acc) sum += wasm_i32x4_extract_lane(x, 0);
  g_sink = sum;
  return double(iters) * 8 * 16 * 2 / s * 1e-9;
#else
  return 0;
#endif
}

double ceiling_simd128_dot_gops() {
#if defined(__wasm_simd128__)
  v128_t a = wasm_i16x8_splat(3), b = wasm_i16x8_splat(5);
  v128_t acc[8];
  for (auto& x : acc) x = wasm_i32x4_splat(g_sink);
  const long iters = 20000000;
  const auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < iters; ++i)
    for (auto& x : acc) x = wasm_i32x4_add(x, wasm_i32x4_dot_i16x8(a, b));
  const double s = seconds_since(t0);
  int32_t sum = 0;
  for (auto& x : acc) sum += wasm_i32x4_extract_lane(x, 0);
  g_sink = sum;
  return double(iters) * 8 * 8 * 2 / s * 1e-9;
#else
  return 0;
#endif
}

double ceiling_avx512vnni_gops() {
#if defined(__AVX512VNNI__)
  // 16 named accumulators (an array may be kept in memory) and opaque operands.
  __m512i a = _mm512_set1_epi8(char(g_sink + 3)), b = _mm512_set1_epi8(char(g_sink + 5));
  __m512i c0 = a, c1 = b, c2 = a, c3 = b, c4 = a, c5 = b, c6 = a, c7 = b;
  __m512i c8 = a, c9 = b, c10 = a, c11 = b, c12 = a, c13 = b, c14 = a, c15 = b;
  const long iters = 50000000;
  const auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < iters; ++i) {
    c0 = _mm512_dpbusd_epi32(c0, a, b), c1 = _mm512_dpbusd_epi32(c1, a, b), c2 = _mm512_dpbusd_epi32(c2, a, b);
    c3 = _mm512_dpbusd_epi32(c3, a, b), c4 = _mm512_dpbusd_epi32(c4, a, b), c5 = _mm512_dpbusd_epi32(c5, a, b);
    c6 = _mm512_dpbusd_epi32(c6, a, b), c7 = _mm512_dpbusd_epi32(c7, a, b), c8 = _mm512_dpbusd_epi32(c8, a, b);
    c9 = _mm512_dpbusd_epi32(c9, a, b), c10 = _mm512_dpbusd_epi32(c10, a, b), c11 = _mm512_dpbusd_epi32(c11, a, b);
    c12 = _mm512_dpbusd_epi32(c12, a, b), c13 = _mm512_dpbusd_epi32(c13, a, b), c14 = _mm512_dpbusd_epi32(c14, a, b);
    c15 = _mm512_dpbusd_epi32(c15, a, b);
  }
  const double s = seconds_since(t0);
  __m512i t = _mm512_add_epi32(_mm512_add_epi32(_mm512_add_epi32(c0, c1), _mm512_add_epi32(c2, c3)),
                               _mm512_add_epi32(_mm512_add_epi32(c4, c5), _mm512_add_epi32(c6, c7)));
  t = _mm512_add_epi32(t, _mm512_add_epi32(_mm512_add_epi32(_mm512_add_epi32(c8, c9), _mm512_add_epi32(c10, c11)),
                                           _mm512_add_epi32(_mm512_add_epi32(c12, c13), _mm512_add_epi32(c14, c15))));
  g_sink = _mm_cvtsi128_si32(_mm512_castsi512_si128(t));
  return double(iters) * 16 * 64 * 2 / s * 1e-9;
#else
  return 0;
#endif
}
