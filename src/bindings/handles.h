// Shared helpers for the embind glue: every bound call catches C++ errors and
// returns them as {error: message} so JS can throw a real Error.
#pragma once
#include <emscripten/val.h>

#include <string>

namespace qwasm::bindings {

inline emscripten::val error_result(const std::string& msg) {
  emscripten::val r = emscripten::val::object();
  r.set("error", msg);
  return r;
}

template <typename F>
emscripten::val guarded(F&& f) {
  try {
    return f();
  } catch (const std::exception& e) {
    return error_result(e.what());
  } catch (...) {
    return error_result("unknown error");
  }
}

}  // namespace qwasm::bindings
