// The newest opset of each operator domain qwasm implements. The loader refuses a
// model importing a newer one: its ops may have changed meaning, and running them
// with an older version's kernel would give wrong results without an error. Domains
// not listed have no ops here (a node using one fails as an unsupported operator).
// model_validation_test.cc checks that no op registration goes beyond these.
#pragma once
#include <cstdint>
#include <string>

namespace qwasm {

inline constexpr int64_t kNewestOnnxOpset = 21;       // "" (ai.onnx)
inline constexpr int64_t kNewestMicrosoftOpset = 1;   // com.microsoft
inline constexpr int64_t kNewestTrainingOpset = 1;    // ai.onnx.preview.training

// The newest opset of `domain` ("" = ai.onnx), or -1 for a domain qwasm has no ops in.
inline int64_t newest_opset(const std::string& domain) {
  if (domain.empty()) return kNewestOnnxOpset;
  if (domain == "com.microsoft") return kNewestMicrosoftOpset;
  if (domain == "ai.onnx.preview.training") return kNewestTrainingOpset;
  return -1;
}

}  // namespace qwasm
