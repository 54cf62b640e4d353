"""Topological sort and longest paths of a directed acyclic graph, as GDS's ``dag`` algorithms.

Both run Kahn's algorithm (GDS's ``TopologicalSort`` and ``DagLongestPath``): the in-degree-0
nodes are the sources; a node is *processed* once all its in-arcs came from processed nodes;
processing relaxes its out-arcs. Nodes on a cycle, and every node reachable from one, are never
processed.

GDS runs this in parallel (a fork-join task per newly freed node), so its order among
independent nodes is not deterministic. Here the nodes are processed in waves: wave 0 is the
sources in ascending position (GDS also lists every source before anything else), wave ``k + 1``
the nodes freed by wave ``k``, again in ascending position; within a wave nodes are processed in
that order and each node's arcs in adjacency order. That is one of the orders GDS can produce,
and it is vectorised with NumPy (one step per wave). The wave of a node is the length in hops
of the longest path reaching it.

Time ``O(n + m)`` plus ``O(1)`` NumPy calls per wave, memory ``O(n + m)`` (CPU; a CUDA graph's
arrays are copied over).

References
----------
A. B. Kahn, "Topological sorting of large networks", Communications of the ACM 5(11) (1962)
558-562; Neo4j Graph Data Science, ``org.neo4j.gds.dag.topologicalsort.TopologicalSort`` and
``org.neo4j.gds.dag.longestPath.DagLongestPath``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.errors import ParameterError
from neo4j_gml.core.graph import Graph

__all__ = ["LongestPaths", "TopologicalOrder", "longest_path", "topological_sort"]

# GDS's initial tentative distance in DagLongestPath: -Double.MIN_VALUE, just below 0, so that any
# relaxation through non-negative weights (0 included) wins over "not reached".
_UNREACHED = -5e-324


@dataclass(frozen=True)
class TopologicalOrder:
    """What :func:`topological_sort` found (positions ``0..n-1``).

    ``order``: the processed nodes in topological order, the GDS stream's ``nodeId`` column
    (nodes on or after a cycle are left out); ``max_distance``: ``float64[len(order)]``, the
    ``maxDistanceFromSource`` of each of them, or None when it was not asked for.
    """

    order: np.ndarray
    max_distance: np.ndarray | None


@dataclass(frozen=True)
class LongestPaths:
    """What :func:`longest_path` found (positions ``0..n-1``).

    ``targets``: the nodes GDS yields a row for, in row order (row ``i`` has ``index`` ``i``);
    ``cost[v]``: the longest distance found to ``v`` (``nan`` for nodes without a row);
    ``predecessor[v]``: the node before ``v`` on that path (``v`` itself for a source, ``-1``
    without a row); ``root[v]``: the source the path starts at (``-1`` without a row).
    """

    targets: np.ndarray
    cost: np.ndarray
    predecessor: np.ndarray
    root: np.ndarray

    def path(self, target: int) -> tuple[list[int], list[float]]:
        """The row of ``target``: its node positions (source first) and the cumulative costs.

        Parameters
        ----------
        target : int
            A position listed in ``targets``.

        Returns
        -------
        tuple[list[int], list[float]]
            ``nodeIds`` and ``costs`` of GDS's row (``totalCost`` is the last cost).

        Raises
        ------
        ValueError
            ``target`` has no row.

        References
        ----------
        Neo4j Graph Data Science, ``DagLongestPath.pathResult``.

        Examples
        --------
        >>> g = Graph.from_edges([0, 1], [1, 2], [2.0, 0.5])
        >>> longest_path(g).path(2)
        ([0, 1, 2], [0.0, 2.0, 2.5])
        """
        if not 0 <= target < self.predecessor.size or self.predecessor[target] < 0:
            raise ValueError(f"node {target} has no longest-path row")
        nodes = [int(target)]
        while self.predecessor[nodes[-1]] != nodes[-1]:
            nodes.append(int(self.predecessor[nodes[-1]]))
        nodes.reverse()
        return nodes, [float(self.cost[v]) for v in nodes]


def _arrays(graph: Graph, weighted: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    indptr = graph.indptr.cpu().numpy()
    indices = graph.indices.cpu().numpy()
    if not weighted or graph.weights is None:
        return indptr, indices, np.ones(indices.size)
    weights = graph.weights.detach().cpu().to(torch.float64).numpy()
    if weights.size and (np.isnan(weights).any() or weights.min() < 0):
        raise ParameterError(
            "weights", "must be non-negative numbers (GDS does not support negative weights)"
        )
    return indptr, indices, weights


def _arcs_of(indptr: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """The arc offsets of ``nodes``, node by node, each node's in adjacency order."""
    starts = indptr[nodes]
    counts = indptr[nodes + 1] - starts
    total = int(counts.sum())
    return np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(total)


