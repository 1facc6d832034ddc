// Engine-class coverage for the relaxed-SIMD variants, and the probe's classifier.
//
// The relaxed kernels are templates over their dot instruction. In the relaxed wasm
// build, kernels/wasm-relaxed/relaxed_emulated.cc instantiates each of them a second
// time with a simd128-only emulation of every engine class (VNNI "usdot", pmaddubsw
// "usdot-saturating", Arm "sdot"), so each variant is checked under every class it
// claims to be exact for, on whatever engine runs the test. Each emulation is also
// shown to matter: a variant that does not claim a class must fail under it on
// extreme data (otherwise the emulation would not be testing anything).
#include <cstdio>
#include <cstring>

#include "parity_cases.h"
#include "qwasm_relaxed_probe.h"
#if defined(QWASM_KERNELS_RELAXED)
#include "../kernels/wasm-relaxed/relaxed_emulated.h"
#endif

namespace qk = qwasm::kernels;

namespace parity {

void run_emulated(const char* filter, Totals& t) {
#if defined(QWASM_KERNELS_RELAXED)
  const qwasm_dot_class classes[] = {QWASM_DOT_USDOT, QWASM_DOT_USDOT_SAT, QWASM_DOT_SDOT};
  for (qwasm_dot_class c : classes) {
    char tag[64];
    std::snprintf(tag, sizeof tag, "[emulated %s]", qwasm_dot_class_name(c));
    size_t n = 0;
    const qk::GemmI8Kernel* const* gi = qk::relaxed_emulated_gemm_i8(c, &n);
    for (size_t i = 0; i < n; ++i) {
      if (!std::strstr(gi[i]->info.name, filter)) continue;
      if (gi[i]->info.dot_classes & qk::dot_bit(c)) {
        run_gemm_i8(*gi[i], true, tag, t);
      } else {
        // Not claimed: must be caught as wrong (full-range extremes break it).
        Totals probe;
        g_quiet = true;
        run_gemm_i8(*gi[i], true, tag, probe);
        g_quiet = false;
        const bool caught = probe.fail > 0;
        std::printf("%s %s %s is caught as inexact under this class\n", caught ? "PASS" : "FAIL", gi[i]->info.name, tag);
        caught ? ++t.pass : ++t.fail;
      }
    }
    const qk::QBlockKernel* const* qb = qk::relaxed_emulated_qblock(c, &n);
    for (size_t i = 0; i < n; ++i)
      if (std::strstr(qb[i]->info.name, filter)) run_qblock(*qb[i], true, tag, t);
  }
#else
  (void)filter;
  (void)t;
#endif
}

namespace {
enum class Engine { kVnni, kPmaddubsw, kArmSdot, kLiftoffBug };
// One lane of relaxed_dot_i8x16_i7x16_add_s(splat a, splat b, splat c) per engine.
int lane(Engine e, int8_t a, uint8_t b, int32_t c) {
  switch (e) {
    case Engine::kVnni: return 4 * a * int(b) + c;
    case Engine::kPmaddubsw: {
      int pair = 2 * int(b) * a;
      pair = pair > 32767 ? 32767 : (pair < -32768 ? -32768 : pair);
      return 2 * pair + c;
    }
    case Engine::kArmSdot: return 4 * a * int(int8_t(b)) + c;
    case Engine::kLiftoffBug: return 2 * (4 * a * int(b));
  }
  return 0;
}
}  // namespace

void run_probe_classifier(Totals& t) {
  const struct {
    Engine e;
    qwasm_dot_class want;
  } cases[] = {{Engine::kVnni, QWASM_DOT_USDOT},
               {Engine::kPmaddubsw, QWASM_DOT_USDOT_SAT},
               {Engine::kArmSdot, QWASM_DOT_SDOT},
               {Engine::kLiftoffBug, QWASM_DOT_BROKEN}};
  int failures = 0;
  for (const auto& c : cases) {
    const qwasm_dot_class got = qwasm_classify_dot(lane(c.e, 1, 1, 100), lane(c.e, 1, 0xFF, 0), lane(c.e, 127, 0xFF, 0));
    if (got != c.want) {
      std::printf("  MISMATCH probe classifier: engine %d -> %s, want %s\n", int(c.e), qwasm_dot_class_name(got),
                  qwasm_dot_class_name(c.want));
      ++failures;
    }
  }
#if defined(QWASM_KERNELS_RELAXED)
  // The live engine must classify as one of the three usable classes (Node 22 does).
  const qwasm_dot_class live = qwasm_probe_relaxed_dot();
  std::printf("  live relaxed-dot probe: %s\n", qwasm_dot_class_name(live));
  if (live == QWASM_DOT_NONE || live == QWASM_DOT_BROKEN) ++failures;
#endif
  report("relaxed_probe_classifier", "", true, 5, failures, t, nullptr);
}

}  // namespace parity
