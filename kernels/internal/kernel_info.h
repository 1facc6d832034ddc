// Kernel descriptors built from the micro-kernel's own constants, so a tile size is
// written once: in the micro-kernel struct the driver instantiates. The runtime splits
// work across threads in whole tiles of info.mr / info.nr (src/ops/parallel_gemm.h),
// which is bit-identical only if those are the sizes the code really uses.
//
// Besides what its driver needs, each micro-kernel declares
//   int8 GEMM (UK):  static constexpr int kBElemBytes;   bytes per packed B value (1: int8, 2: int16)
//   q-block (QK):    static constexpr int kNR;           columns one row step produces
// and the packed-B layout (nr = kNR, kr = kKR) is derived from them as well.
// Everything here is `static` (internal linkage), see common.h.
#pragma once

#include "gemm_f32_driver.h"
#include "gemm_i8_driver.h"
#include "qblock_driver.h"

namespace qwasm {
namespace kernels {

// The q-block drivers hand the kernel one row of A at a time, and one 64-byte chunk
// of a packed 4-bit block holds 8 consecutive k per column (qwasm_block_formats.h).
constexpr int kQBlockRowsPerCall = 1;
constexpr int kQBlockChunkK = 8;

template <class UK>
static size_t gemm_i8_packed_size(int K, int N) {
  return pack_i8_size(K, N, UK::kNR, UK::kKR, UK::kBElemBytes);
}
template <class UK>
static void gemm_i8_pack(const GemmI8PackArgs& p, void* dst) {
  pack_i8_panels(p, UK::kNR, UK::kKR, UK::kBElemBytes, dst);
}

template <class UK>
static constexpr GemmI8Kernel gemm_i8_kernel(const char* name, Isa isa, uint32_t dot_classes, uint32_t caveats) {
  static_assert(UK::kMR >= 1 && UK::kNR >= 1 && UK::kKR >= 1, "a tile has at least one row, column and k");
  static_assert(UK::kBElemBytes == 1 || UK::kBElemBytes == 2, "packed B holds int8 or int16");
  return {{name, isa, dot_classes, UK::kMR, UK::kNR, UK::kKR, caveats},
          gemm_i8_packed_size<UK>,
          gemm_i8_pack<UK>,
          gemm_i8_drive<UK>};
}

template <class FK>
static constexpr GemmF32Kernel gemm_f32_kernel(const char* name, Isa isa, uint32_t dot_classes) {
  static_assert(FK::kMR >= 1 && FK::kNR >= 1, "a tile has at least one row and column");
  return {{name, isa, dot_classes, FK::kMR, FK::kNR, 1, kCaveatNone}, gemm_f32_drive<FK>, gemm_f32_pack_a_fn<FK>(),
          gemm_f32_packed_tile_fn<FK>()};
}

// kLevel (accuracy_level) 4 or 0 selects the driver and the row function it calls;
// only that driver is instantiated.
template <class QK, int kLevel>
static constexpr QBlockKernel qblock_kernel(const char* name, Isa isa, uint32_t dot_classes) {
  static_assert(kLevel == 4 || kLevel == 0, "accuracy levels 4 (int8 dot) and 0 (float)");
  static_assert(QK::kNR % kQGroupCols == 0, "a row step covers whole column groups");
  static_assert(kQBlockMinGroupsPerPass % (QK::kNR / kQGroupCols) == 0, "short passes hold whole row steps");
  const KernelInfo info{name, isa, dot_classes, kQBlockRowsPerCall, QK::kNR, kQBlockChunkK, kCaveatNone};
  if constexpr (kLevel == 4) return {info, 4, qblock_drive_l4<QK>};
  else return {info, 0, qblock_drive_l0<QK>};
}

}  // namespace kernels
}  // namespace qwasm
