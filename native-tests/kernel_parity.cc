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

namespace {

// A kernel's name states its tile ("gemm_u8s8_6x16__avx2_i16": 6 rows x 16 columns);
// the descriptor takes mr / nr from the code's constants, so the two must agree.
bool name_states_tile(const qk::KernelInfo& i) {
  const char* end = std::strstr(i.name, "__");
  if (!end) return false;
  const char* p = end;
  while (p > i.name && p[-1] != '_') --p;
  int m = 0, n = 0;
  return std::sscanf(p, "%dx%d__", &m, &n) == 2 && m == i.mr && n == i.nr;
}

template <class K>
void check_names(const K* const* list, size_t n, int& checked, int& failures) {
  for (size_t i = 0; i < n; ++i, ++checked)
    if (!name_states_tile(list[i]->info)) {
      std::printf("  MISMATCH %s: descriptor tile is %dx%d\n", list[i]->info.name, list[i]->info.mr, list[i]->info.nr);
      ++failures;
    }
}

// The first kernel of a full list the host runs that `ok` accepts (the last one if none).
template <class K, class Ok>
const K* first_runnable(const K* const* list, size_t n, Ok ok) {
  for (size_t i = 0; i < n; ++i)
    if (qk::runs_on_host(list[i]->info) && ok(*list[i])) return list[i];
  return list[n - 1];
}

// kernel_best.cc keeps its own (shorter) lists of what the runtime may pick; each pick
// must be what the full, ordered list of this binary would give on this host.
int check_picks() {
  size_t n = 0;
  int wrong = 0;
  auto expect = [&](const char* what, const char* got, const char* want) {
    if (std::strcmp(got, want) != 0) {
      std::printf("  MISMATCH dispatch pick %s: %s, the full list's first runnable is %s\n", what, got, want);
      ++wrong;
    }
  };
  const qk::GemmI8Kernel* const* gi = qk::gemm_i8_kernels(&n);
  expect("gemm_i8", qk::best_gemm_i8(false).info.name,
         first_runnable(gi, n, [](const qk::GemmI8Kernel& k) { return (k.info.caveats & qk::kNeedsB7bit) == 0; })->info.name);
  expect("gemm_i8 (7-bit B)", qk::best_gemm_i8(true).info.name,
         first_runnable(gi, n, [](const qk::GemmI8Kernel&) { return true; })->info.name);
  const qk::QBlockKernel* const* qb = qk::qblock_kernels(&n);
  for (int level : {4, 0})
    expect(level == 4 ? "qblock level 4" : "qblock level 0", qk::best_qblock(level).info.name,
           first_runnable(qb, n, [level](const qk::QBlockKernel& k) { return k.accuracy_level == level; })->info.name);
  const qk::GemmF32Kernel* const* gf = qk::gemm_f32_kernels(&n);
  expect("gemm_f32", qk::best_gemm_f32().info.name, first_runnable(gf, n, [](const qk::GemmF32Kernel&) { return true; })->info.name);
  return wrong;
}

}  // namespace

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
  int named = 0, misnamed = 0;
  gi = qk::gemm_i8_kernels(&n);
  check_names(gi, n, named, misnamed);
  qb = qk::qblock_kernels(&n);
  check_names(qb, n, named, misnamed);
  gf = qk::gemm_f32_kernels(&n);
  check_names(gf, n, named, misnamed);
  std::printf("%s kernel names state their descriptors' tiles (%d kernels)\n", misnamed ? "FAIL" : "PASS", named);
  misnamed ? ++t.fail : ++t.pass;
  const int wrong_picks = check_picks();
  std::printf("%s dispatch picks equal the full lists' first runnable kernels (5 picks)\n", wrong_picks ? "FAIL" : "PASS");
  wrong_picks ? ++t.fail : ++t.pass;

  std::printf("\nkernel parity: %d passed, %d failed, %d skipped (variants); %ld cases\n", t.pass, t.fail, t.skip,
              t.cases);
  if (t.pass == 0) {
    std::printf("FAIL: zero variants ran\n");
    return 1;
  }
  return t.fail ? 1 : 0;
}
