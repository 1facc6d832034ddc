// The parity loop's reporting: SKIP / PASS / FAIL per kernel and one line per named
// shape class (see KernelRun in parity_cases.h). The totals decide the exit status.
#include <cstdio>

#include "parity_cases.h"

namespace parity {

bool g_quiet = false;

void report(const char* name, const char* tag, bool runnable, long cases, int failures, Totals& t, const char* why) {
  const char* sep = *tag ? " " : "";
  if (!runnable) {
    std::printf("SKIP %s%s%s (host lacks %s)\n", name, sep, tag, why);
    ++t.skip;
  } else if (failures || cases == 0) {
    if (!g_quiet) std::printf("FAIL %s%s%s (%d of %ld cases failed)\n", name, sep, tag, failures, cases);
    ++t.fail;
  } else {
    std::printf("PASS %s%s%s (%ld cases)\n", name, sep, tag, cases);
    ++t.pass;
  }
  t.cases += cases;
}

void KernelRun::shape_class(const char* name) {
  end_class();
  cls_ = name;
}

bool KernelRun::record(bool ok) {
  ++cls_cases_, ++cases_;
  if (!ok) {
    if (cls_failures_++ == 0) cls_first_failure_ = cls_cases_;
    ++failures_;
  }
  return failures_ <= kMaxFailures;
}

void KernelRun::end_class() {
  if (cls_ && !g_quiet) {
    const char* sep = *tag_ ? " " : "";
    if (cls_failures_)
      std::printf("  %s%s%s  %s  FAILED (%d of %ld cases, first: case %ld)\n", name_, sep, tag_, cls_, cls_failures_,
                  cls_cases_, cls_first_failure_);
    else if (cls_cases_ == 0)
      std::printf("  %s%s%s  %s  FAILED (no cases ran)\n", name_, sep, tag_, cls_);
    else
      std::printf("  %s%s%s  %s  ok (%ld case%s)\n", name_, sep, tag_, cls_, cls_cases_, cls_cases_ == 1 ? "" : "s");
  }
  // A class with no cases counts as a failure: a shape list that became empty must not pass.
  if (cls_ && cls_cases_ == 0) ++failures_;
  cls_ = nullptr;
  cls_cases_ = cls_first_failure_ = 0;
  cls_failures_ = 0;
}

void KernelRun::finish() {
  end_class();
  report(name_, tag_, true, cases_, failures_, t_, nullptr);
}

}  // namespace parity
