"""Generates the quantization test suite: small models covering every
quantization operator x element type x granularity, their inputs, and a
manifest (manifest.json). Expected outputs come from onnxruntime-node
(tests/quant/make_expected.mjs fills them in); where onnxruntime has no CPU
kernel the expected values are computed here in numpy ("expected_source":
"numpy" in the manifest). Cases with an "error" entry are models that must be
rejected when the session is built, with a message naming the node.

onnx 1.12's helper predates float8/int4 and opset 21, so those tensors are
written field by field (data_type and raw_data) and the opset is set directly.

Usage: /usr/bin/python3 tests/data/quant/make_quant_models.py   (then run make_expected.mjs)
"""
import json
import math
import os

import numpy as np
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
MS = "com.microsoft"
F32, U8, I8, U16, I16, I32, F16, BOOL, I64 = 1, 2, 3, 4, 5, 6, 10, 9, 7
E4M3FN, E4M3FNUZ, E5M2, E5M2FNUZ, U4, I4 = 17, 18, 19, 20, 21, 22
NP = {F32: np.float32, U8: np.uint8, I8: np.int8, U16: np.uint16, I16: np.int16, I32: np.int32, F16: np.float16,
      BOOL: np.bool_, I64: np.int64}
JS = {F32: "float32", U8: "uint8", I8: "int8", U16: "uint16", I16: "int16", I32: "int32", F16: "float16",
      BOOL: "bool"}
RANGE = {U8: (0, 255), I8: (-128, 127), U16: (0, 65535), I16: (-32768, 32767), U4: (0, 15), I4: (-8, 7)}

rng = np.random.default_rng(20240611)
cases = []


# ---------------------------------------------------------------- tensors
def tensor(name, dtype, dims, values):
    """TensorProto of any element type; 4-bit values packed low nibble first, float8 as raw codes."""
    t = TensorProto()
    t.name, t.data_type = name, dtype
    t.dims.extend(dims)
    v = np.asarray(values).reshape(-1)
    if dtype in (U4, I4):
        nib = (v.astype(np.int64) & 15).astype(np.uint8)
        if len(nib) % 2:
            nib = np.append(nib, np.uint8(0))
        t.raw_data = (nib[0::2] | (nib[1::2] << 4)).astype(np.uint8).tobytes()
    elif dtype in (E4M3FN, E4M3FNUZ, E5M2, E5M2FNUZ):
        t.raw_data = v.astype(np.uint8).tobytes()
    else:
        t.raw_data = v.astype(NP[dtype]).tobytes()
    return t


def vinfo(name, dtype, dims):
    return helper.make_tensor_value_info(name, dtype, dims)


def encode(arr):
    """JSON-safe flat list (NaN and infinities as strings, bools as 0 / 1)."""
    out = []
    arr = np.asarray(arr)
    for x in (arr.astype(np.int64) if arr.dtype == np.bool_ else arr).reshape(-1).tolist():
        if isinstance(x, float) and not math.isfinite(x):
            out.append("NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity"))
        else:
            out.append(x)
    return out


def add_case(name, nodes, inputs, outputs, inits=(), opset=13, ms=False, tol=None, expected=None, error=None,
             note=None):
    """inputs: [(name, dtype, array)]; outputs: [(name, dtype, dims)]; expected: {name: array} from numpy."""
    opsets = [helper.make_opsetid("", opset)]
    if ms:
        opsets.append(helper.make_opsetid(MS, 1))
    graph = helper.make_graph(nodes, name, [vinfo(n, t, list(np.shape(a))) for n, t, a in inputs],
                              [vinfo(n, t, d) for n, t, d in outputs], initializer=list(inits))
    model = helper.make_model(graph, opset_imports=opsets, producer_name="make_quant_models.py")
    model.ir_version = 10 if opset >= 21 else 8
    with open(os.path.join(HERE, name + ".onnx"), "wb") as f:
        f.write(model.SerializeToString())
    case = {"name": name, "model": name + ".onnx", "ops": sorted({n.op_type for n in nodes})}
    if note:
        case["note"] = note
    if error:
        case["error"] = error
        case["node"] = nodes[-1].name
    else:
        case["inputs"] = [{"name": n, "type": JS[t], "dims": list(np.shape(a)), "data": encode(np.asarray(a, NP[t]))}
                          for n, t, a in inputs]
        case["outputs"] = [{"name": n, "type": JS[t], "dims": d} for n, t, d in outputs]
        case["tolerance"] = tol or {"atol": 0, "rtol": 0}
        if expected is not None:
            case["expected_source"] = "numpy"
            for o in case["outputs"]:
                o["data"] = encode(expected[o["name"]])
    cases.append(case)


