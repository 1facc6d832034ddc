// What JS holds for a session: the C++ Session plus staged inputs and the last
// run's outputs (JS copies them out, then calls clearOutputs()).
#pragma once
#include <emscripten/val.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/kv_carry.h"
#include "api/session.h"

namespace qwasm::bindings {

class SessionHandle {
 public:
  explicit SessionHandle(std::unique_ptr<Session> s) : session_(std::move(s)) {}

  emscripten::val inputInfo() const;
  emscripten::val outputInfo() const;
  int threads() const { return session_->threads(); }
  // Allocates input `name` with dtype code and dims; returns {ptr, bytes} for JS to fill.
  emscripten::val stageInput(const std::string& name, int dtype, emscripten::val dims);
  // Runs with the staged inputs; `names` = JS array of output names (empty = all).
  // Returns {outputs: [{name, type, dims, ptr, bytes}]} or {error}.
  emscripten::val run(emscripten::val names);
  void clearOutputs() { outputs_.clear(); }
  void clearInputs() { inputs_.clear(); }

  // Carried values (decoder KV caches, api/kv_carry.h): after each run, output `from`
  // becomes input `to` of the next run without leaving wasm memory. `pairs` = JS array
  // of [from, to]; carried outputs are not returned to JS.
  void setCarry(emscripten::val pairs);
  // Drops carried tensors (a new sequence starts; JS stages fresh inputs).
  void clearCarry() { carry_.clear(); }

  // Per operator type timing (Executor::set_profile): start clears, end returns
  // [{op, ms, calls}] summed over the runs in between and stops.
  void startProfiling();
  emscripten::val endProfiling();

 private:
  std::unique_ptr<Session> session_;
  std::vector<std::pair<std::string, Tensor>> inputs_;
  KvCarry::Named outputs_;
  KvCarry carry_;
  std::map<std::string, std::pair<double, int64_t>> profile_;
};

}  // namespace qwasm::bindings
