#!/usr/bin/python3
"""Checks a weight-only int8 model against numpy: every MatMul of FLOAT.onnx whose weight was
quantized (same node name, B now the output of a DequantizeLinear) must read int8 W_q [K, N]
with axis 1 and float scales [N] equal to symmetric per-output-channel rounding of the float
weight: scale = max_k |w| / 127 (1 for a zero column), q = clip(round(w / scale), -127, 127),
round half to even, in float32. Prints the count; exits 1 on any mismatch or none compared.

Usage: /usr/bin/python3 tools/models/check_int8_dq.py FLOAT.onnx QUANT.onnx
"""
import sys

import numpy as np
import onnx
from onnx import numpy_helper

from dq_matmul_weights import compare


def reference(w):
    amax = np.abs(w).max(axis=0)
    scale = np.where(amax > 0, amax / np.float32(127), np.float32(1)).astype(np.float32)
    q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
    return q, scale


def main():
    read = lambda t: (numpy_helper.to_array(t), t.data_type)
    compared, bad = compare(onnx.load(sys.argv[1]), onnx.load(sys.argv[2]), reference, read, onnx.TensorProto.INT8)
    print(f"check_int8_dq: {compared} DequantizeLinear -> MatMul compared, {len(bad)} differ {bad[:5]}")
    sys.exit(1 if bad or compared == 0 else 0)


if __name__ == "__main__":
    main()
