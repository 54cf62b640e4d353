"""Exact k-nearest neighbours over node properties, with GDS kNN's similarity metrics."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import cast

import torch

from neo4j_gml.core.cancellation import checkpoint

__all__ = ["METRICS", "knn", "prepare", "similarity_of_blocks", "similarity_of_pairs"]

METRICS = ("DEFAULT", "COSINE", "EUCLIDEAN", "PEARSON", "JACCARD", "OVERLAP")
_BLOCK_ELEMENTS = 1 << 24  # entries of one float64 (rows x n) similarity block per property
# entries of one float32 (rows x n) score block of the fast path: small blocks stay in the CPU's
# cache (measured best at n = 20k, d = 16); a GPU wants large ones
_BLOCK_ELEMENTS_32 = {"cpu": 1 << 21}
_BLOCK_ELEMENTS_32_OTHER = 1 << 26
_PAIR_CHUNK = 1 << 20  # node pairs scored at once by :meth:`_Property.pairs`


def _as_sets(values: torch.Tensor) -> torch.Tensor:
    """``float64[n, V]`` 0/1 matrix: row ``u`` marks the distinct values of ``values[u]``."""
    uniq, inverse = torch.unique(values, return_inverse=True)
    n = values.shape[0]
    out = torch.zeros(n, uniq.numel(), dtype=torch.float64, device=values.device)
    rows = torch.arange(n, device=values.device)[:, None].expand_as(inverse)
    out[rows.reshape(-1), inverse.reshape(-1)] = 1.0
    return out


def _unit_roundoff() -> float:
    """Unit roundoff of a float32 matmul under torch's current matmul precision setting."""
    precision = torch.get_float32_matmul_precision()
    if precision == "medium":
        return 2.0**-8  # bfloat16 products allowed
    if precision == "high" or torch.backends.cuda.matmul.allow_tf32:
        return 2.0**-11  # TF32 products allowed
    return 2.0**-24


