"""Trains the tiny demo LM on CPU within a wall-time budget.

Usage (the machine is shared: keep it nice'd and on 2 threads):
  nice -n 19 /usr/bin/python3 tools/tinylm/train.py [--minutes 25] [--threads 2]
Reads build/tinylm/{train,valid}.txt (prepare_data.py) and tests/data/tinylm/tokenizer.qwasm-bpe.json (--tokenizer);
writes build/tinylm/ckpt.pt (config + weights + loss log) and build/tinylm/train_log.json.

The learning-rate schedule runs on elapsed time, not steps (the number of steps that fit the
budget depends on the machine's load): linear warmup over the first 3% of the budget, then
cosine decay to 10% of the peak at the end of the budget. With --steps N it runs on steps instead
(same shape over N steps), so a rerun with the same torch and --threads gives the same weights.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from model import Config, TinyLM  # noqa: E402
from tokenizer import Tokenizer  # noqa: E402


def token_file(tok, tok_path, txt_path, npy_path):
    if os.path.exists(npy_path) and os.path.getmtime(npy_path) > max(
            os.path.getmtime(txt_path), os.path.getmtime(tok_path)):
        return np.load(npy_path)
    with open(txt_path, encoding="utf-8") as f:
        ids = np.array(tok.encode(f.read()), dtype=np.int16)
    np.save(npy_path, ids)
    return ids


def batches(ids, batch, ctx, gen):
    starts = gen.integers(0, len(ids) - ctx - 1, size=batch)
    x = np.stack([ids[s:s + ctx + 1] for s in starts]).astype(np.int64)
    t = torch.from_numpy(x)
    return t[:, :-1], t[:, 1:]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=25.0)
    ap.add_argument("--steps", type=int, default=0,
                    help="train this many steps instead of for --minutes (the schedule then runs on steps: reproducible)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--dim", type=int, default=192)
    ap.add_argument("--ffn", type=int, default=512)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--ctx", type=int, default=256)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--out", default=os.path.join(ROOT, "build/tinylm"))
    ap.add_argument("--tokenizer", default=os.path.join(ROOT, "tests/data/tinylm/tokenizer.qwasm-bpe.json"))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    gen = np.random.default_rng(args.seed)

    # the qwasm-bpe-v1 file (tokenizer.py's format); models/tinylm/tokenizer.json is its Hugging Face export, same ids
    tok = Tokenizer.load(args.tokenizer)
    train_ids = token_file(tok, args.tokenizer, os.path.join(args.out, "train.txt"), os.path.join(args.out, "train_ids.npy"))
    valid_ids = token_file(tok, args.tokenizer, os.path.join(args.out, "valid.txt"), os.path.join(args.out, "valid_ids.npy"))
    print(f"train {len(train_ids)} tokens, valid {len(valid_ids)} tokens", flush=True)

    cfg = Config(vocab=tok.vocab_size, dim=args.dim, n_layers=args.layers, n_heads=args.heads,
                 ffn=args.ffn, max_pos=max(256, args.ctx))
    model = TinyLM(cfg)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"config {cfg}, {n_params} parameters", flush=True)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.95))
    vgen = np.random.default_rng(7)
    valid_batches = [batches(valid_ids, 8, args.ctx, vgen) for _ in range(4)]

    def evaluate():
        model.eval()
        with torch.no_grad():
            v = float(np.mean([model.loss(x, y).item() for x, y in valid_batches]))
        model.train()
        return v

    def save(log, elapsed, step, final=False):
        state = {"config": dataclasses_asdict(cfg), "model": model.state_dict(), "log": log,
                 "steps": step, "train_seconds": elapsed, "n_params": n_params, "args": vars(args)}
        torch.save(state, os.path.join(args.out, "ckpt.pt"))
        with open(os.path.join(args.out, "train_log.json"), "w") as f:
            json.dump({k: v for k, v in state.items() if k != "model"}, f, indent=1)

    budget = args.minutes * 60
    log = {"train": [], "valid": []}
    t0 = time.time()
    next_eval, step, recent = 0.0, 0, []
    while True:
        elapsed = time.time() - t0
        done = step >= args.steps if args.steps else elapsed >= budget
        if elapsed >= next_eval or done:
            v = evaluate()
            log["valid"].append([step, round(elapsed, 1), round(v, 4)])
            print(f"[{elapsed:7.1f}s] step {step}: valid loss {v:.4f}", flush=True)
            save(log, elapsed, step)
            next_eval = elapsed + 180
            if done:
                break
        frac = step / args.steps if args.steps else min(elapsed / budget, 1.0)
        warm = 0.03
        lr = args.lr * (frac / warm if frac < warm else
                        0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * (frac - warm) / (1 - warm))))
        for g in opt.param_groups:
            g["lr"] = lr
        x, y = batches(train_ids, args.batch, args.ctx, gen)
        loss = model.loss(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        recent.append(loss.item())
        log["train"].append([step, round(time.time() - t0, 1), round(loss.item(), 4)])
        if step % 20 == 0:
            print(f"[{time.time() - t0:7.1f}s] step {step}: loss {np.mean(recent):.4f} lr {lr:.2e}", flush=True)
            recent = []

    elapsed = time.time() - t0
    save(log, elapsed, step, final=True)
    # loss curve summary: mean train loss over each tenth of the run
    tr = log["train"]
    print(f"done: {step} steps, {step * args.batch * args.ctx} tokens, {elapsed / 60:.1f} min")
    for i in range(10):
        part = tr[i * len(tr) // 10:(i + 1) * len(tr) // 10]
        if part:
            print(f"  steps {part[0][0]:5d}-{part[-1][0]:5d} ({part[-1][1]:7.1f}s): "
                  f"train loss {np.mean([p[2] for p in part]):.4f}")
    print("  valid:", ", ".join(f"step {s}: {v:.4f}" for s, _, v in log["valid"]))


def dataclasses_asdict(c):
    import dataclasses
    return dataclasses.asdict(c)


if __name__ == "__main__":
    main()
