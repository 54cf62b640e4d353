"""Closeness and harmonic centrality over outgoing hop distances."""

from __future__ import annotations

import torch

from neo4j_gml.algorithms.centrality._bfs import bfs, counted_adjacency, source_batches
from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.graph import Graph

__all__ = ["closeness_centrality", "harmonic_centrality"]


def _distance_sums(graph: Graph) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per source node: reachable count (itself included), sum of distances, sum of 1/d."""
    n, dev = graph.num_nodes, graph.device
    reach = torch.zeros(n, dtype=torch.float64, device=dev)
    total = torch.zeros(n, dtype=torch.float64, device=dev)
    inverse = torch.zeros(n, dtype=torch.float64, device=dev)
    if n == 0:
        return reach, total, inverse
    at = counted_adjacency(graph, transpose=True)
    for batch in source_batches(torch.arange(n, device=dev), n):
        checkpoint()
        dist = bfs(at, batch, n).dist.to(torch.float64)
        found = dist >= 0
        reach[batch] = found.sum(dim=0).to(torch.float64)
        total[batch] = torch.where(found, dist, torch.zeros_like(dist)).sum(dim=0)
        positive = dist > 0
        safe = torch.where(positive, dist, torch.ones_like(dist))
        inverse[batch] = torch.where(positive, 1.0 / safe, torch.zeros_like(dist)).sum(dim=0)
    return reach, total, inverse


def closeness_centrality(graph: Graph, *, use_wasserman_faust: bool = False) -> torch.Tensor:
    """Closeness centrality over outgoing hop distances, as GDS's ``gds.closeness``.

    ``(reachable - 1) / sum of distances`` over the nodes a node reaches along its *outgoing* arcs
    (``reachable`` counts the node itself); ``0`` for a node that reaches nobody. Equals
    ``nx.closeness_centrality`` on the reversed graph (``wf_improved=use_wasserman_faust``).
    Relationship weights are not used.

    Parameters
    ----------
    graph : Graph
        The graph; distances follow its orientation.
    use_wasserman_faust : bool
        Multiply by ``(reachable - 1)/(N - 1)`` so that nodes in small components score lower.

    Returns
    -------
    torch.Tensor
        ``float64[n]`` closeness of every node.

    Notes
    -----
    One batched BFS per group of sources (:mod:`._bfs`): time ``O(n * depth * m)``, memory
    ``O(n * B)`` per batch of ``B`` sources.

    References
    ----------
    A. Bavelas, "Communication patterns in task-oriented groups", J. Acoust. Soc. Am. 22 (1950);
    S. Wasserman and K. Faust, "Social Network Analysis" (1994); GDS manual, Closeness Centrality.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2], [1, 2, 3])  # a directed path 0 -> 1 -> 2 -> 3
    >>> closeness_centrality(g).round(decimals=3).tolist()
    [0.5, 0.667, 1.0, 0.0]
    >>> closeness_centrality(g, use_wasserman_faust=True).round(decimals=3).tolist()
    [0.5, 0.444, 0.333, 0.0]
    """
    n = graph.num_nodes
    reach, total, _ = _distance_sums(graph)
    others = reach - 1.0
    safe = torch.where(total > 0, total, torch.ones_like(total))
    score = torch.where(total > 0, others / safe, torch.zeros_like(total))
    if use_wasserman_faust:
        score = score * (others / (n - 1)) if n > 1 else torch.zeros_like(score)
    return score


def harmonic_centrality(graph: Graph) -> torch.Tensor:
    """Harmonic centrality over outgoing hop distances, as GDS's ``gds.closeness.harmonic``.

    ``sum over reached nodes of 1/d`` divided by ``N - 1``, over *outgoing* hop distances
    (``nx.harmonic_centrality`` of the reversed graph divided by ``N - 1``). Unreachable nodes
    add nothing; ``N <= 1`` gives 0.

    Parameters
    ----------
    graph : Graph
        The graph; distances follow its orientation.

    Returns
    -------
    torch.Tensor
        ``float64[n]`` harmonic centrality of every node.

    Notes
    -----
    Time and memory as :func:`closeness_centrality`.

    References
    ----------
    M. Marchiori and V. Latora, "Harmony in the small-world", Physica A 285 (2000); P. Boldi and
    S. Vigna, "Axioms for centrality", Internet Mathematics 10 (2014); GDS manual, Harmonic
    Centrality.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2], [1, 2, 3])  # a directed path 0 -> 1 -> 2 -> 3
    >>> harmonic_centrality(g).round(decimals=3).tolist()
    [0.611, 0.5, 0.333, 0.0]
    """
    n = graph.num_nodes
    _, _, inverse = _distance_sums(graph)
    return inverse / (n - 1) if n > 1 else torch.zeros_like(inverse)
