#!/usr/bin/python3
"""Checks a weight-only quantized model against the numpy reference (nbits.py): every
MatMulNBits that replaced a MatMul of FLOAT.onnx (same node name) must hold exactly the B,
scales and zero points quantize_nbits computes from the float weight. Prints the count; exits 1
on any mismatch or when nothing was compared.

Usage: /usr/bin/python3 tools/models/check_nbits.py FLOAT.onnx QUANT.onnx BITS BLOCK_SIZE SYMMETRIC(0|1)
"""
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nbits import quantize_nbits  # noqa: E402


def main():
    fpath, qpath, bits, block, sym = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "1"
    f, q = onnx.load(fpath), onnx.load(qpath)
    fi = {t.name: numpy_helper.to_array(t) for t in f.graph.initializer}
    qi = {t.name: numpy_helper.to_array(t) for t in q.graph.initializer}
    qnodes = {n.name: n for n in q.graph.node if n.op_type == "MatMulNBits"}
    compared, bad = 0, []
    for n in f.graph.node:
        if n.op_type != "MatMul" or n.input[1] not in fi or n.name not in qnodes:
            continue
        b, s, z, _ = quantize_nbits(fi[n.input[1]], bits, block, sym)
        m = qnodes[n.name]
        ok = np.array_equal(qi[m.input[1]].reshape(b.shape), b) and np.array_equal(qi[m.input[2]], s)
        if not sym:
            ok = ok and len(m.input) > 3 and np.array_equal(qi[m.input[3]].reshape(-1), z.reshape(-1))
        else:
            ok = ok and len(m.input) == 3
        compared += 1
        if not ok:
            bad.append(n.name)
    print(f"check_nbits: {compared} MatMulNBits compared, {len(bad)} differ {bad[:5]}")
    sys.exit(1 if bad or compared == 0 else 0)


if __name__ == "__main__":
    main()
