"""A directed Steiner tree from one source to a set of targets, as GDS's ``steinerTree``.

GDS's ``ShortestPathsSteinerAlgorithm``: repeatedly find the cheapest path from the current tree
to the nearest target not yet reached and add it, the tree's arcs then costing 0 (the tree's
nodes are "merged with the source" and the search resumes from them instead of restarting).
GDS finds these paths with a delta-stepping search (``SteinerBasedDeltaStepping``); it is
reproduced here step for step as GDS runs it with one task (bins of width ``delta``, a local bin
relaxed in place while it holds fewer than 1000 nodes, GDS's two tests for when the nearest
target's distance is final, its heap for the targets), so ties are broken as GDS with
``concurrency: 1`` breaks them; with more threads GDS's own tie-breaking may vary.

With ``reroute=True`` the tree is then improved as GDS's ``applyRerouting`` does: on an
undirected graph or one without an inverse index, GDS's ``SimpleRerouter`` (a node takes a tree
node with a cheaper arc to it as its parent when that makes no cycle, then branches that lead to
no target are cut off); on a directed graph projected with an inverse index
(``inverse_indexed=True``), GDS's ``InverseRerouter`` ("extended" rerouting: along each path in
the order found, a node may take a cheaper in-neighbour as parent when the chain above it can be
pruned, best gain first). As in GDS, the extended rerouter checks a node's new parent when it
picks it, not when it moves the node, so on rare graphs a node is moved below a parent pruned
earlier in the same step (the tree then holds an arc from outside it, as GDS's does).

An unweighted graph has weight 1 per arc (GDS's fallback here). Weights must be finite and
non-negative.

Time ``O((n + m) log n)``-ish per target found in the worst case (delta-stepping restarts from
the tree), memory ``O(n + m)``; rerouting walks tree paths, ``O(m * depth)``.

References
----------
M. Charikar, C. Chekuri, T. Cheung, Z. Dai, A. Goel, S. Guha, M. Li, "Approximation algorithms
for directed Steiner problems", Journal of Algorithms 33 (1999) 73-91.
U. Meyer, P. Sanders, "Delta-stepping: a parallelizable shortest path algorithm", Journal of
Algorithms 49 (2003) 114-152.
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from neo4j_gml.algorithms.paths.spanning import _adjacency, _IndexedHeap
from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.graph import Graph

__all__ = ["SteinerTree", "steiner_tree"]

_ROOT = -1
_PRUNED = -2
_NO_BIN = sys.maxsize
_BIN_SIZE_THRESHOLD = 1000
_UNSET = sys.float_info.max  # GDS's tentative distance before a node is reached


@dataclass(frozen=True)
class SteinerTree:
    """What :func:`steiner_tree` found (positions ``0..n-1``).

    ``parent[v]``: ``v``'s parent in the tree (``-1`` for the source and for nodes outside the
    tree); ``weight[v]``: the weight of the arc ``parent[v] -> v`` (``0.0`` for the source,
    ``nan`` outside the tree); ``in_tree``: the tree's nodes. ``effective_node_count``,
    ``effective_target_nodes_count`` and ``total_weight`` are GDS's stats columns
    ``effectiveNodeCount``, ``effectiveTargetNodesCount`` and ``totalWeight``.
    """

    source: int
    parent: np.ndarray
    weight: np.ndarray
    in_tree: np.ndarray
    effective_node_count: int
    effective_target_nodes_count: int
    total_weight: float

    def rows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """GDS's ``gds.steinerTree.stream`` rows ``(nodeId, parentId, weight)`` as positions.

        One row per tree node in ascending position order; the source is its own parent.
        """
        nodes = np.flatnonzero(self.in_tree)
        parents = np.where(nodes == self.source, self.source, self.parent[nodes])
        return nodes, parents.astype(np.int64), self.weight[nodes]


class _Forest:
    """The connectivity GDS's rerouters ask their link-cut tree for, as parent pointers.

    Every ``link(p, c)`` follows a ``delete`` of ``c``'s arc (or builds the initial forest), so
    ``c`` is a root when linked and the pointers stay a forest. As in GDS, nodes pruned from the
    result stay linked here.
    """

    def __init__(self, parent: list[int]) -> None:
        self.up = [p if p >= 0 else -1 for p in parent]

    def link(self, parent: int, child: int) -> None:
        self.up[child] = parent

    def delete(self, parent: int, child: int) -> None:
        if parent < 0:
            raise RuntimeError("Steiner rerouting: cutting a node without a parent")
        if self.up[child] == parent:
            self.up[child] = -1
        elif self.up[parent] == child:
            self.up[parent] = -1

    def below_or_at(self, node: int, top: int) -> bool:
        """Whether ``top`` is ``node`` or one of its ancestors (connected once ``top`` is cut)."""
        while node >= 0:
            if node == top:
                return True
            node = self.up[node]
        return False


def _shortest_paths(
    n: int,
    indptr: list[int],
    indices: list[int],
    weights: list[float],
    source: int,
    terminal: list[bool],
    delta: float,
) -> list[tuple[list[int], list[float]]]:
    """GDS's ``SteinerBasedDeltaStepping`` with one task: the paths to targets, in order found.

    Each path is ``(nodes, costs)``: ``nodes[0]`` is a tree node, ``costs[j]`` the distance
    of ``nodes[j + 1]`` from the tree."""
    dist = [_UNSET] * n
    pred = [-1] * n
    merged = [False] * n
    unvisited = list(terminal)
    wanted = sum(terminal)
    met = 0
    paths: list[tuple[list[int], list[float]]] = []
    frontier: list[int] = [source]
    frontier_size = 1
    merged[source] = True
    dist[source] = 0.0
    targets = _IndexedHeap(n)
    bins: dict[int, list[int]] = {}
    smallest = _UNSET

    def relax(node: int) -> None:
        nonlocal smallest
        base = dist[node]
        for arc in range(indptr[node], indptr[node + 1]):
            there = indices[arc]
            if merged[there]:
                continue
            new = base + weights[arc]
            if new < dist[there]:
                dist[there] = new
                pred[there] = node
                bins.setdefault(int(new / delta), []).append(there)
            smallest = min(new, smallest)
            if unvisited[there] and (not targets.contains(there) or targets.cost(there) > new):
                targets.set(there, new)

    def min_bin(start: int) -> int:
        found = [b for b, content in bins.items() if b >= start and content]
        return min(found) if found else _NO_BIN

    current = 0
    rounds = 0
    while current != _NO_BIN:
        rounds += 1
        if rounds % 1024 == 0:
            checkpoint()
        # relax: the shared frontier, then this task's bin while it stays small
        smallest = _UNSET
        floor = delta * current
        for node in frontier[:frontier_size]:
            if dist[node] >= floor:
                relax(node)
        while bins.get(current) and len(bins[current]) < _BIN_SIZE_THRESHOLD:
            batch = bins[current]
            bins[current] = []
            for node in batch:
                relax(node)
        old = current
        current = min_bin(old)
        found = -1
        if targets.size:
            candidate = targets.top()
            distance = dist[candidate]
            if current == _NO_BIN:
                final = True
            elif old == current:
                final = distance < (current + 1) * delta and distance <= smallest
            else:
                final = distance < current * delta
            if final:
                found = candidate
        if found >= 0:
            targets.pop()
            nodes = [found]
            costs: list[float] = []
            while not merged[nodes[0]]:
                costs.insert(0, dist[nodes[0]])
                nodes.insert(0, pred[nodes[0]])
            paths.append((nodes, costs))
            met += 1
            unvisited[found] = False
            if met == wanted:
                break
            frontier = []
            node = found
            while not merged[node]:
                merged[node] = True
                dist[node] = 0.0
                frontier.append(node)
                node = pred[node]
            current = 0
        else:
            frontier = bins.get(current, []) if current != _NO_BIN else []
            if current != _NO_BIN:
                bins[current] = []
        frontier_size = len(frontier)
    return paths


def steiner_tree(
    graph: Graph,
    source: int,
    targets: Iterable[int],
    *,
    delta: float = 2.0,
    reroute: bool = False,
    inverse_indexed: bool = False,
) -> SteinerTree:
    """A cheap tree of arcs from ``source`` reaching every reachable target, as GDS's heuristic.

    Parameters
    ----------
    graph : Graph
        The graph, followed along its arcs; finite non-negative weights, or none (weight 1).
    source : int
        Position of the root (GDS's ``sourceNode``).
    targets : Iterable[int]
        Positions of the targets (GDS's ``targetNodes``); unreachable ones are left out.
    delta : float
        The bin width of the delta-stepping search (GDS's ``delta``), greater than 0.
    reroute : bool
        Improve the tree afterwards (GDS's ``applyRerouting``).
    inverse_indexed : bool
        The directed graph was projected with an inverse index, so that GDS reroutes with its
        extended rerouter (no effect on an ``UNDIRECTED`` graph or without ``reroute``).

    Returns
    -------
    SteinerTree
        Parent and arc weight per tree node and GDS's stats. ``rows()`` gives the stream rows.

    Raises
    ------
    ValueError
        ``source`` or a target outside ``0..n-1``, ``delta <= 0``, or a negative or non-finite
        weight.

    References
    ----------
    M. Charikar et al., "Approximation algorithms for directed Steiner problems", Journal of
    Algorithms 33 (1999) 73-91.

    Examples
    --------
    >>> g = Graph.from_edges([0, 0, 1, 1], [1, 3, 2, 3], [1.0, 3.0, 1.0, 1.5])
    >>> tree = steiner_tree(g, 0, [2, 3])
    >>> tree.parent.tolist(), tree.total_weight, tree.effective_node_count
    ([-1, 0, 1, 1], 3.5, 4)
    """
    n = graph.num_nodes
    if not 0 <= source < n:
        raise ValueError(f"source {source} is not a node position in [0, {n})")
    terminals = [int(t) for t in targets]
    for t in terminals:
        if not 0 <= t < n:
            raise ValueError(f"target {t} is not a node position in [0, {n})")
    if not delta > 0:
        raise ValueError(f"delta must be greater than 0, got {delta}")
    indptr, indices, weights = _adjacency(graph, 1.0)
    if weights and min(weights) < 0:
        raise ValueError("the Steiner tree needs non-negative relationship weights")
    terminal = [False] * n
    for t in terminals:
        terminal[t] = True

    paths = _shortest_paths(n, indptr, indices, weights, source, terminal, delta)
    parent = [_PRUNED] * n
    cost = [float(_PRUNED)] * n
    parent[source] = _ROOT
    cost[source] = 0.0
    total = 0.0
    count = 1
    examination: list[int] = []
    for nodes, costs in paths:
        total += costs[-1] if costs else 0.0
        for j in range(len(costs) - 1, -1, -1):
            node = nodes[j + 1]
            parent[node] = nodes[j]
            examination.append(node)
            cost[node] = costs[j] - costs[j - 1] if j > 0 else costs[j]
            count += 1
        examination.append(_PRUNED)
    reached = len(paths)

    if reroute:
        if inverse_indexed and graph.orientation != "UNDIRECTED":
            total, count = _reroute_extended(
                graph, indptr, indices, weights, source, terminal, examination, parent, cost,
                total, count,
            )  # fmt: skip
        else:
            total, count = _reroute_simple(
                indptr, indices, weights, source, terminals, parent, cost, total, count
            )
    parent_array = np.asarray(parent, dtype=np.int64)
    in_tree = parent_array != _PRUNED
    return SteinerTree(
        source=source,
        parent=np.where(in_tree, parent_array, -1).clip(min=-1),
        weight=np.where(in_tree, np.asarray(cost, dtype=np.float64), np.nan),
        in_tree=in_tree,
        effective_node_count=count,
        effective_target_nodes_count=reached,
        total_weight=total,
    )


def _reroute_simple(
    indptr: list[int],
    indices: list[int],
    weights: list[float],
    source: int,
    terminals: list[int],
    parent: list[int],
    cost: list[float],
    total: float,
    count: int,
) -> tuple[float, int]:
    """GDS's ``SimpleRerouter``: cheaper in-tree parents, then cut branches with no target."""
    forest = _Forest(parent)
    rerouted = False
    for node in range(len(parent)):
        if node % 65536 == 0:
            checkpoint()
        if parent[node] == _PRUNED:
            continue
        for arc in range(indptr[node], indptr[node + 1]):
            there, weight = indices[arc], weights[arc]
            old_parent = parent[there]
            if old_parent in (_PRUNED, _ROOT) or not weight < cost[there]:
                continue
            forest.delete(old_parent, there)
            if not forest.below_or_at(node, there):
                rerouted = True
                old_cost = cost[there]
                parent[there] = node
                cost[there] = weight
                total += -old_cost + weight
                forest.link(node, there)
            else:
                forest.link(old_parent, there)
    if not rerouted:
        return total, count
    keep = [False] * len(parent)
    queue: deque[int] = deque()
    for t in terminals:
        if parent[t] != _PRUNED:
            queue.append(t)
            keep[t] = True
    while queue:
        up = parent[queue.popleft()]
        if up != source and up >= 0 and not keep[up]:
            keep[up] = True
            queue.append(up)
    for node in range(len(parent)):
        if parent[node] not in (_PRUNED, _ROOT) and not keep[node]:
            parent[node] = _PRUNED
            total += -cost[node]
            cost[node] = float(_PRUNED)
            count -= 1
    return total, count


def _reroute_extended(
    graph: Graph,
    indptr: list[int],
    indices: list[int],
    weights: list[float],
    source: int,
    terminal: list[bool],
    examination: list[int],
    parent: list[int],
    cost: list[float],
    total: float,
    count: int,
) -> tuple[float, int]:
    """GDS's ``InverseRerouter`` over the in-arcs, path by path in the order they were found."""
    n = len(parent)
    # the inverse adjacency: in-neighbours of each node in ascending order
    sources = np.repeat(np.arange(n, dtype=np.int64), np.diff(np.asarray(indptr)))
    targets = np.asarray(indices, dtype=np.int64)
    order = np.lexsort((sources, targets))
    in_ptr = np.zeros(n + 1, dtype=np.int64)
    in_ptr[1:] = np.cumsum(np.bincount(targets, minlength=n))
    in_ptr_list = in_ptr.tolist()
    in_from = sources[order].tolist()
    in_weight = np.asarray(weights, dtype=np.float64)[order].tolist()

    forest = _Forest(parent)
    children = [0] * n
    for node in range(n):
        if parent[node] >= 0:
            children[parent[node]] += 1

    def prunable(node: int) -> bool:
        if node < 0:
            raise RuntimeError("Steiner rerouting: a pruned node's parent was asked for")
        return node != source and not terminal[node] and children[node] < 2

    best = [_PRUNED] * n
    best_cost = [0.0] * n
    segment: list[int] = []
    waiting: deque[int] = deque()
    gains = _IndexedHeap(n, maximum=True)

    def optimize() -> None:
        nonlocal total, count
        stop = -1
        pruning_gain = 0.0
        curr = waiting[0]
        while prunable(parent[curr]):
            up = parent[curr]
            pruning_gain += cost[up]
            curr = up
        while waiting:
            node = waiting.popleft()
            node_parent = parent[node]
            if stop == -1:
                stop = parent[curr]
            pruning_gain += cost[node]
            best[node] = _PRUNED
            best_gain = -1.0
            for arc in range(in_ptr_list[node], in_ptr_list[node + 1]):
                there, weight = in_from[arc], in_weight[arc]
                if parent[node] == there:
                    continue
                if parent[there] != _PRUNED and pruning_gain - weight > best_gain:
                    forest.delete(node_parent, node)
                    if not forest.below_or_at(there, node):
                        best[node] = there
                        best_gain = pruning_gain - weight
                        best_cost[node] = weight
                    forest.link(node_parent, node)
            if best[node] != _PRUNED:
                gains.add(node, best_gain)
        pruned_so_far = 0.0
        while gains.size:
            node = gains.top()
            if gains.cost(node) - pruned_so_far > 0:
                forest.delete(parent[node], node)
                if not forest.below_or_at(best[node], node):
                    pruned = 0.0
                    current = node
                    while stop != current:
                        up = parent[current]
                        if up < 0:
                            raise RuntimeError("Steiner rerouting: pruning ran past the tree")
                        children[up] -= 1
                        parent[current] = _PRUNED
                        pruned += cost[current]
                        total += -cost[current]
                        cost[current] = float(_PRUNED)
                        current = up
                        count -= 1
                    count += 1
                    forest.link(best[node], node)
                    children[best[node]] += 1
                    cost[node] = best_cost[node]
                    parent[node] = best[node]
                    total += cost[node]
                    pruned_so_far += pruned
                    stop = node
                else:
                    forest.link(parent[node], node)
            gains.pop()

    for element in examination:
        if element != _PRUNED:
            segment.append(element)
            continue
        while segment:
            node = segment.pop()
            waiting.append(node)
            if not segment or not prunable(node):
                optimize()
    return total, count
