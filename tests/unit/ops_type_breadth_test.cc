// Element types issue 15 lists beyond what the ONNX 1.12 node tests can check:
// bfloat16 Cast / CastLike with round-to-nearest-even (the 1.12 test data truncates),
// bfloat16 initializers and graph inputs, Pow with unsigned exponents on integer
// bases, int16 / uint16 Max and Min, and float64 through a session. Expected values
// are worked by hand from the bit patterns.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "api/session.h"
#include "graph/float16.h"
#include "onnx.pb.h"
#include "op_test_context.h"

using namespace qwasm;
using namespace qwasm::test;

namespace {

Tensor f32_bits(std::vector<uint32_t> bits) {
  Tensor t(DType::Float32, {int64_t(bits.size())});
  std::memcpy(t.raw(), bits.data(), bits.size() * 4);
  return t;
}

Tensor bf16_bits(std::vector<uint16_t> bits) {
  Tensor t(DType::BFloat16, {int64_t(bits.size())});
  std::memcpy(t.raw(), bits.data(), bits.size() * 2);
  return t;
}

std::vector<uint16_t> u16_of(const Tensor& t) {
  const auto* p = static_cast<const uint16_t*>(t.raw());
  return std::vector<uint16_t>(p, p + t.size());
}

Node cast_to(DType to) {
  Node n = make_node("Cast", 1, 19);
  set_int(n, "to", int64_t(to));
  return n;
}

}  // namespace

TEST(BFloat16, CastFromFloatRoundsToNearestEven) {
  Tensor x = f32_bits({
      0x3f800000,  // 1.0: exact
      0x3f808000,  // halfway between 0x3f80 and 0x3f81: even (0x3f80) wins
      0x3f818000,  // halfway between 0x3f81 and 0x3f82: even (0x3f82) wins
      0x3f808001,  // just above halfway: up
      0x3ef5eeb0,  // 0.48033667 (test_cast_FLOAT_to_BFLOAT16's 2nd value): up to 0x3ef6, truncation gives 0x3ef5
      0x7f7fffff,  // FLT_MAX rounds up to +inf
      0x80000000,  // -0
      0xff800000,  // -inf
  });
  auto y = run_node(cast_to(DType::BFloat16), {&x});
  ASSERT_EQ(y[0].dtype(), DType::BFloat16);
  EXPECT_EQ(u16_of(y[0]),
            (std::vector<uint16_t>{0x3f80, 0x3f80, 0x3f82, 0x3f81, 0x3ef6, 0x7f80, 0x8000, 0xff80}));
  // NaN stays NaN (exponent all ones, mantissa not zero), whatever its payload.
  Tensor nan = f32_bits({0x7fc00000, 0x7f800001, 0xffffffff});
  for (uint16_t b : u16_of(run_node(cast_to(DType::BFloat16), {&nan})[0]))
    EXPECT_TRUE((b & 0x7f80) == 0x7f80 && (b & 0x7f) != 0) << std::hex << b;
}

TEST(BFloat16, CastToOtherTypesIsExact) {
  Tensor x = bf16_bits({0x3ef6, 0xc0a0, 0x4b80, 0x7f80});  // 0.48046875, -5, 2^24, +inf
  auto f = run_node(cast_to(DType::Float32), {&x});
  EXPECT_EQ(f[0].data<float>()[0], 0.48046875f);
  EXPECT_EQ(f[0].data<float>()[1], -5.0f);
  EXPECT_EQ(f[0].data<float>()[2], 16777216.0f);
  EXPECT_TRUE(std::isinf(f[0].data<float>()[3]));
  auto d = run_node(cast_to(DType::Float64), {&x});
  EXPECT_EQ(d[0].data<double>()[0], 0.48046875);
  auto i = run_node(cast_to(DType::Int32), {&x});
  EXPECT_EQ(i[0].data<int32_t>()[1], -5);
  EXPECT_EQ(i[0].data<int32_t>()[2], 16777216);
  // float16 -> bfloat16: 1.5 (0x3e00) is 0x3fc0.
  Tensor h(DType::Float16, {1});
  h.data<uint16_t>()[0] = 0x3e00;
  EXPECT_EQ(u16_of(run_node(cast_to(DType::BFloat16), {&h})[0]), (std::vector<uint16_t>{0x3fc0}));
}

