#!/usr/bin/python3
"""Generates float32 CNNs shaped like the OCR models people deploy, as exporters write
them: every Conv followed by its own BatchNormalization (not folded) and activation.
  mnv3: a MobileNetV3-small-style text-direction classifier, input 1x3x48x192:
        Conv+BN+HardSwish stem, inverted residual blocks (1x1 expand, depthwise 3x3/5x5
        with stride 2, squeeze-excite GlobalAveragePool -> 1x1 Relu -> 1x1 HardSigmoid
        -> Mul, 1x1 project, residual Add), GlobalAveragePool, Gemm, Softmax.
  svtr: an SVTR/CRNN-style text recognizer, input 1x3x48x320: 3x3 convs with
        strides (2,2) / (2,1), grouped 3x3 convs, 1x1 convs, HardSwish and Relu, then
        a height pool, a LayerNormalization + self-attention + MLP mixing block over the
        320/4 columns and a per-column classifier with Softmax.
Random weights (seeded); for benchmarks, not committed.
Usage: /usr/bin/python3 tools/models/make_float_cnn.py OUT.onnx --kind mnv3|svtr
"""
import argparse

import numpy as np
import onnx
from onnx import TensorProto, helper

from graph_builder import GraphBuilder

# MobileNetV3-small: (kernel, expanded channels, out channels, squeeze-excite, activation, stride).
MNV3_BLOCKS = [(3, 16, 16, True, "relu", 2), (3, 72, 24, False, "relu", 2), (3, 88, 24, False, "relu", 1),
               (5, 96, 40, True, "hs", 2), (5, 240, 40, True, "hs", 1), (5, 240, 40, True, "hs", 1),
               (5, 120, 48, True, "hs", 1), (5, 144, 48, True, "hs", 1), (5, 288, 96, True, "hs", 2),
               (5, 576, 96, True, "hs", 1), (5, 576, 96, True, "hs", 1)]


