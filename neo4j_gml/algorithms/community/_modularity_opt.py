"""Vectorised modularity optimisation on torch: the kernels under Louvain and Leiden.

Everything here works on a *level graph*: ``n`` nodes, non-loop arcs ``(src, dst, w)`` stored in
both directions, the weight ``loop[v]`` of arcs ``v -> v`` (a self-loop counts twice, as
NetworkX counts it in degrees) and weighted degrees ``kdeg`` (loops included); ``m2`` is the total
arc weight (twice the edge weight). Gains are in relationship-weight units:
``gain(v -> c) = w(v, c) - gamma * k_v * K_c / m2``; dividing by ``m2`` gives modularity.

Sequential Louvain moves one node at a time. Here a *pass* splits the nodes into ``B`` random
buckets (see :func:`_buckets`) and moves all nodes of one bucket at once, bucket after bucket (semi-synchronous
local moving), with community volumes updated between buckets. Two moving singletons of one
bucket may not swap into each other's communities (one joins the other only if that
community's id is smaller), which removes the classic oscillation of fully parallel Louvain.
A pass is ``O(m log m)`` work in a handful of kernels per bucket, the same on CPU and CUDA.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from neo4j_gml.core.cancellation import checkpoint

__all__ = ["NEG_INF", "LevelGraph", "dense_ids", "local_moving", "refine"]

NEG_INF = float("-inf")


@dataclass
class LevelGraph:
    """One level of the multilevel scheme (see the module docstring for the fields)."""

    src: torch.Tensor
    dst: torch.Tensor
    w: torch.Tensor
    loop: torch.Tensor
    kdeg: torch.Tensor

    @property
    def n(self) -> int:
        """Number of nodes of this level."""
        return self.kdeg.numel()

    @classmethod
    def from_arcs(cls, src: torch.Tensor, dst: torch.Tensor, w: torch.Tensor, n: int) -> LevelGraph:
        """Level 0 from a symmetric arc list (parallel arcs kept: they simply add up)."""
        is_loop = src == dst
        loop = torch.zeros(n, dtype=torch.float64, device=w.device)
        loop.index_add_(0, src[is_loop], w[is_loop])
        kdeg = torch.zeros(n, dtype=torch.float64, device=w.device).index_add_(0, src, w)
        keep = ~is_loop
        return cls(src[keep], dst[keep], w[keep], loop, kdeg)

    def quality(self, comm: torch.Tensor, gamma: float, m2: float) -> float:
        """Modularity of ``comm`` on this level graph."""
        if m2 <= 0:
            return 0.0
        inside = self.w[comm[self.src] == comm[self.dst]].sum() + self.loop.sum()
        vol = torch.zeros(self.n, dtype=torch.float64, device=self.w.device)
        vol.index_add_(0, comm, self.kdeg)
        return float((inside / m2 - gamma * (vol * vol).sum() / (m2 * m2)).item())

    def aggregate(self, dense: torch.Tensor, k: int) -> LevelGraph:
        """The graph of the ``k`` groups ``dense`` (``int64[n]`` in ``0..k-1``)."""
        dev = self.w.device
        a, b = dense[self.src], dense[self.dst]
        inner = a == b
        loop = torch.zeros(k, dtype=torch.float64, device=dev).index_add_(0, dense, self.loop)
        loop.index_add_(0, a[inner], self.w[inner])
        kdeg = torch.zeros(k, dtype=torch.float64, device=dev).index_add_(0, dense, self.kdeg)
        a, b, x = a[~inner], b[~inner], self.w[~inner]
        uniq, inv = torch.unique(a * k + b, return_inverse=True)
        w = torch.zeros(uniq.numel(), dtype=torch.float64, device=dev).index_add_(0, inv, x)
        return LevelGraph(uniq // k, uniq % k, w, loop, kdeg)


def _buckets(n: int) -> int:
    """Buckets per pass: at least 32 (nearly sequential moves on small graphs), and about one
    per 200 nodes up to 512, so that under 1% of the nodes move at once on larger graphs (more
    buckets gave higher modularity in the benchmarks at a modest cost in kernel launches)."""
    return max(1, min(n, max(32, min(512, n // 200))))


def local_moving(
    g: LevelGraph,
    comm: torch.Tensor,
    *,
    gamma: float,
    m2: float,
    max_passes: int,
    tolerance: float,
    generator: torch.Generator,
) -> tuple[torch.Tensor, int, bool]:
    """Move nodes to the neighbouring community of largest positive gain, pass after pass.

    Stops after ``max_passes`` passes, when a pass moves nobody, or when a pass raises the
    modularity by less than ``tolerance`` (a pass that lowers it is undone). Returns the new
    ``comm`` (ids are node positions, not dense), the passes run and whether any node moved.
    """
    n = g.n
    dev = g.kdeg.device
    comm = comm.clone()
    if n == 0 or g.src.numel() == 0 or m2 <= 0:
        return comm, 0, False
    sigma = torch.zeros(n, dtype=torch.float64, device=dev).index_add_(0, comm, g.kdeg)
    size = torch.zeros(n, dtype=torch.long, device=dev).index_add_(
        0, comm, torch.ones(n, dtype=torch.long, device=dev)
    )
    quality = g.quality(comm, gamma, m2)
    n_buckets = _buckets(n)
    passes = 0
    moved_any = False
    for _ in range(max_passes):
        checkpoint()
        passes += 1
        before = (comm.clone(), sigma.clone(), size.clone())
        rank = torch.empty(n, dtype=torch.long, device=dev)
        rank[torch.randperm(n, generator=generator, device=dev)] = torch.arange(n, device=dev)
        bucket = rank % n_buckets
        order = torch.sort(bucket[g.src], stable=True).indices
        bounds = torch.bincount(bucket[g.src], minlength=n_buckets).cumsum(0).tolist()
        moves = 0
        start = 0
        for end in bounds:
            if end > start:
                moves += _move_bucket(g, order[start:end], comm, sigma, size, gamma, m2, n)
            start = end
        if moves == 0:
            break
        new_quality = g.quality(comm, gamma, m2)
        if new_quality < quality:  # semi-synchronous moves can overshoot: undo the pass
            comm, sigma, size = before
            break
        moved_any = True
        gained = new_quality - quality
        quality = new_quality
        if gained < tolerance:
            break
    return comm, passes, moved_any


def _move_bucket(
    g: LevelGraph,
    arcs: torch.Tensor,
    comm: torch.Tensor,
    sigma: torch.Tensor,
    size: torch.Tensor,
    gamma: float,
    m2: float,
    n: int,
) -> int:
    """Move the sources of ``arcs`` (one bucket) at once; updates the state in place."""
    dev = comm.device
    s, d, x = g.src[arcs], g.dst[arcs], g.w[arcs]
    uniq, inv = torch.unique(s * n + comm[d], return_inverse=True)
    wic = torch.zeros(uniq.numel(), dtype=torch.float64, device=dev).index_add_(0, inv, x)
    ps, pc = uniq // n, uniq % n
    nodes, seg = torch.unique_consecutive(ps, return_inverse=True)
    kk, own = g.kdeg[nodes], comm[nodes]
    is_own = pc == own[seg]
    w_own = torch.zeros(nodes.numel(), dtype=torch.float64, device=dev)
    w_own.index_add_(0, seg[is_own], wic[is_own])
    stay = w_own - gamma * kk * (sigma[own] - kk) / m2
    gain = torch.where(is_own, NEG_INF, wic - gamma * kk[seg] * sigma[pc] / m2)
    best = torch.full((nodes.numel(),), NEG_INF, dtype=torch.float64, device=dev)
    best = best.scatter_reduce(0, seg, gain, reduce="amax")
    hit = (gain == best[seg]) & ~is_own
    target = torch.full((nodes.numel(),), n, dtype=torch.long, device=dev)
    target = target.scatter_reduce(0, seg[hit], pc[hit], reduce="amin")
    move = (best > stay + 1e-10 * (stay.abs() + 1)) & (target < n)
    # two singletons of this bucket must not swap into each other's community: a moving
    # singleton may join another moving singleton only if that one's community id is smaller
    single = move & (size[own] == 1)
    leaving = torch.zeros(n, dtype=torch.bool, device=dev)
    leaving[own[single]] = True
    move &= ~(single & leaving[target.clamp(max=n - 1)] & (target > own))
    count = int(move.sum().item())
    if count == 0:
        return 0
    mv, old, new, km = nodes[move], own[move], target[move], kk[move]
    comm[mv] = new
    sigma.index_add_(0, old, -km).index_add_(0, new, km)
    ones = torch.ones(count, dtype=torch.long, device=dev)
    size.index_add_(0, old, -ones).index_add_(0, new, ones)
    return count


def refine(
    g: LevelGraph,
    comm: torch.Tensor,
    *,
    gamma: float,
    theta: float,
    m2: float,
    generator: torch.Generator,
    max_rounds: int = 32,
) -> torch.Tensor:
    """Leiden's refinement of ``comm``: merge singletons into well-connected sub-communities.

    Every node starts alone. In each round a random half of the singleton, well-connected,
    not yet visited nodes are *movers*; each mover may join the refined community of a non-mover
    neighbour inside its own community when that refined community is well-connected
    (``E(C, S - C) >= gamma * K_C (K_S - K_C) / m2``) and the gain
    ``w(v, C) - gamma k_v K_C / m2`` is non-negative. Among those targets it picks at random with
    probability proportional to ``exp(gain / theta)`` (Gumbel-max sampling; gains in weight
    units, as leidenalg does). Movers never receive, so no two moves conflict. Sub-communities
    therefore never leave their community, as Leiden requires. Returns refined ids (node
    positions of a member).
    """
    n = g.n
    dev = g.kdeg.device
    refined = torch.arange(n, device=dev)
    if n == 0 or m2 <= 0:
        return refined
    same = comm[g.src] == comm[g.dst]
    s, d, x = g.src[same], g.dst[same], g.w[same]
    k_s = torch.zeros(n, dtype=torch.float64, device=dev).index_add_(0, comm, g.kdeg)
    e_v = torch.zeros(n, dtype=torch.float64, device=dev).index_add_(0, s, x)
    node_ok = e_v >= gamma * g.kdeg * (k_s[comm] - g.kdeg) / m2
    volume = g.kdeg.clone()
    singleton = torch.ones(n, dtype=torch.bool, device=dev)
    visited = torch.zeros(n, dtype=torch.bool, device=dev)
    for _ in range(max_rounds):
        checkpoint()
        cand = singleton & node_ok & ~visited
        if not bool(cand.any()):
            break
        coin = torch.rand(n, generator=generator, device=dev) < 0.5
        mover = cand & coin
        visited |= mover
        sel = mover[s] & ~mover[d]
        if not bool(sel.any()):
            continue
        rs, rd = refined[s], refined[d]
        out = rs != rd
        e_c = torch.zeros(n, dtype=torch.float64, device=dev).index_add_(0, rs[out], x[out])
        comm_ok = e_c >= gamma * volume * (k_s[comm] - volume) / m2
        a, t, y = s[sel], rd[sel], x[sel]
        uniq, inv = torch.unique(a * n + t, return_inverse=True)
        wvc = torch.zeros(uniq.numel(), dtype=torch.float64, device=dev).index_add_(0, inv, y)
        pa, pt = uniq // n, uniq % n
        gain = wvc - gamma * g.kdeg[pa] * volume[pt] / m2
        ok = (gain >= 0) & comm_ok[pt]
        u = torch.rand(uniq.numel(), generator=generator, device=dev, dtype=torch.float64)
        gumbel = -torch.log(-torch.log(u.clamp(1e-300, 1 - 1e-16)))
        score = torch.where(ok, gain / theta + gumbel, NEG_INF)
        best = torch.full((n,), NEG_INF, dtype=torch.float64, device=dev)
        best = best.scatter_reduce(0, pa, score, reduce="amax")
        hit = ok & (score == best[pa])
        choice = torch.full((n,), n, dtype=torch.long, device=dev)
        choice = choice.scatter_reduce(0, pa[hit], pt[hit], reduce="amin")
        moved = (choice < n).nonzero().reshape(-1)
        if moved.numel() == 0:
            continue
        target = choice[moved]
        refined[moved] = target
        volume.index_add_(0, target, g.kdeg[moved])
        volume[moved] = 0.0
        singleton[moved] = False
        singleton[target] = False
    return refined


def dense_ids(comm: torch.Tensor) -> tuple[torch.Tensor, int]:
    """``comm`` renumbered ``0..k-1`` in order of the old ids, and ``k``."""
    ids, dense = torch.unique(comm, return_inverse=True)
    return dense, ids.numel()
