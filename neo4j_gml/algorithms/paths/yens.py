"""Yen's k shortest loopless paths between two nodes, in the order GDS's
``gds.shortestPath.yens`` yields them.

GDS's algorithm, replayed with ``concurrency = 1``:

* the first path is GDS's Dijkstra from ``source`` to ``target`` (its binary heap's tie order,
  see :func:`neo4j_gml.algorithms.paths.astar.gds_search`);
* after accepting path ``i - 1``, every spur index from the one that produced it (Lawler's
  modification; 0 for the first path) to its second-to-last node is tried in increasing order:
  the root path's nodes before the spur node are closed, the arcs leaving the spur node that
  an accepted path with the same root continues along are blocked, and GDS's Dijkstra finds
  the spur path. Root plus spur becomes a candidate unless an equal one is already queued;
  its costs are the root's costs followed by ``spur cost + root cost`` (GDS's float sums);
* the next path is the head of a ``java.util.PriorityQueue`` ordered by total cost, then node
  count. Candidates equal in both leave in the order that binary heap (replayed here) gives,
  given the insertion order above. GDS runs the spur searches of one round on ``concurrency``
  threads (default 4), which makes the insertion order, and so this last tie order, vary from
  run to run there; ``concurrency = 1`` is what we reproduce.

On a graph with parallel arcs GDS tracks relationships, so two paths over the same nodes
through different parallel arcs are different paths (``distinct_parallel_arcs=True``, the
default, as GDS). With ``distinct_parallel_arcs=False`` only the cheapest of parallel arcs
counts (NetworkX's ``shortest_simple_paths`` on the simple graph).

Time ``O(k n (n + m) log n)`` at worst, memory ``O(k n + m)``; CPU only.

References
----------
J. Y. Yen, "Finding the k shortest loopless paths in a network", Management Science 17 (1971)
712-716. E. L. Lawler, "A procedure for computing the k best solutions to discrete optimization
problems and its application to the shortest path problem", Management Science 18 (1972)
401-405.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np

from neo4j_gml.algorithms.paths.astar import csr_arrays, gds_search
from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.graph import Graph

__all__ = ["yens"]

T = TypeVar("T")


@dataclass
class _Path:
    nodes: list[int]
    costs: list[float]
    arcs: tuple[int, ...]  # offsets in each node's adjacency list; () when not tracked
    index: int  # the spur index that produced it (Lawler)

    def same(self, other: _Path) -> bool:  # MutablePathResult.equals
        return self.nodes == other.nodes and self.arcs == other.arcs


class _JavaPriorityQueue(Generic[T]):
    """``java.util.PriorityQueue`` (binary heap, ``siftUp``/``siftDown``) with a key order,
    so that elements of equal keys leave in the same order as in Java."""

    def __init__(self, key: Callable[[T], tuple[float, int]]) -> None:
        self._key = key
        self._items: list[T] = []

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[T]:
        return iter(self._items)

    def offer(self, item: T) -> None:
        items, key = self._items, self._key
        items.append(item)
        k, x = len(items) - 1, key(item)
        while k > 0:
            parent = (k - 1) >> 1
            if x >= key(items[parent]):
                break
            items[k] = items[parent]
            k = parent
        items[k] = item

    def poll(self) -> T:
        items, key = self._items, self._key
        result = items[0]
        last = items.pop()
        n = len(items)
        if n:
            k, x = 0, key(last)
            half = n >> 1
            while k < half:
                child = 2 * k + 1
                right = child + 1
                if right < n and key(items[child]) > key(items[right]):
                    child = right
                if x <= key(items[child]):
                    break
                items[k] = items[child]
                k = child
            items[k] = last
        return result


def yens(
    graph: Graph,
    source: int,
    target: int,
    *,
    k: int,
    distinct_parallel_arcs: bool = True,
) -> list[tuple[list[int], list[float]]]:
    """The ``k`` cheapest loopless paths from ``source`` to ``target``, in GDS's order.

    Parameters
    ----------
    graph : Graph
        The graph; its weights (or 1 per arc) must be finite and non-negative.
    source, target : int
        Positions of the start and end nodes.
    k : int
        How many paths at most (GDS's ``k``, at least 1).
    distinct_parallel_arcs : bool
        True (GDS): paths through different parallel arcs are different paths. False: only the
        cheapest of parallel arcs is used.

    Returns
    -------
    list[tuple[list[int], list[float]]]
        Up to ``k`` paths, GDS's row ``index`` being the list index: the node positions
        (``source`` first) and the cumulative cost at each (``0.0`` first, as GDS's
        ``costs``). Empty when ``target`` is unreachable; ``[([source], [0.0])]`` when
        ``source == target``.

    Raises
    ------
    ValueError
        A position outside ``0..n-1``, ``k < 1``, or a negative or non-finite weight.

    References
    ----------
    J. Y. Yen, "Finding the k shortest loopless paths in a network", Management Science 17
    (1971) 712-716.

    Examples
    --------
    GDS's documented example (A..F, ``k = 3``):

    >>> g = Graph.from_edges([0, 0, 0, 1, 2, 2, 3, 3, 4], [1, 2, 3, 3, 3, 4, 4, 5, 5],
    ...                      [50, 50, 100, 40, 40, 80, 30, 80, 40])
    >>> for nodes, costs in yens(g, 0, 5, k=3):
    ...     print(nodes, costs)
    [0, 1, 3, 4, 5] [0.0, 50.0, 90.0, 120.0, 160.0]
    [0, 2, 3, 4, 5] [0.0, 50.0, 90.0, 120.0, 160.0]
    [0, 1, 3, 5] [0.0, 50.0, 90.0, 170.0]
    """
    n = graph.num_nodes
    for name, node in (("source", source), ("target", target)):
        if not 0 <= node < n:
            raise ValueError(f"{name} {node} is not a node position in [0, {n})")
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    indptr, indices, weights = csr_arrays(graph, "Yen's algorithm")
    parallel = _has_parallel_arcs(indptr, indices)
    if parallel and not distinct_parallel_arcs:
        indptr, indices, weights = _cheapest_arcs(indptr, indices, weights)
    track = parallel and distinct_parallel_arcs

    first = gds_search(indptr, indices, weights, source, target)
    if not first.found:
        return []
    nodes, costs, arcs = first.path(source, target)
    accepted = [_Path(nodes, costs, tuple(arcs) if track else (), 0)]
    candidates: _JavaPriorityQueue[_Path] = _JavaPriorityQueue(
        lambda p: (p.costs[-1], len(p.nodes))
    )
    spur_index = 0
    for _ in range(1, k):
        previous = accepted[-1]
        for index in range(spur_index, len(previous.nodes) - 1):
            checkpoint()
            spur = previous.nodes[index]
            root_nodes = previous.nodes[: index + 1]
            root_arcs = previous.arcs[:index]
            blocked: set[int] = set()
            for path in accepted:
                if path.nodes[: index + 1] == root_nodes and (
                    not track or path.arcs[:index] == root_arcs
                ):
                    blocked.add(path.arcs[index] if track else path.nodes[index + 1])

            def allowed(
                u: int, v: int, offset: int, spur: int = spur, b: set[int] = blocked
            ) -> bool:
                return u != spur or (offset if track else v) not in b

            found = gds_search(
                indptr,
                indices,
                weights,
                spur,
                target,
                visited=root_nodes[:-1],
                arc_filter=allowed,
            )
            if not found.found:
                continue
            spur_nodes, spur_costs, spur_arcs = found.path(spur, target)
            base = previous.costs[index]
            candidate = _Path(
                root_nodes + spur_nodes[1:],
                previous.costs[: index + 1] + [c + base for c in spur_costs[1:]],
                root_arcs + tuple(spur_arcs) if track else (),
                index,
            )
            if not any(candidate.same(c) for c in candidates):
                candidates.offer(candidate)
        if not len(candidates):
            break
        chosen = candidates.poll()
        spur_index = chosen.index
        accepted.append(chosen)
    return [(p.nodes, p.costs) for p in accepted]


def _has_parallel_arcs(indptr: np.ndarray, indices: np.ndarray) -> bool:
    """True when some node has two arcs to the same target (GDS's multigraph)."""
    if indices.size < 2:
        return False
    same_row = np.repeat(np.arange(indptr.size - 1), np.diff(indptr))
    return bool(((indices[1:] == indices[:-1]) & (same_row[1:] == same_row[:-1])).any())


def _cheapest_arcs(
    indptr: np.ndarray, indices: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The CSR with each group of parallel arcs replaced by its cheapest weight."""
    n = indptr.size - 1
    rows = np.repeat(np.arange(n), np.diff(indptr))
    order = np.lexsort((indices, rows))
    rows, cols, w = rows[order], indices[order], weights[order]
    first = np.ones(cols.size, dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    starts = np.flatnonzero(first)
    cheapest = np.minimum.reduceat(w, starts) if starts.size else w
    new_indptr = np.zeros(n + 1, dtype=indptr.dtype)
    np.cumsum(np.bincount(rows[starts], minlength=n), out=new_indptr[1:])
    return new_indptr, cols[starts], cheapest
