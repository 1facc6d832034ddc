#include "onnx/external_sink.h"

#include <algorithm>
#include <cstring>

namespace qwasm {

ExternalSink::ExternalSink(const std::vector<ExternalRef>& refs) {
  for (const auto& r : refs) files_[r.location].push_back(Slot{r, Tensor(r.dtype, r.shape), 0});
  for (auto& kv : files_)
    std::sort(kv.second.begin(), kv.second.end(), [](const Slot& a, const Slot& b) { return a.ref.offset < b.ref.offset; });
}

void ExternalSink::write(const std::string& location, uint64_t offset, const void* data, size_t n) {
  auto it = files_.find(location);
  if (it == files_.end()) return;  // a file no tensor needs
  const uint64_t end = offset + n;
  for (Slot& s : it->second) {
    const uint64_t b = s.ref.offset, e = b + s.ref.bytes();
    if (b >= end) break;  // sorted: nothing further overlaps
    if (e <= offset) continue;
    const uint64_t from = std::max(b, offset), to = std::min(e, end);
    std::memcpy(static_cast<char*>(s.tensor.raw()) + (from - b), static_cast<const char*>(data) + (from - offset),
                size_t(to - from));
    s.filled += size_t(to - from);
  }
}

void ExternalSink::finish(const std::string& location, uint64_t size) {
  auto it = files_.find(location);
  if (it == files_.end()) return;
  for (const Slot& s : it->second)
    QWASM_CHECK(s.filled == s.ref.bytes(), "tensor '", s.ref.tensor, "': external data file '", location, "' has ",
                size, " bytes, shorter than offset ", s.ref.offset, " + length ", s.ref.bytes());
}

uint64_t ExternalSink::required_bytes(const std::string& location) const {
  uint64_t need = 0;
  auto it = files_.find(location);
  if (it != files_.end())
    for (const Slot& s : it->second) need = std::max<uint64_t>(need, s.ref.offset + s.ref.bytes());
  return need;
}

Tensor ExternalSink::take(const ExternalRef& ref) {
  auto it = files_.find(ref.location);
  QWASM_CHECK(it != files_.end(), "tensor '", ref.tensor, "': external data file '", ref.location,
              "' was not provided");
  for (Slot& s : it->second) {
    if (s.ref.tensor != ref.tensor || s.ref.offset != ref.offset) continue;
    QWASM_CHECK(s.filled == s.ref.bytes(), "tensor '", ref.tensor, "': external data file '", ref.location,
                "' was not (fully) provided");
    Tensor t = s.tensor;
    s.tensor = Tensor();  // the model owns it now; the sink keeps nothing
    return t;
  }
  fail("tensor '", ref.tensor, "': no external data slot");
}

}  // namespace qwasm
