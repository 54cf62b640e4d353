"""Breadth-first and depth-first traversal from one source, in the order nodes are visited,
as GDS's ``bfs`` and ``dfs`` visit them.

Neighbours are taken in adjacency order (ascending position: :class:`Graph` keeps each node's
arcs sorted by target), parallel arcs and self-loops visit nothing new. A traversal stops when
it visits one of ``targets`` (that node is the last one listed) and does not go beyond
``max_depth`` hops from the source (nodes at exactly ``max_depth`` are visited).

Time ``O(n + m)``, memory ``O(n)`` (CPU; a CUDA graph's arrays are copied over).

References
----------
T. H. Cormen, C. E. Leiserson, R. L. Rivest, C. Stein, *Introduction to Algorithms*, 3rd ed.,
sections 22.2 (breadth-first search) and 22.3 (depth-first search), MIT Press, 2009.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.graph import Graph

__all__ = ["bfs", "dfs"]


def _prepare(
    graph: Graph, source: int, targets: Iterable[int] | None, max_depth: int | None
) -> tuple[np.ndarray, np.ndarray, set[int], float]:
    n = graph.num_nodes
    if not 0 <= source < n:
        raise ValueError(f"source {source} is not a node position in [0, {n})")
    wanted = set() if targets is None else {int(t) for t in targets}
    if any(not 0 <= t < n for t in wanted):
        raise ValueError(f"targets must be node positions in [0, {n})")
    if max_depth is not None and max_depth < 0:
        raise ValueError(f"max_depth must be at least 0, got {max_depth}")
    depth_limit = float("inf") if max_depth is None else float(max_depth)
    return graph.indptr.cpu().numpy(), graph.indices.cpu().numpy(), wanted, depth_limit


def bfs(
    graph: Graph,
    source: int,
    *,
    targets: Iterable[int] | None = None,
    max_depth: int | None = None,
) -> np.ndarray:
    """Node positions in breadth-first visit order from ``source`` (the source first).

    Parameters
    ----------
    graph : Graph
        The graph (weights are ignored).
    source : int
        Position of the start node.
    targets : Iterable[int] or None
        Stop at the first of these positions visited (it is listed last).
    max_depth : int or None
        Visit nodes at most this many hops from the source (None: no limit).

    Returns
    -------
    numpy.ndarray
        ``int64`` node positions in visit order, the source first.

    Raises
    ------
    ValueError
        A position outside ``0..n-1`` or a negative ``max_depth``.

    References
    ----------
    T. H. Cormen et al., *Introduction to Algorithms*, 3rd ed., section 22.2 (breadth-first search), MIT Press,
    2009.

    Examples
    --------
    >>> g = Graph.from_edges([0, 0, 1, 2], [2, 1, 3, 3])
    >>> bfs(g, 0).tolist(), bfs(g, 0, max_depth=1).tolist(), bfs(g, 0, targets=[1]).tolist()
    ([0, 1, 2, 3], [0, 1, 2], [0, 1])
    """
    indptr, indices, wanted, limit = _prepare(graph, source, targets, max_depth)
    # One level at a time, vectorised: the frontier's arcs in frontier order (each node's in
    # adjacency order), their first occurrences among unseen nodes: exactly the order a
    # queue-based BFS discovers them in.
    seen = np.zeros(graph.num_nodes, dtype=bool)
    seen[source] = True
    levels = [np.asarray([source], dtype=np.int64)]
    target_mask = np.zeros(graph.num_nodes, dtype=bool)
    target_mask[list(wanted)] = True
    if target_mask[source]:
        return levels[0]
    frontier, depth = levels[0], 0
    while frontier.size and depth < limit:
        checkpoint()
        starts, ends = indptr[frontier], indptr[frontier + 1]
        counts = ends - starts
        total = int(counts.sum())
        if total == 0:
            break
        offsets = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(total)
        reached = indices[offsets]
        reached = reached[~seen[reached]]
        if reached.size == 0:
            break
        _, first = np.unique(reached, return_index=True)
        frontier = reached[np.sort(first)]
        seen[frontier] = True
        hit = np.flatnonzero(target_mask[frontier])
        if hit.size:
            levels.append(frontier[: hit[0] + 1])
            break
        levels.append(frontier)
        depth += 1
    return np.concatenate(levels)


def dfs(
    graph: Graph,
    source: int,
    *,
    targets: Iterable[int] | None = None,
    max_depth: int | None = None,
) -> np.ndarray:
    """Node positions in GDS's depth-first order from ``source``: a stack whose nodes are
    marked when pushed; each popped node is visited and pushes its unmarked neighbours in
    adjacency order, so the last (highest) neighbour is explored first and the others wait
    (GDS's ``DFS``: with arcs ``A->B, A->C, B->E, C->D`` the order is ``A, C, D, B, E``). A
    node at ``max_depth`` is visited but not expanded; a visited target stops the traversal.

    Parameters
    ----------
    graph : Graph
        The graph (weights are ignored).
    source : int
        Position of the start node.
    targets : Iterable[int] or None
        Stop at the first of these positions visited (it is listed last).
    max_depth : int or None
        Visit nodes at most this many hops from the source (None: no limit).

    Returns
    -------
    numpy.ndarray
        ``int64`` node positions in visit order, the source first.

    Raises
    ------
    ValueError
        A position outside ``0..n-1`` or a negative ``max_depth``.

    References
    ----------
    T. H. Cormen et al., *Introduction to Algorithms*, 3rd ed., section 22.3 (depth-first
    search), MIT Press, 2009; Neo4j Graph Data Science, ``org.neo4j.gds.traversal.DFS``.

    Examples
    --------
    >>> g = Graph.from_edges([0, 0, 1, 2], [1, 2, 4, 3])
    >>> dfs(g, 0).tolist(), dfs(g, 0, targets=[3, 4]).tolist(), dfs(g, 0, max_depth=1).tolist()
    ([0, 2, 3, 1, 4], [0, 2, 3], [0, 2, 1])
    """
    indptr, indices, wanted, limit = _prepare(graph, source, targets, max_depth)
    marked = np.zeros(graph.num_nodes, dtype=bool)
    marked[source] = True
    stack: list[tuple[int, int]] = [(source, 0)]
    order: list[int] = []
    while stack:
        here, depth = stack.pop()
        order.append(here)
        if len(order) % 65536 == 0:
            checkpoint()
        if here in wanted:
            break
        if depth >= limit:
            continue
        for there in indices[indptr[here] : indptr[here + 1]].tolist():
            if not marked[there]:
                marked[there] = True
                stack.append((there, depth + 1))
    return np.asarray(order, dtype=np.int64)
