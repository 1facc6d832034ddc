// Inference BatchNormalization after a Conv / ConvTranspose / Gemm with constant
// weights becomes part of that node: BN(y) = (y - mean) * s + beta with
// s = gamma / sqrt(var + eps) per output channel, so
//   w'[m, ...] = w[m, ...] * s[m]      b'[m] = (b[m] - mean[m]) * s[m] + beta[m]
// (ConvTranspose: output channel m of group gi is W[gi * C/g + c, m % (M/g)];
// Gemm: column m of op(B), and C' = (beta_attr * C - mean) * s + beta with beta_attr = 1).
// The products are formed in double and rounded once, so the folded node differs from
// the two-node graph by float rounding only. Every exporter writes BN this way (PyTorch
// keeps it separate unless asked to fold), and the separate pass over the activation
// is what it costs otherwise.
// The same for a Conv / ConvTranspose followed by Mul and / or Add by constants that are one value or
// one per output channel (shape [M, 1, 1], [1, M, 1, 1], ...: broadcasting cannot change
// the output's shape), as PaddleOCR exports its learnable affine blocks and folded
// scales: w' = w * a[m], b' = b[m] * a[m] (+ c[m]).
// Matched only when the producer's output has the BN as its one use (not a graph
// output), the BN has no training outputs, and all of W, the bias and the four BN
// parameters are float32 constants of the right sizes. The folded weights are new
// initializers: the originals may be shared with other nodes.
#include <cmath>
#include <vector>

#include "graph/passes/graph_index.h"
#include "graph/passes/passes.h"

