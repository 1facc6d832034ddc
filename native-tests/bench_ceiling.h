// Instruction-throughput ceilings for the kernel benchmark (see bench_ceiling.cc).
#pragma once
double ceiling_relaxed_dot_gops();        // wasm relaxed build only; 8 accumulators
double ceiling_relaxed_dot_gops_12acc();  // the same with 12 (engines differ in what fits their registers)
double ceiling_simd128_dot_gops();   // wasm builds
double ceiling_avx512vnni_gops();    // x86 builds (call only when the host has AVX512-VNNI)
