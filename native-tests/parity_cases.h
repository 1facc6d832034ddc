// The parity test loop's pieces (see kernel_parity.cc): one runner per kernel family.
#pragma once

#include <cstdint>

#include "qwasm_kernels.h"

namespace parity {

struct Totals {
  int pass = 0, fail = 0, skip = 0;  // variants
  long cases = 0;
};

// Deterministic generator; every case prints its seed on failure.
struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed) {}
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  int range(int lo, int hi) { return lo + int(next() % uint64_t(hi - lo + 1)); }  // inclusive
  float uniform(float lo, float hi) { return lo + (hi - lo) * float(next() >> 40) / float(1 << 24); }
};

// runnable: the host executes this variant (else it is reported SKIP).
// tag: appended to the reported name (e.g. "emu:usdot" for emulated engine classes).
void run_gemm_i8(const qwasm::kernels::GemmI8Kernel& k, bool runnable, const char* tag, Totals& t);
void run_qblock(const qwasm::kernels::QBlockKernel& k, bool runnable, const char* tag, Totals& t);
void run_gemm_f32(const qwasm::kernels::GemmF32Kernel& k, bool runnable, const char* tag, Totals& t);
// Relaxed variants under emulated engine classes (relaxed wasm build; no-op elsewhere).
void run_emulated(const char* filter, Totals& t);
// The probe's classifier fed with scalar emulations of each engine behaviour.
void run_probe_classifier(Totals& t);

// When set, mismatches and FAIL lines are not printed (expected-failure checks).
extern bool g_quiet;

// Reports one variant's outcome and updates the totals.
void report(const char* name, const char* tag, bool runnable, long cases, int failures, Totals& t, const char* why);

}  // namespace parity
