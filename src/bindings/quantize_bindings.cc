// qwasm/quantize's wasm side (its own small module, dist/qwasm-quantize.*): JS writes the
// model and its external files into buffers this object owns, then run(options) quantizes
// and returns views of the results, which JS copies out before the next call.
#include <emscripten/bind.h>

#include <cstdint>
#include <map>
#include <string>

#include "api/quantize.h"

using namespace emscripten;

namespace {

val error(const std::string& msg) {
  val o = val::object();
  o.set("error", msg);
  return o;
}

val view(const std::string& s) {
  return val(typed_memory_view(s.size(), reinterpret_cast<const uint8_t*>(s.data())));
}

class Quantizer {
 public:
  // Makes a buffer of `bytes` for the model ("") or an external data file (its location);
  // false when memory ran out.
  bool buffer(const std::string& name, size_t bytes) {
    try {
      (name.empty() ? model_ : external_[name]).assign(bytes, '\0');
      return true;
    } catch (const std::bad_alloc&) {
      return false;
    }
  }

  // A Uint8Array over that buffer, made fresh on each call (memory growth detaches old views).
  val bufferView(const std::string& name) {
    if (name.empty()) return view(model_);
    auto it = external_.find(name);
    return it == external_.end() ? val::undefined() : view(it->second);
  }

  val externalFiles() {
    val out = val::array();
    try {
      int i = 0;
      for (const auto& f : qwasm::external_data_files(model_.data(), model_.size())) out.set(i++, f);
    } catch (const std::exception& e) {
      return error(e.what());
    }
    return out;
  }

  // Makes tensor `name` of calibration feed `feed` (dtype: onnx.proto code; dims: array)
  // and returns a Uint8Array over its bytes for JS to fill at once, or { error }.
  val stageCalibration(int feed, const std::string& name, int dtype, val dims_js) {
    try {
      QWASM_CHECK(feed >= 0 && feed < (1 << 24), "calibration feed ", feed, ": bad index");
      QWASM_CHECK(qwasm::dtype_is_valid(dtype) && qwasm::dtype_size(qwasm::DType(dtype)) > 0, "calibration feed ",
                  feed, ", input '", name, "': unsupported type code ", dtype);
      qwasm::Shape shape;
      const auto dims = vecFromJSArray<double>(dims_js);
      for (double d : dims) {
        QWASM_CHECK(d >= 0 && d < 9.0e15 && d == double(int64_t(d)), "calibration feed ", feed, ", input '", name,
                    "': bad dimension ", d);
        shape.push_back(int64_t(d));
      }
      if (feed >= int(calibration_.size())) calibration_.resize(size_t(feed) + 1);
      calibration_[size_t(feed)].push_back({name, qwasm::Tensor(qwasm::DType(dtype), shape)});
      qwasm::Tensor& t = calibration_[size_t(feed)].back().second;
      return val(typed_memory_view(t.bytes(), static_cast<uint8_t*>(t.raw())));
    } catch (const std::exception& e) {
      return error(e.what());
    }
  }

  // The number of calibration feeds (those without tensors stay empty).
  void calibrationFeeds(int n) {
    if (n >= 0 && n < (1 << 24)) calibration_.resize(size_t(n));
  }

  val run(val opts, val on_progress) {
    qwasm::QuantizeOptions o;
    const std::string mode = opts["mode"].as<std::string>();
    if (mode == "weight-only") o.mode = qwasm::QuantizeOptions::Mode::WeightOnly;
    else if (mode == "dynamic") o.mode = qwasm::QuantizeOptions::Mode::Dynamic;
    else if (mode == "static") o.mode = qwasm::QuantizeOptions::Mode::Static;
    else return error("quantize: options.mode must be 'weight-only', 'dynamic' or 'static', got '" + mode + "'");
    o.bits = opts["bits"].as<int>();
    o.block_size = opts["blockSize"].as<int>();
    o.symmetric = opts["symmetric"].as<bool>();
    o.accuracy_level = opts["accuracyLevel"].as<int>();
    o.algorithm = opts["algorithm"].as<std::string>();
    o.awq_clip = opts["awqClip"].as<bool>();
    o.weight_type = opts["weightType"].as<std::string>();
    o.smooth_alpha = opts["smoothQuantAlpha"].as<double>();  // < 0: off
    o.smooth_quant = o.smooth_alpha >= 0;
    if (!o.smooth_quant) o.smooth_alpha = 0.5;
    o.ops = vecFromJSArray<std::string>(opts["ops"]);
    o.exclude = vecFromJSArray<std::string>(opts["exclude"]);
    o.external_data_threshold = uint64_t(opts["externalDataThreshold"].as<double>());
    o.external_data_name = opts["externalDataName"].as<std::string>();
    o.activations = opts["activations"].as<std::string>() == "int8" ? qwasm::QuantizeOptions::Activations::Int8
                                                                    : qwasm::QuantizeOptions::Activations::UInt8;
    o.reduce_range = opts["reduceRange"].as<bool>();
    const std::string method = opts["calibrationMethod"].as<std::string>();
    using C = qwasm::QuantizeOptions::Calibration;
    o.calibration_method = method == "entropy" ? C::Entropy : method == "percentile" ? C::Percentile : C::MinMax;
    o.percentile = opts["percentile"].as<double>();
    o.keep_float = opts["keepFloat"].as<int>();
    o.calibration = std::move(calibration_);
    calibration_.clear();
    try {
      const qwasm::ExternalFiles files(external_.begin(), external_.end());
      result_ = qwasm::quantize_model(model_.data(), model_.size(), files, o, [&](size_t done, size_t total) {
        if (!on_progress.isUndefined()) on_progress(double(done), double(total));
      });
    } catch (const std::exception& e) {
      return error(e.what());
    }
    // The source is no longer needed: give its memory back before JS copies the result.
    std::string().swap(model_);
    external_.clear();
    val out = val::object();
    out.set("model", view(result_.model));
    val ext = val::array();
    int i = 0;
    for (const auto& f : result_.external) {
      val e = val::object();
      e.set("path", f.first);
      e.set("data", view(f.second));
      ext.set(i++, e);
    }
    out.set("external", ext);
    val report = val::array();
    i = 0;
    for (const auto& r : result_.report) {
      val e = val::object();
      e.set("node", r.node);
      e.set("opType", r.op_type);
      e.set("action", r.action);
      e.set("detail", r.detail);
      report.set(i++, e);
    }
    out.set("report", report);
    out.set("sourceBytes", double(result_.source_bytes));
    return out;
  }

 private:
  std::string model_;
  std::map<std::string, std::string> external_;
  qwasm::QuantizedModel result_;
  qwasm::CalibrationFeeds calibration_;
};

}  // namespace

EMSCRIPTEN_BINDINGS(qwasm_quantize) {
  class_<Quantizer>("Quantizer")
      .constructor<>()
      .function("buffer", &Quantizer::buffer)
      .function("bufferView", &Quantizer::bufferView)
      .function("externalFiles", &Quantizer::externalFiles)
      .function("stageCalibration", &Quantizer::stageCalibration)
      .function("calibrationFeeds", &Quantizer::calibrationFeeds)
      .function("run", &Quantizer::run);
}
