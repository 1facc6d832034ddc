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

// A kernel the parity loop must reject (a correct one broken in a partial last row
// tile) is run quietly and must fail: shows the loop can catch a wrong kernel.
void run_self_check(Totals& t);

// When set, mismatches, shape-class lines and FAIL lines are not printed
// (expected-failure checks).
extern bool g_quiet;

// Reports one variant's outcome and updates the totals (also the SKIP line of a
// variant the host cannot run: why names what it lacks).
void report(const char* name, const char* tag, bool runnable, long cases, int failures, Totals& t, const char* why);

// One runnable kernel's cases, reported per named shape class the way XNNPACK's
// testers do:
//     gemm_u8s8_4x16__generic  tile-edges  ok (420 cases)
//     gemm_u8s8_4x16__generic  k-large  FAILED (1 of 1 cases, first: case 1)
// A failing case prints its MISMATCH line (shape, seed, first mismatching index)
// just above its class line. finish() prints the kernel's PASS / FAIL line.
class KernelRun {
 public:
  static constexpr int kMaxFailures = 5;  // then the kernel stops (the rest would add noise)
  KernelRun(const char* name, const char* tag, Totals& t) : name_(name), tag_(tag), t_(t) {}
  // Starts the named shape class; ends (and prints) the previous one.
  void shape_class(const char* name);
  // Counts one case of the current class; false once more than kMaxFailures failed.
  bool record(bool ok);
  void finish();

 private:
  void end_class();
  const char *name_, *tag_;
  Totals& t_;
  const char* cls_ = nullptr;
  long cls_cases_ = 0, cls_first_failure_ = 0;
  int cls_failures_ = 0;
  long cases_ = 0;
  int failures_ = 0;
};

}  // namespace parity
