// The two dequantize-matmul graph passes on small graphs built here:
//  - fuse_dynamic_quant_matmul: the quantize_dynamic chain becomes one
//    DynamicQuantizeMatMul, bit-identical to the unfused chain (same quantization
//    code, same int32 GEMM, same float operation order), except where the model
//    applies the two scales with separate Muls (then within 2^-22 relative: one
//    rounding moves);
//  - fuse_weight_dequant_matmul: MatMul/Gemm(A, DequantizeLinear(W)) becomes
//    MatMulNBits (accuracy_level 0), within the float dot-product bound below;
//  - gather_into_dynamic_matmul: a Gather after DynamicQuantizeMatMul folded into it,
//    bit-identical over row, batch and column axes.
// Each fused model is compared with Executor(model, /*optimize=*/false), and the
// patterns that must not fuse are checked to stay as they are.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "graph/passes/passes.h"
#include "graph/private_attrs.h"
#include "graph_test_util.h"
#include "runtime/executor.h"

using namespace qwasm;
using namespace qwasm::test;

namespace {

// Integers in [lo, hi] stored as `t` (int8/uint8, or int4/uint4 two per byte, low nibble first).
Tensor random_q(DType t, const Shape& s, int lo, int hi, std::mt19937& rng, std::vector<int>* values = nullptr) {
  Tensor q(t, s);
  std::uniform_int_distribution<int> d(lo, hi);
  uint8_t* p = static_cast<uint8_t*>(q.raw());
  for (int64_t i = 0; i < q.size(); ++i) {
    const int v = d(rng);
    if (values) values->push_back(v);
    if (t == DType::Int4 || t == DType::UInt4) p[i / 2] |= uint8_t((v & 15) << (4 * (i & 1)));
    else p[i] = uint8_t(v);
  }
  return q;
}

std::vector<Tensor> run(const Model& m, bool optimize, const Tensor& a) {
  Executor ex(m, optimize);
  return ex.run({{"A", a}}, {});
}

void expect_bit_exact(const Tensor& want, const Tensor& got) {
  ASSERT_EQ(want.dtype(), got.dtype());
  ASSERT_EQ(want.shape(), got.shape());
  for (int64_t i = 0; i < want.size(); ++i) {
    uint32_t w, g;
    std::memcpy(&w, want.data<float>() + i, 4);
    std::memcpy(&g, got.data<float>() + i, 4);
    ASSERT_EQ(w, g) << "element " << i << ": unfused " << want.data<float>()[i] << ", fused " << got.data<float>()[i];
  }
}

// ------------------------------------------------------------ dynamic quantization chain

struct DynChain {
  Shape a_shape = {3, 40};
  int64_t N = 24;
  bool uint8_w = false, per_column = false, bias = true;
  bool two_muls = false;    // Mul(Mul(Y_f, A_scale), W_scale) instead of Mul(Y_f, A_scale * W_scale)
  bool swap_operands = false;
};

// Appends one quantize_dynamic chain reading `a` and producing `out` (names prefixed by p).
void add_chain(Model& m, const DynChain& o, const std::string& a, const std::string& p, const std::string& dql_out,
               const std::string& out, std::mt19937& rng) {
  Graph& g = m.graph;
  const int64_t K = o.a_shape.back(), N = o.N;
  const DType wt = o.uint8_w ? DType::UInt8 : DType::Int8;
  g.initializers[p + "W"] = o.uint8_w ? random_q(wt, {K, N}, 0, 255, rng) : random_q(wt, {K, N}, -127, 127, rng);
  const Shape ps = o.per_column ? Shape{N} : Shape{};
  g.initializers[p + "W_zp"] = o.uint8_w ? random_q(wt, ps, 100, 150, rng) : random_q(wt, ps, 0, 0, rng);
  g.initializers[p + "W_scale"] = random_f32(ps, rng, 0.001f, 0.02f);
  const std::string qa = dql_out + "_q", sa = dql_out + "_scale", za = dql_out + "_zp";
  g.nodes.push_back(make("MatMulInteger", {qa, p + "W", za, p + "W_zp"}, {p + "Y_i"}));
  Node cast = make("Cast", {p + "Y_i"}, {p + "Y_f"});
  cast.attrs["to"] = int_attr(int64_t(DType::Float32));
  g.nodes.push_back(cast);
  const std::string y = o.bias ? p + "Y" : out;
  if (o.two_muls) {
    g.nodes.push_back(make("Mul", {p + "Y_f", o.swap_operands ? p + "W_scale" : sa}, {p + "Y_1"}));
    g.nodes.push_back(make("Mul", {o.swap_operands ? sa : p + "W_scale", p + "Y_1"}, {y}));
  } else {
    g.nodes.push_back(make("Mul", {sa, p + "W_scale"}, {p + "S"}));
    g.nodes.push_back(make("Mul", o.swap_operands ? std::vector<std::string>{p + "S", p + "Y_f"}
                                                  : std::vector<std::string>{p + "Y_f", p + "S"}, {y}));
  }
  if (o.bias) {
    g.initializers[p + "bias"] = random_f32({N}, rng, -0.5f, 0.5f);
    g.nodes.push_back(make("Add", o.swap_operands ? std::vector<std::string>{p + "bias", y}
                                                  : std::vector<std::string>{y, p + "bias"}, {out}));
  }
  (void)a;
}

void add_dql(Model& m, const std::string& a, const std::string& o) {
  m.graph.nodes.push_back(make("DynamicQuantizeLinear", {a}, {o + "_q", o + "_scale", o + "_zp"}));
}

Model dyn_model(const DynChain& o, uint32_t seed) {
  std::mt19937 rng(seed);
  Model m;
  m.opsets[""] = 17;
  m.graph.inputs = {value("A", DType::Float32, o.a_shape)};
  add_dql(m, "A", "a");
  add_chain(m, o, "A", "", "a", "out", rng);
  Shape os = o.a_shape;
  os.back() = o.N;
  m.graph.outputs = {value("out", DType::Float32, os)};
  return m;
}

void expect_fused_single(const Model& m) {
  const Model f = optimized(m);
  ASSERT_EQ(op_types(f), std::vector<std::string>{"DynamicQuantizeMatMul"});
  EXPECT_EQ(f.graph.nodes[0].domain, "com.microsoft");
  EXPECT_EQ(f.graph.nodes[0].outputs, std::vector<std::string>{"out"});
}

TEST(DynamicQuantMatMulPass, FusesTheQuantizeDynamicChainBitExact) {
  // Exactly what tools/models/make_bert_qdynamic.py emits (int8 W, zero point 0, scalar scale, bias).
  DynChain o;
  const Model m = dyn_model(o, 1);
  expect_fused_single(m);
  std::mt19937 rng(7);
  const Tensor a = random_f32(o.a_shape, rng, -3.0f, 2.0f);
  expect_bit_exact(run(m, false, a)[0], run(m, true, a)[0]);
}

TEST(DynamicQuantMatMulPass, PerColumnUint8WeightsBatchedABitExact) {
  DynChain o;
  o.a_shape = {2, 5, 33}, o.N = 17, o.uint8_w = true, o.per_column = true, o.swap_operands = true;
  const Model m = dyn_model(o, 2);
  expect_fused_single(m);
  std::mt19937 rng(8);
  const Tensor a = random_f32(o.a_shape, rng, -1.0f, 4.0f);
  expect_bit_exact(run(m, false, a)[0], run(m, true, a)[0]);
}

TEST(DynamicQuantMatMulPass, NoBiasFusesUpToTheMul) {
  DynChain o;
  o.bias = false, o.per_column = true;
  const Model m = dyn_model(o, 3);
  expect_fused_single(m);
  std::mt19937 rng(9);
  const Tensor a = random_f32(o.a_shape, rng);
  expect_bit_exact(run(m, false, a)[0], run(m, true, a)[0]);
}

TEST(DynamicQuantMatMulPass, SeparateScaleMulsWithinTwoUlpsRelative) {
  // (y * a_scale) * w_scale vs y * (a_scale * w_scale): the same three factors, one
  // rounding in a different place: each side is within 2u of the exact product
  // (u = 2^-24), so they differ by at most ~4u = 2^-22 relative (no bias: no cancellation).
  for (bool swap : {false, true}) {
    DynChain o;
    o.two_muls = true, o.swap_operands = swap, o.bias = false, o.per_column = swap;
    const Model m = dyn_model(o, 4);
    expect_fused_single(m);
    std::mt19937 rng(10);
    const Tensor a = random_f32(o.a_shape, rng);
    const Tensor want = run(m, false, a)[0], got = run(m, true, a)[0];
    for (int64_t i = 0; i < want.size(); ++i)
      EXPECT_LE(std::fabs(want.data<float>()[i] - got.data<float>()[i]), std::ldexp(std::fabs(want.data<float>()[i]), -22))
          << "element " << i << " swap " << swap;
  }
}

TEST(DynamicQuantMatMulPass, SharedDynamicQuantizeLinearFusesEveryChain) {
  // onnxruntime quantizes an activation once for all the MatMuls reading it (Q, K, V).
  DynChain o;
  std::mt19937 rng(5);
  Model m;
  m.opsets[""] = 17;
  m.graph.inputs = {value("A", DType::Float32, o.a_shape)};
  add_dql(m, "A", "a");
  add_chain(m, o, "A", "q_", "a", "q", rng);
  add_chain(m, o, "A", "k_", "a", "k", rng);
  m.graph.outputs = {value("q", DType::Float32, {3, 24}), value("k", DType::Float32, {3, 24})};
  const Model f = optimized(m);
  EXPECT_EQ(op_types(f), (std::vector<std::string>{"DynamicQuantizeMatMul", "DynamicQuantizeMatMul"}));
  const Tensor a = random_f32(o.a_shape, rng);
  const auto want = run(m, false, a), got = run(m, true, a);
  expect_bit_exact(want[0], got[0]);
  expect_bit_exact(want[1], got[1]);
}

TEST(DynamicQuantMatMulPass, QuantizedActivationReadElsewhereKeepsTheQuantizer) {
  // A_q is also a graph output: the chain still fuses, DynamicQuantizeLinear stays for it.
  DynChain o;
  Model m = dyn_model(o, 6);
  m.graph.outputs.push_back(value("a_q", DType::UInt8, o.a_shape));
  EXPECT_EQ(op_types(optimized(m)), (std::vector<std::string>{"DynamicQuantizeLinear", "DynamicQuantizeMatMul"}));
  std::mt19937 rng(11);
  const Tensor a = random_f32(o.a_shape, rng);
  const auto want = run(m, false, a), got = run(m, true, a);
  expect_bit_exact(want[0], got[0]);
  ASSERT_EQ(std::memcmp(want[1].raw(), got[1].raw(), want[1].bytes()), 0);
}

TEST(DynamicQuantMatMulPass, CastOutputUsedTwiceIsNotFused) {
  DynChain o;
  Model m = dyn_model(o, 7);
  m.graph.nodes.push_back(make("Relu", {"Y_f"}, {"side"}));
  m.graph.outputs.push_back(value("side", DType::Float32, {3, 24}));
  const size_t before = m.graph.nodes.size();
  EXPECT_EQ(optimized(m).graph.nodes.size(), before);
  std::mt19937 rng(12);
  const Tensor a = random_f32(o.a_shape, rng);
  expect_bit_exact(run(m, false, a)[0], run(m, true, a)[0]);
}

TEST(DynamicQuantMatMulPass, IntermediateGraphOutputIsNotFused) {
  DynChain o;
  Model m = dyn_model(o, 8);
  m.graph.outputs.push_back(value("Y_i", DType::Int32, {3, 24}));
  EXPECT_EQ(optimized(m).graph.nodes.size(), m.graph.nodes.size());
}

TEST(DynamicQuantMatMulPass, NonConstantWeightIsNotFused) {
  DynChain o;
  Model m = dyn_model(o, 9);
  m.graph.inputs.push_back(value("W", DType::Int8, {40, 24}));
  m.graph.initializers.erase("W");
  EXPECT_EQ(optimized(m).graph.nodes.size(), m.graph.nodes.size());
}

TEST(DynamicQuantMatMulPass, BiasUsedTwiceKeepsTheAdd) {
  // The Mul's result also feeds a graph output: fuse up to the Mul, keep the Add.
  DynChain o;
  Model m = dyn_model(o, 10);
  m.graph.outputs.push_back(value("Y", DType::Float32, {3, 24}));
  EXPECT_EQ(op_types(optimized(m)), (std::vector<std::string>{"DynamicQuantizeMatMul", "Add"}));
  std::mt19937 rng(13);
  const Tensor a = random_f32(o.a_shape, rng);
  const auto want = run(m, false, a), got = run(m, true, a);
  expect_bit_exact(want[0], got[0]);
  expect_bit_exact(want[1], got[1]);
}

// ------------------------------------------------------------ Gather folded into the matmul

Tensor int_tensor(DType t, const Shape& s, const std::vector<int64_t>& v) {
  Tensor k(t, s);
  for (size_t i = 0; i < v.size(); ++i) {
    if (t == DType::Int64) k.data<int64_t>()[i] = v[i];
    else k.data<int32_t>()[i] = int32_t(v[i]);
  }
  return k;
}

// The quantize_dynamic chain, then Gather(out, indices, axis) -> "picked" (the only output).
Model gathered_model(const DynChain& o, int64_t axis, const Tensor& indices, uint32_t seed) {
  Model m = dyn_model(o, seed);
  m.graph.initializers["idx"] = indices;
  Node g = make("Gather", {"out", "idx"}, {"picked"});
  g.attrs["axis"] = int_attr(axis);
  m.graph.nodes.push_back(g);
  m.graph.outputs = {value("picked", DType::Float32, {})};
  return m;
}

// A whose row `big` (along axis `axis`, A's shape from o) is 8x larger than the rest, so the
// dynamic quantization range comes from that row: quantizing only the picked rows with
// their own range would change the result.
Tensor skewed_a(const DynChain& o, int64_t axis, int64_t big, uint32_t seed) {
  std::mt19937 rng(seed);
  Tensor a = random_f32(o.a_shape, rng, -1.0f, 1.5f);
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= o.a_shape[size_t(d)];
  for (size_t d = size_t(axis) + 1; d < o.a_shape.size(); ++d) inner *= o.a_shape[d];
  const int64_t dim = o.a_shape[size_t(axis)];
  for (int64_t x = 0; x < outer; ++x)
    for (int64_t i = 0; i < inner; ++i) a.data<float>()[(x * dim + big) * inner + i] *= 8.0f;
  return a;
}

void expect_folded(const Model& m) {
  const Model f = optimized(m);
  ASSERT_EQ(op_types(f), std::vector<std::string>{"DynamicQuantizeMatMul"});
  EXPECT_TRUE(f.graph.nodes[0].has_attr(kAttrGatherIndices));
  EXPECT_EQ(f.graph.nodes[0].outputs, std::vector<std::string>{"picked"});
}

TEST(GatherIntoDynamicMatMulPass, LastPositionOfASequenceBitExact) {
  // turn_detector's LM head: [1, T, K] x [K, N], then Gather(axis 1, scalar -1).
  DynChain o;
  o.a_shape = {1, 7, 40}, o.N = 24;
  const Model m = gathered_model(o, 1, int_tensor(DType::Int64, {}, {-1}), 20);
  expect_folded(m);
  const Tensor a = skewed_a(o, 1, 2, 21);
  const Tensor want = run(m, false, a)[0], got = run(m, true, a)[0];
  EXPECT_EQ(want.shape(), (Shape{1, 24}));
  expect_bit_exact(want, got);
}

TEST(GatherIntoDynamicMatMulPass, RowsOrBatchesWithIndexTensorsBitExact) {
  DynChain o;
  o.a_shape = {2, 5, 33}, o.N = 17, o.per_column = true, o.uint8_w = true;
  struct Case {
    int64_t axis;
    Tensor idx;
    int64_t big;
    Shape want;
  };
  const std::vector<Case> cases = {
      {-2, int_tensor(DType::Int32, {3}, {0, 4, -1}), 2, {2, 3, 17}},
      {1, int_tensor(DType::Int64, {2, 2}, {1, 1, 3, 0}), 4, {2, 2, 2, 17}},
      {0, int_tensor(DType::Int64, {}, {1}), 0, {5, 17}},
  };
  for (const Case& c : cases) {
    const Model m = gathered_model(o, c.axis, c.idx, 22);
    expect_folded(m);
    const int64_t a_axis = c.axis < 0 ? c.axis + 3 : c.axis;
    const Tensor a = skewed_a(o, a_axis, c.big, 23);
    const Tensor want = run(m, false, a)[0], got = run(m, true, a)[0];
    EXPECT_EQ(want.shape(), c.want) << "axis " << c.axis;
    expect_bit_exact(want, got);
  }
}

TEST(GatherIntoDynamicMatMulPass, ColumnAxisPicksColumnsBitExact) {
  DynChain o;
  o.a_shape = {4, 40}, o.N = 24;
  for (int64_t axis : {1, -1}) {
    const Model m = gathered_model(o, axis, int_tensor(DType::Int64, {3}, {23, 0, -5}), 24);
    expect_folded(m);
    std::mt19937 rng(25);
    const Tensor a = random_f32(o.a_shape, rng);
    const Tensor want = run(m, false, a)[0], got = run(m, true, a)[0];
    EXPECT_EQ(want.shape(), (Shape{4, 3}));
    expect_bit_exact(want, got);
  }
}

TEST(GatherIntoDynamicMatMulPass, OutOfRangeIndexNamesTheGather) {
  DynChain o;
  o.a_shape = {1, 7, 40};
  const Model m = gathered_model(o, 1, int_tensor(DType::Int64, {}, {7}), 26);
  std::mt19937 rng(27);
  const Tensor a = random_f32(o.a_shape, rng);
  for (bool optimize : {false, true}) {
    try {
      run(m, optimize, a);
      ADD_FAILURE() << "index 7 of a dimension of 7 was accepted (optimize " << optimize << ")";
    } catch (const std::exception& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("Gather_picked"), std::string::npos) << msg;
      EXPECT_NE(msg.find("out of range"), std::string::npos) << msg;
    }
  }
}

