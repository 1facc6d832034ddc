// The parity loop checking itself: a kernel that is right everywhere except in the
// last row of a partial row tile (the classic edge bug) must be reported as failing.
// If this ever passes, the shape classes stopped covering tile edges.
#include <cstdio>

#include "parity_cases.h"

namespace qk = qwasm::kernels;

namespace parity {
namespace {

const qk::GemmI8Kernel* g_inner = nullptr;  // the correct kernel being broken

void run_broken(const qk::GemmI8Args& g) {
  g_inner->run(g);
  const int mr = g_inner->info.mr;
  const int N = static_cast<const qk::I8PackedHeader*>(g.packed_b)->N;
  // Only a last row tile holding exactly one row is wrong, by one in its first column.
  if (mr > 1 && g.M > mr && g.M % mr == 1 && N > 0) g.C[(g.M - 1) * g.ldc] += 1;
}

}  // namespace

void run_self_check(Totals& t) {
  size_t n = 0;
  const qk::GemmI8Kernel* const* list = qk::gemm_i8_kernels(&n);
  g_inner = list[n - 1];  // the generic kernel: every host runs it
  qk::GemmI8Kernel broken = *g_inner;
  broken.run = run_broken;
  Totals probe;
  g_quiet = true;
  run_gemm_i8(broken, true, "[broken in a partial row tile]", probe);
  g_quiet = false;
  const bool caught = probe.fail > 0;
  std::printf("%s parity self-check: %s broken in a partial row tile is %s\n", caught ? "PASS" : "FAIL",
              g_inner->info.name, caught ? "caught" : "NOT caught");
  caught ? ++t.pass : ++t.fail;
}

}  // namespace parity
