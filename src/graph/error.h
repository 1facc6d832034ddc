// The one exception type of the runtime. Messages name the node / tensor / input
// and what was expected; bindings turn them into JS Error objects.
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace qwasm {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& msg) : std::runtime_error(msg) {}
};

namespace detail {
// Message parts are appended by out-of-line functions (error.cc) and the throw is out of
// line too, so a fail(...) site is a few calls rather than an inlined std::ostringstream
// (about 1 KB of wasm per distinct argument list). Parts print as std::ostream prints them.
void append_text(std::string& s, const char* p, size_t n);
void append_signed(std::string& s, long long v);
void append_unsigned(std::string& s, unsigned long long v);
void append_double(std::string& s, double v);  // %g, 6 significant digits: ostream's default
[[noreturn]] void throw_error(const std::string& msg);

template <typename T> void append(std::string& s, const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    s.push_back(v ? '1' : '0');
  } else if constexpr (std::is_same_v<T, char> || std::is_same_v<T, signed char> || std::is_same_v<T, unsigned char>) {
    s.push_back(char(v));
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    const std::string_view sv(v);
    append_text(s, sv.data(), sv.size());
  } else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
    append_signed(s, static_cast<long long>(v));
  } else if constexpr (std::is_integral_v<T>) {
    append_unsigned(s, static_cast<unsigned long long>(v));
  } else if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
    append_double(s, double(v));
  } else {
    std::ostringstream os;
    os << v;
    s += os.str();
  }
}
}  // namespace detail

// Builds a message from its parts: fail("node '", name, "': axis ", axis, " out of range").
template <typename... Parts>
[[noreturn]] void fail(const Parts&... parts) {
  std::string msg;
  (detail::append(msg, parts), ...);
  detail::throw_error(msg);
}

#define QWASM_CHECK(cond, ...)            \
  do {                                    \
    if (!(cond)) ::qwasm::fail(__VA_ARGS__); \
  } while (0)

}  // namespace qwasm