TEST(GatherIntoDynamicMatMulPass, NotFoldedWhenTheFullResultIsNeededOrIndicesVary) {
  DynChain o;
  o.a_shape = {1, 7, 40};
  Model seen = gathered_model(o, 1, int_tensor(DType::Int64, {}, {-1}), 28);
  seen.graph.outputs.push_back(value("out", DType::Float32, {}));
  EXPECT_EQ(op_types(optimized(seen)), (std::vector<std::string>{"DynamicQuantizeMatMul", "Gather"}));
  Model varying = gathered_model(o, 1, int_tensor(DType::Int64, {}, {-1}), 29);
  varying.graph.initializers.erase("idx");
  varying.graph.inputs.push_back(value("idx", DType::Int64, {}));
  EXPECT_EQ(op_types(optimized(varying)), (std::vector<std::string>{"DynamicQuantizeMatMul", "Gather"}));
}

// ------------------------------------------------------------ weight-only DequantizeLinear

enum class Gran { PerTensor, PerColumn, Blocked };

struct DqWeight {
  DType type = DType::Int8;
  Gran gran = Gran::PerTensor;
  int64_t M = 3, K = 40, N = 24, block = 0;
  bool zero_point = false;
  bool gemm = false, trans_b = false, gemm_bias = false;
  float alpha = 1.0f, beta = 1.0f;
};