namespace qwasm {
namespace {

const Tensor* f32_constant(const GraphIndex& idx, const Node& n, size_t i) {
  if (i >= n.inputs.size() || n.inputs[i].empty()) return nullptr;
  const Tensor* t = idx.constant(n.inputs[i]);
  return t && t->dtype() == DType::Float32 ? t : nullptr;
}

bool is_inference_bn(const Node& n) {
  if (!n.domain.empty() || n.op_type != "BatchNormalization" || n.inputs.size() != 5 || n.outputs.empty()) return false;
  for (size_t i = 1; i < n.outputs.size(); ++i)
    if (!n.outputs[i].empty()) return false;
  return n.attr_i("training_mode", 0) == 0 && n.attr_i("spatial", 1) == 1 && n.attr_i("is_test", 1) == 1;
}

// s[m] and the shift t[m] = beta[m] - mean[m] * s[m], in double.
struct BnFactors {
  std::vector<double> s, mean, beta;
};

bool bn_factors(const GraphIndex& idx, const Node& bn, int64_t M, BnFactors& f) {
  const Tensor *gamma = f32_constant(idx, bn, 1), *beta = f32_constant(idx, bn, 2), *mean = f32_constant(idx, bn, 3),
               *var = f32_constant(idx, bn, 4);
  if (!gamma || !beta || !mean || !var) return false;
  for (const Tensor* t : {gamma, beta, mean, var})
    if (t->rank() != 1 || t->size() != M) return false;
  const double eps = bn.attr_f("epsilon", 1e-5f);
  for (int64_t m = 0; m < M; ++m) {
    f.s.push_back(double(gamma->data<float>()[m]) / std::sqrt(double(var->data<float>()[m]) + eps));
    f.mean.push_back(mean->data<float>()[m]);
    f.beta.push_back(beta->data<float>()[m]);
  }
  return true;
}

// The folded bias over M channels from the old one (nullptr: zeros), scaled by `scale`
// first (Gemm's beta attribute).
Tensor folded_bias(const Tensor* b, double scale, const BnFactors& f) {
  const int64_t M = int64_t(f.s.size());
  Tensor out(DType::Float32, {M});
  for (int64_t m = 0; m < M; ++m) {
    const double v = b ? scale * b->data<float>()[b->size() == 1 ? 0 : m] : 0.0;
    out.data<float>()[m] = float((v - f.mean[size_t(m)]) * f.s[size_t(m)] + f.beta[size_t(m)]);
  }
  return out;
}

// Output channel count of `p` and, for each element of W, its output channel; false
// when p is not a foldable producer.
bool weight_channels(const Node& p, const Tensor& w, const Tensor* b, int64_t& M, std::vector<int64_t>& channel_of) {
  if (p.op_type == "Conv" || p.op_type == "ConvTranspose") {
    if (w.rank() < 3) return false;
    const int64_t group = p.attr_i("group", 1);
    const int64_t d0 = w.dim(0), d1 = w.dim(1), inner = w.size() / std::max<int64_t>(1, d0 * d1);
    if (group <= 0 || d0 % group != 0) return false;
    M = p.op_type == "Conv" ? d0 : d1 * group;
    channel_of.resize(size_t(w.size()));
    for (int64_t i = 0; i < d0; ++i)
      for (int64_t j = 0; j < d1; ++j) {
        const int64_t m = p.op_type == "Conv" ? i : (i / (d0 / group)) * d1 + j;
        std::fill(channel_of.begin() + (i * d1 + j) * inner, channel_of.begin() + (i * d1 + j + 1) * inner, m);
      }
  } else {  // Gemm: op(B) is [K, M]
    if (w.rank() != 2) return false;
    const bool tb = p.attr_i("transB", 0) != 0;
    M = tb ? w.dim(0) : w.dim(1);
    channel_of.resize(size_t(w.size()));
    for (int64_t r = 0; r < w.dim(0); ++r)
      for (int64_t c = 0; c < w.dim(1); ++c) channel_of[size_t(r * w.dim(1) + c)] = tb ? r : c;
  }
  if (b && !(b->size() == M && (b->rank() == 1 || (p.op_type == "Gemm" && b->rank() == 2 && b->dim(0) == 1))) &&
      !(p.op_type == "Gemm" && b->size() == 1))
    return false;
  return true;
}

bool foldable_producer(const Node& p) {
  return p.domain.empty() && p.outputs.size() == 1 &&
         (p.op_type == "Conv" || p.op_type == "ConvTranspose" || p.op_type == "Gemm");
}

// The per-channel values of a constant Mul / Add operand against an M-channel output of
// rank `rank` (size 1 or M along dim 1, 1 elsewhere); false when it could broadcast the
// output up or is not float32.
bool channel_values(const Tensor* t, int64_t M, int64_t rank, std::vector<double>& v) {
  if (!t || t->dtype() != DType::Float32 || t->rank() > rank) return false;
  v.assign(size_t(M), 0.0);
  if (t->size() == 1) {
    std::fill(v.begin(), v.end(), double(t->data<float>()[0]));
    return true;
  }
  // Aligned to the right: dim 1 of the output is dim (t.rank - (rank - 1)) of t.
  const int64_t cdim = t->rank() - (rank - 1);
  if (cdim < 0) return false;
  for (int64_t d = 0; d < t->rank(); ++d)
    if (t->dim(d) != (d == cdim ? M : 1)) return false;
  for (int64_t m = 0; m < M; ++m) v[size_t(m)] = t->data<float>()[m];
  return true;
}

// Conv / ConvTranspose (constant W, constant or no bias) -> Mul / Add by per-channel
// constants: folded.
void fold_conv_scale_shift(Graph& g, std::vector<std::string>& replaced) {
  std::set<int> dead;
  {
    const GraphIndex idx(g);
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      Node& p = g.nodes[i];
      if (!foldable_producer(p) || p.op_type == "Gemm" || p.inputs.size() < 2) continue;
      const Tensor* w = f32_constant(idx, p, 1);
      const bool has_bias = p.inputs.size() > 2 && !p.inputs[2].empty();
      const Tensor* b = has_bias ? f32_constant(idx, p, 2) : nullptr;
      int64_t M = 0;
      std::vector<int64_t> channel_of;
      if (!w || (has_bias && !b) || !weight_channels(p, *w, b, M, channel_of)) continue;
      std::vector<double> scale(size_t(M), 1.0), shift(size_t(M), 0.0);
      for (int64_t m = 0; m < M; ++m) shift[size_t(m)] = b ? b->data<float>()[m] : 0.0;
      std::string out = p.outputs[0];
      std::vector<int> eaten;
      for (;;) {
        if (idx.is_graph_output(out)) break;
        const int c = idx.sole_consumer(out);
        if (c < 0 || dead.count(c)) break;
        const Node& n = g.nodes[size_t(c)];
        if (!n.domain.empty() || (n.op_type != "Mul" && n.op_type != "Add") || n.inputs.size() != 2 ||
            n.outputs.size() != 1 || n.inputs[0] == n.inputs[1])
          break;
        const std::string& other = n.inputs[0] == out ? n.inputs[1] : n.inputs[0];
        std::vector<double> v;
        if (!channel_values(idx.constant(other), M, w->rank(), v)) break;
        for (int64_t m = 0; m < M; ++m) {
          if (n.op_type == "Mul") scale[size_t(m)] *= v[size_t(m)], shift[size_t(m)] *= v[size_t(m)];
          else shift[size_t(m)] += v[size_t(m)];
        }
        eaten.push_back(c);
        out = n.outputs[0];
      }
      if (eaten.empty()) continue;
      Tensor w2(DType::Float32, w->shape());
      for (int64_t k = 0; k < w->size(); ++k)
        w2.data<float>()[k] = float(w->data<float>()[k] * scale[size_t(channel_of[size_t(k)])]);
      Tensor b2(DType::Float32, {M});
      for (int64_t m = 0; m < M; ++m) b2.data<float>()[m] = float(shift[size_t(m)]);
      const std::string base = p.name.empty() ? p.outputs[0] : p.name;
      const std::string wn = fresh_name(g, base + "/affine_folded_w");
      g.initializers[wn] = std::move(w2);
      const std::string bname = fresh_name(g, base + "/affine_folded_b");
      g.initializers[bname] = std::move(b2);
      replaced.push_back(p.inputs[1]);
      if (has_bias) replaced.push_back(p.inputs[2]);
      for (int c : eaten) {
        const Node& n = g.nodes[size_t(c)];
        replaced.push_back(n.inputs[0]), replaced.push_back(n.inputs[1]);
        dead.insert(c);
      }
      p.inputs[1] = wn;
      p.inputs.resize(3);
      p.inputs[2] = bname;
      p.outputs[0] = out;
    }
  }
  erase_nodes(g, dead);
}

}  // namespace

