#!/usr/bin/python3
"""Generates a MobileNetV2-shaped int8 CNN in QDQ form (as onnxruntime's static
quantizer writes it): every Conv reads DequantizeLinear(activation u8),
DequantizeLinear(weight s8, per output channel, axis 0) and DequantizeLinear(bias s32),
and its output goes through QuantizeLinear -> DequantizeLinear. ReLU6 is folded
into the quantization range (scale/zero point of the conv output), residual Adds
are QDQ'd too. Random weights (seeded); for benchmarks, not committed.
Usage: /usr/bin/python3 tools/models/make_mobilenetv2_qdq.py OUT.onnx [--size 224]
"""
import argparse

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from graph_builder import GraphBuilder

# (expansion t, output channels c, repeats n, stride s): MobileNetV2's table.
BLOCKS = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]


class Builder(GraphBuilder):
    def qdq(self, x, scale, zp=0):
        """QuantizeLinear -> DequantizeLinear to uint8 with the given range."""
        s, z = self.init("s", np.float32(scale)), self.init("zp", np.uint8(zp))
        return self.node("DequantizeLinear", [self.node("QuantizeLinear", [x, s, z]), s, z])

    def conv(self, x, cin, cout, k, stride=1, groups=1, act_scale=0.05):
        """x is a dequantized activation with scale in_scale; returns the QDQ'd conv output."""
        fan = cin // groups * k * k
        w = self.rng.standard_normal((cout, cin // groups, k, k)).astype(np.float32) * np.sqrt(2.0 / fan)
        w_scale = (np.abs(w).reshape(cout, -1).max(axis=1) / 127.0).astype(np.float32)
        w_q = np.clip(np.round(w / w_scale[:, None, None, None]), -127, 127).astype(np.int8)
        w_dq = self.node("DequantizeLinear", [self.init("w", w_q), self.init("w_scale", w_scale),
                                              self.init("w_zp", np.zeros(cout, np.int8))], axis=0)
        in_scale = self.scale_of[x]
        b_scale = (w_scale * in_scale).astype(np.float32)
        b_q = np.round(self.rng.standard_normal(cout) * 0.01 / b_scale).astype(np.int32)
        b_dq = self.node("DequantizeLinear", [self.init("b", b_q), self.init("b_scale", b_scale),
                                              self.init("b_zp", np.zeros(cout, np.int32))], axis=0)
        y = self.node("Conv", [x, w_dq, b_dq], kernel_shape=[k, k], strides=[stride, stride],
                      pads=[k // 2] * 4, group=groups)
        out = self.qdq(y, act_scale)  # zero point 0: ReLU/ReLU6 folded into the range
        self.scale_of[out] = act_scale
        return out

    def build(self, size):
        self.scale_of = {}
        x = self.qdq("input", 1.0 / 128, 128)
        self.scale_of[x] = 1.0 / 128
        x = self.conv(x, 3, 32, 3, stride=2)
        cin = 32
        for t, c, n, s in BLOCKS:
            for i in range(n):
                stride = s if i == 0 else 1
                h = x
                hidden = cin * t
                if t != 1:
                    h = self.conv(h, cin, hidden, 1)
                h = self.conv(h, hidden, hidden, 3, stride=stride, groups=hidden)
                h = self.conv(h, hidden, c, 1, act_scale=0.08)
                if stride == 1 and cin == c:
                    h = self.qdq(self.node("Add", [x, h]), 0.1)
                    self.scale_of[h] = 0.1
                x, cin = h, c
        x = self.conv(x, cin, 1280, 1)
        x = self.node("GlobalAveragePool", [x])
        x = self.node("Flatten", [x], axis=1)
        w = (self.rng.standard_normal((1280, 1000)) * 0.02).astype(np.float32)
        x = self.node("Gemm", [x, self.init("fc_w", w), self.init("fc_b", np.zeros(1000, np.float32))])
        self.nodes.append(helper.make_node("Identity", [x], ["logits"], name="output"))
        g = helper.make_graph(self.nodes, "mobilenetv2_qdq",
                              [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, size, size])],
                              [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 1000])], self.inits)
        return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], producer_name="qwasm-bench")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--size", type=int, default=224)
    a = ap.parse_args()
    onnx.save(Builder(3).build(a.size), a.out)
    print(f"wrote {a.out}: MobileNetV2-shaped QDQ, input 1x3x{a.size}x{a.size}")