struct DqCase {
  Model model;
  std::vector<int> q, zp;   // stored integers of W (row-major as stored) and zero points
  std::vector<float> scale;
};

DqCase dq_model(const DqWeight& o, uint32_t seed) {
  std::mt19937 rng(seed);
  DqCase c;
  Model& m = c.model;
  m.opsets[""] = 21;
  Graph& g = m.graph;
  const bool four = o.type == DType::Int4 || o.type == DType::UInt4;
  const bool sgn = o.type == DType::Int4 || o.type == DType::Int8;
  const int lo = sgn ? (four ? -8 : -128) : 0, hi = sgn ? (four ? 7 : 127) : (four ? 15 : 255);
  const Shape ws = o.trans_b ? Shape{o.N, o.K} : Shape{o.K, o.N};
  const int k_axis = o.trans_b ? 1 : 0, n_axis = 1 - k_axis;
  g.initializers["W"] = random_q(o.type, ws, lo, hi, rng, &c.q);
  Shape ss;
  Node dq = make("DequantizeLinear", {"W", "W_scale"}, {"W_f"}, 21);
  if (o.gran == Gran::PerColumn) {
    ss = {o.N};
    dq.attrs["axis"] = int_attr(n_axis);
  } else if (o.gran == Gran::Blocked) {
    ss = ws;
    ss[size_t(k_axis)] = (o.K + o.block - 1) / o.block;
    dq.attrs["axis"] = int_attr(k_axis);
    dq.attrs["block_size"] = int_attr(o.block);
  }
  g.initializers["W_scale"] = random_f32(ss, rng, 0.01f, 0.1f);
  const Tensor& s = g.initializers["W_scale"];
  c.scale.assign(s.data<float>(), s.data<float>() + s.size());
  if (o.zero_point) {
    g.initializers["W_zp"] = random_q(o.type, ss, lo / 2, hi / 2, rng, &c.zp);
    dq.inputs.push_back("W_zp");
  }
  g.nodes.push_back(dq);
  if (o.gemm) {
    Node gm = make("Gemm", {"A", "W_f"}, {"out"}, 13);
    gm.attrs["transB"] = int_attr(o.trans_b ? 1 : 0);
    gm.attrs["alpha"] = float_attr(o.alpha);
    gm.attrs["beta"] = float_attr(o.beta);
    if (o.gemm_bias) {
      g.initializers["C"] = random_f32({o.N}, rng);
      gm.inputs.push_back("C");
    }
    g.nodes.push_back(gm);
  } else {
    g.nodes.push_back(make("MatMul", {"A", "W_f"}, {"out"}, 21));
  }
  g.inputs = {value("A", DType::Float32, {o.M, o.K})};
  g.outputs = {value("out", DType::Float32, {o.M, o.N})};
  return c;
}

