#include "ops/parallel.h"

namespace qwasm {

namespace {
class Serial final : public Parallel {
 public:
  int threads() const override { return 1; }
  void run(int n, TaskFn fn, void* ctx) override {
    for (int i = 0; i < n; ++i) fn(ctx, i);
  }
};
}  // namespace

Parallel& serial() {
  static Serial s;
  return s;
}

}  // namespace qwasm
