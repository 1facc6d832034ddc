#include "ops/registry.h"

#include <algorithm>

namespace qwasm {

const Tensor& OpContext::in(size_t i) const {
  const Tensor* t = input(i);
  QWASM_CHECK(t, node().label(), ": required input ", i, " is missing");
  return *t;
}

namespace {
class FnKernel : public OpKernel {
 public:
  explicit FnKernel(ComputeFn fn) : fn_(fn) {}
  void compute(OpContext& ctx) override { fn_(ctx); }

 private:
  ComputeFn fn_;
};
}  // namespace

std::unique_ptr<OpKernel> make_fn_kernel(ComputeFn fn) { return std::make_unique<FnKernel>(fn); }

void OpRegistry::add(const std::string& domain, const std::string& op_type, int since_version, OpFactory f,
                     OpTraits traits) {
  table_[{domain, op_type}][since_version] = Entry{std::move(f), traits};
}

void OpRegistry::add_fn(const std::string& domain, const std::string& op_type, int since_version, ComputeFn fn,
                        OpTraits traits) {
  add(domain, op_type, since_version, [fn](const BuildContext&) { return make_fn_kernel(fn); }, traits);
}

const OpRegistry::Entry* OpRegistry::entry(const std::string& domain, const std::string& op_type,
                                           int64_t opset) const {
  auto it = table_.find({domain, op_type});
  if (it == table_.end()) return nullptr;
  auto v = it->second.upper_bound(int(opset));
  if (v == it->second.begin()) return nullptr;
  return &std::prev(v)->second;
}

const OpFactory* OpRegistry::find(const std::string& domain, const std::string& op_type,
                                  int64_t opset) const {
  const Entry* e = entry(domain, op_type, opset);
  return e ? &e->factory : nullptr;
}

OpTraits OpRegistry::traits(const std::string& domain, const std::string& op_type, int64_t opset) const {
  const Entry* e = entry(domain, op_type, opset);
  return e ? e->traits : OpTraits{};
}

bool OpRegistry::has_op(const std::string& domain, const std::string& op_type) const {
  return table_.count({domain, op_type}) != 0;
}

int OpRegistry::newest_since_version(const std::string& domain) const {
  int newest = 0;
  for (const auto& kv : table_)
    if (kv.first.first == domain && !kv.second.empty()) newest = std::max(newest, kv.second.rbegin()->first);
  return newest;
}

const OpRegistry& OpRegistry::builtin() {
  static const OpRegistry reg = [] {
    OpRegistry r;
    register_elementwise_ops(r);
    register_shape_ops(r);
    register_nn_ops(r);
    register_reduce_ops(r);
    register_quant_ops(r);
    register_llm_ops(r);
    register_control_flow_ops(r);
    register_sequence_ops(r);
    return r;
  }();
  return reg;
}

}  // namespace qwasm
