#!/usr/bin/python3
"""Block-wise 4-bit weight quantization of an ONNX model: MatMul -> com.microsoft MatMulNBits.

Usage:
  /usr/bin/python3 tools/quantize_q4.py IN.onnx OUT.onnx [--block-size 32] [--accuracy-level 4]
      [--symmetric] [--scales-2d] [--exclude SUBSTRING ...] [--external-data [FILE]]
      [--size-threshold 1024]

Every MatMul whose second input is a constant (initializer or Constant node) float32 2-D weight
W [K, N] becomes
  MatMulNBits(A, B, scales[, zero_points]) -> Y      domain com.microsoft (opset import version 1)
  attributes: K, N, bits = 4, block_size, accuracy_level
  B            uint8 [N, n_blocks, block_size / 2]  n_blocks = ceil(K / block_size); column n of W
               cut into blocks of block_size along K (K padded with zeros); byte j of a block
               holds k = 2j in its low nibble and k = 2j + 1 in its high nibble
  scales       float32 [N * n_blocks] (or [N, n_blocks] with --scales-2d), index n * n_blocks + b
  zero_points  uint8 [N, ceil(n_blocks / 2)]: two 4-bit zero points per byte, block 2i in the low
               nibble, 2i + 1 in the high nibble (odd n_blocks: last high nibble 0). Asymmetric
               (default) only; with --symmetric the input is absent, i.e. zero point 8.
  W[k, n] ~= (q[n, k] - zp[n, b]) * scale[n, b], b = k / block_size.

Asymmetric: per block lo = min(min w, 0), hi = max(max w, 0), scale = (hi - lo) / 15,
            zp = round(-lo / scale), q = clamp(round(w / scale) + zp, 0, 15).
Symmetric:  per block v = the element of largest magnitude (signed), scale = -v / 8 (so the
            scale is negative when v > 0; v maps exactly to q = 0), q = clamp(round(w / scale) + 8, 0, 15).
An all-zero block gets scale 1 and q = zp.

With --external-data, tensors of at least --size-threshold bytes are written to one file next to
OUT (default name: OUT's file name + ".data"), referenced by a relative 'location'.
"""
import argparse
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

MS_DOMAIN = "com.microsoft"


def quantize_q4(w, block_size=32, symmetric=False):
    """w: float32 [K, N]. Returns (B uint8 [N, nb, bs/2], scales float32 [N, nb],
    zero_points uint8 [N, ceil(nb/2)] or None, dequantized float32 [K, N])."""
    k, n = w.shape
    nb = (k + block_size - 1) // block_size
    padded = np.zeros((nb * block_size, n), np.float32)
    padded[:k] = w
    blocks = np.ascontiguousarray(padded.T).reshape(n, nb, block_size).astype(np.float64)
    if symmetric:
        idx = np.abs(blocks).argmax(axis=2)
        v = np.take_along_axis(blocks, idx[:, :, None], axis=2)[:, :, 0]
        scale = -v / 8.0
        zp = np.full((n, nb), 8, np.int64)
    else:
        lo = np.minimum(blocks.min(axis=2), 0.0)
        hi = np.maximum(blocks.max(axis=2), 0.0)
        scale = (hi - lo) / 15.0
        safe = np.where(scale == 0, 1.0, scale)
        zp = np.clip(np.round(-lo / safe), 0, 15).astype(np.int64)
    scale = np.where(scale == 0, 1.0, scale).astype(np.float32)
    q = np.clip(np.round(blocks / scale[:, :, None].astype(np.float64)) + zp[:, :, None], 0, 15).astype(np.uint8)
    deq = ((q.astype(np.float32) - zp[:, :, None].astype(np.float32)) * scale[:, :, None])
    deq = np.ascontiguousarray(deq.reshape(n, nb * block_size)[:, :k].T)
    b = (q[:, :, 0::2] | (q[:, :, 1::2] << 4)).astype(np.uint8)
    zpp = None
    if not symmetric:
        z = np.zeros((n, nb + (nb & 1)), np.uint8)
        z[:, :nb] = zp
        zpp = (z[:, 0::2] | (z[:, 1::2] << 4)).astype(np.uint8)
    return b, scale, zpp, deq


def constant_values(graph):
    """name -> (numpy array, 'init' | Constant node) for constant tensors of the main graph."""
    out = {i.name: (numpy_helper.to_array(i), "init") for i in graph.initializer}
    for n in graph.node:
        if n.op_type == "Constant" and len(n.attribute) == 1 and n.attribute[0].name == "value":
            out[n.output[0]] = (numpy_helper.to_array(n.attribute[0].t), n)
    return out


