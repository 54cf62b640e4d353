"""Weakly connected components."""

from __future__ import annotations

import torch

from neo4j_gml.graph import Graph


def _shortcut(parent: torch.Tensor) -> torch.Tensor:
    while True:
        grand = parent[parent]
        if torch.equal(grand, parent):
            return parent
        parent = grand


def weakly_connected_components(
    graph: Graph,
    *,
    threshold: float | None = None,
    seeds: torch.Tensor | None = None,
) -> torch.Tensor:
    """Component id of every node, ignoring arc directions.

    Hook-and-shortcut union-find in the style of Shiloach-Vishkin / FastSV: every round, each arc
    hooks the root of its higher-labelled end under the lower label (``scatter_reduce`` with
    ``amin``), then pointer jumping flattens the trees. Converges in ``O(log n)`` rounds of
    ``O(m)`` work, the same code on CPU and CUDA. Each component's id is its smallest position.

    Args:
        graph: any orientation; directions are ignored.
        threshold: with weights, only arcs whose weight is strictly above it connect nodes.
        seeds: ``float64[n]`` with ``NaN`` for unseeded nodes (GDS's ``seedProperty``): a
            component that holds seeded nodes takes the smallest seed as its id; the others get
            ids above the largest seed.

    Returns ``int64[n]``.
    """
    n = graph.num_nodes
    src, dst = graph.sources(), graph.indices
    if threshold is not None and graph.weights is not None:
        keep = graph.weights > threshold
        src, dst = src[keep], dst[keep]
    parent = torch.arange(n, device=graph.device)
    while True:
        ps, pd = parent[src], parent[dst]
        low, high = torch.minimum(ps, pd), torch.maximum(ps, pd)
        hooked = parent.scatter_reduce(0, high, low, reduce="amin")
        hooked = _shortcut(hooked)
        if torch.equal(hooked, parent):
            break
        parent = hooked
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
