"""Exports the tiny demo LM to ONNX (torch 1.13 exporter, opset 17), optimum / transformers.js
decoder convention with KV cache.

Usage: /usr/bin/python3 tools/tinylm/export_onnx.py [--ckpt build/tinylm/ckpt.pt] [--out build/tinylm/model_f32.onnx]
Also writes build/tinylm/reference.json (inputs and torch outputs for check_ort.mjs) and
models/tinylm/config.json.

Inputs   input_ids                 int64   [batch_size, sequence_length]
         attention_mask            int64   [batch_size, total_sequence_length]  (past + seq)
         position_ids              int64   [batch_size, sequence_length]
         past_key_values.{i}.key   float32 [batch_size, 4, past_sequence_length, head_dim]   i = 0..3
         past_key_values.{i}.value float32 [batch_size, 4, past_sequence_length, head_dim]
Outputs  logits                    float32 [batch_size, sequence_length, vocab]
         present.{i}.key / .value  float32 [batch_size, 4, total_sequence_length, head_dim]
"""
import argparse
import collections
import dataclasses
import json
import os
import sys

import numpy as np
import onnx
import onnx.numpy_helper
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from model import Config, TinyLM  # noqa: E402
from tokenizer import EOT, Tokenizer  # noqa: E402


class Flat(torch.nn.Module):
    """Flat positional inputs / outputs for the exporter."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, position_ids, *past_flat):
        past = [(past_flat[2 * i], past_flat[2 * i + 1]) for i in range(len(past_flat) // 2)]
        logits, presents = self.model(input_ids, attention_mask, position_ids, past)
        out = [logits]
        for k, v in presents:
            out += [k, v]
        return tuple(out)


def load(ckpt_path):
    ck = torch.load(ckpt_path, map_location="cpu")
    model = TinyLM(Config(**ck["config"]))
    model.load_state_dict(ck["model"])
    model.eval()
    return model, ck


def rename_initializers(m):
    """Names the exporter's folded weights (onnx::MatMul_123) after the MatMul that uses them."""
    g = m.graph
    users = collections.defaultdict(list)
    for n in g.node:
        for i, name in enumerate(n.input):
            users[name].append((n, i))
    taken = {i.name for i in g.initializer}
    for init in g.initializer:
        if not init.name.startswith("onnx::"):
            continue
        u = users[init.name]
        if len(u) != 1 or not u[0][0].name:
            continue
        node, slot = u[0]
        new = node.name.strip("/").replace("/", ".") + f".input{slot}"
        if new in taken:
            continue
        taken.add(new)
        node.input[slot] = new
        init.name = new


def inline_identities(m):
    """Identity(initializer) (the exporter's dedup of equal weights) -> a copy of the initializer."""
    g = m.graph
    inits = {i.name: i for i in g.initializer}
    keep = []
    for n in g.node:
        if n.op_type == "Identity" and n.input[0] in inits:
            t = onnx.TensorProto()
            t.CopyFrom(inits[n.input[0]])
            t.name = n.output[0]
            g.initializer.append(t)
        else:
            keep.append(n)
    del g.node[:]
    g.node.extend(keep)


