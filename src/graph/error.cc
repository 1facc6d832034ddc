// The out-of-line half of fail() (error.h): one copy of the number formatting and the throw.
#include "graph/error.h"

#include <cstdio>

namespace qwasm {
namespace detail {

void append_text(std::string& s, const char* p, size_t n) { s.append(p, n); }

void append_signed(std::string& s, long long v) { s += std::to_string(v); }

void append_unsigned(std::string& s, unsigned long long v) { s += std::to_string(v); }

void append_double(std::string& s, double v) {
  char buf[32];
  const int n = std::snprintf(buf, sizeof buf, "%g", v);
  s.append(buf, size_t(n > 0 ? n : 0));
}

void throw_error(const std::string& msg) { throw Error(msg); }

}  // namespace detail
}  // namespace qwasm
