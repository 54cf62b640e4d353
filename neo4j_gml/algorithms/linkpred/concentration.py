"""Topological Concentration (TC) and its scalable approximation (ATC).

Wang, Zhao, Derr et al. 2023, "A Topological Perspective on Demystifying GNN-Based Link
Prediction Performance" (ICLR 2024): a node whose neighbours' neighbourhoods overlap its own is
well served by GNN link prediction; a low TC flags nodes where predictions will be weak.

``TC_i = mean over j in N(i) of sum over k1, k2 in 1..K of beta^(k1 + k2 - 2) *
|H_i^k1 & H_j^k2| / |H_i^k1 | H_j^k2|``, where ``H_i^k`` is the set of nodes at distance exactly
``k`` from ``i`` with ``i`` and ``j`` themselves left out of both sets (so for ``K = 1`` the
term is the Jaccard overlap of the two neighbourhoods with the edge ``i - j`` removed; for
``K > 1`` distances are measured in the whole graph, the pair's own edge included).

``ATC_i = mean over j in N(i) of cos(Z_i, Z_j)`` with ``Z = P^K G``: ``G`` a Gaussian random
matrix ``[n, d]`` and ``P = D^-1/2 A D^-1/2``. By Johnson-Lindenstrauss, ``cos(Z_i, Z_j)``
approximates the cosine of rows ``i`` and ``j`` of ``P^K`` (how much the two nodes' K-step
neighbourhoods overlap), in ``O(K m d)`` time instead of TC's ``O(sum of |H^k| products)``.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

from neo4j_gml.algorithms.linkpred.adjacency import Adjacency, expand, find_sorted

__all__ = ["approximate_concentration", "topological_concentration"]


def _layers(adj: Adjacency, hops: int) -> list[Adjacency]:
    """``H^1 .. H^K`` as :class:`Adjacency` patterns: row ``i`` = nodes at distance exactly k."""
    n = adj.num_nodes
    layers = [adj]
    reach = adj.keys  # sorted keys of nodes within distance k (self excluded)
    frontier = adj
    for _ in range(1, hops):
        rows = torch.repeat_interleave(torch.arange(n, device=adj.device), frontier.degree)
        owner, far = expand(adj, frontier.indices)
        src = rows[owner]
        key = torch.unique(src * n + far)
        key = key[(key // n) != (key % n)]
        key = key[~find_sorted(reach, key)[0]]
        s = torch.div(key, n, rounding_mode="floor")
        layer = _pattern(s, key - s * n, n)
        layers.append(layer)
        reach = torch.sort(torch.cat([reach, key])).values
        frontier = layer
    return layers


def _pattern(rows: torch.Tensor, cols: torch.Tensor, n: int) -> Adjacency:
    """An :class:`Adjacency` holding exactly the (sorted, distinct) entries ``rows, cols``."""
    keys = rows * n + cols
    degree = torch.bincount(rows, minlength=n)
    indptr = torch.zeros(n + 1, dtype=torch.int64, device=rows.device)
    indptr[1:] = torch.cumsum(degree, 0)
    return Adjacency(indptr, cols, keys, degree, n)


def _intersections(
    left: Adjacency, right: Adjacency, a: torch.Tensor, b: torch.Tensor
) -> torch.Tensor:
    """``|row a[p] of left & row b[p] of right|`` per pair ``p``."""
    counts = torch.zeros(a.numel(), dtype=torch.float64, device=a.device)
    pair, node = expand(left, a)
    hit = right.has_arc(b[pair], node)
    counts.index_add_(
        0, pair[hit], torch.ones(int(hit.sum()), dtype=torch.float64, device=a.device)
    )
    return counts


def topological_concentration(adj: Adjacency, hops: int = 1, beta: float = 0.5) -> torch.Tensor:
    """Each node's Topological Concentration (TC) over ``hops`` layers with decay ``beta``.

    See the module docstring for the definition.

    Parameters
    ----------
    adj : Adjacency
        The simple undirected adjacency.
    hops : int
        ``K``, the number of distance layers.
    beta : float
        Decay of the deeper layers.

    Returns
    -------
    torch.Tensor
        ``float64[n]`` TC of every node (0 if isolated).

    Notes
    -----
    Complexity ``O(K^2 * sum over edges (i, j) of |H_i^k|)`` plus building the layers; use
    :func:`approximate_concentration` on large graphs.

    References
    ----------
    Y. Wang, T. Zhao, Y. Zhao, Y. Liu, X. Cheng, N. Shah, T. Derr, "A topological perspective
    on demystifying GNN-based link prediction performance", ICLR 2024.

    Examples
    --------
    >>> from neo4j_gml.algorithms.linkpred.adjacency import from_edges
    >>> # a triangle with a tail
    >>> adj = from_edges(torch.tensor([0, 0, 1, 2]), torch.tensor([1, 2, 2, 3]), 4)
    >>> topological_concentration(adj).round(decimals=3).tolist()
    [0.75, 0.75, 0.333, 0.0]
    """
    n = adj.num_nodes
    if adj.indices.numel() == 0:
        return torch.zeros(n, dtype=torch.float64, device=adj.device)
    layers = _layers(adj, hops)
    i = torch.repeat_interleave(torch.arange(n, device=adj.device), adj.degree)
    j = adj.indices
    total = torch.zeros(i.numel(), dtype=torch.float64, device=adj.device)
    for k1, h1 in enumerate(layers, start=1):
        size_i = h1.degree[i].to(torch.float64) - (1.0 if k1 == 1 else 0.0)  # leave out j
        for k2, h2 in enumerate(layers, start=1):
            size_j = h2.degree[j].to(torch.float64) - (1.0 if k2 == 1 else 0.0)  # leave out i
            inter = _intersections(h1, h2, i, j)
            union = size_i + size_j - inter
            ratio = torch.where(union > 0, inter / union.clamp(min=1), torch.zeros_like(inter))
            total += beta ** (k1 + k2 - 2) * ratio
    out = torch.zeros(n, dtype=torch.float64, device=adj.device)
    out.index_add_(0, i, total)
    return out / adj.degree.clamp(min=1).to(torch.float64)


def approximate_concentration(
    adj: Adjacency, hops: int = 1, dimension: int = 256, seed: int = 0
) -> torch.Tensor:
    """Each node's approximate Topological Concentration (ATC) by random projection.

    ``ATC_i = mean over j in N(i) of cos(Z_i, Z_j)`` with ``Z = P^K G`` (module docstring).

    Parameters
    ----------
    adj : Adjacency
        The simple undirected adjacency.
    hops : int
        ``K``, the propagation steps.
    dimension : int
        Columns of the Gaussian random matrix ``G``.
    seed : int
        Seed of ``G`` (drawn on the CPU).

    Returns
    -------
    torch.Tensor
        ``float64[n]`` ATC of every node (0 if isolated).

    Notes
    -----
    ``O(hops * m * dimension)``.

    References
    ----------
    Y. Wang, T. Zhao, Y. Zhao, Y. Liu, X. Cheng, N. Shah, T. Derr, "A topological perspective
    on demystifying GNN-based link prediction performance", ICLR 2024.

    Examples
    --------
    >>> from neo4j_gml.algorithms.linkpred.adjacency import from_edges
    >>> # a triangle with a tail
    >>> adj = from_edges(torch.tensor([0, 0, 1, 2]), torch.tensor([1, 2, 2, 3]), 4)
    >>> atc = approximate_concentration(adj, dimension=256)
    >>> atc.shape, (atc[[0, 1]] > atc[3]).tolist()  # the triangle scores above the tail
    (torch.Size([4]), [True, True])
    """
    n, device = adj.num_nodes, adj.device
    if adj.indices.numel() == 0:
        return torch.zeros(n, dtype=torch.float64, device=device)
    gen = torch.Generator().manual_seed(seed)
    z = torch.randn(n, dimension, generator=gen, dtype=torch.float64).to(device)
    rows = torch.repeat_interleave(torch.arange(n, device=device), adj.degree)
    inv = adj.degree.to(torch.float64).clamp(min=1).rsqrt()
    vals = inv[rows] * inv[adj.indices]
    prop = torch.sparse_coo_tensor(
        torch.stack([rows, adj.indices]), vals, (n, n), check_invariants=False
    ).coalesce()
    for _ in range(hops):
        z = torch.sparse.mm(prop, z)
    cos = F.cosine_similarity(z[rows], z[adj.indices], dim=1, eps=1e-12)
    out = torch.zeros(n, dtype=torch.float64, device=device)
    out.index_add_(0, rows, cos)
    return out / adj.degree.clamp(min=1).to(torch.float64)
