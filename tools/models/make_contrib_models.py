"""Writes small one-node models for the com.microsoft transformer contrib operators
(Attention, QAttention, SkipLayerNormalization, EmbedLayerNormalization, BiasGelu,
FastGelu, QuickGelu, BiasAdd, BiasSoftmax, FusedMatMul, ...) with several attribute and
shape variants, plus their inputs, into OUT_DIR, and a manifest.json describing each case:

  {"name", "model", "oracle": "ort" | "numpy", "tol", "inputs": {name: tensor},
   "outputs": [names], "expected": {name: tensor} (numpy oracle), "error": regex (bad input)}

tensor = {"type": "float32" | "int32" | "uint8" | "int8", "dims": [...], "data": [...]}.
"ort" cases are compared with onnxruntime-web (which implements these ops on its CPU
provider); "numpy" cases (ops onnxruntime-web lacks: BiasAdd, BiasSoftmax) carry the
expected values computed here with numpy. Used by tests/js/contrib-ops.test.mjs.

usage: /usr/bin/python3 tools/models/make_contrib_models.py OUT_DIR
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

MS = "com.microsoft"
rng = np.random.default_rng(1234)
cases = []
out_dir = sys.argv[1]
os.makedirs(out_dir, exist_ok=True)

ELEM = {np.float32: TensorProto.FLOAT, np.int32: TensorProto.INT32, np.uint8: TensorProto.UINT8,
        np.int8: TensorProto.INT8, np.float16: TensorProto.FLOAT16}


def elem(a):
    return ELEM[a.dtype.type]


def tensor_json(a):
    """float16 data is written as its uint16 bit patterns (the JS Tensor's storage)."""
    data = a.view(np.uint16) if a.dtype == np.float16 else a
    return {"type": str(a.dtype), "dims": list(a.shape), "data": data.flatten().tolist()}


def f32(*shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def case(name, op, inputs, outputs, attrs=None, inits=None, oracle="ort", tol=1e-5, expected=None, error=None,
         out_types=None, domain=None, opset=17):
    """inputs: list of (name, array) fed at run time, or (name, None) for an absent optional
    input; inits: {name: array} initializers; outputs: names ('' = not wanted); domain: the
    node's domain when it is not com.microsoft (e.g. "" for the opset-20 GridSample cases)."""
    inits = inits or {}
    node_inputs = [n for n, _ in inputs]
    graph_inputs = [helper.make_tensor_value_info(n, elem(a), a.shape) for n, a in inputs if a is not None and n not in inits]
    out_types = out_types or {}
    graph_outputs = [helper.make_tensor_value_info(o, out_types.get(o, TensorProto.FLOAT), None) for o in outputs if o]
    node = helper.make_node(op, node_inputs, outputs, name=f"{name}_node", domain=domain if domain is not None else MS if op not in ("SimplifiedLayerNormalization",) else "",
                            **(attrs or {}))
    g = helper.make_graph([node], name, graph_inputs, graph_outputs,
                          [numpy_helper.from_array(a, n) for n, a in inits.items()])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset), helper.make_opsetid(MS, 1)])
    m.ir_version = 8
    path = f"{name}.onnx"
    onnx.save(m, os.path.join(out_dir, path))
    c = {"name": name, "model": path, "oracle": oracle, "tol": tol,
         "inputs": {n: tensor_json(a) for n, a in inputs if a is not None and n not in inits},
         "outputs": [o for o in outputs if o]}
    if expected is not None:
        c["expected"] = {k: tensor_json(v) for k, v in expected.items()}
    if error is not None:
        c["error"] = error
    cases.append(c)


# ---- activations ------------------------------------------------------------------------
case("bias_gelu", "BiasGelu", [("A", f32(2, 3, 8)), ("B", f32(8))], ["C"])
case("fast_gelu", "FastGelu", [("X", f32(4, 6, scale=2.0))], ["Y"])
case("fast_gelu_bias", "FastGelu", [("X", f32(2, 3, 8)), ("bias", f32(8))], ["Y"])
case("quick_gelu", "QuickGelu", [("X", f32(3, 10, scale=3.0))], ["Y"])
case("quick_gelu_alpha", "QuickGelu", [("X", f32(5, 4, scale=3.0))], ["Y"], {"alpha": 1.0})

