"""Maximum flow from a set of sources to a set of targets, as GDS's ``gds.maxFlow``.

GDS (``org.neo4j.gds.maxflow``, GDS 2.x after 2.13) builds a flow network and runs a parallel
push-relabel with global relabelling on it; this builds the same network and solves it exactly:

* a super source ``S`` with an arc ``S -> s`` per source and a super target ``T`` with an arc
  ``t -> T`` per target. The arc's capacity is the source's supply and the target's demand:
  the value given for it (GDS's map form ``{node: value}``), else its node capacity, else, for
  a source, the sum of its out-arcs' capacities, and for a target, the total supply (no limit);
* a node capacity on any other node (GDS's ``nodeCapacityProperty``; NaN: none) limits the
  flow through it: its in-arcs are led into a new node that has one arc of that capacity to it;
* every relationship is an arc of its capacity (GDS's ``capacityProperty``).

The total flow is the optimum. The flow per relationship is not unique; this returns: the net
flow between each pair of nodes (flow one way and back is cancelled; a self-loop carries
nothing) from Dinic's algorithm (SciPy's, in C, when every capacity is an integer and their
sum fits in 32 bits; our own in floating point otherwise), split over parallel relationships by
filling them to capacity in adjacency order. GDS's push-relabel can put flow on both ``u->v``
and ``v->u`` and split it differently; its ``totalFlow`` is the same (to its ``1e-6``).

Time ``O(V^2 E)`` worst case (Dinic), far less in practice; memory ``O(n + m)`` (CPU).

References
----------
E. A. Dinitz, "Algorithm for solution of a problem of maximum flow in a network with power
estimation", Soviet Math. Doklady 11 (1970) 1277-1280; N. Baumstark, G. Blelloch, J. Shun,
"Efficient Implementation of a Synchronous Parallel Push-Relabel Algorithm", ESA 2015
(GDS's algorithm).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.errors import ParameterError
from neo4j_gml.core.graph import Graph, TensorLike

__all__ = ["FLOW_TOLERANCE", "MaxFlow", "max_flow"]

FLOW_TOLERANCE = 1e-6
"""GDS's ``MaxFlowFunctions.TOLERANCE``: a relationship is listed when its flow exceeds it."""

_INT32_LIMIT = 2**31 - 1


@dataclass(frozen=True)
class MaxFlow:
    """What :func:`max_flow` found.

    ``source``, ``target``, ``flow``: the rows of GDS's stream (relationships whose flow exceeds
    :data:`FLOW_TOLERANCE`, in node then adjacency order); ``arc``: their CSR arc offsets;
    ``arc_flow``: ``float64[m]``, the flow on every arc; ``total_flow``: GDS's ``totalFlow``
    (the flow into the targets).
    """

    source: np.ndarray
    target: np.ndarray
    flow: np.ndarray
    arc: np.ndarray
    arc_flow: np.ndarray
    total_flow: float


def _terminals(
    nodes: Sequence[int] | Mapping[int, float], n: int, what: str
) -> tuple[np.ndarray, np.ndarray]:
    """Positions and given values (NaN: none given) of the sources or targets."""
    if isinstance(nodes, Mapping):
        items = [(int(k), float(v)) for k, v in nodes.items()]
    else:
        items = [(int(k), float("nan")) for k in nodes]
    if not items:
        raise ParameterError(what, "must not be empty")
    positions = np.asarray([k for k, _ in items], dtype=np.int64)
    values = np.asarray([v for _, v in items], dtype=np.float64)
    if ((positions < 0) | (positions >= n)).any():
        raise ParameterError(what, f"must be node positions in [0, {n})")
    if np.unique(positions).size != positions.size:
        raise ParameterError(what, "must be unique")
    if (values < 0).any():
        raise ParameterError(what, "values must be non-negative")
    return positions, values


