// Graph outputs computed for the last position only: a text generator samples the next
// token from the last position's logits, but a decoder graph computes the LM head for
// every position of the prompt (for Qwen2.5-0.5B about a quarter of a prefill's
// multiply-adds). When the output [batch, seq, vocab] comes from a row-wise product
// (MatMulNBits, or MatMul by a constant 2-D matrix; through Identity nodes), its A input
// [batch, seq, K] is sliced to the last position first, so the output becomes
// [batch, 1, vocab] and holds exactly the last row the full product would have (each row
// of a row-wise product depends on its own row of A only). Anything else is left alone.
#include <algorithm>
#include <limits>

#include "graph/passes/graph_index.h"
#include "graph/passes/passes.h"

namespace qwasm {
namespace {

Tensor int64_vector(int64_t v) {
  Tensor t(DType::Int64, Shape{1});
  t.data<int64_t>()[0] = v;
  return t;
}

bool row_wise_product(const Node& n, const GraphIndex& idx) {
  if (n.inputs.empty() || n.inputs[0].empty()) return false;
  if (n.domain == "com.microsoft" && n.op_type == "MatMulNBits") return true;
  if (!n.domain.empty() || n.op_type != "MatMul" || n.inputs.size() != 2) return false;
  const Tensor* b = idx.constant(n.inputs[1]);
  return b && b->rank() == 2;
}

}  // namespace

int last_position_outputs(Model& m, const std::vector<std::string>& names) {
  Graph& g = m.graph;
  int changed = 0;
  for (const std::string& name : names) {
    const GraphIndex idx(g);
    auto out = std::find_if(g.outputs.begin(), g.outputs.end(), [&](const ValueInfo& v) { return v.name == name; });
    if (out == g.outputs.end() || !out->has_shape || out->dims.size() != 3) continue;
    int p = idx.producer(name);
    while (p >= 0 && g.nodes[size_t(p)].domain.empty() && g.nodes[size_t(p)].op_type == "Identity")
      p = idx.producer(g.nodes[size_t(p)].inputs[0]);
    if (p < 0 || !row_wise_product(g.nodes[size_t(p)], idx)) continue;
    const std::string a = g.nodes[size_t(p)].inputs[0];
    Node slice;
    slice.name = fresh_name(g, a + "/last_position");
    slice.op_type = "Slice";
    slice.opset = m.opsets.count("") ? m.opsets.at("") : 13;
    const std::string sliced = fresh_name(g, a + "/last_position_out");
    slice.inputs = {a};
    slice.outputs = {sliced};
    if (slice.opset >= 10) {
      for (const auto& [what, v] : {std::pair<const char*, int64_t>{"starts", -1},
                                    {"ends", std::numeric_limits<int64_t>::max()},
                                    {"axes", 1}}) {
        const std::string c = fresh_name(g, a + "/last_position_" + what);
        g.initializers[c] = int64_vector(v);
        slice.inputs.push_back(c);
      }
    } else {
      for (const auto& [what, v] : {std::pair<const char*, int64_t>{"starts", -1},
                                    {"ends", std::numeric_limits<int64_t>::max()},
                                    {"axes", 1}}) {
        Attribute at;
        at.kind = Attribute::Kind::Ints;
        at.ints = {v};
        slice.attrs[what] = at;
      }
    }
    g.nodes[size_t(p)].inputs[0] = sliced;
    g.nodes.insert(g.nodes.begin() + p, std::move(slice));
    out->dims[1] = Dim{};
    out->dims[1].value = 1;
    ++changed;
  }
  return changed;
}

}  // namespace qwasm
