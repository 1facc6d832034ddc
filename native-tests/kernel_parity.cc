// Kernel parity: ONE test loop that runs every kernel variant compiled into this
// binary against the scalar reference (kernels/ref). Integer results must match bit
// for bit; float results must stay within the bound stated in docs/kernels.md.
// Variants the host cannot execute are reported SKIP and never counted as passes.
// Each kernel reports one line per named shape class (tile-edges, primes, k-large,
// ...) and then PASS / FAIL; a self-check shows a kernel broken at a tile edge fails.
// Built natively (x86), for AArch64 (run under qemu) and for wasm (Node 22); the
// relaxed wasm build additionally runs each relaxed variant under scalar-exact
// emulations of every engine class (usdot, usdot-saturating, sdot).
//
// Usage: kernel_parity [substring]   (only kernels whose name contains it)
// Exit status: 0 when at least one case ran and none failed.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "parity_cases.h"

namespace qk = qwasm::kernels;

int main(int argc, char** argv) {
  const char* filter = argc > 1 ? argv[1] : "";
  const qk::HostFeatures& h = qk::host_features();
  std::printf("host: avx2=%d avx512vnni=%d avxvnni=%d neon=%d dotprod=%d i8mm=%d simd128=%d relaxed=%d dot=%s\n",
              h.avx2, h.avx512vnni, h.avxvnni, h.neon, h.dotprod, h.i8mm, h.simd128, h.relaxed,
              qwasm_dot_class_name(h.dot));
  parity::Totals t;
  size_t n = 0;
  const qk::GemmI8Kernel* const* gi = qk::gemm_i8_kernels(&n);
  for (size_t i = 0; i < n; ++i)
    if (std::strstr(gi[i]->info.name, filter)) parity::run_gemm_i8(*gi[i], qk::runs_on_host(gi[i]->info), "", t);
  const qk::QBlockKernel* const* qb = qk::qblock_kernels(&n);
  for (size_t i = 0; i < n; ++i)
    if (std::strstr(qb[i]->info.name, filter)) parity::run_qblock(*qb[i], qk::runs_on_host(qb[i]->info), "", t);
  const qk::GemmF32Kernel* const* gf = qk::gemm_f32_kernels(&n);
  for (size_t i = 0; i < n; ++i)
    if (std::strstr(gf[i]->info.name, filter)) parity::run_gemm_f32(*gf[i], qk::runs_on_host(gf[i]->info), "", t);
  parity::run_emulated(filter, t);
  parity::run_probe_classifier(t);
  parity::run_self_check(t);

  std::printf("\nkernel parity: %d passed, %d failed, %d skipped (variants); %ld cases\n", t.pass, t.fail, t.skip,
              t.cases);
  if (t.pass == 0) {
    std::printf("FAIL: zero variants ran\n");
    return 1;
  }
  return t.fail ? 1 : 0;
}
