#!/usr/bin/env bash
# Kernel microbenchmarks arrive with the SIMD kernels (issue 3). Until then this
# says so plainly instead of printing numbers that do not exist.
echo "bench:kernels: the kernel microbenchmarks are not implemented yet (they come with the SIMD kernels)." >&2
echo "For model-level figures against onnxruntime-web run: npm run bench" >&2
exit 1