x, b, s = f32(2, 4, 8), f32(8), f32(2, 4, 8)
case("bias_add", "BiasAdd", [("X", x), ("bias", b), ("skip", s)], ["Y"], oracle="numpy", tol=1e-6,
     expected={"Y": x + b + s})


def softmax(z, axis):
    """softmax over every dim from axis on (the opset-11 coercion)."""
    shp = z.shape
    r = z.reshape(int(np.prod(shp[:axis])), -1).astype(np.float64)
    r = np.exp(r - r.max(axis=1, keepdims=True))
    return (r / r.sum(axis=1, keepdims=True)).reshape(shp).astype(np.float32)


for nm, dshape, bshape, axis, inner in [("bias_softmax_outer", (2, 3, 4, 5), (3, 4, 5), 3, 0),
                                        ("bias_softmax_inner", (2, 3, 4, 5), (2, 1, 1, 5), 3, 1),
                                        ("bias_softmax_axis2", (2, 3, 4, 5), (1, 3, 4, 5), 2, 0)]:
    d, bb = f32(*dshape, scale=2.0), f32(*bshape, scale=2.0)
    case(nm, "BiasSoftmax", [("data", d), ("bias", bb)], ["output"], {"axis": axis, "is_inner_broadcast": inner},
         oracle="numpy", tol=1e-5, expected={"output": softmax(d + bb, axis)})

# ---- FusedMatMul ----------------------------------------------------------------------
for nm, ash, bsh, attrs in [("fused_matmul_2d", (4, 5), (5, 3), {}),
                            ("fused_matmul_trans_a", (5, 4), (5, 3), {"transA": 1}),
                            ("fused_matmul_trans_b_alpha", (4, 5), (3, 5), {"transB": 1, "alpha": 0.125}),
                            ("fused_matmul_batch_both", (2, 3, 5, 4), (2, 3, 6, 5), {"transA": 1, "transB": 1, "alpha": 2.0}),
                            ("fused_matmul_broadcast", (2, 4, 5), (3, 5), {"transB": 1})]:
    case(nm, "FusedMatMul", [("A", f32(*ash)), ("B", f32(*bsh))], ["Y"], attrs)
case("transpose_matmul", "TransposeMatMul", [("A", f32(3, 6, 4)), ("B", f32(3, 6, 2))], ["Y"], {"transA": 1})

# ---- normalisations -------------------------------------------------------------------
H = 16
case("skip_layer_norm_full", "SkipLayerNormalization",
     [("input", f32(2, 3, H)), ("skip", f32(2, 3, H)), ("gamma", f32(H)), ("beta", f32(H)), ("bias", f32(H))],
     ["output", "mean", "inv_std_var", "input_skip_bias_sum"], {"epsilon": 1e-5})
case("skip_layer_norm_plain", "SkipLayerNormalization",
     [("input", f32(2, 3, H)), ("skip", f32(2, 3, H)), ("gamma", f32(H))], ["output"])
case("skip_layer_norm_sum_only", "SkipLayerNormalization",
     [("input", f32(1, 4, H)), ("skip", f32(1, 4, H)), ("gamma", f32(H)), ("beta", f32(H)), ("bias", f32(H))],
     ["output", "", "", "input_skip_bias_sum"], {"epsilon": 1e-6})
case("skip_layer_norm_skip_broadcast", "SkipLayerNormalization",
     [("input", f32(2, 3, H)), ("skip", f32(3, H)), ("gamma", f32(H)), ("beta", f32(H))], ["output"], {"epsilon": 1e-5})
case("skip_simplified_layer_norm", "SkipSimplifiedLayerNormalization",
     [("input", f32(2, 3, H)), ("skip", f32(2, 3, H)), ("gamma", f32(H)), ("bias", f32(H))],
     ["output", "", "", "input_skip_bias_sum"], {"epsilon": 1e-6})
case("simplified_layer_norm", "SimplifiedLayerNormalization", [("X", f32(2, 3, H)), ("scale", f32(H))], ["Y"],
     {"epsilon": 1e-6, "axis": -1})

