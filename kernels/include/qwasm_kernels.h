// The kernel contract: what every kernel variant declares and the plain functions
// the runtime calls. Kernels are a leaf library (nothing from src/ is included).
//
//   int8 GEMM:   C[m,n] = sum_k (A[m,k] - za[m]) * (B[k,n] - zb[n])   int32, exact
//                (za per tensor or per row of A, zb per tensor or per column of B)
//   q-block:     Y[m,n] = sum_k A[m,k] * scale[n,k/bs] * (q[n,k] - zp[n,k/bs])   (MatMulNBits)
//   f32 GEMM:    C = alpha * A * B + beta * C                          (float bound, see docs/kernels.md)
//
// Each family has one descriptor struct (name, ISA, tile, caveats, entry points), one
// list of compiled-in variants (best first) and a dispatcher that picks the best one
// the host can run. Tests walk the lists; the runtime only calls the best_* functions.
#pragma once

#include <cstddef>
#include <cstdint>

#include "qwasm_block_formats.h"
#include "qwasm_relaxed_probe.h"

namespace qwasm {
namespace kernels {

enum class Isa : uint8_t {
  kGeneric,      // portable C++ (production fallback)
  kAvx2,         // x86 AVX2 + FMA
  kAvx512Vnni,   // x86 AVX512 F/BW/VL + VNNI
  kAvxVnni,      // x86 AVX-VNNI (VEX-encoded vpdpbusd on ymm)
  kWasmSimd128,  // WebAssembly SIMD128
  kWasmRelaxed,  // WebAssembly relaxed SIMD (also needs the right probe class, see dot_classes)
  kNeon,         // AArch64 Advanced SIMD
  kDotprod,      // AArch64 SDOT/UDOT (armv8.2-a+dotprod)
  kI8mm,         // AArch64 SMMLA/USMMLA/USDOT (armv8.6-a i8mm)
};
const char* isa_name(Isa isa);

// Numeric caveats. Tests read them; the dispatcher respects them.
enum Caveat : uint32_t {
  kCaveatNone = 0,
  // 16-bit pair sums may saturate for full-range operands: exact only when the packed
  // B values lie in [-64, 63] (see b_fits_7bit). Never picked unless the caller says so.
  kNeedsB7bit = 1u << 0,
};

// Bit set of relaxed-dot engine classes (1u << qwasm_dot_class) a kernel is exact under.
// 0 means the kernel does not use the relaxed dot instruction at all.
constexpr uint32_t dot_bit(qwasm_dot_class c) { return 1u << unsigned(c); }
constexpr uint32_t kAllDotClasses =
    dot_bit(QWASM_DOT_USDOT) | dot_bit(QWASM_DOT_USDOT_SAT) | dot_bit(QWASM_DOT_SDOT);

struct KernelInfo {
  const char* name;      // e.g. "gemm_u8s8_4x16__wasmrelaxed_usdot"
  Isa isa;               // instruction set the code needs
  uint32_t dot_classes;  // relaxed-dot classes it is exact under (0 = no relaxed dot)
  int mr, nr, kr;        // register tile (rows, columns) and k-group of the packed layout
  uint32_t caveats;      // Caveat bits
};

// ---------------------------------------------------------------- int8 GEMM
// B element (k, n) is at B[k * stride_k + n * stride_n] (bytes): [K,N] row-major is
// (stride_k = N, stride_n = 1); MatMulNBits-style [N,K] is (1, K).
struct GemmI8PackArgs {
  int K = 0, N = 0;
  const void* B = nullptr;
  ptrdiff_t stride_k = 0, stride_n = 1;
  bool b_signed = true;          // int8 (true) or uint8 (false) weights
  const int32_t* zb = nullptr;   // zero point(s) in B's own type range; nullptr = 0
  bool zb_per_column = false;    // zb has N entries (else 1)
};

struct GemmI8Args {
  int M = 0;                     // rows of A and C (K, N come from the packed B)
  const void* A = nullptr;       // [M, K] with row stride lda (bytes)
  ptrdiff_t lda = 0;
  bool a_signed = false;         // uint8 (false) or int8 (true) activations
  int32_t za = 0;                // A's zero point in A's own type range
  const int32_t* za_rows = nullptr;  // else one per row (M entries, same range); overrides za
  const void* packed_b = nullptr;
  int32_t* C = nullptr;          // [M, N] with row stride ldc (elements)
  ptrdiff_t ldc = 0;
  // Columns [n_begin, n_end) only (n_end < 0: to N); C still points at column 0.
  // n_begin must be a multiple of the kernel's info.nr, so a column piece goes
  // through the same register tiles as a whole run (threads split M = 1 this way).
  int n_begin = 0, n_end = -1;
};

struct GemmI8Kernel {
  KernelInfo info;
  size_t (*packed_size)(int K, int N);
  void (*pack_b)(const GemmI8PackArgs& p, void* dst);  // dst: packed_size bytes, 16-byte aligned
  void (*run)(const GemmI8Args& g);                     // M == 1 takes the GEMV path
};

// True when every B value, in the int8 representation kernels store (uint8 ^ 0x80),
// lies in [-64, 63]: then kNeedsB7bit kernels are exact.
bool b_fits_7bit(const GemmI8PackArgs& p);

// ---------------------------------------------------------------- MatMulNBits blocks
// Input layout (com.microsoft MatMulNBits): B uint8 [N, n_blocks, blob_size], scales
// float [N, n_blocks], zero_points packed uint8 [N, ceil(n_blocks * bits / 8)] or nullptr
// (then 2^(bits-1)). Packing reorders the quantized bits (never widens them to float).
struct QBlockShape {
  int K = 0, N = 0, bits = 4, block_size = 32;  // bits 4 or 8; block_size power of two >= 16
};
struct QBlockWeights {
  const uint8_t* B = nullptr;
  const float* scales = nullptr;
  const uint8_t* zero_points = nullptr;
};
bool qblock_supported(const QBlockShape& s);
size_t qblock_packed_size(const QBlockShape& s);   // 0 when unsupported
void qblock_pack(const QBlockShape& s, const QBlockWeights& w, void* dst);  // one layout for all kernels

// Packing without a second copy of the weights, for N a multiple of kQGroupCols (else
// false, nothing touched): B (N * n_blocks * blob bytes) and scales (N * n_blocks floats)
// are permuted within their own buffers; zero points are expanded into zp_dst
// (qblock_zp_bytes(s) bytes; unused when zero_points is null). The QPackedHeader written
// to *h points into those buffers, which must outlive it.
bool qblock_pack_in_place(const QBlockShape& s, uint8_t* B, float* scales, const uint8_t* zero_points,
                          uint8_t* zp_dst, void* h);
size_t qblock_zp_bytes(const QBlockShape& s);

struct QBlockArgs {
  int M = 0;
  const float* A = nullptr;   // [M, K], row stride lda (elements)
  ptrdiff_t lda = 0;
  const void* packed = nullptr;
  float* Y = nullptr;         // [M, N], row stride ldy (elements); overwritten (add bias yourself)
  ptrdiff_t ldy = 0;
};

struct QBlockKernel {
  KernelInfo info;
  int accuracy_level;   // 4: A quantized to int8 per block, integer dot; 0: float accumulate
  void (*run)(const QBlockArgs& a);
};

// Accuracy level 4 quantizes each block of A row-wise: scale = max|a| / 127,
// q = round-half-even(a * (127 / max|a|)). Exposed so the reference and the runtime agree.
void quantize_a_block(const float* a, int n, int8_t* q, float* scale, int32_t* sum);

// ---------------------------------------------------------------- f32 GEMM
// Element (m, k) of A is A[m * a_rs + k * a_cs]; (k, n) of B is B[k * b_rs + n * b_cs];
// so transposes are just strides. C is row-major with ldc. beta == 0 never reads C.
struct GemmF32Args {
  int M = 0, N = 0, K = 0;
  const float* A = nullptr;
  ptrdiff_t a_rs = 0, a_cs = 1;
  const float* B = nullptr;
  ptrdiff_t b_rs = 0, b_cs = 1;
  float alpha = 1.0f, beta = 0.0f;
  float* C = nullptr;
  ptrdiff_t ldc = 0;
  // A already packed by this kernel's pack_a (e.g. a Conv's constant weights at model
  // load); A / a_rs / a_cs are then not read. Only for kernels with pack_a.
  const float* packed_a = nullptr;
};

struct GemmF32Kernel {
  KernelInfo info;
  void (*run)(const GemmF32Args& g);
  // Kernels whose driver packs A (the wasm tile's packed_tile): writes rows [0, M) of
  // g's A as the driver packs them into dst (pack_a_floats(M, K) floats), so that a
  // constant A is packed once instead of on every call. nullptr: no packed-A path.
  void (*pack_a)(const GemmF32Args& g, float* dst) = nullptr;
  // The micro-kernel of that path, for callers that write B in its panel layout themselves
  // (a Conv's im2col, ops/conv_f32.cc): out[mr x nr] = the tile of A packed at `a` (tile t
  // of pack_a's output starts at t * K * mr) times the panel b ([K][nr]: element (k, j) at
  // b[k * nr + j]); each output the same bits as run() gives it with alpha 1 and beta 0.
  // Set exactly when pack_a is.
  void (*packed_tile)(int K, const float* a, const float* b, float* out) = nullptr;
  size_t pack_a_floats(int M, int K) const {
    const int mr = info.mr > 0 ? info.mr : 1;
    return size_t((M + mr - 1) / mr) * size_t(mr) * size_t(K > 0 ? K : 0);
  }
};

// ---------------------------------------------------------------- dispatch
struct HostFeatures {
  bool avx2 = false, avx512vnni = false, avxvnni = false;
  bool neon = false, dotprod = false, i8mm = false;
  bool simd128 = false, relaxed = false;
  qwasm_dot_class dot = QWASM_DOT_NONE;   // relaxed-dot probe class (relaxed wasm build only)
};
const HostFeatures& host_features();
bool runs_on(const KernelInfo& k, const HostFeatures& h);
inline bool runs_on_host(const KernelInfo& k) { return runs_on(k, host_features()); }

// Every compiled-in variant, best first (tests and benchmarks walk these).
const GemmI8Kernel* const* gemm_i8_kernels(size_t* count);
const QBlockKernel* const* qblock_kernels(size_t* count);
const GemmF32Kernel* const* gemm_f32_kernels(size_t* count);

// The best variant the host runs. b_fits_7bit: the caller checked b_fits_7bit() for the
// weights it will pack, which unlocks kNeedsB7bit kernels.
const GemmI8Kernel& best_gemm_i8(bool b_fits_7bit = false);
const QBlockKernel& best_qblock(int accuracy_level);   // level != 4 -> level 0 kernels
const GemmF32Kernel& best_gemm_f32();

// Convenience: the dispatched f32 GEMM.
inline void gemm_f32(const GemmF32Args& g) { best_gemm_f32().run(g); }

}  // namespace kernels
}  // namespace qwasm