class Builder(GraphBuilder):
    def f32(self, base, shape, scale=1.0):
        return self.init(base, (self.rng.standard_normal(shape) * scale).astype(np.float32))

    def conv_bn(self, x, cin, cout, k, stride=(1, 1), groups=1, act=None, bn=True, pads=None):
        kh, kw = (k, k) if isinstance(k, int) else k
        fan = cin // groups * kh * kw
        w = self.f32("w", (cout, cin // groups, kh, kw), np.sqrt(2.0 / fan))
        pads = pads if pads is not None else [kh // 2, kw // 2, kh // 2, kw // 2]
        ins = [x, w] if bn else [x, w, self.f32("b", (cout,), 0.05)]
        y = self.node("Conv", ins, kernel_shape=[kh, kw], strides=list(stride), pads=pads, group=groups)
        if bn:
            gamma = self.init("gamma", self.rng.uniform(0.5, 1.5, cout).astype(np.float32))
            beta = self.f32("beta", (cout,), 0.1)
            mean = self.f32("mean", (cout,), 0.1)
            var = self.init("var", self.rng.uniform(0.5, 2.0, cout).astype(np.float32))
            y = self.node("BatchNormalization", [y, gamma, beta, mean, var], epsilon=1e-5)
        return self.act(y, act)

    def act(self, y, act):
        if act == "relu":
            return self.node("Relu", [y])
        if act == "hs":
            return self.node("HardSwish", [y])
        if act == "hsig":
            return self.node("HardSigmoid", [y], alpha=0.2, beta=0.5)
        return y

    def se(self, x, c):
        s = self.node("GlobalAveragePool", [x])
        s = self.conv_bn(s, c, max(8, c // 4), 1, act="relu", bn=False)
        s = self.conv_bn(s, max(8, c // 4), c, 1, act="hsig", bn=False)
        return self.node("Mul", [x, s])

    def model(self, name, x_shape, y, y_shape):
        self.nodes.append(helper.make_node("Identity", [y], ["y"], name="output"))
        g = helper.make_graph(self.nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape)], self.inits)
        return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], producer_name="qwasm-bench")

    def mnv3(self):
        x = self.conv_bn("x", 3, 16, 3, stride=(2, 2), act="hs")
        cin = 16
        for k, exp, cout, se, act, s in MNV3_BLOCKS:
            h = x
            if exp != cin:
                h = self.conv_bn(h, cin, exp, 1, act=act)
            h = self.conv_bn(h, exp, exp, k, stride=(s, s), groups=exp, act=act)
            if se:
                h = self.se(h, exp)
            h = self.conv_bn(h, exp, cout, 1)
            if s == 1 and cin == cout:
                h = self.node("Add", [x, h])
            x, cin = h, cout
        x = self.conv_bn(x, cin, 576, 1, act="hs")
        x = self.node("Flatten", [self.node("GlobalAveragePool", [x])], axis=1)
        x = self.node("Gemm", [x, self.f32("fc_w", (576, 2), 0.05), self.f32("fc_b", (2,), 0.01)])
        return self.model("mnv3_float", [1, 3, 48, 192], self.node("Softmax", [x], axis=-1), [1, 2])

    def svtr(self, classes=97):
        x = self.conv_bn("x", 3, 32, 3, stride=(2, 2), act="hs")          # 24x160
        x = self.conv_bn(x, 32, 64, 3, act="hs")
        x = self.conv_bn(x, 64, 64, 3, stride=(2, 2), groups=4, act="hs")  # 12x80
        x = self.conv_bn(x, 64, 128, 1, act="hs")
        for _ in range(2):
            h = self.conv_bn(x, 128, 128, 3, groups=8, act="relu")
            h = self.conv_bn(h, 128, 128, 1)
            x = self.node("Relu", [self.node("Add", [x, h])])
        x = self.conv_bn(x, 128, 192, 3, stride=(2, 1), act="hs")          # 6x80
        for _ in range(2):
            h = self.conv_bn(x, 192, 192, 3, groups=4, act="hs")
            h = self.conv_bn(h, 192, 192, 1)
            x = self.node("Add", [x, h])
        x = self.conv_bn(x, 192, 256, 3, stride=(2, 1), act="hs")          # 3x80
        x = self.conv_bn(x, 256, 256, 1, act="hs")
        x = self.node("AveragePool", [x], kernel_shape=[3, 1], strides=[3, 1])  # 1x80
        d, t = 256, 80
        x = self.node("Transpose", [self.node("Squeeze", [x, self.init("ax", np.array([2], np.int64))])], perm=[0, 2, 1])
        for _ in range(2):  # pre-norm transformer mixing block over the columns
            ln = lambda v: self.node("LayerNormalization", [v, self.init("g", np.ones(d, np.float32)),
                                                            self.init("b", np.zeros(d, np.float32))], axis=-1)
            h = ln(x)
            q, k, v = (self.node("MatMul", [h, self.f32("wq", (d, d), d ** -0.5)]) for _ in range(3))
            heads = lambda a: self.node("Transpose", [self.node("Reshape", [a, self.init(
                "shape", np.array([1, t, 8, d // 8], np.int64))])], perm=[0, 2, 1, 3])
            s = self.node("MatMul", [heads(q), self.node("Transpose", [heads(k)], perm=[0, 1, 3, 2])])
            s = self.node("Softmax", [self.node("Mul", [s, self.init("scale", np.float32((d // 8) ** -0.5))])], axis=-1)
            o = self.node("Transpose", [self.node("MatMul", [s, heads(v)])], perm=[0, 2, 1, 3])
            o = self.node("Reshape", [o, self.init("shape", np.array([1, t, d], np.int64))])
            x = self.node("Add", [x, self.node("MatMul", [o, self.f32("wo", (d, d), d ** -0.5)])])
            h = self.node("MatMul", [ln(x), self.f32("w1", (d, 2 * d), d ** -0.5)])
            h = self.node("Add", [h, self.f32("b1", (2 * d,), 0.01)])
            h = self.node("Mul", [h, self.node("Sigmoid", [h])])
            x = self.node("Add", [x, self.node("MatMul", [h, self.f32("w2", (2 * d, d), (2 * d) ** -0.5)])])
        x = self.node("MatMul", [x, self.f32("cls", (d, classes), d ** -0.5)])
        return self.model("svtr_float", [1, 3, 48, 320], self.node("Softmax", [x], axis=-1), [1, t, classes])


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--kind", choices=["mnv3", "svtr"], required=True)
    a = ap.parse_args()
    b = Builder(11)
    m = b.mnv3() if a.kind == "mnv3" else b.svtr()
    onnx.checker.check_model(m)
    onnx.save(m, a.out)
    print(f"wrote {a.out}: float {a.kind}")