TEST(BFloat16, CastLikeTakesTheTypeOfTheSecondInput) {
  Tensor x = f32_bits({0x3f818000, 0x40490fdb});  // tie -> 0x3f82; pi -> 0x4049 (0x0fdb < half)
  Tensor like = bf16_bits({0});
  Node n = make_node("CastLike", 2, 19);
  auto y = run_node(n, {&x, &like});
  ASSERT_EQ(y[0].dtype(), DType::BFloat16);
  EXPECT_EQ(u16_of(y[0]), (std::vector<uint16_t>{0x3f82, 0x4049}));
  Tensor back_like(DType::Float32, {1});
  auto z = run_node(n, {&y[0], &back_like});
  ASSERT_EQ(z[0].dtype(), DType::Float32);
  EXPECT_EQ(z[0].data<float>()[1], 3.140625f);
}

TEST(BFloat16, InitializersAndInputsThroughASession) {
  // y = Cast<float>(w) + Cast<float>(x), w a bfloat16 initializer in raw_data or int32_data.
  for (bool raw : {true, false}) {
    onnx::ModelProto m;
    m.set_ir_version(8);
    auto* op = m.add_opset_import();
    op->set_version(19);
    auto* g = m.mutable_graph();
    auto* w = g->add_initializer();
    w->set_name("w");
    w->set_data_type(onnx::TensorProto::BFLOAT16);
    w->add_dims(2);
    const uint16_t wb[2] = {0x3f80, 0xc0a0};  // 1, -5
    if (raw) w->set_raw_data(std::string(reinterpret_cast<const char*>(wb), 4));
    else w->add_int32_data(wb[0]), w->add_int32_data(wb[1]);
    auto* in = g->add_input();
    in->set_name("x");
    in->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::BFLOAT16);
    in->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(2);
    g->add_output()->set_name("y");
    for (const char* v : {"w", "x"}) {
      auto* c = g->add_node();
      c->set_op_type("Cast");
      c->add_input(v);
      c->add_output(std::string(v) + "_f");
      auto* a = c->add_attribute();
      a->set_name("to");
      a->set_type(onnx::AttributeProto::INT);
      a->set_i(onnx::TensorProto::FLOAT);
    }
    auto* add = g->add_node();
    add->set_op_type("Add");
    add->add_input("w_f");
    add->add_input("x_f");
    add->add_output("y");
    const std::string bytes = m.SerializeAsString();
    auto s = Session::create(bytes.data(), bytes.size(), {});
    EXPECT_EQ(s->inputs().at(0).dtype, DType::BFloat16);
    auto y = s->run({{"x", bf16_bits({0x4040, 0x3f00})}});  // 3, 0.5
    ASSERT_EQ(y[0].dtype(), DType::Float32);
    EXPECT_EQ(y[0].data<float>()[0], 4.0f) << (raw ? "raw_data" : "int32_data");
    EXPECT_EQ(y[0].data<float>()[1], -4.5f) << (raw ? "raw_data" : "int32_data");
  }
}

