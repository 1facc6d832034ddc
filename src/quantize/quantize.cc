#include "quantize/quantize.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <unordered_map>

#include "graph/error.h"
#include "onnx.pb.h"
#include "onnx/tensor_proto.h"
#include "quantize/block_quant.h"
#include "quantize/gptq.h"
#include "quantize/input_scale.h"
#include "quantize/proto_util.h"
#include "quantize/static_quant.h"

namespace qwasm {
namespace {

constexpr const char* kMs = "com.microsoft";

// Ops whose presence means the model was quantized already: quantizing it again would stack
// a second quantization on values that are already rounded.
const std::set<std::string> kQuantizedOps = {
    "MatMulNBits", "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "MatMulInteger",
    "ConvInteger", "QLinearConv", "QLinearMatMul", "DynamicQuantizeMatMul", "QGemm", "QAttention",
    "MatMulIntegerToFloat", "GatherBlockQuantized"};

// Top-level Constant nodes holding a tensor (`value`) -> initializers of the same name.
// Exporters such as paddle2onnx write every weight as a Constant node, not an initializer; the
// modes find weights among initializers only, so such a model would have nothing to quantize.
// The two forms mean the same; returns whether any node was lifted.
bool lift_constant_nodes(onnx::GraphProto& g) {
  std::set<std::string> taken;
  for (const auto& t : g.initializer()) taken.insert(t.name());
  for (const auto& v : g.input()) taken.insert(v.name());
  google::protobuf::RepeatedPtrField<onnx::NodeProto> keep;
  bool lifted = false;
  for (auto& n : *g.mutable_node()) {
    const bool plain = n.op_type() == "Constant" && (n.domain().empty() || n.domain() == "ai.onnx") &&
                       n.output_size() == 1 && n.attribute_size() == 1 && n.attribute(0).name() == "value" &&
                       n.attribute(0).has_t() && !taken.count(n.output(0));
    if (!plain) {
      *keep.Add() = std::move(n);
      continue;
    }
    onnx::TensorProto* t = g.add_initializer();
    *t = std::move(*n.mutable_attribute(0)->mutable_t());
    t->set_name(n.output(0));
    taken.insert(n.output(0));
    lifted = true;
  }
  g.mutable_node()->Swap(&keep);  // every node was moved into keep or lifted
  return lifted;
}

// Mode dynamic raises ai.onnx to opset 11 (DynamicQuantizeLinear). Between the source's opset and
// 11 a few ops moved attributes into inputs: Slice (10) and Clip (11) are rewritten in their new
// form here (same meaning); the others would change meaning or stop loading, so they are refused
// with a clear Error (convert the model to opset 11 first) instead of writing a broken model.
void upgrade_ops_to_opset11(onnx::GraphProto& g, int64_t from) {
  struct Changed { const char* op; int64_t at; };
  static const Changed kRefused[] = {{"Upsample", 9}, {"Upsample", 10}, {"TopK", 10}, {"Resize", 11},
                                     {"Pad", 11}, {"Scatter", 11}};
  std::set<std::string> taken;
  for (const auto& t : g.initializer()) taken.insert(t.name());
  for (const auto& n : g.node())
    for (const auto& o : n.output()) taken.insert(o);
  auto fresh = [&](const std::string& base) {
    std::string name = base;
    for (int k = 1; taken.count(name); ++k) name = base + "_" + std::to_string(k);
    taken.insert(name);
    return name;
  };
  for (int i = 0; i < g.node_size(); ++i) {
    onnx::NodeProto& n = *g.mutable_node(i);
    if (!n.domain().empty() && n.domain() != "ai.onnx") continue;
    for (const auto& a : n.attribute())
      QWASM_CHECK(!a.has_g() && a.graphs_size() == 0, "quantize: mode 'dynamic' raises the model's ai.onnx opset from ",
                  from, " to 11, and node '", node_id(n, i), "' (", n.op_type(),
                  ") has a subgraph this upgrade does not read; convert the model to opset 11 or later first");
    for (const auto& c : kRefused)
      QWASM_CHECK(!(n.op_type() == c.op && from < c.at), "quantize: mode 'dynamic' raises the model's ai.onnx opset from ",
                  from, " to 11 (DynamicQuantizeLinear), which changes ", c.op, " (node '", node_id(n, i),
                  "'); convert the model to opset 11 or later first");
    const std::string base = n.name().empty() ? n.output(0) : n.name();
    if (n.op_type() == "Slice" && from < 10) {
      std::vector<int64_t> starts, ends, axes;
      for (const auto& a : n.attribute()) {
        auto& v = a.name() == "starts" ? starts : a.name() == "ends" ? ends : axes;
        if (a.name() == "starts" || a.name() == "ends" || a.name() == "axes") v.assign(a.ints().begin(), a.ints().end());
      }
      n.clear_attribute();
      for (auto* v : {&starts, &ends, &axes}) {
        if (v == &axes && axes.empty()) break;
        const std::string name = fresh(base + (v == &starts ? ".starts" : v == &ends ? ".ends" : ".axes"));
        *g.add_initializer() = make_tensor(name, onnx::TensorProto::INT64, {int64_t(v->size())}, v->data(), v->size());
        n.add_input(name);
      }
    } else if (n.op_type() == "Clip" && from < 11) {
      bool has_min = false, has_max = false;
      float lo = 0, hi = 0;
      for (const auto& a : n.attribute()) {
        if (a.name() == "min") has_min = true, lo = a.f();
        if (a.name() == "max") has_max = true, hi = a.f();
      }
      n.clear_attribute();
      n.add_input(has_min ? fresh(base + ".min") : "");
      if (has_min) *g.add_initializer() = make_tensor(n.input(1), onnx::TensorProto::FLOAT, {}, &lo, 1);
      if (has_max) {
        n.add_input(fresh(base + ".max"));
        *g.add_initializer() = make_tensor(n.input(2), onnx::TensorProto::FLOAT, {}, &hi, 1);
      }
    }
  }
}

struct Candidate {
  int node = -1;
  int weight = -1;  // index into graph.initializer
  int64_t K = 0, N = 0;  // MatMul / Gemm: the weight as [K, N]
  std::string op = "MatMul";
  bool trans_b = false;       // Gemm: B is [N, K]
  std::vector<int64_t> dims;  // Conv: W's dims
  int bias = -1;              // Conv: the constant bias vector, if any
};

bool attr_int(const onnx::NodeProto& n, const char* name, int64_t& v) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return v = a.i(), true;
  return false;
}
float attr_float(const onnx::NodeProto& n, const char* name, float d) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return a.f();
  return d;
}

