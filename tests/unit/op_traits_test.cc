// Op traits (graph/op_traits.h) declared at registration (ops/registry.h) and what the
// executor does with never_fold: a node it may fold is computed once at load, one it may
// not runs on every call (seen through the executor's per-op profile).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "graph_test_util.h"
#include "ops/registry.h"
#include "runtime/executor.h"

using namespace qwasm;
using namespace qwasm::test;

namespace {

void nothing(OpContext&) {}

// y = Add(op(constant), x): op's inputs are all constant, so it is folded unless its
// traits forbid it.
Model constant_into_add(const std::string& op) {
  Model m;
  m.opsets[""] = 17;
  Tensor w(DType::UInt8, {4});
  for (int i = 0; i < 4; ++i) w.data<uint8_t>()[i] = uint8_t(10 * i);
  m.graph.initializers["w"] = w;
  m.graph.initializers["s"] = scalar_f(0.5f);
  Node n = op == "Cast" ? make("Cast", {"w"}, {"c"}) : make("DequantizeLinear", {"w", "s"}, {"c"});
  if (op == "Cast") n.attrs["to"] = int_attr(int64_t(DType::Float32));
  m.graph.nodes = {n, make("Add", {"c", "x"}, {"y"})};
  m.graph.inputs = {value("x", DType::Float32, {4})};
  m.graph.outputs = {value("y", DType::Float32, {4})};
  return m;
}

std::vector<float> run_profiled(const std::string& op, Executor::OpProfile& prof) {
  Executor ex(constant_into_add(op), /*optimize=*/false);
  ex.set_profile(&prof);
  Tensor x(DType::Float32, {4});
  for (int i = 0; i < 4; ++i) x.data<float>()[i] = float(i);
  const Tensor y = ex.run({{"x", x}}, {})[0];
  return std::vector<float>(y.data<float>(), y.data<float>() + 4);
}

}  // namespace

TEST(OpTraits, RegistryReturnsTheTraitsOfTheVersionFindPicks) {
  OpRegistry r;
  r.add_fn("", "Op", 5, nothing, kNeverFold);
  r.add_fn("", "Op", 9, nothing);
  EXPECT_FALSE(r.traits("", "Op", 4).never_fold);  // no registration for opset 4
  EXPECT_TRUE(r.traits("", "Op", 5).never_fold);
  EXPECT_TRUE(r.traits("", "Op", 8).never_fold);
  EXPECT_FALSE(r.traits("", "Op", 9).never_fold);
  EXPECT_FALSE(r.traits("", "Unknown", 9).never_fold);
  EXPECT_FALSE(r.traits("com.other", "Op", 9).never_fold);
}

TEST(OpTraits, BuiltinRegistrationsDeclareThem) {
  const OpRegistry& r = OpRegistry::builtin();
  EXPECT_TRUE(r.traits("", "DequantizeLinear", 21).never_fold);
  EXPECT_FALSE(r.traits("", "QuantizeLinear", 21).never_fold);
  EXPECT_FALSE(r.traits("", "Cast", 21).never_fold);
  for (const char* op : {"Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze"})
    EXPECT_TRUE(r.traits("", op, 17).moves_values) << op;
  for (const char* op : {"Add", "Relu", "DequantizeLinear"}) EXPECT_FALSE(r.traits("", op, 17).moves_values) << op;
  // Ops with subgraphs are never folded and forward any value kind; sequence ops take
  // sequences; tensor ops do not.
  for (const char* op : {"If", "Loop", "Scan", "SequenceMap"}) {
    EXPECT_TRUE(r.traits("", op, 17).never_fold) << op;
    EXPECT_TRUE(r.traits("", op, 17).takes_sequences) << op;
  }
  for (const char* op : {"SequenceAt", "SequenceInsert", "ConcatFromSequence", "OptionalHasElement", "Identity"})
    EXPECT_TRUE(r.traits("", op, 17).takes_sequences) << op;
  for (const char* op : {"Add", "Relu", "Concat", "Reshape"}) EXPECT_FALSE(r.traits("", op, 17).takes_sequences) << op;
  // Contrib registrations keep working with the default traits.
  EXPECT_NE(r.find("com.microsoft", "Gelu", 1), nullptr);
  EXPECT_FALSE(r.traits("com.microsoft", "Gelu", 1).never_fold);
}

TEST(OpTraits, NeverFoldKeepsTheNodeForRunTime) {
  // (w * 0.5) + x = {0, 5, 10, 15} + {0, 1, 2, 3}, with or without folding.
  const std::vector<float> expect = {0.0f, 6.0f, 12.0f, 18.0f};
  Executor::OpProfile dq;
  EXPECT_EQ(run_profiled("DequantizeLinear", dq), expect);
  EXPECT_EQ(dq.count("DequantizeLinear"), 1u);
  EXPECT_EQ(dq.count("Add"), 1u);
  // Cast(w) = {0, 10, 20, 30} has no such trait: computed at load, absent at run.
  Executor::OpProfile cast;
  EXPECT_EQ(run_profiled("Cast", cast), (std::vector<float>{0.0f, 11.0f, 22.0f, 33.0f}));
  EXPECT_EQ(cast.count("Cast"), 0u);
  EXPECT_EQ(cast.count("Add"), 1u);
}
