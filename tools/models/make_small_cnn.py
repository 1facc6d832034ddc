#!/usr/bin/python3
"""Generates a small float32 CNN for the static quantizer's tests (tests/js/quantizer-static.test.mjs),
input x [N, 3, 16, 16] (N symbolic):
  Conv 3x3 (3 -> 8) + Relu, depthwise Conv 3x3 stride 2 (group 8) + Clip(0, 6), Conv 1x1 (8 -> 16)
  + Relu, grouped Conv 3x3 (16 -> 16, group 4), GlobalAveragePool, Flatten, then a Gemm (transB) to
  `logits` [N, 10] and a MatMul to `embed` [N, 6] (both graph outputs).
Random weights (seeded); written at test time, not committed.
Usage: /usr/bin/python3 tools/models/make_small_cnn.py OUT.onnx
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

from graph_builder import GraphBuilder


def main(out):
    b = GraphBuilder(20261202)

    def f32(base, shape, scale):
        return b.init(base, (b.rng.standard_normal(shape) * scale).astype(np.float32))

    def conv(x, cin, cout, k, stride=1, group=1):
        w = f32("w", (cout, cin // group, k, k), np.sqrt(2.0 / (cin // group * k * k)))
        return b.node("Conv", [x, w, f32("b", (cout,), 0.05)], kernel_shape=[k, k], strides=[stride, stride],
                      pads=[k // 2] * 4, group=group)

    y = b.node("Relu", [conv("x", 3, 8, 3)])
    lo, hi = b.init("lo", np.array(0, np.float32)), b.init("hi", np.array(6, np.float32))
    y = b.node("Clip", [conv(y, 8, 8, 3, stride=2, group=8), lo, hi])
    y = b.node("Relu", [conv(y, 8, 16, 1)])
    y = conv(y, 16, 16, 3, group=4)
    y = b.node("Flatten", [b.node("GlobalAveragePool", [y])])
    b.node("Gemm", [y, f32("wg", (10, 16), 0.3), f32("bg", (10,), 0.1)], outputs=["logits"], transB=1)
    b.node("MatMul", [y, f32("wm", (16, 6), 0.3)], outputs=["embed"])
    g = helper.make_graph(b.nodes, "small_cnn",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 16, 16])],
                          [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10]),
                           helper.make_tensor_value_info("embed", TensorProto.FLOAT, ["N", 6])], b.inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.checker.check_model(m)
    onnx.save(m, out)


if __name__ == "__main__":
    main(sys.argv[1])