void check_options(const QuantizeOptions& o) {
  using M = QuantizeOptions::Mode;
  QWASM_CHECK(o.algorithm == "rtn" || o.algorithm == "gptq" || o.algorithm == "awq", "quantize: algorithm '",
              o.algorithm, "' is not one of rtn, gptq, awq");
  if (o.algorithm != "rtn") {
    QWASM_CHECK(o.mode == M::WeightOnly, "quantize: algorithm '", o.algorithm, "' is for mode 'weight-only' (MatMulNBits)");
    QWASM_CHECK(!o.calibration.empty(), "quantize: algorithm '", o.algorithm, "' needs calibration data ",
                "(options.calibration.data: one or more feeds of the model's inputs), to measure each MatMul's inputs");
  }
  if (o.smooth_quant) {
    QWASM_CHECK(o.mode != M::WeightOnly, "quantize: smoothQuant is for the int8 modes 'dynamic' and 'static' (for ",
                "4-bit weights use weights.algorithm 'awq')");
    QWASM_CHECK(o.smooth_alpha >= 0 && o.smooth_alpha <= 1, "quantize: smoothQuant.alpha must be in [0, 1], got ",
                o.smooth_alpha);
    QWASM_CHECK(!o.calibration.empty(), "quantize: smoothQuant needs calibration data (options.calibration.data: one ",
                "or more feeds of the model's inputs), to measure each MatMul's input ranges");
  }
  QWASM_CHECK(o.weight_type == "int" || o.weight_type == "float8e4m3fn", "quantize: weights.type must be 'int' or ",
              "'float8e4m3fn', got '", o.weight_type, "'");
  if (o.weight_type != "int") {
    QWASM_CHECK(o.mode == M::WeightOnly, "quantize: weights.type '", o.weight_type, "' is for mode 'weight-only'");
    QWASM_CHECK(o.bits == 8, "quantize: weights.type '", o.weight_type, "' stores 8-bit floats; weights.bits ", o.bits,
                " needs weights.type 'int'");
    QWASM_CHECK(o.algorithm == "rtn", "quantize: weights.type '", o.weight_type, "' rounds to nearest; algorithm '",
                o.algorithm, "' is for integer weights");
  }
  if (o.mode == M::WeightOnly) {
    QWASM_CHECK(o.bits == 4 || o.bits == 8, "quantize: weights.bits must be 4 or 8 for weight-only, got ", o.bits);
    QWASM_CHECK(o.block_size >= 16 && o.block_size <= 256 && (o.block_size & (o.block_size - 1)) == 0,
                "quantize: weights.blockSize must be a power of two from 16 to 256, got ", o.block_size);
    QWASM_CHECK(o.accuracy_level >= 0 && o.accuracy_level <= 4, "quantize: accuracyLevel must be 0..4, got ",
                o.accuracy_level);
  } else {
    QWASM_CHECK(o.bits == 8, "quantize: mode '", o.mode == M::Dynamic ? "dynamic" : "static",
                "' quantizes weights to 8 bits; ", o.bits, "-bit weights need mode 'weight-only'");
  }
  if (o.mode != M::Static) {
    for (const auto& op : o.ops)
      QWASM_CHECK(op == "MatMul" || (o.mode == M::Dynamic && (op == "Gemm" || op == "Conv")), "quantize: op type '",
                  op, "' cannot be quantized yet in mode '", o.mode == M::Dynamic ? "dynamic" : "weight-only",
                  "' (supported: ", o.mode == M::Dynamic ? "MatMul, Gemm, Conv" : "MatMul; Gemm and Conv in modes "
                  "dynamic and static", ")");
    QWASM_CHECK(o.calibration.empty() || o.mode == M::Static || o.algorithm != "rtn" || o.smooth_quant,
                "quantize: calibration data is used by mode 'static' and weight-only algorithms gptq / awq, and by smoothQuant, only "
                "(weight-only RTN and dynamic need none)");
  }
}

