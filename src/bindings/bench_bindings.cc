// Ceilings for the decoder benchmarks (tools/bench/decoder.mjs, tools/bench/wllama-chromium.mjs),
// measured in the module that runs the model, so in the same engine and run: the single-thread
// streaming-read bandwidth over a buffer of weight size (what a decode step's GEMVs can at best
// reach), and the dot-instruction throughput of this build (what a prefill GEMM can at best reach).
// Each call is short and does a fixed amount of work: the caller warms them up (an engine tiers a
// function up for its next call, not inside a long-running one) and takes medians or windows.
#include <emscripten.h>
#include <emscripten/bind.h>
#include <wasm_simd128.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

using namespace emscripten;

namespace {

volatile int32_t g_sink;

// Reads [p, p + bytes) once, 128 bytes per iteration into 4 independent accumulators (xor: the
// cheapest op that keeps every load live). Returns bytes per second.
double read_pass(const uint8_t* p, size_t bytes) {
  v128_t a0 = wasm_i32x4_splat(g_sink), a1 = a0, a2 = a0, a3 = a0;
  const double t0 = emscripten_get_now();
  for (size_t i = 0; i + 128 <= bytes; i += 128) {
    const uint8_t* q = p + i;
    a0 = wasm_v128_xor(a0, wasm_v128_load(q));
    a1 = wasm_v128_xor(a1, wasm_v128_load(q + 16));
    a2 = wasm_v128_xor(a2, wasm_v128_load(q + 32));
    a3 = wasm_v128_xor(a3, wasm_v128_load(q + 48));
    a0 = wasm_v128_xor(a0, wasm_v128_load(q + 64));
    a1 = wasm_v128_xor(a1, wasm_v128_load(q + 80));
    a2 = wasm_v128_xor(a2, wasm_v128_load(q + 96));
    a3 = wasm_v128_xor(a3, wasm_v128_load(q + 112));
  }
  const double s = (emscripten_get_now() - t0) * 1e-3;
  g_sink = wasm_i32x4_extract_lane(wasm_v128_xor(wasm_v128_xor(a0, a1), wasm_v128_xor(a2, a3)), 0);
  return double(bytes & ~size_t(127)) / s;
}

// A buffer held between calls, so repeated calls stream the same (already touched) pages.
uint8_t* g_buf = nullptr;
size_t g_buf_bytes = 0;

// GB/s of one streaming read of a `bytes`-byte buffer (allocated and filled on the first call
// of that size; bench_release frees it).
double read_bandwidth(double bytes) {
  const size_t n = size_t(bytes);
  if (n != g_buf_bytes) {
    std::free(g_buf);
    g_buf = static_cast<uint8_t*>(std::aligned_alloc(64, (n + 63) & ~size_t(63)));
    if (!g_buf) {
      g_buf_bytes = 0;
      return 0;
    }
    g_buf_bytes = n;
    for (size_t i = 0; i < n; ++i) g_buf[i] = uint8_t(i * 131 + 7);
  }
  return read_pass(g_buf, n) * 1e-9;
}

void bench_release() {
  std::free(g_buf);
  g_buf = nullptr;
  g_buf_bytes = 0;
}

#ifdef QWASM_RELAXED_BUILD
// NA independent accumulator chains of the relaxed dot, operands in registers (as
// native-tests/bench_ceiling.cc, whose kernel-bench ceiling this repeats in the model module).
template <int NA>
__attribute__((target("relaxed-simd"))) double relaxed_loop() {
  v128_t a = wasm_i8x16_splat(3), b = wasm_i8x16_splat(5);
  v128_t acc[NA];  // distinct start values, so no compiler can merge equal chains
  for (int i = 0; i < NA; ++i) acc[i] = wasm_i32x4_splat(g_sink + i);
  const long iters = 24000000 / NA;
  const double t0 = emscripten_get_now();
  for (long i = 0; i < iters; ++i)
    for (auto& x : acc) x = wasm_i32x4_relaxed_dot_i8x16_i7x16_add(a, b, x);
  const double s = (emscripten_get_now() - t0) * 1e-3;
  int32_t sum = 0;
  for (auto& x : acc) sum += wasm_i32x4_extract_lane(x, 0);
  g_sink = sum;
  return double(iters) * NA * 16 * 2 / s * 1e-9;
}
#endif

// GOP/s (a multiply-add is 2 ops) of this build's dot instruction: the relaxed dot with 8 or 12
// independent accumulators (`accumulators`; engines differ in what fits their registers, the
// caller takes the faster); 0 in the simd128 build.
double dot_ceiling(int accumulators) {
#ifdef QWASM_RELAXED_BUILD
  return accumulators == 12 ? relaxed_loop<12>() : relaxed_loop<8>();
#else
  (void)accumulators;
  return 0;
#endif
}

}  // namespace

EMSCRIPTEN_BINDINGS(qwasm_bench) {
  function("benchReadBandwidth", &read_bandwidth);
  function("benchDotCeiling", &dot_ceiling);
  function("benchRelease", &bench_release);
}
