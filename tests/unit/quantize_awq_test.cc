// AWQ and SmoothQuant (quantize/awq.h, quantize/input_scale.h): the scale search against the
// numpy reference in tools/awq_reference.py (fixture awq_fixture.inc) and AWQ's point, lower
// held-out output error than round to nearest on inputs with outlier channels; SmoothQuant's
// scales on a hand-worked example; and the graph rewrite on a model built here (a
// LayerNormalization feeding two MatMuls, a Mul by a constant, a graph input): the scaled
// float model computes what the float one does, the 1/s goes into the LayerNormalization and
// the Mul or an inserted Mul, and the quantized models beat round to nearest / plain dynamic
// int8. onnxruntime runs such models in tests/js/quantizer-awq.test.mjs.
#include <gtest/gtest.h>

#include <algorithm>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "api/quantize.h"
#include "graph/error.h"
#include "onnx.pb.h"
#include "onnx/loader.h"
#include "onnx_model_builder.h"
#include "portable_normal.h"
#include "quantize/awq.h"
#include "quantize/block_quant.h"
#include "quantize/gptq.h"
#include "quantize/input_scale.h"
#include "runtime/executor.h"

namespace qwasm {
namespace {

#include "awq_fixture.inc"

// Held-out output error sum ||x D||^2 of W quantized after scaling its rows by s (D as in awq.h).
double held_error(const std::vector<float>& s, bool symmetric) {
  std::vector<double> h(size_t(kAK * kAK), 0.0);
  accumulate_hessian(kAHeld, kARows, kAK, h);
  return awq_error(kAW, kAK, kAN, h, s, 4, kABlock, symmetric);
}

void expect_matches_numpy(bool symmetric, int step, const float* scales, double error, double rtn_error,
                          double held_awq, double held_rtn) {
  std::vector<double> h(size_t(kAK * kAK), 0.0), mean(size_t(kAK), 0.0);
  accumulate_hessian(kACalib, kARows, kAK, h);
  for (int r = 0; r < kARows; ++r)
    for (int k = 0; k < kAK; ++k) mean[size_t(k)] += std::fabs(double(kACalib[r * kAK + k])) / kARows;
  const AwqScales a = awq_search(kAW, kAK, kAN, h, mean, 4, kABlock, symmetric, kAGrid);
  EXPECT_EQ(a.alpha, double(step) / kAGrid);
  ASSERT_EQ(a.scales.size(), size_t(kAK));
  for (int k = 0; k < kAK; ++k) EXPECT_NEAR(a.scales[size_t(k)], scales[k], 1e-6f * scales[k]) << "k=" << k;
  EXPECT_NEAR(a.error, error, 1e-9 * error);
  EXPECT_NEAR(a.rtn_error, rtn_error, 1e-9 * rtn_error);
  EXPECT_LE(a.error, a.rtn_error);
  const double awq = held_error(a.scales, symmetric), rtn = held_error(std::vector<float>(size_t(kAK), 1.0f), symmetric);
  EXPECT_NEAR(awq, held_awq, 1e-9 * held_awq);
  EXPECT_NEAR(rtn, held_rtn, 1e-9 * held_rtn);
  std::printf("[ awq ] %s: alpha %.2f, held-out output error rtn %.6g, awq %.6g (ratio %.3f)\n",
              symmetric ? "symmetric" : "asymmetric", a.alpha, rtn, awq, awq / rtn);
}

TEST(QuantizeAwq, AsymmetricMatchesNumpyReferenceAndBeatsRoundToNearest) {
  expect_matches_numpy(false, kAAlphaStepAsym, kAScalesAsym, kAErrorAsym, kARtnErrorAsym, kAHeldAwqAsym, kAHeldRtnAsym);
  EXPECT_LT(kAHeldAwqAsym, 0.5 * kAHeldRtnAsym);  // the numpy figures the C++ reproduces above
}
TEST(QuantizeAwq, SymmetricMatchesNumpyReference) {
  expect_matches_numpy(true, kAAlphaStepSym, kAScalesSym, kAErrorSym, kARtnErrorSym, kAHeldAwqSym, kAHeldRtnSym);
}

// The clipping search on the scales numpy chose: the same clamped weights, blocks and errors,
// and below the unclipped error on the calibration and the held-out rows.
void expect_clip_matches_numpy(bool symmetric, const float* scales, double error, int blocks, const float* clipped,
                               double held, double held_unclipped) {
  std::vector<double> h(size_t(kAK * kAK), 0.0);
  accumulate_hessian(kACalib, kARows, kAK, h);
  const std::vector<float> s(scales, scales + kAK);
  const AwqClip c = awq_clip(kAW, kAK, kAN, h, s, 4, kABlock, symmetric);
  EXPECT_EQ(c.clipped_blocks, blocks);
  EXPECT_NEAR(c.error, error, 1e-9 * error);
  EXPECT_LT(c.error, c.unclipped_error);
  ASSERT_EQ(c.weights.size(), size_t(kAK * kAN));
  for (int i = 0; i < kAK * kAN; ++i) EXPECT_EQ(c.weights[size_t(i)], clipped[i]) << "i=" << i;
  // the held-out error of what was kept
  std::vector<double> hh(size_t(kAK * kAK), 0.0);
  accumulate_hessian(kAHeld, kARows, kAK, hh);
  const double got = awq_scaled_error(c.weights.data(), kAW, kAK, kAN, hh, s, 4, kABlock, symmetric);
  EXPECT_NEAR(got, held, 1e-9 * held);
  EXPECT_LT(held, held_unclipped);
  std::printf("[ awq ] %s clip: %d blocks, calibration error %.6g (unclipped %.6g), held-out %.6g (unclipped %.6g)\n",
              symmetric ? "symmetric" : "asymmetric", c.clipped_blocks, c.error, c.unclipped_error, held, held_unclipped);
}

TEST(QuantizeAwq, ClipMatchesNumpyReference) {
  expect_clip_matches_numpy(false, kAScalesAsym, kAClipErrorAsym, kAClipBlocksAsym, kAClipWAsym, kAClipHeldAsym,
                            kAHeldAwqAsym);
  expect_clip_matches_numpy(true, kAScalesSym, kAClipErrorSym, kAClipBlocksSym, kAClipWSym, kAClipHeldSym, kAHeldAwqSym);
}

TEST(QuantizeSmoothQuant, ScalesByHand) {
  // s = max|x|^a / max|w|^(1-a): sqrt(4) / sqrt(1) = 2; x always 0 -> 1; sqrt(9) / sqrt(0.25) = 6;
  // weights all 0 -> 1; alpha 1: s = max|x|.
  const auto s = smoothquant_scales({4, 0, 9, 5}, {1, 2, 0.25, 0}, 0.5);
  ASSERT_EQ(s.size(), 4u);
  EXPECT_FLOAT_EQ(s[0], 2.0f);
  EXPECT_FLOAT_EQ(s[1], 1.0f);
  EXPECT_FLOAT_EQ(s[2], 6.0f);
  EXPECT_FLOAT_EQ(s[3], 1.0f);
  EXPECT_FLOAT_EQ(smoothquant_scales({7}, {3}, 1.0)[0], 7.0f);
}

using Feeds = std::vector<std::pair<std::string, Tensor>>;
constexpr int64_t kRows = 24, kK = 64;

// x [rows, 64] -> LayerNormalization (gamma with a few large channels) -> a; a -> MatMul W1 [64, 32]
// -> b -> Mul(b, c [32]) -> d -> MatMul W3 [32, 16] -> y3; a -> MatMul W2 [64, 32] -> y2;
// x -> MatMul W4 [64, 16] -> y4; a gated MLP: Mul(MatMul(a, Wg [64, 32]), MatMul(a, Wu [64, 32]))
// -> MatMul Wd [32, 16] -> y5; a Shape of a (which does not stop the fold). Outputs y2..y5, a's shape.
std::string model() {
  onnx::ModelProto m = test::model_with_opset(17);
  auto* g = m.mutable_graph();
  std::mt19937 rng(77);
  auto init = [&](const std::string& name, std::vector<int64_t> dims, auto value) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    int64_t n = 1;
    for (int64_t d : dims) t->add_dims(d), n *= d;
    for (int64_t i = 0; i < n; ++i) t->add_float_data(value(i));
  };
  auto normal = [&](int64_t) { return float(test::portable_normal(rng)); };
  init("gamma", {kK}, [&](int64_t i) { return i % 13 == 5 ? 12.0f : 1.0f + 0.1f * float(test::portable_normal(rng)); });
  init("beta", {kK}, [&](int64_t) { return 0.1f * float(test::portable_normal(rng)); });
  init("W1", {kK, 32}, normal);
  init("W2", {kK, 32}, normal);
  init("c", {32}, [&](int64_t i) { return i % 7 == 2 ? 9.0f : 0.5f; });
  init("W3", {32, 16}, normal);
  init("W4", {kK, 16}, normal);
  init("Wg", {kK, 32}, normal);
  init("Wu", {kK, 32}, normal);
  init("Wd", {32, 16}, normal);
  test::add_value(g->mutable_input(), "x", onnx::TensorProto::FLOAT, {kRows, kK});
  for (const char* y : {"y2", "y3", "y4", "y5"}) test::add_value(g->mutable_output(), y, onnx::TensorProto::FLOAT, {});
  test::add_value(g->mutable_output(), "a_shape", onnx::TensorProto::INT64, {2});
  test::add_node(g, "LayerNormalization", "ln", {"x", "gamma", "beta"}, {"a"});
  test::add_node(g, "MatMul", "mm1", {"a", "W1"}, {"b"});
  test::add_node(g, "MatMul", "mm2", {"a", "W2"}, {"y2"});
  test::add_node(g, "Mul", "mul", {"b", "c"}, {"d"});
  test::add_node(g, "MatMul", "mm3", {"d", "W3"}, {"y3"});
  test::add_node(g, "MatMul", "mm4", {"x", "W4"}, {"y4"});
  test::add_node(g, "MatMul", "mmg", {"a", "Wg"}, {"gate"});
  test::add_node(g, "MatMul", "mmu", {"a", "Wu"}, {"up"});
  test::add_node(g, "Mul", "glu", {"gate", "up"}, {"h"});
  test::add_node(g, "MatMul", "mmd", {"h", "Wd"}, {"y5"});
  test::add_node(g, "Shape", "shape", {"a"}, {"a_shape"});
  return m.SerializeAsString();
}

// x with outlier channels (gain 10 on every 9th), fixed seed per feed.
Feeds feed(uint32_t seed) {
  std::mt19937 rng(seed);
  Tensor x(DType::Float32, {kRows, kK});
  for (int64_t i = 0; i < kRows * kK; ++i) x.data<float>()[i] = float(test::portable_normal(rng)) * (i % kK % 9 == 4 ? 10.0f : 1.0f);
  return {{"x", x}};
}

std::vector<Tensor> run(const std::string& bytes, const Feeds& f) {
  Executor ex(load_model(bytes.data(), bytes.size(), {}));
  return ex.run(f, {});
}

std::vector<Feeds> feeds(uint32_t first, int n) {
  std::vector<Feeds> out;
  for (int i = 0; i < n; ++i) out.push_back(feed(first + uint32_t(i)));
  return out;
}

// Mean squared error of a model's outputs against the float model's, over held-out feeds.
double held_mse(const std::string& src, const std::string& q) {
  double e = 0;
  int64_t n = 0;
  for (const Feeds& f : feeds(500, 4)) {
    const auto want = run(src, f), got = run(q, f);
    for (size_t o = 0; o < want.size(); ++o)
      for (int64_t i = 0; want[o].dtype() == DType::Float32 && i < want[o].size(); ++i) {
        const double d = double(got[o].data<float>()[i]) - want[o].data<float>()[i];
        e += d * d, ++n;
      }
  }
  return e / double(n);
}

std::string detail(const QuantizedModel& q, const std::string& node) {
  for (const auto& r : q.report)
    if (r.node == node) return r.detail;
  return "(not in the report)";
}

TEST(QuantizeAwq, ScaledFloatModelComputesTheSameAndFoldsWhereItCan) {
  const std::string src = model();
  QuantizeOptions o;
  o.algorithm = "awq", o.bits = 4, o.calibration = feeds(100, 4);
  o.awq_clip = false;  // clipping changes the float weights on purpose; the scales alone must not
  const ScaledModel s = scale_matmul_inputs(src.data(), src.size(), {}, o);
  onnx::ModelProto m;
  ASSERT_TRUE(m.ParseFromString(s.model));
  int muls = 0;
  for (const auto& n : m.graph().node()) muls += n.op_type() == "Mul";
  for (const auto& kv : s.notes) std::printf("[ awq ] %s: %s\n", kv.first.c_str(), kv.second.c_str());
  for (const char* n : {"mm1", "mm2", "mm3", "mm4", "mmg", "mmu", "mmd"}) ASSERT_TRUE(s.notes.count(n)) << n;
  // The five groups all chose alpha > 0 here (outlier channels), so each was rewritten.
  EXPECT_NE(s.notes.at("mm1").find("folded into LayerNormalization 'ln'"), std::string::npos) << s.notes.at("mm1");
  EXPECT_EQ(s.notes.at("mm1"), s.notes.at("mm2"));  // one group: one s for all four
  EXPECT_EQ(s.notes.at("mm1"), s.notes.at("mmu"));
  EXPECT_NE(s.notes.at("mmd").find("folded into the columns of MatMul 'mmg' (input 0 of Mul 'glu')"), std::string::npos)
      << s.notes.at("mmd");
  EXPECT_NE(s.notes.at("mm3").find("folded into Mul 'mul'"), std::string::npos) << s.notes.at("mm3");
  EXPECT_NE(s.notes.at("mm4").find("inserted Mul"), std::string::npos) << s.notes.at("mm4");
  EXPECT_EQ(muls, 3);  // mul, glu and the one inserted
  for (const Feeds& f : feeds(700, 2)) {
    const auto want = run(src, f), got = run(s.model, f);
    ASSERT_EQ(want.size(), got.size());
    // Rounding scales with the output's magnitude, not each element's: a small element is a
    // sum of large products (wasm measured 4.6e-4 at -3.49 where the output reaches beyond 10).
    for (size_t o2 = 0; o2 < want.size(); ++o2) {
      if (want[o2].dtype() != DType::Float32) continue;
      float scale = 0;
      for (int64_t i = 0; i < want[o2].size(); ++i) scale = std::max(scale, std::fabs(want[o2].data<float>()[i]));
      for (int64_t i = 0; i < want[o2].size(); ++i)
        EXPECT_NEAR(got[o2].data<float>()[i], want[o2].data<float>()[i], 1e-4f * (1 + scale)) << "output " << o2;
    }
  }
}

// SimplifiedLayerNormalization (ai.onnx, as onnxruntime's exporters write it) and com.microsoft
// SkipSimplifiedLayerNormalization (whose output 3, input + skip, must not change) take the 1/s
// in their scale; SmoothQuant always rewrites (no search), so both paths are taken.
TEST(QuantizeSmoothQuant, FoldsIntoSimplifiedAndSkipLayerNormalization) {
  onnx::ModelProto m = test::model_with_opset(17);
  auto* ms = m.add_opset_import();
  ms->set_domain("com.microsoft"), ms->set_version(1);
  auto* g = m.mutable_graph();
  std::mt19937 rng(5);
  auto init = [&](const std::string& name, std::vector<int64_t> dims, float big) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    int64_t n = 1;
    for (int64_t d : dims) t->add_dims(d), n *= d;
    for (int64_t i = 0; i < n; ++i) t->add_float_data(i % 11 == 3 ? big : float(test::portable_normal(rng)));
  };
  init("g1", {kK}, 8), init("g2", {kK}, 6), init("W1", {kK, 32}, 0.5f), init("W2", {kK, 32}, 0.5f);
  test::add_value(g->mutable_input(), "x", onnx::TensorProto::FLOAT, {kRows, kK});
  for (const char* y : {"y1", "y2", "sum"}) test::add_value(g->mutable_output(), y, onnx::TensorProto::FLOAT, {});
  test::add_node(g, "SimplifiedLayerNormalization", "sln", {"x", "g1"}, {"a"});
  test::add_node(g, "MatMul", "mm1", {"a", "W1"}, {"y1"});
  test::add_node(g, "SkipSimplifiedLayerNormalization", "skip", {"x", "a", "g2"}, {"b", "", "", "sum"})
      ->set_domain("com.microsoft");
  test::add_node(g, "MatMul", "mm2", {"b", "W2"}, {"y2"});
  // a also feeds the skip node, so mm1's 1/s cannot go into sln: an inserted Mul instead
  const std::string src = m.SerializeAsString();
  QuantizeOptions o;
  o.mode = QuantizeOptions::Mode::Dynamic, o.smooth_quant = true, o.calibration = feeds(100, 2);
  const ScaledModel sm = scale_matmul_inputs(src.data(), src.size(), {}, o);
  ASSERT_TRUE(sm.notes.count("mm1") && sm.notes.count("mm2"));
  EXPECT_NE(sm.notes.at("mm1").find("inserted Mul"), std::string::npos) << sm.notes.at("mm1");
  EXPECT_NE(sm.notes.at("mm2").find("folded into SkipSimplifiedLayerNormalization 'skip'"), std::string::npos)
      << sm.notes.at("mm2");
  // Without the skip node reading a, the fold goes into sln.
  onnx::ModelProto m2 = m;
  m2.mutable_graph()->mutable_node(2)->set_input(1, "x");
  const std::string src2 = m2.SerializeAsString();
  const ScaledModel sm2 = scale_matmul_inputs(src2.data(), src2.size(), {}, o);
  EXPECT_NE(sm2.notes.at("mm1").find("folded into SimplifiedLayerNormalization 'sln'"), std::string::npos)
      << sm2.notes.at("mm1");
  for (const auto* pair : {&src, &src2}) {
    const std::string& from = *pair;
    const std::string& to = pair == &src ? sm.model : sm2.model;
    for (const Feeds& f : feeds(800, 2)) {
      const auto want = run(from, f), got = run(to, f);
      ASSERT_EQ(want.size(), 3u);
      for (size_t k = 0; k < 3; ++k)
        for (int64_t i = 0; i < want[k].size(); ++i)
          EXPECT_NEAR(got[k].data<float>()[i], want[k].data<float>()[i], 1e-4f * (1 + std::fabs(want[k].data<float>()[i])))
              << "output " << k << " at " << i;
    }
  }
}