void fold_batchnorm(Model& m) {
  Graph& g = m.graph;
  std::set<int> dead;
  std::vector<std::string> replaced;
  // A bias Add between the conv and its BN first (Paddle2ONNX writes ConvTranspose + Add + BN),
  // then the BNs, then what follows them.
  fold_conv_scale_shift(g, replaced);
  {
    const GraphIndex idx(g);
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      const Node& bn = g.nodes[i];
      if (!is_inference_bn(bn)) continue;
      const int pi = idx.producer(bn.inputs[0]);
      if (pi < 0 || dead.count(pi) || idx.sole_consumer(bn.inputs[0]) != int(i) || idx.is_graph_output(bn.inputs[0]))
        continue;
      Node& p = g.nodes[size_t(pi)];
      if (!foldable_producer(p)) continue;
      const Tensor* w = f32_constant(idx, p, 1);
      const bool has_bias = p.inputs.size() > 2 && !p.inputs[2].empty();
      const Tensor* b = has_bias ? f32_constant(idx, p, 2) : nullptr;
      if (!w || (has_bias && !b)) continue;
      int64_t M = 0;
      std::vector<int64_t> channel_of;
      BnFactors f;
      if (!weight_channels(p, *w, b, M, channel_of) || !bn_factors(idx, bn, M, f)) continue;
      Tensor w2(DType::Float32, w->shape());
      for (int64_t k = 0; k < w->size(); ++k)
        w2.data<float>()[k] = float(double(w->data<float>()[k]) * f.s[size_t(channel_of[size_t(k)])]);
      const double bias_scale = p.op_type == "Gemm" ? p.attr_f("beta", 1.0f) : 1.0;
      Tensor b2 = folded_bias(b, bias_scale, f);
      const std::string base = p.name.empty() ? p.outputs[0] : p.name;
      const std::string wn = fresh_name(g, base + "/bn_folded_w");
      g.initializers[wn] = std::move(w2);
      const std::string bname = fresh_name(g, base + "/bn_folded_b");
      g.initializers[bname] = std::move(b2);
      replaced.push_back(p.inputs[1]);
      if (has_bias) replaced.push_back(p.inputs[2]);
      for (size_t k = 1; k < 5; ++k) replaced.push_back(bn.inputs[k]);
      p.inputs[1] = wn;
      p.inputs.resize(std::max<size_t>(p.inputs.size(), 3));
      p.inputs[2] = bname;
      if (p.op_type == "Gemm") {
        Attribute one;
        one.kind = Attribute::Kind::Float, one.f = 1.0f;
        p.attrs["beta"] = one;
      }
      p.outputs[0] = bn.outputs[0];
      dead.insert(int(i));
    }
  }
  erase_nodes(g, dead);
  fold_conv_scale_shift(g, replaced);
  drop_unused_initializers(g, replaced);
}

}  // namespace qwasm
