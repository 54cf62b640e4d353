"""Louvain and Leiden modularity optimisation, with CPU back ends and a torch back end.

``backend='auto'`` runs, when the graph is on the CPU, Louvain's sequential local moving
compiled with numba (:mod:`._sequential_moving`; ``'numba'``) and Leiden on igraph (C code);
on CUDA it runs the vectorised torch kernels of :mod:`._modularity_opt`, and a CUDA graph never
silently falls back to the CPU. ``backend='torch'`` forces the torch path anywhere (this is how
the tests check it on CPU); ``backend='igraph'`` runs igraph's ``community_multilevel`` for
Louvain. The numba and torch paths honour GDS's ``maxIterations`` and ``tolerance``; igraph does
not take them: it runs its own passes to convergence (Louvain levels beyond ``maxLevels`` are
cut off; Leiden iterates until stable). On the CPU, features igraph lacks use another path:
Louvain with ``seeds`` on ``backend='igraph'`` is refused (igraph's multilevel takes no initial
partition) and Leiden with ``include_intermediate`` runs on torch (igraph reports no levels).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from neo4j_gml.algorithms.community import _igraph_calls
from neo4j_gml.algorithms.community._modularity_opt import (
    LevelGraph,
    dense_ids,
    local_moving,
    refine,
)
from neo4j_gml.algorithms.community._sequential_moving import sequential_local_moving
from neo4j_gml.algorithms.community.metrics import modularity, undirected_arcs
from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.graph import Graph
from neo4j_gml.core.isolated import call_isolated

__all__ = ["BACKENDS", "Communities", "apply_seeds", "leiden", "louvain"]

BACKENDS = ("auto", "torch", "igraph", "numba")


@dataclass
class Communities:
    """Result of a community detection run.

    Attributes
    ----------
    communities : torch.Tensor
        ``int64[n]`` final community id per node.
    levels : list of torch.Tensor
        ``int64[n]`` ids per level (intermediate communities; the last equals the final ids up to
        seeding).
    modularities : list of float
        Modularity after each level.
    ran_levels : int
        Number of levels run.
    ran_iterations : int
        Local-moving passes summed over levels (numba and torch paths; igraph reports 0).
    did_converge : bool
        ``False`` when the level or pass limit cut the run short.
    backend : str
        ``'igraph'``, ``'numba'`` or ``'torch'``.
    """

    communities: torch.Tensor
    levels: list[torch.Tensor] = field(default_factory=list)
    modularities: list[float] = field(default_factory=list)
    ran_levels: int = 0
    ran_iterations: int = 0
    did_converge: bool = True
    backend: str = "torch"

    @property
    def modularity(self) -> float:
        """The modularity of the final level (``0.0`` when no level ran)."""
        return self.modularities[-1] if self.modularities else 0.0


def _pick_backend(graph: Graph, backend: str, on_cpu: str) -> str:
    """The back end to run: ``on_cpu`` is what ``'auto'`` picks for a CPU graph."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    if backend in ("igraph", "numba") and graph.device.type != "cpu":
        raise ValueError(f"backend {backend!r} needs the graph on the CPU")
    if backend == "auto":
        return on_cpu if graph.device.type == "cpu" else "torch"
    return backend


def apply_seeds(final: torch.Tensor, seeds: torch.Tensor | None) -> torch.Tensor:
    """GDS's seeded community ids: a community keeps the smallest seed value among its members.

    When several final communities would keep the same seed (a seed group was split), the one
    with the smallest internal id keeps it; those and communities without any seeded member get
    fresh ids above the largest seed. Without seeds, ids are renumbered ``0..k-1``.

    Parameters
    ----------
    final : torch.Tensor
        ``int64[n]`` community id per node (any ids).
    seeds : torch.Tensor or None
        ``float64[n]`` seed value per node, ``NaN`` for unseeded nodes (GDS's ``seedProperty``).

    Returns
    -------
    torch.Tensor
        ``int64[n]`` community ids as GDS reports them.

    References
    ----------
    GDS manual, Louvain (seeding, ``seedProperty``).

    Examples
    --------
    >>> final = torch.tensor([5, 5, 7, 7, 9])
    >>> apply_seeds(final, None).tolist()
    [0, 0, 1, 1, 2]
    >>> nan = float("nan")
    >>> apply_seeds(final, torch.tensor([nan, 3.0, nan, nan, 1.0])).tolist()
    [3, 3, 4, 4, 1]
    """
    dense, k = dense_ids(final)
    if seeds is None:
        return dense
    seeds = seeds.to(final.device, torch.float64)
    seeded = ~torch.isnan(seeds)
    if not bool(seeded.any()):
        return dense
    inf = torch.full((k,), float("inf"), dtype=torch.float64, device=final.device)
    best = inf.scatter_reduce(0, dense[seeded], seeds[seeded], reduce="amin")
    has = ~torch.isinf(best)
    # the first community (by dense id) holding a seed value keeps it
    order = torch.argsort(torch.where(has, best, inf), stable=True)
    sorted_best = best[order]
    dup = torch.zeros(k, dtype=torch.bool, device=final.device)
    if k > 1:
        dup[order[1:]] = (sorted_best[1:] == sorted_best[:-1]) & has[order[1:]]
    keep = has & ~dup
    top = float(seeds[seeded].max().item())
    fresh = top + 1 + torch.cumsum((~keep).to(torch.float64), 0) - 1
    ids = torch.where(keep, best, fresh)
    return ids[dense].to(torch.long)


