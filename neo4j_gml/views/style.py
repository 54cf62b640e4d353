"""Shared styling of pictures: node radii from a property, colours from a category."""

from __future__ import annotations

import math
from typing import Any

# Okabe-Ito and Tableau-like colours, distinguishable in print; cycled for many categories
COLORS = (
    "#4C8EDA", "#F79767", "#8DCC93", "#F16667", "#C990C0", "#FFC454", "#57C7E3",
    "#DA7194", "#569480", "#D9C8AE", "#848484", "#ECB5C9", "#FFE081", "#9467BD",
)  # fmt: skip
OTHER = "#BBBBBB"


def radii(values: list[Any], lo: float = 4.0, hi: float = 18.0) -> list[float]:
    """Radii in [lo, hi] with area proportional to the value (missing -> lo)."""
    nums = [float(v) for v in values if isinstance(v, int | float) and math.isfinite(v)]
    if not nums:
        return [lo] * len(values)
    vmin, vmax = min(nums), max(nums)
    out = []
    for v in values:
        if not isinstance(v, int | float) or not math.isfinite(v) or vmax == vmin:
            out.append(lo if vmax != vmin else (lo + hi) / 2)
            continue
        t = (float(v) - vmin) / (vmax - vmin)
        out.append(math.sqrt(lo**2 + t * (hi**2 - lo**2)))
    return out


def color_map(values: list[Any], limit: int = len(COLORS)) -> dict[Any, str]:
    """Category value -> colour, the most frequent values first; the rest share grey."""
    counts: dict[Any, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    ordered = sorted(counts, key=lambda v: (-counts[v], str(v)))
    return {v: (COLORS[i] if i < limit else OTHER) for i, v in enumerate(ordered)}