def quantize_model(model, block_size=32, accuracy_level=4, symmetric=False, scales_2d=False,
                   exclude=(), log=print):
    assert block_size >= 16 and block_size & (block_size - 1) == 0, "block_size: a power of 2, >= 16"
    g = model.graph
    consts = constant_values(g)
    uses = {}
    for n in g.node:
        for name in n.input:
            uses[name] = uses.get(name, 0) + 1
    for o in g.output:
        uses[o.name] = uses.get(o.name, 0) + 1
    new_nodes, drop, added, stats = [], set(), [], []
    for node in g.node:
        w = consts.get(node.input[1])[0] if node.op_type == "MatMul" and node.input[1] in consts else None
        if (w is None or w.ndim != 2 or w.dtype != np.float32 or node.domain not in ("", "ai.onnx")
                or any(s and s in node.name for s in exclude)):
            new_nodes.append(node)
            continue
        k, n = w.shape
        b, scales, zp, deq = quantize_q4(w, block_size, symmetric)
        base = node.input[1] if not node.input[1].startswith("onnx::") else (node.name or node.output[0])
        base = base.strip("/").replace("/", ".")
        names = [f"{base}_Q4", f"{base}_scales", f"{base}_zp"]
        added.append(numpy_helper.from_array(b, names[0]))
        added.append(numpy_helper.from_array(scales if scales_2d else scales.reshape(-1), names[1]))
        inputs = [node.input[0], names[0], names[1]]
        if zp is not None:
            added.append(numpy_helper.from_array(zp, names[2]))
            inputs.append(names[2])
        new_nodes.append(helper.make_node(
            "MatMulNBits", inputs, list(node.output), name=(node.name or base) + "_Q4", domain=MS_DOMAIN,
            K=k, N=n, bits=4, block_size=block_size, accuracy_level=accuracy_level))
        uses[node.input[1]] -= 1
        if uses[node.input[1]] == 0:
            drop.add(node.input[1])
        err = float(np.abs(deq - w).max())
        rel = float(np.linalg.norm(deq - w) / max(np.linalg.norm(w), 1e-30))
        stats.append((node.name, k, n, err, rel))
        log(f"  {node.name or node.output[0]}: [{k}, {n}] max|err| {err:.4g}, rel. L2 err {rel:.4f}")
    keep_init = [i for i in g.initializer if i.name not in drop]
    del g.initializer[:]
    g.initializer.extend(keep_init + added)
    final_nodes = [n for n in new_nodes if not (n.op_type == "Constant" and n.output[0] in drop)]
    del g.node[:]
    g.node.extend(final_nodes)
    if not any(o.domain == MS_DOMAIN for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid(MS_DOMAIN, 1))
    return stats


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--block-size", type=int, default=32)
    ap.add_argument("--accuracy-level", type=int, default=4)
    ap.add_argument("--symmetric", action="store_true", help="no zero points (implicit 8)")
    ap.add_argument("--scales-2d", action="store_true", help="scales as [N, n_blocks] instead of [N * n_blocks]")
    ap.add_argument("--exclude", nargs="*", default=[], help="skip MatMul nodes whose name contains any of these")
    ap.add_argument("--external-data", nargs="?", const="", default=None,
                    help="write large tensors to an external file (default name: OUT file name + .data)")
    ap.add_argument("--size-threshold", type=int, default=1024)
    args = ap.parse_args(argv)

    model = onnx.load(args.input)
    print(f"{args.input}: quantizing MatMul weights to 4 bits, block {args.block_size}, "
          f"{'symmetric' if args.symmetric else 'asymmetric'}, accuracy_level {args.accuracy_level}")
    stats = quantize_model(model, args.block_size, args.accuracy_level, args.symmetric,
                           args.scales_2d, args.exclude)
    onnx.checker.check_model(model)
    out_dir = os.path.dirname(os.path.abspath(args.output))
    os.makedirs(out_dir, exist_ok=True)
    if args.external_data is not None:
        location = args.external_data or os.path.basename(args.output) + ".data"
        if os.path.exists(os.path.join(out_dir, location)):
            os.remove(os.path.join(out_dir, location))  # onnx appends to an existing file
        onnx.save(model, args.output, save_as_external_data=True, all_tensors_to_one_file=True,
                  location=location, size_threshold=args.size_threshold, convert_attribute=False)
        data_size = os.path.getsize(os.path.join(out_dir, location))
        print(f"{len(stats)} MatMul -> MatMulNBits; {args.output}: {os.path.getsize(args.output)} bytes"
              f" + {location}: {data_size} bytes")
    else:
        onnx.save(model, args.output)
        print(f"{len(stats)} MatMul -> MatMulNBits; {args.output}: {os.path.getsize(args.output)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
