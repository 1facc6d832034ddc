#!/usr/bin/env python3
"""A float model with every place AWQ / SmoothQuant put 1/s (src/quantize/input_scale.h), for
tests/js/quantizer-awq.test.mjs: x [rows, 64] -> LayerNormalization (gamma with a few large
channels) -> a; a -> MatMul W1 [64, 32] -> Mul by a constant [32] -> MatMul W3 [32, 16] -> y3;
a -> MatMul W2 [64, 32] -> y2; x (a graph input) -> MatMul W4 [64, 16] -> y4; a gated MLP
Mul(MatMul(a, Wg), MatMul(a, Wu)) -> MatMul Wd [32, 16] -> y5; Shape(a) -> a_shape. Fixed seed.
Usage: make_awq_models.py OUT.onnx"""
import sys
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

r = np.random.RandomState(31)
K = 64
gamma = (1 + 0.1 * r.standard_normal(K)).astype(np.float32)
gamma[5::13] = 12
c = np.full(32, 0.5, np.float32)
c[2::7] = 9
inits = {
    'gamma': gamma, 'beta': (0.1 * r.standard_normal(K)).astype(np.float32),
    'W1': r.standard_normal((K, 32)).astype(np.float32), 'W2': r.standard_normal((K, 32)).astype(np.float32),
    'c': c, 'W3': r.standard_normal((32, 16)).astype(np.float32), 'W4': r.standard_normal((K, 16)).astype(np.float32),
    'Wg': r.standard_normal((K, 32)).astype(np.float32), 'Wu': r.standard_normal((K, 32)).astype(np.float32),
    'Wd': r.standard_normal((32, 16)).astype(np.float32),
}
nodes = [
    helper.make_node('LayerNormalization', ['x', 'gamma', 'beta'], ['a'], name='ln', axis=-1),
    helper.make_node('MatMul', ['a', 'W1'], ['b'], name='mm1'),
    helper.make_node('MatMul', ['a', 'W2'], ['y2'], name='mm2'),
    helper.make_node('Mul', ['b', 'c'], ['d'], name='mul'),
    helper.make_node('MatMul', ['d', 'W3'], ['y3'], name='mm3'),
    helper.make_node('MatMul', ['x', 'W4'], ['y4'], name='mm4'),
    helper.make_node('MatMul', ['a', 'Wg'], ['gate'], name='mmg'),
    helper.make_node('MatMul', ['a', 'Wu'], ['up'], name='mmu'),
    helper.make_node('Mul', ['gate', 'up'], ['h'], name='glu'),
    helper.make_node('MatMul', ['h', 'Wd'], ['y5'], name='mmd'),
    helper.make_node('Shape', ['a'], ['a_shape'], name='shape'),
]
g = helper.make_graph(
    nodes, 'awq_matmuls', [helper.make_tensor_value_info('x', TensorProto.FLOAT, ['rows', K])],
    [helper.make_tensor_value_info(y, TensorProto.FLOAT, ['rows', n]) for y, n in (('y2', 32), ('y3', 16), ('y4', 16), ('y5', 16))]
    + [helper.make_tensor_value_info('a_shape', TensorProto.INT64, [2])],
    [numpy_helper.from_array(v, k) for k, v in inits.items()])
m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 17)])
m.ir_version = 8
onnx.checker.check_model(m)
onnx.save(m, sys.argv[1])
