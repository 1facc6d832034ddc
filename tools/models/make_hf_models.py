#!/usr/bin/python3
"""Writes small models in the Hugging Face folder layout transformers.js loads (config.json,
tokenizer.json, tokenizer_config.json, onnx/*.onnx), random weights (seeded), for the
transformers.js tests and benchmarks (generated at test time, never committed):

  bert-tiny/      BertModel (feature-extraction): onnx/model.onnx (float) and
                  onnx/model_quantized.onnx (onnxruntime quantize_dynamic's form:
                  DynamicQuantizeLinear -> MatMulInteger -> Cast -> Mul)
  bert-tiny-cls/  BertForSequenceClassification (text-classification), the same two files
  llama-tiny/     LlamaForCausalLM (text-generation): onnx/model_q4.onnx (MatMulNBits, KV cache,
                  tools/models/make_decoder.py's optimum style) and onnx/model_q4f16.onnx (the
                  q4f16 form: float16 throughout, SimplifiedLayerNormalization,
                  SkipSimplifiedLayerNormalization, RotaryEmbedding, GroupQueryAttention,
                  MatMulNBits with float16 A / scales / output, a float16 KV cache)

Usage: /usr/bin/python3 tools/models/make_hf_models.py OUTDIR
"""
import argparse
import json
import os
import sys
from types import SimpleNamespace

import numpy as np
import onnx
from onnx import TensorProto, helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from graph_builder import GraphBuilder  # noqa: E402
from make_decoder import Decoder  # noqa: E402

WORDS_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../tests/js/austen-words.txt")


def words(n):
    with open(WORDS_FILE) as f:
        out = [w.strip() for w in f if w.strip() and not w.startswith("#")]
    return out[:n]


