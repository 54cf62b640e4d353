"""PageRank and ArticleRank, computed as GDS's Pregel programs do."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from neo4j_gml.algorithms.centrality._common import (
    Propagator,
    check_weights,
    transition_weights,
)
from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.errors import ParameterError
from neo4j_gml.core.graph import Graph

__all__ = ["RankResult", "article_rank", "page_rank"]


@dataclass
class RankResult:
    """Scores with the iteration facts GDS reports.

    Attributes
    ----------
    scores : torch.Tensor
        ``float64[n]`` score of every node.
    ran_iterations : int
        Iterations (supersteps) as GDS reports them.
    did_converge : bool
        Whether the run halted: a superstep sent no message.
    """

    scores: torch.Tensor
    ran_iterations: int
    did_converge: bool


def _pregel_rank(
    graph: Graph,
    share: torch.Tensor,
    damping: float,
    max_iterations: int,
    tolerance: float,
    sources: torch.Tensor | None,
) -> RankResult:
    n = graph.num_nodes
    dev = graph.device
    base = torch.full((n,), 1.0 - damping, dtype=torch.float64, device=dev)
    if sources is not None and sources.numel() > 0:
        only = torch.zeros(n, dtype=torch.float64, device=dev)
        only[sources.to(dev)] = 1.0 - damping
        base = only
    scores = base.clone()
    if n == 0:
        return RankResult(scores, 0, True)
    # Superstep 0 sends every initial score; superstep k > 0 adds d * inbox and sends on the
    # deltas above the tolerance. As in GDS's Pregel loop, a run that finds nothing sent after
    # superstep k stops there and reports k iterations; otherwise it reports max_iterations.
    propagate = Propagator(graph, share)
    sending = base
    for step in range(1, max_iterations):
        checkpoint()
        if step > 1 and not bool((sending != 0).any()):
            return RankResult(scores, step - 1, True)
        delta = damping * propagate.into(sending)
        scores += delta
        sending = torch.where(delta > tolerance, delta, torch.zeros_like(delta))
    if max_iterations > 1 and not bool((sending != 0).any()):
        return RankResult(scores, max_iterations - 1, True)
    return RankResult(scores, max_iterations, False)


def _check_rank_parameters(damping_factor: float, max_iterations: int, tolerance: float) -> None:
    if not 0.0 <= damping_factor < 1.0:
        raise ParameterError("damping_factor", f"must be in [0, 1), got {damping_factor}")
    if max_iterations < 1:
        raise ParameterError("max_iterations", f"must be at least 1, got {max_iterations}")
    if not tolerance >= 0.0:
        raise ParameterError("tolerance", f"must be a non-negative number, got {tolerance}")


def page_rank(
    graph: Graph,
    *,
    damping_factor: float = 0.85,
    max_iterations: int = 20,
    tolerance: float = 1e-7,
    weighted: bool = False,
    sources: torch.Tensor | None = None,
) -> RankResult:
    """Unnormalised PageRank exactly as GDS 2.13 computes it (Pregel, per-node halting).

    Parameters
    ----------
    graph : Graph
        The graph; scores flow along its arcs in its orientation.
    damping_factor : float
        ``d`` in ``[0, 1)``.
    max_iterations : int
        Supersteps, ``>= 1`` (``20`` means 19 updates).
    tolerance : float
        A node sends its score change on only while the change is above this, ``>= 0``.
    weighted : bool
        Split a node's messages in proportion to its positive out-weights.
    sources : torch.Tensor or None
        ``int64`` source positions for personalised PageRank.

    Returns
    -------
    RankResult
        ``scores`` (``float64[n]``), ``ran_iterations`` and ``did_converge``.

    Raises
    ------
    ParameterError
        ``damping_factor``, ``max_iterations`` or ``tolerance`` out of range; ``weights`` NaN
        when ``weighted``.

    Notes
    -----
    Superstep 0 gives every node the score ``1 - d`` (only the ``sources`` positions when
    personalised, others ``0``) and sends ``score / outDegree`` along each out-arc. Each later
    superstep adds ``delta = d * sum(messages)`` to a node's score, and the node sends
    ``delta / outDegree`` on only while ``delta > tolerance``. ``max_iterations`` counts supersteps,
    so ``20`` means 19 updates. Weighted, an arc carries ``delta * w / (sum of the sender's
    positive out-weights)`` and arcs of negative weight carry nothing. Mass reaching a node with
    no out-arcs stays there (dangling mass is not redistributed). Parallel arcs and self-loops
    carry messages like any other arc.

    Converged (``did_converge``) when a superstep ``k >= 1`` sends no message; GDS then reports
    ``k`` iterations (``ran_iterations``), else ``max_iterations``.
    Time ``O(max_iterations * (n + m))`` with one sparse matrix-vector product over the arcs per
    superstep; memory ``O(n + m)``.

    References
    ----------
    L. Page, S. Brin, R. Motwani, T. Winograd, "The PageRank citation ranking: bringing order to
    the web", Stanford InfoLab (1999); GDS manual, PageRank.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2, 3], [1, 2, 0, 2])
    >>> r = page_rank(g, max_iterations=200, tolerance=1e-4)
    >>> r.scores.round(decimals=3).tolist(), r.did_converge
    ([1.28, 1.238, 1.33, 0.15], True)
    """
    _check_rank_parameters(damping_factor, max_iterations, tolerance)
    if weighted:
        check_weights(graph)
    share = transition_weights(graph, weighted)
    return _pregel_rank(graph, share, damping_factor, max_iterations, tolerance, sources)


def article_rank(
    graph: Graph,
    *,
    damping_factor: float = 0.85,
    max_iterations: int = 20,
    tolerance: float = 1e-7,
    weighted: bool = False,
    sources: torch.Tensor | None = None,
) -> RankResult:
    """ArticleRank: :func:`page_rank`'s scheme with messages damped for low-degree senders.

    Messages are divided by ``outDegree(u) + averageOutDegree``. Weighted, an arc carries
    ``delta * w / (sum of u's positive out-weights + averageOutDegree)``, the average still being
    the plain relationship count over ``n``, as in GDS.

    Parameters
    ----------
    graph : Graph
        The graph; scores flow along its arcs in its orientation.
    damping_factor : float
        ``d`` in ``[0, 1)``.
    max_iterations : int
        Supersteps, ``>= 1``.
    tolerance : float
        A node sends its score change on only while the change is above this, ``>= 0``.
    weighted : bool
        Split a node's messages in proportion to its positive out-weights.
    sources : torch.Tensor or None
        ``int64`` source positions for a personalised run.

    Returns
    -------
    RankResult
        ``scores`` (``float64[n]``), ``ran_iterations`` and ``did_converge``.

    Raises
    ------
    ParameterError
        ``damping_factor``, ``max_iterations`` or ``tolerance`` out of range; ``weights`` NaN
        when ``weighted``.

    Notes
    -----
    Same supersteps, halting and cost as :func:`page_rank`.

    References
    ----------
    J. Li and P. Willett, "ArticleRank: a PageRank-based alternative to numbers of citations for
    analysing citation networks", Aslib Proceedings 61 (2009); GDS manual, ArticleRank.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2, 3], [1, 2, 0, 2])
    >>> r = article_rank(g)
    >>> r.scores.round(decimals=3).tolist(), r.ran_iterations, r.did_converge
    ([0.29, 0.273, 0.33, 0.15], 18, True)
    """
    _check_rank_parameters(damping_factor, max_iterations, tolerance)
    if weighted:
        check_weights(graph)
    n = graph.num_nodes
    average = graph.num_arcs / n if n else 0.0  # GDS averages plain degrees, even weighted
    share = transition_weights(graph, weighted, extra=average)
    return _pregel_rank(graph, share, damping_factor, max_iterations, tolerance, sources)