def _seed_partition(seeds: torch.Tensor | None, n: int, device: torch.device) -> torch.Tensor:
    """Initial communities: nodes with equal seed values together, unseeded nodes alone."""
    if seeds is None:
        return torch.arange(n, device=device)
    seeds = seeds.to(device, torch.float64)
    seeded = ~torch.isnan(seeds)
    comm = torch.arange(n, device=device)
    if bool(seeded.any()):
        pos = seeded.nonzero().reshape(-1)
        _, inv = torch.unique(seeds[pos], return_inverse=True)
        first = torch.full((int(inv.max()) + 1,), n, dtype=torch.long, device=device)
        first = first.scatter_reduce(0, inv, pos, reduce="amin")
        comm[pos] = first[inv]
    return comm


#: Above this many undirected edges igraph runs in a child process: it holds the GIL for its
#: whole call, which would stop every other thread (the service's event loop, the other job) and
#: keep a cancel from reaching it. Below, the call is short and a child's start-up (about a
#: second) would dominate.
ISOLATE_ABOVE_EDGES = 200_000


def _igraph_input(
    src: torch.Tensor, dst: torch.Tensor, w: torch.Tensor
) -> tuple[np.ndarray, np.ndarray]:
    """Undirected edges (each once) and weights for igraph; a self-loop is two arcs, each an
    igraph loop of half the weight."""
    keep = src <= dst
    s, d, x = src[keep], dst[keep], w[keep].clone()
    x[s == d] *= 0.5
    edges = torch.stack([s, d], 1).cpu().numpy().astype(np.int64)
    return edges, x.cpu().numpy().astype(np.float64)


def louvain(
    graph: Graph,
    *,
    weighted: bool = True,
    max_levels: int = 10,
    max_iterations: int = 10,
    tolerance: float = 1e-4,
    seeds: torch.Tensor | None = None,
    gamma: float = 1.0,
    random_seed: int = 0,
    backend: str = "auto",
) -> Communities:
    """Louvain modularity optimisation on the undirected view of ``graph``.

    Each level moves nodes to the neighbouring community with the largest modularity gain until
    a pass gains less than ``tolerance`` (at most ``max_iterations`` passes), then collapses every
    community into one node; levels repeat until nothing merges, the modularity gain of a level
    is below ``tolerance``, or ``max_levels`` levels ran. A directed graph is symmetrised (see
    :func:`~neo4j_gml.algorithms.community.metrics.undirected_arcs`); parallel relationships add
    up and self-loops count twice in degrees, as in NetworkX.

    Parameters
    ----------
    graph : Graph
        The graph; weights (non-negative, finite) used when ``weighted``.
    weighted : bool
        Use the relationship weights.
    max_levels : int
        Most aggregation levels.
    max_iterations : int
        Most local-moving passes per level (numba and torch paths).
    tolerance : float
        Smallest modularity gain of a pass or level that lets the run go on (numba and torch
        paths).
    seeds : torch.Tensor or None
        ``float64[n]`` initial community per node (``NaN`` = none); final ids keep seed
        values (:func:`apply_seeds`).
    gamma : float
        Resolution.
    random_seed : int
        Seeds node order (every back end), so runs are repeatable.
    backend : str
        ``'auto'``, ``'numba'``, ``'torch'`` or ``'igraph'`` (module docstring).

    Returns
    -------
    Communities
        Final and per-level communities, modularities and run facts.

    Raises
    ------
    ValueError
        An unknown ``backend``, ``'igraph'`` or ``'numba'`` for a graph that is not on the CPU,
        or ``seeds`` with ``'igraph'``.

    Notes
    -----
    Time ``O(m)`` per pass on the numba path (sequential, as Blondel et al.), ``O(m log m)`` on
    the torch path (semi-synchronous buckets), plus ``O(m log m)`` per aggregation.

    References
    ----------
    V. D. Blondel, J.-L. Guillaume, R. Lambiotte, E. Lefebvre, "Fast unfolding of communities in
    large networks", J. Stat. Mech. (2008) P10008; GDS manual, Louvain.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2, 3, 4, 5, 2], [1, 2, 0, 4, 5, 3, 3],
    ...                      orientation="UNDIRECTED")  # two triangles joined by 2 - 3
    >>> r = louvain(g, backend="torch")
    >>> r.communities.tolist(), round(r.modularity, 3)
    ([0, 0, 0, 1, 1, 1], 0.357)
    """
    n = graph.num_nodes
    if n == 0:
        return Communities(torch.zeros(0, dtype=torch.long, device=graph.device))
    src, dst, w = undirected_arcs(graph, weighted=weighted)
    chosen = _pick_backend(graph, backend, on_cpu="numba")
    if chosen == "igraph":
        if seeds is not None:
            raise ValueError("backend 'igraph' takes no seeds (igraph's multilevel starts alone)")
        return _louvain_igraph(src, dst, w, n, max_levels, gamma, random_seed)
    return _multilevel_torch(
        src,
        dst,
        w,
        n,
        leiden=False,
        max_levels=max_levels,
        max_iterations=max_iterations,
        tolerance=tolerance,
        seeds=seeds,
        gamma=gamma,
        theta=0.01,
        random_seed=random_seed,
        mover=sequential_local_moving if chosen == "numba" else local_moving,
    )


