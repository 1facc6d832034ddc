#include "graph/passes/passes.h"

namespace qwasm {

void optimize_graph(Model& m) {
  // Chains first: the weight-only pass would otherwise take the MatMul out of a QDQ group.
  fuse_qdq(m);
  fuse_dynamic_quant_matmul(m);
  gather_into_dynamic_matmul(m);
  fuse_weight_dequant_matmul(m);
  fuse_gelu(m);
}

}  // namespace qwasm