class Bert(GraphBuilder):
    """A BERT encoder; `quantized` writes every constant-weight MatMul as quantize_dynamic does."""

    def __init__(self, seed, cfg, quantized):
        super().__init__(seed)
        self.cfg, self.quantized = cfg, quantized

    def weight(self, *shape, scale=None):
        s = scale if scale is not None else 1.0 / np.sqrt(shape[0])
        return (self.rng.standard_normal(shape) * s).astype(np.float32)

    def linear(self, x, k, n):
        w, b = self.weight(k, n), self.weight(n, scale=0.02)
        if not self.quantized:
            y = self.node("MatMul", [x, self.init("W", w)])
        else:
            w_scale = np.float32(np.abs(w).max() / 127.0)
            w_q = np.clip(np.round(w / w_scale), -127, 127).astype(np.int8)
            xq, xs, xzp = self.node("DynamicQuantizeLinear", [x], n_out=3)
            mm = self.node("MatMulInteger", [xq, self.init("W_q", w_q), xzp, self.init("W_zp", np.int8(0))])
            f = self.node("Cast", [mm], to=TensorProto.FLOAT)
            y = self.node("Mul", [f, self.node("Mul", [xs, self.init("W_scale", w_scale)])])
        return self.node("Add", [y, self.init("b", b)])

    def layernorm(self, x):
        h = self.cfg["hidden_size"]
        g = (1 + 0.1 * self.rng.standard_normal(h)).astype(np.float32)
        return self.node("LayerNormalization", [x, self.init("ln_g", g), self.init("ln_b", self.weight(h, scale=0.02))],
                         axis=-1, epsilon=1e-12)

    def i64(self, *v):
        return self.init("c", np.array(v, np.int64))

    def gelu(self, x):
        e = self.node("Erf", [self.node("Div", [x, self.init("sqrt2", np.float32(np.sqrt(2.0)))])])
        return self.node("Mul", [self.node("Mul", [x, self.node("Add", [e, self.init("one", np.float32(1))])]),
                                 self.init("half", np.float32(0.5))])

    def encoder(self):
        c = self.cfg
        h, heads = c["hidden_size"], c["num_attention_heads"]
        hd = h // heads
        seq = self.node("Gather", [self.node("Shape", ["input_ids"]), self.i64(1)])
        pos = self.node("Range", [self.init("zero", np.int64(0)), self.node("Squeeze", [seq, self.i64(0)]),
                                  self.init("one", np.int64(1))])
        x = self.node("Add", [self.node("Gather", [self.init("word_emb", self.weight(c["vocab_size"], h, scale=1.0)),
                                                   "input_ids"]),
                              self.node("Gather", [self.init("pos_emb", self.weight(c["max_position_embeddings"], h,
                                                                                    scale=0.5)), pos])])
        x = self.node("Add", [x, self.node("Gather", [self.init("type_emb", self.weight(2, h, scale=0.5)),
                                                      "token_type_ids"])])
        x = self.layernorm(x)
        # additive mask [b, 1, 1, s]: 0 where attention_mask is 1, -1e4 where it is 0
        m = self.node("Cast", [self.node("Unsqueeze", ["attention_mask", self.i64(1, 2)])], to=TensorProto.FLOAT)
        mask = self.node("Mul", [self.node("Sub", [self.init("one", np.float32(1)), m]),
                                 self.init("neg", np.float32(-10000.0))])
        for _ in range(c["num_hidden_layers"]):
            def heads_of(t):
                r = self.node("Reshape", [t, self.i64(0, -1, heads, hd)])
                return self.node("Transpose", [r], perm=[0, 2, 1, 3])
            q, k, v = (heads_of(self.linear(x, h, h)) for _ in range(3))
            s = self.node("Mul", [self.node("MatMul", [q, self.node("Transpose", [k], perm=[0, 1, 3, 2])]),
                                  self.init("inv_sqrt_d", np.float32(1 / np.sqrt(hd)))])
            p = self.node("Softmax", [self.node("Add", [s, mask])], axis=-1)
            ctx = self.node("Transpose", [self.node("MatMul", [p, v])], perm=[0, 2, 1, 3])
            ctx = self.node("Reshape", [ctx, self.i64(0, -1, h)])
            x = self.layernorm(self.node("Add", [x, self.linear(ctx, h, h)]))
            f = self.linear(self.gelu(self.linear(x, h, c["intermediate_size"])), c["intermediate_size"], h)
            x = self.layernorm(self.node("Add", [x, f]))
        return x

    def build(self, classify):
        c = self.cfg
        x = self.encoder()
        ids = ["batch_size", "sequence_length"]
        I, F = TensorProto.INT64, TensorProto.FLOAT
        inputs = [helper.make_tensor_value_info(n, I, ids) for n in ("input_ids", "attention_mask", "token_type_ids")]
        if classify:  # pooler on [CLS] -> tanh -> classifier
            cls = self.node("Gather", [x, self.init("zero", np.int64(0))], axis=1)
            pooled = self.node("Tanh", [self.linear(cls, c["hidden_size"], c["hidden_size"])])
            self.nodes.append(helper.make_node("Identity", [self.linear(pooled, c["hidden_size"], 2)], ["logits"]))
            outputs = [helper.make_tensor_value_info("logits", F, ["batch_size", 2])]
        else:
            self.nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"]))
            outputs = [helper.make_tensor_value_info("last_hidden_state", F, ids + [c["hidden_size"]])]
        g = helper.make_graph(self.nodes, "bert", inputs, outputs, self.inits)
        return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], producer_name="qwasm-tests")


def wordpiece_tokenizer(vocab_words):
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    vocab = {t: i for i, t in enumerate(specials + vocab_words + ["##s", "##ed", "##ing", "##ly"])}
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True} for i, t in enumerate(specials)],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {t: {"id": t, "ids": [vocab[t]], "tokens": [t]} for t in ("[CLS]", "[SEP]")}},
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": vocab},
    }


def wordlevel_tokenizer(vocab_words):
    specials = ["<unk>", "<s>", "</s>"]
    vocab = {t: i for i, t in enumerate(specials + vocab_words)}
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True} for i, t in enumerate(specials)],
        "normalizer": {"type": "Lowercase"},
        "pre_tokenizer": {"type": "Whitespace"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
        "decoder": None,
        "model": {"type": "WordLevel", "vocab": vocab, "unk_token": "<unk>"},
    }


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)


