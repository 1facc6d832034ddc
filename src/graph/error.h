// The one exception type of the runtime. Messages name the node / tensor / input
// and what was expected; bindings turn them into JS Error objects.
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace qwasm {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& msg) : std::runtime_error(msg) {}
};

namespace detail {
inline void append(std::ostringstream&) {}
template <typename T, typename... R>
void append(std::ostringstream& os, const T& v, const R&... rest) {
  os << v;
  append(os, rest...);
}
}  // namespace detail

// Builds a message from its parts: fail("node '", name, "': axis ", axis, " out of range").
template <typename... Parts>
[[noreturn]] void fail(const Parts&... parts) {
  std::ostringstream os;
  detail::append(os, parts...);
  throw Error(os.str());
}

#define QWASM_CHECK(cond, ...)            \
  do {                                    \
    if (!(cond)) ::qwasm::fail(__VA_ARGS__); \
  } while (0)

}  // namespace qwasm
