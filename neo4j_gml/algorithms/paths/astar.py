"""A* shortest path between two nodes, guided by the great-circle distance to the target, as
GDS's ``gds.shortestPath.astar`` computes it.

GDS runs its Dijkstra with a priority queue ordered by ``h(v) + g(v)``: ``g`` the cost so far
and ``h`` the haversine distance from ``v`` to the target in **nautical miles** (Earth radius
``6371 km * 0.539957``), whatever the unit of the weights. A node is settled once (no
re-opening), its predecessor changes only on a strictly cheaper relaxation, and the search stops
when the target leaves the queue. When ``h`` overestimates (weights in a smaller unit than
nautical miles) the path found need not be the cheapest; GDS returns it all the same, and so do
we. Equal priorities are broken exactly as GDS's binary heap (``HugeLongPriorityQueue``,
Lucene's heap with a strict ``lessThan``) breaks them: this module replays that heap, so the
settle order and the kept predecessor agree with GDS, not only the cost.

Parallel arcs: every arc is relaxed, so the cheapest one wins (the first of equal ones).
Self-loops change nothing.

Time ``O((n + m) log n)``, memory ``O(n + m)`` on the CPU (a CUDA graph is copied over).

References
----------
P. E. Hart, N. J. Nilsson, B. Raphael, "A formal basis for the heuristic determination of
minimum cost paths", IEEE Transactions on Systems Science and Cybernetics 4 (1968) 100-107.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch

from neo4j_gml.algorithms.paths.dijkstra import ShortestPaths
from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.graph import Graph, TensorLike

__all__ = ["EARTH_RADIUS_NM", "astar", "haversine_nm"]

#: GDS's Earth radius: 6371 km converted with ``KM_TO_NM = 0.539957``.
EARTH_RADIUS_NM = 6371 * 0.539957


def haversine_nm(
    latitude: np.ndarray, longitude: np.ndarray, target_latitude: float, target_longitude: float
) -> np.ndarray:
    """Great-circle distance in nautical miles from each point to one target (degrees in).

    The formula of GDS's ``AStar.HaversineHeuristic.distance``:
    ``a = sin²(Δφ/2) + sin²(Δλ/2)·cos φ₁·cos φ₂``, ``d = 2·R·asin(√a)`` with
    ``R = 6371 · 0.539957`` nautical miles.

    Parameters
    ----------
    latitude, longitude : numpy.ndarray
        ``float64`` coordinates in degrees.
    target_latitude, target_longitude : float
        The target's coordinates in degrees.

    Returns
    -------
    numpy.ndarray
        ``float64`` distances in nautical miles (NaN where a coordinate is NaN).

    References
    ----------
    R. W. Sinnott, "Virtues of the Haversine", Sky and Telescope 68 (1984) 159.

    Examples
    --------
    >>> round(float(haversine_nm(np.array([0.0]), np.array([0.0]), 0.0, 1.0)[0]), 3)
    60.04
    """
    lat = np.asarray(latitude, dtype=np.float64)
    lon = np.asarray(longitude, dtype=np.float64)
    d_lat = np.radians(target_latitude - lat)
    d_lon = np.radians(target_longitude - lon)
    s_lat, s_lon = np.sin(d_lat / 2), np.sin(d_lon / 2)
    a = s_lat * s_lat + s_lon * s_lon * np.cos(np.radians(lat)) * math.cos(
        math.radians(target_latitude)
    )
    with np.errstate(invalid="ignore"):
        return np.asarray(EARTH_RADIUS_NM * (2 * np.arcsin(np.sqrt(a))), dtype=np.float64)


def astar(
    graph: Graph,
    source: int,
    target: int,
    *,
    latitude: TensorLike,
    longitude: TensorLike,
) -> ShortestPaths:
    """The A* path from ``source`` to ``target`` with GDS's haversine heuristic.

    Parameters
    ----------
    graph : Graph
        The graph; its weights (or 1 per arc) must be finite and non-negative.
    source, target : int
        Positions of the start and end nodes.
    latitude, longitude : TensorLike
        ``[n]`` coordinates of every node in degrees (GDS's ``latitudeProperty`` and
        ``longitudeProperty``).

    Returns
    -------
    ShortestPaths
        ``cost`` and ``predecessor`` of the settled nodes (``inf`` and ``-1`` elsewhere: the
        search stops at the target) and ``settled``, the order nodes left the queue, the target
        last when reached. ``path_to(result, target)`` is GDS's single row (``nodeIds``,
        ``costs``), or None when ``target`` is unreachable (GDS yields no row).

    Raises
    ------
    ValueError
        A position outside ``0..n-1``, coordinates of the wrong length, or a negative or
        non-finite weight.

    References
    ----------
    P. E. Hart, N. J. Nilsson, B. Raphael, "A formal basis for the heuristic determination of
    minimum cost paths", IEEE Trans. Systems Science and Cybernetics 4 (1968) 100-107.

    Examples
    --------
    GDS's documented example (stations in London, distances in km):

    >>> from neo4j_gml.algorithms.paths.dijkstra import path_to
    >>> lat = [51.5308, 51.5282, 51.5392, 51.5342, 51.5507]
    >>> lon = [-0.1238, -0.1337, -0.1426, -0.1387, -0.1402]
    >>> g = Graph.from_edges([0, 1, 1, 3, 2], [1, 2, 3, 2, 4], [0.7, 1.3, 0.7, 0.6, 1.3])
    >>> path_to(astar(g, 0, 4, latitude=lat, longitude=lon), 4)
    ([0, 1, 2, 4], [0.0, 0.7, 2.0, 3.3])
    """
    n = graph.num_nodes
    for name, node in (("source", source), ("target", target)):
        if not 0 <= node < n:
            raise ValueError(f"{name} {node} is not a node position in [0, {n})")
    lat = np.asarray(torch.as_tensor(latitude).detach().cpu(), dtype=np.float64).reshape(-1)
    lon = np.asarray(torch.as_tensor(longitude).detach().cpu(), dtype=np.float64).reshape(-1)
    if lat.size != n or lon.size != n:
        raise ValueError(f"latitude and longitude must have one value per node ({n})")
    indptr, indices, weights = csr_arrays(graph, "A*")
    heuristic = haversine_nm(lat, lon, float(lat[target]), float(lon[target]))
    search = gds_search(indptr, indices, weights, source, target, heuristic=heuristic)
    cost = np.full(n, math.inf)
    predecessor = np.full(n, -1, dtype=np.int64)
    settled = np.asarray(search.settled, dtype=np.int64)
    cost[settled] = search.cost[settled]
    predecessor[settled] = search.predecessor[settled]
    predecessor[source] = -1
    return ShortestPaths(source, cost, predecessor, settled)


# ---------------------------------------------------------------------------- shared with yens


def csr_arrays(graph: Graph, what: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``indptr``, ``indices`` and float64 ``weights`` (1 when unweighted) as numpy arrays,
    the weights checked finite and non-negative (GDS's Dijkstra family needs that)."""
    indptr = graph.indptr.cpu().numpy()
    indices = graph.indices.cpu().numpy()
    if graph.weights is None:
        weights = np.ones(indices.size)
    else:
        weights = graph.weights.detach().cpu().to(torch.float64).numpy()
        if weights.size and (not np.isfinite(weights).all() or weights.min() < 0):
            raise ValueError(f"{what} needs finite, non-negative relationship weights")
    return indptr, indices, weights


