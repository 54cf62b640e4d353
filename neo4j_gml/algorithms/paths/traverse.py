"""Breadth-first and depth-first traversal from one source, in the order nodes are visited,
as GDS's ``bfs`` and ``dfs`` visit them.

Neighbours are taken in adjacency order (ascending position: :class:`Graph` keeps each node's
arcs sorted by target), parallel arcs and self-loops visit nothing new. A traversal stops when
it visits one of ``targets`` (that node is the last one listed) and does not go beyond
``max_depth`` hops from the source (nodes at exactly ``max_depth`` are visited).

Time ``O(n + m)``, memory ``O(n)``. BFS runs on the graph's device (torch: a CUDA graph is
traversed on the GPU, one vectorised step per level); DFS is sequential by nature and runs on
the CPU (a CUDA graph's arrays are copied over).

References
----------
T. H. Cormen, C. E. Leiserson, R. L. Rivest, C. Stein, *Introduction to Algorithms*, 3rd ed.,
sections 22.2 (breadth-first search) and 22.3 (depth-first search), MIT Press, 2009.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import torch

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
    _, _, wanted, limit = _prepare(graph, source, targets, max_depth)
    return _bfs_levels(graph, source, wanted, limit).cpu().numpy()


def _bfs_levels(graph: Graph, source: int, wanted: set[int], limit: float) -> torch.Tensor:
    """:func:`bfs` on the graph's own device: one level at a time, the frontier's arcs in
    frontier order (each node's in adjacency order) and their first occurrences among unseen
    nodes, which is exactly the order a queue-based BFS discovers them in. The first occurrence
    of each node among a level's arcs is found with a ``scatter_reduce`` minimum over a buffer
    that is reset only where it was written, so a level costs ``O(its arcs)``."""
    device = graph.device
    n = graph.num_nodes
    indptr, indices = graph.indptr, graph.indices
    seen = torch.zeros(n, dtype=torch.bool, device=device)
    seen[source] = True
    target_mask = torch.zeros(n, dtype=torch.bool, device=device)
    if wanted:
        target_mask[torch.as_tensor(sorted(wanted), device=device)] = True
    levels = [torch.tensor([source], dtype=torch.long, device=device)]
    if source in wanted:
        return levels[0]
    never = torch.iinfo(torch.long).max
    first = torch.full((n,), never, dtype=torch.long, device=device)
    frontier, depth = levels[0], 0
    while frontier.numel() and depth < limit:
        checkpoint()
        starts = indptr[frontier]
        counts = indptr[frontier + 1] - starts
        total = int(counts.sum())
        if total == 0:
            break
        shift = torch.repeat_interleave(starts - torch.cumsum(counts, 0) + counts, counts)
        reached = indices[shift + torch.arange(total, device=device)]
        reached = reached[~seen[reached]]
        if reached.numel() == 0:
            break
        at = torch.arange(reached.numel(), device=device)
        first.scatter_reduce_(0, reached, at, reduce="amin")
        frontier = reached[first[reached] == at]
        first[reached] = never
        seen[frontier] = True
        hit = torch.nonzero(target_mask[frontier]).flatten()
        if hit.numel():
            levels.append(frontier[: int(hit[0]) + 1])
            break
        levels.append(frontier)
        depth += 1
    return torch.cat(levels)


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