// The float bound: both the float MatMul over dequantized W and MatMulNBits's
// per-block accumulation of sum(q*a) - zp*sum(a) are dot products over at most K+4
// roundings of terms bounded by |a_k| * scale * (|q| + |zp|) (q and zp in
// MatMulNBits's unsigned form, which only adds 2^(bits-1) to both), so each is
// within gamma_(K+4) * S of the exact value, S = sum_k |a_k| scale_k (|q_k| + |zp_k|),
// gamma_n = n u / (1 - n u), u = 2^-24. The test allows the sum of both, 2 gamma S.
void expect_within_float_bound(const DqWeight& o, const DqCase& c, const Tensor& a) {
  const Tensor want = run(c.model, false, a)[0], got = run(c.model, true, a)[0];
  ASSERT_EQ(want.shape(), got.shape());
  const bool four = o.type == DType::Int4 || o.type == DType::UInt4;
  const bool sgn = o.type == DType::Int4 || o.type == DType::Int8;
  const int off = sgn ? (four ? 8 : 128) : 0;
  const double u = std::ldexp(1.0, -24), gamma = (o.K + 4) * u / (1 - (o.K + 4) * u);
  double worst = 0;
  for (int64_t mi = 0; mi < o.M; ++mi)
    for (int64_t n = 0; n < o.N; ++n) {
      double S = 0;
      for (int64_t k = 0; k < o.K; ++k) {
        const int64_t qi = o.trans_b ? n * o.K + k : k * o.N + n;
        int64_t si = 0;
        if (o.gran == Gran::PerColumn) si = n;
        if (o.gran == Gran::Blocked) {
          const int64_t nb = (o.K + o.block - 1) / o.block;
          si = o.trans_b ? n * nb + k / o.block : (k / o.block) * o.N + n;
        }
        const double z = c.zp.empty() ? 0 : c.zp[size_t(si)];
        S += std::fabs(a.data<float>()[mi * o.K + k]) * c.scale[size_t(si)] * std::fabs(o.alpha) *
             (std::abs(c.q[size_t(qi)] + off) + std::fabs(z + off));
      }
      const double d = std::fabs(double(want.data<float>()[mi * o.N + n]) - got.data<float>()[mi * o.N + n]);
      const double bound = 2 * gamma * S + (o.gemm_bias ? 4 * u * std::fabs(want.data<float>()[mi * o.N + n]) : 0);
      ASSERT_LE(d, bound) << "row " << mi << " column " << n;
      worst = std::max(worst, d / bound);
    }
  std::printf("  largest error / bound: %.3g\n", worst);
}

