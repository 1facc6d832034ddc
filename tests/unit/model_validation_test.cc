// Invalid models the loader and session must refuse with an Error naming what is
// wrong (issue 15's "bad input" list), built in memory as ModelProtos: two writers of
// one value, attributes of the wrong type, untyped inputs and initializers, opsets
// newer than qwasm implements, unsupported operators. Each case also checks that a
// valid model still loads afterwards (nothing is left half-built).
#include <gtest/gtest.h>

#include <string>

#include "api/session.h"
#include "graph/opsets.h"
#include "onnx.pb.h"
#include "ops/registry.h"
#include "onnx_model_builder.h"

using namespace qwasm;
using qwasm::test::add_node;
using qwasm::test::add_value;

namespace {

// x (float [2]) -> Relu 'r1' -> h -> Relu 'r2' -> y, ai.onnx opset 17.
onnx::ModelProto two_relus() {
  onnx::ModelProto m = test::model_with_opset(17);
  auto* g = m.mutable_graph();
  add_value(g->mutable_input(), "x", onnx::TensorProto::FLOAT, {2});
  add_value(g->mutable_output(), "y", onnx::TensorProto::FLOAT, {2});
  add_node(g, "Relu", "r1", {"x"}, {"h"});
  add_node(g, "Relu", "r2", {"h"}, {"y"});
  return m;
}

// Session::create on m (or, with `at_run`, its first run on x = zeros) must throw an
// Error whose message holds every one of `parts`.
void expect_refused(const onnx::ModelProto& m, std::vector<std::string> parts, bool at_run = false) {
  const std::string bytes = m.SerializeAsString();
  try {
    auto s = Session::create(bytes.data(), bytes.size(), {});
    if (!at_run) {
      ADD_FAILURE() << "model was accepted";
      return;
    }
    s->run({{"x", Tensor(DType::Float32, {2})}});
    ADD_FAILURE() << "model ran";
  } catch (const Error& e) {
    const std::string msg = e.what();
    for (const auto& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
  }
  // The runtime is still usable.
  const std::string ok = two_relus().SerializeAsString();
  EXPECT_NO_THROW(Session::create(ok.data(), ok.size(), {}));
}

}  // namespace

TEST(ModelValidation, ValidModelLoadsAndRuns) {
  const std::string bytes = two_relus().SerializeAsString();
  auto s = Session::create(bytes.data(), bytes.size(), {});
  Tensor x(DType::Float32, {2});
  x.data<float>()[0] = -1, x.data<float>()[1] = 3;
  auto y = s->run({{"x", x}});
  EXPECT_EQ(y[0].data<float>()[0], 0.0f);
  EXPECT_EQ(y[0].data<float>()[1], 3.0f);
}

TEST(ModelValidation, TwoNodesWritingOneValue) {
  onnx::ModelProto m = two_relus();
  add_node(m.mutable_graph(), "Neg", "again", {"x"}, {"h"});
  expect_refused(m, {"Neg node 'again'", "output 'h'", "Relu node 'r1'"});
}

TEST(ModelValidation, NodeOutputShadowingAGraphInputOrInitializer) {
  onnx::ModelProto m = two_relus();
  add_node(m.mutable_graph(), "Neg", "shadow", {"h"}, {"x"});
  expect_refused(m, {"Neg node 'shadow'", "output 'x'", "a graph input"});

  onnx::ModelProto w = two_relus();
  auto* init = w.mutable_graph()->add_initializer();
  init->set_name("w");
  init->set_data_type(onnx::TensorProto::FLOAT);
  init->add_dims(1);
  init->add_float_data(1.0f);
  add_node(w.mutable_graph(), "Neg", "over_w", {"h"}, {"w"});
  expect_refused(w, {"Neg node 'over_w'", "output 'w'", "an initializer"});

  // The same initializer given twice is just as ambiguous.
  *w.mutable_graph()->add_initializer() = *init;
  w.mutable_graph()->mutable_node()->RemoveLast();
  expect_refused(w, {"initializer 'w'", "twice"});
}

// Ops without per-node state read their attributes when they run, so the Error may
// come from the first run; it still names the node and the attribute.
TEST(ModelValidation, AttributeOfTheWrongType) {
  // Flatten requires an int axis; here it is a string.
  onnx::ModelProto m = two_relus();
  auto* n = add_node(m.mutable_graph(), "Flatten", "flat", {"h"}, {"f"});
  auto* a = n->add_attribute();
  a->set_name("axis");
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s("1");
  add_value(m.mutable_graph()->mutable_output(), "f", onnx::TensorProto::FLOAT, {2, 1});
  expect_refused(m, {"Flatten node 'flat'", "attribute 'axis'", "must be an int", "got a string"}, true);
  // LeakyRelu's alpha given as ints.
  onnx::ModelProto f = two_relus();
  auto* l = add_node(f.mutable_graph(), "LeakyRelu", "leaky", {"h"}, {"l"});
  auto* b = l->add_attribute();
  b->set_name("alpha");
  b->set_type(onnx::AttributeProto::INTS);
  b->add_ints(1);
  add_value(f.mutable_graph()->mutable_output(), "l", onnx::TensorProto::FLOAT, {2});
  expect_refused(f, {"LeakyRelu node 'leaky'", "attribute 'alpha'", "must be a float", "got a list of ints"}, true);
  // Cast reads 'to' when the session is built: refused at load.
  onnx::ModelProto c = two_relus();
  auto* cast = add_node(c.mutable_graph(), "Cast", "cast", {"h"}, {"c"});
  auto* to = cast->add_attribute();
  to->set_name("to");
  to->set_type(onnx::AttributeProto::FLOAT);
  to->set_f(1.0f);
  add_value(c.mutable_graph()->mutable_output(), "c", onnx::TensorProto::FLOAT, {2});
  expect_refused(c, {"Cast node 'cast'", "attribute 'to'", "must be an int", "got a float"});
}

TEST(ModelValidation, GraphInputWithoutAnElementType) {
  onnx::ModelProto m = two_relus();
  m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->set_elem_type(0);
  expect_refused(m, {"graph input 'x'", "element type 0", "UNDEFINED"});
  m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->set_elem_type(99);
  expect_refused(m, {"graph input 'x'", "element type 99"});
}

TEST(ModelValidation, InitializerWithoutAnElementType) {
  for (int32_t code : {0, 99}) {
    onnx::ModelProto m = two_relus();
    auto* init = m.mutable_graph()->add_initializer();
    init->set_name("w");
    init->set_data_type(code);
    init->add_dims(1);
    init->set_raw_data(std::string(4, '\0'));
    expect_refused(m, {"tensor 'w'", "unknown data type " + std::to_string(code)});
  }
}

TEST(ModelValidation, OpsetNewerThanImplemented) {
  onnx::ModelProto m = two_relus();
  m.mutable_opset_import(0)->set_version(kNewestOnnxOpset + 1);
  expect_refused(m, {"opset " + std::to_string(kNewestOnnxOpset + 1), "domain 'ai.onnx'",
                     "newest qwasm implements (" + std::to_string(kNewestOnnxOpset) + ")"});
  onnx::ModelProto ms = two_relus();
  auto* op = ms.add_opset_import();
  op->set_domain("com.microsoft");
  op->set_version(kNewestMicrosoftOpset + 1);
  expect_refused(ms, {"domain 'com.microsoft'", "opset " + std::to_string(kNewestMicrosoftOpset + 1)});
  // The newest supported one loads; a domain qwasm has no ops in is not limited.
  onnx::ModelProto ok = two_relus();
  ok.mutable_opset_import(0)->set_version(kNewestOnnxOpset);
  auto* ml = ok.add_opset_import();
  ml->set_domain("ai.onnx.ml");
  ml->set_version(99);
  const std::string bytes = ok.SerializeAsString();
  EXPECT_NO_THROW(Session::create(bytes.data(), bytes.size(), {}));
}

TEST(ModelValidation, UnsupportedOperatorNamesOpDomainOpsetAndNode) {
  onnx::ModelProto m = two_relus();
  auto* op = m.add_opset_import();
  op->set_domain("com.example");
  op->set_version(3);
  add_node(m.mutable_graph(), "FancyOp", "mystery", {"h"}, {"z"})->set_domain("com.example");
  expect_refused(m, {"unsupported operator", "com.example::FancyOp", "opset 3", "'mystery'"});
  // An ai.onnx op that has no kernel here (StringNormalizer: strings).
  onnx::ModelProto s = two_relus();
  add_node(s.mutable_graph(), "StringNormalizer", "strnorm", {"h"}, {"z"});
  expect_refused(s, {"ai.onnx::StringNormalizer", "opset 17", "'strnorm'"});
}

// The limits say what the registry implements: no registration is newer than them,
// and each domain's newest has kernels.
TEST(ModelValidation, RegistryStaysWithinTheDeclaredOpsets) {
  const OpRegistry& reg = OpRegistry::builtin();
  for (const char* d : {"", "com.microsoft", "ai.onnx.preview.training"})
    EXPECT_LE(reg.newest_since_version(d), newest_opset(d)) << d;
  EXPECT_NE(reg.find("", "Relu", kNewestOnnxOpset), nullptr);
  EXPECT_NE(reg.find("com.microsoft", "QLinearAdd", kNewestMicrosoftOpset), nullptr);
  EXPECT_NE(reg.find("ai.onnx.preview.training", "Adam", kNewestTrainingOpset), nullptr);
}
