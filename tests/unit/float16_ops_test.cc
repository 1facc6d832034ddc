// float16 through ops written for float32 (ops/half_via_float.h) and MatMulNBits with float16
// A / scales / output (the q4f16 form). Expected values are worked by hand (bits from the
// IEEE binary16 layout, round to nearest even).
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "graph/float16.h"
#include "op_test_context.h"
#include "ops/half_via_float.h"

namespace qwasm::test {
namespace {

Tensor f16(const Shape& s, const std::vector<float>& v) {
  Tensor t(DType::Float16, s);
  for (size_t i = 0; i < v.size(); ++i) static_cast<uint16_t*>(t.raw())[i] = float_to_half(v[i]);
  return t;
}
std::vector<uint16_t> bits_of(const Tensor& t) {
  const uint16_t* p = static_cast<const uint16_t*>(t.raw());
  return std::vector<uint16_t>(p, p + t.size());
}

TEST(HalfViaFloat, SimplifiedLayerNormalizationKeepsFloat16AndItsFloatInvStd) {
  Node n = make_node("SimplifiedLayerNormalization", 2, 1, 2);
  set_float(n, "epsilon", 0.0f);
  Tensor x = f16({1, 2}, {3, 4}), g = f16({2}, {1, 1});
  auto y = run_node(n, {&x, &g});
  // rms = sqrt((9 + 16) / 2) = 3.5355339; 3 / rms = 0.8485281 -> 1737.79 / 2048 -> 1738 = 0x3aca;
  // 4 / rms = 1.1313708 -> 1158.52 / 1024 -> 1159 = 0x3c87.
  ASSERT_EQ(y[0].dtype(), DType::Float16);
  EXPECT_EQ(bits_of(y[0]), (std::vector<uint16_t>{0x3aca, 0x3c87}));
  ASSERT_EQ(y[1].dtype(), DType::Float32);  // inv_std_var is typed U = float
  EXPECT_NEAR(y[1].data<float>()[0], 0.28284271f, 1e-7f);
}

TEST(HalfViaFloat, Float32InputsRunTheFloatKernelAsIs) {
  Node n = make_node("SimplifiedLayerNormalization", 2, 1, 1);
  set_float(n, "epsilon", 0.0f);
  Tensor x = f32({1, 2}, {3, 4}), g = f32({2}, {1, 1});
  auto y = run_node(n, {&x, &g});
  ASSERT_EQ(y[0].dtype(), DType::Float32);
  EXPECT_FLOAT_EQ(y[0].data<float>()[1], 4.0f / std::sqrt(12.5f));
}

TEST(HalfViaFloat, HidesHalfConstantsFromTheWrappedFactory) {
  Node n = make_node("AnyFloatOp", 2, 1);
  Tensor h = f16({1}, {1}), f = f32({1}, {1});
  bool saw_half = true, saw_float = false;
  OpFactory inner = [&](const BuildContext& bc) {
    saw_half = bc.const_input(0) != nullptr;
    saw_float = bc.const_input(1) != nullptr;
    return make_fn_kernel([](OpContext&) {});
  };
  BuildContext bc{n, [&](const std::string& name) -> const Tensor* { return name == "x0" ? &h : &f; }};
  half_via_float(inner)(bc);
  EXPECT_FALSE(saw_half);  // so a kernel never packs (or absorbs) a float copy of half weights
  EXPECT_TRUE(saw_float);
}

TEST(HalfViaFloat, SkipSimplifiedLayerNormalizationSumIsFloat16) {
  Node n = make_node("SkipSimplifiedLayerNormalization", 3, 1, 4);
  n.domain = "com.microsoft";
  n.outputs[1] = n.outputs[2] = "";
  set_float(n, "epsilon", 0.0f);
  Tensor x = f16({1, 2}, {1, 3}), skip = f16({1, 2}, {2, 1}), g = f16({2}, {1, 1});
  auto y = run_node(n, {&x, &skip, &g});
  ASSERT_EQ(y[0].dtype(), DType::Float16);
  EXPECT_EQ(bits_of(y[0]), (std::vector<uint16_t>{0x3aca, 0x3c87}));  // the sum is {3, 4} again
  ASSERT_EQ(y[3].dtype(), DType::Float16);
  EXPECT_EQ(bits_of(y[3]), (std::vector<uint16_t>{0x4200, 0x4400}));  // 3.0, 4.0
}

TEST(HalfViaFloat, RotaryEmbeddingInFloat16) {
  Node n = make_node("RotaryEmbedding", 4, 1);
  n.domain = "com.microsoft";
  set_int(n, "num_heads", 1);
  // One head of 2: position 1 has cos 0, sin 1, so (x0, x1) -> (-x1, x0).
  Tensor x = f16({1, 1, 2}, {0.5f, -1.25f}), pos = i64({1});
  Tensor cos = f16({2, 1}, {1, 0}), sin = f16({2, 1}, {0, 1});
  pos = pos.reshaped({1, 1});
  auto y = run_node(n, {&x, &pos, &cos, &sin});
  ASSERT_EQ(y[0].dtype(), DType::Float16);
  EXPECT_EQ(bits_of(y[0]), (std::vector<uint16_t>{0x3d00, 0x3800}));  // 1.25, 0.5
}

// MatMulNBits K = 32, N = 16, 4 bits, no zero points (8): every nibble 9 and every scale 0.5
// make each weight (9 - 8) * 0.5; A = ones, so every output is 32 * 0.5 = 16 (0x4c00).
std::vector<Tensor> nbits_run(DType scale_type, int64_t level, bool constant_weights) {
  Node n = make_node("MatMulNBits", 3, 1);
  n.domain = "com.microsoft";
  set_int(n, "K", 32), set_int(n, "N", 16), set_int(n, "bits", 4), set_int(n, "block_size", 32);
  set_int(n, "accuracy_level", level);
  Tensor a = f16({1, 32}, std::vector<float>(32, 1.0f));
  Tensor b(DType::UInt8, {16, 1, 16});
  std::fill_n(b.data<uint8_t>(), b.size(), uint8_t(0x99));
  Tensor s = scale_type == DType::Float16 ? f16({16}, std::vector<float>(16, 0.5f)) : f32({16}, std::vector<float>(16, 0.5f));
  std::map<std::string, const Tensor*> consts;
  if (constant_weights) consts = {{"x1", &b}, {"x2", &s}};
  BuildContext bc{n, [&](const std::string& name) -> const Tensor* { return consts.count(name) ? consts[name] : nullptr; }};
  auto k = (*OpRegistry::builtin().find(n.domain, n.op_type, 1))(bc);
  TestContext ctx(n, {&a, &b, &s});
  k->compute(ctx);
  return ctx.outs_;
}

TEST(MatMulNBitsFloat16, Float16ScalesPackedOrReadInPlace) {
  for (int64_t level : {0, 4})
    for (bool constant : {true, false})
      for (DType st : {DType::Float16, DType::Float32}) {
        SCOPED_TRACE("level " + std::to_string(level) + (constant ? " packed" : " runtime") + " scales " + dtype_name(st));
        auto y = nbits_run(st, level, constant);
        ASSERT_EQ(y[0].dtype(), DType::Float16);
        EXPECT_EQ(bits_of(y[0]), std::vector<uint16_t>(16, 0x4c00));
      }
}

}  // namespace
}  // namespace qwasm::test
