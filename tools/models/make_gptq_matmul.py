#!/usr/bin/env python3
"""One float MatMul y = x @ W (x [rows, 64], W [64, 32], fixed seed) for
tests/js/quantizer-gptq.test.mjs.  Usage: make_gptq_matmul.py OUT.onnx"""
import sys
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

w = np.random.RandomState(7).standard_normal((64, 32)).astype(np.float32)
g = helper.make_graph(
    [helper.make_node('MatMul', ['x', 'W'], ['y'], name='MatMul_0')], 'gptq_matmul',
    [helper.make_tensor_value_info('x', TensorProto.FLOAT, ['rows', 64])],
    [helper.make_tensor_value_info('y', TensorProto.FLOAT, ['rows', 32])],
    [numpy_helper.from_array(w, 'W')])
m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 13)])
m.ir_version = 8
onnx.checker.check_model(m)
onnx.save(m, sys.argv[1])