onnx::NodeProto* add_node(std::vector<onnx::NodeProto>& out, const char* op, const std::string& name,
                          std::vector<std::string> in, std::vector<std::string> outs) {
  onnx::NodeProto n;
  n.set_name(name);
  n.set_op_type(op);
  for (auto& s : in) n.add_input(s);
  for (auto& s : outs) n.add_output(s);
  out.push_back(std::move(n));
  return &out.back();
}

// Rewrites node c (MatMul) of g into the weight-only or dynamic form; the new nodes are
// appended to `out_nodes` in order. Returns the report detail.
std::string rewrite(onnx::GraphProto& g, const Candidate& c, const std::vector<float>& w, const QuantizeOptions& o,
                    Names& names, std::vector<onnx::NodeProto>& out_nodes, const std::string& y,
                    const std::vector<double>* hessian) {
  const onnx::NodeProto& src = g.node(c.node);
  const std::string& a = src.input(0);
  const std::string base = g.initializer(c.weight).name();
  if (o.mode == QuantizeOptions::Mode::WeightOnly && o.weight_type == "float8e4m3fn") {
    // float8: per output channel behind DequantizeLinear (axis 1, no zero point); qwasm and
    // onnxruntime both run the pair as written.
    const Float8Weight q = quantize_float8_per_channel(w.data(), c.K, c.N);
    const std::string wq = names.make(base + "_float8"), ws = names.make(base + "_scale"),
                      wd = names.make(base + "_dequantized");
    *g.add_initializer() = make_tensor(wq, int(DType::Float8E4M3FN), {c.K, c.N}, q.q.data(), q.q.size());
    *g.add_initializer() = make_tensor(ws, onnx::TensorProto::FLOAT, {c.N}, q.scales.data(), q.scales.size());
    const std::string stem = src.name().empty() ? y : src.name();
    set_int_attr(*add_node(out_nodes, "DequantizeLinear", stem + "_weight_dequantize", {wq, ws}, {wd}), "axis", 1);
    add_node(out_nodes, "MatMul", src.name(), {a, wd}, {y});
    return "float8 E4M3FN per-channel weights (DequantizeLinear axis 1 -> MatMul)";
  }
  if (o.mode == QuantizeOptions::Mode::WeightOnly && o.bits == 8 && !hessian && !o.nbits8) {
    // int8: symmetric per output channel behind DequantizeLinear (axis 1 of W [K, N]); qwasm's
    // fuse_weight_dequant_matmul pass runs the pair on the packed integers, onnxruntime as written.
    const Int8Weight q = quantize_int8_per_channel(w.data(), c.K, c.N);
    const std::string wq = names.make(base + "_quantized"), ws = names.make(base + "_scale"),
                      wd = names.make(base + "_dequantized");
    *g.add_initializer() = make_tensor(wq, onnx::TensorProto::INT8, {c.K, c.N}, q.q.data(), q.q.size());
    *g.add_initializer() = make_tensor(ws, onnx::TensorProto::FLOAT, {c.N}, q.scales.data(), q.scales.size());
    const std::string stem = src.name().empty() ? y : src.name();
    set_int_attr(*add_node(out_nodes, "DequantizeLinear", stem + "_weight_dequantize", {wq, ws}, {wd}), "axis", 1);
    add_node(out_nodes, "MatMul", src.name(), {a, wd}, {y});
    return "8-bit symmetric per-channel weights (DequantizeLinear axis 1 -> MatMul)";
  }
  if (o.mode == QuantizeOptions::Mode::WeightOnly) {
    const NBitsWeight q = hessian ? quantize_nbits_gptq(w.data(), c.K, c.N, *hessian, o.bits, o.block_size, o.symmetric)
                                  : quantize_nbits(w.data(), c.K, c.N, o.bits, o.block_size, o.symmetric);
    const int64_t blob = o.block_size * o.bits / 8;
    onnx::NodeProto n;
    n.set_name(src.name());
    n.set_op_type("MatMulNBits");
    n.set_domain(kMs);
    n.add_input(a);
    const std::string bq = names.make(base + "_Q" + std::to_string(o.bits));
    *g.add_initializer() = make_tensor(bq, onnx::TensorProto::UINT8, {c.N, q.blocks, blob}, q.b.data(), q.b.size());
    n.add_input(bq);
    const std::string sc = names.make(base + "_scales");
    *g.add_initializer() = make_tensor(sc, onnx::TensorProto::FLOAT, {c.N * q.blocks}, q.scales.data(), q.scales.size());
    n.add_input(sc);
    if (!o.symmetric) {
      const std::string zp = names.make(base + "_zero_points");
      *g.add_initializer() = make_tensor(zp, onnx::TensorProto::UINT8, {int64_t(q.zero_points.size())},
                                         q.zero_points.data(), q.zero_points.size());
      n.add_input(zp);
    }
    n.add_output(y);
    set_int_attr(n, "K", c.K);
    set_int_attr(n, "N", c.N);
    set_int_attr(n, "bits", o.bits);
    set_int_attr(n, "block_size", o.block_size);
    set_int_attr(n, "accuracy_level", o.accuracy_level);
    out_nodes.push_back(std::move(n));
    return std::to_string(o.bits) + "-bit, block " + std::to_string(o.block_size) + (hessian ? ", gptq" : "") +
           (o.symmetric ? ", symmetric" : ", with zero points");
  }
  // dynamic: the chain onnxruntime's quantize_dynamic writes (per-channel int8 weights)
  const Int8Weight q = quantize_int8_per_channel(w.data(), c.K, c.N);
  const std::string stem = src.name().empty() ? y : src.name();
  const std::string wq = names.make(base + "_quantized"), wzp = names.make(base + "_zero_point"),
                    ws = names.make(base + "_scale");
  *g.add_initializer() = make_tensor(wq, onnx::TensorProto::INT8, {c.K, c.N}, q.q.data(), q.q.size());
  const std::vector<int8_t> zeros(size_t(c.N), 0);
  *g.add_initializer() = make_tensor(wzp, onnx::TensorProto::INT8, {c.N}, zeros.data(), zeros.size());
  *g.add_initializer() = make_tensor(ws, onnx::TensorProto::FLOAT, {c.N}, q.scales.data(), q.scales.size());
  const std::string aq = names.make(stem + "_A_quantized"), as = names.make(stem + "_A_scale"),
                    az = names.make(stem + "_A_zero_point"), acc = names.make(stem + "_int32"),
                    accf = names.make(stem + "_int32_float"), scale = names.make(stem + "_scale");
  add_node(out_nodes, "DynamicQuantizeLinear", stem + "_QuantizeLinear", {a}, {aq, as, az});
  add_node(out_nodes, "MatMulInteger", stem + "_MatMulInteger", {aq, wq, az, wzp}, {acc});
  set_int_attr(*add_node(out_nodes, "Cast", stem + "_Cast", {acc}, {accf}), "to", onnx::TensorProto::FLOAT);
  add_node(out_nodes, "Mul", stem + "_scales_mul", {as, ws}, {scale});
  add_node(out_nodes, "Mul", stem + "_output_scale_mul", {accf, scale}, {y});
  return "8-bit per-channel weights, activations quantized at run time (uint8)";
}

