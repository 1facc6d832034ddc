"""Tiny Llama-style causal LM (RMSNorm, rotary position embedding, SwiGLU MLP, KV cache).

Written so that torch 1.13's ONNX exporter (opset 17) emits only basic ops, and so that training
and the exported decoder run the very same forward():

    logits, presents = model(input_ids, attention_mask, position_ids, past)
      input_ids       int64 [batch, seq]
      attention_mask  int64 [batch, past + seq]   (1 = attend, 0 = padding)
      position_ids    int64 [batch, seq]          (rotary positions, < max_pos)
      past            list of (key, value) float32 [batch, heads, past, head_dim], one per layer
      logits          float32 [batch, seq, vocab]
      presents        list of (key, value) float32 [batch, heads, past + seq, head_dim]

The mask is made in the graph: query i (at absolute index past + i) may attend key j when
j <= past + i and attention_mask[b, j] == 1; masked scores get -1e9 added (a finite value, so
a fully padded row gives a uniform softmax instead of NaN).
"""
import dataclasses
import math

import torch
from torch import nn


@dataclasses.dataclass
class Config:
    vocab: int = 2048
    dim: int = 256
    n_layers: int = 4
    n_heads: int = 4
    ffn: int = 688
    max_pos: int = 256
    rope_theta: float = 10000.0
    eps: float = 1e-5
    tied: bool = True

    @property
    def head_dim(self):
        return self.dim // self.n_heads


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        # Pow, ReduceMean, Add, Sqrt, Div, Mul
        var = x.pow(2).mean(-1, keepdim=True)
        return x / torch.sqrt(var + self.eps) * self.weight


def rotate_half(x, half):
    # half is a Python int, so the exporter emits constant Slice bounds (no Shape / Div)
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Attention(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.n_heads, self.head_dim = c.n_heads, c.head_dim
        self.q_proj = nn.Linear(c.dim, c.dim, bias=False)
        self.k_proj = nn.Linear(c.dim, c.dim, bias=False)
        self.v_proj = nn.Linear(c.dim, c.dim, bias=False)
        self.o_proj = nn.Linear(c.dim, c.dim, bias=False)

    def forward(self, x, cos, sin, bias, past_k, past_v):
        b, s, d = x.shape
        shape = (b, s, self.n_heads, self.head_dim)
        q = self.q_proj(x).view(shape).transpose(1, 2)  # [b, h, s, hd]
        k = self.k_proj(x).view(shape).transpose(1, 2)
        v = self.v_proj(x).view(shape).transpose(1, 2)
        half = self.head_dim // 2
        q = q * cos + rotate_half(q, half) * sin
        k = k * cos + rotate_half(k, half) * sin
        k = torch.cat((past_k, k), dim=2)  # [b, h, past + s, hd]
        v = torch.cat((past_v, v), dim=2)
        scores = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(self.head_dim) + bias
        att = torch.softmax(scores, dim=-1)
        y = torch.matmul(att, v).transpose(1, 2).reshape(b, s, d)
        return self.o_proj(y), k, v


class MLP(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.gate_proj = nn.Linear(c.dim, c.ffn, bias=False)
        self.up_proj = nn.Linear(c.dim, c.ffn, bias=False)
        self.down_proj = nn.Linear(c.ffn, c.dim, bias=False)

    def forward(self, x):
        g = self.gate_proj(x)
        return self.down_proj(g * torch.sigmoid(g) * self.up_proj(x))  # SwiGLU (SiLU gate)


class Block(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.input_layernorm = RMSNorm(c.dim, c.eps)
        self.self_attn = Attention(c)
        self.post_attention_layernorm = RMSNorm(c.dim, c.eps)
        self.mlp = MLP(c)

    def forward(self, x, cos, sin, bias, past_k, past_v):
        a, k, v = self.self_attn(self.input_layernorm(x), cos, sin, bias, past_k, past_v)
        x = x + a
        x = x + self.mlp(self.post_attention_layernorm(x))
        return x, k, v


class TinyLM(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.config = c
        self.embed_tokens = nn.Embedding(c.vocab, c.dim)
        self.layers = nn.ModuleList(Block(c) for _ in range(c.n_layers))
        self.norm = RMSNorm(c.dim, c.eps)
        self.lm_head = nn.Linear(c.dim, c.vocab, bias=False)
        if c.tied:
            self.lm_head.weight = self.embed_tokens.weight
        # rotary tables (HF Llama layout: the two halves of head_dim share frequencies)
        inv = 1.0 / (c.rope_theta ** (torch.arange(0, c.head_dim, 2).float() / c.head_dim))
        ang = torch.outer(torch.arange(c.max_pos).float(), inv)
        ang = torch.cat((ang, ang), dim=-1)  # [max_pos, head_dim]
        self.register_buffer("cos_table", ang.cos(), persistent=False)
        self.register_buffer("sin_table", ang.sin(), persistent=False)
        self.apply(self._init)
        for n, p in self.named_parameters():
            if n.endswith("o_proj.weight") or n.endswith("down_proj.weight"):
                nn.init.normal_(p, std=0.02 / math.sqrt(2 * c.n_layers))

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)

    def empty_past(self, batch=1):
        c = self.config
        z = torch.zeros(batch, c.n_heads, 0, c.head_dim)
        return [(z, z) for _ in range(c.n_layers)]

    def forward(self, input_ids, attention_mask, position_ids, past):
        seq = input_ids.shape[1]
        total = attention_mask.shape[1]
        q_pos = torch.arange(seq) + (total - seq)
        k_pos = torch.arange(total)
        causal = (k_pos.unsqueeze(0) <= q_pos.unsqueeze(1)).float()  # [seq, total]
        allowed = causal * attention_mask.unsqueeze(1).unsqueeze(2).float()  # [b, 1, seq, total]
        bias = (allowed - 1.0) * 1e9
        cos = self.cos_table[position_ids].unsqueeze(1)  # [b, 1, seq, head_dim]
        sin = self.sin_table[position_ids].unsqueeze(1)
        x = self.embed_tokens(input_ids)
        presents = []
        for layer, (pk, pv) in zip(self.layers, past):
            x, k, v = layer(x, cos, sin, bias, pk, pv)
            presents.append((k, v))
        return self.lm_head(self.norm(x)), presents

    def loss(self, input_ids, targets):
        b, s = input_ids.shape
        mask = torch.ones(b, s, dtype=torch.long)
        pos = torch.arange(s).unsqueeze(0).expand(b, s)
        logits, _ = self(input_ids, mask, pos, self.empty_past(b))
        return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
