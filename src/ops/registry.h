// Operator registry keyed by (domain, op_type, since_version). Lookup picks the
// newest registration whose since_version <= the model's opset for the domain.
//
// Each registration carries the op's OpTraits (graph/op_traits.h): set them in the
// add / add_fn call itself, e.g.
//   r.add("", "RandomNormal", 1, make_random_normal, kNeverFold);
//   r.add_fn("", "Reshape", 1, reshape, kMovesValues);
// and every version registered separately states its own. The executor asks the registry
// (traits()) whether a node may be folded at load and whether it may receive sequences;
// the graph passes receive the same lookup from the executor. So an op that must not be
// folded (the random ops of ops/nn_random.cc, If, Loop, Scan) sets never_fold in its own
// registration: nothing else lists it.
#pragma once
#include <map>
#include <string>
#include <tuple>

#include "graph/op_traits.h"
#include "ops/op.h"

namespace qwasm {

class OpRegistry {
 public:
  void add(const std::string& domain, const std::string& op_type, int since_version, OpFactory f,
           OpTraits traits = {});
  // Registers a stateless function for every opset from `since_version`.
  void add_fn(const std::string& domain, const std::string& op_type, int since_version, ComputeFn fn,
              OpTraits traits = {});
  // nullptr when nothing matches.
  const OpFactory* find(const std::string& domain, const std::string& op_type, int64_t opset) const;
  // The traits of the registration find() picks; defaults when nothing matches.
  OpTraits traits(const std::string& domain, const std::string& op_type, int64_t opset) const;
  bool has_op(const std::string& domain, const std::string& op_type) const;
  // The highest since_version registered in `domain` (0 when none): kept within
  // graph/opsets.h's limits, which the loader enforces.
  int newest_since_version(const std::string& domain) const;

  // The process-wide registry with every built-in family registered.
  static const OpRegistry& builtin();

 private:
  struct Entry {
    OpFactory factory;
    OpTraits traits;
  };
  const Entry* entry(const std::string& domain, const std::string& op_type, int64_t opset) const;
  std::map<std::pair<std::string, std::string>, std::map<int, Entry>> table_;
};

// Each family registers itself in one function (explicit calls: static
// registration objects get dropped by the linker in static libraries).
void register_elementwise_ops(OpRegistry& r);   // ops/elementwise*.cc: math, compare, logic, Where, Clip, Cast
void register_shape_ops(OpRegistry& r);         // ops/shape*.cc: Reshape, Transpose, Concat, Slice, Gather ...
void register_nn_ops(OpRegistry& r);            // ops/nn*.cc: MatMul, Gemm, Conv, pools, norms, Softmax, Resize
void register_reduce_ops(OpRegistry& r);        // ops/reduce.cc: Reduce*, ArgMax/ArgMin, CumSum
void register_quant_ops(OpRegistry& r);         // ops/quant*.cc: Q/DQ, MatMulInteger, QLinear*, MatMulNBits
void register_llm_ops(OpRegistry& r);
void register_control_flow_ops(OpRegistry& r);  // ops/control_flow.cc: If, Loop, Scan
void register_sequence_ops(OpRegistry& r);      // ops/sequence.cc: Sequence*, SplitToSequence, Optional*           // ops/llm*.cc: RMSNorm, rotary, GroupQueryAttention ...

}  // namespace qwasm