// Dynamic Conv, onnxruntime's quantize_dynamic form: DynamicQuantizeLinear(x) -> ConvInteger
// (x_q, W_q uint8, x_zp, 128) -> Cast -> Mul(x_scale * W_scale[M, 1, ...]) [-> Add(bias)].
// W_q is uint8 with the fixed zero point 128 and a scale per output channel (max |w| / 127,
// q = round(w / scale) + 128 in [1, 255]): the symmetric int8 weights shifted, because
// onnxruntime's ConvInteger takes uint8 weights with one zero point only.
std::string rewrite_conv(onnx::GraphProto& g, const Candidate& c, const ExternalFiles& external, Names& names,
                         std::vector<onnx::NodeProto>& out) {
  const onnx::NodeProto src = g.node(c.node);
  const auto& wt = g.initializer(c.weight);
  const std::vector<float> w = float_values(wt, external);
  const int64_t M = c.dims[0];
  const Int8Weight q = quantize_int8_per_axis(w.data(), 1, M, int64_t(w.size()) / std::max<int64_t>(M, 1), 127);
  std::vector<uint8_t> qu(q.q.size());
  for (size_t i = 0; i < qu.size(); ++i) qu[i] = uint8_t(int(q.q[i]) + 128);
  std::vector<int64_t> bshape(c.dims.size() - 1, 1);  // [M, 1, ...] broadcasts over [N, M, spatial]
  bshape[0] = M;
  const std::string stem = src.name().empty() ? src.output(0) : src.name();
  const std::string wq = names.make(wt.name() + "_quantized"), wz = names.make(wt.name() + "_zero_point"),
                    ws = names.make(wt.name() + "_scale");
  *g.add_initializer() = make_tensor(wq, onnx::TensorProto::UINT8, c.dims, qu.data(), qu.size());
  const uint8_t z = 128;
  *g.add_initializer() = make_tensor(wz, onnx::TensorProto::UINT8, {}, &z, 1);
  *g.add_initializer() = make_tensor(ws, onnx::TensorProto::FLOAT, bshape, q.scales.data(), q.scales.size());
  const std::string xq = names.make(stem + "_X_quantized"), xs = names.make(stem + "_X_scale"),
                    xz = names.make(stem + "_X_zero_point"), acc = names.make(stem + "_int32"),
                    accf = names.make(stem + "_int32_float"), scale = names.make(stem + "_scale");
  add_node(out, "DynamicQuantizeLinear", stem + "_QuantizeLinear", {src.input(0)}, {xq, xs, xz});
  onnx::NodeProto* ci = add_node(out, "ConvInteger", stem + "_ConvInteger", {xq, wq, xz, wz}, {acc});
  for (const auto& a : src.attribute()) *ci->add_attribute() = a;
  set_int_attr(*add_node(out, "Cast", stem + "_Cast", {acc}, {accf}), "to", onnx::TensorProto::FLOAT);
  add_node(out, "Mul", stem + "_scales_mul", {xs, ws}, {scale});
  std::string detail = "8-bit per-channel weights (uint8, zero point 128), activations quantized at run time (uint8)";
  if (c.bias < 0) {
    add_node(out, "Mul", stem + "_output_scale_mul", {accf, scale}, {src.output(0)});
  } else {
    const auto& bt = g.initializer(c.bias);
    const std::vector<float> b = float_values(bt, external);
    const std::string br = names.make(bt.name() + "_reshaped"), y0 = names.make(stem + "_unbiased");
    *g.add_initializer() = make_tensor(br, onnx::TensorProto::FLOAT, bshape, b.data(), b.size());
    add_node(out, "Mul", stem + "_output_scale_mul", {accf, scale}, {y0});
    add_node(out, "Add", stem + "_bias_add", {y0, br}, {src.output(0)});
    detail += ", float bias";
  }
  return detail;
}

