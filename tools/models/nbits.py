"""Block quantization of a float weight into com.microsoft MatMulNBits inputs.

MatMulNBits computes Y = A @ W with W [K, N] stored transposed and blocked:
B uint8 [N, n_blocks, block_size * bits / 8] (for 4 bits: low nibble = even k),
scales float32 [N * n_blocks], zero_points uint8 [N, ceil(n_blocks * bits / 8)]
(two 4-bit zero points per byte, low nibble first) or absent (symmetric: 2^(bits-1)).
"""
import numpy as np


def quantize_nbits(w, bits=4, block_size=32, symmetric=False):
    """w: float32 [K, N]. Returns (B, scales, zero_points or None, dequantized W [K, N])."""
    assert bits in (4, 8) and block_size >= 16 and block_size & (block_size - 1) == 0
    k, n = w.shape
    n_blocks = (k + block_size - 1) // block_size
    padded = np.zeros((n_blocks * block_size, n), np.float32)
    padded[:k] = w
    blocks = padded.T.reshape(n, n_blocks, block_size)  # [N, n_blocks, block]
    qmax = (1 << bits) - 1
    if symmetric:
        zp = np.full((n, n_blocks), 1 << (bits - 1), np.int32)
        amax = np.abs(blocks).max(axis=2)
        scale = amax / (1 << (bits - 1))
        scale[scale == 0] = 1.0
    else:
        lo = np.minimum(blocks.min(axis=2), 0)
        hi = np.maximum(blocks.max(axis=2), 0)
        scale = (hi - lo) / qmax
        scale[scale == 0] = 1.0
        zp = np.clip(np.round(-lo / scale), 0, qmax).astype(np.int32)
    scale = scale.astype(np.float32)
    q = np.clip(np.round(blocks / scale[:, :, None]) + zp[:, :, None], 0, qmax).astype(np.uint8)
    deq = ((q.astype(np.float32) - zp[:, :, None]) * scale[:, :, None]).reshape(n, -1)[:, :k].T
    if bits == 4:
        b = (q[:, :, 0::2] | (q[:, :, 1::2] << 4)).astype(np.uint8)
    else:
        b = q
    zp_packed = None
    if not symmetric:
        if bits == 4:
            zpad = np.zeros((n, n_blocks + (n_blocks & 1)), np.uint8)
            zpad[:, :n_blocks] = zp
            zp_packed = (zpad[:, 0::2] | (zpad[:, 1::2] << 4)).astype(np.uint8)
        else:
            zp_packed = zp.astype(np.uint8)
    return b, scale.reshape(-1), zp_packed, np.ascontiguousarray(deq, np.float32)
