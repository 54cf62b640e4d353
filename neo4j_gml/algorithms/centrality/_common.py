"""Helpers shared by the centrality algorithms: weight checks and per-arc message weights."""

from __future__ import annotations

import torch

from neo4j_gml.graph import Graph
from neo4j_gml.procedures.config import ConfigError


def check_weights(graph: Graph, *, allow_negative: bool = True, allow_zero: bool = True) -> None:
    """Raise :class:`ConfigError` naming ``relationshipWeightProperty`` for unusable weights.

    NaN is never allowed; negative (and, with ``allow_zero=False``, zero) weights only where the
    algorithm can take them.
    """
    w = graph.weights
    if w is None or w.numel() == 0:
        return
    if bool(torch.isnan(w).any()):
        raise ConfigError("config key 'relationshipWeightProperty': weights must not be NaN")
    if not allow_negative and bool((w < 0).any()):
        raise ConfigError(
            "config key 'relationshipWeightProperty': this algorithm needs non-negative weights"
        )
    if not allow_zero and bool((w <= 0).any()):
        raise ConfigError(
            "config key 'relationshipWeightProperty': this algorithm needs positive weights"
        )


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