def max_flow(
    graph: Graph,
    capacities: TensorLike | None,
    sources: Sequence[int] | Mapping[int, float],
    targets: Sequence[int] | Mapping[int, float],
    *,
    node_capacities: TensorLike | None = None,
) -> MaxFlow:
    """The maximum flow from ``sources`` to ``targets`` (GDS's ``gds.maxFlow``).

    Parameters
    ----------
    graph : Graph
        The graph (directed: flow goes along arcs).
    capacities : TensorLike or None
        ``float[m]`` capacity per arc in CSR order, or None for the graph's weights.
    sources, targets : Sequence[int] or Mapping[int, float]
        Positions, disjoint and unique; a mapping also gives each one's supply (source) or
        demand (target) limit, as GDS's ``{node: value}`` form.
    node_capacities : TensorLike or None
        ``float[n]``; a finite value limits the flow through that node, NaN leaves it free.
        On a source or target it is the supply or demand (it may not also be given in the
        mapping), as GDS's ``nodeCapacityProperty``.

    Returns
    -------
    MaxFlow
        The flow per arc, the stream's rows and ``total_flow``.

    Raises
    ------
    ParameterError
        No capacities, a negative or non-finite capacity, empty, repeated, overlapping or
        out-of-range terminals, negative values, or a terminal limited twice.

    References
    ----------
    E. A. Dinitz, "Algorithm for solution of a problem of maximum flow in a network with power
    estimation", Soviet Math. Doklady 11 (1970) 1277-1280; Neo4j Graph Data Science,
    ``gds.maxFlow``.

    Examples
    --------
    GDS's documented example (A..F at positions 0..5), from A to D:

    >>> g = Graph.from_edges([0, 0, 0, 1, 2, 2, 5], [5, 1, 4, 2, 3, 4, 3],
    ...                      [10.0, 3.0, 7.0, 1.0, 4.0, 6.0, 3.0])
    >>> found = max_flow(g, None, [0], [3])
    >>> found.total_flow
    4.0
    >>> list(zip(found.source.tolist(), found.target.tolist(), found.flow.tolist()))
    [(0, 1, 1.0), (0, 5, 3.0), (1, 2, 1.0), (2, 3, 1.0), (5, 3, 3.0)]
    """
    n = graph.num_nodes
    m = graph.num_arcs
    if capacities is None:
        if graph.weights is None:
            raise ParameterError("capacities", "are required (the graph has no weights)")
        cap = graph.weights.detach().cpu().to(torch.float64).numpy()
    elif isinstance(capacities, torch.Tensor):
        cap = capacities.detach().cpu().to(torch.float64).numpy()
    else:
        cap = np.asarray(capacities, dtype=np.float64)
    if cap.shape != (m,):
        raise ParameterError("capacities", f"must hold one value per arc ({m})")
    if m and (not np.isfinite(cap).all() or cap.min() < 0):
        raise ParameterError("capacities", "must be finite and non-negative")
    src, src_value = _terminals(sources, n, "sources")
    tgt, tgt_value = _terminals(targets, n, "targets")
    if np.intersect1d(src, tgt).size:
        raise ParameterError("targets", "must be disjoint from the sources")
    if node_capacities is None:
        node_cap = np.full(n, np.nan)
    elif isinstance(node_capacities, torch.Tensor):
        node_cap = node_capacities.detach().cpu().to(torch.float64).numpy()
    else:
        node_cap = np.asarray(node_capacities, dtype=np.float64)
    if node_cap.shape != (n,):
        raise ParameterError("node_capacities", f"must hold one value per node ({n})")
    if (node_cap < 0).any() or np.isinf(node_cap).any():
        raise ParameterError("node_capacities", "must be finite and non-negative (NaN: none)")

    heads = graph.sources().cpu().numpy()
    tails = graph.indices.cpu().numpy()
    out_sum = np.bincount(heads, weights=cap, minlength=n)
    for positions, values, name in ((src, src_value, "sources"), (tgt, tgt_value, "targets")):
        both = ~np.isnan(values) & ~np.isnan(node_cap[positions])
        if both.any():
            raise ParameterError(
                name, "a limit may come from the mapping or node_capacities, not both"
            )
    supply = np.where(np.isnan(src_value), node_cap[src], src_value)
    supply = np.where(np.isnan(supply), out_sum[src], supply)
    demand = np.where(np.isnan(tgt_value), node_cap[tgt], tgt_value)
    demand = np.where(np.isnan(demand), supply.sum(), demand)

    # the network: S = n, T = n + 1, then one entry node per limited inner node
    limited = ~np.isnan(node_cap)
    limited[src] = False
    limited[tgt] = False
    inner = np.flatnonzero(limited)
    entry = np.arange(n, dtype=np.int64)
    entry[inner] = n + 2 + np.arange(inner.size)
    big_n = n + 2 + inner.size
    real = heads != tails  # self-loops carry no flow
    net_u = np.concatenate([heads[real], entry[inner], np.full(src.size, n), tgt])
    net_v = np.concatenate([entry[tails[real]], inner, src, np.full(tgt.size, n + 1)])
    net_c = np.concatenate([cap[real], node_cap[inner], supply, demand])

    pair_flow = _solve(big_n, net_u, net_v, net_c, n, n + 1)

    # spread each pair's net flow over its parallel arcs, in adjacency order
    arc_flow = np.zeros(m)
    real_arcs = np.flatnonzero(real)
    if real_arcs.size:
        u, v = heads[real_arcs], entry[tails[real_arcs]]
        key = u * big_n + v
        order = np.argsort(key, kind="stable")
        key_sorted = key[order]
        starts = np.flatnonzero(np.r_[True, key_sorted[1:] != key_sorted[:-1]])
        group = np.repeat(np.arange(starts.size), np.diff(np.r_[starts, key_sorted.size]))
        arcs_sorted = real_arcs[order]
        c = cap[arcs_sorted]
        before = np.cumsum(c) - c
        before -= before[starts][group]  # capacity of the earlier parallel arcs
        total = _lookup(pair_flow, key_sorted[starts])[group]
        arc_flow[arcs_sorted] = np.clip(total - before, 0.0, c)
    into_t = float(_lookup(pair_flow, tgt * big_n + n + 1).sum())
    rows = np.flatnonzero(arc_flow > FLOW_TOLERANCE)
    return MaxFlow(heads[rows], tails[rows], arc_flow[rows], rows, arc_flow, into_t)


