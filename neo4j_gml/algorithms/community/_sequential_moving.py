"""Sequential Louvain local moving, compiled with numba: the CPU kernel under Louvain.

The classic Blondel et al. pass: nodes in a random order, each moved at once to the neighbouring
community of largest gain ``w(v, c) - gamma * k_v * K_c / m2`` (``K_c`` without ``v``) when that
beats staying, community volumes updated after every move. It works on a
:class:`~neo4j_gml.algorithms.community._modularity_opt.LevelGraph` (conventions there) whose
arcs are sorted by source, so the level-graph code, aggregation and modularity are shared with
the torch kernels. Each move raises the modularity by ``2 (gain_new - gain_stay) / m2``, so a
pass never lowers it and needs no undo (unlike the semi-synchronous torch pass).

One pass is one compiled call that releases the GIL; the cancel checkpoint runs between passes.
"""

from __future__ import annotations

import numba
import numpy as np
import torch

from neo4j_gml.algorithms.community._modularity_opt import LevelGraph
from neo4j_gml.core.cancellation import checkpoint

__all__ = ["level_csr", "neighbour_weights", "sequential_local_moving"]


@numba.njit(nogil=True, cache=True)
def neighbour_weights(
    v: int,
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    comm: np.ndarray,
    acc: np.ndarray,
    stamp: np.ndarray,
    touched: np.ndarray,
    mark: int,
) -> int:  # pragma: no cover - compiled
    """The weight from ``v`` to each neighbouring community: ``acc[c]`` for the ``c`` listed in
    ``touched[:count]`` (returned), valid while ``stamp[c] == mark`` (``mark`` new per call, so
    nothing needs clearing between nodes)."""
    count = 0
    for p in range(indptr[v], indptr[v + 1]):
        c = comm[indices[p]]
        if stamp[c] != mark:
            stamp[c] = mark
            acc[c] = 0.0
            touched[count] = c
            count += 1
        acc[c] += weights[p]
    return count


@numba.njit(nogil=True, cache=True)
def _pass(
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    kdeg: np.ndarray,
    comm: np.ndarray,
    sigma: np.ndarray,
    order: np.ndarray,
    gamma: float,
    m2: float,
    acc: np.ndarray,
    stamp: np.ndarray,
    touched: np.ndarray,
) -> tuple[int, float]:  # pragma: no cover - compiled
    moves = 0
    gained = 0.0
    scale = gamma / m2
    for i in range(order.shape[0]):
        v = order[i]
        if indptr[v] == indptr[v + 1]:
            continue
        mark = i + 1  # stamp of this visit
        nt = neighbour_weights(v, indptr, indices, weights, comm, acc, stamp, touched, mark)
        own = comm[v]
        kv = kdeg[v]
        sigma[own] -= kv
        w_own = acc[own] if stamp[own] == mark else 0.0
        stay = w_own - scale * kv * sigma[own]
        best = stay
        target = own
        for t in range(nt):
            c = touched[t]
            if c == own:
                continue
            gain = acc[c] - scale * kv * sigma[c]
            if gain > best or (gain == best and target != own and c < target):
                best = gain
                target = c
        if target != own and best > stay + 1e-10 * (abs(stay) + 1.0):
            sigma[target] += kv
            comm[v] = target
            moves += 1
            gained += best - stay
        else:
            sigma[own] += kv
    return moves, 2.0 * gained / m2


def level_csr(g: LevelGraph) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(indptr, indices, weights)`` of a CPU level graph's arcs, grouped by source (NumPy, as
    the compiled kernels take them)."""
    src = g.src.numpy()
    dst, w = g.dst.numpy(), g.w.numpy()
    if src.size > 1 and bool(np.any(src[1:] < src[:-1])):
        order = np.argsort(src, kind="stable")
        src, dst, w = src[order], dst[order], w[order]
    indptr = np.zeros(g.n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=g.n), out=indptr[1:])
    return indptr, np.ascontiguousarray(dst, dtype=np.int64), np.ascontiguousarray(w)


def sequential_local_moving(
    g: LevelGraph,
    comm: torch.Tensor,
    *,
    gamma: float,
    m2: float,
    max_passes: int,
    tolerance: float,
    generator: torch.Generator,
) -> tuple[torch.Tensor, int, bool]:
    """Sequential local moving on a CPU level graph, pass after pass.

    Stops after ``max_passes`` passes, when a pass moves nobody, or when a pass raises the
    modularity by less than ``tolerance``. Same contract as
    :func:`~neo4j_gml.algorithms.community._modularity_opt.local_moving`: returns the new
    ``comm`` (ids are node positions of this level), the passes run and whether any node moved.
    """
    n = g.n
    comm = comm.clone()
    if n == 0 or g.src.numel() == 0 or m2 <= 0:
        return comm, 0, False
    indptr, indices, weights = level_csr(g)
    kdeg = g.kdeg.numpy()
    labels = comm.numpy()  # shares memory with the returned tensor
    sigma = np.bincount(labels, weights=kdeg, minlength=n).astype(np.float64)
    acc = np.zeros(n, dtype=np.float64)
    stamp = np.zeros(n, dtype=np.int64)
    touched = np.zeros(n, dtype=np.int64)
    passes = 0
    moved_any = False
    for _ in range(max_passes):
        checkpoint()
        passes += 1
        order = torch.randperm(n, generator=generator).numpy()
        stamp[:] = 0
        moves, gained = _pass(
            indptr, indices, weights, kdeg, labels, sigma, order, gamma, m2, acc, stamp, touched
        )
        if moves == 0:
            break
        moved_any = True
        if gained < tolerance:
            break
    return comm, passes, moved_any
