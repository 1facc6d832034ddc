#include "onnx/loader.h"

#include <google/protobuf/io/coded_stream.h>

#include <algorithm>

#include "graph/opsets.h"
#include "graph/private_attrs.h"
#include "onnx/chunk_stream.h"
#include "onnx/tensor_proto.h"

namespace qwasm {
namespace {

Graph convert_graph(onnx::GraphProto& gp, const std::map<std::string, int64_t>& opsets,
                    const LoadOptions& opts);

ValueInfo convert_value_info(const onnx::ValueInfoProto& vi) {
  ValueInfo out;
  out.name = vi.name();
  if (vi.has_type() && vi.type().has_tensor_type()) {
    const auto& tt = vi.type().tensor_type();
    if (dtype_is_valid(tt.elem_type())) out.dtype = DType(tt.elem_type());
    if (tt.has_shape()) {
      out.has_shape = true;
      for (const auto& d : tt.shape().dim()) {
        Dim dim;
        if (d.has_dim_value()) dim.value = d.dim_value();
        else dim.param = d.dim_param();
        out.dims.push_back(dim);
      }
    }
  }
  return out;
}

// Old exporters leave AttributeProto.type unset; infer it from the filled field.
onnx::AttributeProto::AttributeType attribute_type(const onnx::AttributeProto& a) {
  if (a.type() != onnx::AttributeProto::UNDEFINED) return a.type();
  if (a.has_f()) return onnx::AttributeProto::FLOAT;
  if (a.has_i()) return onnx::AttributeProto::INT;
  if (a.has_s()) return onnx::AttributeProto::STRING;
  if (a.has_t()) return onnx::AttributeProto::TENSOR;
  if (a.has_g()) return onnx::AttributeProto::GRAPH;
  if (a.floats_size()) return onnx::AttributeProto::FLOATS;
  if (a.ints_size()) return onnx::AttributeProto::INTS;
  if (a.strings_size()) return onnx::AttributeProto::STRINGS;
  if (a.tensors_size()) return onnx::AttributeProto::TENSORS;
  if (a.graphs_size()) return onnx::AttributeProto::GRAPHS;
  return onnx::AttributeProto::UNDEFINED;
}

Attribute convert_attribute(onnx::AttributeProto& a, const Node& node,
                            const std::map<std::string, int64_t>& opsets, const LoadOptions& opts) {
  using K = Attribute::Kind;
  Attribute out;
  switch (attribute_type(a)) {
    case onnx::AttributeProto::FLOAT: out.kind = K::Float; out.f = a.f(); break;
    case onnx::AttributeProto::INT: out.kind = K::Int; out.i = a.i(); break;
    case onnx::AttributeProto::STRING: out.kind = K::String; out.s = a.s(); break;
    case onnx::AttributeProto::TENSOR: out.kind = K::Tensor; out.t = tensor_from_proto(*a.mutable_t(), opts); break;
    case onnx::AttributeProto::GRAPH:
      out.kind = K::Graph;
      out.g = std::make_shared<Graph>(convert_graph(*a.mutable_g(), opsets, opts));
      break;
    case onnx::AttributeProto::FLOATS: out.kind = K::Floats; out.floats.assign(a.floats().begin(), a.floats().end()); break;
    case onnx::AttributeProto::INTS: out.kind = K::Ints; out.ints.assign(a.ints().begin(), a.ints().end()); break;
    case onnx::AttributeProto::STRINGS: out.kind = K::Strings; out.strings.assign(a.strings().begin(), a.strings().end()); break;
    case onnx::AttributeProto::TENSORS:
      out.kind = K::Tensors;
      for (auto& t : *a.mutable_tensors()) out.tensors.push_back(tensor_from_proto(t, opts));
      break;
    case onnx::AttributeProto::GRAPHS:
      out.kind = K::Graphs;
      for (auto& g : *a.mutable_graphs()) out.graphs.push_back(std::make_shared<Graph>(convert_graph(g, opsets, opts)));
      break;
    case onnx::AttributeProto::TYPE_PROTO: out.kind = K::TypeProto; break;
    default:
      fail(node.label(), ": attribute '", a.name(), "' has an unsupported type ", int(a.type()));
  }
  return out;
}

// Every value has one writer (ONNX graphs are single assignment): a node output may not
// repeat another node's output, a graph input or an initializer. Otherwise which value a
// reader sees would depend on the order nodes run in.
void check_single_writer(const onnx::GraphProto& gp, const Graph& g) {
  std::map<std::string, std::string> writer;  // value -> what defines it, for the message
  for (const auto& kv : g.initializers) writer[kv.first] = "an initializer";
  for (const auto& vi : gp.input()) writer.emplace(vi.name(), "a graph input");
  for (const Node& n : g.nodes)
    for (const auto& o : n.outputs) {
      if (o.empty()) continue;
      auto [it, fresh] = writer.emplace(o, n.label());
      QWASM_CHECK(fresh, n.label(), ": output '", o, "' is already written by ", it->second,
                  " (each value must have exactly one writer)");
    }
}

Graph convert_graph(onnx::GraphProto& gp, const std::map<std::string, int64_t>& opsets,
                    const LoadOptions& opts) {
  Graph g;
  g.name = gp.name();
  for (auto& tp : *gp.mutable_initializer()) {
    QWASM_CHECK(!tp.name().empty(), "graph '", g.name, "': initializer without a name");
    QWASM_CHECK(!g.initializers.count(tp.name()), "graph '", g.name, "': initializer '", tp.name(),
                "' is given twice");
    g.initializers[tp.name()] = tensor_from_proto(tp, opts);
  }
  QWASM_CHECK(gp.sparse_initializer_size() == 0, "graph '", g.name, "': sparse initializers are not supported");
  for (const auto& vi : gp.input())
    if (!g.initializers.count(vi.name())) g.inputs.push_back(convert_value_info(vi));
  for (const auto& vi : gp.output()) g.outputs.push_back(convert_value_info(vi));
  for (const auto& vi : gp.value_info()) g.value_info[vi.name()] = convert_value_info(vi);
  g.nodes.reserve(size_t(gp.node_size()));
  int index = 0;
  for (auto& np : *gp.mutable_node()) {
    Node n;
    n.name = np.name().empty() ? "#" + std::to_string(index) : np.name();
    n.op_type = np.op_type();
    n.domain = np.domain() == "ai.onnx" ? "" : np.domain();
    auto it = opsets.find(n.domain);
    QWASM_CHECK(it != opsets.end(), n.label(), ": domain '", n.domain, "' is not in the model's opset imports");
    n.opset = it->second;
    n.inputs.assign(np.input().begin(), np.input().end());
    n.outputs.assign(np.output().begin(), np.output().end());
    for (auto& a : *np.mutable_attribute()) {
      QWASM_CHECK(a.ref_attr_name().empty(), n.label(), ": attribute references are only valid in functions");
      // Private attributes steer the ops the passes create (graph/private_attrs.h); a
      // model must not reach them.
      QWASM_CHECK(!is_private_attr(a.name()), n.label(), ": attribute '", a.name(), "' is reserved for qwasm's ",
                  "graph passes (names starting with '", kPrivateAttrPrefix, "' cannot appear in a model)");
      n.attrs[a.name()] = convert_attribute(a, n, opsets, opts);
    }
    g.nodes.push_back(std::move(n));
    ++index;
  }
  check_single_writer(gp, g);
  return g;
}

Model convert_model(onnx::ModelProto& mp, const LoadOptions& opts) {
  Model m;
  m.ir_version = mp.ir_version();
  m.producer = mp.producer_name();
  for (const auto& op : mp.opset_import()) {
    std::string d = op.domain() == "ai.onnx" ? "" : op.domain();
    const int64_t newest = newest_opset(d);
    QWASM_CHECK(newest < 0 || op.version() <= newest, "model imports opset ", op.version(), " of domain '",
                d.empty() ? "ai.onnx" : d, "', newer than the newest qwasm implements (", newest, ")");
    m.opsets[d] = op.version();
  }
  // IR version 3 and earlier models may omit the import of the default domain.
  if (!m.opsets.count("")) m.opsets[""] = 1;
  QWASM_CHECK(mp.has_graph(), "model has no graph");
  // A tensor input must say its element type: 0 (UNDEFINED) or an unknown code leaves
  // nothing to check feeds against.
  for (const auto& vi : mp.graph().input()) {
    if (!vi.has_type() || !vi.type().has_tensor_type()) continue;
    const int32_t et = vi.type().tensor_type().elem_type();
    QWASM_CHECK(dtype_is_valid(et), "graph input '", vi.name(), "': element type ", et,
                et == 0 ? " (UNDEFINED)" : "", " is not an ONNX tensor type");
  }
  m.graph = convert_graph(*mp.mutable_graph(), m.opsets, opts);
  return m;
}

}  // namespace

struct ParsedModel::Impl {
  onnx::ModelProto proto;
};

ParsedModel::ParsedModel() : impl_(std::make_unique<Impl>()) {}
ParsedModel::~ParsedModel() = default;

std::unique_ptr<ParsedModel> ParsedModel::parse(const std::vector<ByteChunk>& chunks) {
  size_t total = 0;
  for (const auto& c : chunks) total += c.size;
  QWASM_CHECK(total > 0, "model is empty (0 bytes)");
  std::unique_ptr<ParsedModel> pm(new ParsedModel());
  ChunkInputStream in(chunks);
  google::protobuf::io::CodedInputStream coded(&in);
  coded.SetTotalBytesLimit(INT32_MAX);
  if (!pm->impl_->proto.ParseFromCodedStream(&coded) || !coded.ConsumedEntireMessage())
    fail("model is not a valid ONNX protobuf (malformed or truncated, ", total, " bytes)");
  return pm;
}

std::vector<std::string> ParsedModel::external_locations() const {
  std::vector<std::string> out;
  for (const auto& tp : impl_->proto.graph().initializer()) {
    if (tp.data_location() != onnx::TensorProto::EXTERNAL) continue;
    for (const auto& kv : tp.external_data()) {
      if (kv.key() != "location") continue;
      validate_external_location(kv.value(), tp.name());
      if (std::find(out.begin(), out.end(), kv.value()) == out.end()) out.push_back(kv.value());
    }
  }
  return out;
}

std::vector<ExternalRef> ParsedModel::external_refs() const {
  std::vector<ExternalRef> out;
  for (const auto& tp : impl_->proto.graph().initializer())
    if (tp.data_location() == onnx::TensorProto::EXTERNAL) out.push_back(external_ref_of(tp));
  return out;
}

Model ParsedModel::convert(const LoadOptions& opts) { return convert_model(impl_->proto, opts); }

Model load_model(const std::vector<ByteChunk>& chunks, const LoadOptions& opts) {
  return ParsedModel::parse(chunks)->convert(opts);
}

Model load_model(const void* data, size_t size, const LoadOptions& opts) {
  return load_model(std::vector<ByteChunk>{{data, size}}, opts);
}

}  // namespace qwasm