def leiden(
    graph: Graph,
    *,
    weighted: bool = True,
    max_levels: int = 10,
    tolerance: float = 1e-4,
    gamma: float = 1.0,
    theta: float = 0.01,
    seeds: torch.Tensor | None = None,
    random_seed: int | None = None,
    include_intermediate: bool = False,
    backend: str = "auto",
) -> Communities:
    """Leiden modularity optimisation on the undirected view of ``graph``.

    Each level: local moving (as Louvain), then refinement, which splits every community into
    well-connected sub-communities by merging singletons (randomness ``theta``), then
    aggregation of the *refined* partition, whose nodes start in their unrefined community on
    the next level. This guarantees connected communities. Stops when nothing aggregates, the
    level's modularity gain is below ``tolerance`` or after ``max_levels`` levels.

    Parameters
    ----------
    graph : Graph
        The graph; weights (non-negative, finite) used when ``weighted``.
    weighted : bool
        Use the relationship weights.
    max_levels : int
        Most aggregation levels (torch path).
    tolerance : float
        Smallest modularity gain of a level that lets the run go on (torch path).
    gamma : float
        Resolution.
    theta : float
        Randomness of the refinement (igraph's ``beta``).
    seeds : torch.Tensor or None
        ``float64[n]`` initial community per node (``NaN`` = none).
    random_seed : int or None
        Seeds the random choices; ``None`` is ``0`` on the torch path.
    include_intermediate : bool
        Keep every level's communities (runs the torch path, as igraph reports no levels).
    backend : str
        ``'auto'``, ``'torch'`` or ``'igraph'`` (module docstring).

    Returns
    -------
    Communities
        Final and per-level communities, modularities and run facts.

    Raises
    ------
    ValueError
        An unknown ``backend``, or ``'igraph'`` for a graph that is not on the CPU.

    Notes
    -----
    The igraph back end calls ``Graph.community_leiden(objective_function='modularity',
    resolution=gamma, beta=theta, n_iterations=1)`` from the last partition until an iteration
    changes nothing (what ``n_iterations=-1`` does, with a cancel checkpoint between); it
    reports one level. Seeds become its ``initial_membership``. Time ``O(m log m)`` per pass on
    the torch path.

    References
    ----------
    V. A. Traag, L. Waltman, N. J. van Eck, "From Louvain to Leiden: guaranteeing well-connected
    communities", Sci. Rep. 9, 5233 (2019); GDS manual, Leiden.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2, 3, 4, 5, 2], [1, 2, 0, 4, 5, 3, 3],
    ...                      orientation="UNDIRECTED")  # two triangles joined by 2 - 3
    >>> r = leiden(g, random_seed=42, backend="torch")
    >>> r.communities.tolist(), round(r.modularity, 3)
    ([0, 0, 0, 1, 1, 1], 0.357)
    """
    n = graph.num_nodes
    if n == 0:
        return Communities(torch.zeros(0, dtype=torch.long, device=graph.device))
    src, dst, w = undirected_arcs(graph, weighted=weighted)
    chosen = _pick_backend(graph, backend, on_cpu="torch" if include_intermediate else "igraph")
    if chosen == "numba":
        raise ValueError("backend 'numba' runs Louvain only; Leiden's CPU back end is 'igraph'")
    if chosen == "igraph":
        return _leiden_igraph(src, dst, w, n, gamma, theta, seeds, random_seed)
    return _multilevel_torch(
        src,
        dst,
        w,
        n,
        leiden=True,
        max_levels=max_levels,
        max_iterations=10,
        tolerance=tolerance,
        seeds=seeds,
        gamma=gamma,
        theta=theta,
        random_seed=0 if random_seed is None else random_seed,
    )


