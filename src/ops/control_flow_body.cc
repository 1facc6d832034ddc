#include "ops/control_flow_body.h"

#include <cstring>

#include "graph/private_attrs.h"

namespace qwasm {

size_t formal_input_count(const Node& n) {
  int64_t outer = n.attr_i(kAttrOuterInputs, 0);
  QWASM_CHECK(outer >= 0 && size_t(outer) <= n.inputs.size(), n.label(), ": bad outer input count");
  return n.inputs.size() - size_t(outer);
}

Body::Body(const BuildContext& bc, const std::string& attr) : attr_(attr) {
  const Node& n = bc.node;
  const Attribute* a = n.attr(attr);
  QWASM_CHECK(a && a->kind == Attribute::Kind::Graph && a->g, n.label(), ": graph attribute '", attr,
              "' is required");
  QWASM_CHECK(bc.subgraph, n.label(), ": subgraphs run only inside an executor");
  graph_ = a->g;
  try {
    runner_ = bc.subgraph(*graph_);
  } catch (const std::exception& e) {
    throw Error(n.label() + " > " + attr + ": " + e.what());
  }
  const size_t first = formal_input_count(n);
  for (const auto& name : runner_->outer_names()) {
    size_t i = first;
    while (i < n.inputs.size() && n.inputs[i] != name) ++i;
    QWASM_CHECK(i < n.inputs.size(), n.label(), " > ", attr, ": outer value '", name, "' is not an input of the node");
    outer_inputs_.push_back(i);
  }
}

std::vector<Tensor> Body::run(OpContext& ctx, const std::vector<Tensor>& formal) const {
  std::vector<const Tensor*>& outer = outer_values_;
  outer.clear();
  for (size_t i : outer_inputs_) outer.push_back(ctx.input(i));
  std::vector<Tensor> out;
  try {
    out = runner_->run(formal, outer, ctx.parallel());
  } catch (const std::exception& e) {
    throw Error(ctx.node().label() + " > " + attr_ + ": " + e.what());
  }
  QWASM_CHECK(out.size() == graph_->outputs.size(), ctx.node().label(), " > ", attr_, ": produced ", out.size(),
              " outputs, declares ", graph_->outputs.size());
  return out;
}

bool Body::reads_input(size_t i) const {
  for (size_t j : outer_inputs_)
    if (j == i) return true;
  return false;
}

bool outer_input_absorbed(const Node& n, size_t i, std::initializer_list<const Body*> bodies) {
  if (i < formal_input_count(n) || i >= n.inputs.size()) return false;
  for (const Body* b : bodies)
    if (b->reads_input(i)) return false;
  return true;
}

bool scalar_bool(const Node& n, const Tensor& t, const char* what) {
  QWASM_CHECK(t.is_tensor() && t.dtype() == DType::Bool && t.size() == 1, n.label(), ": ", what,
              " must be one bool, got ", t.kind_str(), " of shape ", shape_str(t.shape()));
  return t.data<bool>()[0];
}

int64_t scalar_i64(const Node& n, const Tensor& t, const char* what) {
  QWASM_CHECK(t.is_tensor() && t.dtype() == DType::Int64 && t.size() == 1, n.label(), ": ", what,
              " must be one int64, got ", t.kind_str(), " of shape ", shape_str(t.shape()));
  return t.data<int64_t>()[0];
}

int64_t value_bytes(const Tensor& t) {
  if (t.is_sequence()) {
    int64_t b = 0;
    for (const auto& item : t.items()) b += int64_t(item.bytes());
    return b;
  }
  return t.is_tensor() ? int64_t(t.bytes()) : 0;
}

namespace {
// Elements of a byte-addressable type: sub-byte types (int4) cannot be sliced by bytes.
size_t element_bytes(DType dt) {
  size_t e = dtype_size(dt);
  QWASM_CHECK(storage_bytes(dt, 2) == 2 * e, "cannot slice packed ", dtype_name(dt), " tensors");
  return e;
}
}  // namespace

Tensor take_along(const Tensor& t, int64_t axis, int64_t index) {
  const size_t e = element_bytes(t.dtype());
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= t.dim(d);
  for (int64_t d = axis + 1; d < t.rank(); ++d) inner *= t.dim(d);
  Shape shape = t.shape();
  shape.erase(shape.begin() + axis);
  Tensor out(t.dtype(), shape);
  const char* src = static_cast<const char*>(t.raw());
  char* dst = static_cast<char*>(out.raw());
  const size_t row = size_t(inner) * e;
  for (int64_t o = 0; o < outer; ++o)
    if (row) std::memcpy(dst + size_t(o) * row, src + (size_t(o * t.dim(axis) + index)) * row, row);
  return out;
}

Tensor stack_along(const std::vector<Tensor>& slices, int64_t axis, const Node& n, const std::string& what) {
  QWASM_CHECK(!slices.empty(), n.label(), ": nothing to stack for ", what);
  const Tensor& first = slices[0];
  for (size_t i = 0; i < slices.size(); ++i) {
    QWASM_CHECK(slices[i].is_tensor(), n.label(), ": ", what, " is a ", slices[i].kind_str(),
                " in iteration ", i, "; only tensors stack");
    QWASM_CHECK(slices[i].dtype() == first.dtype() && slices[i].shape() == first.shape(), n.label(), ": ", what,
                " is ", dtype_name(slices[i].dtype()), " ", shape_str(slices[i].shape()), " in iteration ", i,
                " but ", dtype_name(first.dtype()), " ", shape_str(first.shape()), " in iteration 0");
  }
  QWASM_CHECK(axis >= 0 && axis <= first.rank(), n.label(), ": ", what, " axis ", axis, " out of range for rank ",
              first.rank() + 1);
  const size_t e = element_bytes(first.dtype());
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= first.dim(d);
  for (int64_t d = axis; d < first.rank(); ++d) inner *= first.dim(d);
  Shape shape = first.shape();
  const int64_t count = int64_t(slices.size());
  shape.insert(shape.begin() + axis, count);
  Tensor out(first.dtype(), shape);
  char* dst = static_cast<char*>(out.raw());
  const size_t row = size_t(inner) * e;
  for (int64_t s = 0; s < count; ++s) {
    const char* src = static_cast<const char*>(slices[size_t(s)].raw());
    for (int64_t o = 0; o < outer; ++o)
      if (row) std::memcpy(dst + size_t(o * count + s) * row, src + size_t(o) * row, row);
  }
  return out;
}

}  // namespace qwasm
