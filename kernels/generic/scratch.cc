// Per-thread scratch buffers for the kernels (prepared A rows, row sums, ...).
// Lives in a TU without ISA flags so std::vector code is never compiled for AVX-512.
#include <vector>

#include "../internal/common.h"

namespace qwasm {
namespace kernels {

uint8_t* scratch_buffer(int slot, size_t bytes) {
  constexpr int kSlots = 4;
  thread_local std::vector<uint8_t> buf[kSlots];
  std::vector<uint8_t>& b = buf[slot];
  if (b.size() < bytes + 64) b.resize(bytes + 64);
  const uintptr_t p = reinterpret_cast<uintptr_t>(b.data());
  return b.data() + ((64 - (p & 63)) & 63);
}

}  // namespace kernels
}  // namespace qwasm
