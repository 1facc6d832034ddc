// See relaxed_emulated.h. One table per emulated class; the descriptors keep the
// production names and dot_classes so the test knows which classes each claims.
#include "relaxed_emulated.h"

#include "gemm_i8_relaxed_impl.h"
#include "qblock_relaxed_impl.h"

namespace qwasm {
namespace kernels {
namespace {

template <class Dot>
struct Table {
  using V = relaxed_i8::Variants<Dot>;
  static constexpr GemmI8Kernel usdot = V::usdot(), sdot = V::sdot(), b7 = V::b7(), split = V::split();
  static constexpr const GemmI8Kernel* gemm[] = {&usdot, &sdot, &b7, &split};
  static constexpr QBlockKernel q4 = relaxed_q::Variants<Dot, MaddSimd128>::l4();
  static constexpr QBlockKernel q4i16 = relaxed_q::Variants<Dot, MaddSimd128>::l4_i16();
  static constexpr const QBlockKernel* qblock[] = {&q4, &q4i16};
};

}  // namespace

const GemmI8Kernel* const* relaxed_emulated_gemm_i8(qwasm_dot_class c, size_t* n) {
  *n = 4;
  if (c == QWASM_DOT_USDOT) return Table<UsdotEmulated>::gemm;
  if (c == QWASM_DOT_USDOT_SAT) return Table<UsdotSatEmulated>::gemm;
  if (c == QWASM_DOT_SDOT) return Table<SdotExact>::gemm;
  *n = 0;
  return nullptr;
}

const QBlockKernel* const* relaxed_emulated_qblock(qwasm_dot_class c, size_t* n) {
  *n = 2;
  if (c == QWASM_DOT_USDOT) return Table<UsdotEmulated>::qblock;
  if (c == QWASM_DOT_USDOT_SAT) return Table<UsdotSatEmulated>::qblock;
  if (c == QWASM_DOT_SDOT) return Table<SdotExact>::qblock;
  *n = 0;
  return nullptr;
}

}  // namespace kernels
}  // namespace qwasm