def _louvain_igraph(
    src: torch.Tensor,
    dst: torch.Tensor,
    w: torch.Tensor,
    n: int,
    max_levels: int,
    gamma: float,
    random_seed: int,
) -> Communities:
    edges, weights = _igraph_input(src, dst, w)
    args = (edges, weights, n, gamma, random_seed)
    if len(edges) > ISOLATE_ABOVE_EDGES:  # the child is killed on a cancel
        levels, mods = call_isolated(_igraph_calls.multilevel_levels, *args)
    else:
        levels, mods = _igraph_calls.multilevel_levels(*args)
    tensors = [torch.from_numpy(membership) for membership in levels[:max_levels]]
    mods = mods[:max_levels]
    if not tensors:  # no edges: everybody alone
        tensors = [torch.arange(n)]
        mods = [modularity(src, dst, w, tensors[0], gamma=gamma)]
    return Communities(
        tensors[-1],
        tensors,
        mods,
        ran_levels=len(tensors),
        did_converge=len(levels) <= max_levels,
        backend="igraph",
    )


def _leiden_igraph(
    src: torch.Tensor,
    dst: torch.Tensor,
    w: torch.Tensor,
    n: int,
    gamma: float,
    theta: float,
    seeds: torch.Tensor | None,
    random_seed: int | None,
) -> Communities:
    edges, weights = _igraph_input(src, dst, w)
    initial = None if seeds is None else _seed_partition(seeds, n, src.device).tolist()
    args = (edges, weights, n, gamma, theta, initial, random_seed)
    if len(edges) > ISOLATE_ABOVE_EDGES:  # the child is killed on a cancel
        membership = call_isolated(_igraph_calls.leiden_membership, *args)
    else:  # a checkpoint between iterations
        membership = _igraph_calls.leiden_membership(*args, checkpoint)
    comm = torch.as_tensor(membership, dtype=torch.long)
    mod = modularity(src, dst, w, comm, gamma=gamma)
    return Communities(comm, [comm], [mod], ran_levels=1, backend="igraph")


def _multilevel_torch(
    src: torch.Tensor,
    dst: torch.Tensor,
    w: torch.Tensor,
    n: int,
    *,
    leiden: bool,
    max_levels: int,
    max_iterations: int,
    tolerance: float,
    seeds: torch.Tensor | None,
    gamma: float,
    theta: float,
    random_seed: int,
    mover: Callable[..., tuple[torch.Tensor, int, bool]] = local_moving,
) -> Communities:
    dev = src.device
    gen = torch.Generator(device=dev)
    gen.manual_seed(int(random_seed))
    level = LevelGraph.from_arcs(src, dst, w, n)
    m2 = float(w.sum().item())
    comm = _seed_partition(seeds, n, dev)
    membership = torch.arange(n, device=dev)  # original node -> node of the current level
    levels: list[torch.Tensor] = []
    mods: list[float] = []
    passes_total = 0
    converged = False
    for depth in range(max_levels):
        checkpoint()
        comm, passes, moved = mover(
            level,
            comm,
            gamma=gamma,
            m2=m2,
            max_passes=max_iterations,
            tolerance=tolerance,
            generator=gen,
        )
        passes_total += passes
        dense, k = dense_ids(comm)
        if depth > 0 and not moved and not leiden:
            converged = True
            break
        if depth == 0 or moved:
            levels.append(dense[membership])
            mods.append(level.quality(comm, gamma, m2))
        # Louvain stops on a small gain; Leiden goes on while its refined nodes can merge
        gained = mods[-1] - mods[-2] if len(mods) > 1 and not leiden else float("inf")
        groups, kg = (dense, k)
        if leiden:
            groups, kg = dense_ids(
                refine(level, dense, gamma=gamma, theta=theta, m2=m2, generator=gen)
            )
        if kg == level.n or gained < tolerance:
            converged = True
            break
        # next level: one node per group; it starts in its group's community
        comm = torch.zeros(kg, dtype=torch.long, device=dev).scatter_(0, groups, dense)
        level = level.aggregate(groups, kg)
        membership = groups[membership]
    return Communities(
        levels[-1],
        levels,
        mods,
        ran_levels=len(levels),
        ran_iterations=passes_total,
        did_converge=converged,
        backend="torch" if mover is local_moving else "numba",
    )
