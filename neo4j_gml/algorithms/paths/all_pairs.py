"""Shortest-path distances between all pairs of nodes, as GDS's ``gds.allShortestPaths.stream``.

GDS picks one of two algorithms: without ``relationshipWeightProperty`` a multi-source BFS
(``MSBFSAllShortestPaths``: hop counts), with it a Dijkstra from every node
(``WeightedAllShortestPaths``). They yield different pairs:

* unweighted: every ``(source, target)`` with ``target`` reachable from ``source`` in at least
  one hop and ``target != source``; a node never gets a row to itself, not even on a cycle;
* weighted: every reachable pair *and* ``(source, source, 0.0)`` for every node.

Neither yields unreachable pairs: GDS's documentation says they come back as ``Infinity``, but
the BFS never reports them and the weighted stream filters them out. Rows here are ordered by
source, then target (GDS's order is that of its worker threads). Parallel arcs count with their
smallest weight; self-loops change nothing.

The CPU back end is SciPy's C shortest paths (BFS or Dijkstra) over blocks of sources, so only
``block x n`` distances are held besides the rows. A graph on a CUDA device takes a batched BFS
in torch when unweighted (frontier matrix times the adjacency, one product per level) and a
batched delta-stepping when weighted (a block of sources relaxed together).
Time ``O(n (n + m))`` (``O(n (n + m) log n)`` weighted); the rows take ``24`` bytes per
reachable pair: :func:`all_pairs_bytes` bounds the memory before running.

References
----------
M. Then et al., "The More the Merrier: Efficient Multi-Source Graph Traversal", PVLDB 8(4)
(2014) 449-460; E. W. Dijkstra, "A note on two problems in connexion with graphs",
Numerische Mathematik 1 (1959) 269-271.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.errors import ParameterError
from neo4j_gml.core.graph import Graph

__all__ = ["AllPairs", "all_pairs", "all_pairs_bytes"]

# distances held per block of sources (block x n float64)
_BLOCK_BYTES = 64 * 2**20


@dataclass(frozen=True)
class AllPairs:
    """The rows of :func:`all_pairs`: ``source``, ``target`` (``int64`` positions) and
    ``distance`` (``float64``), one entry per row, ordered by source then target."""

    source: np.ndarray
    target: np.ndarray
    distance: np.ndarray


def all_pairs_bytes(n: int) -> int:
    """An upper bound of the memory :func:`all_pairs` needs on ``n`` nodes, in bytes.

    Every ordered pair may be a row (``int64`` source and target, ``float64`` distance: 24
    bytes), plus one block of source distances (at most 64 MiB) and its temporaries. A procedure
    compares it with the memory it may use before reading a large graph.

    Parameters
    ----------
    n : int
        Number of nodes.

    Returns
    -------
    int
        Bytes.

    Raises
    ------
    ParameterError
        ``n`` is negative.

    References
    ----------
    Neo4j Graph Data Science, memory estimation (``gds.allShortestPaths`` streams its
    ``n^2`` rows through a queue instead of holding them).

    Examples
    --------
    >>> all_pairs_bytes(1000)
    40000000
    >>> all_pairs_bytes(10**6) // 2**40  # TiB: refuse
    21
    """
    if n < 0:
        raise ParameterError("n", f"must be at least 0, got {n}")
    return 24 * n * n + 2 * min(8 * n * n, _BLOCK_BYTES)


def _block_size(n: int) -> int:
    return max(1, min(n, _BLOCK_BYTES // max(8 * n, 1)))


def _rows(sources: np.ndarray, dist: np.ndarray, include_self: bool) -> tuple[np.ndarray, ...]:
    """The finite entries of ``dist`` (one row per source) as rows, self pairs optional."""
    finite = np.isfinite(dist)
    if not include_self:
        finite[np.arange(sources.size), sources] = False
    r, c = np.nonzero(finite)
    return sources[r], c.astype(np.int64), dist[r, c].astype(np.float64)


def all_pairs(graph: Graph) -> AllPairs:
    """Distances between all ordered pairs of reachable nodes, as GDS streams them.

    Weighted when ``graph`` has weights (GDS: ``relationshipWeightProperty`` given): Dijkstra
    from every node, self pairs included with 0; otherwise hop counts by BFS, self pairs left
    out. Unreachable pairs are not listed (see the module notes).

    Parameters
    ----------
    graph : Graph
        The graph; weights must be non-negative (``0`` allowed).

    Returns
    -------
    AllPairs
        The rows, ordered by source then target.

    Raises
    ------
    ParameterError
        A negative or NaN weight.

    References
    ----------
    M. Then et al., "The More the Merrier: Efficient Multi-Source Graph Traversal", PVLDB
    8(4) (2014) 449-460; Neo4j Graph Data Science, ``gds.allShortestPaths.stream``.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1], [1, 2], num_nodes=3)
    >>> found = all_pairs(g)
    >>> found.source.tolist(), found.target.tolist(), found.distance.tolist()
    ([0, 0, 1], [1, 2, 2], [1.0, 2.0, 1.0])
    >>> weighted = all_pairs(Graph.from_edges([0, 1], [1, 2], [0.5, 2.0]))
    >>> list(zip(weighted.source.tolist(), weighted.target.tolist(), weighted.distance.tolist()))
    [(0, 0, 0.0), (0, 1, 0.5), (0, 2, 2.5), (1, 1, 0.0), (1, 2, 2.0), (2, 2, 0.0)]
    """
    weighted = graph.weights is not None
    if weighted:
        assert graph.weights is not None
        w = graph.weights.detach()
        if w.numel() and (bool(torch.isnan(w).any()) or float(w.min()) < 0):
            raise ParameterError("weights", "must be non-negative numbers")
    if graph.device.type != "cpu":
        return _delta_torch(graph) if weighted else _bfs_torch(graph)
    return _scipy(graph, weighted)


def _delta_torch(graph: Graph) -> AllPairs:
    """Weighted, on the graph's device: delta-stepping from a block of sources at once (one
    frontier tensor per block, see :func:`~neo4j_gml.algorithms.paths.delta.multi_source_delta_stepping`),
    bucket width the mean arc weight (any width gives the same costs)."""
    from neo4j_gml.algorithms.paths.delta import multi_source_delta_stepping

    n = graph.num_nodes
    assert graph.weights is not None
    positive = graph.weights[graph.weights > 0]
    delta = float(positive.mean()) if positive.numel() else 1.0
    parts: list[tuple[np.ndarray, ...]] = []
    block = _block_size(n)
    for start in range(0, n, block):
        checkpoint()
        sources = torch.arange(start, min(n, start + block), device=graph.device)
        dist, _ = multi_source_delta_stepping(graph, sources, delta=delta)
        parts.append(_rows(sources.cpu().numpy(), dist.cpu().numpy(), True))
    return _concat(parts)


def _matrix(graph: Graph, weighted: bool) -> object:
    """The graph as a SciPy CSR matrix: self-loops dropped, parallel arcs merged (cheapest)."""
    from scipy.sparse import csr_matrix

    n = graph.num_nodes
    rows = graph.sources().cpu().numpy()
    cols = graph.indices.cpu().numpy()
    if weighted:
        assert graph.weights is not None
        vals = graph.weights.detach().cpu().to(torch.float64).numpy()
    else:
        vals = np.ones(cols.size)
    keep = rows != cols
    rows, cols, vals = rows[keep], cols[keep], vals[keep]
    key = rows * max(n, 1) + cols
    order = np.lexsort((vals, key))
    key, vals = key[order], vals[order]
    first = np.ones(key.size, dtype=bool)
    first[1:] = key[1:] != key[:-1]
    key, vals = key[first], vals[first]  # the cheapest of each (u, v)
    return csr_matrix((vals, (key // max(n, 1), key % max(n, 1))), shape=(n, n))


def _scipy(graph: Graph, weighted: bool) -> AllPairs:
    from scipy.sparse.csgraph import shortest_path

    n = graph.num_nodes
    matrix = _matrix(graph, weighted)
    parts: list[tuple[np.ndarray, ...]] = []
    block = _block_size(n)
    for start in range(0, n, block):
        checkpoint()
        sources = np.arange(start, min(n, start + block), dtype=np.int64)
        dist = shortest_path(
            matrix, method="D", directed=True, unweighted=not weighted, indices=sources
        )
        parts.append(_rows(sources, np.asarray(dist, dtype=np.float64), weighted))
    return _concat(parts)


def _bfs_torch(graph: Graph) -> AllPairs:
    """Unweighted: BFS from a block of sources at once on the graph's device.

    The frontier is a dense ``block x n`` 0/1 matrix; one level is ``frontier @ A`` with the
    sparse adjacency ``A`` (parallel arcs and self-loops do no harm: only ``> 0`` matters)."""
    n = graph.num_nodes
    device = graph.device
    adjacency_t = torch.sparse_coo_tensor(  # A^T, so that next^T = A^T @ frontier^T
        torch.stack([graph.indices, graph.sources()]),
        torch.ones(graph.num_arcs, device=device),
        size=(n, n),
        check_invariants=False,
    ).coalesce()
    parts: list[tuple[np.ndarray, ...]] = []
    block = _block_size(n)
    for start in range(0, n, block):
        sources = torch.arange(start, min(n, start + block), device=device)
        b = sources.numel()
        dist = torch.full((n, b), float("inf"), dtype=torch.float64, device=device)
        frontier = torch.zeros((n, b), device=device)
        frontier[sources, torch.arange(b, device=device)] = 1.0
        seen = frontier > 0
        dist[seen] = 0.0
        level = 0
        while True:
            checkpoint()
            level += 1
            reached = torch.sparse.mm(adjacency_t, frontier) > 0
            new = reached & ~seen
            if not bool(new.any()):
                break
            dist[new] = float(level)
            seen |= new
            frontier = new.to(frontier.dtype)
        parts.append(_rows(sources.cpu().numpy(), dist.t().cpu().numpy(), False))
    return _concat(parts)


def _concat(parts: list[tuple[np.ndarray, ...]]) -> AllPairs:
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return AllPairs(empty, empty.copy(), np.zeros(0))
    return AllPairs(*(np.concatenate([p[i] for p in parts]) for i in range(3)))
