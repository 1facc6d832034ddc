// The elementwise family's type plumbing (elementwise_types.h, cast.cc): Cast between
// every pair of types against a direct scalar conversion written here (the kernel goes
// through a wide intermediate type), float16 ops computed in float32, the plain loops
// of the rare types (int16, uint32, float64 ...) against a scalar reference, and Pow's
// exponent widening.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "graph/float16.h"
#include "op_test_context.h"

using namespace qwasm;

namespace {

Node node(const std::string& op, size_t n_in) { return test::make_node(op, n_in, 21); }
Tensor run(const Node& n, std::vector<const Tensor*> ins) { return test::run_node(n, std::move(ins))[0]; }
Tensor run(const std::string& op, std::vector<const Tensor*> ins) { return run(node(op, ins.size()), ins); }

using test::values_of;

// Source values for Cast: in range, fractional, out of every integer range, NaN, infinities.
const std::vector<double> kValues = {0,     1,     -1,     2.9,   -2.9,   127.5, 200,     -129,   300,  -300,
                                     40000, -40000, 3e9,   -3e9,  1e19,   -1e19, 6.5e4,   1e-3,   65504};

// The direct conversion Cast specifies (the rules in cast.cc's header), from value v of a
// float type: truncate toward zero, saturate, NaN -> 0; bool is v != 0.
template <typename D> D direct_from_float(double v) {
  if constexpr (std::is_same_v<D, bool>) return v != 0;
  else if constexpr (std::is_floating_point_v<D>) return D(v);
  else {
    if (std::isnan(v)) return 0;
    if (v <= double(std::numeric_limits<D>::lowest())) return std::numeric_limits<D>::lowest();
    if (v >= double(std::numeric_limits<D>::max())) return std::numeric_limits<D>::max();
    return D(v);
  }
}

template <typename T> constexpr DType dtype_of() { return DTypeOf<T>::value; }

template <typename T> using Bytes = std::conditional_t<std::is_same_v<T, bool>, uint8_t, T>;

Tensor cast(const Tensor& x, DType to) {
  Node n = node("Cast", 1);
  n.attrs["to"].kind = Attribute::Kind::Int;
  n.attrs["to"].i = int64_t(to);
  return run(n, {&x});
}

// Source S's values: the float list converted directly (so integer sources hold their own
// saturated values), then every destination D against the direct S -> D conversion.
template <typename S, typename D> void check_pair() {
  std::vector<Bytes<S>> src;
  for (double v : kValues) src.push_back(Bytes<S>(direct_from_float<S>(v)));
  if constexpr (std::is_floating_point_v<S>) {
    src.push_back(S(std::numeric_limits<double>::quiet_NaN()));
    src.push_back(S(std::numeric_limits<double>::infinity()));
    src.push_back(S(-std::numeric_limits<double>::infinity()));
  }
  if constexpr (std::is_integral_v<S> && !std::is_same_v<S, bool>) {
    src.push_back(std::numeric_limits<S>::max());
    src.push_back(std::numeric_limits<S>::lowest());
  }
  const Tensor x = test::tensor_from_bytes(dtype_of<S>(), {int64_t(src.size())}, src);
  const std::vector<Bytes<D>> got = values_of<Bytes<D>>(cast(x, dtype_of<D>()));
  for (size_t i = 0; i < src.size(); ++i) {
    Bytes<D> want;
    if constexpr (std::is_floating_point_v<S>) want = Bytes<D>(direct_from_float<D>(double(src[i])));
    else if constexpr (std::is_same_v<D, bool>) want = src[i] != 0;
    else want = D(S(src[i]));  // integer -> integer wraps; integer -> float rounds once
    if constexpr (std::is_floating_point_v<D>)
      if (std::isnan(want)) { EXPECT_TRUE(std::isnan(got[i])); continue; }
    EXPECT_EQ(got[i], want) << dtype_name(dtype_of<S>()) << " -> " << dtype_name(dtype_of<D>()) << " element " << i;
  }
}

template <typename S> void check_from() {
  check_pair<S, float>(); check_pair<S, double>(); check_pair<S, int8_t>(); check_pair<S, uint8_t>();
  check_pair<S, int16_t>(); check_pair<S, uint16_t>(); check_pair<S, int32_t>(); check_pair<S, uint32_t>();
  check_pair<S, int64_t>(); check_pair<S, uint64_t>(); check_pair<S, bool>();
}

}  // namespace