TEST(QuantizeAwq, LowerHeldOutErrorThanRoundToNearest) {
  const std::string src = model();
  QuantizeOptions o;
  o.bits = 4;
  const QuantizedModel rtn = quantize_model(src.data(), src.size(), {}, o);
  o.algorithm = "awq", o.calibration = feeds(100, 4);
  const QuantizedModel awq = quantize_model(src.data(), src.size(), {}, o);
  EXPECT_NE(detail(awq, "mm1").find("awq alpha"), std::string::npos) << detail(awq, "mm1");
  const double e_rtn = held_mse(src, rtn.model), e_awq = held_mse(src, awq.model);
  std::printf("[ awq ] model: held-out output MSE rtn %.5g, awq %.5g (ratio %.3f)\n", e_rtn, e_awq, e_awq / e_rtn);
  EXPECT_LT(e_awq, 0.8 * e_rtn);
}

TEST(QuantizeSmoothQuant, LowerHeldOutErrorThanPlainDynamicInt8) {
  const std::string src = model();
  QuantizeOptions o;
  o.mode = QuantizeOptions::Mode::Dynamic;
  const QuantizedModel plain = quantize_model(src.data(), src.size(), {}, o);
  o.smooth_quant = true, o.smooth_alpha = 0.5, o.calibration = feeds(100, 4);
  const QuantizedModel sq = quantize_model(src.data(), src.size(), {}, o);
  EXPECT_NE(detail(sq, "mm4").find("smoothQuant alpha 0.50"), std::string::npos) << detail(sq, "mm4");
  const double e_plain = held_mse(src, plain.model), e_sq = held_mse(src, sq.model);
  std::printf("[ smoothquant ] dynamic int8: held-out output MSE plain %.5g, smoothQuant %.5g (ratio %.3f)\n", e_plain,
              e_sq, e_sq / e_plain);
  EXPECT_LT(e_sq, 0.8 * e_plain);
}

