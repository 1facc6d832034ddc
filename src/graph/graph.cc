#include "graph/graph.h"

namespace qwasm {

std::string Node::label() const {
  std::string l = domain.empty() ? op_type : domain + "." + op_type;
  return l + " node '" + name + "'";
}

const Attribute* Node::attr(const std::string& n) const {
  auto it = attrs.find(n);
  return it == attrs.end() ? nullptr : &it->second;
}

int64_t Node::attr_i(const std::string& n, int64_t def) const {
  const Attribute* a = attr(n);
  return a ? a->i : def;
}

int64_t Node::attr_i(const std::string& n) const {
  const Attribute* a = attr(n);
  QWASM_CHECK(a, label(), ": required attribute '", n, "' is missing");
  return a->i;
}

float Node::attr_f(const std::string& n, float def) const {
  const Attribute* a = attr(n);
  return a ? a->f : def;
}

std::string Node::attr_s(const std::string& n, const std::string& def) const {
  const Attribute* a = attr(n);
  return a ? a->s : def;
}

std::vector<int64_t> Node::attr_ints(const std::string& n, std::vector<int64_t> def) const {
  const Attribute* a = attr(n);
  return a ? a->ints : def;
}

std::vector<float> Node::attr_floats(const std::string& n, std::vector<float> def) const {
  const Attribute* a = attr(n);
  return a ? a->floats : def;
}

const Tensor* Node::attr_t(const std::string& n) const {
  const Attribute* a = attr(n);
  return a && a->kind == Attribute::Kind::Tensor ? &a->t : nullptr;
}

}  // namespace qwasm
