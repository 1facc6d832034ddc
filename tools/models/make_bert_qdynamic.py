#!/usr/bin/python3
"""Generates a BERT-base-shaped encoder quantized the way onnxruntime's
quantize_dynamic does it: every MatMul with a constant weight becomes
DynamicQuantizeLinear(x) -> MatMulInteger(x_q, W_q int8, x_zp, w_zp) -> Cast -> Mul(x_scale * w_scale) -> Add(bias).

Random weights (seeded); for benchmarks, not committed.
Usage: /usr/bin/python3 tools/models/make_bert_qdynamic.py OUT.onnx [--layers 12] [--hidden 768] [--seq 128]
"""
import argparse

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from graph_builder import GraphBuilder


class Builder(GraphBuilder):
    def qlinear(self, x, k, n):
        """x [.., k] @ W [k, n] + b, as quantize_dynamic emits it (symmetric int8 weights)."""
        w = self.rng.standard_normal((k, n)).astype(np.float32) * (1.0 / np.sqrt(k))
        w_scale = np.float32(np.abs(w).max() / 127.0)
        w_q = np.clip(np.round(w / w_scale), -127, 127).astype(np.int8)
        xq, xs, xzp = self.node("DynamicQuantizeLinear", [x], n_out=3)
        mm = self.node("MatMulInteger", [xq, self.init("W_q", w_q), xzp, self.init("W_zp", np.int8(0))])
        f = self.node("Cast", [mm], to=TensorProto.FLOAT)
        scale = self.node("Mul", [xs, self.init("W_scale", w_scale)])
        y = self.node("Mul", [f, scale])
        return self.node("Add", [y, self.init("bias", (self.rng.standard_normal(n) * 0.02).astype(np.float32))])

    def layernorm(self, x, h):
        return self.node("LayerNormalization", [x, self.init("ln_g", np.ones(h, np.float32)),
                                                self.init("ln_b", np.zeros(h, np.float32))], axis=-1, epsilon=1e-12)

    def gelu(self, x):
        d = self.node("Div", [x, self.init("sqrt2", np.float32(np.sqrt(2.0)))])
        e = self.node("Erf", [d])
        one = self.node("Add", [e, self.init("one", np.float32(1.0))])
        m = self.node("Mul", [x, one])
        return self.node("Mul", [m, self.init("half", np.float32(0.5))])

    def layer(self, x, h, heads, ff, seq):
        hd = h // heads
        shape_bhsd = self.init("shape", np.array([1, seq, heads, hd], np.int64))
        def split_heads(t):
            r = self.node("Reshape", [t, shape_bhsd])
            return self.node("Transpose", [r], perm=[0, 2, 1, 3])
        q = split_heads(self.qlinear(x, h, h))
        k = split_heads(self.qlinear(x, h, h))
        v = split_heads(self.qlinear(x, h, h))
        kt = self.node("Transpose", [k], perm=[0, 1, 3, 2])
        s = self.node("Mul", [self.node("MatMul", [q, kt]), self.init("inv_sqrt_d", np.float32(1 / np.sqrt(hd)))])
        p = self.node("Softmax", [s], axis=-1)
        ctx = self.node("Transpose", [self.node("MatMul", [p, v])], perm=[0, 2, 1, 3])
        ctx = self.node("Reshape", [ctx, self.init("shape", np.array([1, seq, h], np.int64))])
        x = self.layernorm(self.node("Add", [x, self.qlinear(ctx, h, h)]), h)
        f = self.qlinear(self.gelu(self.qlinear(x, h, ff)), ff, h)
        return self.layernorm(self.node("Add", [x, f]), h)


def build(layers, hidden, seq, heads, seed=1):
    b = Builder(seed)
    x = "hidden_states"
    for _ in range(layers):
        x = b.layer(x, hidden, heads, hidden * 4, seq)
    b.nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"], name="output"))
    g = helper.make_graph(
        b.nodes, "bert_qdynamic",
        [helper.make_tensor_value_info("hidden_states", TensorProto.FLOAT, [1, seq, hidden])],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, [1, seq, hidden])], b.inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], producer_name="qwasm-bench")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--layers", type=int, default=12)
    ap.add_argument("--hidden", type=int, default=768)
    ap.add_argument("--heads", type=int, default=12)
    ap.add_argument("--seq", type=int, default=128)
    a = ap.parse_args()
    m = build(a.layers, a.hidden, a.seq, a.heads)
    onnx.save(m, a.out)
    print(f"wrote {a.out}: {a.layers} layers, hidden {a.hidden}, seq {a.seq}")
