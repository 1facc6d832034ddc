#include "graph/graph.h"

namespace qwasm {

const std::string& Node::label() const {
  if (label_.s.empty()) label_.s = (domain.empty() ? op_type : domain + "." + op_type) + " node '" + name + "'";
  return label_.s;
}

const Attribute* Node::attr(const std::string& n) const {
  auto it = attrs.find(n);
  return it == attrs.end() ? nullptr : &it->second;
}

namespace {

const char* kind_name(Attribute::Kind k) {
  using K = Attribute::Kind;
  switch (k) {
    case K::Float: return "a float";
    case K::Int: return "an int";
    case K::String: return "a string";
    case K::Tensor: return "a tensor";
    case K::Graph: return "a graph";
    case K::Floats: return "a list of floats";
    case K::Ints: return "a list of ints";
    case K::Strings: return "a list of strings";
    case K::Tensors: return "a list of tensors";
    case K::Graphs: return "a list of graphs";
    default: return "of undefined type";
  }
}

}  // namespace

// The typed accessors refuse an attribute of another type: the model is wrong, and
// reading the wrong field would silently give its default (0, "", {}).
const Attribute* Node::typed_attr(const std::string& n, Attribute::Kind want) const {
  const Attribute* a = attr(n);
  QWASM_CHECK(!a || a->kind == want, label(), ": attribute '", n, "' must be ", kind_name(want), ", got ",
              kind_name(a->kind));
  return a;
}

int64_t Node::attr_i(const std::string& n, int64_t def) const {
  const Attribute* a = typed_attr(n, Attribute::Kind::Int);
  return a ? a->i : def;
}

int64_t Node::attr_i(const std::string& n) const {
  const Attribute* a = typed_attr(n, Attribute::Kind::Int);
  QWASM_CHECK(a, label(), ": required attribute '", n, "' is missing");
  return a->i;
}

float Node::attr_f(const std::string& n, float def) const {
  const Attribute* a = typed_attr(n, Attribute::Kind::Float);
  return a ? a->f : def;
}

std::string Node::attr_s(const std::string& n, const std::string& def) const {
  const Attribute* a = typed_attr(n, Attribute::Kind::String);
  return a ? a->s : def;
}

std::vector<int64_t> Node::attr_ints(const std::string& n, std::vector<int64_t> def) const {
  const Attribute* a = typed_attr(n, Attribute::Kind::Ints);
  return a ? a->ints : def;
}

std::vector<float> Node::attr_floats(const std::string& n, std::vector<float> def) const {
  const Attribute* a = typed_attr(n, Attribute::Kind::Floats);
  return a ? a->floats : def;
}

const Tensor* Node::attr_t(const std::string& n) const {
  const Attribute* a = typed_attr(n, Attribute::Kind::Tensor);
  return a ? &a->t : nullptr;
}

}  // namespace qwasm