V, P, SEGS, B, S = 30, 12, 2, 2, 5
emb = {"word_embedding": f32(V, H), "position_embedding": f32(P, H), "segment_embedding": f32(SEGS, H),
       "gamma": f32(H), "beta": f32(H)}
ids = rng.integers(0, V, (B, S)).astype(np.int32)
seg = rng.integers(0, SEGS, (B, S)).astype(np.int32)
mask = np.array([[1, 1, 1, 1, 0], [1, 1, 0, 0, 0]], np.int32)
case("embed_layer_norm_full", "EmbedLayerNormalization",
     [("input_ids", ids), ("segment_ids", seg), ("word_embedding", emb["word_embedding"]),
      ("position_embedding", emb["position_embedding"]), ("segment_embedding", emb["segment_embedding"]),
      ("gamma", emb["gamma"]), ("beta", emb["beta"]), ("mask", mask)],
     ["output", "mask_index"], {"epsilon": 1e-12}, inits=emb, out_types={"mask_index": TensorProto.INT32})
case("embed_layer_norm_no_segment", "EmbedLayerNormalization",
     [("input_ids", ids), ("", None), ("word_embedding", emb["word_embedding"]),
      ("position_embedding", emb["position_embedding"]), ("", None), ("gamma", emb["gamma"]), ("beta", emb["beta"])],
     ["output", "mask_index"], {"epsilon": 1e-5}, inits={k: v for k, v in emb.items() if k != "segment_embedding"},
     out_types={"mask_index": TensorProto.INT32})
pos_ids = np.array([[3, 4, 5, 6, 7]], np.int32)
case("embed_layer_norm_position_ids", "EmbedLayerNormalization",
     [("input_ids", ids), ("segment_ids", seg), ("word_embedding", emb["word_embedding"]),
      ("position_embedding", emb["position_embedding"]), ("segment_embedding", emb["segment_embedding"]),
      ("gamma", emb["gamma"]), ("beta", emb["beta"]), ("mask", mask), ("position_ids", pos_ids)],
     ["output", "mask_index", "embedding_sum"], {"epsilon": 1e-12}, inits=emb,
     out_types={"mask_index": TensorProto.INT32})



# QEmbedLayerNormalization: the same embeddings quantized per tensor (what onnxruntime's
# quantizer writes for EmbedLayerNormalization): inputs 8-12 the scales, 13-17 the zero points.
def quantize(a, qtype):
    lo, hi = (0, 255) if qtype == np.uint8 else (-128, 127)
    amin, amax = min(float(a.min()), 0.0), max(float(a.max()), 0.0)
    scale = np.float32((amax - amin) / (hi - lo))
    zp = int(np.clip(round(lo - amin / float(scale)), lo, hi))
    q = np.clip(np.round(a / scale) + zp, lo, hi).astype(qtype)
    return q, scale, np.array(zp, qtype)


def qembed_case(name, qtype, segment=True, with_mask=True, vector_params=False, attrs=None, error=None, bad=None):
    tables = ["word_embedding", "position_embedding", "segment_embedding", "gamma", "beta"]
    q = {k: quantize(emb[k], qtype) for k in tables}
    inits = {}
    for k in tables:
        if k == "segment_embedding" and not segment:
            continue
        qa, sc, zp = q[k]
        inits[k + "_quant"] = qa
        inits[k + "_scale"] = np.array([sc] if vector_params else sc, np.float32)
        inits[k + "_zero_point"] = zp.reshape(1) if vector_params else zp
    if bad:
        bad(inits)
    names = lambda suffix: [("" if (k == "segment_embedding" and not segment) else k + suffix) for k in tables]
    inputs = [("input_ids", ids), ("segment_ids" if segment else "", seg if segment else None)]
    inputs += [(n, inits.get(n)) for n in names("_quant")]
    inputs += [("mask" if with_mask else "", mask if with_mask else None)]
    inputs += [(n, inits.get(n)) for n in names("_scale") + names("_zero_point")]
    case(name, "QEmbedLayerNormalization", inputs, ["layernorm_out", "mask_index_out"], attrs, inits=inits,
         out_types={"mask_index_out": TensorProto.INT32}, error=error)


