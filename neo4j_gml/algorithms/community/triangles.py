"""Triangle count and local clustering coefficient on the undirected view of a graph."""

from __future__ import annotations

from collections.abc import Iterator

import torch

from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.graph import Graph

# ``oriented``, ``has_arcs``, ``expand`` and ``triangle_chunks`` are building blocks that other
# counting modules share (graphlet orbits); the public functions are these:
__all__ = ["WEDGE_CHUNK", "local_clustering_coefficient", "simple_edges", "triangle_count"]

WEDGE_CHUNK = 1 << 23  # candidate wedges checked per step (bounds memory)


def simple_edges(graph: Graph) -> tuple[torch.Tensor, torch.Tensor]:
    """Distinct undirected edges ``u < v`` of the graph.

    Parameters
    ----------
    graph : Graph
        Any orientation; directions, self-loops and parallel relationships are dropped.

    Returns
    -------
    tuple of torch.Tensor
        ``(u, v)``: ``int64`` end positions with ``u < v``, sorted by ``(u, v)``.

    References
    ----------
    GDS manual, Triangle Count (the undirected simple graph it counts on).

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 1, 2, 3], [1, 0, 2, 2, 2])  # both ways, a loop, 3 -> 2
    >>> [t.tolist() for t in simple_edges(g)]
    [[0, 1, 2], [1, 2, 3]]
    """
    src, dst = graph.sources(), graph.indices
    lo, hi = torch.minimum(src, dst), torch.maximum(src, dst)
    keep = lo != hi
    n = max(graph.num_nodes, 1)
    key = torch.unique(lo[keep] * n + hi[keep])
    return key // n, key % n


def oriented(u: torch.Tensor, v: torch.Tensor, n: int) -> tuple[torch.Tensor, ...]:
    """The edges ``u < v`` oriented from the end of lower (degree, position) rank to the
    higher one, sorted: ``(a, b, keys, indptr, rank)`` with arcs ``a[i] -> b[i]``, their keys
    ``a * n + b`` (ascending), the CSR offsets of ``a`` and every node's rank. Every node then
    has ``O(sqrt(m))`` out-arcs (Schank and Wagner 2005)."""
    dev = u.device
    deg = torch.bincount(torch.cat([u, v]), minlength=n)
    rank = torch.empty(n, dtype=torch.long, device=dev)
    rank[torch.argsort(deg * n + torch.arange(n, device=dev))] = torch.arange(n, device=dev)
    flip = rank[u] > rank[v]
    a, b = torch.where(flip, v, u), torch.where(flip, u, v)
    keys, order = torch.sort(a * n + b)
    a, b = a[order], b[order]
    indptr = torch.zeros(n + 1, dtype=torch.long, device=dev)
    indptr[1:] = torch.cumsum(torch.bincount(a, minlength=n), 0)
    return a, b, keys, indptr, rank


def has_arcs(keys: torch.Tensor, want: torch.Tensor) -> torch.Tensor:
    """Whether each key of ``want`` is among the sorted ``keys``."""
    if keys.numel() == 0:
        return torch.zeros_like(want, dtype=torch.bool)
    at = torch.searchsorted(keys, want).clamp(max=keys.numel() - 1)
    return keys[at] == want


def expand(
    lengths: torch.Tensor, chunk: int
) -> Iterator[tuple[int, int, torch.Tensor, torch.Tensor]]:
    """Chunks of a ragged expansion: ``(start, stop, owner, offset)`` where row ``owner`` (an
    index in ``start:stop``) is repeated ``lengths[owner]`` times with ``offset`` running
    ``0..lengths[owner] - 1``; at most about ``chunk`` entries per step (a single longer row is
    one step)."""
    ends = torch.cumsum(lengths, 0)
    start, total = 0, lengths.numel()
    while start < total:
        checkpoint()  # a cancelled call stops between chunks
        base = int(ends[start - 1].item()) if start else 0
        stop = int(torch.searchsorted(ends, base + chunk, right=True).item())
        stop = max(stop, start + 1)
        reps = lengths[start:stop]
        owner = torch.repeat_interleave(torch.arange(start, stop, device=lengths.device), reps)
        offset = torch.arange(owner.numel(), device=lengths.device) - torch.repeat_interleave(
            torch.cumsum(reps, 0) - reps, reps
        )
        yield start, stop, owner, offset
        start = stop


def triangle_chunks(
    u: torch.Tensor, v: torch.Tensor, n: int
) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """Every triangle of the simple undirected edges ``u < v`` once, in chunks of at most
    :data:`WEDGE_CHUNK` checked wedges: ``(first, mid, last)`` with arcs ``first -> mid``,
    ``mid -> last`` and ``first -> last`` of the :func:`oriented` graph (so the three are in
    increasing rank). ``O(m^1.5 log m)`` work, the same on CPU and CUDA."""
    a, b, keys, indptr, _ = oriented(u, v, n)
    out_deg = indptr[1:] - indptr[:-1]
    for _, _, owner, offset in expand(out_deg[b], WEDGE_CHUNK):
        first, mid = a[owner], b[owner]
        last = b[indptr[mid] + offset]
        closed = has_arcs(keys, first * n + last)
        yield first[closed], mid[closed], last[closed]


