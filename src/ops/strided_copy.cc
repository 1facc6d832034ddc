#include "ops/strided_copy.h"

#include <cstring>

namespace qwasm {
namespace {

template <typename T>
void run(T* d, const T* s, int64_t n, int64_t step) {
  for (int64_t i = 0; i < n; ++i) d[i] = s[i * step];
}

}  // namespace

void strided_copy(void* dst, const void* src, size_t elem, const Shape& shape, const std::vector<int64_t>& strides,
                  int64_t base) {
  const int64_t total = shape_size(shape);
  if (total == 0) return;
  const int64_t rank = int64_t(shape.size());
  const int64_t inner = rank ? shape.back() : 1;
  const int64_t step = rank ? strides.back() : 0;
  std::vector<int64_t> idx(size_t(rank), 0);
  int64_t off = base;
  char* d = static_cast<char*>(dst);
  const char* s = static_cast<const char*>(src);
  const int64_t es = int64_t(elem);
  for (int64_t o = 0; o < total; o += inner) {
    const char* from = s + off * es;
    char* to = d + o * es;
    if (step == 1) std::memcpy(to, from, size_t(inner * es));
    else if (elem == 4) run(reinterpret_cast<uint32_t*>(to), reinterpret_cast<const uint32_t*>(from), inner, step);
    else if (elem == 8) run(reinterpret_cast<uint64_t*>(to), reinterpret_cast<const uint64_t*>(from), inner, step);
    else if (elem == 2) run(reinterpret_cast<uint16_t*>(to), reinterpret_cast<const uint16_t*>(from), inner, step);
    else if (elem == 1) run(reinterpret_cast<uint8_t*>(to), reinterpret_cast<const uint8_t*>(from), inner, step);
    else for (int64_t i = 0; i < inner; ++i) std::memcpy(to + i * es, from + i * step * es, elem);
    for (int64_t dd = rank - 2; dd >= 0; --dd) {
      off += strides[size_t(dd)];
      if (++idx[size_t(dd)] < shape[size_t(dd)]) break;
      off -= strides[size_t(dd)] * shape[size_t(dd)];
      idx[size_t(dd)] = 0;
    }
  }
}

}  // namespace qwasm