qembed_case("qembed_layer_norm_u8", np.uint8, attrs={"epsilon": 1e-12})
qembed_case("qembed_layer_norm_s8_no_segment_no_mask", np.int8, segment=False, with_mask=False)
qembed_case("qembed_layer_norm_u8_vector_params", np.uint8, vector_params=True, attrs={"epsilon": 1e-5})

# float16 (the transformers.js q4f16 form): computed in float32 inside the op, rounded once.
h16 = lambda *shape: f32(*shape).astype(np.float16)
F16 = TensorProto.FLOAT16
case("skip_simplified_layer_norm_fp16", "SkipSimplifiedLayerNormalization",
     [("input", h16(2, 3, H)), ("skip", h16(2, 3, H)), ("gamma", h16(H))], ["output", "", "", "input_skip_bias_sum"],
     {"epsilon": 1e-6}, tol=2e-3, out_types={"output": F16, "input_skip_bias_sum": F16})
case("skip_layer_norm_fp16", "SkipLayerNormalization",
     [("input", h16(2, 3, H)), ("skip", h16(2, 3, H)), ("gamma", h16(H)), ("beta", h16(H)), ("bias", h16(H))],
     ["output"], {"epsilon": 1e-5}, tol=2e-3, out_types={"output": F16})
case("fast_gelu_fp16", "FastGelu", [("X", h16(2, 3, 8)), ("bias", h16(8))], ["Y"], tol=2e-3, out_types={"Y": F16})
case("bias_gelu_fp16", "BiasGelu", [("A", h16(2, 3, 8)), ("B", h16(8))], ["C"], tol=2e-3, out_types={"C": F16})
case("quick_gelu_fp16", "QuickGelu", [("X", h16(3, 8))], ["Y"], tol=2e-3, out_types={"Y": F16})

# ---- Attention ------------------------------------------------------------------------
B, S, DIN, N = 2, 5, 12, 3


def attention_case(name, attrs=None, mask=None, past=None, attn_bias=None, hidden=(12, 12, 12), seq=S, outputs=("output",),
                   din=DIN):
    w = f32(din, sum(hidden), scale=0.4)
    ins = [("input", f32(B, seq, din)), ("weights", w), ("bias", f32(sum(hidden), scale=0.2)),
           ("mask_index", mask), ("past", past), ("attention_bias", attn_bias)]
    while ins[-1][1] is None:
        ins.pop()
    ins = [(n if a is not None else "", a) for n, a in ins]
    a = {"num_heads": N, **(attrs or {})}
    if hidden[0] != hidden[2]:
        a["qkv_hidden_sizes"] = list(hidden)
    case(name, "Attention", ins, list(outputs), a, inits={"weights": w})


attention_case("attention_plain")
attention_case("attention_mask_right_pad", mask=np.array([5, 3], np.int32))
attention_case("attention_mask_start_end", mask=np.array([5, 4, 1, 2], np.int32))
attention_case("attention_mask_raw_2d", mask=np.array([[1, 1, 0, 1, 1], [1, 1, 1, 0, 0]], np.int32))
attention_case("attention_mask_raw_3d", mask=(rng.random((B, S, S)) > 0.3).astype(np.int32) | np.eye(S, dtype=np.int32))
attention_case("attention_unidirectional", {"unidirectional": 1})
attention_case("attention_unidirectional_mask", {"unidirectional": 1, "mask_filter_value": -1e4},
               mask=np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], np.int32))
attention_case("attention_scale_qkv_sizes", {"scale": 0.3}, hidden=(12, 12, 6), din=7)
attention_case("attention_bias_input", attn_bias=f32(1, N, S, S))
attention_case("attention_past_present", {"unidirectional": 1}, past=f32(2, B, N, 4, 4), seq=1,
               mask=np.ones((B, 5), np.int32), outputs=("output", "present"))
attention_case("attention_past_prefill", {"unidirectional": 1}, past=f32(2, B, N, 3, 4), seq=S,
               outputs=("output", "present"))
