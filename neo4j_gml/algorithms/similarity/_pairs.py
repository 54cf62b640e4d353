"""Selecting the best pairs per source, and overall, from a flat list of scored pairs."""

from __future__ import annotations

import torch


def top_per_source(
    src: torch.Tensor, dst: torch.Tensor, sim: torch.Tensor, k: int, *, largest: bool = True
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Keep each source's ``k`` highest (``largest``) or lowest scores.

    The result is grouped by source (ascending), best first within a source; equal scores keep
    ascending target order. ``O(p log p)`` for ``p`` pairs.
    """
    if src.numel() == 0:
        return src, dst, sim
    order = torch.argsort(dst, stable=True)
    order = order[torch.argsort(sim[order], descending=largest, stable=True)]
    order = order[torch.argsort(src[order], stable=True)]
    src, dst, sim = src[order], dst[order], sim[order]
    _, counts = torch.unique_consecutive(src, return_counts=True)
    starts = torch.repeat_interleave(torch.cumsum(counts, 0) - counts, counts)
    rank = torch.arange(src.numel(), device=src.device) - starts
    keep = rank < k
    return src[keep], dst[keep], sim[keep]


def top_overall(
    src: torch.Tensor, dst: torch.Tensor, sim: torch.Tensor, n: int, *, largest: bool = True
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Keep the ``n`` highest (``largest``) or lowest scoring pairs, in that order."""
    if n <= 0 or src.numel() <= n:
        order = torch.argsort(sim, descending=largest, stable=True)
    else:
        order = torch.argsort(sim, descending=largest, stable=True)[:n]
    return src[order], dst[order], sim[order]
