#!/usr/bin/python3
"""Rewrites every initializer of an ONNX model as a Constant node (the form paddle2onnx exports
weights in, e.g. the PP-OCR models of the real-model suite), for the quantizer's test that such a
model quantizes the same as its initializer form (tests/js/quantizer-trained.test.mjs).
Usage: /usr/bin/python3 tools/models/constants_as_nodes.py IN.onnx OUT.onnx
"""
import sys

import onnx
from onnx import helper


def main(src, dst):
    m = onnx.load(src)
    g = m.graph
    consts = [helper.make_node("Constant", [], [t.name], name=f"const_{i}", value=t) for i, t in enumerate(g.initializer)]
    names = {t.name for t in g.initializer}
    keep_inputs = [v for v in g.input if v.name not in names]
    nodes = consts + list(g.node)
    del g.node[:]
    g.node.extend(nodes)
    del g.initializer[:]
    del g.input[:]
    g.input.extend(keep_inputs)
    onnx.checker.check_model(m)
    onnx.save(m, dst)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
