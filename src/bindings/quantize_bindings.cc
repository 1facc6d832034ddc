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
    o.ops = vecFromJSArray<std::string>(opts["ops"]);
    o.exclude = vecFromJSArray<std::string>(opts["exclude"]);
    o.external_data_threshold = uint64_t(opts["externalDataThreshold"].as<double>());
    o.external_data_name = opts["externalDataName"].as<std::string>();
    try {
      result_ = qwasm::quantize_model(model_.data(), model_.size(), external_, o, [&](size_t done, size_t total) {
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
};

}  // namespace

EMSCRIPTEN_BINDINGS(qwasm_quantize) {
  class_<Quantizer>("Quantizer")
      .constructor<>()
      .function("buffer", &Quantizer::buffer)
      .function("bufferView", &Quantizer::bufferView)
      .function("externalFiles", &Quantizer::externalFiles)
      .function("run", &Quantizer::run);
}
