#!/usr/bin/python3
"""Writes a float16 model for the float16 tests (generated at test time, never committed): fp16
graph inputs, outputs and initializers, covering the common float ops one node at a time plus
a few chains whose intermediate values are float16 too (an MLP, a CNN block, an attention
block), each case a separate part of OUTDIR/fp16_ops.onnx with its names prefixed
"<case>__". Random weights, seeded.

OUTDIR/manifest.json lists each case: { name, inputs: [{ name, type, dims, lo, hi }], outputs };
the test feeds seeded uniform values in [lo, hi] (rounded to float16) and compares qwasm with
onnxruntime-web on every output.

Usage: /usr/bin/python3 tools/models/make_fp16_models.py OUTDIR
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nbits import quantize_nbits  # noqa: E402

H, F, I64 = TensorProto.FLOAT16, TensorProto.FLOAT, TensorProto.INT64
MS = "com.microsoft"
rng = np.random.default_rng(21)


def w16(*shape, scale=0.5):
    return (rng.standard_normal(shape) * scale).astype(np.float16)


def i64(*v):
    return np.array(v, np.int64)


class Case:
    """One model: graph inputs (name, dims, lo, hi, type), initializers, nodes, outputs."""

    def __init__(self, name, opset=17):
        self.name, self.opset = name, opset
        self.inputs, self.inits, self.nodes, self.outputs = [], [], [], []
        self.n = 0

    def input(self, name, dims, lo=-2.0, hi=2.0, type=H):
        self.inputs.append((name, dims, lo, hi, type))
        return name

    def init(self, array, base="w"):
        self.n += 1
        name = f"{base}{self.n}"
        self.inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def node(self, op, inputs, n_out=1, domain="", **attrs):
        self.n += 1
        outs = [f"{op.lower()}{self.n}_{i}" for i in range(n_out)]
        self.nodes.append(helper.make_node(op, inputs, outs, name=f"{op}_{self.n}", domain=domain, **attrs))
        return outs if n_out > 1 else outs[0]

    def output(self, value, type=H):
        name = f"out{len(self.outputs)}"
        self.nodes.append(helper.make_node("Identity", [value], [name], name=f"out_{name}"))
        self.outputs.append((name, type))

    def model(self):
        ins = [helper.make_tensor_value_info(n, t, d) for n, d, _, _, t in self.inputs]
        outs = [helper.make_tensor_value_info(n, t, None) for n, t in self.outputs]
        g = helper.make_graph(self.nodes, self.name, ins, outs, self.inits)
        ops = [helper.make_opsetid("", self.opset)]
        if any(n.domain == MS for n in self.nodes):
            ops.append(helper.make_opsetid(MS, 1))
        m = helper.make_model(g, opset_imports=ops, producer_name="qwasm-tests")
        m.ir_version = 8  # onnx 1.12's checker predates opset 20 (Gelu) and shapeless outputs: not run
        return m

    def manifest(self):
        return {"name": self.name, "file": self.name + ".onnx",
                "inputs": [{"name": n, "type": "float16" if t == H else "float32" if t == F else "int64",
                            "dims": d, "lo": lo, "hi": hi} for n, d, lo, hi, t in self.inputs]}


def single(name, op, in_dims, inits=(), outs=1, opset=17, domain="", lo=-2.0, hi=2.0, out_types=None, **attrs):
    """One node: graph inputs x0.. of in_dims, then the initializers, then `outs` outputs."""
    c = Case(name, opset)
    names = [c.input(f"x{i}", d, lo, hi) for i, d in enumerate(in_dims)]
    names += ["" if a is None else c.init(a) for a in inits]
    r = c.node(op, names, n_out=outs, domain=domain, **attrs)
    for i, v in enumerate(r if outs > 1 else [r]):
        c.output(v, (out_types or [H] * outs)[i])
    return c


def cases():
    X4 = [1, 3, 9, 10]
    out = [
        single("matmul_const_b", "MatMul", [[2, 5, 16]], [w16(16, 12)]),
        single("matmul_batched", "MatMul", [[2, 3, 4, 8], [2, 3, 8, 5]]),
        single("matmul_vec", "MatMul", [[1, 64]], [w16(64, 40, scale=0.2)]),
        single("gemm_transb_bias", "Gemm", [[4, 16]], [w16(10, 16), w16(10)], transB=1, alpha=0.5, beta=2.0),
        single("conv3x3_pad_bias", "Conv", [X4], [w16(4, 3, 3, 3), w16(4)], pads=[1, 1, 1, 1]),
        single("conv_depthwise_stride2", "Conv", [[1, 4, 9, 9]], [w16(4, 1, 3, 3)], group=4, strides=[2, 2],
               pads=[1, 1, 1, 1]),
        single("conv1x1", "Conv", [X4], [w16(5, 3, 1, 1)]),
        single("conv_transpose", "ConvTranspose", [[1, 3, 5, 5]], [w16(3, 2, 3, 3), w16(2)], strides=[2, 2]),
        single("add_broadcast", "Add", [[2, 3, 4], [4]]),
        single("sub_const", "Sub", [[2, 3, 4]], [w16(3, 1)]),
        single("mul_broadcast", "Mul", [[2, 1, 4], [3, 1]]),
        single("div", "Div", [[2, 3, 4]], [np.float16(0.75) + np.abs(w16(2, 3, 4))]),
        single("pow", "Pow", [[2, 6]], [np.array(2.0, np.float16)], lo=0.1, hi=2.0),
        single("max3", "Max", [[2, 5], [2, 5], [5]]),
        single("sum3", "Sum", [[2, 5], [2, 5], [2, 5]]),
        single("where", "Where", [[2, 5], [2, 5]], [], lo=-2, hi=2),  # replaced below
        single("softmax", "Softmax", [[2, 3, 17]], axis=-1, lo=-6, hi=6),
        single("log_softmax", "LogSoftmax", [[4, 9]], axis=1, lo=-6, hi=6),
        single("layer_norm", "LayerNormalization", [[2, 5, 24]], [1 + w16(24, scale=0.1), w16(24, scale=0.1)],
               axis=-1, epsilon=1e-5),
        single("gelu_erf", "Gelu", [[3, 40]], opset=20, lo=-4, hi=4),
        single("gelu_tanh", "Gelu", [[3, 40]], opset=20, approximate="tanh", lo=-4, hi=4),
        single("gelu_ms", "Gelu", [[3, 40]], domain=MS, lo=-4, hi=4),
        single("transpose", "Transpose", [[2, 3, 4, 5]], perm=[0, 2, 3, 1]),
        single("reshape", "Reshape", [[2, 3, 4]], [i64(4, -1)]),
        single("concat", "Concat", [[2, 3], [2, 5]], [w16(2, 2)], axis=1),
        single("gather_const", "Gather", [], [w16(10, 6), i64(3, 0, 9, 3)]),
        single("slice", "Slice", [[4, 10]], [i64(1, 2), i64(4, 9), i64(0, 1), i64(1, 2)]),
        single("split", "Split", [[4, 6]], [i64(2, 4)], outs=2, axis=1, opset=18),
        single("expand", "Expand", [[3, 1]], [i64(2, 3, 4)]),
        single("tile", "Tile", [[2, 3]], [i64(2, 2)]),
        single("pad_reflect", "Pad", [[1, 2, 4, 4]], [i64(0, 0, 1, 2, 0, 0, 1, 2)], mode="reflect"),
        single("reduce_mean", "ReduceMean", [[2, 3, 8]], [i64(-1)], opset=18, keepdims=1),
        single("reduce_sum", "ReduceSum", [[2, 3, 8]], [i64(0, 2)], keepdims=0),
        single("reduce_max", "ReduceMax", [[2, 3, 8]], [i64(1)], opset=18, keepdims=0),
        single("reduce_l2", "ReduceL2", [[2, 3, 8]], [i64(2)], opset=18),
        single("argmax", "ArgMax", [[3, 11]], axis=1, out_types=[I64]),
        single("resize_linear", "Resize", [[1, 2, 4, 5]], [None, np.array([1, 1, 2, 1.5], np.float32)],
               mode="linear"),
        single("resize_nearest", "Resize", [[1, 2, 3, 3]], [None, np.array([1, 1, 2, 3], np.float32)],
               mode="nearest"),
        single("batch_norm", "BatchNormalization", [X4], [1 + w16(3, scale=0.1), w16(3, scale=0.1), w16(3, scale=0.1),
                                                          0.5 + np.abs(w16(3, scale=0.2))]),
        single("instance_norm", "InstanceNormalization", [X4], [1 + w16(3, scale=0.1), w16(3, scale=0.1)]),
        single("max_pool", "MaxPool", [X4], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]),
        single("average_pool", "AveragePool", [X4], kernel_shape=[2, 2], strides=[2, 2]),
        single("global_average_pool", "GlobalAveragePool", [X4]),
        single("cast_to_f32", "Cast", [[3, 7]], to=F, out_types=[F]),
        single("cumsum", "CumSum", [[3, 7]], [i64(1)]),
        single("topk", "TopK", [[3, 9]], [i64(4)], outs=2, out_types=[H, I64]),
        single("less", "Less", [[3, 5], [5]], out_types=[TensorProto.BOOL]),
        single("einsum", "Einsum", [[2, 3, 4], [2, 4, 5]], equation="bij,bjk->bik"),
        single("clip", "Clip", [[3, 8]], [np.array(-0.5, np.float16), np.array(0.75, np.float16)]),
        single("flatten", "Flatten", [[2, 3, 4]], axis=2),
        single("depth_to_space", "DepthToSpace", [[1, 8, 2, 3]], blocksize=2),
        single("lrn", "LRN", [[1, 5, 3, 3]], size=3),
        single("mean_variance_norm", "MeanVarianceNormalization", [[2, 3, 4, 4]]),
        single("det", "Det", [[2, 3, 3]]),
        single("grid_sample_nearest", "GridSample", [[1, 2, 4, 5], [1, 3, 3, 2]], mode="nearest",
               padding_mode="border", lo=-1.1, hi=1.1),
        single("roi_align", "RoiAlign", [[1, 2, 6, 6]],
               [np.array([[0, 0, 4, 4], [1, 1, 5, 3]], np.float16), i64(0, 0)], output_height=2, output_width=2,
               sampling_ratio=2),
        single("lstm", "LSTM", [[4, 2, 3]], [w16(1, 20, 3), w16(1, 20, 5), w16(1, 40, scale=0.1)], outs=3,
               hidden_size=5),
        single("gru", "GRU", [[4, 2, 3]], [w16(2, 15, 3), w16(2, 15, 5)], outs=2, hidden_size=5,
               direction="bidirectional"),
    ]
    for op, lo, hi, attrs in [("Relu", -2, 2, {}), ("Sigmoid", -6, 6, {}), ("Tanh", -3, 3, {}), ("Exp", -4, 4, {}),
                              ("Log", 0.05, 8, {}), ("Sqrt", 0, 8, {}), ("Erf", -3, 3, {}), ("Neg", -2, 2, {}),
                              ("Abs", -2, 2, {}), ("Reciprocal", 0.25, 4, {}), ("Floor", -4, 4, {}),
                              ("Round", -4, 4, {}), ("LeakyRelu", -2, 2, {"alpha": 0.1}), ("Elu", -3, 3, {}),
                              ("HardSigmoid", -4, 4, {}), ("HardSwish", -4, 4, {}), ("Softplus", -4, 4, {}),
                              ("Sin", -3, 3, {}), ("Cos", -3, 3, {})]:
        out.append(single(op.lower(), op, [[4, 33]], lo=lo, hi=hi, **attrs))
    out = [c for c in out if c.name != "where"] + [where_case(), mlp_case(), cnn_case(), attention_case()]
    out += contrib_cases()
    return out


def where_case():
    c = Case("where")
    x, y = c.input("x0", [2, 5]), c.input("x1", [2, 5])
    c.output(c.node("Where", [c.node("Greater", [x, y]), x, c.init(w16(5))]))
    return c


def mlp_case():
    """MatMul -> Add -> Gelu (erf, decomposed as exports write it) -> MatMul -> Add -> LayerNorm: fp16 between."""
    c = Case("chain_mlp")
    x = c.input("x", [2, 6, 32])
    h = c.node("Add", [c.node("MatMul", [x, c.init(w16(32, 64, scale=0.2))]), c.init(w16(64, scale=0.1))])
    e = c.node("Erf", [c.node("Div", [h, c.init(np.array(np.sqrt(2), np.float16))])])
    g = c.node("Mul", [c.node("Mul", [h, c.node("Add", [e, c.init(np.array(1, np.float16))])]),
                       c.init(np.array(0.5, np.float16))])
    y = c.node("Add", [c.node("MatMul", [g, c.init(w16(64, 32, scale=0.15))]), x])
    c.output(c.node("LayerNormalization", [y, c.init(1 + w16(32, scale=0.1)), c.init(w16(32, scale=0.1))],
                    axis=-1, epsilon=1e-5))
    return c


def cnn_case():
    """Conv -> BatchNorm -> Relu -> MaxPool -> Conv -> HardSwish -> GlobalAveragePool -> Flatten -> Gemm -> Softmax."""
    c = Case("chain_cnn")
    x = c.input("x", [1, 3, 16, 16])
    h = c.node("Conv", [x, c.init(w16(8, 3, 3, 3, scale=0.3))], pads=[1, 1, 1, 1])
    h = c.node("BatchNormalization", [h, c.init(1 + w16(8, scale=0.1)), c.init(w16(8, scale=0.1)),
                                      c.init(w16(8, scale=0.1)), c.init(0.5 + np.abs(w16(8, scale=0.2)))])
    h = c.node("MaxPool", [c.node("Relu", [h])], kernel_shape=[2, 2], strides=[2, 2])
    h = c.node("HardSwish", [c.node("Conv", [h, c.init(w16(12, 8, 3, 3, scale=0.15)), c.init(w16(12, scale=0.1))],
                                    pads=[1, 1, 1, 1])])
    h = c.node("Flatten", [c.node("GlobalAveragePool", [h])])
    c.output(c.node("Softmax", [c.node("Gemm", [h, c.init(w16(12, 5, scale=0.4)), c.init(w16(5, scale=0.1))])],
                    axis=-1))
    return c


def attention_case():
    """Self-attention in standard ops: MatMul q/k/v, Reshape/Transpose to heads, scores, Softmax, back."""
    c = Case("chain_attention")
    s, hid, heads = 7, 32, 4
    hd = hid // heads
    x = c.input("x", [1, s, hid])

    def heads_of(t):
        return c.node("Transpose", [c.node("Reshape", [t, c.init(i64(1, s, heads, hd))])], perm=[0, 2, 1, 3])
    q, k, v = (heads_of(c.node("MatMul", [x, c.init(w16(hid, hid, scale=0.2))])) for _ in range(3))
    sc = c.node("Mul", [c.node("MatMul", [q, c.node("Transpose", [k], perm=[0, 1, 3, 2])]),
                        c.init(np.array(1 / np.sqrt(hd), np.float16))])
    p = c.node("Softmax", [sc], axis=-1)
    o = c.node("Reshape", [c.node("Transpose", [c.node("MatMul", [p, v])], perm=[0, 2, 1, 3]), c.init(i64(1, s, hid))])
    c.output(c.node("MatMul", [o, c.init(w16(hid, hid, scale=0.2))]))
    return c


def nbits_inputs(c, k, n, block=32, zero_points=True):
    w = (rng.standard_normal((k, n)) / np.sqrt(k)).astype(np.float32)
    b, scales, zp, _ = quantize_nbits(w, 4, block, symmetric=not zero_points)
    ins = [c.init(b), c.init(scales.astype(np.float16))]
    if zp is not None:
        ins.append(c.init(zp))
    return ins


def contrib_cases():
    out = []
    for name, acc, zp in [("matmulnbits_acc0", 0, True), ("matmulnbits_acc4", 4, True),
                          ("matmulnbits_symmetric", 4, False)]:
        c = Case(name)
        x = c.input("x", [1, 5, 64])
        c.output(c.node("MatMulNBits", [x] + nbits_inputs(c, 64, 48, zero_points=zp), domain=MS, K=64, N=48,
                        bits=4, block_size=32, accuracy_level=acc))
        out.append(c)
    c = Case("simplified_layer_norm")
    c.output(c.node("SimplifiedLayerNormalization", [c.input("x", [2, 3, 32]), c.init(1 + w16(32, scale=0.1))],
                    axis=-1, epsilon=1e-6))
    out.append(c)
    c = Case("skip_simplified_layer_norm")
    r = c.node("SkipSimplifiedLayerNormalization", [c.input("x", [2, 3, 32]), c.input("skip", [2, 3, 32]),
                                                     c.init(1 + w16(32, scale=0.1))], n_out=4, domain=MS,
               epsilon=1e-6)
    c.output(r[0])
    c.output(r[3])
    out.append(c)
    c = Case("rotary_embedding")
    hd, pos = 16, 32
    inv = 1.0 / (10000 ** (np.arange(0, hd, 2) / hd))
    ang = np.outer(np.arange(pos), inv)
    c.output(c.node("RotaryEmbedding", [c.input("x", [1, 5, 4 * hd]), c.init(i64(3, 4, 5, 6, 7).reshape(1, 5)),
                                        c.init(np.cos(ang).astype(np.float16)), c.init(np.sin(ang).astype(np.float16))],
                    domain=MS, num_heads=4, interleaved=0))
    out.append(c)
    return out


def merged(all_cases):
    """Every case side by side in one model (names prefixed with the case's), so a test builds one
    session per runtime instead of one per case. Opset 20 for all: each case uses the form its ops
    have there (axes as inputs, Split's split input)."""
    nodes, inits, ins, outs = [], [], [], []
    for c in all_cases:
        p = lambda n, c=c: f"{c.name}__{n}" if n else n
        for n in c.nodes:
            nodes.append(helper.make_node(n.op_type, [p(i) for i in n.input], [p(o) for o in n.output], name=p(n.name),
                                          domain=n.domain))
            nodes[-1].attribute.extend(n.attribute)
        for t in c.inits:
            t2 = onnx.TensorProto()
            t2.CopyFrom(t)
            t2.name = p(t.name)
            inits.append(t2)
        ins += [helper.make_tensor_value_info(p(n), t, d) for n, d, _, _, t in c.inputs]
        outs += [helper.make_tensor_value_info(p(n), t, None) for n, t in c.outputs]
    g = helper.make_graph(nodes, "fp16_ops", ins, outs, inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 20), helper.make_opsetid(MS, 1)],
                          producer_name="qwasm-tests")
    m.ir_version = 8
    return m


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    all_cases = cases()
    onnx.save(merged(all_cases), os.path.join(out, "fp16_ops.onnx"))
    manifest = []
    for c in all_cases:
        m = c.manifest()
        for i in m["inputs"]:
            i["name"] = f"{c.name}__{i['name']}"
        m["outputs"] = [f"{c.name}__{n}" for n, _ in c.outputs]
        del m["file"]
        manifest.append(m)
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(f"wrote fp16_ops.onnx ({len(manifest)} cases) under {out}")


if __name__ == "__main__":
    main()
