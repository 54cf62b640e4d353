"""Dijkstra's shortest paths from one source: costs, predecessors and the order nodes settle.

A binary-heap Dijkstra over the graph's CSR arrays (the node order GDS yields single-source
rows in is the order nodes leave the queue). When every weight is positive the same answer is
computed from SciPy's distances (C speed; see ``_positive``); zero weights take the heap. Ties are broken deterministically: among queue entries of equal
cost the node at the smaller position leaves first, and a node's predecessor changes only when
a strictly cheaper path reaches it, so the first-settled of several equal-cost predecessors is
kept. Parallel arcs count with their cheapest weight. Unweighted graphs use weight 1.

Time ``O((n + m) log n)``, memory ``O(n + m)`` on the CPU (a CUDA graph is copied over).

References
----------
E. W. Dijkstra, "A note on two problems in connexion with graphs", Numerische Mathematik 1
(1959) 269-271.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import torch

from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.graph import Graph

__all__ = ["ShortestPaths", "dijkstra", "path_to"]


@dataclass(frozen=True)
class ShortestPaths:
    """What :func:`dijkstra` found from ``source`` (positions ``0..n-1``).

    ``cost[v]``: the cheapest total cost to ``v`` (``inf``: not reached); ``predecessor[v]``:
    the node before ``v`` on that path (``-1`` for the source and unreached nodes);
    ``settled``: the reached nodes in the order they left the queue, the source first.
    """

    source: int
    cost: np.ndarray
    predecessor: np.ndarray
    settled: np.ndarray


def dijkstra(graph: Graph, source: int, *, targets: Iterable[int] | None = None) -> ShortestPaths:
    """Shortest paths from ``source`` along the arcs of ``graph`` (weights as costs).

    Parameters
    ----------
    graph : Graph
        The graph; its weights (or 1 per arc) must be finite and non-negative.
    source : int
        Position of the start node.
    targets : Iterable[int] or None
        Stop once all of these positions have settled (None: settle every reachable node).

    Returns
    -------
    ShortestPaths
        Costs, predecessors and the settle order.

    Raises
    ------
    ValueError
        ``source`` or a target outside ``0..n-1``, or a negative or non-finite weight.

    References
    ----------
    E. W. Dijkstra, "A note on two problems in connexion with graphs", Numerische Mathematik
    1 (1959) 269-271.

    Examples
    --------
    >>> g = Graph.from_edges([0, 0, 1], [1, 2, 2], [1.0, 5.0, 1.0])
    >>> found = dijkstra(g, 0)
    >>> found.cost.tolist(), found.settled.tolist(), path_to(found, 2)
    ([0.0, 1.0, 2.0], [0, 1, 2], ([0, 1, 2], [0.0, 1.0, 2.0]))
    """
    n = graph.num_nodes
    if not 0 <= source < n:
        raise ValueError(f"source {source} is not a node position in [0, {n})")
    wanted = set() if targets is None else {int(t) for t in targets}
    for t in wanted:
        if not 0 <= t < n:
            raise ValueError(f"target {t} is not a node position in [0, {n})")
    indptr = graph.indptr.cpu().numpy()
    indices = graph.indices.cpu().numpy()
    if graph.weights is None:
        weights = np.ones(indices.size)
    else:
        weights = graph.weights.detach().cpu().to(torch.float64).numpy()
        if weights.size and (not np.isfinite(weights).all() or weights.min() < 0):
            raise ValueError("Dijkstra needs finite, non-negative relationship weights")
    if not weights.size or weights.min() > 0:
        return _positive(n, indptr, indices, weights, source, wanted)
    return _heap(n, indptr, indices, weights, source, wanted)


def _heap(
    n: int,
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    source: int,
    wanted: set[int],
) -> ShortestPaths:
    """The binary-heap Dijkstra (any non-negative weights, zeros included)."""
    cost = np.full(n, math.inf)
    predecessor = np.full(n, -1, dtype=np.int64)
    done = np.zeros(n, dtype=bool)
    settled: list[int] = []
    cost[source] = 0.0
    queue: list[tuple[float, int]] = [(0.0, source)]
    remaining = len(wanted)
    while queue:
        here_cost, here = heapq.heappop(queue)
        if done[here]:
            continue
        done[here] = True
        settled.append(here)
        if len(settled) % 65536 == 0:
            checkpoint()
        if here in wanted:
            remaining -= 1
            if remaining == 0:
                break
        lo, hi = indptr[here], indptr[here + 1]
        for there, weight in zip(indices[lo:hi].tolist(), weights[lo:hi].tolist(), strict=True):
            if done[there]:
                continue
            total = here_cost + weight
            if total < cost[there]:
                cost[there] = total
                predecessor[there] = here
                heapq.heappush(queue, (total, there))
    return ShortestPaths(source, cost, predecessor, np.asarray(settled, dtype=np.int64))


def _positive(
    n: int,
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    source: int,
    wanted: set[int],
) -> ShortestPaths:
    """The heap's answer, computed in C (SciPy) when every weight is positive.

    Then every node of cost ``c`` is queued before the first of them leaves the queue (its
    predecessor costs less), so the settle order is by (cost, position), as the heap's
    ``(cost, node)`` entries pop; and the kept predecessor of ``v`` is, among the nodes ``u``
    with ``cost[u] + w(u, v) == cost[v]``, the first settled (a later equal relaxation does not
    replace it). Costs are the same float sums, so the equality is exact."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra as scipy_dijkstra

    sources = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    key = sources * max(n, 1) + indices
    if key.size > 1 and bool((key[1:] < key[:-1]).any()):  # a graph not sorted by (u, v)
        order = np.argsort(key, kind="stable")
        sources, indices, weights = sources[order], indices[order], weights[order]
    # parallel arcs: the cheapest (csr_matrix would add them up); arcs are sorted by (u, v)
    if indices.size:
        first = np.ones(indices.size, dtype=bool)
        first[1:] = (sources[1:] != sources[:-1]) | (indices[1:] != indices[:-1])
        starts = np.flatnonzero(first)
        cheapest = np.minimum.reduceat(weights, starts)
        rows, cols = sources[starts], indices[starts]
    else:
        cheapest = weights
        rows = cols = indices
    matrix = csr_matrix((cheapest, (rows, cols)), shape=(n, n))
    checkpoint()
    cost = np.asarray(scipy_dijkstra(matrix, directed=True, indices=source), dtype=np.float64)
    reached = np.flatnonzero(np.isfinite(cost))
    settled = reached[np.lexsort((reached, cost[reached]))]
    if wanted:
        rank_in = {int(v): i for i, v in enumerate(settled) if int(v) in wanted}
        if len(rank_in) == len(wanted):
            settled = settled[: max(rank_in.values()) + 1]
    rank = np.full(n, n, dtype=np.int64)
    rank[settled] = np.arange(settled.size)
    tight = (cost[rows] + cheapest == cost[cols]) & (rank[rows] < n) & (cols != source)
    u, v = rows[tight], cols[tight]
    order = np.lexsort((rank[u], v))
    u, v = u[order], v[order]
    first_of_v = np.ones(v.size, dtype=bool)
    first_of_v[1:] = v[1:] != v[:-1]
    predecessor = np.full(n, -1, dtype=np.int64)
    predecessor[v[first_of_v]] = u[first_of_v]
    return ShortestPaths(source, cost, predecessor, settled)


def path_to(paths: ShortestPaths, target: int) -> tuple[list[int], list[float]] | None:
    """The cheapest path from the source to ``target``, read back along the predecessors.

    Parameters
    ----------
    paths : ShortestPaths
        What :func:`dijkstra` found.
    target : int
        Position of the end node.

    Returns
    -------
    tuple[list[int], list[float]] or None
        The node positions of the path (source first) and the cumulative cost at each of them
        (``0.0`` first, as GDS's ``costs``), or None when ``target`` was not reached.
        ``O(path length)``.

    References
    ----------
    T. H. Cormen et al., *Introduction to Algorithms*, 3rd ed., section 24.1 (predecessor
    subgraphs), MIT Press, 2009.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1], [1, 2], [2.0, 0.5], num_nodes=4)
    >>> path_to(dijkstra(g, 0), 2), path_to(dijkstra(g, 0), 3)
    (([0, 1, 2], [0.0, 2.0, 2.5]), None)
    """
    if not math.isfinite(paths.cost[target]):
        return None
    nodes = [int(target)]
    while nodes[-1] != paths.source:
        nodes.append(int(paths.predecessor[nodes[-1]]))
    nodes.reverse()
    return nodes, [float(paths.cost[v]) for v in nodes]