class _Property:
    """One property prepared for similarity computations (blocks of rows, or node pairs)."""

    def __init__(self, values: torch.Tensor, metric: str) -> None:
        x = values.to(torch.float64)
        if x.dim() == 1 or (x.dim() == 2 and x.shape[1] == 1 and metric == "DEFAULT"):
            self.kind, self.x = "SCALAR", x.reshape(-1)
            return
        x = x.flatten(1)
        self.kind = "COSINE" if metric == "DEFAULT" else metric
        if self.kind == "COSINE":
            self.x = torch.nn.functional.normalize(x, dim=1)
        elif self.kind == "PEARSON":
            self.x = torch.nn.functional.normalize(x - x.mean(dim=1, keepdim=True), dim=1)
        elif self.kind == "EUCLIDEAN":
            self.x = x
        else:  # JACCARD / OVERLAP over the distinct values of each list
            self.x = _as_sets(x)
            self.size = self.x.sum(dim=1)

    def cast(self, dtype: torch.dtype) -> _Property:
        """A copy scoring in ``dtype`` (its values and set sizes converted once)."""
        other = copy.copy(self)
        other.x = self.x.to(dtype)
        if hasattr(self, "size"):
            other.size = self.size.to(dtype)
        return other

    @property
    def linear(self) -> bool:
        """Whether the ranking score is a dot product (the float32 fast path applies)."""
        return self.kind in ("COSINE", "PEARSON", "EUCLIDEAN")

    def block(self, rows: torch.Tensor | slice) -> torch.Tensor:
        """``float64[len(rows), n]``: similarity of the given rows to every node."""
        x, xb = self.x, self.x[rows]
        if self.kind == "SCALAR":
            return 1.0 / (1.0 + (xb[:, None] - x[None, :]).abs())
        if self.kind == "COSINE":
            return (xb @ x.T + 1.0) / 2.0
        if self.kind == "PEARSON":
            return (xb @ x.T).clamp(min=0.0)
        if self.kind == "EUCLIDEAN":
            return 1.0 / (1.0 + torch.cdist(xb, x))
        inter = xb @ x.T
        a, b = self.size[rows, None], self.size[None, :]
        den = (a + b - inter) if self.kind == "JACCARD" else torch.minimum(a, b)
        return torch.where(den > 0, inter / den.clamp(min=1e-300), torch.zeros_like(inter))

    def pairs(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """``float[...]`` (the values' dtype): similarity of nodes ``a[i]`` and ``b[i]``."""
        shape = a.shape
        a, b = a.reshape(-1), b.reshape(-1)
        out = torch.empty(a.numel(), dtype=self.x.dtype, device=self.x.device)
        for lo in range(0, a.numel(), _PAIR_CHUNK):
            ia, ib = a[lo : lo + _PAIR_CHUNK], b[lo : lo + _PAIR_CHUNK]
            out[lo : lo + _PAIR_CHUNK] = self._pairs(ia, ib)
        return out.reshape(shape)

    def batch(self, a: torch.Tensor | int, b: torch.Tensor) -> torch.Tensor:
        """``float[C, p, q]`` (the values' dtype): similarity of nodes ``a[c, i]``
        (``long[C, p]``, or an ``int`` ``p``: ``b[:, :p]``, gathered once) and ``b[c, j]``."""
        xb = self._rows(b)
        if isinstance(a, int):
            a, xa = b[:, :a], xb[:, :a]
        else:
            xa = self._rows(a)
        if self.kind == "SCALAR":
            return 1.0 / (1.0 + (xa[:, :, None] - xb[:, None, :]).abs())
        if self.kind == "COSINE":
            return torch.bmm(xa, xb.transpose(1, 2)).add_(1.0).div_(2.0)
        if self.kind == "PEARSON":
            return torch.bmm(xa, xb.transpose(1, 2)).clamp_(min=0.0)
        if self.kind == "EUCLIDEAN":
            dist = torch.cdist(xa, xb, compute_mode="donot_use_mm_for_euclid_dist")
            return 1.0 / (1.0 + dist)
        inter = torch.bmm(xa, xb.transpose(1, 2))
        sa, sb = self.size[a][:, :, None], self.size[b][:, None, :]
        den = (sa + sb - inter) if self.kind == "JACCARD" else torch.minimum(sa, sb)
        return torch.where(den > 0, inter / den.clamp(min=1e-300), torch.zeros_like(inter))

    def _rows(self, a: torch.Tensor) -> torch.Tensor:
        """``self.x[a]`` by ``index_select`` (faster than advanced indexing on CPU)."""
        return self.x.index_select(0, a.reshape(-1)).reshape(*a.shape, *self.x.shape[1:])

    def _pairs(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        xa, xb = self._rows(a), self._rows(b)
        if self.kind == "SCALAR":
            return 1.0 / (1.0 + (xa - xb).abs())
        if self.kind == "COSINE":
            return ((xa * xb).sum(dim=1) + 1.0) / 2.0
        if self.kind == "PEARSON":
            return (xa * xb).sum(dim=1).clamp(min=0.0)
        if self.kind == "EUCLIDEAN":
            return 1.0 / (1.0 + cast(torch.Tensor, (xa - xb).norm(dim=1)))
        inter = (xa * xb).sum(dim=1)
        sa, sb = self.size[a], self.size[b]
        den = (sa + sb - inter) if self.kind == "JACCARD" else torch.minimum(sa, sb)
        return torch.where(den > 0, inter / den.clamp(min=1e-300), torch.zeros_like(inter))


def similarity_of_blocks(
    props: Sequence[_Property], a: torch.Tensor | int, b: torch.Tensor
) -> torch.Tensor:
    """The (averaged) similarity of nodes ``a[c, i]`` and ``b[c, j]``, block by block.

    Parameters
    ----------
    props : sequence of prepared properties
        From :func:`prepare`; their similarities are averaged.
    a : torch.Tensor or int
        ``int64[C, p]`` node positions, or ``p``: the first ``p`` columns of ``b`` (their
        values are then gathered once).
    b : torch.Tensor
        ``int64[C, q]`` node positions.

    Returns
    -------
    torch.Tensor
        ``float[C, p, q]`` in the properties' dtype (float64 unless :func:`prepare` was
        given another).

    References
    ----------
    GDS manual, K-Nearest Neighbors (similarity metrics of node properties).

    Examples
    --------
    >>> x = torch.tensor([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]])
    >>> props = prepare([(x, "EUCLIDEAN")])
    >>> similarity_of_blocks(props, torch.tensor([[0, 2]]), torch.tensor([[1, 3]])).round(
    ...     decimals=3).tolist()
    [[[0.876, 0.44], [0.44, 0.876]]]
    """
    s = props[0].batch(a, b)
    for p in props[1:]:
        s = s + p.batch(a, b)
    return s if len(props) == 1 else s / len(props)


def similarity_of_pairs(
    props: Sequence[_Property], a: torch.Tensor, b: torch.Tensor
) -> torch.Tensor:
    """The (averaged) similarity of nodes ``a[i]`` and ``b[i]``.

    Parameters
    ----------
    props : sequence of prepared properties
        From :func:`prepare`; their similarities are averaged.
    a, b : torch.Tensor
        ``int64`` node positions of the same shape.

    Returns
    -------
    torch.Tensor
        The shape of ``a``, in the properties' dtype (float64 unless :func:`prepare` was
        given another).

    References
    ----------
    GDS manual, K-Nearest Neighbors (similarity metrics of node properties).

    Examples
    --------
    >>> x = torch.tensor([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]])
    >>> props = prepare([(x, "EUCLIDEAN")])  # 1 / (1 + ||a - b||)
    >>> similarity_of_pairs(props, torch.tensor([0, 0]), torch.tensor([1, 2])).round(
    ...     decimals=3).tolist()
    [0.876, 0.414]
    """
    s = props[0].pairs(a, b)
    for p in props[1:]:
        s = s + p.pairs(a, b)
    return s / len(props)


def prepare(
    properties: Sequence[tuple[torch.Tensor, str]], *, dtype: torch.dtype = torch.float64
) -> list[_Property]:
    """The properties ready for :func:`similarity_of_pairs` and :func:`similarity_of_blocks`.

    Parameters
    ----------
    properties : sequence of (torch.Tensor, str)
        ``(values, metric)`` per property, as :func:`knn` takes them.
    dtype : torch.dtype
        Floating type the similarities are computed in (prepared in float64, then converted;
        float32 halves the memory traffic where float64 exactness is not needed).

    Returns
    -------
    list
        One prepared property each (normalised rows for COSINE and PEARSON, value sets for
        JACCARD and OVERLAP).

    Raises
    ------
    ValueError
        No property given.

    References
    ----------
    GDS manual, K-Nearest Neighbors (similarity metrics of node properties).

    Examples
    --------
    >>> x = torch.tensor([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]])
    >>> len(prepare([(x, "COSINE"), (x[:, 0], "DEFAULT")]))
    2
    """
    if not properties:
        raise ValueError("knn needs at least one property")
    props = [_Property(v, m) for v, m in properties]
    return props if dtype == torch.float64 else [p.cast(dtype) for p in props]


def _select_top(
    sim: torch.Tensor, k: int, ids: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(similarity, column)`` ``[r, k]``: each row's ``k`` most similar entries, most similar
    first; among equal similarities the smaller id comes first, and a tie at the ``k``-th place
    keeps the smallest ids.

    ``sim`` is ``float64[r, w]`` (``-inf`` for no candidate), ``ids`` ``long[r, w]`` the node of
    each entry, distinct within a row (default: the column). ``O(r w)`` beyond ``torch.topk``.
    """
    val, col = torch.topk(sim, k, dim=1)
    kth = val[:, -1:]
    tied = (sim >= kth).sum(dim=1) > k
    if bool(tied.any()):
        rows = torch.nonzero(tied).squeeze(1)
        s, edge = sim[rows], kth[rows]
        by_id = (
            torch.argsort(ids[rows], dim=1)
            if ids is not None
            else torch.arange(sim.shape[1], device=sim.device).expand_as(s)
        )
        s = s.gather(1, by_id)
        above, equal = s > edge, s == edge
        need = k - above.sum(dim=1, keepdim=True)
        keep = above | (equal & (torch.cumsum(equal.long(), dim=1) <= need))
        chosen = by_id[keep].view(-1, k)
        col[rows] = chosen
        val[rows] = sim[rows].gather(1, chosen)
    # rows chosen by id above, and rows with equal values (topk lists them in no set order):
    # most similar first, equal values by ascending id
    mixed = torch.nonzero(tied | (val[:, 1:] == val[:, :-1]).any(dim=1)).squeeze(1)
    if mixed.numel():
        v, c = val[mixed], col[mixed]
        key = ids[mixed].gather(1, c) if ids is not None else c
        order = torch.argsort(key, dim=1)
        v, c = v.gather(1, order), c.gather(1, order)
        order = torch.argsort(v, dim=1, descending=True, stable=True)
        val[mixed], col[mixed] = v.gather(1, order), c.gather(1, order)
    return val, col


def _exact_rows(
    props: Sequence[_Property], rows: torch.Tensor, k: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(similarity, target)`` ``[len(rows), k]`` in float64, by full similarity rows (ties
    as :func:`_select_top` breaks them)."""
    s = props[0].block(rows)
    for p in props[1:]:
        s = s + p.block(rows)
    s = s / len(props)
    s[torch.arange(rows.numel(), device=rows.device), rows] = -torch.inf
    return _select_top(s, k)


def _exact_scalar(prop: _Property, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """One scalar property: the ``k`` nearest on a line lie among ``k`` sorted neighbours a side.

    Nodes are sorted by (value, position), so equal values lie in runs of ascending position,
    and ties keep the smallest positions (:func:`_select_top`): a node whose own run holds ``k``
    others takes the run's first ones (similarity 1); otherwise its candidates are the ``k``
    nodes on each side, and when the ``k``-th place ties with the outermost candidate of a side
    the tied run goes on beyond it, so the run's first ``k + 1`` nodes join the candidates. A
    tie that spans several values beyond the window (rounding) recomputes the row in full.
    ``O(n log n + n k)``.
    """
    x = prop.x
    n = x.numel()
    dev = x.device
    order = torch.argsort(x, stable=True)
    xs = x[order]
    run_start = torch.searchsorted(xs, x, right=False)
    run_stop = torch.searchsorted(xs, x, right=True)
    sims = torch.empty(n, k, dtype=torch.float64, device=dev)
    targets = torch.empty(n, k, dtype=torch.long, device=dev)
    # a node with k others of its own value: the first k of them (smallest positions), unless
    # a node of another value is as similar (1.0, by rounding)
    many = run_stop - run_start > k
    own = torch.nonzero(many).squeeze(1)
    for beyond in (run_start[own] - 1, run_stop[own]):
        inside = (beyond >= 0) & (beyond < n)
        near = prop.pairs(own, order[beyond.clamp(0, n - 1)]) == 1.0
        many[own[inside & near]] = False
    own = torch.nonzero(many).squeeze(1)
    if own.numel():
        head = order[run_start[own, None] + torch.arange(k + 1, device=dev)[None, :]]
        first = torch.argsort((head == own[:, None]).to(torch.int8), dim=1, stable=True)
        mates = head.gather(1, first[:, :k])
        targets[own], sims[own] = mates, prop.pairs(own[:, None].expand_as(mates), mates)
    rows = torch.nonzero(~many).squeeze(1)
    if rows.numel():
        sims[rows], targets[rows] = _scalar_window(prop, k, rows, order, xs)
    return sims, targets


def _scalar_window(
    prop: _Property, k: int, rows: torch.Tensor, order: torch.Tensor, xs: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """:func:`_exact_scalar` for ``rows``: the window of ``k`` sorted places a side, extended by
    the head of a tied run that goes on beyond it."""
    n = xs.numel()
    dev = xs.device
    pos = torch.empty_like(order)
    pos[order] = torch.arange(n, device=dev)
    p = pos[rows]
    off = torch.cat([torch.arange(-k, 0), torch.arange(1, k + 1)]).to(dev)
    win = p[:, None] + off[None, :]  # sorted places
    valid = (win >= 0) & (win < n)
    cand = order[win.clamp(0, n - 1)]
    none = torch.full_like(xs[:1], -torch.inf)
    sim = torch.where(valid, prop.pairs(rows[:, None].expand_as(cand), cand), none)
    pad = n + torch.arange(2 * k, device=dev)
    val, j = _select_top(sim, k, torch.where(valid, cand, pad))
    targets = cand.gather(1, j)
    # rows whose k-th value equals the outermost candidate of a side (column 0: k places to
    # the left, column 2k - 1: k places to the right): equal values may go on beyond it
    kth = val[:, -1]
    sides = (0, 2 * k - 1)
    outer = [valid[:, c] & (sim[:, c] == kth) for c in sides]
    sus = torch.nonzero(outer[0] | outer[1]).squeeze(1)
    if sus.numel() == 0:
        return val, targets
    u, pu = rows[sus], p[sus]
    places = [torch.where(valid[sus], win[sus], torch.full_like(win[sus], -1))]
    redo = torch.zeros(sus.numel(), dtype=torch.bool, device=dev)
    for c, on in zip(sides, outer, strict=True):
        on = on[sus]
        edge = xs[win[sus, c].clamp(0, n - 1)]
        start = torch.searchsorted(xs, edge, right=False)
        stop = torch.searchsorted(xs, edge, right=True)
        head = start[:, None] + torch.arange(k + 1, device=dev)[None, :]
        # a head place inside the window is a candidate already; u's own place is no candidate
        fresh = on[:, None] & (head < stop[:, None]) & ((head - pu[:, None]).abs() > k)
        places.append(torch.where(fresh, head, torch.full_like(head, -1)))
        # the node just beyond the run, equally similar through rounding: recompute the row
        beyond = start - 1 if c == 0 else stop
        inside = (beyond >= 0) & (beyond < n)
        b_sim = prop.pairs(u, order[beyond.clamp(0, n - 1)])
        redo |= on & inside & (b_sim == kth[sus])
    # (the two sides' runs differ: one run on both sides would hold u, and u's run, when it
    # lies in the window path, has at most k others, all within the window)
    place = torch.cat(places, dim=1)
    present = place >= 0
    ext = order[place.clamp(min=0)]
    e_sim = torch.where(present, prop.pairs(u[:, None].expand_as(ext), ext), none)
    e_pad = n + torch.arange(place.shape[1], device=dev)[None, :].expand_as(ext)
    e_val, e_j = _select_top(e_sim, k, torch.where(present, ext, e_pad))
    val[sus], targets[sus] = e_val, ext.gather(1, e_j)
    if bool(redo.any()):
        r = sus[redo]
        val[r], targets[r] = _exact_rows([prop], rows[r], k)
    return val, targets


def _exact_linear(
    prop: _Property, k: int, block_rows: int | None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Dot-product metrics: float32 candidate search, float64 rescoring, verified per row.

    The ranking score is ``x_a . x_b`` (COSINE, PEARSON on normalised rows) or
    ``2 x_a . x_b - |x_b|^2`` (EUCLIDEAN on centred rows; ``|x_a - x_b|^2`` plus a per-row
    constant). The float32 block gives ``k + m`` candidates per row, which are rescored in
    float64. A row is accepted when no other node can beat its ``k``-th rescored candidate
    even with the float32 rounding error bound ``err`` (the smallest candidate's float32 score
    plus ``err`` is below the ``k``-th float64 score); other rows are recomputed in float64.
    """
    x = prop.x
    n, d = x.shape
    dev = x.device
    c = min(n - 1, k + max(8, k // 2))
    if prop.kind == "EUCLIDEAN":
        xc = x - x.mean(dim=0, keepdim=True)
        sq = (xc * xc).sum(dim=1)
        norm = sq.sqrt()
        bound = 2.0 * (d + 4) * _unit_roundoff() * (2.0 * norm * norm.max() + sq.max())
        sq32 = sq.to(torch.float32)
    else:
        xc = x
        bound = torch.full((n,), 2.0 * (d + 4) * _unit_roundoff(), dtype=torch.float64, device=dev)
    x32 = xc.to(torch.float32)
    elements = _BLOCK_ELEMENTS_32.get(dev.type, _BLOCK_ELEMENTS_32_OTHER)
    rows = block_rows or max(1, min(n, elements // n))
    sims = torch.empty(n, k, dtype=torch.float64, device=dev)
    targets = torch.empty(n, k, dtype=torch.long, device=dev)
    redo = []
    for start in range(0, n, rows):
        checkpoint()
        stop = min(start + rows, n)
        xb = x32[start:stop]
        if prop.kind == "EUCLIDEAN":
            score = torch.addmm(sq32[None, :], xb, x32.T, beta=-1.0, alpha=2.0)
        else:
            score = xb @ x32.T
        local = torch.arange(stop - start, device=dev)
        score[local, local + start] = -torch.inf
        s32, cand = torch.topk(score, c, dim=1)
        node = (local + start)[:, None].expand_as(cand)
        xa, xcand = xc[node], xc[cand]
        raw = (xa * xcand).sum(dim=2)
        if prop.kind == "EUCLIDEAN":
            raw = 2.0 * raw - sq[cand]
        kth = torch.topk(raw, k, dim=1).values[:, -1]
        ok = s32[:, -1].to(torch.float64) + bound[start:stop] < kth
        if c == n - 1:
            ok = torch.ones_like(ok)
        sim = prop.pairs(node, cand)
        val, j = _select_top(sim, k, cand)
        sims[start:stop], targets[start:stop] = val, cand.gather(1, j)
        redo.append((local + start)[~ok])
    redo_rows = torch.cat(redo)
    if redo_rows.numel():
        for lo in range(0, redo_rows.numel(), rows):
            r = redo_rows[lo : lo + rows]
            sims[r], targets[r] = _exact_rows([prop], r, k)
    return sims, targets


def knn(
    properties: Sequence[tuple[torch.Tensor, str]],
    top_k: int = 10,
    *,
    similarity_cutoff: float = 0.0,
    block_rows: int | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Exact k-nearest neighbours of every node by node-property similarity (GDS ``gds.knn``).

    Each property is ``(values, metric)`` with ``values`` ``float[n]`` (a scalar: similarity
    ``1 / (1 + |a - b|)``) or ``float[n, d]`` (a list), ``metric`` one of :data:`METRICS`:
    ``COSINE`` (the default for lists) = ``(cos + 1) / 2``; ``EUCLIDEAN`` =
    ``1 / (1 + ||a - b||)``; ``PEARSON`` = ``max(r, 0)``; ``JACCARD`` and ``OVERLAP`` treat the
    list's distinct values as a set (``|A∩B| / |A∪B|``, ``|A∩B| / min(|A|, |B|)``). Several
    properties are averaged. A zero vector has cosine/Pearson 0. These are GDS's definitions.

    Every node gets its ``min(top_k, n - 1)`` most similar *other* nodes (GDS's sampling
    procedure converges to this; here it is computed exactly; see
    :func:`neo4j_gml.algorithms.similarity.knn_descent.knn_descent` for GDS's approximate
    algorithm). Pairs below ``similarity_cutoff`` are dropped. Equally similar nodes at the
    ``k``-th place are kept by ascending position (Neo4j id), and equal similarities are listed
    by ascending target. GDS keeps the one it met first (``NeighborList.add`` refuses an equal
    similarity on a full list and places equal ones at random among each other); it meets
    candidates in random order, so any of the tied nodes is a GDS answer, and the smallest ids
    are the one that needs no randomness.

    Parameters
    ----------
    properties : sequence of (torch.Tensor, str)
        ``(values, metric)`` per property, all with ``n`` rows on one device.
    top_k : int
        Neighbours per node, ``>= 1``.
    similarity_cutoff : float
        Smallest similarity kept.
    block_rows : int or None
        Rows per similarity block (default: chosen from ``n`` and the device).

    Returns
    -------
    tuple of torch.Tensor
        ``(source, target, similarity)``: positions and ``float64`` values, grouped by source,
        most similar first, equal similarities by ascending target.

    Raises
    ------
    ValueError
        ``top_k < 1`` or no property.

    Notes
    -----
    One scalar property sorts the values (the ``k`` nearest lie within ``k`` places on each
    side): ``O(n log n + n k)``. One COSINE, PEARSON or EUCLIDEAN list property finds
    ``k + max(8, k/2)`` candidates per node with float32 matrix products, rescores them in
    float64 and recomputes in float64 the rare rows where float32 rounding could have changed
    the answer (so similarities are float64-exact and the neighbour sets are exact up to ties).
    Anything else computes float64 similarity blocks. Time ``O(n^2 d)`` in blocks of rows,
    memory ``O(block_rows * n)`` (``block_rows`` defaults to ``2**21 / n`` on CPU for the
    float32 path, ``2**24 / n`` otherwise).

    References
    ----------
    GDS manual, K-Nearest Neighbors (similarity metrics of node properties).

    Examples
    --------
    >>> x = torch.tensor([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]])
    >>> source, target, similarity = knn([(x, "COSINE")], top_k=1)
    >>> source.tolist(), target.tolist(), similarity.round(decimals=3).tolist()
    ([0, 1, 2, 3], [1, 0, 3, 2], [0.997, 0.997, 0.997, 0.997])
    >>> knn([(torch.tensor([1.0, 2.0, 4.0]), "DEFAULT")], top_k=1)[2].round(decimals=3).tolist()
    [0.5, 0.5, 0.333]
    """
    if top_k < 1:
        raise ValueError("top_k must be at least 1")
    props = prepare(properties)
    n = properties[0][0].shape[0]
    device = properties[0][0].device
    empty = torch.zeros(0, dtype=torch.long, device=device)
    if n < 2:
        return empty, empty.clone(), torch.zeros(0, dtype=torch.float64, device=device)
    k = min(top_k, n - 1)
    if len(props) == 1 and props[0].kind == "SCALAR":
        sims, targets = _exact_scalar(props[0], k)
    elif len(props) == 1 and props[0].linear:
        sims, targets = _exact_linear(props[0], k, block_rows)
    else:
        rows = block_rows or max(1, min(n, _BLOCK_ELEMENTS // n))
        parts = [
            _exact_rows(props, torch.arange(s, min(s + rows, n), device=device), k)
            for s in range(0, n, rows)
        ]
        sims = torch.cat([p[0] for p in parts])
        targets = torch.cat([p[1] for p in parts])
    src = torch.arange(n, device=device)[:, None].expand(-1, k).reshape(-1)
    dst, sim = targets.reshape(-1), sims.reshape(-1)
    keep = sim >= similarity_cutoff
    return src[keep], dst[keep], sim[keep]
