// Validation and staging shared by RNN, GRU and LSTM (see nn_rnn_common.h).
#include "ops/nn_rnn_common.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>

#include "graph/error.h"
#include "graph/shape.h"
#include "ops/gemm_f32.h"

namespace qwasm {
namespace {

using Kind = RnnActivation::Kind;

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Parses one activation name; alpha/beta come from the node's lists in order, each
// activation that takes a parameter consuming the next one (defaults when the list ran out).
RnnActivation parse_activation(const Node& n, const std::string& name, const std::vector<float>& alphas,
                               const std::vector<float>& betas, size_t& ai, size_t& bi) {
  struct Entry {
    const char* name;
    Kind kind;
    bool has_alpha, has_beta;
    float alpha, beta;  // defaults when the list ran out: onnxruntime's (rnn_helpers.cc), 0 unless named
  };
  static const Entry table[] = {
      {"sigmoid", Kind::Sigmoid, false, false, 0, 0},       {"tanh", Kind::Tanh, false, false, 0, 0},
      {"relu", Kind::Relu, false, false, 0, 0},             {"affine", Kind::Affine, true, true, 0, 0},
      {"leakyrelu", Kind::LeakyRelu, true, false, 0.01f, 0}, {"thresholdedrelu", Kind::ThresholdedRelu, true, false, 0, 0},
      {"scaledtanh", Kind::ScaledTanh, true, true, 0, 0},    {"hardsigmoid", Kind::HardSigmoid, true, true, 0.2f, 0.5f},
      {"elu", Kind::Elu, true, false, 1, 0},                 {"softsign", Kind::Softsign, false, false, 0, 0},
      {"softplus", Kind::Softplus, false, false, 0, 0},
  };
  const std::string key = lower(name);
  for (const Entry& e : table) {
    if (key != e.name) continue;
    RnnActivation a{e.kind, e.alpha, e.beta};
    if (e.has_alpha && ai < alphas.size()) a.alpha = alphas[ai++];
    if (e.has_beta && bi < betas.size()) a.beta = betas[bi++];
    return a;
  }
  fail(n.label(), ": unknown activation '", name, "'");
}

void check_f32(const Node& n, const Tensor* t, const char* what) {
  QWASM_CHECK(!t || t->dtype() == DType::Float32, n.label(), ": ", what, " must be float32 or float16");
}

}  // namespace

RnnPackedWeights rnn_pack_weights(const BuildContext& bc) {
  RnnPackedWeights packed;
  auto transpose = [](const Tensor* t, std::vector<float>& out) {
    if (!t || t->dtype() != DType::Float32 || t->rank() != 3) return;
    const int64_t D = t->dim(0), G = t->dim(1), K = t->dim(2);
    const float* src = t->data<float>();
    out.resize(size_t(D * G * K));
    for (int64_t d = 0; d < D; ++d)
      for (int64_t g = 0; g < G; ++g)
        for (int64_t k = 0; k < K; ++k) out[size_t((d * K + k) * G + g)] = src[(d * G + g) * K + k];
  };
  transpose(bc.const_input(1), packed.w_t);
  transpose(bc.const_input(2), packed.r_t);
  return packed;
}

namespace {
class RnnKernel : public OpKernel {
 public:
  RnnKernel(RnnComputeFn fn, RnnPackedWeights packed) : fn_(fn), packed_(std::move(packed)) {}
  void compute(OpContext& ctx) override { fn_(ctx, packed_); }

