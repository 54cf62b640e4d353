"""Modularity optimisation (one level), as GDS's ``gds.modularityOptimization``.

GDS (after Lu, Halappanavar and Kalyanaraman) colours the graph with K-1 colouring (at most 5
rounds), then sweeps the colours in order: all nodes of one colour at once move to the
neighbouring community of largest positive modularity gain (ties: the smallest community id),
and the community volumes are updated before the next colour. Nodes of one colour are not
neighbours, so no two simultaneous moves see each other's community change. A sweep over all
colours is one iteration; after each the modularity is computed, and the run stops when an
iteration does not raise it by more than ``tolerance`` (the first iteration always counts as a
rise) or after ``maxIterations`` iterations. There is no aggregation: this is one Louvain level
moved colour by colour.

Two back ends make the same moves: on CUDA (or with ``backend='torch'``) a colour class is one
call of the vectorised move kernel of :mod:`._modularity_opt` (the one under Louvain and
Leiden), ``O(m log m)`` per sweep in a handful of kernels per colour; on the CPU a sweep is one
numba-compiled call, ``O(m)``, that decides a whole colour from the state before it and then
applies the moves, as the torch kernel does (the two agree exactly where the weights' sums are
exact, e.g. unweighted; otherwise up to the order of floating-point additions).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import torch

from neo4j_gml.algorithms.community._modularity_opt import LevelGraph, _move_bucket
from neo4j_gml.algorithms.community._sequential_moving import level_csr, neighbour_weights
from neo4j_gml.algorithms.community.k1coloring import color_arcs
from neo4j_gml.algorithms.community.metrics import undirected_arcs
from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.graph import Graph

__all__ = [
    "BACKENDS",
    "COLORING_MAX_ITERATIONS",
    "ModularityOptimization",
    "modularity_optimization",
]

BACKENDS = ("auto", "torch", "numba")

#: K-1 colouring rounds before the sweeps (GDS's ``K1COLORING_MAX_ITERATIONS``)
COLORING_MAX_ITERATIONS = 5


@dataclass
class ModularityOptimization:
    """Result of :func:`modularity_optimization`.

    Attributes
    ----------
    communities : torch.Tensor
        ``int64[n]`` community id per node, as GDS reports it (see
        :func:`modularity_optimization`).
    modularity : float
        Modularity of ``communities``.
    ran_iterations : int
        Sweeps over all colours (GDS's ``ranIterations``).
    did_converge : bool
        Whether a sweep failed to raise the modularity by more than the tolerance before
        ``max_iterations`` sweeps.
    color_count : int
        Colours of the K-1 colouring the sweeps went through.
    """

    communities: torch.Tensor
    modularity: float
    ran_iterations: int
    did_converge: bool
    color_count: int


@numba.njit(nogil=True, cache=True)
def _sweep(
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    kdeg: np.ndarray,
    comm: np.ndarray,
    sigma: np.ndarray,
    size: np.ndarray,
    nodes: np.ndarray,
    bounds: np.ndarray,
    m2: float,
    acc: np.ndarray,
    stamp: np.ndarray,
    touched: np.ndarray,
    target: np.ndarray,
    single: np.ndarray,
    owner: np.ndarray,
    leaving: np.ndarray,
    mark: int,
) -> tuple[int, int]:  # pragma: no cover - compiled
    """One sweep: every colour class (``nodes[bounds[k]:bounds[k + 1]]``) decided from the state
    before it, then moved; the same decisions as ``_modularity_opt._move_bucket``. ``mark`` is
    the last stamp used; returns the moves and the new last stamp."""
    moves = 0
    for k in range(bounds.shape[0] - 1):
        lo, hi = bounds[k], bounds[k + 1]
        for i in range(lo, hi):
            v = nodes[i]
            target[i] = -1
            if indptr[v] == indptr[v + 1]:
                continue
            mark += 1
            nt = neighbour_weights(v, indptr, indices, weights, comm, acc, stamp, touched, mark)
            own = comm[v]
            kv = kdeg[v]
            w_own = acc[own] if stamp[own] == mark else 0.0
            stay = w_own - 1.0 * kv * (sigma[own] - kv) / m2
            best = -np.inf
            tgt = -1
            for t in range(nt):
                c = touched[t]
                if c == own:
                    continue
                gain = acc[c] - 1.0 * kv * sigma[c] / m2
                if gain > best or (gain == best and c < tgt):
                    best = gain
                    tgt = c
            if tgt >= 0 and best > stay + 1e-10 * (abs(stay) + 1.0):
                target[i] = tgt
        # a moving singleton may not join another moving singleton of a larger id (the torch
        # kernel's swap rule; it can bite only where the colouring left a conflict)
        for i in range(lo, hi):
            own = comm[nodes[i]]
            owner[i] = own
            single[i] = target[i] >= 0 and size[own] == 1
            if single[i]:
                leaving[own] = True
        for i in range(lo, hi):
            t = target[i]
            if t < 0:
                continue
            v = nodes[i]
            own = comm[v]
            if single[i] and leaving[t] and t > own:
                continue
            kv = kdeg[v]
            comm[v] = t
            sigma[own] -= kv
            sigma[t] += kv
            size[own] -= 1
            size[t] += 1
            moves += 1
        for i in range(lo, hi):
            if single[i]:
                leaving[owner[i]] = False
    return moves, mark


@numba.njit(nogil=True, cache=True)
def _quality(
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    kdeg: np.ndarray,
    loops: float,
    comm: np.ndarray,
    volume: np.ndarray,
    m2: float,
) -> float:  # pragma: no cover - compiled
    """Modularity of ``comm`` (``LevelGraph.quality`` with resolution 1, in one pass)."""
    inside = 0.0
    volume[:] = 0.0
    for v in range(indptr.shape[0] - 1):
        c = comm[v]
        volume[c] += kdeg[v]
        for p in range(indptr[v], indptr[v + 1]):
            if comm[indices[p]] == c:
                inside += weights[p]
    squares = 0.0
    for c in range(volume.shape[0]):
        squares += volume[c] * volume[c]
    return (inside + loops) / m2 - squares / (m2 * m2)


def _pick_backend(graph: Graph, backend: str) -> str:
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    if backend == "numba" and graph.device.type != "cpu":
        raise ValueError("backend 'numba' needs the graph on the CPU")
    if backend == "auto":
        return "numba" if graph.device.type == "cpu" else "torch"
    return backend


def _labels(seeds: torch.Tensor | None, node_ids: torch.Tensor) -> torch.Tensor | None:
    """GDS's seed labels: the seed value, or (unseeded) the Neo4j id + the largest seed."""
    if seeds is None:
        return None
    seeds = seeds.to(node_ids.device, torch.float64)
    seeded = ~torch.isnan(seeds)
    if bool((seeds[seeded] < 0).any()):
        raise ValueError("seed values must be non-negative")
    top = int(seeds[seeded].max().item()) if bool(seeded.any()) else 0
    return torch.where(seeded, seeds.nan_to_num(0.0).to(torch.long), node_ids.to(torch.long) + top)


def _initial(labels: torch.Tensor | None, n: int, device: torch.device) -> torch.Tensor:
    """Starting communities: one per node, or one per label (named by its first node)."""
    if labels is None:
        return torch.arange(n, device=device)
    _, inverse = torch.unique(labels, return_inverse=True)
    first = torch.full((int(inverse.max()) + 1,), n, dtype=torch.long, device=device)
    first = first.scatter_reduce(0, inverse, torch.arange(n, device=device), reduce="amin")
    return first[inverse]


def modularity_optimization(
    graph: Graph,
    *,
    weighted: bool = True,
    max_iterations: int = 10,
    tolerance: float = 1e-4,
    seeds: torch.Tensor | None = None,
    backend: str = "auto",
) -> ModularityOptimization:
    """One level of parallel modularity optimisation, colour by colour, as GDS computes it.

    Works on the undirected view of ``graph`` (a ``NATURAL``/``REVERSE`` graph is symmetrised
    as for Louvain: see :func:`~neo4j_gml.algorithms.community.metrics.undirected_arcs`). Every
    node starts alone (or with the nodes of its seed); the module docstring describes the
    sweeps. A move's gain is GDS's
    ``(e_iy - e_ix) / m + k_i (a_x - a_y) / (2 m^2)`` (``e`` the weight from ``i`` into a
    community, ``a`` a community's volume without ``i``); a node moves only for a positive gain.

    Parameters
    ----------
    graph : Graph
        The graph; weights (non-negative, finite) used when ``weighted``.
    weighted : bool
        Use the relationship weights.
    max_iterations : int
        Most sweeps over the colours (at least 1).
    tolerance : float
        A sweep that raises the modularity by no more than this ends the run.
    seeds : torch.Tensor or None
        ``float64[n]`` initial community per node, ``NaN`` for none (GDS's ``seedProperty``);
        values must be non-negative.
    backend : str
        ``'auto'`` (numba on the CPU, torch elsewhere), ``'torch'`` or ``'numba'`` (module
        docstring).

    Returns
    -------
    ModularityOptimization
        Communities, their modularity and the run facts.

    Raises
    ------
    ValueError
        ``max_iterations`` below 1, a negative seed, an unknown ``backend``, or ``'numba'``
        for a graph that is not on the CPU.

    Notes
    -----
    Community ids are GDS's: without seeds, the position (GDS's internal id) of the node whose
    starting community it is; with seeds, that community's seed value, and for a community
    started by an unseeded node its Neo4j id plus the largest seed value. A sweep that lowers
    the modularity is kept and ends the run, as in GDS. The colour classes are those of
    :func:`~neo4j_gml.algorithms.community.k1coloring.k1_coloring` (walked by degree, where GDS
    walks by id), so on large graphs the partition can differ from GDS's while being of the
    same kind; GDS's documented example and unit-test graph give GDS's partitions. GDS runs a
    ``NATURAL`` projection on its out-arcs only; here it is symmetrised, as Louvain is. Time
    ``O(m log m)`` per sweep on the torch path, ``O(m)`` with numba.

    References
    ----------
    H. Lu, M. Halappanavar, A. Kalyanaraman, "Parallel heuristics for scalable community
    detection", Parallel Computing 47 (2015) 19-37; GDS manual, Modularity Optimization.

    Examples
    --------
    >>> g = Graph.from_edges([0, 0, 0, 1, 1, 2, 5], [1, 4, 5, 2, 3, 4, 3],
    ...                      [0.01, 5.0, 5.0, 5.0, 5.0, 0.01, 0.01],
    ...                      orientation="UNDIRECTED")  # GDS's documentation example
    >>> r = modularity_optimization(g)
    >>> r.communities.tolist(), r.ran_iterations, r.did_converge
    ([4, 1, 1, 1, 4, 4], 2, True)
    """
    if max_iterations < 1:
        raise ValueError(f"max_iterations must be at least 1, got {max_iterations}")
    n = graph.num_nodes
    dev = graph.device
    labels = _labels(seeds, graph.node_ids)
    comm = _initial(labels, n, dev)
    chosen = _pick_backend(graph, backend)
    src, dst, w = undirected_arcs(graph, weighted=weighted)
    coloring = color_arcs(src, dst, n, max_iterations=COLORING_MAX_ITERATIONS, backend=chosen)
    level = LevelGraph.from_arcs(src, dst, w, n)
    m2 = float(w.sum().item())
    if chosen == "numba":
        ran, converged, quality = _sweeps_numba(
            level, comm, coloring.colors, m2, max_iterations, tolerance
        )
    else:
        ran, converged, quality = _sweeps_torch(
            level, comm, coloring.colors, m2, max_iterations, tolerance
        )
    ids = comm if labels is None else labels[comm]
    return ModularityOptimization(ids, quality, ran, converged, coloring.color_count)


def _stop(sweep: int, before: float, after: float, tolerance: float) -> bool:
    """GDS's test after a sweep: the first always counts as a rise; later ones must raise the
    modularity by more than ``tolerance``."""
    return sweep > 0 and not (after > before and abs(after - before) > tolerance)


def _sweeps_torch(
    level: LevelGraph,
    comm: torch.Tensor,
    colors: torch.Tensor,
    m2: float,
    max_iterations: int,
    tolerance: float,
) -> tuple[int, bool, float]:
    """Sweeps with the torch move kernel, one call per colour; updates ``comm`` in place and
    returns ``(ran, converged, modularity)``."""
    n, dev = level.n, comm.device
    quality = level.quality(comm, 1.0, m2)
    sigma = torch.zeros(n, dtype=torch.float64, device=dev).index_add_(0, comm, level.kdeg)
    size = torch.bincount(comm, minlength=n)
    # the arcs grouped by their source's colour, colours in increasing order (contiguous
    # slices gather faster than scattered ones)
    color_of_arc = colors[level.src]
    order = torch.argsort(color_of_arc, stable=True)
    level = LevelGraph(level.src[order], level.dst[order], level.w[order], level.loop, level.kdeg)
    arcs = torch.arange(order.numel(), device=dev)
    bounds = torch.bincount(color_of_arc).cumsum(0).tolist() if m2 > 0 else []
    for sweep in range(max_iterations):
        start = 0
        for end in bounds:
            checkpoint()
            if end > start:
                _move_bucket(level, arcs[start:end], comm, sigma, size, 1.0, m2, n)
            start = end
        before, quality = quality, level.quality(comm, 1.0, m2)
        if _stop(sweep, before, quality, tolerance):
            return sweep + 1, True, quality
    return max_iterations, False, quality


def _sweeps_numba(
    level: LevelGraph,
    comm: torch.Tensor,
    colors: torch.Tensor,
    m2: float,
    max_iterations: int,
    tolerance: float,
) -> tuple[int, bool, float]:
    """Sweeps with the compiled kernel (CPU), one call per sweep; same contract as
    :func:`_sweeps_torch`."""
    n = level.n
    quality = level.quality(comm, 1.0, m2)
    indptr, indices, weights = level_csr(level)
    kdeg = level.kdeg.numpy()
    labels = comm.numpy()  # shares memory with comm
    sigma = np.bincount(labels, weights=kdeg, minlength=n).astype(np.float64)
    size = np.bincount(labels, minlength=n).astype(np.int64)
    nodes = np.argsort(colors.numpy(), kind="stable").astype(np.int64)
    bounds = np.zeros(int(colors.max()) + 2 if n else 1, dtype=np.int64)
    if n:
        np.cumsum(np.bincount(colors.numpy()), out=bounds[1:])
    if m2 <= 0:
        bounds = bounds[:1]
    acc = np.zeros(n, dtype=np.float64)
    stamp = np.zeros(n, dtype=np.int64)
    touched = np.zeros(n, dtype=np.int64)
    target = np.zeros(n, dtype=np.int64)
    single = np.zeros(n, dtype=np.bool_)
    owner = np.zeros(n, dtype=np.int64)
    leaving = np.zeros(n, dtype=np.bool_)
    loops = float(level.loop.sum())
    mark = 0
    for sweep in range(max_iterations):
        checkpoint()
        _, mark = _sweep(
            indptr, indices, weights, kdeg, labels, sigma, size, nodes, bounds, m2,
            acc, stamp, touched, target, single, owner, leaving, mark,
        )  # fmt: skip
        before = quality
        if m2 > 0:
            quality = _quality(indptr, indices, weights, kdeg, loops, labels, acc, m2)
        if _stop(sweep, before, quality, tolerance):
            return sweep + 1, True, quality
    return max_iterations, False, quality
