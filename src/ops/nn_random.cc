// Random ops: RandomNormal(Like), RandomUniform(Like), Bernoulli, Multinomial and
// Dropout from opset 12 (training_mode input, random mask). All register never_fold:
// folding would freeze one draw into the model.
//
// Each node owns its generator: std::mt19937_64 (its output sequence is fixed by the
// C++ standard, so native and wasm builds draw the same numbers), seeded from the
// `seed` attribute when given and from std::random_device otherwise. The generator
// advances across runs, so two runs of one session differ while two sessions built
// with the same seed repeat the same sequence. The distributions are computed here,
// not with <random>'s, whose algorithms differ between standard libraries.
//
// The ONNX backend tests of these ops hold numpy's draws, which no other generator
// reproduces; unit tests (tests/unit/ops_random_test.cc) check shape, type, range and
// the statistics instead.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <random>
#include <vector>

#include "ops/elementwise_types.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

constexpr double kTwoPi = 6.283185307179586476925;

class Rng {
 public:
  explicit Rng(const Node& n) {
    if (n.has_attr("seed")) {
      // The seed is a float attribute; its bits pick the sequence (0.5 and 0 differ).
      const Attribute* a = n.attr("seed");
      QWASM_CHECK(a->kind == Attribute::Kind::Float || a->kind == Attribute::Kind::Int, n.label(),
                  ": attribute 'seed' must be a float");
      const float s = a->kind == Attribute::Kind::Float ? a->f : float(a->i);
      eng_.seed(uint64_t(float_to_bits(s)));
    } else {
      std::random_device rd;
      eng_.seed((uint64_t(rd()) << 32) ^ rd());
    }
  }
  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return double(eng_() >> 11) * (1.0 / 9007199254740992.0); }
  // Standard normal by Box-Muller (both values of a pair are used).
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = 1.0 - uniform();  // (0, 1]: log stays finite
    const double u2 = uniform();
    const double rad = std::sqrt(-2.0 * std::log(u1));
    spare_ = rad * std::sin(kTwoPi * u2);
    has_spare_ = true;
    return rad * std::cos(kTwoPi * u2);
  }
  // Runs of one session may overlap on threads; a node's draws must not interleave.
  std::mutex mu;

 private:
  std::mt19937_64 eng_;
  double spare_ = 0;
  bool has_spare_ = false;
};

// Stores `v` as element i of `t` (any numeric type; float16/bfloat16 round to nearest even).
template <typename F> void fill_with(Tensor& t, const std::string& what, F value_at) {
  visit_elem(t.dtype(), what, [&](auto tag) {
    using T = decltype(tag);
    auto* d = static_cast<storage_t<T>*>(t.raw());
    for (int64_t i = 0, n = t.size(); i < n; ++i) {
      const double v = value_at(i);
      if constexpr (is_half_tag_v<T>) d[i] = store_elem<T>(float(v));
      else if constexpr (std::is_same_v<T, bool>) d[i] = v != 0;
      else d[i] = storage_t<T>(v);
    }
  });
}

bool is_float_type(DType t) {
  return t == DType::Float32 || t == DType::Float64 || t == DType::Float16 || t == DType::BFloat16;
}

// The output type of a generator: the `dtype` attribute, else `fallback` (the input's
// type for the *Like ops, float32 for the others); it must be a float type.
DType float_dtype(const Node& n, DType fallback) {
  DType t = fallback;
  if (n.has_attr("dtype")) {
    const int64_t v = n.attr_i("dtype");
    QWASM_CHECK(v >= 0 && v <= INT32_MAX && dtype_is_valid(int32_t(v)), n.label(), ": attribute 'dtype' (", v,
                ") is not an ONNX data type");
    t = DType(v);
  }
  QWASM_CHECK(is_float_type(t), n.label(), ": output type ", dtype_name(t),
              " is not supported (float16, float, double or bfloat16)");
  return t;
}

