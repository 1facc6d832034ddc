#!/usr/bin/python3
"""Generates a small ai.onnx opset-9 float model with the ops that changed signature by opset 11
(Clip-6 and Slice-1 take attributes there), for the dynamic quantizer's opset upgrade
(tests/js/quantizer-trained.test.mjs): x [2, 32] -> Clip(min -0.5, max 0.5) -> MatMul W [32, 16]
-> Slice(axes [1], starts [2], ends [10]) -> Clip(max 1.0) -> y [2, 8]. Seeded weights.
--pad: a Pad-2 (pads attribute) after the MatMul too, an op the upgrade refuses (y stays [2, 8]).
Usage: /usr/bin/python3 tools/models/make_opset9_model.py OUT.onnx [--pad]
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main(out, pad=False):
    w = (np.random.default_rng(9).standard_normal((32, 16)) * 0.3).astype(np.float32)
    nodes = [helper.make_node("Clip", ["x"], ["xc"], name="clip_in", min=-0.5, max=0.5),
             helper.make_node("MatMul", ["xc", "W"], ["xw"], name="mm"),
             *([helper.make_node("Pad", ["xw"], ["xp"], name="pad", pads=[0, 1, 0, 1])] if pad else []),
             helper.make_node("Slice", ["xp" if pad else "xw"], ["xs"], name="slice", axes=[1], starts=[2], ends=[10]),
             helper.make_node("Clip", ["xs"], ["y"], name="clip_out", max=1.0)]
    g = helper.make_graph(nodes, "opset9", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 32])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 8])],
                          [numpy_helper.from_array(w, "W")])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 9)], producer_name="qwasm make_opset9_model.py")
    m.ir_version = 4
    onnx.checker.check_model(m)
    onnx.save(m, out)


if __name__ == "__main__":
    main(sys.argv[1], "--pad" in sys.argv[2:])
