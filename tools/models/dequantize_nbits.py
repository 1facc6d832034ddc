#!/usr/bin/env python3
"""A float model from a 4-bit one: every com.microsoft MatMulNBits (bits 4, float scales, optional
packed zero points, default 8) becomes MatMul(A, W) with W [K, N] = (q - zp) * scale, the same
function in float. For tools/bench/quantize-tinylm.mjs, whose embedded tinylm ships only as q4.
Usage: dequantize_nbits.py IN.onnx OUT.onnx"""
import sys
import numpy as np
import onnx
from onnx import helper, numpy_helper


def dequantize(b, scales, zp, K, N, block):
    blocks = (K + block - 1) // block
    b = b.reshape(N, blocks, block // 2)
    q = np.empty((N, blocks, block), np.int32)
    q[:, :, 0::2] = b & 15
    q[:, :, 1::2] = b >> 4
    if zp is None:
        z = np.full((N, blocks), 8, np.int32)
    else:
        zb = zp.reshape(N, -1)
        z = np.empty((N, zb.shape[1] * 2), np.int32)
        z[:, 0::2] = zb & 15
        z[:, 1::2] = zb >> 4
        z = z[:, :blocks]
    w = (q - z[:, :, None]).astype(np.float32) * scales.reshape(N, blocks)[:, :, None]
    return np.ascontiguousarray(w.reshape(N, blocks * block)[:, :K].T)


def main():
    m = onnx.load(sys.argv[1])
    g = m.graph
    inits = {t.name: t for t in g.initializer}
    used = set()
    nodes = []
    for n in g.node:
        if n.op_type != 'MatMulNBits':
            nodes.append(n)
            continue
        a = {x.name: x.i for x in n.attribute}
        assert a.get('bits', 4) == 4, n.name
        arr = lambda i: numpy_helper.to_array(inits[n.input[i]]) if len(n.input) > i and n.input[i] else None
        w = dequantize(arr(1), arr(2).astype(np.float32), arr(3), a['K'], a['N'], a['block_size'])
        name = n.input[1] + '_float'
        g.initializer.append(numpy_helper.from_array(w, name))
        used.update(n.input[1:])
        nodes.append(helper.make_node('MatMul', [n.input[0], name], list(n.output), name=n.name.replace('_Q4', '')))
    del g.node[:]
    g.node.extend(nodes)
    keep = [t for t in g.initializer if t.name not in used]
    del g.initializer[:]
    g.initializer.extend(keep)
    onnx.save(m, sys.argv[2])


if __name__ == '__main__':
    main()