attention_case("attention_present_no_past", {"unidirectional": 1}, outputs=("output", "present"))


# ---- QAttention -----------------------------------------------------------------------
def qattention_case(name, x_type, w_type, per_column=False, mask=None, past=None, attrs=None, outputs=("output",), seq=S):
    H3 = 36
    lo, hi = (0, 256) if x_type == np.uint8 else (-128, 128)
    x = rng.integers(lo, hi, (B, seq, DIN)).astype(x_type)
    wlo, whi = (0, 256) if w_type == np.uint8 else (-128, 128)
    w = rng.integers(wlo, whi, (DIN, H3)).astype(w_type)
    ws = (rng.random(H3 if per_column else ()) * 0.002 + 0.001).astype(np.float32)
    wz = rng.integers(wlo // 2 + whi // 4, whi // 2 + 1, H3 if per_column else ()).astype(w_type)
    xz = np.array(100 if x_type == np.uint8 else -3, x_type)
    ins = [("input", x), ("weight", w), ("bias", f32(H3, scale=0.2)), ("input_scale", np.array(0.02, np.float32)),
           ("weight_scale", ws), ("mask_index", mask), ("input_zero_point", xz), ("weight_zero_point", wz), ("past", past)]
    while ins[-1][1] is None:
        ins.pop()
    ins = [(n if a is not None else "", a) for n, a in ins]
    inits = {n: a for n, a in ins if n in ("weight", "weight_scale", "weight_zero_point", "input_scale", "input_zero_point", "bias")}
    case(name, "QAttention", ins, list(outputs), {"num_heads": N, **(attrs or {})}, inits=inits, tol=1e-5)


qattention_case("qattention_u8s8", np.uint8, np.int8)
qattention_case("qattention_u8u8_per_column", np.uint8, np.uint8, per_column=True, mask=np.array([5, 2], np.int32))
qattention_case("qattention_unidirectional_past", np.uint8, np.int8, past=f32(2, B, N, 3, 4), attrs={"unidirectional": 1},
                outputs=("output", "present"), seq=2)

# ---- DynamicQuantizeLSTM ---------------------------------------------------------------
def dq_lstm_case(name, w_type, dirs=1, per_column=False, extras=False, attrs=None, seq=4, batch=2, inp=6, hid=5,
                 lens=None, tol=1e-5):
    G = 4 * hid
    lo, hi = (0, 256) if w_type == np.uint8 else (-128, 128)
    w = rng.integers(lo, hi, (dirs, inp, G)).astype(w_type)
    r = rng.integers(lo, hi, (dirs, hid, G)).astype(w_type)
    sshape = (dirs, G) if per_column else (dirs,)
    zlo, zhi = (100, 156) if w_type == np.uint8 else (-20, 20)
    ws = (rng.random(sshape) * 0.004 + 0.002).astype(np.float32)
    rs = (rng.random(sshape) * 0.004 + 0.002).astype(np.float32)
    # onnxruntime takes per-column scales, but then one zero point for the whole tensor (0 for int8).
    if per_column:
        wz, rz = (np.full(sshape, rng.integers(zlo, zhi) * (w_type == np.uint8)).astype(w_type) for _ in range(2))
    else:
        wz, rz = (rng.integers(zlo, zhi, sshape).astype(w_type) for _ in range(2))
    opt = [("B", f32(dirs, 2 * G, scale=0.1)), ("", None), ("initial_h", f32(dirs, batch, hid, scale=0.5)),
           ("initial_c", f32(dirs, batch, hid, scale=0.5)), ("P", f32(dirs, 3 * hid, scale=0.1))] if extras else \
          [("", None)] * 5
    if lens is not None:
        opt[1] = ("sequence_lens", np.array(lens, np.int32))
    ins = [("X", f32(seq, batch, inp)), ("W", w), ("R", r), *opt, ("W_scale", ws), ("W_zero_point", wz),
           ("R_scale", rs), ("R_zero_point", rz)]
    inits = {n: a for n, a in ins if n in ("W", "R", "W_scale", "W_zero_point", "R_scale", "R_zero_point")}
    a = {"hidden_size": hid, **(attrs or {})}
    if dirs == 2:
        a["direction"] = "bidirectional"
    case(name, "DynamicQuantizeLSTM", ins, ["Y", "Y_h", "Y_c"], a, inits=inits, tol=tol)


dq_lstm_case("dq_lstm_forward_s8", np.int8)
dq_lstm_case("dq_lstm_bidirectional_u8_per_column", np.uint8, dirs=2, per_column=True, extras=True)
dq_lstm_case("dq_lstm_reverse_extras", np.int8, extras=True, attrs={"direction": "reverse", "clip": 3.0})
# Unequal sequence_lens: each step quantizes every row's hidden state together, a finished row
# holding its last state, while onnxruntime keeps stepping finished rows inside its buffer, so the
# per-step quantization ranges differ: measured 1.6e-4 apart (Y_c), checked to 1e-3.
dq_lstm_case("dq_lstm_sequence_lens", np.uint8, dirs=2, extras=True, lens=[4, 2], tol=1e-3)

# ---- GridSample at opset 20, which renamed the modes bilinear/bicubic to linear/cubic ---------
# (an ONNX op, not a contrib one, kept here for the one-node-vs-onnxruntime-web harness). The
# grid reaches past [-1, 1] so that every padding mode's out-of-range path runs, except cubic
# with border padding: there onnxruntime (like PyTorch) clamps each of the 16 taps but not the
# sample point, while the ONNX reference (which qwasm follows) first clamps the point into the
# image; the two agree while the point lies inside, which is what that case samples.
for gmode in ("linear", "cubic"):
    for pad, align in (("zeros", 0), ("border", 1), ("reflection", 0)):
        reach = 1.0 if (gmode, pad) == ("cubic", "border") else 1.2
        gx, gg = f32(2, 3, 5, 6), rng.uniform(-reach, reach, (2, 4, 7, 2)).astype(np.float32)
        case(f"grid_sample20_{gmode}_{pad}", "GridSample", [("X", gx), ("grid", gg)], ["Y"],
             {"mode": gmode, "padding_mode": pad, "align_corners": align}, domain="", opset=20)

# 5-D (volumetric, opset 20): X [N, C, D, H, W], grid [N, Do, Ho, Wo, 3] of (x, y, z) points;
# nearest and linear (the spec and onnxruntime have no 5-D cubic). The grid again reaches past [-1, 1].
for gmode in ("linear", "nearest"):
    for pad, align in (("zeros", 0), ("border", 1), ("reflection", 0), ("reflection", 1), ("zeros", 1)):
        gx, gg = f32(2, 3, 4, 5, 6), rng.uniform(-1.2, 1.2, (2, 3, 4, 5, 3)).astype(np.float32)
        case(f"grid_sample20_5d_{gmode}_{pad}_align{align}", "GridSample", [("X", gx), ("grid", gg)], ["Y"],
             {"mode": gmode, "padding_mode": pad, "align_corners": align}, domain="", opset=20)
case("grid_sample20_5d_single_voxel", "GridSample",
     [("X", f32(1, 2, 1, 1, 1)), ("grid", rng.uniform(-1.5, 1.5, (1, 2, 2, 2, 3)).astype(np.float32))], ["Y"],
     {"mode": "linear", "padding_mode": "border"}, domain="", opset=20)

# ---- bad input: an Error naming the node --------------------------------------------
case("bad_grid_sample_5d_cubic", "GridSample", [("X", f32(1, 1, 2, 3, 3)), ("grid", f32(1, 1, 2, 2, 3))], ["Y"],
     {"mode": "cubic"}, domain="", opset=20, error="bad_grid_sample_5d_cubic_node.*cubic.*4-D")
case("bad_grid_sample_5d_grid", "GridSample", [("X", f32(1, 1, 2, 3, 3)), ("grid", f32(1, 1, 2, 2, 2))], ["Y"],
     domain="", opset=20, error="bad_grid_sample_5d_grid_node.*grid")
case("bad_grid_sample_5d_opset16", "GridSample", [("X", f32(1, 1, 2, 3, 3)), ("grid", f32(1, 1, 2, 2, 3))], ["Y"],
     domain="", opset=16, error="bad_grid_sample_5d_opset16_node.*opset 20")
case("bad_grid_sample_rank3", "GridSample", [("X", f32(1, 2, 3)), ("grid", f32(1, 2, 2))], ["Y"],
     domain="", opset=20, error="bad_grid_sample_rank3_node.*\\[N, C, H, W\\]")
qembed_case("bad_qembed_float_table", np.uint8, error="bad_qembed_float_table_node.*word_embedding_quant.*uint8 or int8",
            bad=lambda i: i.__setitem__("word_embedding_quant", i["word_embedding_quant"].astype(np.float32)))
qembed_case("bad_qembed_zero_point_type", np.uint8, error="bad_qembed_zero_point_type_node.*gamma_zero_point.*uint8",
            bad=lambda i: i.__setitem__("gamma_zero_point", i["gamma_zero_point"].astype(np.int8)))
qembed_case("bad_qembed_gamma_size", np.int8, error="bad_qembed_gamma_size_node.*gamma",
            bad=lambda i: i.__setitem__("gamma_quant", i["gamma_quant"][:-1]))
qembed_case("bad_qembed_vector_scale", np.int8, error="bad_qembed_vector_scale_node.*scale",
            bad=lambda i: i.__setitem__("position_embedding_scale", np.ones(2, np.float32)))
case("bad_skip_gamma", "SkipLayerNormalization", [("input", f32(1, 2, 8)), ("skip", f32(1, 2, 8)), ("gamma", f32(6))],
     ["output"], error="bad_skip_gamma_node.*gamma")
case("bad_bias_gelu_bias", "BiasGelu", [("A", f32(2, 8)), ("B", f32(4))], ["C"], error="bad_bias_gelu_bias_node.*bias")
case("bad_attention_mask", "Attention",
     [("input", f32(1, 3, 6)), ("weights", f32(6, 18)), ("", None), ("mask_index", np.ones((1, 2, 3, 3), np.int32))],
     ["output"], {"num_heads": 2}, error="bad_attention_mask_node.*mask_index")
case("bad_attention_heads", "Attention", [("input", f32(1, 3, 6)), ("weights", f32(6, 15))], ["output"],
     {"num_heads": 2}, error="bad_attention_heads_node.*heads")
case("bad_qattention_float_input", "QAttention",
     [("input", f32(1, 3, 6)), ("weight", np.zeros((6, 18), np.int8)), ("bias", f32(18)),
      ("input_scale", np.array(0.1, np.float32)), ("weight_scale", np.array(0.1, np.float32))],
     ["output"], {"num_heads": 2}, error="bad_qattention_float_input_node.*uint8 or int8")
case("bad_embed_id", "EmbedLayerNormalization",
     [("input_ids", np.array([[1, 99]], np.int32)), ("", None), ("word_embedding", f32(10, 4)),
      ("position_embedding", f32(4, 4)), ("", None), ("gamma", f32(4)), ("beta", f32(4))],
     ["output", "mask_index"], error="bad_embed_id_node.*99", out_types={"mask_index": TensorProto.INT32})
case("bad_fused_matmul_inner", "FusedMatMul", [("A", f32(3, 4)), ("B", f32(3, 5))], ["Y"], {"transB": 1},
     error="bad_fused_matmul_inner_node.*inner dimensions")

case("bad_dq_lstm_scale", "DynamicQuantizeLSTM",
     [("X", f32(2, 1, 3)), ("W", np.zeros((1, 3, 8), np.int8)), ("R", np.zeros((1, 2, 8), np.int8)), *[("", None)] * 5,
      ("W_scale", np.ones((1, 3), np.float32)), ("W_zero_point", np.zeros((1, 3), np.int8)),
      ("R_scale", np.ones(1, np.float32)), ("R_zero_point", np.zeros(1, np.int8))],
     ["Y"], {"hidden_size": 2}, error="bad_dq_lstm_scale_node.*W_scale")

with open(os.path.join(out_dir, "manifest.json"), "w") as f:
    json.dump({"cases": cases}, f)
print(f"{len(cases)} cases in {out_dir}")