TEST(ElementwiseTypes, CastEveryPairMatchesTheDirectConversion) {
  check_from<float>(); check_from<double>(); check_from<int8_t>(); check_from<uint8_t>();
  check_from<int16_t>(); check_from<uint16_t>(); check_from<int32_t>(); check_from<uint32_t>();
  check_from<int64_t>(); check_from<uint64_t>(); check_from<bool>();
}

TEST(ElementwiseTypes, CastKeepsInt64AndUInt64Exact) {
  // Values a float64 intermediate would round: the integer path must not go through it.
  const std::vector<int64_t> big = {(int64_t(1) << 53) + 1, std::numeric_limits<int64_t>::max(), -(int64_t(1) << 60) - 3};
  EXPECT_EQ(values_of<int64_t>(cast(cast(test::tensor_from_bytes(DType::Int64, {3}, big), DType::UInt64), DType::Int64)), big);
  const std::vector<uint64_t> ubig = {std::numeric_limits<uint64_t>::max(), (uint64_t(1) << 63) + 5};
  EXPECT_EQ(values_of<int64_t>(cast(test::tensor_from_bytes(DType::UInt64, {2}, ubig), DType::Int64)),
            (std::vector<int64_t>{-1, std::numeric_limits<int64_t>::min() + 5}));
}

TEST(ElementwiseTypes, CastFloat16AndBFloat16) {
  const std::vector<uint16_t> h = {float_to_half(1.5f), float_to_half(-300.0f), float_to_half(65504.0f)};
  const Tensor x = test::tensor_from_bytes(DType::Float16, {3}, h);
  EXPECT_EQ(values_of<int8_t>(cast(x, DType::Int8)), (std::vector<int8_t>{1, -128, 127}));
  EXPECT_EQ(values_of<double>(cast(x, DType::Float64)), (std::vector<double>{1.5, -300, 65504}));
  const Tensor b = cast(x, DType::BFloat16);
  EXPECT_EQ(values_of<uint16_t>(b)[0], float_to_bfloat16(1.5f));
  const Tensor i = test::tensor_from_bytes(DType::Int32, {2}, std::vector<int32_t>{7, -2049});
  const std::vector<uint16_t> hi = values_of<uint16_t>(cast(i, DType::Float16));
  EXPECT_EQ(half_to_float(hi[0]), 7.0f);
  EXPECT_EQ(half_to_float(hi[1]), half_to_float(float_to_half(-2049.0f)));  // rounds once
}

// Rare element types take the plain loops: results against a scalar reference, with
// broadcasting, for arithmetic, comparisons, Min/Max/Sum and unary ops.
template <typename T> void check_rare_type(DType dt) {
  const std::vector<T> av = {T(7), T(100), T(3), T(250), T(1), T(0)};
  const std::vector<T> bv = {T(2), T(9), T(0)};
  const Tensor a = test::tensor_from_bytes(dt, {2, 3}, av), b = test::tensor_from_bytes(dt, {3}, bv);
  const auto at = [&](size_t i) { return av[i]; };
  const auto bt = [&](size_t i) { return bv[i % 3]; };
  const std::vector<T> add = values_of<T>(run("Add", {&a, &b})), mul = values_of<T>(run("Mul", {&a, &b}));
  const std::vector<T> sub = values_of<T>(run("Sub", {&a, &b})), div = values_of<T>(run("Div", {&a, &b}));
  const std::vector<T> mx = values_of<T>(run("Max", {&a, &b})), sum = values_of<T>(run("Sum", {&a, &b, &b}));
  const std::vector<uint8_t> less = values_of<uint8_t>(run("Less", {&a, &b}));
  for (size_t i = 0; i < 6; ++i) {
    const std::string where = std::string(dtype_name(dt)) + " element " + std::to_string(i);
    EXPECT_EQ(add[i], T(at(i) + bt(i))) << where;
    EXPECT_EQ(mul[i], T(at(i) * bt(i))) << where;
    EXPECT_EQ(sub[i], T(at(i) - bt(i))) << where;
    if constexpr (std::is_integral_v<T>) EXPECT_EQ(div[i], bt(i) == 0 ? T(0) : T(at(i) / bt(i))) << where;
    else if (bt(i) == 0 && at(i) == 0) EXPECT_TRUE(std::isnan(div[i])) << where;  // 0 / 0
    else EXPECT_EQ(div[i], T(at(i) / bt(i))) << where;
    EXPECT_EQ(mx[i], std::max(at(i), bt(i))) << where;
    EXPECT_EQ(sum[i], T(at(i) + bt(i) + bt(i))) << where;
    EXPECT_EQ(less[i], at(i) < bt(i)) << where;
  }
  EXPECT_EQ(values_of<T>(run("Max", {&a})), av);  // a single input is copied
  if constexpr (std::is_signed_v<T>) EXPECT_EQ(values_of<T>(run("Neg", {&b})), (std::vector<T>{T(-2), T(-9), T(0)}));
}

