"""Katz centrality: attenuated counts of the walks that end at each node."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from neo4j_gml.algorithms.centrality._common import check_weights
from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.errors import ParameterError
from neo4j_gml.core.graph import Graph

__all__ = ["KatzResult", "katz_centrality"]


@dataclass
class KatzResult:
    """Scores (``float64[n]``), supersteps run, and whether the iteration converged."""

    scores: torch.Tensor
    ran_iterations: int
    did_converge: bool


def katz_centrality(
    graph: Graph,
    *,
    alpha: float = 0.1,
    beta: float = 1.0,
    max_iterations: int = 1000,
    tolerance: float = 1e-6,
    normalized: bool = True,
    weighted: bool = False,
) -> KatzResult:
    """Katz centrality by power iteration, as NetworkX's ``katz_centrality`` computes it.

    Iterates ``x[v] <- alpha * sum over arcs (u -> v) of w(u, v) * x[u] + beta`` from ``x = 0``
    until the summed absolute change is below ``n * tolerance``; then, with ``normalized``,
    scales ``x`` to unit L2 norm. Arcs follow the graph's orientation (``NATURAL``: a node
    gathers from its in-neighbours, as NetworkX does on a ``DiGraph``; ``UNDIRECTED``: from all
    neighbours). It converges when ``alpha`` is below ``1 / lambda_max`` of the adjacency.

    Parameters
    ----------
    graph : Graph
        The graph; its weights are used with ``weighted``.
    alpha : float
        Attenuation factor, ``> 0``.
    beta : float
        Weight attributed to the immediate neighbourhood (every node's base score).
    max_iterations : int
        Most supersteps, ``>= 1``.
    tolerance : float
        Convergence: summed absolute change below ``n * tolerance``.
    normalized : bool
        Scale the result to unit L2 norm.
    weighted : bool
        Multiply by the relationship weights (finite; negative allowed, as in NetworkX).

    Returns
    -------
    KatzResult
        ``scores`` (``float64[n]`` in graph position order), ``ran_iterations``,
        ``did_converge``. Not converged after ``max_iterations``: the last iterate.

    References
    ----------
    L. Katz, "A new status index derived from sociometric analysis", Psychometrika 18 (1953);
    NetworkX, ``networkx.algorithms.centrality.katz_centrality``.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2], [1, 2, 0])  # a directed triangle
    >>> r = katz_centrality(g, alpha=0.1)
    >>> [round(v, 4) for v in r.scores.tolist()], r.did_converge
    ([0.5774, 0.5774, 0.5774], True)
    """
    if not alpha > 0:
        raise ParameterError("alpha", f"must be positive, got {alpha}")
    if max_iterations < 1:
        raise ParameterError("max_iterations", f"must be at least 1, got {max_iterations}")
    if not tolerance >= 0:
        raise ParameterError("tolerance", f"must be a non-negative number, got {tolerance}")
    n, dev = graph.num_nodes, graph.device
    if n == 0:
        return KatzResult(torch.zeros(0, dtype=torch.float64, device=dev), 0, True)
    src, dst = graph.sources(), graph.indices
    if weighted and graph.weights is not None:
        check_weights(graph)
        w = graph.weights.to(torch.float64)
    else:
        w = torch.ones(src.numel(), dtype=torch.float64, device=dev)
    x = torch.zeros(n, dtype=torch.float64, device=dev)
    ran, converged = max_iterations, False
    for step in range(1, max_iterations + 1):
        checkpoint()
        nxt = torch.zeros(n, dtype=torch.float64, device=dev).index_add_(0, dst, w * x[src])
        nxt = alpha * nxt + beta
        change = float((nxt - x).abs().sum())
        x = nxt
        if change < n * tolerance:
            ran, converged = step, True
            break
    if normalized:
        norm = float(torch.linalg.vector_norm(x))
        if norm > 0:
            x = x / norm
    return KatzResult(x, ran, converged)