def floats(*shape, scale=4.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def ints(dtype, *shape):
    lo, hi = RANGE[dtype]
    return rng.integers(lo, hi + 1, size=shape)


EXACT = {"atol": 0, "rtol": 0}
FLOAT = {"atol": 1e-6, "rtol": 1e-6}


def scale_shape(xshape, per, axis, block):
    """Shape of the scale (and zero point): [] per tensor, [C] per axis, the shape
    with `axis` divided into blocks (last one ragged) per block."""
    if per == "tensor":
        return []
    if per == "axis":
        return [xshape[axis]]
    sshape = list(xshape)
    sshape[axis] = -(-xshape[axis] // block)
    return sshape


def zero_points(qtype, sshape, zero_dtype):
    """Zero points in the middle half of qtype's range; zeros (of zero_dtype) for
    float8 and other types without a range (float8 zero points are 0 in practice)."""
    if qtype in RANGE:
        lo, hi = RANGE[qtype]
        return rng.integers(lo // 2, hi // 2 + 1, size=sshape)
    return np.zeros(sshape, zero_dtype)


# ---------------------------------------------------------------- QuantizeLinear
def q_case(name, qtype, xshape, opset, axis=None, block=None, zp=True, per="tensor", saturate=None,
           output_dtype=None, extra=None):
    """QuantizeLinear, then (for types JS cannot carry) DequantizeLinear with scale 1 and zero point 0,
    so the output is the quantized integers / float8 values as float32."""
    x = floats(*xshape)
    if extra is not None:
        x.reshape(-1)[: len(extra)] = extra
    sshape = scale_shape(xshape, per, axis, block)
    scale = (rng.uniform(0.05, 0.5, size=sshape)).astype(np.float32)
    inits = [tensor("scale", F32, sshape, scale)]
    ins = ["x", "scale"]
    if zp:
        inits.append(tensor("zp", qtype, sshape, zero_points(qtype, sshape, np.uint8)))
        ins.append("zp")
    attrs = {}
    if axis is not None:
        attrs["axis"] = axis
    if block is not None:
        attrs["block_size"] = block
    if saturate is not None:
        attrs["saturate"] = saturate
    if output_dtype is not None:
        attrs["output_dtype"] = output_dtype
    js_ok = qtype in JS
    nodes = [helper.make_node("QuantizeLinear", ins, ["y" if js_ok else "q"], name="quant", **attrs)]
    if not js_ok:
        inits += [tensor("one", F32, [], [1.0]), tensor("zero", qtype, [], [0])]
        nodes.append(helper.make_node("DequantizeLinear", ["q", "one", "zero"], ["y"], name="back"))
    add_case(name, nodes, [("x", F32, x)], [("y", qtype if js_ok else F32, list(xshape))], inits, opset,
             tol=EXACT)


q_case("q_u8_tensor_op10", U8, [3, 5], 10)
q_case("q_u8_tensor_nozp_op13", U8, [2, 7], 13, zp=False)
q_case("q_i8_tensor_op13", I8, [4, 4], 13)
q_case("q_u8_axis1_op13", U8, [2, 3, 4], 13, axis=1, per="axis")
q_case("q_i8_axis0_op13", I8, [3, 5], 13, axis=0, per="axis")
q_case("q_i8_axisneg_op13", I8, [2, 3, 4], 13, axis=-1, per="axis")
q_case("q_u16_tensor_op21", U16, [3, 6], 21, extra=[1e6, -1e6])
q_case("q_i16_axis_op21", I16, [4, 3], 21, axis=1, per="axis", extra=[1e6, -1e6])
q_case("q_i8_output_dtype_op21", I8, [3, 4], 21, zp=False, output_dtype=I8)
q_case("q_u8_blocked_op21", U8, [2, 6, 3], 21, axis=1, block=2, per="block")
q_case("q_i8_blocked_ragged_op21", I8, [3, 10], 21, axis=1, block=4, per="block")
q_case("q_i4_blocked_op21", I4, [4, 8], 21, axis=1, block=4, per="block")
q_case("q_u4_blocked_axis0_op21", U4, [8, 3], 21, axis=0, block=2, per="block")
q_case("q_i4_axis_op21", I4, [3, 5], 21, axis=0, per="axis")
q_case("q_u4_tensor_nozp_op21", U4, [5, 3], 21, zp=False, output_dtype=U4)
F8_EXTRA = [0.0, -0.0, 1e9, -1e9, 1e-9, float("inf"), float("-inf"), 3.3e-3, 460.0]
F8 = ((E4M3FN, "e4m3fn"), (E4M3FNUZ, "e4m3fnuz"), (E5M2, "e5m2"), (E5M2FNUZ, "e5m2fnuz"))
for t, nm in F8:
    for sat in (1, 0):
        # A zero point (0) carries the float8 output type.
        q_case(f"q_f8{nm}_{'sat' if sat else 'nosat'}_op19", t, [4, 6], 19, saturate=sat, extra=F8_EXTRA)
q_case("q_f8e4m3fn_axis_op19", E4M3FN, [3, 4], 19, axis=1, per="axis")


# ---------------------------------------------------------------- DequantizeLinear
def dq_case(name, qtype, xshape, opset, axis=None, block=None, zp=True, per="tensor", scale_type=F32, const_x=None):
    """x is a graph input where JS can carry its type, else an initializer (int4 / float8)."""
    const_x = qtype not in JS if const_x is None else const_x
    if qtype in RANGE:
        x = ints(qtype, *xshape)
    elif qtype == I32:
        x = rng.integers(-100000, 100000, size=xshape)
    else:  # float8: every finite code is fair game except NaN encodings
        x = rng.integers(0, 256, size=xshape)
        x[(x & 0x7F) >= 0x7C] = 0x11
        x[x == 0x80] = 0x01
    sshape = scale_shape(xshape, per, axis, block)
    scale = rng.uniform(0.05, 0.5, size=sshape)
    inits = [tensor("scale", scale_type, sshape, scale.astype(NP[scale_type]))]
    ins = ["x", "scale"]
    if zp:
        inits.append(tensor("zp", qtype, sshape, zero_points(qtype, sshape, np.int64)))
        ins.append("zp")
    attrs = {k: v for k, v in (("axis", axis), ("block_size", block)) if v is not None}
    graph_in = []
    if const_x:
        inits.append(tensor("x", qtype, xshape, x))
    else:
        graph_in = [("x", qtype, x)]
    nodes = [helper.make_node("DequantizeLinear", ins, ["y"], name="dequant", **attrs)]
    if not graph_in:  # a model needs an input: add a dummy one to the output (+ 0)
        graph_in = [("dummy", scale_type, np.zeros([1], NP[scale_type]))]
        nodes = [helper.make_node("DequantizeLinear", ins, ["d"], name="dequant", **attrs),
                 helper.make_node("Add", ["d", "dummy"], ["y"], name="plus_zero")]
    tol = {"atol": 0, "rtol": 1e-3} if scale_type == F16 else FLOAT
    add_case(name, nodes, graph_in, [("y", scale_type, list(xshape))], inits, opset, tol=tol)


dq_case("dq_u8_tensor_op10", U8, [3, 5], 10)
dq_case("dq_i8_tensor_nozp_op13", I8, [4, 3], 13, zp=False)
dq_case("dq_u8_axis1_op13", U8, [2, 3, 4], 13, axis=1, per="axis")
dq_case("dq_i8_axis0_op13", I8, [3, 4], 13, axis=0, per="axis")
dq_case("dq_i32_tensor_op13", I32, [2, 5], 13, zp=False)
dq_case("dq_u16_axis_op21", U16, [3, 4], 21, axis=0, per="axis")
dq_case("dq_i16_tensor_op21", I16, [4, 4], 21)
dq_case("dq_u8_blocked_op21", U8, [2, 8, 3], 21, axis=1, block=4, per="block")
dq_case("dq_i8_blocked_ragged_op21", I8, [3, 10], 21, axis=1, block=4, per="block")
dq_case("dq_u8_blocked_f16_op21", U8, [4, 8], 21, axis=1, block=2, per="block", scale_type=F16)
dq_case("dq_i4_blocked_op21", I4, [4, 16], 21, axis=1, block=4, per="block")
dq_case("dq_u4_blocked_axis0_op21", U4, [8, 5], 21, axis=0, block=4, per="block")
dq_case("dq_u4_blocked_nozp_op21", U4, [3, 32], 21, axis=1, block=16, per="block", zp=False)
dq_case("dq_i4_axis_op21", I4, [3, 7], 21, axis=1, per="axis")
dq_case("dq_i4_tensor_op21", I4, [5, 3], 21)
for t, nm in F8:
    dq_case(f"dq_f8{nm}_op19", t, [4, 8], 19)
dq_case("dq_f8e4m3fn_axis_op19", E4M3FN, [3, 4], 19, axis=0, per="axis")


# ---------------------------------------------------------------- DynamicQuantizeLinear
for name, x in (("dql_mixed", floats(3, 5)), ("dql_positive", np.abs(floats(4, 4)) + 1),
                ("dql_negative", -np.abs(floats(2, 6)) - 1), ("dql_zeros", np.zeros([2, 3], np.float32))):
    add_case(name, [helper.make_node("DynamicQuantizeLinear", ["x"], ["y", "y_scale", "y_zp"], name="dql")],
             [("x", F32, x)], [("y", U8, list(x.shape)), ("y_scale", F32, []), ("y_zp", U8, [])], opset=11,
             tol=EXACT)


# ---------------------------------------------------------------- MatMulInteger
def mmi_ref(a, b, za, zb):
    za = np.asarray(za, np.int64)
    if za.ndim == 1 and za.size > 1:
        za = za.reshape(-1, 1)
    return np.matmul(a.astype(np.int64) - za, b.astype(np.int64) - np.asarray(zb, np.int64)).astype(np.int32)


def mmi_case(name, ta, tb, ashape, bshape, za="tensor", zb="tensor", const_b=True):
    a, b = ints(ta, *ashape), ints(tb, *bshape)
    M, N = ashape[-2] if len(ashape) > 1 else 1, bshape[-1] if len(bshape) > 1 else 1
    inits, ins = [], ["a", "b"]
    zav = zbv = 0
    graph_in = [("a", ta, a)]
    if const_b:
        inits.append(tensor("b", tb, bshape, b))
    else:
        graph_in.append(("b", tb, b))
    if za:
        zav = ints(ta, *([M] if za == "row" else []))
        inits.append(tensor("za", ta, [M] if za == "row" else [], zav))
        ins.append("za")
    if zb:
        zbv = ints(tb, *([N] if zb == "col" else []))
        if not za:
            ins.append("")
        inits.append(tensor("zb", tb, [N] if zb == "col" else [], zbv))
        ins.append("zb")
    ref = mmi_ref(a, b, zav, zbv)
    add_case(name, [helper.make_node("MatMulInteger", ins, ["y"], name="mmi")], graph_in,
             [("y", I32, list(ref.shape))], inits, opset=10, tol=EXACT, expected={"y": ref})


mmi_case("mmi_u8u8_tensor", U8, U8, [3, 5], [5, 4])
mmi_case("mmi_u8i8_col", U8, I8, [4, 7], [7, 6], zb="col")
mmi_case("mmi_i8i8_row_col", I8, I8, [3, 9], [9, 5], za="row", zb="col")
mmi_case("mmi_i8u8_nozp", I8, U8, [2, 4], [4, 3], za=None, zb=None)
mmi_case("mmi_u8i8_batched", U8, I8, [2, 3, 16], [16, 5], zb="col")
mmi_case("mmi_u8u8_broadcast", U8, U8, [2, 1, 3, 4], [3, 4, 5], const_b=False)
mmi_case("mmi_u8i8_vector", U8, I8, [6], [6, 4], zb=None)
mmi_case("mmi_u8i8_large", U8, I8, [5, 300], [300, 33], zb="col")


# ---------------------------------------------------------------- ConvInteger
def conv_ref(x, w, xz, wz, strides, pads, dil, group):
    """Direct N-D integer convolution (NCHW), int64 accumulate."""
    x = x.astype(np.int64) - np.int64(xz)
    wz = np.asarray(wz, np.int64).reshape([-1] + [1] * (w.ndim - 1))
    w = w.astype(np.int64) - wz
    r = x.ndim - 2
    x = np.pad(x, [(0, 0), (0, 0)] + [(pads[i], pads[i + r]) for i in range(r)])
    N, C = x.shape[:2]
    M, cg = w.shape[:2]
    ks = w.shape[2:]
    out = [(x.shape[2 + i] - ((ks[i] - 1) * dil[i] + 1)) // strides[i] + 1 for i in range(r)]
    y = np.zeros([N, M] + out, np.int64)
    mg = M // group
    for m in range(M):
        g = m // mg
        for o in np.ndindex(*out):
            for k in np.ndindex(*ks):
                idx = tuple(o[i] * strides[i] + k[i] * dil[i] for i in range(r))
                y[(slice(None), m) + o] += (x[(slice(None), slice(g * cg, (g + 1) * cg)) + idx] *
                                            w[(m, slice(None)) + k]).sum(axis=1)
    return y


def same_pads(in_dims, ks, strides, dil, upper=True):
    lo, hi = [], []
    for i, d in enumerate(in_dims):
        o = -(-d // strides[i])
        total = max((o - 1) * strides[i] + (ks[i] - 1) * dil[i] + 1 - d, 0)
        a = total // 2 if upper else total - total // 2
        lo.append(a)
        hi.append(total - a)
    return lo + hi


def conv_geometry(xshape, wshape, strides, pads, dil, auto_pad):
    r = len(xshape) - 2
    strides = strides or [1] * r
    dil = dil or [1] * r
    if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        pads = same_pads(xshape[2:], wshape[2:], strides, dil, auto_pad == "SAME_UPPER")
    return strides, pads or [0] * (2 * r), dil


def convi_case(name, tx, tw, xshape, wshape, group=1, strides=None, pads=None, dil=None, auto_pad=None,
               xz=True, wz="tensor"):
    x, w = ints(tx, *xshape), ints(tw, *wshape)
    M = wshape[0]
    inits, ins = [tensor("w", tw, wshape, w)], ["x", "w"]
    xzv = ints(tx) if xz else 0
    wzv = ints(tw, *([M] if wz == "channel" else [])) if wz else 0
    ins.append("xz" if xz else "")
    if xz:
        inits.append(tensor("xz", tx, [], xzv))
    if wz:
        inits.append(tensor("wz", tw, [M] if wz == "channel" else [], wzv))
        ins.append("wz")
    s, p, d = conv_geometry(xshape, wshape, strides, pads, dil, auto_pad)
    ref = conv_ref(x, w, xzv, wzv, s, p, d, group).astype(np.int32)
    attrs = {"group": group}
    for k, v in (("strides", strides), ("pads", pads), ("dilations", dil), ("auto_pad", auto_pad)):
        if v is not None:
            attrs[k] = v
    add_case(name, [helper.make_node("ConvInteger", ins, ["y"], name="convi", **attrs)], [("x", tx, x)],
             [("y", I32, list(ref.shape))], inits, opset=10, tol=EXACT, expected={"y": ref})


convi_case("convi_u8u8_basic", U8, U8, [1, 2, 5, 5], [3, 2, 3, 3])
convi_case("convi_u8u8_pads_strides", U8, U8, [2, 3, 7, 6], [4, 3, 3, 2], strides=[2, 1], pads=[1, 0, 1, 1])
convi_case("convi_u8i8_channel_zp", U8, I8, [1, 4, 6, 6], [4, 4, 3, 3], wz="channel", pads=[1, 1, 1, 1])
convi_case("convi_u8i8_group_dil", U8, I8, [1, 4, 8, 8], [6, 2, 3, 3], group=2, dil=[2, 2], wz="channel")
convi_case("convi_i8i8_same_upper", I8, I8, [1, 3, 5, 7], [2, 3, 3, 3], strides=[2, 2], auto_pad="SAME_UPPER")
convi_case("convi_u8i8_same_lower_1d", U8, I8, [2, 3, 9], [4, 3, 4], auto_pad="SAME_LOWER", wz=None)
convi_case("convi_u8u8_depthwise", U8, U8, [1, 3, 5, 5], [3, 1, 3, 3], group=3, pads=[1, 1, 1, 1], xz=False)


# ---------------------------------------------------------------- QLinearMatMul / QLinearConv
def scale_arr(n):
    return rng.uniform(0.01, 0.05, size=n).astype(np.float32)


def qlmm_case(name, ta, tb, ty, ashape, bshape, per_col=False, opset=10):
    a, b = ints(ta, *ashape), ints(tb, *bshape)
    N = bshape[-1]
    bsh = [N] if per_col else []
    inits = [tensor("a_scale", F32, [], scale_arr(1)), tensor("a_zp", ta, [], ints(ta)),
             tensor("b", tb, bshape, b), tensor("b_scale", F32, bsh, scale_arr(N if per_col else 1)),
             tensor("b_zp", tb, bsh, ints(tb, *bsh) if tb == U8 else np.zeros(bsh, np.int64)),
             tensor("y_scale", F32, [], np.float32([ashape[-1] * 0.02])), tensor("y_zp", ty, [], ints(ty))]
    node = helper.make_node("QLinearMatMul", ["a", "a_scale", "a_zp", "b", "b_scale", "b_zp", "y_scale", "y_zp"],
                            ["y"], name="qlmm")
    out = list(np.broadcast_shapes(tuple(ashape[:-2]), tuple(bshape[:-2]))) + [ashape[-2], N]
    add_case(name, [node], [("a", ta, a)], [("y", ty, out)], inits, opset=opset, tol=EXACT)


qlmm_case("qlmm_u8u8_2d", U8, U8, U8, [3, 8], [8, 5])
qlmm_case("qlmm_i8i8_3d", I8, I8, I8, [2, 3, 16], [16, 4])
qlmm_case("qlmm_u8i8_percol", U8, I8, U8, [4, 32], [32, 6], per_col=True)
qlmm_case("qlmm_u8u8_batched_b", U8, U8, U8, [2, 3, 5], [2, 5, 4], opset=21)


def qlconv_case(name, tx, tw, xshape, wshape, per_channel=False, bias=True, group=1, strides=None, pads=None,
                dil=None, auto_pad=None):
    x, w = ints(tx, *xshape), ints(tw, *wshape)
    M = wshape[0]
    wsh = [M] if per_channel else []
    inits = [tensor("x_scale", F32, [], scale_arr(1)), tensor("x_zp", tx, [], ints(tx)), tensor("w", tw, wshape, w),
             tensor("w_scale", F32, wsh, scale_arr(M if per_channel else 1)),
             tensor("w_zp", tw, wsh, np.zeros(wsh, np.int64) if tw == I8 else ints(tw, *wsh)),
             tensor("y_scale", F32, [], np.float32([np.prod(wshape[1:]) * 0.01])), tensor("y_zp", tx, [], ints(tx))]
    ins = ["x", "x_scale", "x_zp", "w", "w_scale", "w_zp", "y_scale", "y_zp"]
    if bias:
        inits.append(tensor("bias", I32, [M], rng.integers(-2000, 2000, size=M)))
        ins.append("bias")
    attrs = {"group": group}
    for k, v in (("strides", strides), ("pads", pads), ("dilations", dil), ("auto_pad", auto_pad)):
        if v is not None:
            attrs[k] = v
    s, p, d = conv_geometry(xshape, wshape, strides, pads, dil, auto_pad)
    out = [xshape[0], M] + [(xshape[2 + i] + p[i] + p[i + len(s)] - ((wshape[2 + i] - 1) * d[i] + 1)) // s[i] + 1
                            for i in range(len(s))]
    add_case(name, [helper.make_node("QLinearConv", ins, ["y"], name="qlconv", **attrs)], [("x", tx, x)],
             [("y", tx, out)], inits, opset=10, tol=EXACT)


qlconv_case("qlconv_u8u8_tensor", U8, U8, [1, 3, 6, 6], [4, 3, 3, 3], pads=[1, 1, 1, 1])
qlconv_case("qlconv_u8i8_channel", U8, I8, [2, 4, 7, 7], [6, 4, 3, 3], per_channel=True, strides=[2, 2])
qlconv_case("qlconv_u8i8_group_dil", U8, I8, [1, 4, 8, 8], [4, 2, 3, 3], per_channel=True, group=2, dil=[2, 1])
qlconv_case("qlconv_i8i8_same", I8, I8, [1, 3, 5, 5], [3, 3, 3, 3], per_channel=True, auto_pad="SAME_UPPER")
qlconv_case("qlconv_u8i8_depthwise_nobias", U8, I8, [1, 4, 5, 5], [4, 1, 3, 3], per_channel=True, group=4,
            bias=False, pads=[1, 1, 1, 1])
qlconv_case("qlconv_u8u8_1d", U8, U8, [2, 3, 10], [5, 3, 3], strides=[2])


# ---------------------------------------------------------------- com.microsoft integer MatMuls
def mmitf_case(name, ta, tb, ashape, bshape, per_col=True, zp=True, bias=True):
    a, b = ints(ta, *ashape), ints(tb, *bshape)
    N = bshape[-1]
    bsh = [N] if per_col else []
    inits = [tensor("b", tb, bshape, b), tensor("a_scale", F32, [], scale_arr(1)),
             tensor("b_scale", F32, bsh, scale_arr(N if per_col else 1))]
    ins = ["a", "b", "a_scale", "b_scale"]
    if zp:
        inits += [tensor("a_zp", ta, [], ints(ta)), tensor("b_zp", tb, bsh, ints(tb, *bsh))]
        ins += ["a_zp", "b_zp"]
    if bias:
        inits.append(tensor("bias", F32, [N], floats(N)))
        ins += [""] * (6 - len(ins)) + ["bias"]
    out = list(ashape[:-1]) + [N]
    add_case(name, [helper.make_node("MatMulIntegerToFloat", ins, ["y"], name="mmitf", domain=MS)], [("a", ta, a)],
             [("y", F32, out)], inits, opset=13, ms=True, tol={"atol": 1e-4, "rtol": 1e-5})


mmitf_case("mmitf_u8i8_percol_bias", U8, I8, [3, 16], [16, 5])
mmitf_case("mmitf_u8u8_tensor", U8, U8, [2, 4, 8], [8, 3], per_col=False, bias=False)
mmitf_case("mmitf_i8i8_nozp", I8, I8, [4, 12], [12, 6], zp=False)


def dqmm_case(name, tb, ashape, bshape, per_col=True, zp=True, bias=True):
    a, b = floats(*ashape, scale=1.0), ints(tb, *bshape)
    N = bshape[-1]
    bsh = [N] if per_col else []
    inits = [tensor("b", tb, bshape, b), tensor("b_scale", F32, bsh, scale_arr(N if per_col else 1))]
    ins = ["a", "b", "b_scale"]
    if zp:
        inits.append(tensor("b_zp", tb, bsh, ints(tb, *bsh)))
        ins.append("b_zp")
    if bias:
        inits.append(tensor("bias", F32, [N], floats(N)))
        ins += [""] * (4 - len(ins)) + ["bias"]
    out = list(ashape[:-1]) + [N]
    add_case(name, [helper.make_node("DynamicQuantizeMatMul", ins, ["y"], name="dqmm", domain=MS)], [("a", F32, a)],
             [("y", F32, out)], inits, opset=13, ms=True, tol={"atol": 1e-4, "rtol": 1e-5})


dqmm_case("dqmm_i8_percol_bias", I8, [3, 16], [16, 5])
dqmm_case("dqmm_u8_tensor_zp", U8, [2, 3, 8], [8, 4], per_col=False, bias=False)
dqmm_case("dqmm_i8_nozp", I8, [4, 20], [20, 7], zp=False, bias=True)


# ---------------------------------------------------------------- MatMulNBits
def pack_bits(q, bits):
    """q [..., n] values < 2^bits -> bytes, low bits first (element 0 in the lowest bits)."""
    per = 8 // bits
    q = q.reshape(q.shape[:-1] + (-1, per)).astype(np.uint16)
    out = np.zeros(q.shape[:-1], np.uint16)
    for i in range(per):
        out |= q[..., i] << (bits * i)
    return out.astype(np.uint8)


def nbits_case(name, M, K, N, bits, block, zp="packed", bias=False, level=0, batch=None):
    nb = -(-K // block)
    q = rng.integers(0, 2 ** bits, size=(N, nb, block))
    q[:, -1, K - (nb - 1) * block:] = 0  # padding past K
    scales = rng.uniform(0.005, 0.02, size=(N, nb)).astype(np.float32)
    inits = [tensor("B", U8, [N, nb, block * bits // 8], pack_bits(q, bits)),
             tensor("scales", F32, [N * nb], scales.reshape(-1))]
    ins = ["A", "B", "scales"]
    zpv = np.full((N, nb), 2 ** (bits - 1), np.float32)
    if zp == "packed":
        zq = rng.integers(0, 2 ** bits, size=(N, nb))
        per = 8 // bits
        zpad = np.zeros((N, -(-nb // per) * per), np.int64)
        zpad[:, :nb] = zq
        inits.append(tensor("zp", U8, [N * (zpad.shape[1] // per)], pack_bits(zpad, bits).reshape(-1)))
        ins.append("zp")
        zpv = zq.astype(np.float32)
    elif zp == "float":
        zpv = rng.uniform(0, 2 ** bits - 1, size=(N, nb)).astype(np.float32)
        inits.append(tensor("zp", F32, [N * nb], zpv.reshape(-1)))
        ins.append("zp")
    if bias:
        bv = floats(N, scale=0.5)
        inits.append(tensor("bias", F32, [N], bv))
        ins += [""] * (5 - len(ins)) + ["bias"]
    ashape = ([batch] if batch else []) + [M, K]
    a = floats(*ashape, scale=1.0)
    # Reference: dequantize in float64 and multiply (accuracy_level 0 semantics).
    w = ((q.astype(np.float64) - zpv[..., None]) * scales[..., None]).reshape(N, nb * block)[:, :K]
    ref = (a.astype(np.float64) @ w.T + (bv if bias else 0)).astype(np.float32)
    node = helper.make_node("MatMulNBits", ins, ["Y"], name="mnb", domain=MS, K=K, N=N, bits=bits,
                            block_size=block, accuracy_level=level)
    # accuracy_level 4 quantizes A to int8 per block: a relative error of about 1/127 per block.
    tol = {"atol": 2e-4, "rtol": 2e-4} if level == 0 else {"atol": 0.02, "rtol": 0.02}
    add_case(name, [node], [("A", F32, a)], [("Y", F32, list(ref.shape))], inits, opset=21, ms=True, tol=tol,
             note="numpy_check: the float64 dequantize-then-multiply reference; make_expected.mjs checks "
                  "onnxruntime against it")
    cases[-1]["numpy_check"] = encode(ref)


for level in (0, 4):
    L = f"l{level}"
    nbits_case(f"mnb4_b16_{L}", 1, 64, 8, 4, 16, level=level)
    nbits_case(f"mnb4_b32_nozp_{L}", 3, 96, 10, 4, 32, zp=None, level=level)
    nbits_case(f"mnb4_b32_ragged_bias_{L}", 2, 100, 7, 4, 32, bias=True, level=level)
    nbits_case(f"mnb4_b64_batch_{L}", 3, 128, 12, 4, 64, batch=2, level=level)
    nbits_case(f"mnb4_b128_ragged_{L}", 1, 200, 9, 4, 128, level=level)
    nbits_case(f"mnb4_b256_{L}", 2, 300, 5, 4, 256, bias=True, level=level)
    nbits_case(f"mnb4_b32_floatzp_{L}", 2, 64, 6, 4, 32, zp="float", level=level)
    nbits_case(f"mnb8_b32_{L}", 2, 64, 6, 8, 32, level=level)
    nbits_case(f"mnb8_b128_nozp_ragged_{L}", 3, 150, 5, 8, 128, zp=None, bias=True, level=level)
    nbits_case(f"mnb8_b16_{L}", 1, 48, 4, 8, 16, level=level)
nbits_case("mnb2_b32_l0", 2, 64, 6, 2, 32)


# ---------------------------------------------------------------- models that must be rejected at build time
def bad(name, node, inits, error, inputs=(("x", F32, [2, 3]),), opset=21, ms=False):
    add_case(name, [node], [(n, t, np.zeros(d, NP[t])) for n, t, d in inputs], [("y", F32, [])], inits, opset, ms=ms,
             error=error)


bad("err_dq_scale_len", helper.make_node("DequantizeLinear", ["w", "s"], ["y"], name="dq_w", axis=1),
    [tensor("w", U8, [2, 3], np.zeros(6)), tensor("s", F32, [4], np.ones(4))],
    "scale has shape [4], expected a scalar or [3]")
bad("err_dq_zp_type", helper.make_node("DequantizeLinear", ["w", "s", "z"], ["y"], name="dq_w"),
    [tensor("w", U8, [2, 3], np.zeros(6)), tensor("s", F32, [], [1.0]), tensor("z", I8, [], [0])],
    "zero point type int8 differs from the input's uint8")
bad("err_dq_axis", helper.make_node("DequantizeLinear", ["w", "s"], ["y"], name="dq_w", axis=2),
    [tensor("w", I8, [2, 3], np.zeros(6)), tensor("s", F32, [3], np.ones(3))],
    "axis 2 is out of range for an input of rank 2")
bad("err_dq_block", helper.make_node("DequantizeLinear", ["w", "s"], ["y"], name="dq_w", axis=1, block_size=3),
    [tensor("w", I4, [4, 8], np.zeros(32)), tensor("s", F32, [4, 2], np.ones(8))],
    "blocked scale has shape [4,2], expected [4,3]")
bad("err_q_output_dtype", helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"], name="q_x", output_dtype=I8),
    [tensor("s", F32, [], [1.0]), tensor("z", U8, [], [0])], "zero point type uint8 differs from output_dtype int8")
bad("err_q_zp_shape", helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"], name="q_x", axis=1),
    [tensor("s", F32, [3], np.ones(3)), tensor("z", U8, [2], [0, 0])], "zero point shape [2] differs from the scale's [3]")
bad("err_mmi_zp_type", helper.make_node("MatMulInteger", ["a", "b", "", "zb"], ["y"], name="mmi_w"),
    [tensor("b", I8, [3, 4], np.zeros(12)), tensor("zb", U8, [], [0])], "b_zero_point has type uint8, expected int8",
    inputs=(("a", U8, [2, 3]),), opset=10)
bad("err_mmi_zp_len", helper.make_node("MatMulInteger", ["a", "b", "", "zb"], ["y"], name="mmi_w"),
    [tensor("b", I8, [3, 4], np.zeros(12)), tensor("zb", I8, [3], [0, 0, 0])],
    "b_zero_point has shape [3], expected a scalar or 4 elements", inputs=(("a", U8, [2, 3]),), opset=10)
bad("err_convi_wzp", helper.make_node("ConvInteger", ["x", "w", "", "wz"], ["y"], name="convi_w"),
    [tensor("w", I8, [4, 2, 3, 3], np.zeros(72)), tensor("wz", I8, [3], [0, 0, 0])],
    "w_zero_point has shape [3], expected a scalar or one per output channel (4)", inputs=(("x", U8, [1, 2, 5, 5]),),
    opset=10)
bad("err_qlmm_bscale", helper.make_node("QLinearMatMul", ["a", "as", "az", "b", "bs", "bz", "ys", "yz"], ["y"],
                                        name="qlmm_w"),
    [tensor("as", F32, [], [1.0]), tensor("az", U8, [], [0]), tensor("b", U8, [3, 4], np.zeros(12)),
     tensor("bs", F32, [5], np.ones(5)), tensor("bz", U8, [], [0]), tensor("ys", F32, [], [1.0]),
     tensor("yz", U8, [], [0])],
    "b_scale has shape [5], expected a scalar or 4 elements", inputs=(("a", U8, [2, 3]),), opset=10)


def bad_nbits(name, error, K=64, N=4, bits=4, block=32, b_bytes=None, g_idx=False):
    nb = -(-K // block)
    blob = block * bits // 8
    b_bytes = b_bytes if b_bytes is not None else N * nb * blob
    inits = [tensor("B", U8, [b_bytes], np.zeros(b_bytes)), tensor("S", F32, [N * nb], np.ones(N * nb))]
    ins = ["A", "B", "S"]
    if g_idx:
        inits.append(tensor("G", I32, [K], np.arange(K) // block))
        ins += ["", "G"]
    node = helper.make_node("MatMulNBits", ins, ["y"], name="mnb_w", domain=MS, K=K, N=N, bits=bits, block_size=block)
    bad(name, node, inits, error, inputs=(("A", F32, [1, K]),), opset=21, ms=True)


bad_nbits("err_mnb_b_size", "B has 100 bytes", b_bytes=100)
bad_nbits("err_mnb_block_size", "block_size must be a power of two >= 16, got 24", block=24)
bad_nbits("err_mnb_bits", "bits must be 2, 4 or 8, got 3", bits=3, block=32, b_bytes=24)
bad_nbits("err_mnb_g_idx", "g_idx", g_idx=True)

# ---------------------------------------------------------------- com.microsoft QOperator element-wise / pooling
# Expected values from onnxruntime-web (wasm, exact on every CPU): "expected_by" tells make_expected.mjs.
def web_case(name, nodes, inputs, outputs, inits):
    add_case(name, nodes, inputs, outputs, inits, opset=13, ms=True, tol=EXACT)
    cases[-1]["expected_by"] = "onnxruntime-web"


def qparams(prefix, t, scale, zp, const=True):
    """(initializers, graph inputs) for a scale / zero point pair named prefix_scale, prefix_zp."""
    s, z = np.float32(scale), np.asarray(zp)
    if const:
        return [tensor(prefix + "_scale", F32, [], [s]), tensor(prefix + "_zp", t, [], [z])], []
    return [], [(prefix + "_scale", F32, np.asarray(s, np.float32)), (prefix + "_zp", t, np.asarray(z, NP[t]))]


def all_bytes(t, shape):
    """Every value of t once (then repeated) in the given shape: a 256-entry table is checked whole."""
    lo, _ = RANGE[t]
    n = int(np.prod(shape))
    return (np.arange(n) % 256 + lo).reshape(shape)


def qlgap_case(name, t, xshape, channels_last=0, const=True):
    """Channel means spread over the range (so averages differ), scales and zero points that keep most
    outputs inside it (a few saturate)."""
    lo, hi = RANGE[t]
    mid = (lo + hi) // 2
    cshape = [1] * len(xshape)
    cshape[-1 if channels_last else 1] = xshape[-1 if channels_last else 1]
    means = mid + rng.uniform(-90, 90, size=cshape)
    x = np.clip(np.rint(means + rng.normal(0, 30, size=xshape)), lo, hi).astype(np.int64)
    xs = rng.uniform(0.01, 0.1)
    inits, pin = qparams("x", t, xs, rng.integers(mid - 20, mid + 21), const)
    i2, p2 = qparams("y", t, xs * rng.uniform(0.6, 1.2), rng.integers(mid - 20, mid + 21), const)
    yshape = [1] * len(xshape)
    yshape[0] = xshape[0]
    yshape[-1 if channels_last else 1] = xshape[-1 if channels_last else 1]
    node = helper.make_node("QLinearGlobalAveragePool", ["x", "x_scale", "x_zp", "y_scale", "y_zp"], ["y"],
                            name="qlgap", domain=MS, channels_last=channels_last)
    web_case(name, [node], [("x", t, x)] + pin + p2, [("y", t, yshape)], inits + i2)


qlgap_case("qlgap_u8_nchw", U8, [1, 3, 4, 4])
qlgap_case("qlgap_i8_nchw", I8, [2, 5, 3, 3])
qlgap_case("qlgap_u8_nhwc", U8, [1, 4, 4, 3], channels_last=1)
qlgap_case("qlgap_i8_nhwc", I8, [2, 2, 3, 6], channels_last=1)
qlgap_case("qlgap_u8_1d", U8, [2, 4, 7])
qlgap_case("qlgap_i8_large_image", I8, [1, 2, 49, 49])
qlgap_case("qlgap_u8_runtime_params", U8, [1, 3, 5, 5], const=False)


def qlmul_case(name, t, ashape, bshape, const=True, full=False):
    lo, hi = RANGE[t]
    a = all_bytes(t, ashape) if full else ints(t, *ashape)
    b = ints(t, *bshape)
    inits, ins = [], []
    for p, s in (("a", 0.05), ("b", 0.03), ("c", 0.2)):
        i, g = qparams(p, t, s * rng.uniform(0.5, 2), rng.integers(lo // 2, hi // 2 + 1), const)
        inits += i
        ins += g
    node = helper.make_node("QLinearMul", ["a", "a_scale", "a_zp", "b", "b_scale", "b_zp", "c_scale", "c_zp"],
                            ["c"], name="qlmul", domain=MS)
    out = list(np.broadcast_shapes(tuple(ashape), tuple(bshape)))
    web_case(name, [node], [("a", t, a), ("b", t, b)] + ins, [("c", t, out)], inits)


qlmul_case("qlmul_u8_same", U8, [3, 7], [3, 7])
qlmul_case("qlmul_i8_broadcast", I8, [2, 3, 4], [3, 1])
qlmul_case("qlmul_u8_all_bytes", U8, [16, 16], [16, 16], full=True)
qlmul_case("qlmul_i8_all_bytes", I8, [16, 16], [1, 16], full=True)
qlmul_case("qlmul_u8_runtime_params", U8, [2, 5], [5], const=False)
qlmul_case("qlmul_i8_runtime_params", I8, [4, 3], [4, 1], const=False)


def qlunary_case(name, op, t, shape, const=True, full=True, **attrs):
    lo, hi = RANGE[t]
    x = all_bytes(t, shape) if full else ints(t, *shape)
    i1, g1 = qparams("x", t, rng.uniform(0.02, 0.08), rng.integers(lo // 2, hi // 2 + 1), const)
    ys = 1 / 256 if op == "QLinearSigmoid" else rng.uniform(0.02, 0.08)
    yz = lo if op == "QLinearSigmoid" else rng.integers(lo // 2, hi // 2 + 1)
    i2, g2 = qparams("y", t, ys, yz, const)
    node = helper.make_node(op, ["x", "x_scale", "x_zp", "y_scale", "y_zp"], ["y"], name="qlunary", domain=MS,
                            **attrs)
    web_case(name, [node], [("x", t, x)] + g1 + g2, [("y", t, list(shape))], i1 + i2)


qlunary_case("qlsigmoid_u8_all_bytes", "QLinearSigmoid", U8, [16, 16])
qlunary_case("qlsigmoid_i8_all_bytes", "QLinearSigmoid", I8, [4, 8, 8])
qlunary_case("qlsigmoid_u8_runtime_params", "QLinearSigmoid", U8, [2, 3, 5], const=False, full=False)
qlunary_case("qlleakyrelu_u8_all_bytes", "QLinearLeakyRelu", U8, [16, 16], alpha=0.1)
qlunary_case("qlleakyrelu_i8_all_bytes_default_alpha", "QLinearLeakyRelu", I8, [256])
qlunary_case("qlleakyrelu_i8_runtime_params", "QLinearLeakyRelu", I8, [3, 4], const=False, full=False, alpha=0.2)


def pool_out(in_dims, k, s, pads, ceil_mode, auto_pad):
    r = len(in_dims)
    if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        return [-(-in_dims[i] // s[i]) for i in range(r)]
    if auto_pad == "VALID":
        return [(in_dims[i] - k[i]) // s[i] + 1 for i in range(r)]
    out = []
    for i in range(r):
        span = in_dims[i] + pads[i] + pads[i + r] - k[i]
        o = (-(-span // s[i]) if ceil_mode else span // s[i]) + 1
        if ceil_mode and (o - 1) * s[i] >= in_dims[i] + pads[i]:
            o -= 1
        out.append(o)
    return out


def qlavg_case(name, t, xshape, kernel, strides=None, pads=None, channels_last=0, include_pad=0, ceil_mode=0,
               auto_pad=None, const=True):
    lo, hi = RANGE[t]
    mid = (lo + hi) // 2
    x = ints(t, *xshape)
    xs = rng.uniform(0.01, 0.1)
    inits, pin = qparams("x", t, xs, rng.integers(mid - 30, mid + 31), const)
    i2, p2 = qparams("y", t, xs * rng.uniform(0.5, 1.0), rng.integers(mid - 30, mid + 31), const)
    r = len(kernel)
    s = strides or [1] * r
    p = pads or [0] * (2 * r)
    spatial = xshape[1:-1] if channels_last else xshape[2:]
    out = pool_out(spatial, kernel, s, p, ceil_mode, auto_pad)
    c = xshape[-1] if channels_last else xshape[1]
    yshape = [xshape[0]] + out + [c] if channels_last else [xshape[0], c] + out
    attrs = {"kernel_shape": kernel, "channels_last": channels_last, "count_include_pad": include_pad,
             "ceil_mode": ceil_mode}
    for k, v in (("strides", strides), ("pads", pads), ("auto_pad", auto_pad)):
        if v is not None:
            attrs[k] = v
    node = helper.make_node("QLinearAveragePool", ["x", "x_scale", "x_zp", "y_scale", "y_zp"], ["y"],
                            name="qlavg", domain=MS, **attrs)
    web_case(name, [node], [("x", t, x)] + pin + p2, [("y", t, yshape)], inits + i2)


qlavg_case("qlavg_u8_k3_pad", U8, [1, 2, 5, 5], [3, 3], pads=[1, 1, 1, 1])
qlavg_case("qlavg_u8_k3_pad_include", U8, [1, 2, 5, 5], [3, 3], pads=[1, 1, 1, 1], include_pad=1)
qlavg_case("qlavg_i8_k2_s2", I8, [2, 3, 6, 6], [2, 2], strides=[2, 2])
qlavg_case("qlavg_u8_nhwc_include_pad", U8, [1, 5, 5, 3], [3, 3], strides=[2, 2], pads=[1, 1, 1, 1],
           channels_last=1, include_pad=1)
qlavg_case("qlavg_i8_nhwc_k2", I8, [2, 4, 6, 5], [2, 3], strides=[1, 2], channels_last=1)
qlavg_case("qlavg_i8_1d_ceil", I8, [2, 3, 10], [3], strides=[2], ceil_mode=1)
qlavg_case("qlavg_u8_ceil_include_pad", U8, [1, 2, 6, 6], [3, 3], strides=[2, 2], pads=[1, 1, 0, 0], ceil_mode=1,
           include_pad=1)
qlavg_case("qlavg_u8_same_upper", U8, [1, 2, 7, 7], [3, 3], strides=[2, 2], auto_pad="SAME_UPPER")
qlavg_case("qlavg_i8_3d", I8, [1, 2, 4, 4, 4], [2, 2, 2], strides=[2, 1, 2], pads=[0, 1, 0, 0, 0, 1])
qlavg_case("qlavg_u8_runtime_params", U8, [1, 2, 4, 4], [2, 2], const=False)


def qlconcat_case(name, t, shapes, axis, const=True, same=False):
    lo, hi = RANGE[t]
    mid = (lo + hi) // 2
    ys, yz = rng.uniform(0.02, 0.06), rng.integers(mid - 30, mid + 31)
    inits, graph_in = qparams("y", t, ys, yz, const)
    ins = ["y_scale", "y_zp"]
    for i, sh in enumerate(shapes):
        xs, xz = (ys, yz) if same and i == 0 else (ys * rng.uniform(0.5, 2.0), rng.integers(mid - 40, mid + 41))
        i1, g1 = qparams(f"x{i}", t, xs, xz, const)
        inits += i1
        graph_in += [(f"x{i}", t, ints(t, *sh))] + g1
        ins += [f"x{i}", f"x{i}_scale", f"x{i}_zp"]
    out = list(shapes[0])
    out[axis] = sum(sh[axis] for sh in shapes)
    node = helper.make_node("QLinearConcat", ins, ["y"], name="qlconcat", domain=MS, axis=axis)
    web_case(name, [node], graph_in, [("y", t, out)], inits)


qlconcat_case("qlconcat_u8_axis1", U8, [[1, 2, 3], [1, 4, 3], [1, 1, 3]], 1)
qlconcat_case("qlconcat_i8_axis_last", I8, [[2, 3, 2], [2, 3, 5]], -1)
qlconcat_case("qlconcat_u8_axis0_same_params", U8, [[2, 4], [3, 4]], 0, same=True)
qlconcat_case("qlconcat_i8_nchw_channels", I8, [[1, 3, 4, 4], [1, 5, 4, 4]], 1)
qlconcat_case("qlconcat_u8_runtime_params", U8, [[2, 3], [2, 2]], 1, const=False)



def qgemm_case(name, ta, tb, M, K, N, trans_a=0, trans_b=0, alpha=None, per_col=False, bias=None, out=True,
               const_b=True):
    """bias: None, "scalar", "n", "1n", "m1" or "mn" (C's shape)."""
    a = ints(ta, *([K, M] if trans_a else [M, K]))
    b = ints(tb, *([N, K] if trans_b else [K, N]))
    bsh = [N] if per_col else []
    sa, za, sb, zb = scale_arr(1), ints(ta), scale_arr(N if per_col else 1), ints(tb, *bsh)
    inits = [tensor("a_scale", F32, [], sa), tensor("a_zp", ta, [], za),
             tensor("b_scale", F32, bsh, sb), tensor("b_zp", tb, bsh, zb)]
    # y_scale from the real-valued product's range (without bias), so most outputs stay in range.
    am, bm = (a.T if trans_a else a) - za, (b.T if trans_b else b) - np.asarray(zb)
    real = (alpha or 1.0) * float(sa[0]) * (am @ bm) * sb
    graph_in = [("a", ta, a)]
    if const_b:
        inits.append(tensor("b", tb, list(b.shape), b))
    else:
        graph_in.append(("b", tb, b))
    ins = ["a", "a_scale", "a_zp", "b", "b_scale", "b_zp"]
    if bias:
        cshape = {"scalar": [], "n": [N], "1n": [1, N], "m1": [M, 1], "mn": [M, N]}[bias]
        inits.append(tensor("c", I32, cshape, rng.integers(-3000, 3000, size=cshape)))
        ins.append("c")
    if out:
        inits += [tensor("y_scale", F32, [], np.float32([np.abs(real).max() / 90])),
                  tensor("y_zp", ta, [], [sum(RANGE[ta]) // 2 + rng.integers(-20, 21)])]
        ins += [""] * (7 - len(ins)) + ["y_scale", "y_zp"]
    attrs = {k: v for k, v in (("transA", trans_a), ("transB", trans_b), ("alpha", alpha)) if v}
    node = helper.make_node("QGemm", ins, ["y"], name="qgemm", domain=MS, **attrs)
    add_case(name, [node], graph_in, [("y", ta if out else F32, [M, N])], inits, opset=13, ms=True,
             tol=EXACT if out else {"atol": 1e-5, "rtol": 1e-6})
    cases[-1]["expected_by"] = "onnxruntime-web"


qgemm_case("qgemm_u8i8_percol_bias_n", U8, I8, 3, 16, 5, per_col=True, bias="n")
qgemm_case("qgemm_u8u8_transb_bias_mn", U8, U8, 4, 9, 6, trans_b=1, bias="mn")
qgemm_case("qgemm_i8i8_transa_alpha", I8, I8, 5, 12, 3, trans_a=1, alpha=0.5)
qgemm_case("qgemm_u8i8_float_out_bias_scalar", U8, I8, 2, 20, 7, per_col=True, bias="scalar", out=False)
qgemm_case("qgemm_i8i8_bias_m1_both_trans", I8, I8, 3, 8, 4, trans_a=1, trans_b=1, bias="m1")
qgemm_case("qgemm_u8i8_runtime_b_bias_1n", U8, I8, 2, 33, 9, bias="1n", const_b=False)
qgemm_case("qgemm_u8i8_classifier", U8, I8, 1, 320, 40, trans_b=1, per_col=True, bias="n")



def qlsoftmax_case(name, t, shape, opset, axis=None, x_scale=0.05, const=True):
    """Y in the quantizer's usual form (scale 1/256, zero point at the type's low end); x_scale small
    enough that no probability rounds to 1 (where onnxruntime's int8 path wraps instead of saturating)."""
    lo, hi = RANGE[t]
    x = ints(t, *shape)
    i1, g1 = qparams("x", t, x_scale, rng.integers(lo // 2, hi // 2 + 1), const)
    i2, g2 = qparams("y", t, 1 / 256, lo, const)
    attrs = {"opset": opset}
    if axis is not None:
        attrs["axis"] = axis
    node = helper.make_node("QLinearSoftmax", ["x", "x_scale", "x_zp", "y_scale", "y_zp"], ["y"],
                            name="qlsoftmax", domain=MS, **attrs)
    web_case(name, [node], [("x", t, x)] + g1 + g2, [("y", t, list(shape))], i1 + i2)


qlsoftmax_case("qlsoftmax_u8_last_axis", U8, [3, 10], 13)
qlsoftmax_case("qlsoftmax_i8_middle_axis", I8, [2, 5, 3], 13, axis=1, x_scale=0.02)
qlsoftmax_case("qlsoftmax_u8_opset12_flatten", U8, [2, 3, 4], 12, axis=1, x_scale=0.03)
qlsoftmax_case("qlsoftmax_i8_opset11_default_axis", I8, [2, 2, 6], 11, x_scale=0.01)
qlsoftmax_case("qlsoftmax_u8_classifier", U8, [1, 1000], 13, x_scale=0.1)
qlsoftmax_case("qlsoftmax_i8_runtime_params", I8, [4, 7], 13, x_scale=0.04, const=False)



def qlwhere_case(name, t, cshape, xshape, yshape, const=True):
    lo, hi = RANGE[t]
    mid = (lo + hi) // 2
    cond = rng.integers(0, 2, size=cshape).astype(bool)
    inits, graph_in = [], [("cond", BOOL, cond), ("x", t, ints(t, *xshape))]
    i1, g1 = qparams("x", t, rng.uniform(0.02, 0.06), rng.integers(mid - 40, mid + 41), const)
    i2, g2 = qparams("y", t, rng.uniform(0.02, 0.06), rng.integers(mid - 40, mid + 41), const)
    i3, g3 = qparams("z", t, rng.uniform(0.03, 0.06), rng.integers(mid - 20, mid + 21), const)
    graph_in += g1 + [("y", t, ints(t, *yshape))] + g2 + g3
    out = list(np.broadcast_shapes(tuple(cshape), tuple(xshape), tuple(yshape)))
    node = helper.make_node("QLinearWhere", ["cond", "x", "x_scale", "x_zp", "y", "y_scale", "y_zp", "z_scale",
                                             "z_zp"], ["z"], name="qlwhere", domain=MS)
    web_case(name, [node], graph_in, [("z", t, out)], i1 + i2 + i3)


qlwhere_case("qlwhere_u8_same_shape", U8, [3, 5], [3, 5], [3, 5])
qlwhere_case("qlwhere_i8_broadcast", I8, [2, 1, 4], [3, 1], [1, 3, 4])
qlwhere_case("qlwhere_u8_scalar_y", U8, [4, 4], [4, 4], [])
qlwhere_case("qlwhere_i8_runtime_params", I8, [2, 3], [2, 3], [3], const=False)



def qop_network_case(name):
    """A small QOperator-form CNN as onnxruntime's quantizer writes one (u8 activations, i8 per-channel
    weights): QuantizeLinear, QLinearConv + QLinearLeakyRelu, a depthwise QLinearConv, QLinearConcat,
    QLinearGlobalAveragePool, Reshape, QGemm, QLinearSoftmax, DequantizeLinear; intermediate results are
    outputs too, so a mismatch names its stage. A residual QLinearAdd of the two convolutions' activations is
    one more output (a model's own QLinearAdd rounds like onnxruntime, not like the DQ + Add + Q chain)."""
    def q(n, s, z, t=U8):
        return [tensor(n + "_s", F32, [], [np.float32(s)]), tensor(n + "_z", t, [], [z])]

    def conv_w(n, shape):
        m = shape[0]
        return [tensor(n + "_w", I8, shape, rng.integers(-100, 101, size=shape)),
                tensor(n + "_ws", F32, [m], rng.uniform(0.002, 0.006, size=m).astype(np.float32)),
                tensor(n + "_wz", I8, [m], np.zeros(m, np.int64)),
                tensor(n + "_b", I32, [m], rng.integers(-500, 500, size=m))]

    inits = q("x", 0.02, 128) + q("c1", 0.05, 100) + q("r1", 0.05, 90) + q("c2", 0.04, 128)
    inits += q("cat", 0.06, 105) + q("g", 0.03, 110) + q("fc", 0.08, 128) + q("sm", 1 / 256, 0)
    inits += q("res", 0.1, 101)
    inits += conv_w("c1", [8, 3, 3, 3]) + conv_w("c2", [8, 1, 3, 3])
    inits += [tensor("fc_w", I8, [10, 16], rng.integers(-100, 101, size=[10, 16])),
              tensor("fc_ws", F32, [10], rng.uniform(0.01, 0.02, size=10).astype(np.float32)),
              tensor("fc_wz", I8, [10], np.zeros(10, np.int64)),
              tensor("fc_b", I32, [10], rng.integers(-2000, 2000, size=10)),
              tensor("shape2d", I64, [2], np.array([1, 16], np.int64))]
    qconv = lambda n, x, xq, out, **kw: helper.make_node(
        "QLinearConv", [x, xq + "_s", xq + "_z", n + "_w", n + "_ws", n + "_wz", n + "_s", n + "_z", n + "_b"], [out],
        name=n, **kw)
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "x_s", "x_z"], ["xq"], name="quant_x"),
        qconv("c1", "xq", "x", "c1", pads=[1, 1, 1, 1], strides=[2, 2]),
        helper.make_node("QLinearLeakyRelu", ["c1", "c1_s", "c1_z", "r1_s", "r1_z"], ["r1"], name="lrelu",
                         domain=MS, alpha=0.1),
        qconv("c2", "r1", "r1", "c2", pads=[1, 1, 1, 1], group=8),
        helper.make_node("QLinearConcat", ["cat_s", "cat_z", "r1", "r1_s", "r1_z", "c2", "c2_s", "c2_z"], ["cat"],
                         name="concat", domain=MS, axis=1),
        helper.make_node("QLinearGlobalAveragePool", ["cat", "cat_s", "cat_z", "g_s", "g_z"], ["g"], name="gap",
                         domain=MS),
        helper.make_node("Reshape", ["g", "shape2d"], ["g2"], name="flatten"),
        helper.make_node("QGemm", ["g2", "g_s", "g_z", "fc_w", "fc_ws", "fc_wz", "fc_b", "fc_s", "fc_z"], ["fc"],
                         name="fc", domain=MS, transB=1),
        helper.make_node("QLinearSoftmax", ["fc", "fc_s", "fc_z", "sm_s", "sm_z"], ["sm"], name="softmax",
                         domain=MS, opset=13),
        helper.make_node("DequantizeLinear", ["sm", "sm_s", "sm_z"], ["y"], name="dequant_y"),
        helper.make_node("DequantizeLinear", ["cat", "cat_s", "cat_z"], ["features"], name="dequant_features"),
        helper.make_node("DequantizeLinear", ["g2", "g_s", "g_z"], ["pooled"], name="dequant_pooled"),
        helper.make_node("DequantizeLinear", ["c1", "c1_s", "c1_z"], ["conv1"], name="dequant_conv1"),
        helper.make_node("DequantizeLinear", ["r1", "r1_s", "r1_z"], ["relu1"], name="dequant_relu1"),
        helper.make_node("DequantizeLinear", ["c2", "c2_s", "c2_z"], ["conv2"], name="dequant_conv2"),
        helper.make_node("DequantizeLinear", ["fc", "fc_s", "fc_z"], ["logits"], name="dequant_logits"),
        helper.make_node("QLinearAdd", ["r1", "r1_s", "r1_z", "c2", "c2_s", "c2_z", "res_s", "res_z"], ["res"],
                         name="residual_add", domain=MS),
        helper.make_node("DequantizeLinear", ["res", "res_s", "res_z"], ["residual"], name="dequant_residual"),
    ]
    x = floats(1, 3, 8, 8, scale=1.0)
    add_case(name, nodes, [("x", F32, x)], [("y", F32, [1, 10]), ("features", F32, [1, 16, 4, 4]), ("pooled", F32, [1, 16]),
                                          ("logits", F32, [1, 10])] +
             [(n, F32, [1, 8, 4, 4]) for n in ("conv1", "relu1", "conv2", "residual")], inits,
             opset=13, ms=True, tol=EXACT)
    cases[-1]["expected_by"] = "onnxruntime-web"


qop_network_case("qop_small_cnn")



# Power-of-two scales and odd zero points put many results exactly halfway between two integers, where
# round(v) + zero point and round(v + zero point) differ: these pin down which one each op uses.
def ties_unary(name, op, t, **attrs):
    x = all_bytes(t, [256])
    inits = [tensor("x_scale", F32, [], [0.0625]), tensor("x_zp", t, [], [3]), tensor("y_scale", F32, [], [0.125]),
             tensor("y_zp", t, [], [5])]
    node = helper.make_node(op, ["x", "x_scale", "x_zp", "y_scale", "y_zp"], ["y"], name="ties", domain=MS, **attrs)
    web_case(name, [node], [("x", t, x)], [("y", t, [256])], inits)


ties_unary("ties_qlleakyrelu_u8", "QLinearLeakyRelu", U8, alpha=0.5)
ties_unary("ties_qlleakyrelu_i8", "QLinearLeakyRelu", I8, alpha=0.25)
ties_unary("ties_qlsigmoid_u8", "QLinearSigmoid", U8)


def ties_mul(name, t):
    a, b = all_bytes(t, [16, 16]), all_bytes(t, [16, 16]).T.copy()
    inits = [tensor("a_scale", F32, [], [0.125]), tensor("a_zp", t, [], [3]), tensor("b_scale", F32, [], [0.25]),
             tensor("b_zp", t, [], [1]), tensor("c_scale", F32, [], [2.0]), tensor("c_zp", t, [], [7])]
    node = helper.make_node("QLinearMul", ["a", "a_scale", "a_zp", "b", "b_scale", "b_zp", "c_scale", "c_zp"], ["c"],
                            name="ties", domain=MS)
    web_case(name, [node], [("a", t, a), ("b", t, b)], [("c", t, [16, 16])], inits)


ties_mul("ties_qlmul_u8", U8)
ties_mul("ties_qlmul_i8", I8)


def ties_add(name, t, bshape=(16, 16), zc=7, const=True):
    """v = (a - 3) / 2 + (b - 1) is an exact half for every even a; onnxruntime rounds v + zc (zc odd), where the
    DQ + Add + Q chain (qwasm's QLinearAdd when the QDQ pass made it) rounds v, then adds zc."""
    a = all_bytes(t, [16, 16])
    b = all_bytes(t, [16, 16]).T.copy() if tuple(bshape) == (16, 16) else all_bytes(t, list(bshape)) + 4
    inits, ins = [], []
    for p, sc, zp in (("a", 0.25, 3), ("b", 0.5, 1), ("c", 0.5, zc)):
        i, g = qparams(p, t, sc, zp, const)
        inits += i
        ins += g
    node = helper.make_node("QLinearAdd", ["a", "a_scale", "a_zp", "b", "b_scale", "b_zp", "c_scale", "c_zp"], ["c"],
                            name="ties", domain=MS)
    web_case(name, [node], [("a", t, a), ("b", t, b)] + ins, [("c", t, [16, 16])], inits)


ties_add("ties_qladd_u8", U8)
ties_add("ties_qladd_i8", I8, zc=-5)
ties_add("ties_qladd_u8_runtime_params", U8, bshape=(1, 16), const=False)
ties_add("ties_qladd_i8_runtime_params", I8, bshape=(16, 1), zc=-5, const=False)
ties_add("ties_qladd_u8_scalar_b", U8, bshape=(), zc=9)


def zero_cscale(name, op, t):
    """C_scale 0: v = x / 0 is +-infinity (saturates) or, where the numerator is 0, NaN, which onnxruntime turns into
    the byte 0 (not the zero point)."""
    inits = [tensor("a_scale", F32, [], [0.25]), tensor("a_zp", t, [], [3]), tensor("b_scale", F32, [], [0.5]),
             tensor("b_zp", t, [], [1]), tensor("c_scale", F32, [], [0.0]), tensor("c_zp", t, [], [7])]
    node = helper.make_node(op, ["a", "a_scale", "a_zp", "b", "b_scale", "b_zp", "c_scale", "c_zp"], ["c"],
                            name="zero_cscale", domain=MS)
    a = all_bytes(t, [16, 16])
    web_case(name, [node], [("a", t, a), ("b", t, a.T.copy())], [("c", t, [16, 16])], inits)


zero_cscale("zero_cscale_qladd_u8", "QLinearAdd", U8)
zero_cscale("zero_cscale_qladd_i8", "QLinearAdd", I8)
zero_cscale("zero_cscale_qlmul_u8", "QLinearMul", U8)
zero_cscale("zero_cscale_qlmul_i8", "QLinearMul", I8)


def ties_concat(name, t):
    inits = [tensor("y_scale", F32, [], [0.5]), tensor("y_zp", t, [], [9]), tensor("x0_scale", F32, [], [0.25]),
             tensor("x0_zp", t, [], [2]), tensor("x1_scale", F32, [], [0.75]), tensor("x1_zp", t, [], [1])]
    node = helper.make_node("QLinearConcat", ["y_scale", "y_zp", "x0", "x0_scale", "x0_zp", "x1", "x1_scale",
                                              "x1_zp"], ["y"], name="ties", domain=MS, axis=0)
    web_case(name, [node], [("x0", t, all_bytes(t, [256])), ("x1", t, all_bytes(t, [256]))], [("y", t, [512])],
             inits)


ties_concat("ties_qlconcat_u8", U8)
ties_concat("ties_qlconcat_i8", I8)


def ties_where(name, t):
    inits = [tensor("x_scale", F32, [], [0.25]), tensor("x_zp", t, [], [2]), tensor("y_scale", F32, [], [0.75]),
             tensor("y_zp", t, [], [1]), tensor("z_scale", F32, [], [0.5]), tensor("z_zp", t, [], [9])]
    node = helper.make_node("QLinearWhere", ["cond", "x", "x_scale", "x_zp", "y", "y_scale", "y_zp", "z_scale",
                                             "z_zp"], ["z"], name="ties", domain=MS)
    cond = (np.arange(512) % 2 == 0).reshape(2, 256)
    web_case(name, [node], [("cond", BOOL, cond), ("x", t, all_bytes(t, [256])), ("y", t, all_bytes(t, [256]))],
             [("z", t, [2, 256])], inits)


ties_where("ties_qlwhere_u8", U8)


def ties_pool(name, op, t, **attrs):
    x = all_bytes(t, [1, 4, 8, 8])
    inits = [tensor("x_scale", F32, [], [0.5]), tensor("x_zp", t, [], [3]), tensor("y_scale", F32, [], [0.25]),
             tensor("y_zp", t, [], [7])]
    node = helper.make_node(op, ["x", "x_scale", "x_zp", "y_scale", "y_zp"], ["y"], name="ties", domain=MS, **attrs)
    if op == "QLinearGlobalAveragePool":
        out = [1, 4, 1, 1]
    else:
        out = [1, 4] + pool_out([8, 8], attrs["kernel_shape"], attrs.get("strides", [1, 1]), attrs.get("pads", [0] * 4),
                                0, None)
    web_case(name, [node], [("x", t, x)], [("y", t, out)], inits)


ties_pool("ties_qlgap_u8", "QLinearGlobalAveragePool", U8)
ties_pool("ties_qlavg_u8", "QLinearAveragePool", U8, kernel_shape=[2, 2], strides=[2, 2])
ties_pool("ties_qlavg_i8_pad", "QLinearAveragePool", I8, kernel_shape=[3, 3], pads=[1, 1, 1, 1])



def qlreducemean_case(name, t, shape, axes, keepdims, const=True):
    """No onnxruntime CPU kernel: expected values from numpy in float32, QLinearGlobalAveragePool's arithmetic
    (int32 sum less zx * n, times the float32 multiplier sx / (sy * n), rounded half to even, plus zy)."""
    lo, hi = RANGE[t]
    mid = (lo + hi) // 2
    x = ints(t, *shape)
    sx, zx = np.float32(rng.uniform(0.01, 0.1)), int(rng.integers(mid - 20, mid + 21))
    sy, zy = np.float32(sx * rng.uniform(0.3, 0.6)), int(rng.integers(mid - 20, mid + 21))
    i1, g1 = qparams("x", t, sx, zx, const)
    i2, g2 = qparams("y", t, sy, zy, const)
    ax = tuple(a % len(shape) for a in axes)
    n = int(np.prod([shape[a] for a in ax]))
    acc = x.astype(np.int64).sum(axis=ax, keepdims=bool(keepdims)) - zx * n
    mult = np.float32(sx / np.float32(sy * np.float32(n)))
    y = np.clip(np.rint(acc.astype(np.float32) * mult) + zy, lo, hi).astype(np.int64)
    node = helper.make_node("QLinearReduceMean", ["x", "x_scale", "x_zp", "y_scale", "y_zp"], ["y"],
                            name="qlreducemean", domain=MS, axes=axes, keepdims=keepdims)
    add_case(name, [node], [("x", t, x)] + g1 + g2, [("y", t, list(y.shape))], i1 + i2, opset=13, ms=True,
             tol=EXACT, expected={"y": y})


qlreducemean_case("qlreducemean_u8_last_keep", U8, [2, 3, 8], [-1], 1)
qlreducemean_case("qlreducemean_i8_spatial_nokeep", I8, [2, 4, 5, 5], [2, 3], 0)
qlreducemean_case("qlreducemean_u8_first_middle", U8, [3, 4, 6], [0, 1], 1)
qlreducemean_case("qlreducemean_i8_runtime_params", I8, [4, 10], [1], 0, const=False)

U8S = (("x", U8, [1, 2, 3, 3]),)
bad("err_qlgap_xscale", helper.make_node("QLinearGlobalAveragePool", ["x", "xs", "xz", "ys", "yz"], ["y"],
                                         name="qlgap_w", domain=MS),
    [tensor("xs", F32, [2], [1.0, 1.0]), tensor("xz", U8, [], [0]), tensor("ys", F32, [], [1.0]),
     tensor("yz", U8, [], [0])], "x_scale must be a float scalar, got float32 [2]", inputs=U8S, opset=13, ms=True)
bad("err_qlgap_channels_last", helper.make_node("QLinearGlobalAveragePool", ["x", "xs", "xz", "ys", "yz"], ["y"],
                                                name="qlgap_w", domain=MS, channels_last=2),
    [tensor("xs", F32, [], [1.0]), tensor("xz", U8, [], [0]), tensor("ys", F32, [], [1.0]),
     tensor("yz", U8, [], [0])], "channels_last must be 0 or 1, got 2", inputs=U8S, opset=13, ms=True)
bad("err_qlmul_ascale", helper.make_node("QLinearMul", ["x", "as", "az", "x", "bs", "bz", "cs", "cz"], ["y"],
                                         name="qlmul_w", domain=MS),
    [tensor("as", F32, [3], np.ones(3)), tensor("az", U8, [], [0]), tensor("bs", F32, [], [1.0]),
     tensor("bz", U8, [], [0]), tensor("cs", F32, [], [1.0]), tensor("cz", U8, [], [0])],
    "A_scale must be a float scalar, got float32 [3]", inputs=U8S, opset=13, ms=True)
bad("err_qlmul_zp_type", helper.make_node("QLinearMul", ["x", "as", "az", "x", "bs", "bz", "cs", "cz"], ["y"],
                                          name="qlmul_w", domain=MS),
    [tensor("as", F32, [], [1.0]), tensor("az", U8, [], [0]), tensor("bs", F32, [], [1.0]),
     tensor("bz", U8, [], [0]), tensor("cs", F32, [], [1.0]), tensor("cz", I8, [], [0])],
    "C_zero_point must be a scalar of type uint8, got int8 []", inputs=U8S, opset=13, ms=True)
bad("err_qlavg_dilations", helper.make_node("QLinearAveragePool", ["x", "xs", "xz", "ys", "yz"], ["y"],
                                            name="qlavg_w", domain=MS, kernel_shape=[2, 2], dilations=[2, 2]),
    [tensor("xs", F32, [], [1.0]), tensor("xz", U8, [], [0]), tensor("ys", F32, [], [1.0]),
     tensor("yz", U8, [], [0])], "dilations are not supported", inputs=U8S, opset=13, ms=True)
bad("err_qlconcat_inputs", helper.make_node("QLinearConcat", ["ys", "yz", "x", "xs"], ["y"], name="qlconcat_w",
                                            domain=MS, axis=1),
    [tensor("xs", F32, [], [1.0]), tensor("ys", F32, [], [1.0]), tensor("yz", U8, [], [0])],
    "expected Y_scale, Y_zero_point and a (X, X_scale, X_zero_point) triple per input, got 4 inputs", inputs=U8S,
    opset=13, ms=True)
bad("err_qgemm_b_rank", helper.make_node("QGemm", ["x", "as", "az", "b", "bs", "bz"], ["y"], name="qgemm_w",
                                         domain=MS),
    [tensor("as", F32, [], [1.0]), tensor("az", U8, [], [0]), tensor("b", I8, [2, 3, 4], np.zeros(24)),
     tensor("bs", F32, [], [1.0]), tensor("bz", I8, [], [0])],
    "B must be a 2-D uint8 or int8 matrix, got int8 [2,3,4]", inputs=(("x", U8, [2, 3]),), opset=13, ms=True)
bad("err_qlsoftmax_opset", helper.make_node("QLinearSoftmax", ["x", "xs", "xz", "ys", "yz"], ["y"],
                                            name="qlsoftmax_w", domain=MS, axis=-1),
    [tensor("xs", F32, [], [1.0]), tensor("xz", U8, [], [0]), tensor("ys", F32, [], [1 / 256]),
     tensor("yz", U8, [], [0])], "the opset attribute is required", inputs=U8S, opset=13, ms=True)
bad("err_qlwhere_zscale", helper.make_node("QLinearWhere", ["c", "x", "xs", "xz", "x", "xs", "xz", "zs", "zz"],
                                           ["y"], name="qlwhere_w", domain=MS),
    [tensor("xs", F32, [], [1.0]), tensor("xz", U8, [], [0]), tensor("zs", F32, [2], [1.0, 1.0]),
     tensor("zz", U8, [], [0])], "z_scale must be a float scalar, got float32 [2]",
    inputs=(("c", BOOL, [2, 3]), ("x", U8, [2, 3])), opset=13, ms=True)
bad("err_qlreducemean_keepdims", helper.make_node("QLinearReduceMean", ["x", "xs", "xz", "ys", "yz"], ["y"],
                                                  name="qlreducemean_w", domain=MS, axes=[1]),
    [tensor("xs", F32, [], [1.0]), tensor("xz", U8, [], [0]), tensor("ys", F32, [], [1.0]),
     tensor("yz", U8, [], [0])], "the axes and keepdims attributes are required", inputs=U8S, opset=13, ms=True)
bad("err_qlsigmoid_yscale", helper.make_node("QLinearSigmoid", ["x", "xs", "xz", "ys", "yz"], ["y"],
                                             name="qlsig_w", domain=MS),
    [tensor("xs", F32, [], [1.0]), tensor("xz", U8, [], [0]), tensor("ys", F32, [2], [1.0, 1.0]),
     tensor("yz", U8, [], [0])], "Y_scale must be a float scalar, got float32 [2]", inputs=U8S, opset=13, ms=True)
bad("err_qlleakyrelu_zp_shape", helper.make_node("QLinearLeakyRelu", ["x", "xs", "xz", "ys", "yz"], ["y"],
                                                 name="qllr_w", domain=MS),
    [tensor("xs", F32, [], [1.0]), tensor("xz", I8, [2], [0, 0]), tensor("ys", F32, [], [1.0]),
     tensor("yz", I8, [], [0])], "X_zero_point must be a scalar of type int8, got int8 [2]", inputs=(("x", I8, [2, 3]),),
    opset=13, ms=True)

with open(os.path.join(HERE, "manifest.json"), "w") as f:
    json.dump({"generator": "tests/data/quant/make_quant_models.py",
               "expected": "tests/quant/make_expected.mjs (onnxruntime-node 1.30.0, or onnxruntime-web 1.30.0 where "
                           "expected_by says so) unless expected_source says numpy",
               "cases": cases}, f, indent=1)
print(f"{len(cases)} cases written to {HERE}")
