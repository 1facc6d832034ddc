#!/usr/bin/env python3
"""Copy of an ONNX model with intermediate values added as graph outputs, for per-node
comparison of two runtimes (tools/bench/turn-divergence.mjs).

Usage: expose_outputs.py IN.onnx OUT.onnx [--ops Op1,Op2,...]
Adds every node output whose element type shape inference can tell (float, uint8, int32,
int64 ...), in node order, optionally only for the given op types. Prints the added names,
one per line, with the producing node's op type: NAME<TAB>OP.
"""
import sys

import onnx
from onnx import shape_inference


def main():
    src, dst = sys.argv[1], sys.argv[2]
    ops = None
    if '--ops' in sys.argv:
        ops = set(sys.argv[sys.argv.index('--ops') + 1].split(','))
    model = onnx.load(src)
    inferred = shape_inference.infer_shapes(model)
    types = {v.name: v for v in inferred.graph.value_info}
    present = {o.name for o in model.graph.output}
    added = []
    for node in model.graph.node:
        if ops and node.op_type not in ops:
            continue
        for name in node.output:
            if not name or name in present or name not in types:
                continue
            vi = types[name]
            if vi.type.tensor_type.elem_type == 0:
                continue
            model.graph.output.append(vi)
            present.add(name)
            added.append((name, node.op_type))
    onnx.save(model, dst)
    for name, op in added:
        print(f'{name}\t{op}')


if __name__ == '__main__':
    main()
