#include <emscripten/bind.h>

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

void SessionHandle::startProfiling(bool by_shape) {
  profile_.clear();
  session_->set_profile(&profile_, by_shape);
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

double SessionHandle::dimsBuffer(int n) {
  dims_.resize(size_t(n > 0 ? n : 1));
  return double(reinterpret_cast<uintptr_t>(dims_.data()));
}

double SessionHandle::stage(int input, int dtype, int rank, int offset) {
  try {
    const auto& infos = session_->inputs();
    QWASM_CHECK(input >= 0 && size_t(input) < infos.size(), "input number ", input, " does not exist");
    const std::string& name = infos[size_t(input)].name;
    QWASM_CHECK(dtype_is_valid(dtype) && dtype_size(DType(dtype)) > 0, "input '", name, "': unsupported type code ", dtype);
    QWASM_CHECK(rank >= 0 && offset >= 0 && size_t(offset) + size_t(rank) <= dims_.size(), "input '", name,
                "': dims outside the staged buffer");
    Shape shape;
    shape.reserve(size_t(rank));
    for (int i = 0; i < rank; ++i) {
      double d = dims_[size_t(offset + i)];
      QWASM_CHECK(d >= 0 && d == double(int64_t(d)), "input '", name, "': dimension ", i, " is ", d,
                  ", expected a non-negative integer");
      shape.push_back(int64_t(d));
    }
    Tensor t(DType(dtype), std::move(shape));
    bool found = false;
    for (auto& kv : inputs_)
      if (kv.first == name) kv.second = t, found = true;
    if (!found) inputs_.emplace_back(name, t);
    return double(reinterpret_cast<uintptr_t>(t.raw()));
  } catch (const std::exception& e) {
    error_ = e.what();
  } catch (...) {
    error_ = "unknown error";
  }
  return -1;
}

double SessionHandle::runStaged(val names_js) {
  std::vector<std::string> names;
  try {
    unsigned n = names_js["length"].as<unsigned>();
    for (unsigned i = 0; i < n; ++i) names.push_back(names_js[i].as<std::string>());
  } catch (const std::exception& e) {
    error_ = e.what();
    inputs_.clear();
    return -1;
  }
  return run_named(std::move(names));
}

double SessionHandle::run_named(std::vector<std::string> names) {
  double r = -1;
  try {
    outputs_ = carry_.run(*session_, inputs_, std::move(names));
    const auto& infos = session_->outputs();
    meta_.assign(1, 0.0);
    for (const auto& [name, t] : outputs_) {
      QWASM_CHECK(t.is_tensor(), "output '", name, "' is a ", t.kind_str(),
                  ", which the JS API cannot return (it returns tensors only)");
      size_t index = 0;
      while (index < infos.size() && infos[index].name != name) ++index;
      meta_.push_back(double(index));
      meta_.push_back(double(int(t.dtype())));
      meta_.push_back(double(reinterpret_cast<uintptr_t>(t.raw())));
      meta_.push_back(double(t.bytes()));
      meta_.push_back(double(t.rank()));
      for (int64_t d : t.shape()) meta_.push_back(double(d));
    }
    meta_[0] = double(meta_.size() - 1);
    r = double(reinterpret_cast<uintptr_t>(meta_.data()));
  } catch (const std::exception& e) {
    error_ = e.what();
    outputs_.clear();
  } catch (...) {
    error_ = "unknown error";
    outputs_.clear();
  }
  inputs_.clear();  // inputs are per run; their memory goes back now
  return r;
}

void SessionHandle::setCarry(val pairs) {
  std::vector<std::pair<std::string, std::string>> p;
  unsigned n = pairs["length"].as<unsigned>();
  for (unsigned i = 0; i < n; ++i) p.emplace_back(pairs[i][0].as<std::string>(), pairs[i][1].as<std::string>());
  carry_.set_pairs(std::move(p));
}

}  // namespace qwasm::bindings

EMSCRIPTEN_BINDINGS(qwasm_session) {
  using qwasm::bindings::SessionHandle;
  class_<SessionHandle>("SessionHandle")
      .function("inputInfo", &SessionHandle::inputInfo)
      .function("threads", &SessionHandle::threads)
      .function("outputInfo", &SessionHandle::outputInfo)
      .function("clearOutputs", &SessionHandle::clearOutputs)
      .function("clearInputs", &SessionHandle::clearInputs)
      .function("dimsBuffer", &SessionHandle::dimsBuffer)
      .function("stage", &SessionHandle::stage)
      .function("runStaged", &SessionHandle::runStaged)
      .function("runStagedAll", &SessionHandle::runStagedAll)
      .function("lastError", &SessionHandle::lastError)
      .function("setCarry", &SessionHandle::setCarry)
      .function("clearCarry", &SessionHandle::clearCarry)
      .function("startProfiling", &SessionHandle::startProfiling)
      .function("endProfiling", &SessionHandle::endProfiling);
}