def bert_folder(out, name, classify, seed, layers=2, hidden=64):
    d = os.path.join(out, name)
    os.makedirs(os.path.join(d, "onnx"), exist_ok=True)
    tok = wordpiece_tokenizer(words(400))
    cfg = {"model_type": "bert", "architectures": ["BertForSequenceClassification" if classify else "BertModel"],
           "hidden_size": hidden, "num_attention_heads": max(4, hidden // 32), "num_hidden_layers": layers,
           "intermediate_size": 2 * hidden if hidden <= 64 else 4 * hidden,
           "vocab_size": len(tok["model"]["vocab"]), "max_position_embeddings": 128, "type_vocab_size": 2,
           "hidden_act": "gelu", "layer_norm_eps": 1e-12, "pad_token_id": 0}
    if classify:
        cfg["id2label"] = {"0": "NEGATIVE", "1": "POSITIVE"}
        cfg["label2id"] = {"NEGATIVE": 0, "POSITIVE": 1}
    write_json(os.path.join(d, "config.json"), cfg)
    write_json(os.path.join(d, "tokenizer.json"), tok)
    write_json(os.path.join(d, "tokenizer_config.json"), {
        "tokenizer_class": "BertTokenizer", "do_lower_case": True, "model_max_length": 128,
        "cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]", "unk_token": "[UNK]",
        "mask_token": "[MASK]"})
    for fname, quantized in (("model.onnx", False), ("model_quantized.onnx", True)):
        onnx.save(Bert(seed, cfg, quantized).build(classify), os.path.join(d, "onnx", fname))


def llama_folder(out, seed):
    d = os.path.join(out, "llama-tiny")
    os.makedirs(os.path.join(d, "onnx"), exist_ok=True)
    vocab = 256
    tok = wordlevel_tokenizer(words(vocab - 3))
    a = SimpleNamespace(style="optimum", layers=2, hidden=64, heads=4, kv_heads=2, ff=128, vocab=vocab,
                        max_pos=512, rope_theta=10000.0, block_size=32, accuracy_level=4, symmetric=False,
                        separate_rotary=False, external=False, qwen=False, seed=seed)
    onnx.save(Decoder(a).build(), os.path.join(d, "onnx", "model_q4.onnx"))
    f16 = SimpleNamespace(**{**vars(a), "style": "genai", "separate_rotary": True, "fp16": True, "seed": seed + 100})
    onnx.save(Decoder(f16).build(), os.path.join(d, "onnx", "model_q4f16.onnx"))
    write_json(os.path.join(d, "config.json"), {
        "model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": a.hidden,
        "num_attention_heads": a.heads, "num_key_value_heads": a.kv_heads, "num_hidden_layers": a.layers,
        "head_dim": a.hidden // a.heads, "intermediate_size": a.ff, "vocab_size": vocab,
        "max_position_embeddings": a.max_pos, "rope_theta": a.rope_theta, "rms_norm_eps": 1e-6,
        "bos_token_id": 1, "eos_token_id": 2, "tie_word_embeddings": False})
    write_json(os.path.join(d, "generation_config.json"), {"bos_token_id": 1, "eos_token_id": 2})
    write_json(os.path.join(d, "tokenizer.json"), tok)
    write_json(os.path.join(d, "tokenizer_config.json"), {
        "tokenizer_class": "PreTrainedTokenizerFast", "bos_token": "<s>", "eos_token": "</s>",
        "unk_token": "<unk>", "model_max_length": a.max_pos, "clean_up_tokenization_spaces": False})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--minilm", action="store_true",
                    help="also write minilm-l6/ (6 layers, hidden 384: the shape of all-MiniLM-L6-v2) for benchmarks")
    a = ap.parse_args()
    if a.minilm:
        bert_folder(a.out, "minilm-l6", False, 14, layers=6, hidden=384)
    bert_folder(a.out, "bert-tiny", False, 11)
    bert_folder(a.out, "bert-tiny-cls", True, 12)
    llama_folder(a.out, 13)
    print(f"wrote bert-tiny, bert-tiny-cls, llama-tiny under {a.out}")


if __name__ == "__main__":
    main()