def _waves(
    n: int, indptr: np.ndarray, indices: np.ndarray, weights: np.ndarray, *, track: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Kahn's algorithm in waves, relaxing longest distances as GDS does.

    Returns the processed nodes in order, ``dist`` and ``pred`` (``pred`` only kept when
    ``track``). A relaxation replaces the tentative distance only when strictly greater, so among
    equally long ways in the first processed one wins (processing order: wave, position within
    the wave, adjacency order)."""
    in_degree = np.bincount(indices, minlength=n).astype(np.int64)
    wave = np.flatnonzero(in_degree == 0)
    dist = np.full(n, _UNREACHED if track else 0.0)
    pred = np.full(n, -1, dtype=np.int64)
    dist[wave] = 0.0
    pred[wave] = wave
    processed = [wave]
    steps = 0
    while wave.size:
        steps += 1
        if steps % 64 == 0:
            checkpoint()
        arcs = _arcs_of(indptr, wave)
        if arcs.size == 0:
            break
        heads = np.repeat(wave, indptr[wave + 1] - indptr[wave])
        tails = indices[arcs]
        candidate = dist[heads] + weights[arcs]
        # per tail: the largest candidate, and the first arc (processing order) that reaches it
        order = np.lexsort((np.arange(arcs.size), -candidate, tails))
        first = np.ones(order.size, dtype=bool)
        first[1:] = tails[order][1:] != tails[order][:-1]
        best = order[first]
        better = candidate[best] > dist[tails[best]]
        won = best[better]
        dist[tails[won]] = candidate[won]
        pred[tails[won]] = heads[won]
        np.subtract.at(in_degree, tails, 1)
        touched = np.unique(tails)
        wave = touched[in_degree[touched] == 0]
        if wave.size:
            processed.append(wave)
    return np.concatenate(processed), dist, pred


def topological_sort(
    graph: Graph, *, compute_max_distance_from_source: bool = False, weighted: bool = False
) -> TopologicalOrder:
    """The nodes of ``graph`` in a topological order, as ``gds.dag.topologicalSort.stream``.

    Sources (in-degree 0) come first in ascending position, then each wave of nodes freed by
    the previous one, in ascending position (see the module notes: GDS's parallel order is one
    of the valid orders; this is a deterministic one it can produce). Nodes on a cycle (a
    self-loop included) and all nodes reachable from one are left out, as GDS leaves them out.
    Parallel arcs count once per arc in the in-degree, so they do not change the result.

    Parameters
    ----------
    graph : Graph
        The graph (a directed one: an undirected graph is all cycles and sorts to nothing).
    compute_max_distance_from_source : bool
        Also return, per listed node, the length of the longest path from any source to it
        (GDS's ``computeMaxDistanceFromSource``).
    weighted : bool
        Measure that length in the graph's weights instead of hops. GDS's topological sort has
        no ``relationshipWeightProperty`` and always counts 1 per arc (False).

    Returns
    -------
    TopologicalOrder
        The order and, when asked, the max distances (``float64``).

    Raises
    ------
    ParameterError
        ``weighted`` with a negative or NaN weight.

    References
    ----------
    A. B. Kahn, "Topological sorting of large networks", Communications of the ACM 5(11)
    (1962) 558-562; Neo4j Graph Data Science, ``gds.dag.topologicalSort``.

    Examples
    --------
    >>> g = Graph.from_edges([3, 0, 0, 2], [0, 1, 2, 1])  # GDS's TopologicalSortTest graph
    >>> found = topological_sort(g, compute_max_distance_from_source=True)
    >>> found.order.tolist(), found.max_distance.tolist()
    ([3, 0, 2, 1], [0.0, 1.0, 2.0, 3.0])
    >>> topological_sort(Graph.from_edges([0, 1, 2], [1, 2, 1])).order.tolist()  # 1 <-> 2
    [0]
    """
    indptr, indices, weights = _arrays(graph, weighted and compute_max_distance_from_source)
    order, dist, _ = _waves(graph.num_nodes, indptr, indices, weights, track=False)
    return TopologicalOrder(order, dist[order] if compute_max_distance_from_source else None)


def longest_path(graph: Graph) -> LongestPaths:
    """Per node, the longest path from a source to it, as ``gds.dag.longestPath.stream``.

    GDS's ``DagLongestPath`` relaxes the out-arcs of every processed node (see the module notes)
    with ``distance(u) + weight > distance(v)``; sources start at 0, the other nodes just below
    0. A row is yielded for every node whose distance was set: the sources (a one-node path of
    cost 0), every processed node, and also an unprocessed node (one on or after a cycle) that
    a processed node has an arc to, with the longest distance over its processed in-neighbours
    only. GDS's documentation says nodes of components with cycles are left out; its code
    yields these rows, and so does this. Rows are ordered by target position with
    ``index`` ``0, 1, ...`` (GDS with concurrency 1; parallel runs interleave ranges of nodes).
    Ties between equally long paths go to the predecessor processed first. Parallel arcs
    count with their largest weight; self-loops put the node on a cycle.

    Parameters
    ----------
    graph : Graph
        The graph; weights (None: 1 per arc) must be non-negative.

    Returns
    -------
    LongestPaths
        The rows' targets, with costs, predecessors and the source of each path;
        :meth:`LongestPaths.path` gives a row's ``nodeIds`` and ``costs``.

    Raises
    ------
    ParameterError
        A negative or NaN weight (GDS: "Negative weights are currently unsupported").

    References
    ----------
    R. Sedgewick and K. Wayne, *Algorithms*, 4th ed., section 4.4 (longest paths in
    edge-weighted DAGs), Addison-Wesley, 2011; Neo4j Graph Data Science,
    ``gds.dag.longestPath``.

    Examples
    --------
    GDS's documented example (Timber, Lumber, Table Maker, Screws, Table in projection order):

    >>> g = Graph.from_edges([0, 1, 3, 2], [1, 2, 2, 4], [1.0, 0.0, 3.0, 1.0])
    >>> found = longest_path(g)
    >>> found.targets.tolist(), found.root.tolist()
    ([0, 1, 2, 3, 4], [0, 0, 3, 3, 3])
    >>> found.path(4)
    ([3, 2, 4], [0.0, 3.0, 4.0])
    """
    n = graph.num_nodes
    indptr, indices, weights = _arrays(graph, True)
    _, dist, pred = _waves(n, indptr, indices, weights, track=True)
    has_row = pred >= 0
    targets = np.flatnonzero(has_row)
    cost = np.where(has_row, dist, np.nan)
    # the source of each path: pointer jumping along predecessors (sources point at themselves)
    root = pred.copy()
    if targets.size:
        while True:
            checkpoint()
            nxt = root.copy()
            nxt[targets] = root[root[targets]]
            if np.array_equal(nxt, root):
                break
            root = nxt
    return LongestPaths(targets, cost, pred, root)
