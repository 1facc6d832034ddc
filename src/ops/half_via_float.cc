#include "ops/half_via_float.h"

#include <vector>

#include "ops/dtype_switch.h"

namespace qwasm {
namespace {

// What the float32 kernel sees: the node's inputs with half ones widened, and outputs
// collected here (heap temporaries) for the wrapper to narrow or pass on.
class FloatView : public OpContext {
 public:
  FloatView(OpContext& outer, const std::vector<Tensor>& widened) : outer_(outer), in_(widened), out_(outer.output_count()) {}
  const Node& node() const override { return outer_.node(); }
  size_t input_count() const override { return outer_.input_count(); }
  const Tensor* input(size_t i) const override {
    return i < in_.size() && in_[i].defined() ? &in_[i] : outer_.input(i);
  }
  Tensor& output(size_t i, DType dtype, const Shape& shape) override {
    QWASM_CHECK(i < out_.size(), node().label(), ": output ", i, " does not exist");
    out_[i] = Tensor(dtype, shape, heap_buffer(storage_bytes(dtype, shape_size(shape)), false));
    return out_[i];
  }
  void set_output(size_t i, Tensor t) override {
    QWASM_CHECK(i < out_.size(), node().label(), ": output ", i, " does not exist");
    out_[i] = std::move(t);
  }
  size_t output_count() const override { return out_.size(); }
  bool output_wanted(size_t i) const override { return outer_.output_wanted(i); }
  Parallel& parallel() const override { return outer_.parallel(); }
  std::vector<Tensor>& outputs() { return out_; }

 private:
  OpContext& outer_;
  const std::vector<Tensor>& in_;  // undefined where the outer input is used as is
  std::vector<Tensor> out_;
};

class HalfViaFloat : public OpKernel {
 public:
  HalfViaFloat(std::unique_ptr<OpKernel> inner, HalfOutputs outs) : inner_(std::move(inner)), outs_(outs) {}

  void compute(OpContext& ctx) override {
    DType half = DType::Undefined;
    for (size_t i = 0; i < ctx.input_count() && half == DType::Undefined; ++i)
      if (const Tensor* t = ctx.input(i); t && t->is_tensor() && is_half(t->dtype())) half = t->dtype();
    if (half == DType::Undefined) return inner_->compute(ctx);
    std::vector<Tensor> widened(ctx.input_count());
    for (size_t i = 0; i < widened.size(); ++i)
      if (const Tensor* t = ctx.input(i); t && t->is_tensor() && is_half(t->dtype())) widened[i] = widen_half(*t);
    FloatView view(ctx, widened);
    inner_->compute(view);
    std::vector<Tensor>& out = view.outputs();
    for (size_t i = 0; i < out.size(); ++i) {
      if (!out[i].defined()) continue;
      const bool narrow = out[i].dtype() == DType::Float32 && (i >= 64 || (outs_.mask >> i) & 1);
      if (!narrow) {
        ctx.set_output(i, std::move(out[i]));
        continue;
      }
      narrow_half(out[i], ctx.output(i, half, out[i].shape()));
    }
  }

  // Half constants were hidden from the inner factory, so what it absorbed is float32.
  bool absorbed(size_t input) const override { return inner_->absorbed(input); }

 private:
  std::unique_ptr<OpKernel> inner_;
  HalfOutputs outs_;
};

}  // namespace

OpFactory half_via_float(OpFactory inner, HalfOutputs outs) {
  return [inner = std::move(inner), outs](const BuildContext& bc) -> std::unique_ptr<OpKernel> {
    BuildContext floats = bc;
    floats.constant = [c = bc.constant](const std::string& name) -> const Tensor* {
      const Tensor* t = c(name);
      return t && t->is_tensor() && is_half(t->dtype()) ? nullptr : t;
    };
    if (bc.exclusive_constant)
      floats.exclusive_constant = [x = bc.exclusive_constant](const std::string& name) -> Tensor* {
        Tensor* t = x(name);
        return t && t->is_tensor() && is_half(t->dtype()) ? nullptr : t;
      };
    return std::make_unique<HalfViaFloat>(inner(floats), outs);
  };
}

OpFactory half_via_float(ComputeFn inner, HalfOutputs outs) {
  return half_via_float([inner](const BuildContext&) { return make_fn_kernel(inner); }, outs);
}

}  // namespace qwasm
