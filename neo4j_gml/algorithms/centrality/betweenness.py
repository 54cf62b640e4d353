"""Betweenness centrality (Brandes), exact or over sampled sources."""

from __future__ import annotations

import torch

from neo4j_gml.algorithms.centrality._bfs import bfs, counted_adjacency, source_batches
from neo4j_gml.algorithms.centrality._common import check_weights
from neo4j_gml.graph import Graph

_ARC_BATCH_ELEMENTS = 1 << 22


def sample_sources(graph: Graph, size: int | None, seed: int | None) -> torch.Tensor:
    """All positions, or ``size`` distinct source positions chosen as GDS's
    ``RandomDegreeSelectionStrategy`` does: scanning nodes in order, each is taken with
    probability ``degree / maxDegree`` until ``size`` are taken; any shortfall is filled with
    uniformly drawn untaken nodes. Deterministic for a given ``seed`` (the random stream is
    torch's, so the chosen nodes differ from GDS's)."""
    n, dev = graph.num_nodes, graph.device
    if size is None or size >= n:
        return torch.arange(n, device=dev)
    gen = torch.Generator()
    if seed is None:
        gen.seed()
    else:
        gen.manual_seed(seed)
    degree = graph.out_degree().cpu()
    top = int(degree.max()) if n else 0
    factor = torch.randint(1, max(top, 1) + 1, (n,), generator=gen)
    taken = torch.nonzero(factor <= degree).reshape(-1)[:size]
    if taken.numel() < size:
        rest = torch.ones(n, dtype=torch.bool)
        rest[taken] = False
        others = torch.nonzero(rest).reshape(-1)
        extra = others[torch.randperm(others.numel(), generator=gen)[: size - taken.numel()]]
        taken = torch.sort(torch.cat([taken, extra])).values
    return taken.to(dev)


def _unweighted_batch(graph: Graph, at: torch.Tensor, a: torch.Tensor, batch: torch.Tensor):
    n = graph.num_nodes
    lv = bfs(at, batch, n)
    delta = torch.zeros_like(lv.sigma)
    inv_sigma = torch.where(lv.sigma > 0, 1.0 / lv.sigma, torch.zeros_like(lv.sigma))
    for level in range(lv.depth, 0, -1):
        coef = (delta + 1.0).mul_(inv_sigma).mul_(lv.dist == level)
        back = torch.sparse.mm(a, coef).mul_(lv.dist == level - 1)
        delta.addcmul_(back, lv.sigma)
    delta[lv.dist == 0] = 0.0
    return delta.sum(dim=1)


def _weighted_batch(graph: Graph, batch: torch.Tensor) -> torch.Tensor:
    n, dev = graph.num_nodes, graph.device
    src, dst, w = graph.sources(), graph.indices, graph.weights
    b = batch.numel()
    cols = torch.arange(b, device=dev)
    dist = torch.full((n, b), float("inf"), dtype=torch.float64, device=dev)
    dist[batch, cols] = 0.0
    dst_b = dst[:, None].expand(-1, b)
    while True:  # Bellman-Ford, all sources of the batch at once
        cand = dist[src] + w[:, None]
        nxt = dist.scatter_reduce(0, dst_b, cand, reduce="amin")
        if torch.equal(nxt, dist):
            break
        dist = nxt
    finite = torch.isfinite(dist)
    dag = (dist[src] + w[:, None] == dist[dst]) & finite[src]  # shortest-path arcs
    # hop level in the shortest-path DAG (longest DAG path from the source), exact integers
    level = torch.where(finite, 0, -1).to(torch.long)
    while True:
        cand = torch.where(dag, level[src] + 1, torch.zeros_like(dag, dtype=torch.long))
        nxt = level.scatter_reduce(0, dst_b, cand, reduce="amax")
        if torch.equal(nxt, level):
            break
        level = nxt
    depth = int(level.max()) if level.numel() else 0
    sigma = torch.zeros((n, b), dtype=torch.float64, device=dev)
    sigma[batch, cols] = 1.0
    dst_level = level[dst]
    for k in range(1, depth + 1):
        arcs = dag & (dst_level == k)
        add = torch.where(arcs, sigma[src], torch.zeros((), dtype=torch.float64, device=dev))
        sigma.index_add_(0, dst, add)
    delta = torch.zeros_like(sigma)
    safe_sigma = torch.where(sigma > 0, sigma, torch.ones_like(sigma))
    for k in range(depth, 0, -1):
        arcs = dag & (dst_level == k)
        coef = (1.0 + delta[dst]) / safe_sigma[dst]
        add = torch.where(arcs, sigma[src] * coef, torch.zeros_like(coef))
        delta.index_add_(0, src, add)
    delta[batch, cols] = 0.0
    return delta.sum(dim=1)


def betweenness_centrality(
    graph: Graph,
    *,
    weighted: bool = False,
    sampling_size: int | None = None,
    sampling_seed: int | None = None,
) -> torch.Tensor:
    """Unnormalised betweenness: for each node, the sum over source-target pairs of the share
    of shortest paths that pass through it, as GDS's ``gds.betweenness``.

    Brandes' dependency accumulation over batches of sources. Unweighted, each batch runs a
    level-synchronous BFS by sparse-matrix products (:mod:`._bfs`), then accumulates
    ``delta(u) += sigma(u)/sigma(v) * (1 + delta(v))`` level by level with the same products.
    Weighted, shortest distances come from a batched Bellman-Ford over the arcs, the shortest-path
    arcs (``d(u) + w = d(v)``, compared exactly) form a DAG, and sigma and delta are accumulated
    over its hop levels. Parallel arcs are distinct paths (a multigraph's path count).

    Directed graphs give ``nx.betweenness_centrality(G, normalized=False)``; an ``UNDIRECTED``
    graph counts each unordered pair once (the directed sum halved, NetworkX's undirected value).
    ``sampling_size`` uses only that many source nodes, drawn with GDS's degree-biased strategy
    (:func:`sample_sources`) and ``sampling_seed``; as in GDS, the sum over those sources is
    returned without rescaling.

    Weights must be positive and not NaN (:class:`ConfigError` otherwise).
    Time ``O(S * depth * m)`` for ``S`` sources (``depth`` = BFS depth, or the largest hop count of
    a shortest path when weighted); memory ``O(n * B)`` (``O(m * B)`` weighted) per batch of
    ``B`` sources. Reference: U. Brandes, "A faster algorithm for betweenness centrality" (2001).
    """
    n, dev = graph.num_nodes, graph.device
    bc = torch.zeros(n, dtype=torch.float64, device=dev)
    if n == 0:
        return bc
    sources = sample_sources(graph, sampling_size, sampling_seed)
    if weighted and graph.weights is not None:
        check_weights(graph, allow_negative=False, allow_zero=False)
        size = max(1, min(1024, _ARC_BATCH_ELEMENTS // max(graph.num_arcs, n, 1)))
        for start in range(0, sources.numel(), size):
            bc += _weighted_batch(graph, sources[start : start + size])
    else:
        at = counted_adjacency(graph, transpose=True)
        a = counted_adjacency(graph, transpose=False)
        for batch in source_batches(sources, n):
            bc += _unweighted_batch(graph, at, a, batch)
    if graph.orientation == "UNDIRECTED":
        bc /= 2.0
    return bc