// Opset imports, external data and serialization: the part every mode ends with.
void finish(onnx::ModelProto& m, const ExternalFiles& external, const QuantizeOptions& options,
            QuantizedModel& result) {
  onnx::GraphProto& g = *m.mutable_graph();
  // The output is self-contained: float tensors it keeps from the source's external files
  // are copied in (then written out again below when large), never referenced there.
  inline_external_data(g, external);
  if (options.mode == QuantizeOptions::Mode::WeightOnly) {
    bool has_ms = false;
    for (const auto& op : m.opset_import()) has_ms |= op.domain() == kMs;
    if (!has_ms) {
      auto* op = m.add_opset_import();
      op->set_domain(kMs);
      op->set_version(1);
    }
  } else if (options.mode == QuantizeOptions::Mode::Dynamic) {
    // DynamicQuantizeLinear and MatMulInteger need ai.onnx opset >= 11 / 10.
    for (auto& op : *m.mutable_opset_import())
      if ((op.domain().empty() || op.domain() == "ai.onnx") && op.version() < 11) {
        upgrade_ops_to_opset11(g, op.version());
        op.set_version(11);
      }
  }

  // Initializers above the threshold go to one external data file (of the output's own);
  // without a threshold, a model over protobuf's 2 GB limit puts every tensor of 1 KiB or
  // more there.
  uint64_t threshold = options.external_data_threshold;
  if (threshold == 0 && m.ByteSizeLong() >= (size_t(1) << 31)) threshold = 1024;
  if (threshold > 0) {
    std::string file;
    for (auto& t : *g.mutable_initializer()) {
      if (t.data_location() == onnx::TensorProto::EXTERNAL || t.raw_data().size() < threshold)
        continue;
      while (file.size() % 64) file.push_back('\0');  // aligned offsets, as onnx's writer does
      const size_t offset = file.size();
      file += t.raw_data();
      const size_t length = t.raw_data().size();
      t.clear_raw_data();
      t.set_data_location(onnx::TensorProto::EXTERNAL);
      auto add = [&](const char* k, const std::string& v) {
        auto* e = t.add_external_data();
        e->set_key(k);
        e->set_value(v);
      };
      add("location", options.external_data_name);
      add("offset", std::to_string(offset));
      add("length", std::to_string(length));
    }
    if (!file.empty()) result.external.emplace_back(options.external_data_name, std::move(file));
  }
  QWASM_CHECK(m.ByteSizeLong() < (size_t(1) << 31), "quantize: the quantized model is ", m.ByteSizeLong(),
              " bytes, over protobuf's 2 GB limit even with its large tensors in external data");
  result.model = m.SerializeAsString();
}

}  // namespace

