"""Exact k-nearest neighbours over node properties, with GDS kNN's similarity metrics."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from neo4j_gml.core.cancellation import checkpoint

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
        """``float64[...]``: similarity of nodes ``a[i]`` and ``b[i]`` (same shapes)."""
        shape = a.shape
        a, b = a.reshape(-1), b.reshape(-1)
        out = torch.empty(a.numel(), dtype=torch.float64, device=self.x.device)
        for lo in range(0, a.numel(), _PAIR_CHUNK):
            ia, ib = a[lo : lo + _PAIR_CHUNK], b[lo : lo + _PAIR_CHUNK]
            out[lo : lo + _PAIR_CHUNK] = self._pairs(ia, ib)
        return out.reshape(shape)

    def batch(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """``float64[C, p, q]``: similarity of nodes ``a[c, i]`` (``long[C, p]``) and ``b[c, j]``."""
        xa, xb = self._rows(a), self._rows(b)
        if self.kind == "SCALAR":
            return 1.0 / (1.0 + (xa[:, :, None] - xb[:, None, :]).abs())
        if self.kind == "COSINE":
            return (torch.bmm(xa, xb.transpose(1, 2)) + 1.0) / 2.0
        if self.kind == "PEARSON":
            return torch.bmm(xa, xb.transpose(1, 2)).clamp(min=0.0)
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
            return 1.0 / (1.0 + (xa - xb).norm(dim=1))
        inter = (xa * xb).sum(dim=1)
        sa, sb = self.size[a], self.size[b]
        den = (sa + sb - inter) if self.kind == "JACCARD" else torch.minimum(sa, sb)
        return torch.where(den > 0, inter / den.clamp(min=1e-300), torch.zeros_like(inter))


def similarity_of_blocks(
    props: Sequence[_Property], a: torch.Tensor, b: torch.Tensor
) -> torch.Tensor:
    """``float64[C, p, q]``: the (averaged) similarity of nodes ``a[c, i]`` and ``b[c, j]``."""
    s = props[0].batch(a, b)
    for p in props[1:]:
        s = s + p.batch(a, b)
    return s / len(props)


def similarity_of_pairs(
    props: Sequence[_Property], a: torch.Tensor, b: torch.Tensor
) -> torch.Tensor:
    """``float64``: the (averaged) similarity of nodes ``a[i]`` and ``b[i]``."""
    s = props[0].pairs(a, b)
    for p in props[1:]:
        s = s + p.pairs(a, b)
    return s / len(props)


def prepare(properties: Sequence[tuple[torch.Tensor, str]]) -> list[_Property]:
    """The properties ready for :func:`similarity_of_pairs` (``ValueError`` when none)."""
    if not properties:
        raise ValueError("knn needs at least one property")
    return [_Property(v, m) for v, m in properties]


def _exact_rows(
    props: Sequence[_Property], rows: torch.Tensor, k: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(similarity, target)`` ``[len(rows), k]`` in float64, by full similarity rows."""
    s = props[0].block(rows)
    for p in props[1:]:
        s = s + p.block(rows)
    s = s / len(props)
    s[torch.arange(rows.numel(), device=rows.device), rows] = -torch.inf
    return torch.topk(s, k, dim=1)


def _exact_scalar(prop: _Property, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """One scalar property: the ``k`` nearest on a line lie among ``k`` sorted neighbours a side."""
    x = prop.x
    n = x.numel()
    order = torch.argsort(x)
    pos = torch.empty_like(order)
    pos[order] = torch.arange(n, device=x.device)
    off = torch.cat([torch.arange(-k, 0), torch.arange(1, k + 1)]).to(x.device)
    win = pos[:, None] + off[None, :]
    valid = (win >= 0) & (win < n)
    cand = order[win.clamp(0, n - 1)]
    node = torch.arange(n, device=x.device)[:, None].expand_as(cand)
    sim = torch.where(valid, prop.pairs(node, cand), torch.full_like(x[:1], -torch.inf))
    val, j = torch.topk(sim, k, dim=1)
    return val, cand.gather(1, j)


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
        val, j = torch.topk(sim, k, dim=1)
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
    algorithm). Pairs below ``similarity_cutoff`` are dropped. Ties are broken arbitrarily.

    How: one scalar property sorts the values (the ``k`` nearest lie within ``k`` places on
    each side): ``O(n log n + n k)``. One COSINE, PEARSON or EUCLIDEAN list property finds
    ``k + max(8, k/2)`` candidates per node with float32 matrix products, rescores them in
    float64 and recomputes in float64 the rare rows where float32 rounding could have changed
    the answer (so similarities are float64-exact and the neighbour sets are exact up to ties).
    Anything else computes float64 similarity blocks. Time ``O(n^2 d)`` in blocks of rows,
    memory ``O(block_rows * n)`` (``block_rows`` defaults to ``2**21 / n`` on CPU for
    the float32 path, ``2**24 / n`` otherwise).

    Returns ``(source, target, similarity)`` positions and ``float64`` values, grouped by source,
    most similar first.
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