void expect_nbits(const Model& m, int64_t bits, int64_t block) {
  const Model f = optimized(m);
  ASSERT_EQ(op_types(f), std::vector<std::string>{"MatMulNBits"});
  const Node& n = f.graph.nodes[0];
  EXPECT_EQ(n.domain, "com.microsoft");
  EXPECT_EQ(n.outputs, std::vector<std::string>{"out"});
  EXPECT_EQ(n.attr_i("bits"), bits);
  EXPECT_EQ(n.attr_i("block_size"), block);
  EXPECT_EQ(n.attr_i("accuracy_level"), 0);
  // The quantized original is replaced by the repacked copy, not kept beside it.
  EXPECT_EQ(f.graph.initializers.count("W"), 0u);
}

void check_weight_case(const DqWeight& o, uint32_t seed, int64_t bits, int64_t block) {
  const DqCase c = dq_model(o, seed);
  expect_nbits(c.model, bits, block);
  std::mt19937 rng(seed + 100);
  expect_within_float_bound(o, c, random_f32({o.M, o.K}, rng));
}

TEST(WeightDequantMatMulPass, PerTensorInt8) {
  DqWeight o;  // K = 40: blocks of 16 (less padding than 32 or 64), the last one half padding
  check_weight_case(o, 21, 8, 16);
}

