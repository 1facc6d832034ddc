// remove_identities: Identity / inference Dropout / same-type Cast nodes leave the graph,
// and every name the caller or a subgraph reads still holds its value. Expected values are
// hand-worked (Relu, Neg, Mul of small inputs); the structure checks name what must stay.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "graph_test_util.h"
#include "runtime/executor.h"

using namespace qwasm;
using namespace qwasm::test;

namespace {

Tensor vec(std::vector<float> v) {
  Tensor t(DType::Float32, {int64_t(v.size())});
  for (size_t i = 0; i < v.size(); ++i) t.data<float>()[i] = v[i];
  return t;
}
std::vector<float> values(const Tensor& t) {
  EXPECT_EQ(t.dtype(), DType::Float32);
  return std::vector<float>(t.data<float>(), t.data<float>() + t.size());
}
Tensor scalar_bool(bool v) {
  Tensor t(DType::Bool, {});
  t.data<uint8_t>()[0] = v;
  return t;
}
ValueInfo any(const std::string& name) {
  ValueInfo vi;
  vi.name = name;
  return vi;
}
Attribute graph_attr(Graph g) {
  Attribute a;
  a.kind = Attribute::Kind::Graph;
  a.g = std::make_shared<Graph>(std::move(g));
  return a;
}
Model model_of(std::vector<ValueInfo> in, std::vector<ValueInfo> out, std::vector<Node> nodes, int64_t opset = 17) {
  Model m;
  m.opsets[""] = opset;
  m.graph.inputs = std::move(in);
  m.graph.outputs = std::move(out);
  m.graph.nodes = std::move(nodes);
  return m;
}
const ValueInfo kX = value("X", DType::Float32, {3});
const std::vector<float> kIn = {-1.5f, 0.0f, 2.0f};
const std::vector<float> kRelu = {0.0f, 0.0f, 2.0f};

std::vector<Tensor> run(const Model& m, std::vector<std::pair<std::string, Tensor>> feeds) {
  Executor ex(m, true);
  return ex.run(feeds, {});
}

TEST(RemoveIdentities, ChainsGoAndTheGraphOutputKeepsItsName) {
  // X -> Identity a -> Identity b -> Relu r -> Identity Y
  const Model m = model_of({kX}, {value("Y", DType::Float32, {3})},
                           {make("Identity", {"X"}, {"a"}), make("Identity", {"a"}, {"b"}), make("Relu", {"b"}, {"r"}),
                            make("Identity", {"r"}, {"Y"})});
  const Model f = optimized(m);
  ASSERT_EQ(op_types(f), std::vector<std::string>{"Relu"});
  EXPECT_EQ(f.graph.nodes[0].inputs, std::vector<std::string>{"X"});
  EXPECT_EQ(f.graph.nodes[0].outputs, std::vector<std::string>{"Y"});
  EXPECT_EQ(values(run(m, {{"X", vec(kIn)}})[0]), kRelu);
}

TEST(RemoveIdentities, NodesOutOfOrderAndReadersOfTheRenamedValue) {
  // The Identity comes first in the list; r is read by the output Identity and by a Neg.
  const Model m = model_of({kX}, {any("Y"), any("N")},
                           {make("Identity", {"r"}, {"Y"}), make("Neg", {"r"}, {"N"}), make("Relu", {"X"}, {"r"})});
  const Model f = optimized(m);
  ASSERT_EQ(op_types(f), (std::vector<std::string>{"Neg", "Relu"}));
  EXPECT_EQ(f.graph.nodes[0].inputs, std::vector<std::string>{"Y"});
  const auto out = run(m, {{"X", vec(kIn)}});
  EXPECT_EQ(values(out[0]), kRelu);
  EXPECT_EQ(values(out[1]), (std::vector<float>{-0.0f, -0.0f, -2.0f}));
}

TEST(RemoveIdentities, OutputsThatCannotTakeOverTheirInputKeepTheNode) {
  // A graph input straight to an output; an initializer to an output; an output copying
  // another output; two outputs copying one value (the first takes it over).
  Model m = model_of({kX}, {any("Y"), any("C"), any("A"), any("A2"), any("P"), any("Q")},
                     {make("Identity", {"X"}, {"Y"}), make("Identity", {"c"}, {"C"}), make("Relu", {"X"}, {"A"}),
                      make("Identity", {"A"}, {"A2"}), make("Neg", {"X"}, {"n"}), make("Identity", {"n"}, {"P"}),
                      make("Identity", {"n"}, {"Q"})});
  m.graph.initializers["c"] = vec({4.0f});
  const Model f = optimized(m);
  EXPECT_EQ(op_types(f), (std::vector<std::string>{"Identity", "Identity", "Relu", "Identity", "Neg", "Identity"}));
  EXPECT_EQ(f.graph.nodes[4].outputs, std::vector<std::string>{"P"});
  EXPECT_EQ(f.graph.nodes[5].inputs, std::vector<std::string>{"P"});
  const auto out = run(m, {{"X", vec(kIn)}});
  ASSERT_EQ(out.size(), 6u);
  EXPECT_EQ(values(out[0]), kIn);
  EXPECT_EQ(values(out[1]), std::vector<float>{4.0f});
  EXPECT_EQ(values(out[2]), kRelu);
  EXPECT_EQ(values(out[3]), kRelu);
  const std::vector<float> neg = {1.5f, -0.0f, -2.0f};
  EXPECT_EQ(values(out[4]), neg);
  EXPECT_EQ(values(out[5]), neg);
}

// out = cond ? d * d : d, where d = Identity(Neg(X)) is read by both branches from outside
// (the else branch returns it as its output; the then branch through a nested If).
Model if_model() {
  Graph then_inner;
  then_inner.nodes = {make("Mul", {"d", "d"}, {"t"})};
  then_inner.outputs = {any("t")};
  Graph else_inner;
  else_inner.nodes = {make("Mul", {"d", "d"}, {"t2"})};
  else_inner.outputs = {any("t2")};
  Graph then_branch;
  Node inner = make("If", {"cond"}, {"ti"});
  inner.attrs["then_branch"] = graph_attr(then_inner);
  inner.attrs["else_branch"] = graph_attr(else_inner);
  then_branch.nodes = {inner};
  then_branch.outputs = {any("ti")};
  Graph else_branch;
  else_branch.outputs = {any("d")};
  Node n = make("If", {"cond"}, {"out"});
  n.attrs["then_branch"] = graph_attr(then_branch);
  n.attrs["else_branch"] = graph_attr(else_branch);
  return model_of({value("cond", DType::Bool, {}), kX}, {any("out")},
                  {make("Neg", {"X"}, {"n"}), make("Identity", {"n"}, {"d"}), n});
}

TEST(RemoveIdentities, SubgraphsReadingARemovedNameReadItsReplacement) {
  const Model m = if_model();
  const Model f = optimized(m);
  ASSERT_EQ(op_types(f), (std::vector<std::string>{"Neg", "If"}));
  const Graph& then_b = *f.graph.nodes[1].attr("then_branch")->g;
  const Graph& inner = *then_b.nodes[0].attr("then_branch")->g;
  EXPECT_EQ(inner.nodes[0].inputs, (std::vector<std::string>{"n", "n"}));
  EXPECT_EQ(f.graph.nodes[1].attr("else_branch")->g->outputs[0].name, "n");
  // The bodies were copied before the rewrite: the model passed in still reads d.
  EXPECT_EQ(m.graph.nodes[2].attr("else_branch")->g->outputs[0].name, "d");
  EXPECT_EQ((*m.graph.nodes[2].attr("then_branch")->g).nodes[0].attr("then_branch")->g->nodes[0].inputs[0], "d");
  EXPECT_EQ(values(run(m, {{"cond", scalar_bool(true)}, {"X", vec(kIn)}})[0]), (std::vector<float>{2.25f, 0.0f, 4.0f}));
  EXPECT_EQ(values(run(m, {{"cond", scalar_bool(false)}, {"X", vec(kIn)}})[0]), (std::vector<float>{1.5f, -0.0f, -2.0f}));
}

TEST(RemoveIdentities, ABodyDefiningTheReplacementsNameKeepsTheIdentity) {
  // d = Identity(n) is read by a branch that defines an `n` of its own: reading n there
  // would see the branch's value, so d stays.
  Graph then_branch;
  then_branch.nodes = {make("Relu", {"d"}, {"n"}), make("Add", {"n", "d"}, {"t"})};
  then_branch.outputs = {any("t")};
  Graph else_branch;
  else_branch.outputs = {any("d")};
  Node n = make("If", {"cond"}, {"out"});
  n.attrs["then_branch"] = graph_attr(then_branch);
  n.attrs["else_branch"] = graph_attr(else_branch);
  const Model m = model_of({value("cond", DType::Bool, {}), kX}, {any("out")},
                           {make("Neg", {"X"}, {"n"}), make("Identity", {"n"}, {"d"}), n});
  const Model f = optimized(m);
  EXPECT_EQ(op_types(f), (std::vector<std::string>{"Neg", "Identity", "If"}));
  EXPECT_EQ(f.graph.nodes[2].attr("then_branch")->g->nodes[0].inputs[0], "d");
}

TEST(RemoveIdentities, InferenceDropoutGoesTrainingOrMaskStays) {
  auto dropout_model = [](std::vector<std::string> in, std::vector<std::string> out, bool train_input) {
    std::vector<ValueInfo> inputs = {kX};
    if (train_input) inputs.push_back(value("T", DType::Bool, {}));
    Model m = model_of(inputs, {any("Y")}, {make("Dropout", in, out, 13), make("Relu", {"d"}, {"Y"})}, 13);
    Tensor ratio(DType::Float32, {});
    ratio.data<float>()[0] = 0.25f;
    m.graph.initializers["ratio"] = ratio;
    m.graph.initializers["off"] = scalar_bool(false);
    m.graph.initializers["on"] = scalar_bool(true);
    return m;
  };
  for (auto in : {std::vector<std::string>{"X"}, {"X", "ratio"}, {"X", "ratio", "off"}, {"X", "", "off"}}) {
    const Model m = dropout_model(in, {"d"}, false);
    EXPECT_EQ(op_types(optimized(m)), std::vector<std::string>{"Relu"}) << in.size();
    EXPECT_EQ(values(run(m, {{"X", vec(kIn)}})[0]), kRelu);
  }
  EXPECT_EQ(op_types(optimized(dropout_model({"X"}, {"d", ""}, false))), std::vector<std::string>{"Relu"});
  // The mask wanted, training on (a constant or fed at run time): the Dropout runs.
  EXPECT_EQ(op_types(optimized(dropout_model({"X"}, {"d", "mask"}, false))), (std::vector<std::string>{"Dropout", "Relu"}));
  EXPECT_EQ(op_types(optimized(dropout_model({"X", "ratio", "on"}, {"d"}, false))), (std::vector<std::string>{"Dropout", "Relu"}));
  EXPECT_EQ(op_types(optimized(dropout_model({"X", "ratio", "T"}, {"d"}, true))), (std::vector<std::string>{"Dropout", "Relu"}));
  // Opset 7: no training at all.
  Model old = model_of({kX}, {any("Y")}, {make("Dropout", {"X"}, {"d"}, 7), make("Relu", {"d"}, {"Y"}, 7)}, 7);
  EXPECT_EQ(op_types(optimized(old)), std::vector<std::string>{"Relu"});
}

TEST(RemoveIdentities, CastToTheTypeItsProducerFixes) {
  auto cast = [](const std::string& in, const std::string& out, int64_t to) {
    Node n = make("Cast", {in}, {out});
    n.attrs["to"] = int_attr(to);
    return n;
  };
  constexpr int64_t kFloat = 1, kInt64 = 7;
  // Shape -> Cast(int64) -> Y: gone; Shape -> Cast(float): stays.
  const Model s = model_of({kX}, {any("Y")}, {make("Shape", {"X"}, {"s"}), cast("s", "Y", kInt64)});
  EXPECT_EQ(op_types(optimized(s)), std::vector<std::string>{"Shape"});
  const Tensor shape = run(s, {{"X", vec(kIn)}})[0];
  ASSERT_EQ(shape.dtype(), DType::Int64);
  EXPECT_EQ(shape.data<int64_t>()[0], 3);
  EXPECT_EQ(op_types(optimized(model_of({kX}, {any("Y")}, {make("Shape", {"X"}, {"s"}), cast("s", "Y", kFloat)}))),
            (std::vector<std::string>{"Shape", "Cast"}));
  // Cast(float) of a graph input (its type is not checked inside a body) stays; a second
  // Cast(float) after it goes; a Cast(int64) after it stays.
  const ValueInfo xi = value("X", DType::Int64, {2});
  EXPECT_EQ(op_types(optimized(model_of({xi}, {any("Y")}, {cast("X", "c", kFloat), cast("c", "Y", kFloat)}))),
            std::vector<std::string>{"Cast"});
  EXPECT_EQ(op_types(optimized(model_of({xi}, {any("Y")}, {cast("X", "c", kFloat), cast("c", "Y", kInt64)}))),
            (std::vector<std::string>{"Cast", "Cast"}));
}

TEST(RemoveIdentities, AnIdentityInsideAPatternNoLongerHidesIt) {
  // Pow(Identity(x), 2): the Pow reads X after the pass and becomes Mul(X, X).
  Model m = model_of({kX}, {any("Y")}, {make("Identity", {"X"}, {"i"}), make("Pow", {"i", "two"}, {"Y"})});
  Tensor two(DType::Float32, {});
  two.data<float>()[0] = 2.0f;
  m.graph.initializers["two"] = two;
  const Model f = optimized(m);
  ASSERT_EQ(op_types(f), std::vector<std::string>{"Mul"});
  EXPECT_EQ(f.graph.nodes[0].inputs, (std::vector<std::string>{"X", "X"}));
  EXPECT_EQ(values(run(m, {{"X", vec(kIn)}})[0]), (std::vector<float>{2.25f, 0.0f, 4.0f}));
}

}  // namespace
