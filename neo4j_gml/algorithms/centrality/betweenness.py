"""Betweenness centrality (Brandes), exact or over sampled sources."""

from __future__ import annotations

import torch

from neo4j_gml.algorithms.centrality._bfs import bfs, counted_adjacency, source_batches
from neo4j_gml.algorithms.centrality._common import check_weights
from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.graph import Graph

__all__ = ["betweenness_centrality", "sample_sources"]

_ARC_BATCH_ELEMENTS = 1 << 22


def sample_sources(graph: Graph, size: int | None, seed: int | None) -> torch.Tensor:
    """Source positions for sampled betweenness, chosen as GDS's ``RandomDegreeSelectionStrategy``.

    All positions, or ``size`` distinct source positions chosen as GDS's
    ``RandomDegreeSelectionStrategy`` does: scanning nodes in order, each is taken with
    probability ``degree / maxDegree`` until ``size`` are taken; any shortfall is filled with
    uniformly drawn untaken nodes. Deterministic for a given ``seed`` (the random stream is
    torch's, so the chosen nodes differ from GDS's).

    Parameters
    ----------
    graph : Graph
        The graph; ``degree`` is its out-degree in the projection's orientation.
    size : int or None
        How many sources to take; ``None`` (or at least ``n``) takes every node.
    seed : int or None
        Seed of the random stream; ``None`` draws a fresh one.

    Returns
    -------
    torch.Tensor
        ``int64`` source positions in ascending order, on the graph's device.

    References
    ----------
    GDS manual, Betweenness Centrality (``samplingSize``, ``samplingSeed``); U. Brandes and
    C. Pich, "Centrality estimation in large networks", Int. J. Bifurcation and Chaos 17 (2007).

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2], [1, 2, 3], orientation="UNDIRECTED")
    >>> sample_sources(g, None, None).tolist()
    [0, 1, 2, 3]
    >>> sample_sources(g, 2, 42).numel()
    2
    """
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


def _unweighted_batch(
    graph: Graph, at: torch.Tensor, a: torch.Tensor, batch: torch.Tensor
) -> torch.Tensor:
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
    """Brandes for a batch of ``B`` sources on positive weights, over flat ``node * B + column``
    indices so that each step touches only the (arc, source) pairs that matter."""
    n, dev = graph.num_nodes, graph.device
    src, dst, w = graph.sources(), graph.indices, graph.weights
    assert w is not None  # only called for weighted graphs
    b = batch.numel()
    start = batch * b + torch.arange(b, device=dev)
    dist = torch.full((n * b,), float("inf"), dtype=torch.float64, device=dev)
    dist[start] = 0.0
    changed = torch.zeros(n * b, dtype=torch.bool, device=dev)
    changed[start] = True
    while True:  # Bellman-Ford, relaxing only arcs whose tail improved in the last round
        arc, col = changed.view(n, b)[src].nonzero(as_tuple=True)
        if arc.numel() == 0:
            break
        cand = dist[src[arc] * b + col] + w[arc]
        improved = dist.scatter_reduce(0, dst[arc] * b + col, cand, reduce="amin")
        changed = improved < dist
        dist = improved
    grid = dist.view(n, b)
    on_path = (grid[src] + w[:, None] == grid[dst]) & torch.isfinite(grid[src])
    arc, col = on_path.nonzero(as_tuple=True)  # arcs of the shortest-path DAGs
    tail, head = src[arc] * b + col, dst[arc] * b + col
    del on_path, arc, col
    # hop level in each DAG (longest DAG path from its source), exact integers
    level = torch.zeros(n * b, dtype=torch.long, device=dev)
    while True:
        nxt = level.scatter_reduce(0, head, level[tail] + 1, reduce="amax")
        if torch.equal(nxt, level):
            break
        level = nxt
    order = torch.argsort(level[head], stable=True)
    tail, head = tail[order], head[order]
    _, counts = torch.unique_consecutive(level[head], return_counts=True)
    sizes = counts.tolist()
    groups = list(zip(torch.split(tail, sizes), torch.split(head, sizes), strict=True))
    sigma = torch.zeros(n * b, dtype=torch.float64, device=dev)
    sigma[start] = 1.0
    for t, h in groups:  # ascending head level: tails are final
        sigma.index_add_(0, h, sigma[t])
    delta = torch.zeros_like(sigma)
    for t, h in reversed(groups):  # descending head level: heads are final
        delta.index_add_(0, t, sigma[t] / sigma[h] * (1.0 + delta[h]))
    delta[start] = 0.0
    return delta.view(n, b).sum(dim=1)


def betweenness_centrality(
    graph: Graph,
    *,
    weighted: bool = False,
    sampling_size: int | None = None,
    sampling_seed: int | None = None,
) -> torch.Tensor:
    """Unnormalised betweenness centrality (Brandes), exact or over sampled sources.

    For each node, the sum over source-target pairs of the share of shortest paths that pass
    through it, as GDS's ``gds.betweenness``.

    Parameters
    ----------
    graph : Graph
        The graph; paths follow its orientation.
    weighted : bool
        Use the relationship weights as path lengths (positive, not NaN) instead of hop counts.
    sampling_size : int or None
        Use only that many source nodes, drawn with GDS's degree-biased strategy
        (:func:`sample_sources`); ``None`` uses every node.
    sampling_seed : int or None
        Seed of the source sampling.

    Returns
    -------
    torch.Tensor
        ``float64[n]``: the betweenness of every node, in position order.

    Raises
    ------
    ParameterError
        ``weights`` when ``weighted`` and a weight is zero, negative or NaN.

    Notes
    -----
    Brandes' dependency accumulation over batches of sources. Unweighted, each batch runs a
    level-synchronous BFS by sparse-matrix products (:mod:`._bfs`), then accumulates
    ``delta(u) += sigma(u)/sigma(v) * (1 + delta(v))`` level by level with the same products.
    Weighted, shortest distances come from a batched Bellman-Ford that relaxes only arcs whose
    tail improved, the shortest-path arcs (``d(u) + w = d(v)``, compared exactly as GDS and
    NetworkX do) form one DAG per source, and sigma and delta are accumulated over the DAG
    arcs grouped by hop level, each (arc, source) pair touched once per pass. Parallel arcs are
    distinct paths (a multigraph's path count).

    Directed graphs give ``nx.betweenness_centrality(G, normalized=False)``; an ``UNDIRECTED``
    graph counts each unordered pair once (the directed sum halved, NetworkX's undirected value).
    With ``sampling_size``, as in GDS, the sum over the sampled sources is returned without
    rescaling.

    Time ``O(S * depth * m)`` for ``S`` sources (``depth`` = BFS depth, or the largest hop count of
    a shortest path when weighted); memory ``O(n * B)`` (``O(m * B)`` weighted) per batch of
    ``B`` sources.

    References
    ----------
    U. Brandes, "A faster algorithm for betweenness centrality", Journal of Mathematical
    Sociology 25 (2001); GDS manual, Betweenness Centrality.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2], [1, 2, 3], orientation="UNDIRECTED")  # a path
    >>> betweenness_centrality(g).tolist()
    [0.0, 2.0, 2.0, 0.0]
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
            checkpoint()
            bc += _weighted_batch(graph, sources[start : start + size])
    else:
        at = counted_adjacency(graph, transpose=True)
        a = counted_adjacency(graph, transpose=False)
        for batch in source_batches(sources, n):
            checkpoint()
            bc += _unweighted_batch(graph, at, a, batch)
    if graph.orientation == "UNDIRECTED":
        bc /= 2.0
    return bc
