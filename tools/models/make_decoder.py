#!/usr/bin/python3
"""Generates Llama/Qwen2-style q4 decoders with a KV cache, random weights (seeded),
in the two graph styles qwasm must run:

  optimum: standard ONNX ops (RMSNorm decomposed, rotary via Gather/Slice/Concat,
           GQA by Expand/Reshape, causal+padding mask from attention_mask and
           position_ids), MatMulNBits linear layers. Inputs input_ids,
           attention_mask, position_ids, past_key_values.{i}.key/.value.
  genai:   what onnxruntime-genai's builder writes: SimplifiedLayerNormalization,
           SkipSimplifiedLayerNormalization, GroupQueryAttention (do_rotary=1 or, with
           --separate-rotary, RotaryEmbedding nodes + do_rotary=0), MatMulNBits.
           Inputs input_ids, attention_mask, past_key_values.{i}.key/.value.

Outputs: logits, present.{i}.key/.value. Embeddings are int8 with per-row scales
(Gather + Cast + Mul), the LM head is MatMulNBits (--float: every linear layer a float MatMul,
the input of the quantizer's speed bench).
--fp16 writes the q4f16 form transformers.js loads: every float value float16 (inputs,
outputs, the KV cache, norm weights, biases, rotary caches, MatMulNBits A / scales / Y).

Usage: /usr/bin/python3 tools/models/make_decoder.py OUT.onnx --style optimum|genai
         [--layers 2 --hidden 64 --heads 4 --kv-heads 2 --ff 128 --vocab 256]
         [--external] [--block-size 32] [--accuracy-level 4] [--qwen-0.5b] [--fp16] [--float]
"""
import argparse
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from graph_builder import GraphBuilder
from nbits import quantize_nbits

MS = "com.microsoft"


