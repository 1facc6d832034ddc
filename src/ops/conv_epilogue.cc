#include "ops/conv_epilogue.h"

#include "graph/error.h"
#include "graph/private_attrs.h"

namespace qwasm {

ConvEpilogue ConvEpilogue::of(const Node& n) {
  ConvEpilogue e;
  e.residual = n.attr_i(kAttrResidual, 0) != 0;
  e.post = n.has_attr(kAttrPostScale) || n.has_attr(kAttrPostShift);
  e.post_scale = n.attr_f(kAttrPostScale, 1.0f);
  e.post_shift = n.attr_f(kAttrPostShift, 0.0f);
  const std::vector<int64_t> ops = n.attr_ints(kAttrPostClampOps);
  const std::vector<float> cs = n.attr_floats(kAttrPostClampValues);
  QWASM_CHECK(ops.size() == cs.size() && ops.size() <= size_t(kMaxClamps), n.label(),
              ": fused clamps need one value per op and at most ", kMaxClamps);
  for (size_t i = 0; i < ops.size(); ++i) {
    QWASM_CHECK(ops[i] >= 0 && ops[i] <= 3, n.label(), ": unknown fused clamp op ", ops[i]);
    e.clamps[i] = {ClampOp(ops[i]), cs[i]};
  }
  e.n_clamps = int(ops.size());
  if (!n.has_attr(kAttrFloatAct)) return e;
  const std::string a = n.attr_s(kAttrFloatAct, "");
  e.alpha = n.attr_f(kAttrFloatActAlpha, 0.0f);
  e.beta = n.attr_f(kAttrFloatActBeta, 0.0f);
  if (a == "Relu") e.act = Act::kRelu;
  else if (a == "Clip") e.act = Act::kClip;
  else if (a == "HardSwish") e.act = Act::kHardSwish;
  else if (a == "HardSigmoid") e.act = Act::kHardSigmoid;
  else if (a == "Sigmoid") e.act = Act::kSigmoid;
  else if (a == "LeakyRelu") e.act = Act::kLeakyRelu;
  else QWASM_CHECK(false, n.label(), ": unknown fused activation '", a, "'");
  return e;
}

}  // namespace qwasm