TEST(ElementwiseTypes, RareTypesMatchTheScalarReference) {
  check_rare_type<int16_t>(DType::Int16);
  check_rare_type<uint16_t>(DType::UInt16);
  check_rare_type<uint32_t>(DType::UInt32);
  check_rare_type<uint64_t>(DType::UInt64);
  check_rare_type<double>(DType::Float64);
}

TEST(ElementwiseTypes, Float16OpsRoundOnceFromFloat32) {
  const std::vector<float> xf = {1.1f, -2.3f, 0.7f, 3.3f};
  std::vector<uint16_t> xh;
  for (float v : xf) xh.push_back(float_to_half(v));
  const Tensor x = test::tensor_from_bytes(DType::Float16, {2, 2}, xh), y = test::tensor_from_bytes(DType::Float16, {2}, std::vector<uint16_t>(xh.begin(), xh.begin() + 2));
  const std::vector<uint16_t> mul = values_of<uint16_t>(run("Mul", {&x, &y}));
  const std::vector<uint16_t> sq = values_of<uint16_t>(run("Sqrt", {&y}));
  const std::vector<uint8_t> ge = values_of<uint8_t>(run("GreaterOrEqual", {&x, &y}));
  for (size_t i = 0; i < 4; ++i) {
    const float a = half_to_float(xh[i]), b = half_to_float(xh[i % 2]);
    EXPECT_EQ(mul[i], float_to_half(a * b)) << i;
    EXPECT_EQ(ge[i], a >= b) << i;
  }
  EXPECT_EQ(sq[0], float_to_half(std::sqrt(half_to_float(xh[0]))));
  EXPECT_TRUE(std::isnan(half_to_float(sq[1])));
  EXPECT_THROW(run("BitwiseAnd", {&x, &x}), Error);  // an integer op refuses float16 by name
}

TEST(ElementwiseTypes, PowWidensExponentsAndRefusesOtherBases) {
  const Tensor base = test::tensor_from_bytes(DType::Int64, {3}, std::vector<int64_t>{3, -2, 10});
  const Tensor e16 = test::tensor_from_bytes(DType::Int16, {3}, std::vector<int16_t>{4, 3, -1});
  EXPECT_EQ(values_of<int64_t>(run("Pow", {&base, &e16})), (std::vector<int64_t>{81, -8, 0}));
  const Tensor ed = test::tensor_from_bytes(DType::Float64, {3}, std::vector<double>{0.5, 2, 1});
  const Tensor fb = test::tensor_from_bytes(DType::Float32, {3}, std::vector<float>{9, 1.5f, -4});
  EXPECT_EQ(values_of<float>(run("Pow", {&fb, &ed})), (std::vector<float>{3, 2.25f, -4}));
  const Tensor eh = test::tensor_from_bytes(DType::Float16, {1}, std::vector<uint16_t>{float_to_half(3.0f)});
  EXPECT_EQ(values_of<float>(run("Pow", {&fb, &eh})), (std::vector<float>{729, 3.375f, -64}));
  const Tensor i8 = test::tensor_from_bytes(DType::Int8, {1}, std::vector<int8_t>{2});
  try {
    run("Pow", {&i8, &e16});
    FAIL() << "expected a type error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("int8"), std::string::npos) << e.what();
  }
  const Tensor eb = test::tensor_from_bytes(DType::Bool, {1}, std::vector<uint8_t>{1});
  EXPECT_THROW(run("Pow", {&fb, &eb}), Error);
}