TEST(WeightDequantMatMulPass, PerColumnUint8WithZeroPoints) {
  DqWeight o;
  o.type = DType::UInt8, o.gran = Gran::PerColumn, o.zero_point = true, o.K = 512, o.N = 20, o.M = 5;
  check_weight_case(o, 22, 8, 256);
}

TEST(WeightDequantMatMulPass, BlockedInt4WithZeroPoints) {
  DqWeight o;
  o.type = DType::Int4, o.gran = Gran::Blocked, o.block = 32, o.zero_point = true, o.K = 96, o.N = 33;
  check_weight_case(o, 23, 4, 32);
}

TEST(WeightDequantMatMulPass, BlockedUint4NonPowerOfTwoBlock) {
  // block_size 48 = 3 MatMulNBits blocks of 16 sharing a scale; K = 100 ends mid-block.
  DqWeight o;
  o.type = DType::UInt4, o.gran = Gran::Blocked, o.block = 48, o.K = 100, o.N = 7, o.M = 2;
  check_weight_case(o, 24, 4, 16);
}

TEST(WeightDequantMatMulPass, BlockedInt8Signed) {
  DqWeight o;
  o.type = DType::Int8, o.gran = Gran::Blocked, o.block = 64, o.K = 128, o.N = 16, o.M = 1;  // GEMV
  check_weight_case(o, 25, 8, 64);
}

