/* Relaxed-SIMD dot-product probe: runs i32x4.relaxed_dot_i8x16_i7x16_add_s on
 * crafted inputs and classifies how this engine implements it. Only the relaxed
 * wasm build has a real probe; elsewhere it reports "none". */
#ifndef QWASM_RELAXED_PROBE_H
#define QWASM_RELAXED_PROBE_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  QWASM_DOT_NONE = 0,          /* not a relaxed build */
  QWASM_DOT_USDOT = 1,         /* b read as unsigned, no saturation (x86 VNNI lowering) */
  QWASM_DOT_USDOT_SAT = 2,     /* b unsigned, 16-bit pair sums saturate (pmaddubsw lowering) */
  QWASM_DOT_SDOT = 3,          /* b read as signed (Arm SDOT) */
  QWASM_DOT_BROKEN = 4         /* anything else, e.g. a dropped accumulator */
} qwasm_dot_class;

/* Pure classification from the three probe lanes (testable on any machine):
 * acc  = dot(a=1,   b=1,    c=100)  -> 104 when the accumulator is added
 * sign = dot(a=1,   b=0xFF, c=0)    -> 1020 unsigned, -4 signed
 * sat  = dot(a=127, b=0xFF, c=0)    -> 129540 exact, 65534 pair-saturated, -508 signed */
qwasm_dot_class qwasm_classify_dot(int acc, int sign, int sat);

/* Runs the probe (relaxed build) or returns QWASM_DOT_NONE. */
qwasm_dot_class qwasm_probe_relaxed_dot(void);

const char* qwasm_dot_class_name(qwasm_dot_class c);

#ifdef __cplusplus
}
#endif

#endif
