#!/usr/bin/python3
"""Trains a small MobileNet-style CNN on procedurally rendered shapes and exports it to ONNX,
for the quantizer's accuracy tables on a trained float model (tools/bench/quantize-trained.mjs)
and tests/js/quantizer-trained.test.mjs.

Data (all generated here, seeded): 32x32 grayscale images of one of 10 shapes
  0 disk, 1 ring, 2 square, 3 hollow square, 4 triangle, 5 plus, 6 x-cross, 7 diamond,
  8 horizontal bar, 9 vertical bar
at a random centre, size (radius 5..12 px), rotation (+-20 degrees) and contrast, on a random
background, with 0..3 faint distractor strokes and Gaussian noise (sigma 0.08..0.30), rendered at
64x64 and averaged down to 32x32, stored as uint8 (the model's input is pixel / 255). Training
draws fresh images every step; the held-out set (seed 2) and the calibration set (seed 3) are
fixed and written next to the model.

Model (input x float32 [N, 1, 32, 32], output logits [N, 10]; BatchNorm is folded into the convs
by the exporter):
  Conv 3x3 s2 1->16 + ReLU (16x16),
  inverted residual (1x1 16->64 + ReLU6, depthwise 3x3 s2 + ReLU6, 1x1 64->32) (8x8),
  inverted residual with skip (1x1 32->96 + ReLU6, depthwise 3x3 + ReLU6, 1x1 96->32, Add),
  depthwise 3x3 s2 32 + ReLU6 (4x4), 1x1 32->96 + ReLU6, GlobalAveragePool, Flatten, Gemm 96->10.

Usage (Debian's python3-torch 1.13.1+dfsg-4, `scripts/setup.sh --train`; one thread, 550 s on this shared
2-core machine; the run is seeded and step-based, so a rerun gives the same model):
  /usr/bin/python3 tools/models/train_shapes_cnn.py [--out tests/data/trained] [--steps 5000] [--threads 1]
Writes OUT/shapes_cnn.onnx, OUT/shapes_heldout.u8 (1000 labels then 1000 x 1024 pixels),
OUT/shapes_calib.u8 (64 images, same layout) and OUT/shapes_cnn.json (torch's accuracy and the run).
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLASSES = ["disk", "ring", "square", "hollow_square", "triangle", "plus", "x_cross", "diamond",
           "hbar", "vbar"]
HI = 64  # render resolution; images are HI / 2 square


def shape_masks(u, v):
    """Masks [10, ...] of every class in shape-local coordinates (unit radius)."""
    r = np.sqrt(u * u + v * v)
    box = np.maximum(np.abs(u), np.abs(v))
    a, b = (u + v) / math.sqrt(2), (u - v) / math.sqrt(2)
    return np.stack([
        r < 0.95,
        (r > 0.62) & (r < 1.0),
        box < 0.8,
        (box > 0.55) & (box < 0.85),
        (v > -0.6) & (v < 0.95 - 1.7 * np.abs(u)),
        ((np.abs(u) < 0.22) & (np.abs(v) < 0.95)) | ((np.abs(v) < 0.22) & (np.abs(u) < 0.95)),
        ((np.abs(a) < 0.2) & (np.abs(b) < 0.95)) | ((np.abs(b) < 0.2) & (np.abs(a) < 0.95)),
        np.abs(u) + np.abs(v) < 0.95,
        (np.abs(v) < 0.18) & (np.abs(u) < 0.98),
        (np.abs(u) < 0.18) & (np.abs(v) < 0.98),
    ])


def render(seed, n):
    """n images (uint8 [n, 32, 32]) and labels (uint8 [n]), deterministic in seed."""
    g = np.random.default_rng(seed)
    labels = g.integers(0, 10, n)
    ys, xs = np.meshgrid(np.arange(HI) + 0.5, np.arange(HI) + 0.5, indexing="ij")
    out = np.empty((n, HI // 2, HI // 2), np.uint8)
    for i in range(n):
        radius = g.uniform(10, 24)  # in render pixels
        cx, cy = g.uniform(radius * 0.8, HI - radius * 0.8, 2)
        t = math.radians(g.uniform(-20, 20))
        dx, dy = (xs - cx) / radius, (ys - cy) / radius
        u = math.cos(t) * dx + math.sin(t) * dy
        v = -math.sin(t) * dx + math.cos(t) * dy
        mask = shape_masks(u, -v)[labels[i]].astype(np.float32)
        img = g.uniform(0.0, 0.4) + g.uniform(0.3, 0.6) * mask
        for _ in range(g.integers(0, 4)):  # faint distractor strokes
            x0, y0 = g.uniform(0, HI, 2)
            ang = g.uniform(0, math.pi)
            length, width = g.uniform(6, 20), g.uniform(1, 3)
            along = (xs - x0) * math.cos(ang) + (ys - y0) * math.sin(ang)
            across = -(xs - x0) * math.sin(ang) + (ys - y0) * math.cos(ang)
            img = img + g.uniform(0.1, 0.3) * ((np.abs(along) < length / 2) & (np.abs(across) < width / 2))
        img = img.reshape(HI // 2, 2, HI // 2, 2).mean(axis=(1, 3))
        img = img + g.normal(0, g.uniform(0.08, 0.30), img.shape)
        out[i] = np.clip(np.round(img * 255), 0, 255).astype(np.uint8)
    return out, labels.astype(np.uint8)


def conv_bn(cin, cout, k, stride=1, groups=1, act=nn.ReLU):
    layers = [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)]
    return nn.Sequential(*layers, act()) if act else nn.Sequential(*layers)


class InvertedResidual(nn.Module):
    def __init__(self, cin, expand, cout, stride):
        super().__init__()
        self.skip = stride == 1 and cin == cout
        self.body = nn.Sequential(conv_bn(cin, expand, 1, act=nn.ReLU6),
                                  conv_bn(expand, expand, 3, stride, groups=expand, act=nn.ReLU6),
                                  conv_bn(expand, cout, 1, act=None))

    def forward(self, x):
        y = self.body(x)
        return x + y if self.skip else y


class ShapesNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            conv_bn(1, 16, 3, 2),
            InvertedResidual(16, 64, 32, 2), InvertedResidual(32, 96, 32, 1),
            conv_bn(32, 32, 3, 2, groups=32, act=nn.ReLU6), conv_bn(32, 96, 1, act=nn.ReLU6))
        self.classifier = nn.Linear(96, 10)

    def forward(self, x):
        return self.classifier(torch.flatten(nn.functional.adaptive_avg_pool2d(self.features(x), 1), 1))


def to_input(images):
    return torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)


def accuracy(model, images, labels):
    model.eval()
    with torch.no_grad():
        pred = model(to_input(images)).argmax(1).numpy()
    model.train()
    return float((pred == labels).mean())


def write_set(path, images, labels):
    with open(path, "wb") as f:
        f.write(labels.tobytes())
        f.write(images.tobytes())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "tests/data/trained"))
    ap.add_argument("--steps", type=int, default=5000)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)

    held_x, held_y = render(2, 1000)
    calib_x, calib_y = render(3, 64)
    model = ShapesNet()
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=4e-5, nesterov=True)
    t0, log = time.time(), []
    for step in range(args.steps):
        lr = args.lr * 0.5 * (1 + math.cos(math.pi * step / args.steps))  # cosine to zero
        for grp in opt.param_groups:
            grp["lr"] = lr
        x, y = render(1_000_000 + step, args.batch)  # fresh images every step
        loss = nn.functional.cross_entropy(model(to_input(x)), torch.from_numpy(y.astype(np.int64)))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if (step + 1) % 100 == 0 or step + 1 == args.steps:
            acc = accuracy(model, held_x[:500], held_y[:500])
            log.append([step + 1, round(time.time() - t0, 1), round(loss.item(), 4), acc])
            print(f"[{time.time() - t0:6.1f}s] step {step + 1}: loss {loss.item():.4f} held-out[:500] {acc:.3f}", flush=True)

    model.eval()
    acc = accuracy(model, held_x, held_y)
    path = os.path.join(args.out, "shapes_cnn.onnx")
    with torch.no_grad():
        torch.onnx.export(model, to_input(held_x[:2]), path, opset_version=13, input_names=["x"],
                          output_names=["logits"], dynamic_axes={"x": {0: "N"}, "logits": {0: "N"}},
                          do_constant_folding=True)
    write_set(os.path.join(args.out, "shapes_heldout.u8"), held_x, held_y)
    write_set(os.path.join(args.out, "shapes_calib.u8"), calib_x, calib_y)
    info = {"classes": CLASSES, "image": [1, 32, 32], "input_scale": "pixel / 255",
            "heldout": {"file": "shapes_heldout.u8", "n": len(held_y), "seed": 2},
            "calibration": {"file": "shapes_calib.u8", "n": len(calib_y), "seed": 3},
            "torch_heldout_accuracy": acc, "torch_version": torch.__version__,
            "args": vars(args), "train_seconds": round(time.time() - t0, 1), "log": log,
            "parameters": sum(p.numel() for p in model.parameters())}
    info["args"]["out"] = os.path.relpath(args.out, ROOT)
    with open(os.path.join(args.out, "shapes_cnn.json"), "w") as f:
        json.dump(info, f, indent=1)
        f.write("\n")
    print(f"{path}: {os.path.getsize(path)} bytes; torch held-out accuracy {acc:.4f}")


if __name__ == "__main__":
    main()
