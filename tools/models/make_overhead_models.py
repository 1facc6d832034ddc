#!/usr/bin/python3
"""Generates tiny models whose run time is all per-node overhead, for tools/bench/overhead.mjs
(the small-model gap to onnxruntime-web, issue #15). x is float32 [1, 8] in every model; KIND is one of
  identity  200 Identity nodes in a chain
  squeeze   100 Unsqueeze(axes [0]) + Squeeze(axes [0]) pairs (opset 13, axes as constant inputs)
  if        20 Ifs in a chain on the bool input `cond`; each branch holds a nested If on the same cond
            whose branches compute x + Constant through a Shape/Gather/Unsqueeze/Concat/Reshape chain
            that is constant at load (silero's pattern)
Written at bench time, not committed.
Usage: /usr/bin/python3 tools/models/make_overhead_models.py OUT.onnx KIND
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def const(name, value):
    return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(np.asarray(value), name))


def chain(kind):
    nodes, inits = [], []
    cur = "x"
    if kind == "identity":
        for i in range(200):
            nodes.append(helper.make_node("Identity", [cur], [f"v{i}"]))
            cur = f"v{i}"
    else:
        inits.append(numpy_helper.from_array(np.array([0], np.int64), "axes0"))
        for i in range(100):
            nodes.append(helper.make_node("Unsqueeze", [cur, "axes0"], [f"u{i}"]))
            nodes.append(helper.make_node("Squeeze", [f"u{i}", "axes0"], [f"s{i}"]))
            cur = f"s{i}"
    nodes.append(helper.make_node("Identity", [cur], ["y"]))
    return nodes, inits, []


def branch(tag, src, delta, depth):
    """A subgraph returning src + delta (depth > 0: through a nested If on `cond`)."""
    out = f"{tag}_out"
    if depth > 0:
        inner = helper.make_node("If", ["cond"], [out],
                                 then_branch=branch(f"{tag}t", src, delta, depth - 1),
                                 else_branch=branch(f"{tag}e", src, -delta, depth - 1))
        nodes = [inner]
    else:
        # A constant-at-load shape chain (folded at load: every input is a Constant) feeding a Reshape.
        nodes = [
            const(f"{tag}_c", np.full((1, 8), delta, np.float32)),
            helper.make_node("Shape", [f"{tag}_c"], [f"{tag}_shape"]),
            const(f"{tag}_i", np.array(1, np.int64)),
            helper.make_node("Gather", [f"{tag}_shape", f"{tag}_i"], [f"{tag}_n"], axis=0),
            helper.make_node("Unsqueeze", [f"{tag}_n", f"{tag}_ax"], [f"{tag}_n1"]),
            const(f"{tag}_ax", np.array([0], np.int64)),
            const(f"{tag}_one", np.array([1], np.int64)),
            helper.make_node("Concat", [f"{tag}_one", f"{tag}_n1"], [f"{tag}_to"], axis=0),
            helper.make_node("Add", [src, f"{tag}_c"], [f"{tag}_sum"]),
            helper.make_node("Reshape", [f"{tag}_sum", f"{tag}_to"], [out]),
        ]
        # Constants first (the subgraph must be topologically sorted for onnxruntime).
        nodes = [n for n in nodes if n.op_type == "Constant"] + [n for n in nodes if n.op_type != "Constant"]
    return helper.make_graph(nodes, tag, [], [helper.make_tensor_value_info(out, TensorProto.FLOAT, None)])


def ifs():
    nodes, cur = [], "x"
    for i in range(20):
        nodes.append(helper.make_node("If", ["cond"], [f"r{i}"],
                                      then_branch=branch(f"t{i}", cur, 0.5, 1),
                                      else_branch=branch(f"e{i}", cur, -0.25, 1)))
        cur = f"r{i}"
    nodes.append(helper.make_node("Identity", [cur], ["y"]))
    return nodes, [], [helper.make_tensor_value_info("cond", TensorProto.BOOL, [])]


def main(out, kind):
    nodes, inits, extra = ifs() if kind == "if" else chain(kind)
    g = helper.make_graph(nodes, f"overhead_{kind}",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8])] + extra,
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8])], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    onnx.checker.check_model(m)
    onnx.save(m, out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
