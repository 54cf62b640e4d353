"""Spanning trees from one source node, as GDS's ``spanningTree`` (Prim) and ``kSpanningTree``.

:func:`spanning_tree` is GDS's ``Prim``: it grows the tree from ``source`` with an indexed binary
heap keyed by the weight of the cheapest arc into each node (the negated weight for the
``'maximum'`` objective). A node enters the heap with the first node that reaches it as its parent;
a later node takes over only with a strictly better weight, and among equal keys the heap's own
order decides which node leaves first. The heap here reproduces GDS's ``HugeLongPriorityQueue``
operation for operation (same sift-up/sift-down, same slot moves), so ties are broken exactly as
GDS breaks them. Arcs are followed in adjacency order (ascending position), as GDS does. GDS
runs it on whatever orientation the projection has; its documentation projects the graph
UNDIRECTED. Only nodes reachable from ``source`` are spanned.

:func:`k_spanning_tree` is GDS's ``KSpanningTree``: the Prim tree above, then regrown from
``source`` along its arcs only, keeping at most ``k`` nodes by swapping out the worst leaf when a
better node is offered (a heuristic; GDS's peculiarities are kept, see the function).

GDS reads a graph without a relationship weight property with weight ``0.0`` on every arc here
(``forEachRelationship(node, 0.0, ...)``), not 1: an unweighted graph gives a total weight of 0.

Time ``O((n + m) log n)``, memory ``O(n)`` beyond the graph (CPU; a CUDA graph is copied over).

References
----------
R. C. Prim, "Shortest connection networks and some generalizations", Bell System Technical
Journal 36 (1957) 1389-1401.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch

from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.graph import Graph

__all__ = ["SpanningTree", "k_spanning_tree", "spanning_tree"]

Objective = Literal["minimum", "maximum"]


class _IndexedHeap:
    """GDS's ``HugeLongPriorityQueue`` over elements ``0..capacity-1``, step for step.

    A 1-based binary heap with an element -> slot index and a cost per element that outlives
    ``pop`` (``cost`` of a popped element is its last cost). ``add`` does not check whether the
    element is already queued (GDS's ``add`` does not either: a second slot is used), ``set``
    updates it in place. ``maximum`` makes it a max-queue. Ties keep the order the sifts leave.
    """

    __slots__ = ("_cost", "_heap", "_maximum", "_slot", "size")

    def __init__(self, capacity: int, *, maximum: bool = False) -> None:
        self._heap = [0] * (capacity + 2)
        self._slot = [0] * max(capacity, 1)
        self._cost = [0.0] * max(capacity, 1)
        self._maximum = maximum
        self.size = 0

    def _less(self, a: int, b: int) -> bool:
        if self._maximum:
            return self._cost[a] > self._cost[b]
        return self._cost[a] < self._cost[b]

    def _place(self, position: int, element: int) -> None:
        self._heap[position] = element
        self._slot[element] = position

    def add(self, element: int, cost: float) -> None:
        self._cost[element] = cost
        self.size += 1
        self._place(self.size, element)
        self._up(self.size)

    def set(self, element: int, cost: float) -> None:
        existed = self._slot[element] > 0
        self._cost[element] = cost
        if existed:
            position = self._slot[element]
            if not self._up(position) and position < self.size:
                self._down(position)
        else:
            self.size += 1
            self._place(self.size, element)
            self._up(self.size)

    def cost(self, element: int) -> float:
        return self._cost[element]

    def contains(self, element: int) -> bool:
        return self._slot[element] > 0

    def top(self) -> int:
        if self.size == 0:
            raise IndexError("Priority Queue is empty")
        return self._heap[1]

    def pop(self) -> int:
        if self.size == 0:
            return -1
        result = self._heap[1]
        self._place(1, self._heap[self.size])
        self.size -= 1
        self._down(1)
        self._slot[result] = 0
        return result

    def _up(self, start: int) -> bool:
        i = start
        node = self._heap[i]
        j = i >> 1
        while j > 0 and self._less(node, self._heap[j]):
            self._place(i, self._heap[j])
            i = j
            j >>= 1
        self._place(i, node)
        return i != start

    def _down(self, i: int) -> None:
        node = self._heap[i]
        j = i << 1
        k = j + 1
        if k <= self.size and self._less(self._heap[k], self._heap[j]):
            j = k
        while j <= self.size and self._less(self._heap[j], node):
            self._place(i, self._heap[j])
            i = j
            j = i << 1
            k = j + 1
            if k <= self.size and self._less(self._heap[k], self._heap[j]):
                j = k
        self._place(i, node)


def _adjacency(graph: Graph, fallback: float) -> tuple[list[int], list[int], list[float]]:
    """The CSR as Python lists, weights ``fallback`` for an unweighted graph (GDS's fallback)."""
    indptr = graph.indptr.cpu().tolist()
    indices = graph.indices.cpu().tolist()
    if graph.weights is None:
        weights = [fallback] * len(indices)
    else:
        array = graph.weights.detach().cpu().to(torch.float64).numpy()
        if array.size and not np.isfinite(array).all():
            raise ValueError("relationship weights must be finite")
        weights = array.tolist()
    return indptr, indices, weights


@dataclass(frozen=True)
class SpanningTree:
    """A tree found by :func:`spanning_tree` or :func:`k_spanning_tree` (positions ``0..n-1``).

    ``parent[v]``: the tree node before ``v`` (``-1`` for the root and for nodes outside the
    tree); ``weight[v]``: the weight of the arc ``parent[v] -> v`` as GDS reports it (``0.0`` for
    Prim's source, ``-0.0`` with the ``'maximum'`` objective; ``-1.0`` for a root
    :func:`k_spanning_tree` moved); ``root``: the root (Prim's source; the k-tree's root may move);
    ``source``: the requested start node; ``effective_node_count`` and ``total_weight``: GDS's
    stats columns ``effectiveNodeCount`` and ``totalWeight``.
    """

    source: int
    root: int
    parent: np.ndarray
    weight: np.ndarray
    effective_node_count: int
    total_weight: float

    def rows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """GDS's ``gds.spanningTree.stream`` rows ``(nodeId, parentId, weight)`` as positions.

        One row per node with a parent, and one for the source (its own parent, weight ``0.0``),
        in ascending position order (GDS's internal node id order).
        """
        nodes = np.flatnonzero((self.parent >= 0) | (np.arange(self.parent.size) == self.source))
        parents = np.where(nodes == self.source, self.source, self.parent[nodes])
        return nodes, parents.astype(np.int64), self.weight[nodes]

    def heads(self) -> np.ndarray:
        """``int64[n]``: the root reached from every node along ``parent`` (itself without one).

        What ``gds.kSpanningTree.write`` writes to ``writeProperty`` for every node (GDS's
        internal id of that root, which is the position here).
        """
        head = np.full(self.parent.size, -1, dtype=np.int64)
        for start in range(self.parent.size):
            trail = []
            node = start
            while head[node] < 0 and self.parent[node] >= 0:
                trail.append(node)
                node = int(self.parent[node])
            top = node if head[node] < 0 else int(head[node])
            head[node] = top
            head[trail] = top
        return head


def _check(graph: Graph, source: int, objective: str) -> None:
    n = graph.num_nodes
    if not 0 <= source < n:
        raise ValueError(f"source {source} is not a node position in [0, {n})")
    if objective not in ("minimum", "maximum"):
        raise ValueError(f"objective must be 'minimum' or 'maximum', got {objective!r}")


def spanning_tree(graph: Graph, source: int, *, objective: Objective = "minimum") -> SpanningTree:
    """The minimum (or maximum) weight spanning tree of the nodes reachable from ``source``.

    GDS's ``Prim``: parents, weights, stats and tie-breaking as ``gds.spanningTree`` gives them.
    ``total_weight`` is summed in the order nodes leave the queue, as GDS sums it.

    Parameters
    ----------
    graph : Graph
        The graph, followed along its arcs (project it ``UNDIRECTED`` for an undirected tree);
        finite weights, or none (GDS then uses ``0.0`` for every arc).
    source : int
        Position of the start node (GDS's ``sourceNode``).
    objective : {'minimum', 'maximum'}
        Minimise or maximise the total weight (GDS's ``objective``).

    Returns
    -------
    SpanningTree
        Parent and arc weight per node, ``effective_node_count`` (nodes spanned, the source
        included) and ``total_weight``. ``rows()`` gives the stream rows.

    Raises
    ------
    ValueError
        ``source`` outside ``0..n-1``, an unknown objective or a non-finite weight.

    References
    ----------
    R. C. Prim, "Shortest connection networks and some generalizations", Bell System Technical
    Journal 36 (1957) 1389-1401.

    Examples
    --------
    >>> g = Graph.from_edges([0, 0, 1], [1, 2, 2], [1.0, 5.0, 2.0], orientation="UNDIRECTED")
    >>> tree = spanning_tree(g, 0)
    >>> tree.parent.tolist(), tree.weight.tolist(), tree.total_weight
    ([-1, 0, 1], [0.0, 1.0, 2.0], 3.0)
    >>> [row.tolist() for row in tree.rows()]
    [[0, 1, 2], [0, 0, 1], [0.0, 1.0, 2.0]]
    """
    _check(graph, source, objective)
    n = graph.num_nodes
    indptr, indices, weights = _adjacency(graph, 0.0)
    maximize = objective == "maximum"
    parent = [-1] * n
    visited = [False] * n
    queue = _IndexedHeap(n)
    queue.add(source, 0.0)
    total = 0.0
    count = 0
    while queue.size:
        node = queue.top()
        total += queue.cost(node)
        queue.pop()
        if visited[node]:
            continue
        count += 1
        if count % 65536 == 0:
            checkpoint()
        visited[node] = True
        for arc in range(indptr[node], indptr[node + 1]):
            there = indices[arc]
            if visited[there]:
                continue
            key = -weights[arc] if maximize else weights[arc]
            if not queue.contains(there):
                queue.add(there, key)
                parent[there] = node
            elif key < queue.cost(there):
                queue.set(there, key)
                parent[there] = node
    costs = np.asarray(queue._cost[:n], dtype=np.float64)
    return SpanningTree(
        source=source,
        root=source,
        parent=np.asarray(parent, dtype=np.int64),
        weight=-costs if maximize else costs,
        effective_node_count=count,
        total_weight=-total if maximize else total,
    )


def k_spanning_tree(
    graph: Graph, source: int, k: int, *, objective: Objective = "minimum"
) -> SpanningTree:
    """A tree of ``k`` nodes cut out of the spanning tree from ``source``, as GDS's ``KSpanningTree``.

    The Prim tree of :func:`spanning_tree` is regrown from ``source`` along its own arcs, best
    arc first; once ``k`` nodes are in, a node offered with a better arc replaces the worst
    current leaf (the root counts as a leaf when it has one child, and the root moves to its
    child when it is the one replaced). A node whose parent is that worst leaf is skipped. With
    fewer than ``k`` nodes reachable the Prim tree is returned unchanged. GDS's quirks are kept:
    ``effective_node_count`` is ``k`` (whatever the tree holds), ``total_weight`` is the sum of the
    kept arcs' weights, a moved root is queued again for growth (not for trimming), and a trimmed
    leaf's tree children may still be added later below it. ``heads()`` is what
    ``gds.kSpanningTree.write`` writes: the root for the tree's nodes, every other node itself.

    Parameters
    ----------
    graph : Graph
        The graph (as for :func:`spanning_tree`).
    source : int
        Position of the start node.
    k : int
        How many nodes the tree should keep, at least 1.
    objective : {'minimum', 'maximum'}
        Minimise or maximise the weight.

    Returns
    -------
    SpanningTree
        The kept tree: its ``root``, parents and weights (``-1`` outside it), stats as GDS's.

    Raises
    ------
    ValueError
        ``source`` outside ``0..n-1``, ``k < 1``, an unknown objective or a non-finite weight.
    RuntimeError
        Where GDS itself would fail (its trimming queue runs empty).

    References
    ----------
    R. C. Prim, "Shortest connection networks and some generalizations", Bell System Technical
    Journal 36 (1957) 1389-1401.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2], [1, 2, 3], [1.0, 5.0, 1.0], orientation="UNDIRECTED")
    >>> tree = k_spanning_tree(g, 0, 2)
    >>> tree.heads().tolist(), tree.total_weight, tree.effective_node_count
    ([0, 0, 2, 3], 1.0, 2)
    """
    _check(graph, source, objective)
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    prim = spanning_tree(graph, source, objective=objective)
    if prim.effective_node_count < k:
        return prim
    n = graph.num_nodes
    indptr = graph.indptr.cpu().tolist()
    indices = graph.indices.cpu().tolist()
    maximize = objective == "maximum"
    prim_cost = prim.weight.tolist()
    parent = prim.parent.tolist()
    cost = list(prim_cost)
    out_degree = [0] * n
    exterior = [False] * n
    included = [False] * n
    root_adjacent: set[int] = set()
    queue = _IndexedHeap(n, maximum=maximize)  # grow: best arc first
    trim = _IndexedHeap(n, maximum=not maximize)  # trim: worst leaf first

    def clear(node: int) -> None:
        parent[node] = -1
        cost[node] = -1.0

    def better(offered: float, worst: float) -> bool:
        return offered > worst if maximize else offered < worst

    def worst_leaf() -> int:
        while True:
            if trim.size == 0:
                raise RuntimeError("kSpanningTree: no leaf left to trim (GDS fails here too)")
            if exterior[trim.top()]:
                return trim.top()
            trim.pop()

    def make_leaf(node: int, leaf_cost: float) -> None:
        if not trim.contains(node):
            trim.add(node, leaf_cost)
        else:
            trim.set(node, leaf_cost)
        exterior[node] = True

    queue.add(source, 0.0)
    root = source
    in_tree = 0
    total = 0.0
    steps = 0
    while queue.size:
        steps += 1
        if steps % 65536 == 0:
            checkpoint()
        node = queue.top()
        offered = queue.cost(node)
        queue.pop()
        node_parent = parent[node]
        added = False
        if in_tree < k:
            in_tree += 1
            added = True
        else:
            leaf = worst_leaf()
            if parent[node] == leaf:
                continue
            if better(offered, trim.cost(leaf)):
                added = True
                value = trim.cost(leaf)
                trim.pop()
                leaf_parent = parent[leaf]
                included[leaf] = False
                clear(leaf)
                total -= value
                if root != leaf:
                    out_degree[leaf_parent] -= 1
                    if leaf_parent == root:
                        root_adjacent.discard(leaf)
                        if out_degree[leaf_parent] == 1:
                            make_leaf(root, cost[min(root_adjacent)])
                    elif out_degree[leaf_parent] == 0:
                        make_leaf(leaf_parent, cost[leaf_parent])
                else:
                    new_root = min(root_adjacent)
                    root_adjacent.clear()
                    for arc in range(indptr[new_root], indptr[new_root + 1]):
                        child = indices[arc]
                        if parent[child] == new_root and included[child]:
                            root_adjacent.add(child)
                    root = new_root
                    clear(root)
                    if out_degree[root] == 1:
                        queue.add(root, cost[min(root_adjacent)])
                        exterior[root] = True
        if added:
            included[node] = True
            total += offered
            if node_parent == root:
                root_adjacent.add(node)
            if node != root:
                if node_parent < 0:
                    raise RuntimeError("kSpanningTree: a non-root node without a parent")
                out_degree[node_parent] += 1
                exterior[node_parent] = False
            trim.add(node, offered)
            exterior[node] = True
            for arc in range(indptr[node], indptr[node + 1]):
                child = indices[arc]
                if parent[child] == node and not queue.contains(child):
                    queue.add(child, prim_cost[child])
        else:
            clear(node)
    for node in range(n):
        if not included[node]:
            clear(node)
    return SpanningTree(
        source=source,
        root=root,
        parent=np.asarray(parent, dtype=np.int64),
        weight=np.asarray(cost, dtype=np.float64),
        effective_node_count=k,
        total_weight=total,
    )