TEST(TypeBreadth, PowWithUnsignedExponents) {
  Node n = make_node("Pow", 2, 15);
  Tensor base = i32({2, 3, -2, 5});
  Tensor e8 = tensor_of<uint8_t>(DType::UInt8, {4}, {3, 2, 3, 0});
  auto y = run_node(n, {&base, &e8});
  ASSERT_EQ(y[0].dtype(), DType::Int32);
  EXPECT_EQ(std::vector<int32_t>(y[0].data<int32_t>(), y[0].data<int32_t>() + 4), (std::vector<int32_t>{8, 9, -8, 1}));
  Tensor b64 = i64({10, -3});
  Tensor e64 = tensor_of<uint64_t>(DType::UInt64, {2}, {18, 3});
  y = run_node(n, {&b64, &e64});
  EXPECT_EQ(y[0].data<int64_t>()[0], 1000000000000000000);
  EXPECT_EQ(y[0].data<int64_t>()[1], -27);
  Tensor fb = f32({2}, {2.0f, 9.0f});
  Tensor e32 = tensor_of<uint32_t>(DType::UInt32, {2}, {10, 1});
  y = run_node(n, {&fb, &e32});
  EXPECT_EQ(y[0].data<float>()[0], 1024.0f);
  EXPECT_EQ(y[0].data<float>()[1], 9.0f);
  Tensor e16 = tensor_of<uint16_t>(DType::UInt16, {1}, {3});  // broadcast exponent
  y = run_node(n, {&base, &e16});
  EXPECT_EQ(y[0].data<int32_t>()[2], -8);
}

TEST(TypeBreadth, MaxMinOnInt16AndUInt16) {
  Tensor a = tensor_of<int16_t>(DType::Int16, {3}, {-32768, 5, 7});
  Tensor b = tensor_of<int16_t>(DType::Int16, {1}, {6});
  auto mx = run_node(make_node("Max", 2, 13), {&a, &b});
  auto mn = run_node(make_node("Min", 2, 13), {&a, &b});
  ASSERT_EQ(mx[0].dtype(), DType::Int16);
  EXPECT_EQ(std::vector<int16_t>(mx[0].data<int16_t>(), mx[0].data<int16_t>() + 3), (std::vector<int16_t>{6, 6, 7}));
  EXPECT_EQ(std::vector<int16_t>(mn[0].data<int16_t>(), mn[0].data<int16_t>() + 3),
            (std::vector<int16_t>{-32768, 5, 6}));
  Tensor u = tensor_of<uint16_t>(DType::UInt16, {3}, {65535, 0, 3});
  Tensor v = tensor_of<uint16_t>(DType::UInt16, {1}, {4});
  mx = run_node(make_node("Max", 2, 13), {&u, &v});
  mn = run_node(make_node("Min", 2, 13), {&u, &v});
  ASSERT_EQ(mx[0].dtype(), DType::UInt16);
  EXPECT_EQ(u16_of(mx[0]), (std::vector<uint16_t>{65535, 4, 4}));
  EXPECT_EQ(u16_of(mn[0]), (std::vector<uint16_t>{4, 0, 3}));
}

TEST(TypeBreadth, Float64KeepsDoublePrecisionThroughASession) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(17);
  auto* g = m.mutable_graph();
  for (const char* v : {"a", "b"}) {
    auto* in = g->add_input();
    in->set_name(v);
    in->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::DOUBLE);
  }
  auto* out = g->add_output();
  out->set_name("y");
  out->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::DOUBLE);
  auto* add = g->add_node();
  add->set_op_type("Add");
  add->add_input("a");
  add->add_input("b");
  add->add_output("y");
  const std::string bytes = m.SerializeAsString();
  auto s = Session::create(bytes.data(), bytes.size(), {});
  EXPECT_EQ(s->inputs().at(0).dtype, DType::Float64);
  Tensor a(DType::Float64, {2}), b(DType::Float64, {2});
  a.data<double>()[0] = 0.1, b.data<double>()[0] = 0.2;
  a.data<double>()[1] = 1e300, b.data<double>()[1] = 1e300;  // beyond float32's range
  auto y = s->run({{"a", a}, {"b", b}});
  ASSERT_EQ(y[0].dtype(), DType::Float64);
  EXPECT_EQ(y[0].data<double>()[0], 0.30000000000000004);  // the double sum, not a float32 one
  EXPECT_EQ(y[0].data<double>()[1], 2e300);
}
