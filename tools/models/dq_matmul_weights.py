"""What check_int8_dq.py and float8_weights.py share: find each MatMul of the float model whose
weight the quantized model now reads through a DequantizeLinear (matched by node name) and compare
that DequantizeLinear's quantized tensor and scales with a numpy reference of the float weight."""
import numpy as np
from onnx import numpy_helper


def compare(f, q, reference, read, want_type):
    """f, q: loaded float and quantized models. reference(w) -> (q, scale) wanted; read(tensor) ->
    (array, element type) of a quantized initializer. Returns (compared, [mismatch descriptions])."""
    fi = {t.name: numpy_helper.to_array(t) for t in f.graph.initializer}
    qi = {t.name: read(t) for t in q.graph.initializer}
    dq = {n.output[0]: n for n in q.graph.node if n.op_type == "DequantizeLinear"}
    qmm = {n.name: n for n in q.graph.node if n.op_type == "MatMul"}
    compared, bad = 0, []
    for n in f.graph.node:
        if n.op_type != "MatMul" or n.input[1] not in fi or n.name not in qmm or qmm[n.name].input[1] not in dq:
            continue
        d = dq[qmm[n.name].input[1]]
        axis = next((a.i for a in d.attribute if a.name == "axis"), 1)
        want_q, want_s = reference(fi[n.input[1]])
        (got_q, qtype), (got_s, _) = qi[d.input[0]], qi[d.input[1]]
        ok = axis == 1 and len(d.input) == 2 and qtype == want_type
        ok = ok and np.array_equal(got_q, want_q) and np.array_equal(got_s, want_s)
        compared += 1
        if not ok:
            diff = int((got_q != want_q).sum()) if got_q.shape == want_q.shape else -1
            bad.append(f"{n.name}: axis {axis}, type {qtype}, {diff} codes differ, scales equal {np.array_equal(got_s, want_s)}")
    return compared, bad
