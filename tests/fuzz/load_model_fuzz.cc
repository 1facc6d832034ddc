// libFuzzer target: arbitrary bytes as a model. Loading (and, when it loads,
// running with zero-filled inputs) must either succeed or throw qwasm::Error —
// never crash, hang or leak (AddressSanitizer + LeakSanitizer watch).
#include <cstddef>
#include <cstdint>

#include "api/session.h"

using namespace qwasm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    auto s = Session::create(data, size, SessionOptions{});
    std::vector<std::pair<std::string, Tensor>> feeds;
    for (const auto& vi : s->inputs()) {
      if (!vi.has_shape || vi.dtype == DType::Undefined || dtype_size(vi.dtype) == 0) return 0;
      Shape shape;
      for (const auto& d : vi.dims) shape.push_back(d.value >= 0 ? std::min<int64_t>(d.value, 64) : 2);
      if (shape_size(shape) > 4096) return 0;
      feeds.emplace_back(vi.name, Tensor(vi.dtype, shape));
    }
    s->run(feeds);
  } catch (const Error&) {
  }
  return 0;
}
