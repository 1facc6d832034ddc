/* See include/qwasm_relaxed_probe.h. Compiled with -mrelaxed-simd only in the
 * relaxed wasm build (QWASM_HAVE_RELAXED_SIMD); the inputs pass through volatile
 * memory so the compiler cannot fold the instruction away. */
#include "qwasm_relaxed_probe.h"

#include <stdint.h>

qwasm_dot_class qwasm_classify_dot(int acc, int sign, int sat) {
  if (acc != 104) return QWASM_DOT_BROKEN;
  if (sign == -4 && sat == -508) return QWASM_DOT_SDOT;
  if (sign != 1020) return QWASM_DOT_BROKEN;
  if (sat == 129540) return QWASM_DOT_USDOT;
  if (sat == 65534) return QWASM_DOT_USDOT_SAT;
  return QWASM_DOT_BROKEN;
}

const char* qwasm_dot_class_name(qwasm_dot_class c) {
  switch (c) {
    case QWASM_DOT_USDOT: return "usdot";
    case QWASM_DOT_USDOT_SAT: return "usdot-saturating";
    case QWASM_DOT_SDOT: return "sdot";
    case QWASM_DOT_BROKEN: return "broken";
    default: return "none";
  }
}

#if defined(__wasm_relaxed_simd__)
#include <wasm_simd128.h>

static int lane0(int8_t a, uint8_t b, int32_t c) {
  volatile int8_t va = a;
  volatile uint8_t vb = b;
  volatile int32_t vc = c;
  v128_t x = wasm_i8x16_splat(va), y = wasm_i8x16_splat((int8_t)vb), z = wasm_i32x4_splat(vc);
  return wasm_i32x4_extract_lane(wasm_i32x4_relaxed_dot_i8x16_i7x16_add(x, y, z), 0);
}

qwasm_dot_class qwasm_probe_relaxed_dot(void) {
  return qwasm_classify_dot(lane0(1, 1, 100), lane0(1, 0xFF, 0), lane0(127, 0xFF, 0));
}
#else
qwasm_dot_class qwasm_probe_relaxed_dot(void) { return QWASM_DOT_NONE; }
#endif
