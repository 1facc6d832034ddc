// If, Loop and Scan through the executor (they need its subgraph factory), with
// hand-worked expectations: outer-scope reads (nested too), changing shapes,
// scan directions / axes, the documented limits and body errors naming the node.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "graph_test_util.h"
#include "op_test_context.h"
#include "runtime/executor.h"

namespace qwasm::test {
namespace {

Attribute graph_attr(Graph g) {
  Attribute a;
  a.kind = Attribute::Kind::Graph;
  a.g = std::make_shared<Graph>(std::move(g));
  return a;
}

ValueInfo any(const std::string& name) {
  ValueInfo vi;
  vi.name = name;
  return vi;
}

Tensor scalar_bool(bool v) {
  Tensor t(DType::Bool, {});
  t.data<bool>()[0] = v;
  return t;
}
Tensor scalar_i64(int64_t v) {
  Tensor t(DType::Int64, {});
  t.data<int64_t>()[0] = v;
  return t;
}

std::vector<float> values(const Tensor& t) {
  EXPECT_EQ(t.dtype(), DType::Float32);
  return std::vector<float>(t.data<float>(), t.data<float>() + t.size());
}

Model model_of(Graph g) {
  Model m;
  m.opsets[""] = 17;
  m.graph = std::move(g);
  return m;
}

// A branch computing `op`(a, b) into `out`.
Graph binary_branch(const std::string& op, const std::string& a, const std::string& b, const std::string& out) {
  Graph g;
  g.nodes.push_back(make(op, {a, b}, {out}));
  g.outputs.push_back(any(out));
  return g;
}

std::string error_of(Executor& ex, const std::vector<std::pair<std::string, Tensor>>& feeds) {
  try {
    ex.run(feeds, {});
  } catch (const std::exception& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

// out = cond ? (x + x) * x : (x + x) - x; both branches read d = x + x and x from outside.
TEST(ControlFlow, IfReadsOuterValues) {
  Graph g;
  g.inputs = {value("cond", DType::Bool, {}), value("x", DType::Float32, {2})};
  g.nodes.push_back(make("Add", {"x", "x"}, {"d"}));
  Node n = make("If", {"cond"}, {"out"});
  n.name = "if1";
  n.attrs["then_branch"] = graph_attr(binary_branch("Mul", "d", "x", "t"));
  n.attrs["else_branch"] = graph_attr(binary_branch("Sub", "d", "x", "e"));
  g.nodes.push_back(n);
  g.outputs = {any("out")};
  Executor ex(model_of(g));
  EXPECT_EQ(values(ex.run({{"cond", scalar_bool(true)}, {"x", f32({2}, {1, 2})}}, {})[0]),
            (std::vector<float>{2, 8}));
  EXPECT_EQ(values(ex.run({{"cond", scalar_bool(false)}, {"x", f32({2}, {1, 2})}}, {})[0]),
            (std::vector<float>{1, 2}));
}

// A branch reading an initializer of the outer graph: w = [10, 20], out = x + w or x - w.
TEST(ControlFlow, BranchReadsOuterInitializer) {
  Graph g;
  g.inputs = {value("cond", DType::Bool, {}), value("x", DType::Float32, {2})};
  g.initializers["w"] = f32({2}, {10, 20});
  Node n = make("If", {"cond"}, {"out"});
  n.attrs["then_branch"] = graph_attr(binary_branch("Add", "x", "w", "t"));
  n.attrs["else_branch"] = graph_attr(binary_branch("Sub", "x", "w", "e"));
  g.nodes.push_back(n);
  g.outputs = {any("out")};
  Executor ex(model_of(g));
  for (int run = 0; run < 2; ++run) {  // the initializer survives the first run
    EXPECT_EQ(values(ex.run({{"cond", scalar_bool(true)}, {"x", f32({2}, {1, 2})}}, {})[0]),
              (std::vector<float>{11, 22}));
    EXPECT_EQ(values(ex.run({{"cond", scalar_bool(false)}, {"x", f32({2}, {1, 2})}}, {})[0]),
              (std::vector<float>{-9, -18}));
  }
}

TEST(ControlFlow, UnsupportedOpInABranchNamesTheIfAtLoad) {
  Graph g;
  g.inputs = {value("cond", DType::Bool, {}), value("x", DType::Float32, {2})};
  Node n = make("If", {"cond"}, {"out"});
  n.name = "if1";
  Graph bad;
  bad.nodes.push_back(make("NoSuchOp", {"x"}, {"t"}));
  bad.outputs = {any("t")};
  n.attrs["then_branch"] = graph_attr(bad);
  n.attrs["else_branch"] = graph_attr(binary_branch("Sub", "x", "x", "e"));
  g.nodes.push_back(n);
  g.outputs = {any("out")};
  try {
    Executor ex(model_of(g));
    ADD_FAILURE() << "loaded";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("If node 'if1' > then_branch: unsupported operator ai.onnx::NoSuchOp"),
              std::string::npos)
        << e.what();
  }
}

TEST(ControlFlow, BranchReadingAnUndefinedNameIsRefusedAtLoad) {
  Graph g;
  g.inputs = {value("cond", DType::Bool, {}), value("x", DType::Float32, {2})};
  Node n = make("If", {"cond"}, {"out"});
  n.name = "if1";
  n.attrs["then_branch"] = graph_attr(binary_branch("Add", "x", "nowhere", "t"));
  n.attrs["else_branch"] = graph_attr(binary_branch("Sub", "x", "x", "e"));
  g.nodes.push_back(n);
  g.outputs = {any("out")};
  try {
    Executor ex(model_of(g));
    ADD_FAILURE() << "loaded";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("If node 'if1': input 'nowhere' is not produced"), std::string::npos)
        << e.what();
  }
}

TEST(ControlFlow, ErrorInsideABranchNamesTheIf) {
  Graph g;
  g.inputs = {value("cond", DType::Bool, {}), value("x", DType::Float32, {2}), value("y", DType::Float32, {3})};
  Node n = make("If", {"cond"}, {"out"});
  n.name = "if1";
  n.attrs["then_branch"] = graph_attr(binary_branch("Add", "x", "y", "t"));
  n.attrs["else_branch"] = graph_attr(binary_branch("Sub", "x", "x", "e"));
  g.nodes.push_back(n);
  g.outputs = {any("out")};
  Executor ex(model_of(g));
  const std::string m =
      error_of(ex, {{"cond", scalar_bool(true)}, {"x", f32({2}, {1, 2})}, {"y", f32({3}, {1, 2, 3})}});
  EXPECT_NE(m.find("If node 'if1' > then_branch: Add node 'Add_t'"), std::string::npos) << m;
  // The session stays usable: the other branch runs.
  auto out = ex.run({{"cond", scalar_bool(false)}, {"x", f32({2}, {1, 2})}, {"y", f32({3}, {1, 2, 3})}}, {});
  EXPECT_EQ(values(out[0]), (std::vector<float>{0, 0}));
}

// A branch that failed mid-run runs again (its reused value table went with the error),
// and repeated runs give the same values (nothing of one run leaks into the next).
TEST(ControlFlow, BranchRunsAgainAfterAnError) {
  Graph g;
  g.inputs = {value("cond", DType::Bool, {}), value("x", DType::Float32, {2}), any("y")};
  Node n = make("If", {"cond"}, {"out"});
  n.name = "if1";
  n.attrs["then_branch"] = graph_attr(binary_branch("Add", "x", "y", "t"));
  n.attrs["else_branch"] = graph_attr(binary_branch("Sub", "x", "x", "e"));
  g.nodes.push_back(n);
  g.outputs = {any("out")};
  Executor ex(model_of(g));
  const std::string m =
      error_of(ex, {{"cond", scalar_bool(true)}, {"x", f32({2}, {1, 2})}, {"y", f32({3}, {1, 2, 3})}});
  EXPECT_NE(m.find("If node 'if1' > then_branch: Add node 'Add_t'"), std::string::npos) << m;
  for (int i = 0; i < 2; ++i) {
    auto out = ex.run({{"cond", scalar_bool(true)}, {"x", f32({2}, {1, 2})}, {"y", f32({2}, {10, 20})}}, {});
    EXPECT_EQ(values(out[0]), (std::vector<float>{11, 22}));
  }
}

// Loop body: acc = flag ? acc * scale : acc + scale, through an If nested in the body
// that reads acc (the body's value) and scale / flag (the outer-outer graph's inputs).
Graph nested_if_loop() {
  Graph body;
  body.inputs = {value("i", DType::Int64, {}), value("c", DType::Bool, {}), any("acc")};
  body.nodes.push_back(make("Identity", {"c"}, {"c_out"}));
  Node inner = make("If", {"flag"}, {"acc_out"});
  inner.name = "inner_if";
  inner.attrs["then_branch"] = graph_attr(binary_branch("Mul", "acc", "scale", "m"));
  inner.attrs["else_branch"] = graph_attr(binary_branch("Add", "acc", "scale", "a"));
  body.nodes.push_back(inner);
  body.nodes.push_back(make("Identity", {"acc_out"}, {"acc_scan"}));
  body.outputs = {any("c_out"), any("acc_out"), any("acc_scan")};

  Graph g;
  g.inputs = {value("M", DType::Int64, {}), value("flag", DType::Bool, {}), value("base", DType::Float32, {1}),
              value("scale", DType::Float32, {1})};
  Node loop = make("Loop", {"M", "", "base"}, {"final", "stacked"});
  loop.name = "loop1";
  loop.attrs["body"] = graph_attr(body);
  g.nodes.push_back(loop);
  g.outputs = {any("final"), any("stacked")};
  return g;
}

// The same with scale an initializer of the outer graph: it reaches the nested If as a
// constant of the Loop body's executor, then of the branch's.
TEST(ControlFlow, NestedIfInLoopReadsOuterOuterConstant) {
  Graph g = nested_if_loop();
  g.inputs.pop_back();  // scale
  g.initializers["scale"] = f32({1}, {3});
  Executor ex(model_of(g));
  for (int run = 0; run < 2; ++run) {
    auto mul = ex.run({{"M", scalar_i64(2)}, {"flag", scalar_bool(true)}, {"base", f32({1}, {1})}}, {});
    EXPECT_EQ(values(mul[0]), (std::vector<float>{9}));  // 1 * 3 * 3
    auto add = ex.run({{"M", scalar_i64(2)}, {"flag", scalar_bool(false)}, {"base", f32({1}, {1})}}, {});
    EXPECT_EQ(values(add[1]), (std::vector<float>{4, 7}));  // 1 + 3, + 3
  }
}

TEST(ControlFlow, NestedIfInLoopReadsOuterOuterValue) {
  Executor ex(model_of(nested_if_loop()));
  auto feeds = [](bool flag) {
    return std::vector<std::pair<std::string, Tensor>>{
        {"M", scalar_i64(3)}, {"flag", scalar_bool(flag)}, {"base", f32({1}, {1})}, {"scale", f32({1}, {2})}};
  };
  auto mul = ex.run(feeds(true), {});
  EXPECT_EQ(values(mul[0]), (std::vector<float>{8}));  // 1 * 2 * 2 * 2
  EXPECT_EQ(mul[1].shape(), (Shape{3, 1}));
  EXPECT_EQ(values(mul[1]), (std::vector<float>{2, 4, 8}));
  auto add = ex.run(feeds(false), {});
  EXPECT_EQ(values(add[0]), (std::vector<float>{7}));  // 1 + 2 + 2 + 2
  EXPECT_EQ(values(add[1]), (std::vector<float>{3, 5, 7}));
  // Zero iterations: the initial value passes through, the scan output is empty.
  auto none = ex.run({{"M", scalar_i64(0)}, {"flag", scalar_bool(true)}, {"base", f32({1}, {1})},
                      {"scale", f32({1}, {2})}},
                     {});
  EXPECT_EQ(values(none[0]), (std::vector<float>{1}));
  EXPECT_EQ(none[1].shape(), (Shape{0}));
}

// v = Concat(v, v): the carried value doubles each iteration.
Graph doubling_loop(bool scan_v) {
  Graph body;
  body.inputs = {value("i", DType::Int64, {}), value("c", DType::Bool, {}), value("v", DType::Float32, {2})};
  body.nodes.push_back(make("Identity", {"c"}, {"c_out"}));
  Node cat = make("Concat", {"v", "v"}, {"v_out"});
  cat.attrs["axis"] = int_attr(0);
  body.nodes.push_back(cat);
  body.outputs = {any("c_out"), any("v_out")};
  if (scan_v) body.outputs.push_back(any("v_out"));
  Graph g;
  g.inputs = {value("M", DType::Int64, {}), value("v0", DType::Float32, {2})};
  Node loop = make("Loop", {"M", "", "v0"}, scan_v ? std::vector<std::string>{"v", "vs"} : std::vector<std::string>{"v"});
  loop.name = "grow";
  loop.attrs["body"] = graph_attr(body);
  g.nodes.push_back(loop);
  g.outputs = {any("v")};
  if (scan_v) g.outputs.push_back(any("vs"));
  return g;
}

TEST(ControlFlow, LoopCarriedValueChangesShape) {
  Executor ex(model_of(doubling_loop(false)));
  auto out = ex.run({{"M", scalar_i64(3)}, {"v0", f32({2}, {1, 2})}}, {});
  ASSERT_EQ(out[0].shape(), (Shape{16}));
  for (int64_t i = 0; i < 16; ++i) EXPECT_EQ(out[0].data<float>()[i], i % 2 ? 2.0f : 1.0f);
}

TEST(ControlFlow, LoopScanOutputOfChangingShapeIsRefused) {
  Executor ex(model_of(doubling_loop(true)));
  const std::string m = error_of(ex, {{"M", scalar_i64(2)}, {"v0", f32({2}, {1, 2})}});
  EXPECT_NE(m.find("Loop node 'grow'"), std::string::npos) << m;
  EXPECT_NE(m.find("in iteration 1"), std::string::npos) << m;
}

// A Loop with no trip count whose body never clears cond.
Graph runaway_loop(bool with_scan) {
  Graph body;
  body.inputs = {value("i", DType::Int64, {}), value("c", DType::Bool, {}), value("v", DType::Float32, {1024})};
  body.nodes.push_back(make("Identity", {"c"}, {"c_out"}));
  body.nodes.push_back(make("Identity", {"v"}, {"v_out"}));
  body.outputs = {any("c_out"), any("v_out")};
  if (with_scan) body.outputs.push_back(any("v_out"));
  Graph g;
  g.inputs = {value("cond", DType::Bool, {}), value("v0", DType::Float32, {1024})};
  Node loop = make("Loop", {"", "cond", "v0"}, with_scan ? std::vector<std::string>{"v", "vs"}
                                                           : std::vector<std::string>{"v"});
  loop.name = "forever";
  loop.attrs["body"] = graph_attr(body);
  g.nodes.push_back(loop);
  g.outputs = {any("v")};
  if (with_scan) g.outputs.push_back(any("vs"));
  return g;
}

TEST(ControlFlow, RunawayLoopStopsAtTheIterationLimit) {
  ControlFlowLimits limits;
  limits.max_loop_iterations = 100;
  Executor ex(model_of(runaway_loop(false)), true, limits);
  const std::string m = error_of(ex, {{"cond", scalar_bool(true)}, {"v0", Tensor(DType::Float32, {1024})}});
  EXPECT_NE(m.find("Loop node 'forever'"), std::string::npos) << m;
  EXPECT_NE(m.find("more than 100 iterations"), std::string::npos) << m;
  // cond false at entry: no iteration, no error.
  auto out = ex.run({{"cond", scalar_bool(false)}, {"v0", Tensor(DType::Float32, {1024})}}, {});
  EXPECT_EQ(out[0].shape(), (Shape{1024}));
}

TEST(ControlFlow, RunawayLoopStopsAtTheAccumulationLimit) {
  ControlFlowLimits limits;
  limits.max_accumulated_bytes = 64 * 1024;  // the carried 4 KiB plus 15 scan slices of 4 KiB fit
  Executor ex(model_of(runaway_loop(true)), true, limits);
  const std::string m = error_of(ex, {{"cond", scalar_bool(true)}, {"v0", Tensor(DType::Float32, {1024})}});
  EXPECT_NE(m.find("Loop node 'forever'"), std::string::npos) << m;
  EXPECT_NE(m.find("after iteration 15"), std::string::npos) << m;
  EXPECT_NE(m.find("over the limit of 65536"), std::string::npos) << m;
}

// A carried sequence that grows by one 4 KiB tensor per iteration, without end.
TEST(ControlFlow, GrowingSequenceStopsAtTheAccumulationLimit) {
  Graph body;
  body.inputs = {value("i", DType::Int64, {}), value("c", DType::Bool, {}), any("seq")};
  body.nodes.push_back(make("Identity", {"c"}, {"c_out"}));
  body.nodes.push_back(make("SequenceInsert", {"seq", "v"}, {"seq_out"}));
  body.outputs = {any("c_out"), any("seq_out")};
  Graph g;
  g.inputs = {value("cond", DType::Bool, {}), value("v", DType::Float32, {1024})};
  Node empty = make("SequenceEmpty", {}, {"seq0"});
  g.nodes.push_back(empty);
  Node loop = make("Loop", {"", "cond", "seq0"}, {"seq"});
  loop.name = "grow_seq";
  loop.attrs["body"] = graph_attr(body);
  g.nodes.push_back(loop);
  g.outputs = {any("seq")};
  ControlFlowLimits limits;
  limits.max_accumulated_bytes = 40 * 1024;  // 10 tensors of 4 KiB fit, the 11th does not
  Executor ex(model_of(g), true, limits);
  const std::string m = error_of(ex, {{"cond", scalar_bool(true)}, {"v", Tensor(DType::Float32, {1024})}});
  EXPECT_NE(m.find("Loop node 'grow_seq'"), std::string::npos) << m;
  EXPECT_NE(m.find("hold 45056 bytes after iteration 10"), std::string::npos) << m;
  // With cond false at entry the empty sequence comes back.
  auto out = ex.run({{"cond", scalar_bool(false)}, {"v", Tensor(DType::Float32, {1024})}}, {});
  ASSERT_TRUE(out[0].is_sequence());
  EXPECT_TRUE(out[0].items().empty());
}

// sum_out = sum_in + slice; scan_out = sum_out.
Graph scan_sum(std::vector<int64_t> in_dir, std::vector<int64_t> out_dir, std::vector<int64_t> in_axes,
               std::vector<int64_t> out_axes, int64_t width) {
  Graph body;
  body.inputs = {value("sum_in", DType::Float32, {width}), value("next", DType::Float32, {width})};
  body.nodes.push_back(make("Add", {"sum_in", "next"}, {"sum_out"}));
  body.nodes.push_back(make("Identity", {"sum_out"}, {"scan_out"}));
  body.outputs = {any("sum_out"), any("scan_out")};
  Graph g;
  g.inputs = {any("init"), any("x")};
  Node scan = make("Scan", {"init", "x"}, {"final", "stacked"}, 11);
  scan.name = "scan1";
  scan.attrs["body"] = graph_attr(body);
  scan.attrs["num_scan_inputs"] = int_attr(1);
  if (!in_dir.empty()) scan.attrs["scan_input_directions"] = ints_attr(in_dir);
  if (!out_dir.empty()) scan.attrs["scan_output_directions"] = ints_attr(out_dir);
  if (!in_axes.empty()) scan.attrs["scan_input_axes"] = ints_attr(in_axes);
  if (!out_axes.empty()) scan.attrs["scan_output_axes"] = ints_attr(out_axes);
  g.nodes.push_back(scan);
  g.outputs = {any("final"), any("stacked")};
  return g;
}

const Tensor kX = f32({3, 2}, {1, 2, 3, 4, 5, 6});

TEST(ControlFlow, ScanReverseInputDirection) {
  Executor ex(model_of(scan_sum({1}, {}, {}, {}, 2)));
  auto out = ex.run({{"init", f32({2}, {0, 0})}, {"x", kX}}, {});
  // Rows visited 2, 1, 0: [5,6], [8,10], [9,12].
  EXPECT_EQ(values(out[0]), (std::vector<float>{9, 12}));
  EXPECT_EQ(out[1].shape(), (Shape{3, 2}));
  EXPECT_EQ(values(out[1]), (std::vector<float>{5, 6, 8, 10, 9, 12}));
}

TEST(ControlFlow, ScanReverseOutputDirection) {
  Executor ex(model_of(scan_sum({}, {1}, {}, {}, 2)));
  auto out = ex.run({{"init", f32({2}, {0, 0})}, {"x", kX}}, {});
  // Forward sums [1,2], [4,6], [9,12], stored last first.
  EXPECT_EQ(values(out[1]), (std::vector<float>{9, 12, 4, 6, 1, 2}));
}

TEST(ControlFlow, ScanInputAndOutputAxes) {
  Executor ex(model_of(scan_sum({}, {}, {1}, {1}, 3)));
  auto out = ex.run({{"init", f32({3}, {0, 0, 0})}, {"x", kX}}, {});
  // Columns [1,3,5] then [2,4,6]: sums [1,3,5], [3,7,11], stacked on axis 1.
  EXPECT_EQ(values(out[0]), (std::vector<float>{3, 7, 11}));
  EXPECT_EQ(out[1].shape(), (Shape{3, 2}));
  EXPECT_EQ(values(out[1]), (std::vector<float>{1, 3, 3, 7, 5, 11}));
}

TEST(ControlFlow, SequenceToATensorOpIsRefused) {
  Graph g;
  g.inputs = {value("x", DType::Float32, {2})};
  g.nodes.push_back(make("SequenceConstruct", {"x"}, {"s"}));
  g.nodes.push_back(make("Relu", {"s"}, {"y"}));
  g.outputs = {any("y")};
  try {
    Executor ex(model_of(g), false);
    ex.run({{"x", f32({2}, {1, 2})}}, {});
    ADD_FAILURE() << "Relu accepted a sequence";
  } catch (const std::exception& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("Relu node 'Relu_y': input 0 's' is a sequence(float32) but Relu takes tensors only"),
              std::string::npos)
        << m;
  }
}

TEST(ControlFlow, SequenceFedToATensorInputIsRefused) {
  Graph g;
  g.inputs = {value("x", DType::Float32, {2})};
  g.nodes.push_back(make("Relu", {"x"}, {"y"}));
  g.outputs = {any("y")};
  Executor ex(model_of(g));
  const std::string m = error_of(ex, {{"x", Tensor::sequence(DType::Float32, {f32({2}, {1, 2})})}});
  EXPECT_NE(m.find("input 'x': expected a tensor of float32, got a sequence(float32)"), std::string::npos) << m;
}

// SequenceMap with a tensor side input: y[i] = s[i] + t.
TEST(ControlFlow, SequenceMapWithATensorInput) {
  Graph g;
  g.inputs = {any("s"), value("t", DType::Float32, {1})};
  Node n = make("SequenceMap", {"s", "t"}, {"y"});
  Graph body = binary_branch("Add", "a", "b", "c");
  body.inputs = {any("a"), any("b")};
  n.attrs["body"] = graph_attr(body);
  g.nodes.push_back(n);
  g.outputs = {any("y")};
  Executor ex(model_of(g));
  auto y = ex.run({{"s", Tensor::sequence(DType::Float32, {f32({2}, {1, 2}), f32({1}, {5})})},
                   {"t", f32({1}, {10})}},
                  {})[0];
  ASSERT_TRUE(y.is_sequence());
  ASSERT_EQ(y.items().size(), 2u);
  EXPECT_EQ(values(y.items()[0]), (std::vector<float>{11, 12}));
  EXPECT_EQ(values(y.items()[1]), (std::vector<float>{15}));
}

TEST(ControlFlow, IfOutsideAnExecutorIsRefused) {
  Node n = make_node("If", 1, 16);
  n.attrs["then_branch"] = graph_attr(binary_branch("Add", "a", "a", "b"));
  n.attrs["else_branch"] = graph_attr(binary_branch("Add", "a", "a", "b"));
  try {
    build_kernel(n);
    ADD_FAILURE() << "built without an executor";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("only inside an executor"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace qwasm::test
