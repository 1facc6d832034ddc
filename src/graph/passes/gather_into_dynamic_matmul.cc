// DynamicQuantizeMatMul -> Gather(constant indices): the Gather is folded into the
// matmul node (attributes kAttrGather* of graph/private_attrs.h),
// which then produces the Gather's output.
//
// Classifier and LM graphs read the logits of one position only, e.g. turn_detector:
//
//   logits = DynamicQuantizeMatMul(hidden [1, T, 576], W [576, 49155])
//   last   = Gather(logits, -1, axis=1)                 -> [1, 49155]
//
// Over a row or batch axis the op quantizes and multiplies only the selected rows of
// A, with the quantization parameters of all of A (src/ops/quant_matmul_integer.cc),
// so the result is bit-identical while the LM head costs one row instead of T. Runs
// after fuse_dynamic_quant_matmul. Matched only when the matmul output has no other
// use (and is not a graph output), B is a constant matrix and the indices are a
// constant int32/int64 tensor; the indices are checked against the real dimension at
// run time with the Gather's name in the error.
#include "graph/passes/graph_index.h"
#include "graph/passes/passes.h"
#include "graph/private_attrs.h"

namespace qwasm {

void gather_into_dynamic_matmul(Model& m) {
  Graph& g = m.graph;
  std::set<int> dead;
  {
    const GraphIndex idx(g);
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      const Node& mm = g.nodes[i];
      if (mm.domain != "com.microsoft" || mm.op_type != "DynamicQuantizeMatMul" || mm.outputs.size() != 1 ||
          mm.outputs[0].empty() || mm.has_attr(kAttrGatherIndices) || mm.inputs.size() < 2)
        continue;
      const Tensor* w = idx.constant(mm.inputs[1]);
      if (!w || w->rank() != 2) continue;
      const int gi = idx.sole_consumer(mm.outputs[0]);
      if (gi < 0 || dead.count(gi)) continue;
      const Node& ga = g.nodes[size_t(gi)];
      if (!ga.domain.empty() || ga.op_type != "Gather" || ga.inputs.size() != 2 || ga.inputs[0] != mm.outputs[0] ||
          ga.outputs.size() != 1 || ga.outputs[0].empty())
        continue;
      const Tensor* k = idx.constant(ga.inputs[1]);
      if (!k || (k->dtype() != DType::Int64 && k->dtype() != DType::Int32)) continue;

      Node f = mm;
      Attribute axis, indices, name;
      axis.kind = Attribute::Kind::Int, axis.i = ga.attr_i("axis", 0);
      indices.kind = Attribute::Kind::Tensor, indices.t = *k;
      name.kind = Attribute::Kind::String, name.s = ga.name;
      f.attrs[kAttrGatherAxis] = axis;
      f.attrs[kAttrGatherIndices] = indices;
      f.attrs[kAttrGatherName] = name;
      f.outputs = ga.outputs;
      // The fused node takes the Gather's place (its consumers come after it).
      g.nodes[size_t(gi)] = std::move(f);
      dead.insert(int(i));
    }
  }
  erase_nodes(g, dead);
}

}  // namespace qwasm
