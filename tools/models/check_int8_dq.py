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


def reference(w):
    amax = np.abs(w).max(axis=0)
    scale = np.where(amax > 0, amax / np.float32(127), np.float32(1)).astype(np.float32)
    q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
    return q, scale


def main():
    f, q = onnx.load(sys.argv[1]), onnx.load(sys.argv[2])
    fi = {t.name: numpy_helper.to_array(t) for t in f.graph.initializer}
    qi = {t.name: numpy_helper.to_array(t) for t in q.graph.initializer}
    dq = {n.output[0]: n for n in q.graph.node if n.op_type == "DequantizeLinear"}
    qmm = {n.name: n for n in q.graph.node if n.op_type == "MatMul"}
    compared, bad = 0, []
    for n in f.graph.node:
        if n.op_type != "MatMul" or n.input[1] not in fi or n.name not in qmm or qmm[n.name].input[1] not in dq:
            continue
        d = dq[qmm[n.name].input[1]]
        axis = next((a.i for a in d.attribute if a.name == "axis"), 1)
        want_q, want_s = reference(fi[n.input[1]])
        got_q, got_s = qi[d.input[0]], qi[d.input[1]]
        ok = axis == 1 and len(d.input) == 2 and got_q.dtype == np.int8
        ok = ok and np.array_equal(got_q, want_q) and np.array_equal(got_s, want_s)
        compared += 1
        if not ok:
            bad.append(n.name)
    print(f"check_int8_dq: {compared} DequantizeLinear -> MatMul compared, {len(bad)} differ {bad[:5]}")
    sys.exit(1 if bad or compared == 0 else 0)


if __name__ == "__main__":
    main()
