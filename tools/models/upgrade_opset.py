#!/usr/bin/python3
"""Converts an ONNX model to a newer ai.onnx opset with onnx's version converter (python3-onnx),
for quantizing models exported at an old opset (tools/bench/quantize-real.mjs: the PP-OCR models
import opset 9 / 11; the quantizer's static mode needs 13 for per-channel DequantizeLinear).
The converter's Softmax 12 -> 13 adapter needs its input's rank: the model goes to opset 12 first,
then through shape inference, with DIMS (e.g. 1,3,48,192) fixing the first input's shape.
Usage: /usr/bin/python3 tools/models/upgrade_opset.py IN.onnx OUT.onnx [OPSET=13] [DIMS]
"""
import sys

import onnx
from onnx import version_converter


def main(src, dst, opset="13", dims=None):
    m = onnx.load(src)
    if dims:
        shape = m.graph.input[0].type.tensor_type.shape
        for d, v in zip(shape.dim, (int(x) for x in dims.split(","))):
            d.ClearField("dim_param")
            d.dim_value = v
    # to 12 first, then shapes (inferred at opset 12, which they are not at the source's 9), then on
    if int(opset) > 12 and min(o.version for o in m.opset_import if o.domain in ("", "ai.onnx")) < 12:
        m = onnx.shape_inference.infer_shapes(version_converter.convert_version(m, 12))
    m = version_converter.convert_version(onnx.shape_inference.infer_shapes(m), int(opset))
    onnx.checker.check_model(m)
    onnx.save(m, dst)


if __name__ == "__main__":
    main(*sys.argv[1:])
