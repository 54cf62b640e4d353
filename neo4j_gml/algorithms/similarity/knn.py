"""Exact k-nearest neighbours over node properties, with GDS kNN's similarity metrics."""

from __future__ import annotations

from collections.abc import Sequence

import torch

METRICS = ("DEFAULT", "COSINE", "EUCLIDEAN", "PEARSON", "JACCARD", "OVERLAP")
_BLOCK_ELEMENTS = 1 << 24  # entries of one (rows x n) similarity block per property


def _as_sets(values: torch.Tensor) -> torch.Tensor:
    """``float64[n, V]`` 0/1 matrix: row ``u`` marks the distinct values of ``values[u]``."""
    uniq, inverse = torch.unique(values, return_inverse=True)
    n = values.shape[0]
    out = torch.zeros(n, uniq.numel(), dtype=torch.float64, device=values.device)
    rows = torch.arange(n, device=values.device)[:, None].expand_as(inverse)
    out[rows.reshape(-1), inverse.reshape(-1)] = 1.0
    return out


class _Property:
    """One property prepared for block-wise similarity against every node."""

    def __init__(self, values: torch.Tensor, metric: str) -> None:
        x = values.to(torch.float64)
        if x.dim() == 1 or (x.dim() == 2 and x.shape[1] == 1 and metric == "DEFAULT"):
            self.kind, self.x = "SCALAR", x.reshape(-1)
            return
        x = x.reshape(x.shape[0], -1)
        self.kind = "COSINE" if metric == "DEFAULT" else metric
        if self.kind == "COSINE":
            self.x = torch.nn.functional.normalize(x, dim=1)
        elif self.kind == "PEARSON":
            self.x = torch.nn.functional.normalize(x - x.mean(dim=1, keepdim=True), dim=1)
        elif self.kind == "EUCLIDEAN":
            self.x = x
        else:  # JACCARD / OVERLAP over the distinct values of each list
            self.x = _as_sets(x)
            self.size = self.x.sum(dim=1)

    def block(self, start: int, stop: int) -> torch.Tensor:
        """``float64[stop - start, n]``: similarity of rows ``start..stop`` to every node."""
        x, xb = self.x, self.x[start:stop]
        if self.kind == "SCALAR":
            return 1.0 / (1.0 + (xb[:, None] - x[None, :]).abs())
        if self.kind == "COSINE":
            return (xb @ x.T + 1.0) / 2.0
        if self.kind == "PEARSON":
            return (xb @ x.T).clamp(min=0.0)
        if self.kind == "EUCLIDEAN":
            return 1.0 / (1.0 + torch.cdist(xb, x))
        inter = xb @ x.T
        a, b = self.size[start:stop, None], self.size[None, :]
        den = (a + b - inter) if self.kind == "JACCARD" else torch.minimum(a, b)
        return torch.where(den > 0, inter / den.clamp(min=1e-300), torch.zeros_like(inter))


def knn(
    properties: Sequence[tuple[torch.Tensor, str]],
    top_k: int = 10,
    *,
    similarity_cutoff: float = 0.0,
    block_rows: int | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Exact k-nearest neighbours of every node by node-property similarity (GDS ``gds.knn``).

    Each property is ``(values, metric)`` with ``values`` ``float[n]`` (a scalar: similarity
    ``1 / (1 + |a - b|)``) or ``float[n, d]`` (a list), ``metric`` one of :data:`METRICS`:
    ``COSINE`` (the default for lists) = ``(cos + 1) / 2``; ``EUCLIDEAN`` =
    ``1 / (1 + ||a - b||)``; ``PEARSON`` = ``max(r, 0)``; ``JACCARD`` and ``OVERLAP`` treat the
    list's distinct values as a set (``|A∩B| / |A∪B|``, ``|A∩B| / min(|A|, |B|)``). Several
    properties are averaged. A zero vector has cosine/Pearson 0. These are GDS's definitions.

    Every node gets its ``min(top_k, n - 1)`` most similar *other* nodes (GDS's sampling
    procedure converges to this; here it is computed exactly). Pairs below
    ``similarity_cutoff`` are dropped. Ties are broken arbitrarily (by ``torch.topk``).

    Returns ``(source, target, similarity)`` positions and ``float64`` values, grouped by source,
    most similar first. Time ``O(n^2 d)`` in blocks of rows, memory ``O(block_rows * n)``
    (``block_rows`` defaults to ``2**24 / n``).
    """
    if top_k < 1:
        raise ValueError("top_k must be at least 1")
    if not properties:
        raise ValueError("knn needs at least one property")
    n = properties[0][0].shape[0]
    device = properties[0][0].device
    empty = torch.zeros(0, dtype=torch.long, device=device)
    if n < 2:
        return empty, empty.clone(), torch.zeros(0, dtype=torch.float64, device=device)
    k = min(top_k, n - 1)
    props = [_Property(v, m) for v, m in properties]
    rows = block_rows or max(1, min(n, _BLOCK_ELEMENTS // n))
    srcs, dsts, sims = [], [], []
    for start in range(0, n, rows):
        stop = min(start + rows, n)
        s = props[0].block(start, stop)
        for p in props[1:]:
            s = s + p.block(start, stop)
        s = s / len(props)
        local = torch.arange(stop - start, device=device)
        s[local, local + start] = -torch.inf  # never a node's own neighbour
        val, idx = torch.topk(s, k, dim=1)
        srcs.append((local + start)[:, None].expand(-1, k).reshape(-1))
        dsts.append(idx.reshape(-1))
        sims.append(val.reshape(-1))
    src, dst, sim = torch.cat(srcs), torch.cat(dsts), torch.cat(sims)
    keep = sim >= similarity_cutoff
    return src[keep], dst[keep], sim[keep]