// RandomNormal / RandomUniform and their *Like forms: shape from the attribute or the
// input, values mean + scale * N(0,1) or low + (high - low) * U[0,1).
class GeneratorKernel : public OpKernel {
 public:
  GeneratorKernel(const Node& n, bool normal, bool like) : rng_(n), normal_(normal), like_(like) {
    if (normal) a_ = n.attr_f("mean", 0.0f), b_ = n.attr_f("scale", 1.0f);
    else a_ = n.attr_f("low", 0.0f), b_ = n.attr_f("high", 1.0f) - a_;
    if (!like) {
      dtype_ = float_dtype(n, DType::Float32);
      QWASM_CHECK(n.has_attr("shape"), n.label(), ": required attribute 'shape' is missing");
      shape_ = n.attr_ints("shape");
      for (int64_t d : shape_) QWASM_CHECK(d >= 0, n.label(), ": negative dimension in shape ", shape_str(shape_));
      storage_bytes(dtype_, shape_size(shape_));  // refuses sizes no tensor may hold
    }
  }
  void compute(OpContext& ctx) override {
    const Node& n = ctx.node();
    DType dt = dtype_;
    Shape shape = shape_;
    if (like_) {
      const Tensor& x = ctx.in(0);
      dt = float_dtype(n, x.dtype());
      shape = x.shape();
    }
    Tensor& y = ctx.output(0, dt, shape);
    std::lock_guard<std::mutex> lock(rng_.mu);
    fill_with(y, n.label(), [&](int64_t) { return a_ + b_ * (normal_ ? rng_.normal() : rng_.uniform()); });
  }

 private:
  Rng rng_;
  bool normal_, like_;
  double a_ = 0, b_ = 1;
  DType dtype_ = DType::Float32;
  Shape shape_;
};

// Bernoulli: 1 with probability p (the input element), else 0, in the `dtype` type
// (default: the input's). A draw u in [0, 1) gives 1 when u < p.
class BernoulliKernel : public OpKernel {
 public:
  explicit BernoulliKernel(const Node& n) : rng_(n) {
    if (n.has_attr("dtype")) {
      const int64_t v = n.attr_i("dtype");
      QWASM_CHECK(v >= 0 && v <= INT32_MAX && dtype_is_valid(int32_t(v)), n.label(), ": attribute 'dtype' (", v,
                  ") is not an ONNX data type");
      dtype_ = DType(v);
    }
  }
  void compute(OpContext& ctx) override {
    const Node& n = ctx.node();
    const Tensor& p = ctx.in(0);
    QWASM_CHECK(is_float_type(p.dtype()), n.label(), ": input must be a float tensor, got ", dtype_name(p.dtype()));
    const DType dt = dtype_ == DType::Undefined ? p.dtype() : dtype_;
    Tensor& y = ctx.output(0, dt, p.shape());
    std::lock_guard<std::mutex> lock(rng_.mu);
    fill_with(y, n.label(), [&](int64_t i) { return rng_.uniform() < p.get_f64(i) ? 1.0 : 0.0; });
  }

 private:
  Rng rng_;
  DType dtype_ = DType::Undefined;
};

// Multinomial: input [batch, classes] of unnormalized log-probabilities; output
// [batch, sample_size] class indices (int32 or int64), each row sampled with
// probability softmax(row).
class MultinomialKernel : public OpKernel {
 public:
  explicit MultinomialKernel(const Node& n) : rng_(n) {
    samples_ = n.attr_i("sample_size", 1);
    QWASM_CHECK(samples_ >= 1, n.label(), ": sample_size must be >= 1, got ", samples_);
    const int64_t d = n.attr_i("dtype", int64_t(DType::Int32));
    QWASM_CHECK(d == int64_t(DType::Int32) || d == int64_t(DType::Int64), n.label(),
                ": attribute 'dtype' must be int32 (6) or int64 (7), got ", d);
    dtype_ = DType(d);
  }
  void compute(OpContext& ctx) override {
    const Node& n = ctx.node();
    const Tensor& x = ctx.in(0);
    QWASM_CHECK(is_float_type(x.dtype()), n.label(), ": input must be a float tensor, got ", dtype_name(x.dtype()));
    QWASM_CHECK(x.rank() == 2 && x.dim(1) > 0, n.label(), ": input must be [batch, classes] with classes > 0, got ",
                shape_str(x.shape()));
    const int64_t batch = x.dim(0), classes = x.dim(1);
    Tensor& y = ctx.output(0, dtype_, {batch, samples_});
    std::vector<double> cum(static_cast<size_t>(classes));
    std::lock_guard<std::mutex> lock(rng_.mu);
    for (int64_t b = 0; b < batch; ++b) {
      double mx = -INFINITY;
      for (int64_t c = 0; c < classes; ++c) mx = std::max(mx, x.get_f64(b * classes + c));
      QWASM_CHECK(std::isfinite(mx), n.label(), ": row ", b, " has no finite log-probability");
      double total = 0;
      for (int64_t c = 0; c < classes; ++c) cum[size_t(c)] = total += std::exp(x.get_f64(b * classes + c) - mx);
      for (int64_t s = 0; s < samples_; ++s) {
        const double u = rng_.uniform() * total;
        int64_t c = int64_t(std::upper_bound(cum.begin(), cum.end(), u) - cum.begin());
        if (c >= classes) c = classes - 1;  // u rounded up to the total
        const int64_t o = b * samples_ + s;
        if (dtype_ == DType::Int64) y.data<int64_t>()[o] = c;
        else y.data<int32_t>()[o] = int32_t(c);
      }
    }
  }

