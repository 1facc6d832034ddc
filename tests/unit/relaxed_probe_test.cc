// The probe's classifier, fed by scalar emulations of each engine behaviour.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>

#include "qwasm_relaxed_probe.h"

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

TEST(RelaxedProbe, OnlyTheRelaxedBuildProbes) {
#if defined(QWASM_RELAXED_BUILD)
  // Node 22 runs these tests: its relaxed dot is never "none" (and must not be broken).
  EXPECT_NE(qwasm_probe_relaxed_dot(), QWASM_DOT_NONE);
  EXPECT_NE(qwasm_probe_relaxed_dot(), QWASM_DOT_BROKEN);
#else
  EXPECT_EQ(qwasm_probe_relaxed_dot(), QWASM_DOT_NONE);
#endif
}