TEST(QuantizeAwq, BadInputIsAClearError) {
  const std::string src = model();
  auto fails = [&](QuantizeOptions o, const char* want) {
    try {
      quantize_model(src.data(), src.size(), {}, o);
      ADD_FAILURE() << "no error, expected " << want;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(want), std::string::npos) << e.what();
    }
  };
  QuantizeOptions o;
  o.algorithm = "awq";
  fails(o, "algorithm 'awq' needs calibration data");
  o.calibration = feeds(1, 1);
  o.mode = QuantizeOptions::Mode::Dynamic;
  o.bits = 8;
  fails(o, "algorithm 'awq' is for mode 'weight-only'");
  o.mode = QuantizeOptions::Mode::WeightOnly, o.bits = 4;
  o.calibration = {{{"image", feed(1)[0].second}}};
  fails(o, "unknown input 'image'");
  o.calibration = {{{"x", Tensor(DType::Int64, {kRows, kK})}}};
  fails(o, "input 'x': expected float32, got int64");
  o.calibration = {{{"x", Tensor(DType::Float32, {kRows, 3})}}};
  fails(o, "input 'x'");
  QuantizeOptions d;
  d.mode = QuantizeOptions::Mode::Dynamic, d.smooth_quant = true;
  fails(d, "smoothQuant needs calibration data");
  d.calibration = feeds(1, 1), d.smooth_alpha = 1.5;
  fails(d, "smoothQuant.alpha must be in [0, 1]");
  QuantizeOptions w;
  w.smooth_quant = true, w.calibration = feeds(1, 1);
  fails(w, "smoothQuant is for the int8 modes");
}

}  // namespace
}  // namespace qwasm
