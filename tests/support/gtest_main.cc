// gtest entry point that fails when no test ran (a filter typo or a wasm build
// whose main was never called must not look green).
#include <gtest/gtest.h>

#include <cstdio>

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  int rc = RUN_ALL_TESTS();
  int ran = testing::UnitTest::GetInstance()->test_to_run_count();
  if (ran == 0) {
    std::fprintf(stderr, "FAIL: zero tests ran\n");
    return 1;
  }
  return rc;
}
