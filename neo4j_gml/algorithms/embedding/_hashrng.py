"""Counter-based random numbers in plain torch integer ops, identical on every device.

``uniform(seed, rows, cols)`` hashes ``(seed, row key, column)`` with the SplitMix64 finaliser,
so the value at a cell depends only on those three numbers: not on the device, the chunking,
nor the order of the rows. Algorithms that key rows by Neo4j node id get the same random vector
for a node whatever else is in the projection (as GDS's FastRP does by reseeding per node id).
"""

from __future__ import annotations

import torch

__all__ = ["mix64", "mix_seed", "sparse_signs", "uniform"]


def _signed(x: int) -> int:
    """A 64-bit unsigned constant as the int64 torch stores."""
    x &= (1 << 64) - 1
    return x - (1 << 64) if x >= 1 << 63 else x


_GAMMA = _signed(0x9E3779B97F4A7C15)
_M1 = _signed(0xBF58476D1CE4E5B9)
_M2 = _signed(0x94D049BB133111EB)


def _shr(x: torch.Tensor, k: int) -> torch.Tensor:
    """Logical right shift of int64 (torch's ``>>`` is arithmetic)."""
    return (x >> k) & ((1 << (64 - k)) - 1)


def mix64(x: torch.Tensor) -> torch.Tensor:
    """SplitMix64's finaliser on int64 tensors (wrapping multiplication)."""
    x = (x ^ _shr(x, 30)) * _M1
    x = (x ^ _shr(x, 27)) * _M2
    return x ^ _shr(x, 31)


def mix_seed(seed: int) -> int:
    """A well-mixed 64-bit seed (as a Python int that fits int64)."""
    return int(mix64(torch.tensor([_signed(seed)], dtype=torch.long)).item())


def uniform(seed: int, row_keys: torch.Tensor, num_cols: int) -> torch.Tensor:
    """``float64[len(row_keys), num_cols]`` uniform in ``[0, 1)``, a pure function of its inputs.

    ``row_keys`` is an int64 tensor on the target device (e.g. Neo4j node ids). Time and memory
    ``O(len(row_keys) * num_cols)``.
    """
    s = mix_seed(seed)
    rows = mix64(row_keys.to(torch.long) * _GAMMA + s)
    cols = torch.arange(num_cols, dtype=torch.long, device=row_keys.device)
    cell = mix64(rows[:, None] ^ mix64(cols * _GAMMA + _signed(s + 1))[None, :])
    return _shr(cell, 11).to(torch.float64) * (1.0 / (1 << 53))


_LANE_THRESHOLD = 10923  # round(65536 / 6): P(lane < T) = 1/6 up to 5e-6


def sparse_signs(seed: int, row_keys: torch.Tensor, num_cols: int) -> torch.Tensor:
    """``float32[len(row_keys), num_cols]`` of ``+1`` (p = 1/6), ``-1`` (p = 1/6) or ``0``.

    Like :func:`uniform`, a pure function of ``(seed, row key, column)``; it cuts each 64-bit
    hash into four 16-bit lanes, one per column, so it hashes a quarter as much.
    """
    s = mix_seed(seed)
    groups = (num_cols + 3) // 4
    rows = mix64(row_keys.to(torch.long) * _GAMMA + s)
    cols = torch.arange(groups, dtype=torch.long, device=row_keys.device)
    cell = mix64(rows[:, None] ^ mix64(cols * _GAMMA + _signed(s + 2))[None, :])
    shifts = torch.tensor([0, 16, 32, 48], dtype=torch.long, device=row_keys.device)
    lanes = (cell[:, :, None] >> shifts) & 0xFFFF  # four 16-bit lanes (mask drops sign fill)
    lanes = lanes.reshape(row_keys.numel(), groups * 4)[:, :num_cols]
    pos = (lanes < _LANE_THRESHOLD).to(torch.float32)
    neg = ((lanes >= _LANE_THRESHOLD) & (lanes < 2 * _LANE_THRESHOLD)).to(torch.float32)
    return pos - neg
