#!/usr/bin/python3
"""Re-saves an ONNX model with its initializers of SIZE_THRESHOLD bytes or more in one external
data file LOCATION beside OUT (onnx's own writer), for tests of models with external data.

Usage: /usr/bin/python3 tools/models/to_external_data.py IN.onnx OUT.onnx LOCATION [SIZE_THRESHOLD=1024]
"""
import sys

import onnx


def main():
    src, out, location = sys.argv[1], sys.argv[2], sys.argv[3]
    threshold = int(sys.argv[4]) if len(sys.argv) > 4 else 1024
    m = onnx.load(src)
    onnx.save(m, out, save_as_external_data=True, all_tensors_to_one_file=True, location=location,
              size_threshold=threshold)


if __name__ == "__main__":
    main()
