// Helpers shared by kernel sources. ISA-flagged sources include this too, so it must
// stay free of std:: templates and non-static inline functions: a weak/comdat copy
// compiled with -mavx512f could otherwise be the one the linker keeps for everyone
// (SIGILL on older hosts). Everything here is `static inline` (internal linkage).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "qwasm_kernels.h"

namespace qwasm {
namespace kernels {

static inline int imin(int a, int b) { return a < b ? a : b; }
static inline int round_up(int x, int m) { return (x + m - 1) / m * m; }

// Per-thread scratch, 64-byte aligned, grown on demand (defined in generic/scratch.cc,
// a TU without ISA flags). Slot i is independent of the others.
uint8_t* scratch_buffer(int slot, size_t bytes);

// int8 GEMM packing shared by every variant (generic/pack_i8.cc). elem_bytes 1 stores
// int8 (uint8 weights are flipped with ^0x80); elem_bytes 2 stores the value as int16.
size_t pack_i8_size(int K, int N, int nr, int kr, int elem_bytes);
void pack_i8_panels(const GemmI8PackArgs& p, int nr, int kr, int elem_bytes, void* dst);

// Level-4 quantization of one row of A into per-block int8 (zero padded to whole
// blocks), scales and sums (generic/qblock_common.cc).
void quantize_a_row(const float* a, int K, int block_size, int n_blocks, int8_t* q, float* scales, int32_t* sums);
// Level-0 helpers: one row of A zero padded to whole blocks, and per-block float sums.
void pad_a_row(const float* a, int K, int padded, float* out, int block_size, float* block_sums);

}  // namespace kernels
}  // namespace qwasm