class Decoder(GraphBuilder):
    def __init__(self, a):
        super().__init__(a.seed)
        self.a = a
        self.hd = a.hidden // a.heads
        fp16 = getattr(a, "fp16", False)
        self.np_float = np.float16 if fp16 else np.float32  # the graph's float type
        self.onnx_float = TensorProto.FLOAT16 if fp16 else TensorProto.FLOAT

    def i64(self, *v):
        return self.init("c", np.array(v, np.int64))

    def f32(self, v):  # a float constant of the graph's float type
        return self.init("c", self.np_float(v))

    # --- layers ---
    def linear(self, x, k, n, bias=False):
        w = (self.rng.standard_normal((k, n)) / np.sqrt(k)).astype(np.float32)
        if getattr(self.a, "float", False):  # the float source the quantizer's speed bench starts from
            y = self.node("MatMul", [x, self.init("w", w.astype(self.np_float))])
            if bias:
                y = self.node("Add", [y, self.init("bias", (self.rng.standard_normal(n) * 0.02).astype(self.np_float))])
            return y
        b, scales, zp, _ = quantize_nbits(w, 4, self.a.block_size, symmetric=self.a.symmetric)
        ins = [x, self.init("w_q4", b), self.init("w_scales", scales.astype(self.np_float))]
        if zp is not None:
            ins.append(self.init("w_zp", zp))
        y = self.node("MatMulNBits", ins, domain=MS, K=k, N=n, bits=4, block_size=self.a.block_size,
                      accuracy_level=self.a.accuracy_level)
        if bias:
            y = self.node("Add", [y, self.init("bias", (self.rng.standard_normal(n) * 0.02).astype(self.np_float))])
        return y

    def rmsnorm(self, x):
        g = self.init("norm_w", (1 + 0.1 * self.rng.standard_normal(self.a.hidden)).astype(self.np_float))
        if self.a.style == "genai":
            return self.node("SimplifiedLayerNormalization", [x, g], axis=-1, epsilon=1e-6)
        ms = self.node("ReduceMean", [self.node("Pow", [x, self.f32(2.0)])], axes=[-1], keepdims=1)
        r = self.node("Sqrt", [self.node("Add", [ms, self.f32(1e-6)])])
        return self.node("Mul", [self.node("Div", [x, r]), g])

    def skip_rmsnorm(self, x, residual):
        """SkipSimplifiedLayerNormalization: (normalised x + residual, x + residual)."""
        g = self.init("norm_w", (1 + 0.1 * self.rng.standard_normal(self.a.hidden)).astype(self.np_float))
        out = self.node("SkipSimplifiedLayerNormalization", [x, residual, g],
                        [self.name("skip_norm"), "", "", self.name("residual")], domain=MS, epsilon=1e-6)
        return out[0], out[3]

    def embed(self, ids):
        a = self.a
        e = self.rng.standard_normal((a.vocab, a.hidden)).astype(np.float32)
        scale = (np.abs(e).max(axis=1) / 127).astype(np.float32)
        q = np.round(e / scale[:, None]).astype(np.int8)
        rows = self.node("Cast", [self.node("Gather", [self.init("embed_q", q), ids])], to=self.onnx_float)
        s = self.node("Unsqueeze", [self.node("Gather", [self.init("embed_scale", scale.astype(self.np_float)), ids]),
                                    self.i64(-1)])
        return self.node("Mul", [rows, s])

    def rope_tables(self):
        inv = 1.0 / (self.a.rope_theta ** (np.arange(0, self.hd, 2) / self.hd))
        ang = np.outer(np.arange(self.a.max_pos), inv)
        return (self.init("cos_cache", np.cos(ang).astype(self.np_float)),
                self.init("sin_cache", np.sin(ang).astype(self.np_float)))

    def heads(self, x, n):  # [b, s, n*hd] -> [b, n, s, hd]
        r = self.node("Reshape", [x, self.i64(0, 0, n, self.hd)])
        return self.node("Transpose", [r], perm=[0, 2, 1, 3])

    def rotate(self, x, cos, sin):  # x [b, n, s, hd]; cos/sin [b, 1, s, hd]
        half = self.hd // 2
        x1 = self.node("Slice", [x, self.i64(0), self.i64(half), self.i64(-1)])
        x2 = self.node("Slice", [x, self.i64(half), self.i64(self.hd), self.i64(-1)])
        rot = self.node("Concat", [self.node("Neg", [x2]), x1], axis=-1)
        return self.node("Add", [self.node("Mul", [x, cos]), self.node("Mul", [rot, sin])])

    def repeat_kv(self, t):  # [b, kvh, t, hd] -> [b, h, t, hd]
        rep = self.a.heads // self.a.kv_heads
        if rep == 1:
            return t
        u = self.node("Unsqueeze", [t, self.i64(2)])
        shape = self.node("Shape", [u])
        target = self.node("Mul", [shape, self.i64(1, 1, rep, 1, 1)])
        e = self.node("Expand", [u, target])
        return self.node("Reshape", [e, self.i64(0, self.a.heads, -1, self.hd)])

    def optimum_attention(self, x, i, ctx):
        a = self.a
        q = self.heads(self.linear(x, a.hidden, a.hidden, bias=True), a.heads)
        k = self.heads(self.linear(x, a.hidden, a.kv_heads * self.hd, bias=True), a.kv_heads)
        v = self.heads(self.linear(x, a.hidden, a.kv_heads * self.hd, bias=True), a.kv_heads)
        q, k = self.rotate(q, ctx["cos"], ctx["sin"]), self.rotate(k, ctx["cos"], ctx["sin"])
        k = self.node("Concat", [f"past_key_values.{i}.key", k], [f"present.{i}.key"], axis=2)
        v = self.node("Concat", [f"past_key_values.{i}.value", v], [f"present.{i}.value"], axis=2)
        kt = self.node("Transpose", [self.repeat_kv(k)], perm=[0, 1, 3, 2])
        s = self.node("Mul", [self.node("MatMul", [q, kt]), self.f32(1 / np.sqrt(self.hd))])
        p = self.node("Softmax", [self.node("Add", [s, ctx["mask"]])], axis=-1)
        o = self.node("Transpose", [self.node("MatMul", [p, self.repeat_kv(v)])], perm=[0, 2, 1, 3])
        o = self.node("Reshape", [o, self.i64(0, 0, a.hidden)])
        return self.linear(o, a.hidden, a.hidden)

    def genai_attention(self, x, i, ctx):
        a = self.a
        q = self.linear(x, a.hidden, a.hidden, bias=True)
        k = self.linear(x, a.hidden, a.kv_heads * self.hd, bias=True)
        v = self.linear(x, a.hidden, a.kv_heads * self.hd, bias=True)
        if a.separate_rotary:
            q = self.node("RotaryEmbedding", [q, ctx["pos"], ctx["cos_cache"], ctx["sin_cache"]], domain=MS,
                          interleaved=0, num_heads=a.heads)
            k = self.node("RotaryEmbedding", [k, ctx["pos"], ctx["cos_cache"], ctx["sin_cache"]], domain=MS,
                          interleaved=0, num_heads=a.kv_heads)
        o = self.node("GroupQueryAttention",
                      [q, k, v, f"past_key_values.{i}.key", f"past_key_values.{i}.value", ctx["seqlens_k"],
                       ctx["total_len"], ctx["cos_cache"], ctx["sin_cache"]],
                      [self.name("gqa"), f"present.{i}.key", f"present.{i}.value"], domain=MS,
                      num_heads=a.heads, kv_num_heads=a.kv_heads, do_rotary=0 if a.separate_rotary else 1,
                      rotary_interleaved=0)[0]
        return self.linear(o, a.hidden, a.hidden)

    def mlp(self, x):
        a = self.a
        g = self.linear(x, a.hidden, a.ff)
        silu = self.node("Mul", [g, self.node("Sigmoid", [g])])
        return self.linear(self.node("Mul", [silu, self.linear(x, a.hidden, a.ff)]), a.ff, a.hidden)

    def optimum_context(self):
        cos_cache, sin_cache = self.rope_tables()
        full = lambda t: self.node("Unsqueeze", [self.node("Concat", [t, t], axis=-1), self.i64(1)])
        cos = full(self.node("Gather", [cos_cache, "position_ids"]))
        sin = full(self.node("Gather", [sin_cache, "position_ids"]))
        # mask[b, 1, q, k] = 0 where key k is visible from query q (k <= position, attention_mask[k] == 1), else -1e9.
        total = self.node("Gather", [self.node("Shape", ["attention_mask"]), self.i64(1)])
        kpos = self.node("Range", [self.init("zero", np.int64(0)), self.node("Squeeze", [total, self.i64(0)]),
                                   self.init("one", np.int64(1))])
        qpos = self.node("Unsqueeze", ["position_ids", self.i64(1, 3)])  # [b, 1, s, 1]
        causal = self.node("LessOrEqual", [kpos, qpos])
        pad = self.node("Unsqueeze", [self.node("Cast", ["attention_mask"], to=TensorProto.BOOL), self.i64(1, 2)])
        allowed = self.node("And", [causal, pad])
        # float16: its lowest finite value, -65504, as fp16 exports write it
        low = -1e9 if self.np_float == np.float32 else np.finfo(np.float16).min
        mask = self.node("Where", [allowed, self.f32(0.0), self.f32(low)])
        return {"cos": cos, "sin": sin, "mask": mask}

    def genai_context(self):
        cos_cache, sin_cache = self.rope_tables()
        total = self.node("Gather", [self.node("Shape", ["attention_mask"]), self.i64(1)])
        total32 = self.node("Cast", [self.node("Squeeze", [total, self.i64(0)])], to=TensorProto.INT32)
        summed = self.node("ReduceSum", ["attention_mask", self.i64(1)], keepdims=0)
        seqlens = self.node("Cast", [self.node("Sub", [summed, self.init("one", np.int64(1))])], to=TensorProto.INT32)
        ctx = {"cos_cache": cos_cache, "sin_cache": sin_cache, "seqlens_k": seqlens, "total_len": total32}
        if self.a.separate_rotary:
            # position ids = past_len .. past_len + seq - 1, broadcast over the batch.
            past = self.node("Gather", [self.node("Shape", ["past_key_values.0.key"]), self.i64(2)])
            seq = self.node("Gather", [self.node("Shape", ["input_ids"]), self.i64(1)])
            r = self.node("Range", [self.node("Squeeze", [past, self.i64(0)]),
                                    self.node("Squeeze", [self.node("Add", [past, seq]), self.i64(0)]),
                                    self.init("one", np.int64(1))])
            ctx["pos"] = self.node("Unsqueeze", [r, self.i64(0)])
        return ctx

    def build(self):
        a = self.a
        x = self.embed("input_ids")
        ctx = self.genai_context() if a.style == "genai" else self.optimum_context()
        attention = self.genai_attention if a.style == "genai" else self.optimum_attention
        if a.style == "genai":  # residual adds fused into the next norm, as the builder writes them
            h, res = self.rmsnorm(x), x
            for i in range(a.layers):
                h, res = self.skip_rmsnorm(attention(h, i, ctx), res)
                h, res = self.skip_rmsnorm(self.mlp(h), res)
        else:
            for i in range(a.layers):
                x = self.node("Add", [x, attention(self.rmsnorm(x), i, ctx)])
                x = self.node("Add", [x, self.mlp(self.rmsnorm(x))])
            h = self.rmsnorm(x)
        logits = self.linear(h, a.hidden, a.vocab)
        self.nodes.append(helper.make_node("Identity", [logits], ["logits"], name="logits"))
        F, I = self.onnx_float, TensorProto.INT64
        inputs = [helper.make_tensor_value_info("input_ids", I, ["batch_size", "sequence_length"]),
                  helper.make_tensor_value_info("attention_mask", I, ["batch_size", "total_sequence_length"])]
        if a.style == "optimum":
            inputs.append(helper.make_tensor_value_info("position_ids", I, ["batch_size", "sequence_length"]))
        outputs = [helper.make_tensor_value_info("logits", F, ["batch_size", "sequence_length", a.vocab])]
        for i in range(a.layers):
            for kind in ("key", "value"):
                inputs.append(helper.make_tensor_value_info(f"past_key_values.{i}.{kind}", F,
                                                            ["batch_size", a.kv_heads, "past_sequence_length", self.hd]))
                outputs.append(helper.make_tensor_value_info(f"present.{i}.{kind}", F,
                                                             ["batch_size", a.kv_heads, "total_sequence_length", self.hd]))
        g = helper.make_graph(self.nodes, f"decoder_{a.style}", inputs, outputs, self.inits)
        return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid(MS, 1)],
                                 producer_name="qwasm-tests")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--style", choices=["optimum", "genai"], default="optimum")
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--kv-heads", type=int, default=2)
    ap.add_argument("--ff", type=int, default=128)
    ap.add_argument("--vocab", type=int, default=256)
    ap.add_argument("--max-pos", type=int, default=512)
    ap.add_argument("--rope-theta", type=float, default=10000.0)
    ap.add_argument("--block-size", type=int, default=32)
    ap.add_argument("--accuracy-level", type=int, default=4)
    ap.add_argument("--symmetric", action="store_true")
    ap.add_argument("--separate-rotary", action="store_true", help="genai: RotaryEmbedding nodes + GQA do_rotary=0")
    ap.add_argument("--external", action="store_true", help="weights in OUT.data")
    ap.add_argument("--qwen-0.5b", dest="qwen", action="store_true", help="Qwen2.5-0.5B dims")
    ap.add_argument("--fp16", action="store_true", help="float16 values throughout (transformers.js q4f16)")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--float", action="store_true", help="float MatMul linear layers instead of MatMulNBits")
    a = ap.parse_args()
    if a.qwen:
        a.layers, a.hidden, a.heads, a.kv_heads, a.ff, a.vocab, a.max_pos = 24, 896, 14, 2, 4864, 151936, 4096
        a.rope_theta = 1000000.0
    m = Decoder(a).build()
    if a.external:
        data = os.path.basename(a.out) + ".data"
        path = os.path.join(os.path.dirname(os.path.abspath(a.out)), data)
        if os.path.exists(path):
            os.remove(path)  # onnx appends to an existing file
        onnx.save(m, a.out, save_as_external_data=True, all_tensors_to_one_file=True, location=data, size_threshold=1024)
    else:
        onnx.save(m, a.out)
    print(f"wrote {a.out} ({a.style}, {a.layers} layers, hidden {a.hidden})")


if __name__ == "__main__":
    main()
