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
  void clearOutputs() { outputs_.clear(); }

  // A run: JS stages each input (allocated here, filled by JS), runs with `names` = JS
  // array of output names (empty = all), copies the outputs out, then calls clearOutputs().
  // The calls take and return numbers only (every emscripten::val built costs a JS round
  // trip; the smallest models run in tens of microseconds, where those trips were a large
  // share):
  //   dimsBuffer(n): a pointer to room for n doubles that JS fills with the dims of every
  //     input before staging (stays valid until the next dimsBuffer call);
  //   stage(input, dtype, rank, offset): allocates graph input number `input` with the
  //     dims at dims[offset, offset + rank); returns the data pointer, or -1 with
  //     lastError() set;
  //   runStaged(names): runs; returns a pointer to doubles [n, then per output: output
  //     number, dtype, data pointer, bytes, rank, dims...] (n counts what follows it), or
  //     -1 with lastError() set.
  double dimsBuffer(int n);
  double stage(int input, int dtype, int rank, int offset);
  double runStaged(emscripten::val names);
  // runStaged([]) without the array: every output (reading a JS array from C++ costs
  // a round trip per property).
  double runStagedAll() { return run_named({}); }
  std::string lastError() const { return error_; }
  void clearInputs() { inputs_.clear(); }

  // Carried values (decoder KV caches, api/kv_carry.h): after each run, output `from`
  // becomes input `to` of the next run without leaving wasm memory. `pairs` = JS array
  // of [from, to]; carried outputs are not returned to JS.
  void setCarry(emscripten::val pairs);
  // Drops carried tensors (a new sequence starts; JS stages fresh inputs).
  void clearCarry() { carry_.clear(); }

  // Per operator type timing (Executor::set_profile): start clears, end returns
  // [{op, ms, calls}] summed over the runs in between and stops; by_shape: one row per
  // op and input / output shapes.
  void startProfiling(bool by_shape);
  emscripten::val endProfiling();

 private:
  double run_named(std::vector<std::string> names);  // runStaged's run and result

  std::unique_ptr<Session> session_;
  std::vector<std::pair<std::string, Tensor>> inputs_;
  KvCarry::Named outputs_;
  KvCarry carry_;
  std::map<std::string, std::pair<double, int64_t>> profile_;
  std::vector<double> dims_;  // dimsBuffer()
  std::vector<double> meta_;  // runStaged()'s result
  std::string error_;         // the last stage / runStaged failure
};

}  // namespace qwasm::bindings
