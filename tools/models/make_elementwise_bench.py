#!/usr/bin/python3
"""Generates one single-node model per elementwise benchmark case (tools/bench/elementwise.mjs):
the op fed by graph inputs (so no engine can fold it), shapes large enough that the
elementwise loops dominate (about a million elements). For benchmarks, not committed.
Usage: /usr/bin/python3 tools/models/make_elementwise_bench.py OUT_DIR
"""
import os
import sys

import onnx
from onnx import TensorProto as T, helper

N4 = [1, 64, 128, 128]  # a conv feature map: 1M elements
# name: (op, [(input type, shape)], output type, attributes)
CASES = {
    "add_f32": ("Add", [(T.FLOAT, N4), (T.FLOAT, N4)], T.FLOAT, {}),
    "add_f32_channel": ("Add", [(T.FLOAT, N4), (T.FLOAT, [1, 64, 1, 1])], T.FLOAT, {}),
    "mul_f32_row": ("Mul", [(T.FLOAT, [64, 64, 256]), (T.FLOAT, [256])], T.FLOAT, {}),
    "mul_f32_scalar": ("Mul", [(T.FLOAT, N4), (T.FLOAT, [])], T.FLOAT, {}),
    "div_f32": ("Div", [(T.FLOAT, N4), (T.FLOAT, N4)], T.FLOAT, {}),
    "sub_f32_inner_bcast": ("Sub", [(T.FLOAT, [64, 128, 128]), (T.FLOAT, [64, 128, 1])], T.FLOAT, {}),
    "max_f32": ("Max", [(T.FLOAT, N4), (T.FLOAT, N4)], T.FLOAT, {}),
    "sum3_f32": ("Sum", [(T.FLOAT, N4), (T.FLOAT, N4), (T.FLOAT, [1, 64, 1, 1])], T.FLOAT, {}),
    "pow_f32_cube": ("Pow", [(T.FLOAT, N4), (T.FLOAT, [])], T.FLOAT, {}),
    "less_f32": ("Less", [(T.FLOAT, N4), (T.FLOAT, N4)], T.BOOL, {}),
    "equal_i64": ("Equal", [(T.INT64, [1 << 20]), (T.INT64, [])], T.BOOL, {}),
    "add_i64": ("Add", [(T.INT64, [1 << 20]), (T.INT64, [1 << 20])], T.INT64, {}),
    "add_i32": ("Add", [(T.INT32, [1 << 20]), (T.INT32, [1 << 20])], T.INT32, {}),
    "add_i8": ("Add", [(T.INT8, [1 << 20]), (T.INT8, [1 << 20])], T.INT8, {}),
    "add_f16": ("Add", [(T.FLOAT16, N4), (T.FLOAT16, N4)], T.FLOAT16, {}),
    "relu_f32": ("Relu", [(T.FLOAT, N4)], T.FLOAT, {}),
    "sigmoid_f32": ("Sigmoid", [(T.FLOAT, N4)], T.FLOAT, {}),
    "clip_f32": ("Clip", [(T.FLOAT, N4)], T.FLOAT, {}),
    "cast_f32_i64": ("Cast", [(T.FLOAT, N4)], T.INT64, {"to": T.INT64}),
    "cast_i64_f32": ("Cast", [(T.INT64, N4)], T.FLOAT, {"to": T.FLOAT}),
    "cast_u8_f32": ("Cast", [(T.UINT8, N4)], T.FLOAT, {"to": T.FLOAT}),
    "cast_f32_f16": ("Cast", [(T.FLOAT, N4)], T.FLOAT16, {"to": T.FLOAT16}),
}


def make(op, inputs, out_type, attrs):
    names = [f"x{i}" for i in range(len(inputs))]
    vis = [helper.make_tensor_value_info(n, t, s) for n, (t, s) in zip(names, inputs)]
    out = helper.make_tensor_value_info("y", out_type, inputs[0][1])  # input 0 has the output shape
    g = helper.make_graph([helper.make_node(op, names, ["y"], **attrs)], op.lower(), vis, [out])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


if __name__ == "__main__":
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    for name, case in CASES.items():
        m = make(*case)
        onnx.checker.check_model(m)
        onnx.save(m, os.path.join(out_dir, f"{name}.onnx"))