TEST(WeightDequantMatMulPass, GemmTransposedWeightWithBiasAndAlpha) {
  DqWeight o;
  o.type = DType::Int8, o.gran = Gran::PerColumn, o.zero_point = true, o.gemm = true, o.trans_b = true;
  o.gemm_bias = true, o.alpha = 0.5f, o.beta = 2.0f, o.K = 64, o.N = 12;
  check_weight_case(o, 26, 8, 64);
}

TEST(WeightDequantMatMulPass, GemmBlockedInt4) {
  DqWeight o;
  o.type = DType::Int4, o.gran = Gran::Blocked, o.block = 16, o.gemm = true, o.K = 64, o.N = 9;
  check_weight_case(o, 27, 4, 16);
}

TEST(WeightDequantMatMulPass, DequantizedWeightUsedTwiceIsNotFused) {
  DqCase c = dq_model(DqWeight{}, 28);
  c.model.graph.nodes.push_back(make("MatMul", {"A", "W_f"}, {"out2"}, 21));
  c.model.graph.outputs.push_back(value("out2", DType::Float32, {3, 24}));
  EXPECT_EQ(op_types(optimized(c.model)), (std::vector<std::string>{"DequantizeLinear", "MatMul", "MatMul"}));
}

TEST(WeightDequantMatMulPass, NonConstantWeightIsNotFused) {
  DqCase c = dq_model(DqWeight{}, 29);
  c.model.graph.inputs.push_back(value("W", DType::Int8, {40, 24}));
  c.model.graph.initializers.erase("W");
  EXPECT_EQ(op_types(optimized(c.model)), (std::vector<std::string>{"DequantizeLinear", "MatMul"}));
}

TEST(WeightDequantMatMulPass, PerRowScaleIsNotFused) {
  // One scale per row of K cannot be expressed as MatMulNBits blocks (>= 16 rows).
  DqWeight o;
  DqCase c = dq_model(o, 30);
  c.model.graph.initializers["W_scale"] = Tensor(DType::Float32, {o.K});
  c.model.graph.nodes[0].attrs["axis"] = int_attr(0);
  EXPECT_EQ(op_types(optimized(c.model)), (std::vector<std::string>{"DequantizeLinear", "MatMul"}));
}

}  // namespace