def constants_to_initializers(m, min_elements=64):
    """Large Constant nodes (the rotary cos / sin tables) -> named initializers."""
    g = m.graph
    keep, renames = [], {}
    for n in g.node:
        if n.op_type == "Constant" and n.attribute[0].name == "value" and \
                np.prod(n.attribute[0].t.dims) >= min_elements:
            t = onnx.TensorProto()
            t.CopyFrom(n.attribute[0].t)
            t.name = n.output[0]
            g.initializer.append(t)
        else:
            keep.append(n)
    del g.node[:]
    g.node.extend(keep)
    # name the rotary tables after what they are (the Gathers by position_ids)
    inits = {i.name: i for i in g.initializer}
    for n in g.node:
        if n.op_type == "Gather" and n.input[1] == "position_ids" and n.input[0] in inits:
            row0 = onnx.numpy_helper.to_array(inits[n.input[0]])[0]
            renames[n.input[0]] = "rope.cos_table" if np.all(row0 == 1) else "rope.sin_table"
    for init in g.initializer:
        if init.name in renames:
            init.name = renames[init.name]
    for n in g.node:
        for i, x in enumerate(n.input):
            if x in renames:
                n.input[i] = renames[x]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", default=os.path.join(ROOT, "build/tinylm/ckpt.pt"))
    ap.add_argument("--out", default=os.path.join(ROOT, "build/tinylm/model_f32.onnx"))
    ap.add_argument("--reference", default=os.path.join(ROOT, "build/tinylm/reference.json"))
    ap.add_argument("--config-out", default=os.path.join(ROOT, "models/tinylm/config.json"),
                    help="where config.json goes (another model than tinylm: somewhere else)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    model, ck = load(args.ckpt)
    c = model.config
    L, H, D = c.n_layers, c.n_heads, c.head_dim

    # trace with a non-empty past and seq > 1 so that no length gets specialized
    b, past, seq = 2, 3, 5
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(0, c.vocab, (b, seq), generator=g)
    mask = torch.ones(b, past + seq, dtype=torch.long)
    pos = torch.arange(past, past + seq).unsqueeze(0).expand(b, seq).contiguous()
    pkv = [torch.randn(b, H, past, D, generator=g) for _ in range(2 * L)]

    input_names = ["input_ids", "attention_mask", "position_ids"]
    output_names = ["logits"]
    axes = {"input_ids": {0: "batch_size", 1: "sequence_length"},
            "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
            "position_ids": {0: "batch_size", 1: "sequence_length"},
            "logits": {0: "batch_size", 1: "sequence_length"}}
    for i in range(L):
        for kv in ("key", "value"):
            input_names.append(f"past_key_values.{i}.{kv}")
            output_names.append(f"present.{i}.{kv}")
            axes[input_names[-1]] = {0: "batch_size", 2: "past_sequence_length"}
            axes[output_names[-1]] = {0: "batch_size", 2: "total_sequence_length"}
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(Flat(model), (ids, mask, pos, *pkv), args.out, opset_version=17,
                          input_names=input_names, output_names=output_names, dynamic_axes=axes,
                          do_constant_folding=True)

    m = onnx.load(args.out)
    inline_identities(m)
    constants_to_initializers(m)
    rename_initializers(m)
    m.producer_name = "qwasm tools/tinylm/export_onnx.py"
    meta = {"generated_by": "tools/tinylm (qwasm)", "architecture": "llama-style tiny causal LM",
            "config": json.dumps(dataclasses.asdict(c)), "tokenizer": "tokenizer.json (qwasm-bpe-v1)"}
    for k, v in meta.items():
        p = m.metadata_props.add()
        p.key, p.value = k, v
    onnx.checker.check_model(m)
    onnx.save(m, args.out)
    ops = collections.Counter(n.op_type for n in m.graph.node)
    print(f"{args.out}: {os.path.getsize(args.out)} bytes, {len(m.graph.node)} nodes")
    print("ops:", dict(sorted(ops.items())))
    for vi in list(m.graph.input) + list(m.graph.output):
        dims = [d.dim_param or d.dim_value for d in vi.type.tensor_type.shape.dim]
        print(f"  {vi.name}: {onnx.TensorProto.DataType.Name(vi.type.tensor_type.elem_type)} {dims}")

    # reference cases for check_ort.mjs: (1) prefill from empty past, (2) one decode step on
    # that cache, (3) batch 2 with left padding in the second row.
    tok = Tokenizer.load(os.path.join(ROOT, "tests/data/tinylm/tokenizer.qwasm-bpe.json"))
    prompt = tok.encode("It is a truth universally")
    cases = []

    def run(name, ids, mask, pos, past):
        with torch.no_grad():
            logits, presents = model(ids, mask, pos, past)
        cases.append({"name": name,
                      "input_ids": ids.tolist(), "attention_mask": mask.tolist(), "position_ids": pos.tolist(),
                      "past_length": past[0][0].shape[2], "past_from": "previous" if past[0][0].shape[2] else None,
                      "logits_shape": list(logits.shape),
                      "last_logits": logits[:, -1].tolist()})
        return logits, presents

    t = torch.tensor([prompt])
    n = len(prompt)
    logits, presents = run("prefill", t, torch.ones(1, n, dtype=torch.long), torch.arange(n).unsqueeze(0),
                           model.empty_past(1))
    nxt = int(logits[0, -1].argmax())
    run("decode", torch.tensor([[nxt]]), torch.ones(1, n + 1, dtype=torch.long), torch.tensor([[n]]), presents)
    short = tok.encode("Emma Woodhouse")
    padded = torch.tensor([prompt, [0] * (n - len(short)) + short])
    pmask = torch.tensor([[1] * n, [0] * (n - len(short)) + [1] * len(short)])
    ppos = torch.tensor([list(range(n)), [0] * (n - len(short)) + list(range(len(short)))])
    run("padded_batch", padded, pmask, ppos, model.empty_past(2))
    with open(args.reference, "w") as f:
        json.dump({"prompt": "It is a truth universally", "cases": cases}, f)
    print(f"reference -> {args.reference}")

    config = {"model_type": "llama", "generated_by": "tools/tinylm",
              "vocab_size": c.vocab, "hidden_size": c.dim, "intermediate_size": c.ffn,
              "num_hidden_layers": L, "num_attention_heads": H, "num_key_value_heads": H,
              "head_dim": D, "max_position_embeddings": c.max_pos, "rope_theta": c.rope_theta,
              "rms_norm_eps": c.eps, "tie_word_embeddings": c.tied,
              "eos_token_id": tok.special_tokens[EOT], "bos_token_id": None,
              "context_length_trained": ck["args"]["ctx"]}
    with open(args.config_out, "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
