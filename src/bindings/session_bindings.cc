#include <emscripten/bind.h>

#include <algorithm>

#include "bindings/handles.h"
#include "bindings/session_handle.h"

using namespace emscripten;

namespace qwasm::bindings {
namespace {

val value_info_list(const std::vector<ValueInfo>& infos) {
  val arr = val::array();
  for (const auto& vi : infos) {
    val o = val::object();
    o.set("name", vi.name);
    o.set("type", int(vi.dtype));
    val dims = val::array();
    for (const auto& d : vi.dims) {
      if (d.value >= 0) dims.call<void>("push", double(d.value));
      else dims.call<void>("push", d.param.empty() ? val::null() : val(d.param));
    }
    o.set("dims", vi.has_shape ? dims : val::null());
    arr.call<void>("push", o);
  }
  return arr;
}

}  // namespace

void SessionHandle::startProfiling() {
  profile_.clear();
  session_->set_profile(&profile_);
}

val SessionHandle::endProfiling() {
  session_->set_profile(nullptr);
  val arr = val::array();
  for (const auto& kv : profile_) {
    val o = val::object();
    o.set("op", kv.first);
    o.set("ms", kv.second.first);
    o.set("calls", double(kv.second.second));
    arr.call<void>("push", o);
  }
  profile_.clear();
  return arr;
}

val SessionHandle::inputInfo() const { return value_info_list(session_->inputs()); }
val SessionHandle::outputInfo() const { return value_info_list(session_->outputs()); }

val SessionHandle::stageInput(const std::string& name, int dtype, val dims_js) {
  return guarded([&] {
    QWASM_CHECK(dtype_is_valid(dtype) && dtype_size(DType(dtype)) > 0, "input '", name, "': unsupported type code ", dtype);
    Shape shape;
    unsigned n = dims_js["length"].as<unsigned>();
    for (unsigned i = 0; i < n; ++i) {
      double d = dims_js[i].as<double>();
      QWASM_CHECK(d >= 0 && d == double(int64_t(d)), "input '", name, "': dimension ", i, " is ", d,
                  ", expected a non-negative integer");
      shape.push_back(int64_t(d));
    }
    Tensor t(DType(dtype), shape);
    for (auto& kv : inputs_)
      if (kv.first == name) kv.second = t;
    if (std::none_of(inputs_.begin(), inputs_.end(), [&](auto& kv) { return kv.first == name; }))
      inputs_.emplace_back(name, t);
    val r = val::object();
    r.set("ptr", double(reinterpret_cast<uintptr_t>(t.raw())));
    r.set("bytes", double(t.bytes()));
    return r;
  });
}

void SessionHandle::setCarry(val pairs) {
  std::vector<std::pair<std::string, std::string>> p;
  unsigned n = pairs["length"].as<unsigned>();
  for (unsigned i = 0; i < n; ++i) p.emplace_back(pairs[i][0].as<std::string>(), pairs[i][1].as<std::string>());
  carry_.set_pairs(std::move(p));
}

val SessionHandle::run(val names_js) {
  val r = guarded([&] {
    std::vector<std::string> names;
    unsigned n = names_js["length"].as<unsigned>();
    for (unsigned i = 0; i < n; ++i) names.push_back(names_js[i].as<std::string>());
    // Carried outputs are computed but stay here; JS-staged inputs win over carried ones.
    outputs_ = carry_.run(*session_, inputs_, std::move(names));
    val arr = val::array();
    for (const auto& [name, t] : outputs_) {
      // The JS API has tensors only; sequences / optionals stay inside the graph.
      QWASM_CHECK(t.is_tensor(), "output '", name, "' is a ", t.kind_str(),
                  ", which the JS API cannot return (it returns tensors only)");
      val o = val::object();
      o.set("name", name);
      o.set("type", int(t.dtype()));
      val dims = val::array();
      for (int64_t d : t.shape()) dims.call<void>("push", double(d));
      o.set("dims", dims);
      o.set("ptr", double(reinterpret_cast<uintptr_t>(t.raw())));
      o.set("bytes", double(t.bytes()));
      arr.call<void>("push", o);
    }
    val ok = val::object();
    ok.set("outputs", arr);
    return ok;
  });
  inputs_.clear();  // inputs are per run; their memory goes back now
  return r;
}

}  // namespace qwasm::bindings

EMSCRIPTEN_BINDINGS(qwasm_session) {
  using qwasm::bindings::SessionHandle;
  class_<SessionHandle>("SessionHandle")
      .function("inputInfo", &SessionHandle::inputInfo)
      .function("threads", &SessionHandle::threads)
      .function("outputInfo", &SessionHandle::outputInfo)
      .function("stageInput", &SessionHandle::stageInput)
      .function("run", &SessionHandle::run)
      .function("clearOutputs", &SessionHandle::clearOutputs)
      .function("clearInputs", &SessionHandle::clearInputs)
      .function("setCarry", &SessionHandle::setCarry)
      .function("clearCarry", &SessionHandle::clearCarry)
      .function("startProfiling", &SessionHandle::startProfiling)
      .function("endProfiling", &SessionHandle::endProfiling);
}
