// KvCarry: outputs carried into the next run's inputs (decoder KV caches). The model
// appends each step's token to the cache: present = Concat(past, x), y = Identity(present),
// so every step's y shows exactly which cache the step was given.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api/kv_carry.h"
#include "onnx.pb.h"

using namespace qwasm;

namespace {

void add_value(onnx::ValueInfoProto* vi, const char* name, const char* dim_param) {
  vi->set_name(name);
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  tt->mutable_shape()->add_dim()->set_dim_param(dim_param);
}

std::unique_ptr<Session> appending_cache() {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(17);
  auto* g = m.mutable_graph();
  g->set_name("cache");
  auto* cat = g->add_node();
  cat->set_op_type("Concat");
  cat->add_input("past");
  cat->add_input("x");
  cat->add_output("present");
  auto* axis = cat->add_attribute();
  axis->set_name("axis");
  axis->set_type(onnx::AttributeProto::INT);
  axis->set_i(0);
  auto* id = g->add_node();
  id->set_op_type("Identity");
  id->add_input("present");
  id->add_output("y");
  add_value(g->add_input(), "x", "one");
  add_value(g->add_input(), "past", "p");
  add_value(g->add_output(), "y", "q");
  add_value(g->add_output(), "present", "q");
  const std::string bytes = m.SerializeAsString();
  return Session::create(bytes.data(), bytes.size(), SessionOptions{});
}

Tensor floats(std::vector<float> v) {
  Tensor t(DType::Float32, {int64_t(v.size())});
  for (size_t i = 0; i < v.size(); ++i) t.data<float>()[i] = v[i];
  return t;
}

std::vector<float> values(const Tensor& t) { return std::vector<float>(t.data<float>(), t.data<float>() + t.size()); }

}  // namespace

TEST(KvCarry, CarriesPresentIntoPastBetweenSteps) {
  auto s = appending_cache();
  KvCarry carry;
  carry.set_pairs({{"present", "past"}});
  // Step 1: the caller feeds the initial cache; the carried output is not returned.
  KvCarry::Named r = carry.run(*s, {{"x", floats({1})}, {"past", floats({10})}}, {});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].first, "y");
  EXPECT_EQ(values(r[0].second), (std::vector<float>{10, 1}));
  ASSERT_EQ(carry.carried().size(), 1u);
  EXPECT_EQ(carry.carried()[0].first, "past");
  // Steps 2 and 3 feed only the token: the cache comes from the previous step.
  r = carry.run(*s, {{"x", floats({2})}}, {});
  EXPECT_EQ(values(r[0].second), (std::vector<float>{10, 1, 2}));
  r = carry.run(*s, {{"x", floats({3})}}, {"y", "present"});  // named, present still stays inside
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(values(r[0].second), (std::vector<float>{10, 1, 2, 3}));
  EXPECT_EQ(values(carry.carried()[0].second), (std::vector<float>{10, 1, 2, 3}));
}

TEST(KvCarry, AFedInputWinsOverTheCarriedOne) {
  auto s = appending_cache();
  KvCarry carry;
  carry.set_pairs({{"present", "past"}});
  carry.run(*s, {{"x", floats({1})}, {"past", floats({10})}}, {});
  KvCarry::Named r = carry.run(*s, {{"x", floats({2})}, {"past", floats({7, 8})}}, {});
  EXPECT_EQ(values(r[0].second), (std::vector<float>{7, 8, 2}));
}

TEST(KvCarry, ClearAndNewPairsDropTheCache) {
  auto s = appending_cache();
  KvCarry carry;
  carry.set_pairs({{"present", "past"}});
  carry.run(*s, {{"x", floats({1})}, {"past", floats({10})}}, {});
  carry.clear();
  EXPECT_TRUE(carry.carried().empty());
  EXPECT_THROW(carry.run(*s, {{"x", floats({2})}}, {}), std::exception);  // past is missing again
  carry.run(*s, {{"x", floats({1})}, {"past", floats({10})}}, {});
  carry.set_pairs({});
  EXPECT_TRUE(carry.carried().empty());
  // Without pairs nothing is carried and every output comes back, in graph order.
  KvCarry::Named r = carry.run(*s, {{"x", floats({4})}, {"past", floats({5})}}, {});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].first, "y");
  EXPECT_EQ(r[1].first, "present");
  EXPECT_EQ(values(r[1].second), (std::vector<float>{5, 4}));
}

TEST(KvCarry, AFailedRunKeepsTheCache) {
  auto s = appending_cache();
  KvCarry carry;
  carry.set_pairs({{"present", "past"}});
  carry.run(*s, {{"x", floats({1})}, {"past", floats({10})}}, {});
  EXPECT_THROW(carry.run(*s, {{"nope", floats({2})}}, {}), std::exception);  // unknown input
  KvCarry::Named r = carry.run(*s, {{"x", floats({2})}}, {});
  EXPECT_EQ(values(r[0].second), (std::vector<float>{10, 1, 2}));
}
