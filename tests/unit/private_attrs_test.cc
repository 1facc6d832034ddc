// Private attributes (graph/private_attrs.h): the graph passes write them, the ops read
// them, and a loaded model may not carry them. The models are built as protobuf bytes,
// the way a user's file reaches the loader.
#include <gtest/gtest.h>

#include <string>

#include "graph/private_attrs.h"
#include "onnx.pb.h"
#include "onnx/loader.h"

using namespace qwasm;

namespace {

void add_value(onnx::ValueInfoProto* vi, const char* name, onnx::TensorProto::DataType t) {
  vi->set_name(name);
  vi->mutable_type()->mutable_tensor_type()->set_elem_type(t);
}

// com.microsoft QLinearAdd (the node fuse_qdq emits), optionally with one extra INT
// attribute: parameters are graph inputs, so the model is valid apart from that attribute.
onnx::ModelProto qlinear_add_model(const char* extra_attr) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  for (const char* d : {"", "com.microsoft"}) {
    auto* op = m.add_opset_import();
    op->set_domain(d);
    op->set_version(d[0] ? 1 : 17);
  }
  auto* g = m.mutable_graph();
  g->set_name("g");
  auto* n = g->add_node();
  n->set_op_type("QLinearAdd");
  n->set_domain("com.microsoft");
  n->set_name("add1");
  for (const char* in : {"a", "sa", "za", "b", "sb", "zb", "sc", "zc"}) {
    n->add_input(in);
    add_value(g->add_input(), in, in[0] == 's' ? onnx::TensorProto::FLOAT : onnx::TensorProto::UINT8);
  }
  n->add_output("c");
  add_value(g->add_output(), "c", onnx::TensorProto::UINT8);
  if (extra_attr) {
    auto* a = n->add_attribute();
    a->set_name(extra_attr);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(200);
  }
  return m;
}

std::string load_error(const onnx::ModelProto& m) {
  const std::string bytes = m.SerializeAsString();
  try {
    load_model(bytes.data(), bytes.size(), {});
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(PrivateAttrs, DeclaredNamesAreRecognisedAndOnnxNamesAreNot) {
  for (const char* name : {kAttrActLo, kAttrActHi, kAttrQdqRounding, kAttrGatherAxis, kAttrGatherIndices,
                           kAttrGatherName})
    EXPECT_TRUE(is_private_attr(name)) << name;
  // A later private attribute is caught by the prefix alone.
  EXPECT_TRUE(is_private_attr("qwasm_future"));
  for (const char* name : {"axis", "alpha", "qwasm", "qwasmact_lo", "x_qwasm_act_lo", ""})
    EXPECT_FALSE(is_private_attr(name)) << name;
}

TEST(PrivateAttrs, TheSameModelWithoutThemLoads) {
  const std::string bytes = qlinear_add_model(nullptr).SerializeAsString();
  const Model m = load_model(bytes.data(), bytes.size(), {});
  ASSERT_EQ(m.graph.nodes.size(), 1u);
  EXPECT_EQ(m.graph.nodes[0].op_type, "QLinearAdd");
  // An ordinary attribute that merely looks similar is kept.
  EXPECT_EQ(load_error(qlinear_add_model("act_hi")), "");
}

TEST(PrivateAttrs, ModelCarryingOneIsRefusedNamingNodeAndAttribute) {
  // Obeyed, this would narrow QLinearAdd's output clamp to [.., 200].
  const std::string msg = load_error(qlinear_add_model(kAttrActHi));
  EXPECT_NE(msg.find("com.microsoft.QLinearAdd node 'add1'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("attribute 'qwasm_act_hi'"), std::string::npos) << msg;
}

TEST(PrivateAttrs, RefusedInsideASubgraphToo) {
  // If(cond) whose then-branch holds the QLinearAdd carrying a private attribute.
  onnx::ModelProto inner = qlinear_add_model(kAttrGatherAxis);
  onnx::ModelProto m = inner;
  auto* g = m.mutable_graph();
  g->clear_node();
  g->clear_input();
  add_value(g->add_input(), "cond", onnx::TensorProto::BOOL);
  auto* n = g->add_node();
  n->set_op_type("If");
  n->set_name("branch");
  n->add_input("cond");
  n->add_output("c");
  for (const char* br : {"then_branch", "else_branch"}) {
    auto* a = n->add_attribute();
    a->set_name(br);
    a->set_type(onnx::AttributeProto::GRAPH);
    *a->mutable_g() = inner.graph();
  }
  const std::string msg = load_error(m);
  EXPECT_NE(msg.find("QLinearAdd node 'add1'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("attribute 'qwasm_gather_axis'"), std::string::npos) << msg;
}
