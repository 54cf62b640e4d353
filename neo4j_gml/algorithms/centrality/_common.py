"""Helpers shared by the centrality algorithms: weight checks and per-arc message weights."""

from __future__ import annotations

import warnings
from typing import cast

import torch

from neo4j_gml.core.errors import ParameterError
from neo4j_gml.core.graph import Graph

__all__ = [
    "SPARSE_PRODUCT_MIN_ARCS",
    "Propagator",
    "check_weights",
    "source_mask",
    "sparse_csr",
    "transition_weights",
]


def check_weights(graph: Graph, *, allow_negative: bool = True, allow_zero: bool = True) -> None:
    """Raise :class:`ParameterError` (parameter ``weights``) for unusable weights.

    NaN is never allowed; negative (and, with ``allow_zero=False``, zero) weights only where the
    algorithm can take them.
    """
    w = graph.weights
    if w is None or w.numel() == 0:
        return
    if bool(torch.isnan(w).any()):
        raise ParameterError("weights", "weights must not be NaN")
    if not allow_negative and bool((w < 0).any()):
        raise ParameterError("weights", "this algorithm needs non-negative weights")
    if not allow_zero and bool((w <= 0).any()):
        raise ParameterError("weights", "this algorithm needs positive weights")


def transition_weights(graph: Graph, weighted: bool, extra: float = 0.0) -> torch.Tensor:
    """``float64[m]``: the share of a sender's value that each of its arcs carries.

    Unweighted: ``1 / (outDegree(u) + extra)``. Weighted: ``w / (sum of u's positive out-weights
    + extra)`` with arcs of negative weight carrying nothing (GDS ignores them). A sender with a
    zero denominator sends nothing.
    """
    n = graph.num_nodes
    src = graph.sources()
    if weighted and graph.weights is not None:
        w = graph.weights.clamp(min=0)
    else:
        w = torch.ones(graph.num_arcs, dtype=torch.float64, device=graph.device)
    denom = torch.zeros(n, dtype=torch.float64, device=graph.device).index_add_(0, src, w)
    denom = denom + extra
    safe = torch.where(denom > 0, denom, torch.ones_like(denom))
    return torch.where(denom[src] > 0, w / safe[src], torch.zeros_like(w))


def source_mask(graph: Graph, sources: torch.Tensor | None) -> torch.Tensor | None:
    """A bool mask of the given source positions, or ``None`` when there are none."""
    if sources is None or sources.numel() == 0:
        return None
    mask = torch.zeros(graph.num_nodes, dtype=torch.bool, device=graph.device)
    mask[sources.to(graph.device)] = True
    return mask


# Below this many arcs a gather plus index_add_ beats a sparse product (whose parallel region
# costs more than the work on tiny graphs, badly so on an oversubscribed CPU).
SPARSE_PRODUCT_MIN_ARCS = 1 << 15


class Propagator:
    """Sums values along arcs: ``into(x)[v]`` = sum over arcs ``u -> v`` of ``value * x[u]``
    and ``out_of(x)[u]`` = sum over arcs ``u -> v`` of ``value * x[v]``.

    Large graphs use sparse CSR matrix-vector products (built once in ``O(m log m)``; faster
    on the CPU and deterministic on CUDA); small ones a gather plus ``index_add_``.
    """

    def __init__(self, graph: Graph, arc_values: torch.Tensor) -> None:
        self.n = graph.num_nodes
        self.src, self.dst = graph.sources(), graph.indices
        self.values = arc_values.to(torch.float64)
        self.sparse = graph.num_arcs >= SPARSE_PRODUCT_MIN_ARCS
        self._into: torch.Tensor | None = None
        self._out_of: torch.Tensor | None = None
        self.graph = graph

    def into(self, x: torch.Tensor) -> torch.Tensor:
        """``float64[n]``: for each node ``v``, the sum over arcs ``u -> v`` of ``value * x[u]``."""
        if not self.sparse:
            out = torch.zeros(self.n, dtype=torch.float64, device=x.device)
            return out.index_add_(0, self.dst, x[self.src] * self.values)
        if self._into is None:
            n = self.n
            order = torch.argsort(self.dst * max(n, 1) + self.src)
            rows = self.dst[order]
            indptr = torch.zeros(n + 1, dtype=torch.long, device=x.device)
            indptr[1:] = torch.cumsum(torch.bincount(rows, minlength=n), 0)
            self._into = sparse_csr(indptr, self.src[order], self.values[order], n)
        return cast(torch.Tensor, torch.sparse.mm(self._into, x[:, None]))[:, 0]

    def out_of(self, x: torch.Tensor) -> torch.Tensor:
        """``float64[n]``: for each node ``u``, the sum over arcs ``u -> v`` of ``value * x[v]``."""
        if not self.sparse:
            out = torch.zeros(self.n, dtype=torch.float64, device=x.device)
            return out.index_add_(0, self.src, x[self.dst] * self.values)
        if self._out_of is None:
            g = self.graph
            self._out_of = sparse_csr(g.indptr, g.indices, self.values, self.n)
        return cast(torch.Tensor, torch.sparse.mm(self._out_of, x[:, None]))[:, 0]


def sparse_csr(
    indptr: torch.Tensor, indices: torch.Tensor, values: torch.Tensor, n: int
) -> torch.Tensor:
    """An ``n x n`` torch sparse CSR tensor, without the beta-state warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "sparse CSR support is in beta"
        return torch.sparse_csr_tensor(indptr, indices, values, size=(n, n), check_invariants=False)
