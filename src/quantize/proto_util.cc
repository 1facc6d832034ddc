#include "quantize/proto_util.h"

#include <cstring>

#include "graph/error.h"
#include "onnx/tensor_proto.h"

namespace qwasm {

std::string node_id(const onnx::NodeProto& n, int index) {
  return n.name().empty() ? "#" + std::to_string(index) : n.name();
}

std::string external_bytes(const onnx::TensorProto& tp, const ExternalFiles& external) {
  const ExternalRef ref = external_ref_of(tp);
  auto it = external.find(ref.location);
  QWASM_CHECK(it != external.end(), "initializer '", tp.name(), "' is in external data file '", ref.location,
              "', which was not given");
  const size_t bytes = ref.bytes();  // external_ref_of checked `length` against it
  QWASM_CHECK(ref.offset <= it->second.size() && bytes <= it->second.size() - ref.offset, "external data file '",
              ref.location, "' is too short for initializer '", tp.name(), "' (", it->second.size(),
              " bytes, needs ", ref.offset + bytes, ")");
  return std::string(it->second.substr(size_t(ref.offset), bytes));
}

void inline_external_data(onnx::GraphProto& g, const ExternalFiles& external) {
  for (auto& t : *g.mutable_initializer()) {
    if (t.data_location() != onnx::TensorProto::EXTERNAL) continue;
    std::string raw = external_bytes(t, external);
    t.clear_external_data();
    t.clear_data_location();
    t.set_raw_data(std::move(raw));
  }
}

std::vector<float> float_values(const onnx::TensorProto& tp, const ExternalFiles& external) {
  int64_t count = 1;
  for (int64_t d : tp.dims()) {
    QWASM_CHECK(d >= 0 && d < (int64_t(1) << 40), "initializer '", tp.name(), "': bad dimension ", d);
    count *= d;
  }
  std::vector<float> out(static_cast<size_t>(count));
  if (tp.data_location() == onnx::TensorProto::EXTERNAL) {
    const std::string raw = external_bytes(tp, external);
    QWASM_CHECK(raw.size() == out.size() * sizeof(float), "initializer '", tp.name(), "': external data has ",
                raw.size(), " bytes, dims need ", out.size() * sizeof(float));
    std::memcpy(out.data(), raw.data(), raw.size());
  } else if (!tp.raw_data().empty()) {
    QWASM_CHECK(tp.raw_data().size() == out.size() * sizeof(float), "initializer '", tp.name(), "': raw_data has ",
                tp.raw_data().size(), " bytes, dims need ", out.size() * sizeof(float));
    std::memcpy(out.data(), tp.raw_data().data(), tp.raw_data().size());
  } else {
    QWASM_CHECK(tp.float_data_size() == count, "initializer '", tp.name(), "': ", tp.float_data_size(),
                " float_data values, dims need ", count);
    std::copy(tp.float_data().begin(), tp.float_data().end(), out.begin());
  }
  return out;
}

void set_int_attr(onnx::NodeProto& n, const char* name, int64_t v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}

Names::Names(const onnx::GraphProto& g) {
  for (const auto& t : g.initializer()) used_.insert(t.name());
  for (const auto& v : g.input()) used_.insert(v.name());
  for (const auto& n : g.node())
    for (const auto& o : n.output()) used_.insert(o);
}

std::string Names::make(const std::string& base) {
  std::string s = base;
  for (int i = 1; used_.count(s); ++i) s = base + "_" + std::to_string(i);
  used_.insert(s);
  return s;
}

}  // namespace qwasm