class _Search:
    """What one :func:`gds_search` run leaves behind (GDS's Dijkstra state)."""

    __slots__ = ("arc", "cost", "found", "predecessor", "settled")

    def __init__(self, n: int) -> None:
        self.cost = np.zeros(n)  # GDS's costValues: the latest cost a node was queued with
        self.predecessor = np.full(n, -1, dtype=np.int64)
        self.arc = np.full(n, -1, dtype=np.int64)  # offset of the arc in its source's list
        self.settled: list[int] = []
        self.found = False

    def path(self, start: int, target: int) -> tuple[list[int], list[float], list[int]]:
        """Nodes, costs and arc offsets from ``start`` to ``target`` along the predecessors."""
        nodes, arcs = [target], []
        while nodes[-1] != start:
            arcs.append(int(self.arc[nodes[-1]]))
            nodes.append(int(self.predecessor[nodes[-1]]))
        nodes.reverse()
        arcs.reverse()
        return nodes, [float(self.cost[v]) for v in nodes], arcs


def gds_search(
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    source: int,
    target: int,
    *,
    heuristic: np.ndarray | None = None,
    visited: list[int] | None = None,
    arc_filter: Callable[[int, int, int], bool] | None = None,
) -> _Search:
    """GDS's ``Dijkstra`` with a ``SingleTarget``, replayed step for step.

    Its queue is ``HugeLongPriorityQueue`` (a 1-based binary heap with an element-to-slot map,
    strict ``lessThan`` on ``cost`` or on ``h + cost``, decrease-key by sifting up), so equal
    priorities leave it in the same order as in GDS. ``visited`` nodes are never entered (Yen's
    root path); ``arc_filter(u, v, offset)`` drops arcs (Yen's blocked arcs), ``offset`` being
    the arc's index in ``u``'s adjacency list, as GDS's relationship id.
    """
    n = indptr.size - 1
    state = _Search(n)
    cost = state.cost
    key = cost if heuristic is None else np.zeros(n)  # the heap's priority
    h = heuristic
    done = np.zeros(n, dtype=bool)
    if visited:
        done[visited] = True
    slot = [0] * n  # 0: not in the heap
    heap = [0]  # heap[1..size]

    def up(i: int) -> int:
        node = heap[i]
        k = key[node]
        j = i >> 1
        while j > 0 and k < key[heap[j]]:
            heap[i] = heap[j]
            slot[heap[i]] = i
            i = j
            j >>= 1
        heap[i] = node
        slot[node] = i
        return i

    def down(i: int) -> None:
        size = len(heap) - 1
        node = heap[i]
        k = key[node]
        j = i << 1
        if j + 1 <= size and key[heap[j + 1]] < key[heap[j]]:
            j += 1
        while j <= size and key[heap[j]] < k:
            heap[i] = heap[j]
            slot[heap[i]] = i
            i = j
            j = i << 1
            if j + 1 <= size and key[heap[j + 1]] < key[heap[j]]:
                j += 1
        heap[i] = node
        slot[node] = i

    def push(node: int, value: float) -> None:
        cost[node] = value
        if h is not None:
            key[node] = h[node] + value
        heap.append(node)
        up(len(heap) - 1)

    def decrease(node: int, value: float) -> None:
        cost[node] = value
        if h is not None:
            key[node] = h[node] + value
        pos = slot[node]
        if up(pos) == pos and pos < len(heap) - 1:
            down(pos)

    def pop() -> int:
        top = heap[1]
        last = heap.pop()
        if len(heap) > 1:
            heap[1] = last
            slot[last] = 1
            down(1)
        slot[top] = 0
        return top

    predecessor, arc, settled = state.predecessor, state.arc, state.settled
    push(source, 0.0)
    while len(heap) > 1:
        node = pop()
        here = float(cost[node])
        done[node] = True
        settled.append(node)
        if len(settled) % 65536 == 0:
            checkpoint()
        lo, hi = int(indptr[node]), int(indptr[node + 1])
        for offset, (there, weight) in enumerate(
            zip(indices[lo:hi].tolist(), weights[lo:hi].tolist(), strict=True)
        ):
            if arc_filter is not None and not arc_filter(node, there, offset):
                continue
            if done[there]:
                continue
            total = weight + here
            if slot[there] == 0:
                push(there, total)
            elif total < cost[there]:
                decrease(there, total)
            else:
                continue
            predecessor[there] = node
            arc[there] = offset
        if node == target:
            state.found = True
            break
    return state
