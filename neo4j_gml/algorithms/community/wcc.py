"""Weakly connected components."""

from __future__ import annotations

import numpy as np
import torch
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from neo4j_gml.core.graph import Graph

__all__ = ["weakly_connected_components"]


def _shortcut(parent: torch.Tensor) -> torch.Tensor:
    while True:
        grand = parent[parent]
        if torch.equal(grand, parent):
            return parent
        parent = grand


def _smallest_member_cpu(n: int, src: torch.Tensor, dst: torch.Tensor) -> torch.Tensor:
    """Each node's smallest same-component position, by SciPy's breadth-first search (C, one
    pass, ``O(n + m)``): the CPU back end of :func:`weakly_connected_components`."""
    ones = np.ones(src.numel(), dtype=np.int8)
    adjacency = coo_matrix((ones, (src.numpy(), dst.numpy())), shape=(n, n)).tocsr()
    _, labels = connected_components(adjacency, directed=True, connection="weak")
    _, first = np.unique(labels, return_index=True)  # first position of each label
    return torch.from_numpy(first[labels].astype(np.int64))


def _smallest_member(n: int, src: torch.Tensor, dst: torch.Tensor) -> torch.Tensor:
    """Each node's smallest same-component position, by hooking and pointer jumping (any
    device)."""
    parent = torch.arange(n, device=src.device)
    while True:
        ps, pd = parent[src], parent[dst]
        low, high = torch.minimum(ps, pd), torch.maximum(ps, pd)
        hooked = parent.scatter_reduce(0, high, low, reduce="amin")
        hooked = _shortcut(hooked)
        if torch.equal(hooked, parent):
            return parent
        parent = hooked


def weakly_connected_components(
    graph: Graph,
    *,
    threshold: float | None = None,
    seeds: torch.Tensor | None = None,
) -> torch.Tensor:
    """Component id of every node, ignoring arc directions, as GDS's ``gds.wcc``.

    Parameters
    ----------
    graph : Graph
        Any orientation; directions are ignored.
    threshold : float or None
        With weights, only arcs whose weight is strictly above it connect nodes.
    seeds : torch.Tensor or None
        ``float64[n]`` with ``NaN`` for unseeded nodes (GDS's ``seedProperty``): a component that
        holds seeded nodes takes the smallest seed as its id; the others get ids above the
        largest seed.

    Returns
    -------
    torch.Tensor
        ``int64[n]``: without seeds, each component's id is its smallest position.

    Notes
    -----
    Hook-and-shortcut union-find in the style of Shiloach-Vishkin / FastSV: every round, each arc
    hooks the root of its higher-labelled end under the lower label (``scatter_reduce`` with
    ``amin``), then pointer jumping flattens the trees. Converges in ``O(log n)`` rounds of
    ``O(m)`` work, the same code on CPU and CUDA. On CPU, SciPy's breadth-first search (one
    ``O(n + m)`` pass in C, 3-8x faster there) gives the same ids.

    References
    ----------
    Y. Shiloach and U. Vishkin, "An O(log n) parallel connectivity algorithm", Journal of
    Algorithms 3 (1982); Y. Zhang, A. Azad, Z. Hu, "FastSV: a distributed-memory connected
    component algorithm with fast convergence", SIAM PP 2020; GDS manual, Weakly Connected
    Components.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 3], [1, 2, 4], [1.0, 0.5, 2.0], num_nodes=6)
    >>> weakly_connected_components(g).tolist()
    [0, 0, 0, 3, 3, 5]
    >>> weakly_connected_components(g, threshold=0.7).tolist()
    [0, 0, 2, 3, 3, 5]
    """
    n = graph.num_nodes
    src, dst = graph.sources(), graph.indices
    if threshold is not None and graph.weights is not None:
        keep = graph.weights > threshold
        src, dst = src[keep], dst[keep]
    if graph.device.type == "cpu":
        parent = _smallest_member_cpu(n, src, dst)
    else:
        parent = _smallest_member(n, src, dst)
    if seeds is None:
        return parent
    seeds = seeds.to(graph.device)
    seeded = ~torch.isnan(seeds)
    if not bool(seeded.any()):
        return parent
    inf = torch.full((n,), float("inf"), dtype=torch.float64, device=graph.device)
    root_seed = inf.scatter_reduce(0, parent[seeded], seeds[seeded].to(torch.float64), "amin")
    top = float(seeds[seeded].max().item())
    roots, dense = torch.unique(parent, return_inverse=True)
    fresh = (top + 1 + dense).to(torch.float64)
    ids = torch.where(torch.isinf(root_seed[parent]), fresh, root_seed[parent])
    del roots
    return ids.to(torch.long)
