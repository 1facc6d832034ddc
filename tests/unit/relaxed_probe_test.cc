// The probe's classifier, fed by scalar emulations of each engine behaviour, and (relaxed
// build) the live probe checked against the instruction run on other inputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>

#include "qwasm_relaxed_probe.h"

#if defined(QWASM_RELAXED_BUILD)
#include <wasm_simd128.h>
#endif

namespace {

enum class Engine { Vnni, Pmaddubsw, ArmSdot, LiftoffBug };

// One i32 lane of relaxed_dot_i8x16_i7x16_add_s(splat a, splat b, splat c) as each engine computes it.
int lane(Engine e, int8_t a, uint8_t b, int32_t c) {
  switch (e) {
    case Engine::Vnni: return 4 * a * int(b) + c;
    case Engine::Pmaddubsw: {
      // pmaddubsw multiplies unsigned b by signed a; pair sums saturate to int16.
      int pair = std::clamp(2 * int(b) * a, -32768, 32767);
      return 2 * pair + c;
    }
    case Engine::ArmSdot: return 4 * a * int(int8_t(b)) + c;
    case Engine::LiftoffBug: return 2 * (4 * a * int(b));  // accumulator dropped, product doubled
  }
  return 0;
}

qwasm_dot_class classify(Engine e) {
  return qwasm_classify_dot(lane(e, 1, 1, 100), lane(e, 1, 0xFF, 0), lane(e, 127, 0xFF, 0));
}

}  // namespace

TEST(RelaxedProbe, ClassifiesEveryEngineBehaviour) {
  EXPECT_EQ(classify(Engine::Vnni), QWASM_DOT_USDOT);
  EXPECT_EQ(classify(Engine::Pmaddubsw), QWASM_DOT_USDOT_SAT);
  EXPECT_EQ(classify(Engine::ArmSdot), QWASM_DOT_SDOT);
  EXPECT_EQ(classify(Engine::LiftoffBug), QWASM_DOT_BROKEN);
  EXPECT_EQ(qwasm_classify_dot(104, 1020, 12345), QWASM_DOT_BROKEN);
  EXPECT_STREQ(qwasm_dot_class_name(QWASM_DOT_USDOT_SAT), "usdot-saturating");
}

#if defined(QWASM_RELAXED_BUILD)
namespace {

// The three usable behaviours on whole vectors (the lane() models above take splats):
// lane i = sum over its 4 bytes of a*b, + c[i]; b read unsigned or signed, and on the
// pmaddubsw lowering each pair of products saturating to int16 before the pairs are added.
int32_t vector_lane(qwasm_dot_class k, const int8_t* a, const uint8_t* b, int32_t c) {
  auto bv = [&](int j) { return k == QWASM_DOT_SDOT ? int(int8_t(b[j])) : int(b[j]); };
  if (k == QWASM_DOT_USDOT_SAT) {
    const int p0 = std::clamp(a[0] * bv(0) + a[1] * bv(1), -32768, 32767);
    const int p1 = std::clamp(a[2] * bv(2) + a[3] * bv(3), -32768, 32767);
    return p0 + p1 + c;
  }
  return a[0] * bv(0) + a[1] * bv(1) + a[2] * bv(2) + a[3] * bv(3) + c;
}

}  // namespace

// Runs the instruction here on inputs unlike the probe's splats and finds which behaviour
// the engine really has; the probe (which the runtime's kernel choice trusts) must agree.
TEST(RelaxedProbe, AgreesWithTheEngineOnOtherInputs) {
  // Lane 0: exact in every class; lane 1: b >= 128 (signed vs unsigned); lane 2: a pair
  // above int16 (saturates only on pmaddubsw); lane 3: a pair below int16 with an accumulator.
  const int8_t a[16] = {3, -5, 7, 2, 1, 1, 2, 1, 127, 127, 1, 0, -128, -128, 5, 5};
  const uint8_t b[16] = {9, 4, 2, 100, 200, 130, 255, 7, 255, 255, 3, 0, 255, 255, 1, 1};
  const int32_t c[4] = {10, -20, 30, -40000};
  volatile int8_t va[16];
  volatile uint8_t vb[16];
  volatile int32_t vc[4];
  for (int i = 0; i < 16; ++i) va[i] = a[i], vb[i] = b[i];
  for (int i = 0; i < 4; ++i) vc[i] = c[i];
  int8_t la[16], lb[16];
  int32_t lc[4], got[4];
  for (int i = 0; i < 16; ++i) la[i] = va[i], lb[i] = int8_t(vb[i]);
  for (int i = 0; i < 4; ++i) lc[i] = vc[i];
  const v128_t r = wasm_i32x4_relaxed_dot_i8x16_i7x16_add(wasm_v128_load(la), wasm_v128_load(lb), wasm_v128_load(lc));
  wasm_v128_store(got, r);

  qwasm_dot_class seen = QWASM_DOT_BROKEN;
  for (qwasm_dot_class k : {QWASM_DOT_USDOT, QWASM_DOT_USDOT_SAT, QWASM_DOT_SDOT}) {
    bool all = true;
    for (int i = 0; i < 4; ++i) all = all && got[i] == vector_lane(k, a + 4 * i, b + 4 * i, c[i]);
    if (all) seen = k;
  }
  EXPECT_EQ(qwasm_probe_relaxed_dot(), seen)
      << "probe says " << qwasm_dot_class_name(qwasm_probe_relaxed_dot()) << ", the instruction computed {" << got[0]
      << ", " << got[1] << ", " << got[2] << ", " << got[3] << "}, which is " << qwasm_dot_class_name(seen);
  // Node 22 (which runs these tests) has a usable relaxed dot.
  EXPECT_NE(seen, QWASM_DOT_BROKEN);
}
#else
// Builds without relaxed SIMD have no probe: the runtime must never pick relaxed kernels.
TEST(RelaxedProbe, ReportsNoneWithoutRelaxedSimd) { EXPECT_EQ(qwasm_probe_relaxed_dot(), QWASM_DOT_NONE); }
#endif
