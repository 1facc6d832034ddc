#!/usr/bin/python3
"""Generates one float32 model of Conv chains ending in Max / Min with constants, the shapes
the Conv epilogue folds (graph/passes/fuse_conv_epilogue.cc) and the ones it must leave alone,
for tests/js/conv-clamp.test.mjs (compared with onnxruntime-web):
  y_wake:   Conv 1x3 -> LeakyRelu(0.2) -> Max(., [1,1,1,1] -0.4)    (openWakeWord's embedding model)
  y_relu6:  Conv 3x1 -> Min(6, .) -> Max(., 0)                      (both steps, constant first in Min)
  y_chan:   Conv 3x3 -> Max(., [1,M,1,1] per channel)              (not a scalar: stays a Max node)
  y_shared: Conv 1x1 -> Max(., -0.1), the Conv's output also an output (seen elsewhere: stays)
Random weights (seeded); written at test time, not committed.
Usage: /usr/bin/python3 tools/models/make_conv_clamp_model.py OUT.onnx
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

from graph_builder import GraphBuilder

C, M, H, W = 8, 12, 10, 16


def main():
    b = GraphBuilder(7)
    f32 = lambda base, shape, s=0.3: b.init(base, (b.rng.standard_normal(shape) * s).astype(np.float32))
    const = lambda base, v, shape=(): b.init(base, np.full(shape, v, np.float32))

    def conv(kh, kw, pads):
        return b.node("Conv", ["x", f32("w", (M, C, kh, kw)), f32("b", (M,), 0.1)], kernel_shape=[kh, kw], pads=pads)

    lr = b.node("LeakyRelu", [conv(1, 3, [0, 1, 0, 1])], alpha=0.2)
    b.node("Max", [lr, const("lo", -0.4, (1, 1, 1, 1))], outputs=["y_wake"])
    mn = b.node("Min", [const("six", 0.6), conv(3, 1, [1, 0, 1, 0])])
    b.node("Max", [mn, const("zero", 0.0, (1,))], outputs=["y_relu6"])
    b.node("Max", [conv(3, 3, [1, 1, 1, 1]), f32("chan", (1, M, 1, 1))], outputs=["y_chan"])
    b.node("Conv", ["x", f32("w", (M, C, 1, 1)), f32("b", (M,), 0.1)], outputs=["y_conv"])
    b.node("Max", ["y_conv", const("lo", -0.1)], outputs=["y_shared"])
    out = lambda n: helper.make_tensor_value_info(n, TensorProto.FLOAT, [1, M, H, W])
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, C, H, W])
    outs = [out(n) for n in ["y_wake", "y_relu6", "y_chan", "y_conv", "y_shared"]]
    graph = helper.make_graph(b.nodes, "conv_clamp", [x], outs, b.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, sys.argv[1])


if __name__ == "__main__":
    main()
