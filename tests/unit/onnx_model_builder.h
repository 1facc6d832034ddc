// Builders for the unit tests that write ONNX ModelProtos by hand (loader, validation):
// an empty model with one opset import, typed graph values and nodes.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "onnx.pb.h"

namespace qwasm::test {

// ir_version 8, an import of ai.onnx at `opset`, and an empty graph named "g".
inline onnx::ModelProto model_with_opset(int64_t opset) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  auto* op = m.add_opset_import();
  op->set_domain("");
  op->set_version(opset);
  m.mutable_graph()->set_name("g");
  return m;
}

// A tensor value of `elem_type`; each dim a fixed size, or symbolic where `dim_params` names it.
inline onnx::ValueInfoProto* add_value(google::protobuf::RepeatedPtrField<onnx::ValueInfoProto>* list,
                                       const std::string& name, int32_t elem_type, std::vector<int64_t> dims,
                                       std::vector<std::string> dim_params = {}) {
  auto* vi = list->Add();
  vi->set_name(name);
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(elem_type);
  for (size_t i = 0; i < dims.size(); ++i) {
    auto* d = tt->mutable_shape()->add_dim();
    if (i < dim_params.size() && !dim_params[i].empty())
      d->set_dim_param(dim_params[i]);
    else
      d->set_dim_value(dims[i]);
  }
  return vi;
}

inline onnx::NodeProto* add_node(onnx::GraphProto* g, const std::string& op, const std::string& name,
                                 std::vector<std::string> ins, std::vector<std::string> outs) {
  auto* n = g->add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (auto& s : ins) n->add_input(s);
  for (auto& s : outs) n->add_output(s);
  return n;
}

}  // namespace qwasm::test
