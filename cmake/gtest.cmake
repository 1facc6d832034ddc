# Google Test: Debian's package natively; built from Debian's /usr/src/googletest for wasm.
if(QWASM_WASM)
  set(GTEST_SRC /usr/src/googletest/googletest)
  add_library(qwasm_gtest STATIC ${GTEST_SRC}/src/gtest-all.cc)
  target_include_directories(qwasm_gtest SYSTEM PUBLIC ${GTEST_SRC}/include PRIVATE ${GTEST_SRC})
  target_compile_options(qwasm_gtest PRIVATE -w)
  # clang >= 15 emits main(argc, argv) as __main_argc_argv, which emcc 3.1.6 never
  # calls: link a shim exporting a real `main` (TOOLCHAIN.md trap 3).
  add_library(qwasm_gtest_main STATIC ${CMAKE_SOURCE_DIR}/tests/support/gtest_main.cc
                                      ${CMAKE_SOURCE_DIR}/tests/support/wasm_main_shim.c)
  target_link_libraries(qwasm_gtest_main PUBLIC qwasm_gtest)
  set(QWASM_GTEST_LIBS qwasm_gtest_main)
else()
  find_package(GTest REQUIRED)
  add_library(qwasm_gtest_main STATIC ${CMAKE_SOURCE_DIR}/tests/support/gtest_main.cc)
  target_link_libraries(qwasm_gtest_main PUBLIC GTest::gtest)
  set(QWASM_GTEST_LIBS qwasm_gtest_main)
endif()