def _lookup(pair_flow: tuple[np.ndarray, np.ndarray], keys: np.ndarray) -> np.ndarray:
    """The net flow of the node pairs ``keys`` (0 for pairs without flow)."""
    known, value = pair_flow
    at = np.minimum(np.searchsorted(known, keys), max(known.size - 1, 0))
    if known.size == 0:
        return np.zeros(keys.size)
    return np.where(known[at] == keys, value[at], 0.0)


def _net(keys: np.ndarray, flows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sum ``flows`` per key; keep the positive sums, sorted by key."""
    unique, inverse = np.unique(keys, return_inverse=True)
    total = np.bincount(inverse, weights=flows, minlength=unique.size)
    keep = total > 0
    return unique[keep], total[keep]


def _solve(
    big_n: int, u: np.ndarray, v: np.ndarray, c: np.ndarray, s: int, t: int
) -> tuple[np.ndarray, np.ndarray]:
    """Net positive flow per node pair ``u * big_n + v`` of a maximum ``s``-``t`` flow."""
    integral = bool((c == np.rint(c)).all()) and float(c.sum()) <= _INT32_LIMIT
    if integral:
        return _solve_scipy(big_n, u, v, c, s, t)
    return _solve_dinic(big_n, u, v, c, s, t)


def _solve_scipy(
    big_n: int, u: np.ndarray, v: np.ndarray, c: np.ndarray, s: int, t: int
) -> tuple[np.ndarray, np.ndarray]:
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_flow

    checkpoint()
    matrix = csr_matrix((c.astype(np.int32), (u, v)), shape=(big_n, big_n))  # parallel: summed
    matrix.sum_duplicates()
    flow = maximum_flow(matrix, s, t, method="dinic").flow.tocoo()
    keys = flow.row.astype(np.int64) * big_n + flow.col
    return _net(keys, flow.data.astype(np.float64))


def _solve_dinic(
    big_n: int, u: np.ndarray, v: np.ndarray, c: np.ndarray, s: int, t: int
) -> tuple[np.ndarray, np.ndarray]:
    """Dinic's algorithm in floating point: arc ``2i`` is ``u[i] -> v[i]``, ``2i + 1`` its
    reverse; a residual capacity counts when above ``1e-12`` times the largest capacity."""
    k = u.size
    frm = np.empty(2 * k, dtype=np.int64)
    to = np.empty(2 * k, dtype=np.int64)
    frm[0::2], frm[1::2] = u, v
    to[0::2], to[1::2] = v, u
    residual = np.zeros(2 * k)
    residual[0::2] = c
    eps = 1e-12 * max(1.0, float(c.max()) if k else 1.0)
    order = np.argsort(frm, kind="stable")
    ptr = np.searchsorted(frm[order], np.arange(big_n + 1))
    adj = order.tolist()
    to_l = to.tolist()
    res = residual.tolist()
    ptr_l = ptr.tolist()
    while True:
        checkpoint()
        level = [-1] * big_n
        level[s] = 0
        queue = deque([s])
        while queue:
            x = queue.popleft()
            for j in range(ptr_l[x], ptr_l[x + 1]):
                e = adj[j]
                y = to_l[e]
                if level[y] < 0 and res[e] > eps:
                    level[y] = level[x] + 1
                    queue.append(y)
        if level[t] < 0:
            break
        current = ptr_l[:-1]
        while True:  # blocking flow: augmenting paths along the level graph, current-arc DFS
            path: list[int] = []
            x = s
            while x != t:
                advanced = False
                while current[x] < ptr_l[x + 1]:
                    e = adj[current[x]]
                    y = to_l[e]
                    if res[e] > eps and level[y] == level[x] + 1:
                        path.append(e)
                        x = y
                        advanced = True
                        break
                    current[x] += 1
                if not advanced:
                    if x == s:
                        break
                    level[x] = -1  # dead end
                    e = path.pop()
                    x = to_l[e ^ 1]
                    current[x] += 1
            if x != t:
                break
            push = min(res[e] for e in path)
            for e in path:
                res[e] -= push
                res[e ^ 1] += push
    flow_arr = c - np.asarray(res[0::2])  # flow on each forward arc
    keys = np.concatenate([u * big_n + v, v * big_n + u])
    return _net(keys, np.concatenate([flow_arr, -flow_arr]))
