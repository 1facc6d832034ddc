#include "api/features.h"

#include "qwasm_relaxed_probe.h"

namespace qwasm {

std::string relaxed_dot_class() {
  static const qwasm_dot_class c = qwasm_probe_relaxed_dot();
  return qwasm_dot_class_name(c);
}

}  // namespace qwasm
