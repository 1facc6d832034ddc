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

#if defined(__wasm_relaxed_simd__)
template <int NA>
static double relaxed_loop() {
  v128_t a = wasm_i8x16_splat(3), b = wasm_i8x16_splat(5);
  v128_t acc[NA];  // distinct start values, so no compiler can merge equal chains
  for (int i = 0; i < NA; ++i) acc[i] = wasm_i32x4_splat(g_sink + i);
  const long iters = 160000000 / NA;
  const auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < iters; ++i)
    for (auto& x : acc) x = wasm_i32x4_relaxed_dot_i8x16_i7x16_add(a, b, x);
  const double s = seconds_since(t0);
  int32_t sum = 0;
  for (auto& x : acc) sum += wasm_i32x4_extract_lane(x, 0);
  g_sink = sum;
  return double(iters) * NA * 16 * 2 / s * 1e-9;
}
#endif
double ceiling_relaxed_dot_gops() {
#if defined(__wasm_relaxed_simd__)
  return relaxed_loop<8>();
#else
  return 0;
#endif
}
double ceiling_relaxed_dot_gops_12acc() {
#if defined(__wasm_relaxed_simd__)
  return relaxed_loop<12>();
#else
  return 0;
#endif
}
double ceiling_simd128_dot_gops() {
#if defined(__wasm_simd128__)
  // dot(a, b) of loop-invariant operands would be hoisted (by clang or the engine's
  // optimizing tier), leaving a loop of adds: the A operands are loaded from a small
  // L1-resident table with a changing index, as the kernel loads them.
  alignas(16) static int16_t table[64];
  for (int l = 0; l < 64; ++l) table[l] = int16_t(g_sink + l);
  const v128_t b0 = wasm_i16x8_splat(3), b1 = wasm_i16x8_splat(5);
  v128_t acc[8];
  for (int i = 0; i < 8; ++i) acc[i] = wasm_i32x4_splat(g_sink + i);
  const long iters = 20000000;
  const auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < iters; ++i) {
    const int16_t* t = table + ((8 * i) & 63);
    for (int r = 0; r < 4; ++r) {  // the simd128 GEMM's inner step: a 2-element A splat times two B vectors
      const v128_t a = wasm_v128_load32_splat(t + 2 * r);
      acc[2 * r] = wasm_i32x4_add(acc[2 * r], wasm_i32x4_dot_i16x8(a, b0));
      acc[2 * r + 1] = wasm_i32x4_add(acc[2 * r + 1], wasm_i32x4_dot_i16x8(a, b1));
    }
  }
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
  // 16 independent accumulators in registers and nothing else in the loop. Inline asm:
  // from intrinsics g++ 12 -O3 either merged chains that start equal or copied every
  // accumulator through other registers and the stack on each iteration.
  __m512i a = _mm512_set1_epi8(char(g_sink + 3)), b = _mm512_set1_epi8(char(g_sink + 5));
  __m512i c0 = _mm512_set1_epi32(g_sink + 0), c1 = _mm512_set1_epi32(g_sink + 1), c2 = _mm512_set1_epi32(g_sink + 2);
  __m512i c3 = _mm512_set1_epi32(g_sink + 3), c4 = _mm512_set1_epi32(g_sink + 4), c5 = _mm512_set1_epi32(g_sink + 5);
  __m512i c6 = _mm512_set1_epi32(g_sink + 6), c7 = _mm512_set1_epi32(g_sink + 7), c8 = _mm512_set1_epi32(g_sink + 8);
  __m512i c9 = _mm512_set1_epi32(g_sink + 9), c10 = _mm512_set1_epi32(g_sink + 10), c11 = _mm512_set1_epi32(g_sink + 11);
  __m512i c12 = _mm512_set1_epi32(g_sink + 12), c13 = _mm512_set1_epi32(g_sink + 13);
  __m512i c14 = _mm512_set1_epi32(g_sink + 14), c15 = _mm512_set1_epi32(g_sink + 15);
  const long iters = 50000000;
  const auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < iters; ++i) {
    // (two statements: an asm takes at most 30 operands)
    __asm__ volatile(
        "vpdpbusd %[b], %[a], %[c0]\n\tvpdpbusd %[b], %[a], %[c1]\n\t"
        "vpdpbusd %[b], %[a], %[c2]\n\tvpdpbusd %[b], %[a], %[c3]\n\t"
        "vpdpbusd %[b], %[a], %[c4]\n\tvpdpbusd %[b], %[a], %[c5]\n\t"
        "vpdpbusd %[b], %[a], %[c6]\n\tvpdpbusd %[b], %[a], %[c7]"
        : [c0] "+v"(c0), [c1] "+v"(c1), [c2] "+v"(c2), [c3] "+v"(c3), [c4] "+v"(c4), [c5] "+v"(c5), [c6] "+v"(c6),
          [c7] "+v"(c7)
        : [a] "v"(a), [b] "v"(b));
    __asm__ volatile(
        "vpdpbusd %[b], %[a], %[c8]\n\tvpdpbusd %[b], %[a], %[c9]\n\t"
        "vpdpbusd %[b], %[a], %[c10]\n\tvpdpbusd %[b], %[a], %[c11]\n\t"
        "vpdpbusd %[b], %[a], %[c12]\n\tvpdpbusd %[b], %[a], %[c13]\n\t"
        "vpdpbusd %[b], %[a], %[c14]\n\tvpdpbusd %[b], %[a], %[c15]"
        : [c8] "+v"(c8), [c9] "+v"(c9), [c10] "+v"(c10), [c11] "+v"(c11), [c12] "+v"(c12), [c13] "+v"(c13),
          [c14] "+v"(c14), [c15] "+v"(c15)
        : [a] "v"(a), [b] "v"(b));
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
