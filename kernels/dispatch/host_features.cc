// What the host can run: cpuid + xgetbv on x86 (the OS must save the wider
// registers, not just the CPU have them), getauxval on Arm Linux, and in wasm the
// build variant plus the relaxed-dot probe class.
#include "qwasm_kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#endif

namespace qwasm {
namespace kernels {
namespace {

#if defined(__x86_64__) || defined(__i386__)
uint64_t xgetbv0() {
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (uint64_t(hi) << 32) | lo;
}

void detect(HostFeatures& f) {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return;
  const bool osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, fma = (c >> 12) & 1;
  if (!osxsave || !avx) return;
  const uint64_t xcr0 = xgetbv0();
  const bool ymm_os = (xcr0 & 0x6) == 0x6, zmm_os = (xcr0 & 0xE6) == 0xE6;
  if (!ymm_os || !__get_cpuid_count(7, 0, &a, &b, &c, &d)) return;
  const bool avx2 = (b >> 5) & 1, f512 = (b >> 16) & 1, bw = (b >> 30) & 1, vl = (b >> 31) & 1, vnni512 = (c >> 11) & 1;
  f.avx2 = avx2 && fma;
  f.avx512vnni = f.avx2 && zmm_os && f512 && bw && vl && vnni512;
  if (__get_cpuid_count(7, 1, &a, &b, &c, &d)) f.avxvnni = f.avx2 && ((a >> 4) & 1);
}
#elif defined(__aarch64__)
void detect(HostFeatures& f) {
  f.neon = true;
#if defined(__linux__)
  const unsigned long hw = getauxval(AT_HWCAP), hw2 = getauxval(AT_HWCAP2);
  f.dotprod = (hw >> 20) & 1;  // HWCAP_ASIMDDP
  f.i8mm = (hw2 >> 13) & 1;    // HWCAP2_I8MM
#endif
}
#elif defined(__wasm__)
void detect(HostFeatures& f) {
  f.simd128 = true;
#if defined(QWASM_KERNELS_RELAXED)
  f.relaxed = true;
  f.dot = qwasm_probe_relaxed_dot();
#endif
}
#else
void detect(HostFeatures&) {}
#endif

}  // namespace

const HostFeatures& host_features() {
  static const HostFeatures f = [] {
    HostFeatures h;
    detect(h);
    return h;
  }();
  return f;
}

bool runs_on(const KernelInfo& k, const HostFeatures& h) {
  switch (k.isa) {
    case Isa::kGeneric: return true;
    case Isa::kAvx2: return h.avx2;
    case Isa::kAvx512Vnni: return h.avx512vnni;
    case Isa::kAvxVnni: return h.avxvnni;
    case Isa::kWasmSimd128: return h.simd128;
    case Isa::kWasmRelaxed: return h.relaxed && (k.dot_classes & dot_bit(h.dot)) != 0;
    case Isa::kNeon: return h.neon;
    case Isa::kDotprod: return h.dotprod;
    case Isa::kI8mm: return h.i8mm;
  }
  return false;
}

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::kGeneric: return "generic";
    case Isa::kAvx2: return "avx2";
    case Isa::kAvx512Vnni: return "avx512vnni";
    case Isa::kAvxVnni: return "avxvnni";
    case Isa::kWasmSimd128: return "wasm-simd128";
    case Isa::kWasmRelaxed: return "wasm-relaxed";
    case Isa::kNeon: return "neon";
    case Isa::kDotprod: return "dotprod";
    case Isa::kI8mm: return "i8mm";
  }
  return "?";
}

}  // namespace kernels
}  // namespace qwasm