def triangle_count(graph: Graph, *, max_degree: int | None = None) -> tuple[torch.Tensor, int]:
    """Number of triangles through every node, as ``nx.triangles`` on the undirected graph.

    Self-loops and parallel relationships do not make triangles.

    Parameters
    ----------
    graph : Graph
        Any orientation; directions are ignored.
    max_degree : int or None
        GDS's ``maxDegree``: a node whose degree is above it (degree as stored: parallel
        relationships and self-loops count, as GDS counts them) gets ``-1`` and is left out of
        the graph, so its triangles are not counted for anybody.

    Returns
    -------
    tuple
        ``(int64[n] counts, global triangle count)``.

    Notes
    -----
    Each edge is oriented from the endpoint of lower (degree, position) to the higher one, so
    every node has ``O(sqrt(m))`` out-arcs; every wedge ``u -> v -> w`` of two oriented arcs is
    checked for the closing arc ``u -> w`` by binary search in the sorted arc keys, and each
    closed wedge adds one triangle to ``u``, ``v`` and ``w``. ``O(m^1.5 log m)`` work in chunks
    of at most ``WEDGE_CHUNK`` wedges, the same on CPU and CUDA.

    References
    ----------
    T. Schank and D. Wagner, "Finding, counting and listing all triangles in large graphs, an
    experimental study", WEA 2005; GDS manual, Triangle Count.

    Examples
    --------
    >>> # a triangle with a pendant node
    >>> g = Graph.from_edges([0, 1, 2, 2], [1, 2, 0, 3], orientation="UNDIRECTED")
    >>> counts, total = triangle_count(g)
    >>> counts.tolist(), total
    ([1, 1, 1, 0], 1)
    >>> triangle_count(g, max_degree=2)[0].tolist()
    [0, 0, -1, 0]
    """
    n = graph.num_nodes
    dev = graph.device
    counts = torch.zeros(n, dtype=torch.long, device=dev)
    if n == 0:
        return counts, 0
    excluded = torch.zeros(n, dtype=torch.bool, device=dev)
    if max_degree is not None:
        degree = graph.out_degree()
        if graph.orientation != "UNDIRECTED":
            degree = degree + graph.in_degree()
        excluded = degree > max_degree
    u, v = simple_edges(graph)
    keep = ~(excluded[u] | excluded[v])
    for first, mid, last in triangle_chunks(u[keep], v[keep], n):
        for ends_of in (first, mid, last):
            counts.index_add_(0, ends_of, torch.ones_like(ends_of))
    total = int(counts.sum().item()) // 3
    counts[excluded] = -1
    return counts, total


def local_clustering_coefficient(
    graph: Graph, *, triangles: torch.Tensor | None = None
) -> tuple[torch.Tensor, float]:
    """Local clustering coefficient ``2 T(v) / (d(v) (d(v) - 1))``, as ``nx.clustering``.

    ``d(v)`` counts distinct neighbours other than ``v`` (self-loops and parallel relationships
    ignored). Nodes of degree < 2 get 0.

    Parameters
    ----------
    graph : Graph
        Any orientation; directions are ignored.
    triangles : torch.Tensor or None
        ``T(v)``, the triangles through every node; computed by :func:`triangle_count` unless
        given (e.g. from GDS's ``triangleCountProperty``).

    Returns
    -------
    tuple
        ``(float64[n] coefficients, average over all nodes)``, the average as
        ``nx.average_clustering`` (zeros included).

    References
    ----------
    D. J. Watts and S. H. Strogatz, "Collective dynamics of 'small-world' networks", Nature 393
    (1998); GDS manual, Local Clustering Coefficient.

    Examples
    --------
    >>> # a triangle with a pendant node
    >>> g = Graph.from_edges([0, 1, 2, 2], [1, 2, 0, 3], orientation="UNDIRECTED")
    >>> coefficients, average = local_clustering_coefficient(g)
    >>> coefficients.round(decimals=3).tolist(), round(average, 3)
    ([1.0, 1.0, 0.333, 0.0], 0.583)
    """
    n = graph.num_nodes
    if n == 0:
        return torch.zeros(0, dtype=torch.float64, device=graph.device), 0.0
    if triangles is None:
        triangles, _ = triangle_count(graph)
    u, v = simple_edges(graph)
    d = torch.bincount(torch.cat([u, v]), minlength=n).to(torch.float64)
    pairs = d * (d - 1)
    coef = torch.where(
        pairs > 0, 2 * triangles.to(torch.float64) / pairs.clamp(min=1), torch.zeros_like(d)
    )
    return coef, float(coef.mean().item())
