"""Bellman-Ford shortest paths from one source with negative weights allowed, and the negative
cycles it runs into, as GDS's ``gds.bellmanFord`` reports them.

What GDS streams (``BellmanFord``, ``BellmanFordResultBuilderForStreamMode``):

* no negative cycle reached: one row per reached node, the source included (``[source]``,
  ``[0.0]``), in ascending node order with ``index`` 0, 1, ... (``concurrency = 1``; with more
  threads the partitions interleave and the indices have gaps), the path read back along the
  predecessors, ``costs`` the distances of its nodes, ``isNegativeCycle = false``;
* a negative cycle reached: **no paths**, only the cycles, ``isNegativeCycle = true``. A node
  is a cycle vertex when it comes up for relaxation with a path length (nodes, the source
  counting 1) of at least ``n + 1``; it is then recorded and not relaxed. From each recorded
  vertex ``v`` GDS walks the predecessors back until it returns to ``v`` (dropped when that
  takes ``n + 1`` steps: ``v`` hangs off a cycle without being on it). The row's ``nodeIds``
  are ``[v, ..., v]`` in arc order, ``costs[0] = 0``, ``costs[1]`` the cheapest arc from
  ``v`` to the next node, and then ``costs[j] = costs[j-1] + (d[node_j] - d[node_{j-1}])``
  with the final tentative distances ``d`` (so the total is GDS's, not necessarily the
  cycle's weight); ``sourceNode = targetNode = v``; ``index`` counts the rows kept.
  ``containsNegativeCycle`` is true as soon as one vertex was recorded, even if every row was
  dropped.

GDS relaxes a shared frontier on several threads with thread-local LIFO queues, so which
equal-cost predecessor it keeps and which cycle vertices it records vary with its scheduling.
We relax in synchronous rounds (Jacobi order), vectorised with numpy: in round ``r`` every
frontier node relaxes its arcs with the distances from before the round; a node improves when
its best candidate is strictly cheaper, keeping as predecessor the smallest position among the
arcs that give that candidate; the nodes that improved form the next frontier, in ascending
order. A frontier node's path length is then ``r + 1``, so a reachable negative cycle is found
in round ``n`` and every node of that frontier is recorded (ascending). This matches GDS's
test expectations (one row per cycle on its ``MultipleNegativeCycles`` and ``Loopy`` graphs,
and the documentation's ``G, H, I, G`` row). Distances, when no negative cycle is reachable,
are the exact float64 fixed point (the least over paths of the left-to-right sums), whatever
the order; :func:`_bellman_ford_reference` is the same rounds written as plain loops.

One GDS quirk not replicated: a predecessor walk that reaches the source (predecessor -1)
makes GDS read index -1 and fail; we drop that row.

Time ``O(n m)`` at worst (``O(m log m)`` per round), memory ``O(n + m)``; CPU (a CUDA graph's
arrays are copied over).

References
----------
R. Bellman, "On a routing problem", Quarterly of Applied Mathematics 16 (1958) 87-90.
E. F. Moore, "The shortest path through a maze", Proc. Int. Symp. Theory of Switching (1959).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from neo4j_gml.algorithms.paths.dijkstra import ShortestPaths
from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.graph import Graph

__all__ = ["BellmanFordResult", "bellman_ford"]


@dataclass(frozen=True)
class BellmanFordResult:
    """What :func:`bellman_ford` found from ``paths.source``.

    ``paths``: distances (``inf``: unreached), predecessors (``-1`` for the source and
    unreached nodes) and, as ``settled``, the reached nodes in GDS's row order (ascending).
    When ``contains_negative_cycle`` the distances are the last tentative ones and the
    predecessors may form cycles: GDS then streams ``negative_cycles`` (node positions,
    costs) instead of paths. ``cycle_vertices``: the recorded cycle vertices, in order.
    """

    paths: ShortestPaths
    negative_cycles: list[tuple[list[int], list[float]]]
    cycle_vertices: np.ndarray
    contains_negative_cycle: bool


def bellman_ford(graph: Graph, source: int) -> BellmanFordResult:
    """Shortest paths from ``source`` with any finite weights, or the negative cycles met.

    Parameters
    ----------
    graph : Graph
        The graph; its weights (or 1 per arc) must be finite, negative ones allowed.
    source : int
        Position of the start node.

    Returns
    -------
    BellmanFordResult
        Distances, predecessors, GDS's row order, and the negative cycles as GDS reports them.

    Raises
    ------
    ValueError
        ``source`` outside ``0..n-1`` or a non-finite weight.

    References
    ----------
    R. Bellman, "On a routing problem", Quarterly of Applied Mathematics 16 (1958) 87-90.

    Examples
    --------
    GDS's documented example, from ``A`` (no cycle reached) and from ``G`` (cycle G-H-I):

    >>> from neo4j_gml.algorithms.paths.dijkstra import path_to
    >>> g = Graph.from_edges([0, 0, 0, 1, 2, 2, 3, 3, 4, 6, 7, 8],
    ...                      [1, 2, 3, 3, 3, 4, 4, 5, 5, 7, 8, 6],
    ...                      [50, -50, 100, 40, 40, 80, 30, 80, 40, 40, -60, 10])
    >>> found = bellman_ford(g, 0)
    >>> found.contains_negative_cycle, path_to(found.paths, 5)
    (False, ([0, 2, 3, 4, 5], [0.0, -50.0, -10.0, 20.0, 60.0]))
    >>> bellman_ford(g, 6).negative_cycles
    [([6, 7, 8, 6], [0.0, 40.0, -20.0, -10.0])]
    """
    n = graph.num_nodes
    if not 0 <= source < n:
        raise ValueError(f"source {source} is not a node position in [0, {n})")
    indptr, indices, weights = _arrays(graph)
    cost, predecessor, vertices = _rounds(n, indptr, indices, weights, source)
    return _result(n, indptr, indices, weights, source, cost, predecessor, vertices)


def _arrays(graph: Graph) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    indptr = graph.indptr.cpu().numpy().astype(np.int64)
    indices = graph.indices.cpu().numpy().astype(np.int64)
    if graph.weights is None:
        weights = np.ones(indices.size)
    else:
        weights = graph.weights.detach().cpu().to(torch.float64).numpy()
        if weights.size and not np.isfinite(weights).all():
            raise ValueError("Bellman-Ford needs finite relationship weights")
    return indptr, indices, weights


def _rounds(
    n: int, indptr: np.ndarray, indices: np.ndarray, weights: np.ndarray, source: int
) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """The synchronous rounds, vectorised: distances, predecessors, recorded cycle vertices."""
    cost = np.full(n, math.inf)
    predecessor = np.full(n, -1, dtype=np.int64)
    cost[source] = 0.0
    frontier = np.asarray([source], dtype=np.int64)
    vertices: list[int] = []
    rounds = 0
    while frontier.size:
        checkpoint()
        if rounds >= n:  # path length rounds + 1 >= n + 1: GDS's lengthBound
            vertices.extend(frontier.tolist())
            break
        rounds += 1
        starts, counts = indptr[frontier], indptr[frontier + 1] - indptr[frontier]
        total = int(counts.sum())
        if total == 0:
            break
        arcs = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(total)
        u = np.repeat(frontier, counts)
        v = indices[arcs]
        candidate = cost[u] + weights[arcs]
        better = candidate < cost[v]
        u, v, candidate = u[better], v[better], candidate[better]
        if not v.size:
            break
        order = np.lexsort((u, candidate, v))  # per target: cheapest, then smallest source
        u, v, candidate = u[order], v[order], candidate[order]
        first = np.ones(v.size, dtype=bool)
        first[1:] = v[1:] != v[:-1]
        frontier = v[first]
        cost[frontier] = candidate[first]
        predecessor[frontier] = u[first]
    return cost, predecessor, vertices


def _bellman_ford_reference(
    n: int, indptr: np.ndarray, indices: np.ndarray, weights: np.ndarray, source: int
) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """:func:`_rounds` as plain loops (the tests' reference for the vectorised rounds)."""
    cost = [math.inf] * n
    predecessor = [-1] * n
    cost[source] = 0.0
    frontier = [source]
    vertices: list[int] = []
    for rounds in range(n + 1):
        if not frontier:
            break
        if rounds == n:
            vertices.extend(frontier)
            break
        snapshot = list(cost)
        best: dict[int, tuple[float, int]] = {}
        for u in frontier:
            for a in range(int(indptr[u]), int(indptr[u + 1])):
                v, c = int(indices[a]), snapshot[u] + float(weights[a])
                if c < snapshot[v] and (v not in best or (c, u) < best[v]):
                    best[v] = (c, u)
        for v, (c, u) in best.items():
            cost[v], predecessor[v] = c, u
        frontier = sorted(best)
    return np.asarray(cost), np.asarray(predecessor, dtype=np.int64), vertices


def _result(
    n: int,
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    source: int,
    cost: np.ndarray,
    predecessor: np.ndarray,
    vertices: list[int],
) -> BellmanFordResult:
    cycles: list[tuple[list[int], list[float]]] = []
    for start in vertices:
        walk = [start]
        current = int(predecessor[start])
        steps, kept = 0, True
        while current != start:
            if current < 0:  # reached the source: GDS fails here; we drop the row
                kept = False
                break
            walk.append(current)
            current = int(predecessor[current])
            steps += 1
            if steps == n + 1:
                kept = False
                break
        if not kept:
            continue
        nodes = [start, *reversed(walk[1:]), start]
        lo, hi = int(indptr[start]), int(indptr[start + 1])
        to_next = weights[lo:hi][indices[lo:hi] == nodes[1]]
        costs = [0.0, float(to_next.min()) if to_next.size else float(np.finfo(np.float64).max)]
        for j in range(2, len(nodes)):
            costs.append(costs[-1] + (float(cost[nodes[j]]) - float(cost[nodes[j - 1]])))
        cycles.append((nodes, costs))
    reached = np.flatnonzero(np.isfinite(cost)).astype(np.int64)
    paths = ShortestPaths(source, cost, predecessor, reached)
    return BellmanFordResult(paths, cycles, np.asarray(vertices, dtype=np.int64), bool(vertices))