 private:
  Rng rng_;
  int64_t samples_ = 1;
  DType dtype_ = DType::Int32;
};

// Dropout from opset 12: inputs data, ratio (scalar, default 0.5) and training_mode
// (bool scalar, default false). Outside training (or with ratio 0) the output is the
// input and the mask all true; in training each element is kept with probability
// 1 - ratio, scaled by 1 / (1 - ratio), and the mask says which were kept.
class DropoutKernel : public OpKernel {
 public:
  explicit DropoutKernel(const Node& n) : rng_(n) {}
  void compute(OpContext& ctx) override {
    const Node& n = ctx.node();
    const Tensor& x = ctx.in(0);
    const Tensor* ratio_t = ctx.input(1);
    const Tensor* train_t = ctx.input(2);
    QWASM_CHECK(!ratio_t || ratio_t->size() == 1, n.label(), ": ratio must be a scalar, got ",
                shape_str(ratio_t ? ratio_t->shape() : Shape{}));
    QWASM_CHECK(!train_t || train_t->size() == 1, n.label(), ": training_mode must be a scalar, got ",
                shape_str(train_t ? train_t->shape() : Shape{}));
    const double ratio = ratio_t ? ratio_t->get_f64(0) : 0.5;
    const bool training = train_t && train_t->get_i64(0) != 0;
    const bool want_mask = ctx.output_wanted(1);
    if (!training || ratio == 0) {
      ctx.set_output(0, x);
      if (want_mask) {
        Tensor& m = ctx.output(1, DType::Bool, x.shape());
        std::memset(m.raw(), 1, m.bytes());
      }
      return;
    }
    QWASM_CHECK(ratio > 0 && ratio < 1, n.label(), ": ratio must be in [0, 1) in training mode, got ", ratio);
    QWASM_CHECK(is_float_type(x.dtype()), n.label(), ": training mode needs a float input, got ",
                dtype_name(x.dtype()));
    const double scale = 1.0 / (1.0 - ratio);
    std::vector<uint8_t> keep(size_t(x.size()));
    {
      std::lock_guard<std::mutex> lock(rng_.mu);
      for (auto& k : keep) k = rng_.uniform() >= ratio;
    }
    Tensor& y = ctx.output(0, x.dtype(), x.shape());
    fill_with(y, n.label(), [&](int64_t i) { return keep[size_t(i)] ? x.get_f64(i) * scale : 0.0; });
    if (want_mask) {
      Tensor& m = ctx.output(1, DType::Bool, x.shape());
      std::memcpy(m.raw(), keep.data(), keep.size());
    }
  }

 private:
  Rng rng_;
};

template <typename K, typename... A> OpFactory factory(A... a) {
  return [=](const BuildContext& bc) { return std::make_unique<K>(bc.node, a...); };
}

}  // namespace

void register_random_ops(OpRegistry& r) {
  r.add("", "RandomNormal", 1, factory<GeneratorKernel>(true, false), kNeverFold);
  r.add("", "RandomNormalLike", 1, factory<GeneratorKernel>(true, true), kNeverFold);
  r.add("", "RandomUniform", 1, factory<GeneratorKernel>(false, false), kNeverFold);
  r.add("", "RandomUniformLike", 1, factory<GeneratorKernel>(false, true), kNeverFold);
  r.add("", "Bernoulli", 15, factory<BernoulliKernel>(), kNeverFold);
  r.add("", "Multinomial", 7, factory<MultinomialKernel>(), kNeverFold);
  // Opsets 1-11 (inference only, no training input) stay in ops/shape_basic.cc.
  r.add("", "Dropout", 12, factory<DropoutKernel>(), kNeverFold);
}

}  // namespace qwasm
