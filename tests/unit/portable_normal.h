// A standard normal draw from mt19937's raw output (Box-Muller) for test data. Not
// std::normal_distribution: libstdc++ (native) and libc++ (wasm) draw different sequences
// from it, and the tests must see the same models and inputs in every build.
#pragma once
#include <cmath>
#include <random>

namespace qwasm::test {

inline float portable_normal(std::mt19937& rng) {
  const double u1 = (double(rng()) + 0.5) / 4294967296.0, u2 = (double(rng()) + 0.5) / 4294967296.0;
  return float(std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
}

}  // namespace qwasm::test
