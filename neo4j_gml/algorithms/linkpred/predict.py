"""Turning a trained pair scorer into predicted links: best two-hop candidates per node."""

from __future__ import annotations

from collections.abc import Callable

import torch

from neo4j_gml.algorithms.linkpred.adjacency import Adjacency
from neo4j_gml.algorithms.linkpred.topological import top_k_sorted, two_hop_pairs

__all__ = ["PairScorer", "predict_links"]

PairScorer = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def predict_links(
    probability: PairScorer,
    adj: Adjacency,
    *,
    top_n: int,
    threshold: float = 0.0,
    sources: torch.Tensor | None = None,
    path_budget: int = 5_000_000,
    batch_size: int = 65536,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Each source's ``top_n`` most probable new links with probability ``>= threshold``.

    Candidates are the non-adjacent nodes within two hops (every pair that shares a neighbour);
    ``probability(a, b)`` scores them in batches of ``batch_size``. Both directions of a pair are
    candidates (one per source).

    Parameters
    ----------
    probability : PairScorer
        ``(a, b) -> float[p]``: the link probability of the pairs ``(a[i], b[i])``.
    adj : Adjacency
        The simple undirected adjacency candidates are drawn from.
    top_n : int
        Links kept per source.
    threshold : float
        Smallest probability kept.
    sources : torch.Tensor or None
        ``int64`` source positions (default: every node).
    path_budget : int
        Two-hop paths expanded at once.
    batch_size : int
        Pairs scored at once.

    Returns
    -------
    tuple of torch.Tensor
        ``(source, target, probability)`` grouped by source, most probable first.

    Notes
    -----
    ``O(P log P)`` for ``P`` two-hop paths plus the scorer's cost.

    References
    ----------
    GDS manual, Link prediction pipelines (``predict`` with ``topN`` and ``threshold``).

    Examples
    --------
    >>> from neo4j_gml.algorithms.linkpred.adjacency import from_edges
    >>> adj = from_edges(torch.tensor([0, 0, 1, 2]), torch.tensor([1, 2, 2, 3]), 4)
    >>> def probability(a, b):
    ...     return (a + b).double() / 10
    >>> source, target, p = predict_links(probability, adj, top_n=1)
    >>> source.tolist(), target.tolist(), p.tolist()
    ([0, 1, 3], [3, 3, 1], [0.3, 0.4, 0.4])
    """
    out_s, out_t, out_p = [], [], []
    for s, t, _, _ in two_hop_pairs(adj, sources, None, path_budget):
        p = torch.cat(
            [
                probability(s[i : i + batch_size], t[i : i + batch_size]).to(torch.float64)
                for i in range(0, s.numel(), batch_size)
            ]
        )
        keep = p >= threshold
        s, t, p = top_k_sorted(s[keep], t[keep], p[keep], top_n)
        out_s.append(s)
        out_t.append(t)
        out_p.append(p)
    if not out_s:
        empty = torch.zeros(0, dtype=torch.int64, device=adj.device)
        return empty, empty.clone(), torch.zeros(0, dtype=torch.float64, device=adj.device)
    return torch.cat(out_s), torch.cat(out_t), torch.cat(out_p)