std::vector<std::string> external_data_files(const void* data, size_t size) {
  onnx::ModelProto m;
  QWASM_CHECK(size > 0 && size <= size_t(INT32_MAX) && m.ParseFromArray(data, int(size)),
              "quantize: the model is not a valid ONNX ModelProto (", size, " bytes)");
  std::vector<std::string> out;
  for (const auto& t : m.graph().initializer()) {
    if (t.data_location() != onnx::TensorProto::EXTERNAL) continue;
    const std::string loc = external_ref_of(t).location;
    if (std::find(out.begin(), out.end(), loc) == out.end()) out.push_back(loc);
  }
  return out;
}

QuantizedModel quantize_model(const void* data, size_t size, const ExternalFiles& external,
                              const QuantizeOptions& options_in, const QuantizeProgress& progress) {
  QuantizeOptions options = options_in;
  if (options.bits == 0)
    options.bits = options.mode == QuantizeOptions::Mode::WeightOnly && options.weight_type == "int" ? 4 : 8;
  check_options(options);
  QWASM_CHECK(size > 0, "quantize: the model is empty (0 bytes)");
  onnx::ModelProto m;
  QWASM_CHECK(size <= size_t(INT32_MAX) && m.ParseFromArray(data, int(size)),
              "quantize: the model is not a valid ONNX ModelProto (", size, " bytes)");
  QWASM_CHECK(m.has_graph(), "quantize: the model has no graph");
  onnx::GraphProto& g = *m.mutable_graph();
  QuantizedModel result;
  result.source_bytes = size;
  for (const auto& kv : external) result.source_bytes += kv.second.size();

  for (int i = 0; i < g.node_size(); ++i) {
    const auto& n = g.node(i);
    if (kQuantizedOps.count(n.op_type()))
      fail("quantize: the model is already quantized (node '", node_id(n, i), "' is ", n.op_type(),
           "); quantize its float original instead");
  }
  if (lift_constant_nodes(g)) {
    // Every path below (AWQ / SmoothQuant scaling, static calibration) re-reads the source bytes:
    // hand them the lifted model. Its external tensors are the source's, unchanged.
    const std::string lifted = m.SerializeAsString();
    QuantizedModel r = quantize_model(lifted.data(), lifted.size(), external, options_in, progress);
    r.source_bytes = result.source_bytes;
    return r;
  }
  if (options.algorithm == "awq" || options.smooth_quant) {
    // Scales first (a float model again), then the plain mode on it.
    const ScaledModel scaled = scale_matmul_inputs(data, size, external, options);
    QuantizeOptions plain = options;
    plain.algorithm = "rtn";
    plain.nbits8 = options.algorithm == "awq";  // 8 bits: the blocks awq searched, not per-channel int8
    plain.smooth_quant = false;
    if (plain.mode != QuantizeOptions::Mode::Static) plain.calibration.clear();
    QuantizedModel r = quantize_model(scaled.model.data(), scaled.model.size(), external, plain, progress);
    for (auto& e : r.report) {
      auto it = scaled.notes.find(e.node);
      if (it != scaled.notes.end()) e.detail += "; " + it->second;
    }
    r.source_bytes = result.source_bytes;
    return r;
  }
  if (options.mode == QuantizeOptions::Mode::Static) {
    quantize_static(m, data, size, external, options, progress, result);
    finish(m, external, options, result);
    return result;
  }
  std::unordered_map<std::string, int> init_index;
  for (int i = 0; i < g.initializer_size(); ++i) init_index[g.initializer(i).name()] = i;
  std::unordered_map<std::string, int> uses;
  for (const auto& n : g.node())
    for (const auto& s : n.input()) ++uses[s];
  for (const auto& o : g.output()) ++uses[o.name()];
  std::set<std::string> graph_inputs;
  for (const auto& v : g.input()) graph_inputs.insert(v.name());

  const std::set<std::string> excluded(options.exclude.begin(), options.exclude.end());
  std::set<std::string> ops(options.ops.begin(), options.ops.end());
  if (ops.empty()) {
    ops = {"MatMul"};
    if (options.mode == QuantizeOptions::Mode::Dynamic) ops = {"MatMul", "Gemm", "Conv"};
  }
  std::vector<Candidate> candidates;
  std::map<int, std::string> left_float;  // node -> why
  for (int i = 0; i < g.node_size(); ++i) {
    const auto& n = g.node(i);
    if (!n.domain().empty() && n.domain() != "ai.onnx") continue;
    const std::string& op = n.op_type();
    if (op != "MatMul" && op != "Gemm" && op != "Conv") continue;
    if (!ops.count(op)) {
      if (op != "MatMul" && options.mode == QuantizeOptions::Mode::WeightOnly && options.ops.empty())
        left_float[i] = op + " is not quantized in mode 'weight-only' (MatMulNBits is a MatMul); modes dynamic and "
                        "static quantize it";
      else if (!options.ops.empty())
        left_float[i] = "not in options.ops";
      continue;
    }
    if (excluded.count(n.name())) {
      left_float[i] = "excluded by options.exclude";
      continue;
    }
    auto it = n.input_size() >= 2 ? init_index.find(n.input(1)) : init_index.end();
    if (it == init_index.end() || graph_inputs.count(n.input(1))) {
      left_float[i] = "its weight (input 1) is not a constant initializer";
      continue;
    }
    const auto& w = g.initializer(it->second);
    if (w.data_type() != onnx::TensorProto::FLOAT) {
      left_float[i] = "its weight is not float32";
      continue;
    }
    Candidate c;
    c.node = i, c.weight = it->second, c.K = 0, c.N = 0;
    c.op = op;
    if (op == "Conv") {
      if (w.dims_size() < 3) {
        left_float[i] = "its weight has rank " + std::to_string(w.dims_size()) + ", not 3 or more";
        continue;
      }
      c.dims.assign(w.dims().begin(), w.dims().end());
      if (n.input_size() > 2 && !n.input(2).empty()) {
        auto b = init_index.find(n.input(2));
        if (b == init_index.end() || graph_inputs.count(n.input(2)) ||
            g.initializer(b->second).data_type() != onnx::TensorProto::FLOAT ||
            g.initializer(b->second).dims_size() != 1 || g.initializer(b->second).dims(0) != c.dims[0]) {
          left_float[i] = "its bias is not a constant float32 vector of " + std::to_string(c.dims[0]) + " values";
          continue;
        }
        c.bias = b->second;
      }
      candidates.push_back(std::move(c));
      continue;
    }
    if (w.dims_size() != 2) {
      left_float[i] = "its weight has rank " + std::to_string(w.dims_size()) + ", not 2";
      continue;
    }
    int64_t v = 0;
    if (op == "Gemm") {
      if ((attr_int(n, "transA", v) && v != 0) || attr_float(n, "alpha", 1) != 1 || attr_float(n, "beta", 1) != 1) {
        left_float[i] = "Gemm with transA, alpha != 1 or beta != 1 is left float";
        continue;
      }
      c.trans_b = attr_int(n, "transB", v) && v != 0;
    } else if (n.input_size() != 2) {
      continue;
    }
    const int64_t K = w.dims(c.trans_b ? 1 : 0), N = w.dims(c.trans_b ? 0 : 1);
    if (K < 16 || N < 1) {
      left_float[i] = "its weight [" + std::to_string(K) + ", " + std::to_string(N) + "] is too small to gain";
      continue;
    }
    c.K = K, c.N = N;
    candidates.push_back(std::move(c));
  }
  if (candidates.empty()) {
    std::string why;
    for (auto& kv : left_float) why += "; " + node_id(g.node(kv.first), kv.first) + ": " + kv.second;
    fail("quantize: the model has no node this mode can quantize (",
         options.mode == QuantizeOptions::Mode::Dynamic ? "MatMul, Gemm or Conv" : "MatMul",
         " with a constant float32 weight)", why.empty() ? std::string(" and no MatMul at all") : why);
  }

  // GPTQ: sum X^T X of each quantized MatMul's input over the calibration data.
  std::map<std::string, ActivationStats> stats;
  if (options.algorithm == "gptq") {
    std::map<std::string, int64_t> inputs;
    for (const Candidate& c : candidates)
      if (c.op != "Conv") inputs[g.node(c.node).input(0)] = c.K;
    stats = collect_activation_stats(data, size, external, options.calibration, inputs, /*hessians=*/true);
  }

  // Weight-only int8 (round to nearest) writes per-channel DequantizeLinear (axis: opset 13).
  const bool weight_only = options.mode == QuantizeOptions::Mode::WeightOnly;
  const bool int8_dq = weight_only && options.bits == 8 && options.algorithm != "gptq" && !options.nbits8;
  const bool float8 = options.weight_type == "float8e4m3fn";
  if (int8_dq) {
    int64_t opset = 0;
    for (const auto& op : m.opset_import())
      if (op.domain().empty() || op.domain() == "ai.onnx") opset = op.version();
    QWASM_CHECK(opset >= 13, "quantize: weight-only 8-bit writes per-channel DequantizeLinear, which needs ai.onnx ",
                "opset 13 or later; the model imports opset ", opset, " (4-bit weights write MatMulNBits)");
    // Raising the opset would change what other nodes mean (Split, Reduce*, Pad ... moved
    // attributes to inputs at 13 and 18), so a model below 19 is refused, not rewritten.
    QWASM_CHECK(!float8 || opset >= 19, "quantize: float8 weights need DequantizeLinear of opset 19 or later; the ",
                "model imports ai.onnx opset ", opset, " (weights.type 'int' works from opset 13)");
  }

  // Rewrite: every node keeps its place; a quantized MatMul becomes its replacement chain.
  Names names(g);
  std::map<int, std::vector<onnx::NodeProto>> replacement;
  std::set<int> dropped_weights;
  size_t done = 0;
  for (const Candidate& c : candidates) {
    const auto& n = g.node(c.node);
    std::vector<onnx::NodeProto>& out = replacement[c.node];
    std::string detail, action = !weight_only ? "MatMulInteger" : int8_dq ? "DequantizeLinear" : "MatMulNBits";
    if (c.op == "Conv") {
      detail = "[" + std::to_string(c.dims[0]) + ", ...] " + rewrite_conv(g, c, external, names, out);
      action = "ConvInteger";
      if (c.bias >= 0 && --uses[g.initializer(c.bias).name()] == 0) dropped_weights.insert(c.bias);
    } else {
      std::vector<float> w = float_values(g.initializer(c.weight), external);
      if (c.trans_b) {  // B [N, K] -> [K, N]
        std::vector<float> t(w.size());
        for (int64_t k = 0; k < c.K; ++k)
          for (int64_t j = 0; j < c.N; ++j) t[size_t(k * c.N + j)] = w[size_t(j * c.K + k)];
        w.swap(t);
      }
      const bool add_c = c.op == "Gemm" && n.input_size() > 2 && !n.input(2).empty();
      const std::string y = add_c ? names.make((n.name().empty() ? n.output(0) : n.name()) + "_matmul") : n.output(0);
      detail = "[" + std::to_string(c.K) + ", " + std::to_string(c.N) + "] " + rewrite(g, c, w, options, names, out, y,
                                                                                 stats.empty() ? nullptr : &stats.at(n.input(0)).h);
      if (add_c) {
        onnx::NodeProto add;
        add.set_name((n.name().empty() ? n.output(0) : n.name()) + "_bias_add");
        add.set_op_type("Add");
        add.add_input(y);
        add.add_input(n.input(2));
        add.add_output(n.output(0));
        out.push_back(std::move(add));
        detail += ", then Add(C)";
      }
      if (c.trans_b) detail += " (B transposed once)";
    }
    result.report.push_back({node_id(n, c.node), n.op_type(), action, detail});
    if (--uses[g.initializer(c.weight).name()] == 0) dropped_weights.insert(c.weight);
    if (progress) progress(++done, candidates.size());
  }
  for (auto& kv : left_float) result.report.push_back({node_id(g.node(kv.first), kv.first), g.node(kv.first).op_type(), "float", kv.second});

  google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
  for (int i = 0; i < g.node_size(); ++i) {
    auto r = replacement.find(i);
    if (r == replacement.end()) *nodes.Add() = std::move(*g.mutable_node(i));
    else for (auto& n : r->second) *nodes.Add() = std::move(n);
  }
  g.mutable_node()->Swap(&nodes);
  google::protobuf::RepeatedPtrField<onnx::TensorProto> inits;
  for (int i = 0; i < g.initializer_size(); ++i)
    if (!dropped_weights.count(i)) *inits.Add() = std::move(*g.mutable_initializer(i));
  g.mutable_initializer()->Swap(&inits);

  finish(m, external, options, result);
  return result;
}

}  // namespace qwasm