 private:
  RnnComputeFn fn_;
  RnnPackedWeights packed_;
};
}  // namespace

OpFactory rnn_kernel(RnnComputeFn fn) {
  return [fn](const BuildContext& bc) { return std::make_unique<RnnKernel>(fn, rnn_pack_weights(bc)); };
}

void rnn_matmul(OpContext& ctx, int64_t M, int64_t N, int64_t K, const float* a, int64_t lda, const float* w,
                const float* w_t, int64_t G, int64_t row0, float beta, float* c, int64_t ldc) {
  if (w_t) gemm_f32(ctx.parallel(), false, false, M, N, K, 1.0f, a, lda, w_t + row0, G, beta, c, ldc);
  else gemm_f32(ctx.parallel(), false, true, M, N, K, 1.0f, a, lda, w + row0 * K, K, beta, c, ldc);
}

RnnProblem rnn_problem(OpContext& ctx, int gates, const std::vector<std::string>& default_acts, bool int8_weights,
                       const RnnPackedWeights* packed) {
  const Node& n = ctx.node();
  RnnProblem p;
  p.gates = gates;
  const Tensor& x = ctx.in(0);
  const Tensor& w = ctx.in(1);
  const Tensor& r = ctx.in(2);
  const Tensor* b = ctx.input(3);
  const Tensor* lens = ctx.input(4);
  check_f32(n, &x, "X");
  if (int8_weights) {
    for (const Tensor* t : {&w, &r})
      QWASM_CHECK(t->dtype() == DType::UInt8 || t->dtype() == DType::Int8, n.label(), ": ", t == &w ? "W" : "R",
                  " must be uint8 or int8, got ", dtype_name(t->dtype()));
  } else {
    check_f32(n, &w, "W");
    check_f32(n, &r, "R");
  }
  check_f32(n, b, "B");

  const std::string dir = n.attr_s("direction", "forward");
  QWASM_CHECK(dir == "forward" || dir == "reverse" || dir == "bidirectional", n.label(), ": unknown direction '", dir,
              "'");
  p.dirs = dir == "bidirectional" ? 2 : 1;
  p.reverse[0] = dir == "reverse";
  p.layout_batch_first = n.attr_i("layout", 0) != 0;
  QWASM_CHECK(!p.layout_batch_first || n.opset >= 14, n.label(), ": layout needs opset 14");
  p.clip = n.has_attr("clip") ? n.attr_f("clip", 0) : 0;
  QWASM_CHECK(!n.has_attr("clip") || p.clip > 0, n.label(), ": clip must be positive");

  QWASM_CHECK(x.rank() == 3, n.label(), ": X must be rank 3, got ", shape_str(x.shape()));
  p.seq = p.layout_batch_first ? x.dim(1) : x.dim(0);
  p.batch = p.layout_batch_first ? x.dim(0) : x.dim(1);
  p.input = x.dim(2);
  QWASM_CHECK(r.rank() == 3, n.label(), ": R must be rank 3, got ", shape_str(r.shape()));
  p.hidden = n.has_attr("hidden_size") ? n.attr_i("hidden_size", 0) : r.dim(int8_weights ? 1 : 2);
  QWASM_CHECK(p.hidden > 0, n.label(), ": hidden_size must be positive");
  const int64_t G = p.gh();
  // Float weights are [dirs, G, K]; int8 ones (transposed) [dirs, K, G].
  auto weight_ok = [&](const Tensor& t, int64_t k) {
    return t.rank() == 3 && t.dim(0) == p.dirs && t.dim(int8_weights ? 2 : 1) == G && t.dim(int8_weights ? 1 : 2) == k;
  };
  auto weight_dims = [&](int64_t k) {
    const int64_t a = int8_weights ? k : G, b = int8_weights ? G : k;
    return "[" + std::to_string(p.dirs) + ", " + std::to_string(a) + ", " + std::to_string(b) + "]";
  };
  QWASM_CHECK(weight_ok(w, p.input), n.label(), ": W must be ", weight_dims(p.input), " for direction ", dir,
              " and hidden_size ", p.hidden, ", got ", shape_str(w.shape()));
  QWASM_CHECK(weight_ok(r, p.hidden), n.label(), ": R must be ", weight_dims(p.hidden), ", got ", shape_str(r.shape()));
  QWASM_CHECK(!b || (b->rank() == 2 && b->dim(0) == p.dirs && b->dim(1) == 2 * G), n.label(), ": B must be [",
              p.dirs, ", ", 2 * G, "], got ", b ? shape_str(b->shape()) : std::string());
  p.w = int8_weights ? nullptr : w.data<float>();
  p.r = int8_weights ? nullptr : r.data<float>();
  p.b = b ? b->data<float>() : nullptr;
  // The build-time transposes, when they were made from these very shapes (W / R validated above).
  if (packed && !int8_weights) {
    if (packed->w_t.size() == size_t(p.dirs * G * p.input)) p.w_t = packed->w_t.data();
    if (packed->r_t.size() == size_t(p.dirs * G * p.hidden)) p.r_t = packed->r_t.data();
  }

  p.lens.assign(size_t(p.batch), p.seq);
  if (lens) {
    QWASM_CHECK((lens->dtype() == DType::Int32 || lens->dtype() == DType::Int64) && lens->rank() == 1 &&
                    lens->dim(0) == p.batch,
                n.label(), ": sequence_lens must be an int32 [", p.batch, "], got ", shape_str(lens->shape()));
    for (int64_t i = 0; i < p.batch; ++i) {
      const int64_t l = lens->get_i64(i);
      QWASM_CHECK(l >= 0 && l <= p.seq, n.label(), ": sequence_lens[", i, "] = ", l, " is outside [0, ", p.seq, "]");
      p.lens[size_t(i)] = l;
    }
  }

  const size_t per_dir = default_acts.size();
  std::vector<std::string> names;
  if (const Attribute* a = n.attr("activations")) {
    QWASM_CHECK(a->kind == Attribute::Kind::Strings, n.label(), ": attribute 'activations' must be a list of strings");
    names = a->strings;
  }
  if (names.empty())
    for (int64_t d = 0; d < p.dirs; ++d) names.insert(names.end(), default_acts.begin(), default_acts.end());
  QWASM_CHECK(names.size() == per_dir * size_t(p.dirs), n.label(), ": activations lists ", names.size(),
              " functions, expected ", per_dir * size_t(p.dirs), " for direction ", dir);
  const std::vector<float> alphas = n.attr_floats("activation_alpha"), betas = n.attr_floats("activation_beta");
  size_t ai = 0, bi = 0;
  for (const std::string& s : names) p.acts.push_back(parse_activation(n, s, alphas, betas, ai, bi));

  // Stage X time-major so every step's rows are contiguous for the projection GEMM.
  const float* xs = x.data<float>();
  p.x = xs;
  if (p.layout_batch_first) {
    p.x_staged.resize(size_t(x.size()));
    for (int64_t bb = 0; bb < p.batch; ++bb)
      for (int64_t t = 0; t < p.seq; ++t)
        std::copy(xs + (bb * p.seq + t) * p.input, xs + (bb * p.seq + t + 1) * p.input,
                  p.x_staged.begin() + (t * p.batch + bb) * p.input);
    p.x = p.x_staged.data();
  }
  return p;
}

std::vector<float> rnn_initial_state(OpContext& ctx, size_t idx, const RnnProblem& p, const char* what) {
  const Node& n = ctx.node();
  std::vector<float> s(size_t(p.dirs * p.batch * p.hidden), 0.0f);
  const Tensor* t = ctx.input(idx);
  if (!t) return s;
  check_f32(n, t, what);
  const int64_t d0 = p.layout_batch_first ? p.batch : p.dirs, d1 = p.layout_batch_first ? p.dirs : p.batch;
  QWASM_CHECK(t->rank() == 3 && t->dim(0) == d0 && t->dim(1) == d1 && t->dim(2) == p.hidden, n.label(), ": ", what,
              " must be [", d0, ", ", d1, ", ", p.hidden, "], got ", shape_str(t->shape()));
  const float* v = t->data<float>();
  for (int64_t d = 0; d < p.dirs; ++d)
    for (int64_t b = 0; b < p.batch; ++b) {
      const int64_t src = p.layout_batch_first ? b * p.dirs + d : d * p.batch + b;
      std::copy(v + src * p.hidden, v + (src + 1) * p.hidden, s.begin() + (d * p.batch + b) * p.hidden);
    }
  return s;
}

void rnn_input_projection(OpContext& ctx, const RnnProblem& p, int64_t d, const float* bias, std::vector<float>& xw) {
  const int64_t M = p.seq * p.batch, N = p.gh();
  xw.resize(size_t(M * N));
  if (M == 0) return;
  if (bias) {
    for (int64_t m = 0; m < M; ++m) std::copy(bias, bias + N, xw.begin() + m * N);
  }
  rnn_matmul(ctx, M, N, p.input, p.x, p.input, p.w + d * N * p.input, p.w_t ? p.w_t + d * p.input * N : nullptr, N,
             0, bias ? 1.0f : 0.0f, xw.data(), N);
}

void rnn_write_y(OpContext& ctx, const RnnProblem& p, const std::vector<float>& y) {
  if (!ctx.output_wanted(0)) return;
  const int64_t H = p.hidden;
  if (!p.layout_batch_first) {
    Tensor& out = ctx.output(0, DType::Float32, {p.seq, p.dirs, p.batch, H});
    std::copy(y.begin(), y.end(), out.data<float>());
    return;
  }
  Tensor& out = ctx.output(0, DType::Float32, {p.batch, p.seq, p.dirs, H});
  float* o = out.data<float>();
  for (int64_t t = 0; t < p.seq; ++t)
    for (int64_t d = 0; d < p.dirs; ++d)
      for (int64_t b = 0; b < p.batch; ++b)
        std::copy(y.begin() + ((t * p.dirs + d) * p.batch + b) * H, y.begin() + ((t * p.dirs + d) * p.batch + b + 1) * H,
                  o + ((b * p.seq + t) * p.dirs + d) * H);
}

void rnn_write_state(OpContext& ctx, size_t idx, const RnnProblem& p, const std::vector<float>& s) {
  if (!ctx.output_wanted(idx)) return;
  const int64_t H = p.hidden;
  if (!p.layout_batch_first) {
    Tensor& out = ctx.output(idx, DType::Float32, {p.dirs, p.batch, H});
    std::copy(s.begin(), s.end(), out.data<float>());
    return;
  }
  Tensor& out = ctx.output(idx, DType::Float32, {p.batch, p.dirs, H});
  float* o = out.data<float>();
  for (int64_t d = 0; d < p.dirs; ++d)
    for (int64_t b = 0; b < p.batch; ++b)
      std::copy(s.begin() + (d * p.batch + b) * H, s.begin() + (d * p.batch + b + 1) * H, o + (b * p.dirs + d) * H);
}

}  // namespace qwasm
