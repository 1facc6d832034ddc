#!/usr/bin/python3
"""float8 weight-only quantization, the numpy side.

  make OUT.onnx            a small float MLP at ai.onnx opset 19 (MatMul -> Add -> Relu -> MatMul,
                           one weight with a zero column), input x [batch, 64]
  check FLOAT.onnx Q.onnx  every MatMul of FLOAT whose weight Q now reads through DequantizeLinear
                           must hold float8 E4M3FN W_q [K, N] (data type 17, raw bytes), axis 1, no
                           zero point, and float scales [N] equal to the reference below. Prints the
                           count; exits 1 on any mismatch or when nothing was compared.

Reference (written here from the ONNX float8 spec, independent of the C++ encoder):
scale = max_k |w| / 448 (1 for an all-zero column); q = the E4M3FN value nearest w / scale,
ties to the even code, magnitudes past 448 saturating to 448. E4M3FN: 1 sign, 4 exponent bits
(bias 7), 3 mantissa bits, subnormals, no infinities, NaN = S.1111.111.
Debian's onnx 1.12 predates float8, so tensors of type 17 are read from raw_data here.
"""
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

from dq_matmul_weights import compare

FLOAT8E4M3FN = 17


def e4m3fn_values():
    """float64 value of each code 0..255 (NaN for the two NaN codes)."""
    v = np.zeros(256)
    for code in range(256):
        s, e, m = code >> 7, (code >> 3) & 15, code & 7
        if e == 15 and m == 7:
            v[code] = np.nan
            continue
        mag = (m / 8) * 2.0 ** -6 if e == 0 else (1 + m / 8) * 2.0 ** (e - 7)
        v[code] = -mag if s else mag
    return v


VALUES = e4m3fn_values()
POSITIVE = [c for c in range(127) if not np.isnan(VALUES[c])]  # codes 0..126, increasing


def encode(x):
    """Nearest E4M3FN code of float x (ties to the even code, saturating)."""
    sign = 0x80 if np.signbit(x) else 0
    a = abs(float(x))
    if a >= 448:
        return sign | 126
    best = min(POSITIVE, key=lambda c: (abs(VALUES[c] - a), c & 1))
    return sign | best


def reference(w):
    amax = np.abs(w).max(axis=0)
    scale = np.where(amax > 0, amax / np.float32(448), np.float32(1)).astype(np.float32)
    x = (w / scale).astype(np.float32)
    q = np.vectorize(encode, otypes=[np.uint8])(x)
    return q, scale


def make(out):
    rng = np.random.default_rng(19)
    w1 = rng.normal(0, 0.2, (64, 48)).astype(np.float32)
    w1[:, 5] = 0  # an all-zero column: scale 1
    w1[3, 7] = 3.0  # one large value per column sets its scale
    b1 = rng.normal(0, 0.1, 48).astype(np.float32)
    w2 = rng.normal(0, 0.3, (48, 16)).astype(np.float32)
    inits = [numpy_helper.from_array(a, n) for a, n in ((w1, "w1"), (b1, "b1"), (w2, "w2"))]
    nodes = [
        helper.make_node("MatMul", ["x", "w1"], ["h0"], name="fc1"),
        helper.make_node("Add", ["h0", "b1"], ["h1"], name="fc1_bias"),
        helper.make_node("Relu", ["h1"], ["h2"], name="relu"),
        helper.make_node("MatMul", ["h2", "w2"], ["y"], name="fc2"),
    ]
    g = helper.make_graph(nodes, "mlp", [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, ["batch", 64])],
                          [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, ["batch", 16])], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 19)], producer_name="qwasm-tests")
    m.ir_version = 9
    onnx.save(m, out)


def array(t):
    if t.data_type == FLOAT8E4M3FN:
        return np.frombuffer(t.raw_data, np.uint8).reshape(tuple(t.dims)), FLOAT8E4M3FN
    return numpy_helper.to_array(t), t.data_type


def check(float_path, quant_path):
    compared, bad = compare(onnx.load(float_path), onnx.load(quant_path), reference, array, FLOAT8E4M3FN)
    print(f"{compared} float8 weights compared, {len(bad)} wrong")
    for b in bad:
        print("  " + b)
    sys.exit(1 if bad or compared == 0 else 0)


if __name__ == "__main__":
    if sys.argv[1:2] == ["make"] and len(sys.argv) == 3:
        make(sys.argv[2])
    elif sys.argv[1:2] == ["check"] and len(sys.argv) == 4:
        check(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
