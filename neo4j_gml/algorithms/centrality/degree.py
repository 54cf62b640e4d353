"""Degree centrality."""

from __future__ import annotations

import torch

from neo4j_gml.core.graph import Graph

__all__ = ["degree_centrality"]


def degree_centrality(graph: Graph, *, weighted: bool = False) -> torch.Tensor:
    """Number of arcs leaving each node in the graph's orientation, as GDS's ``gds.degree``.

    ``NATURAL`` gives the out-degree, ``REVERSE`` the in-degree and ``UNDIRECTED`` the degree
    (a self-loop counts twice, as in NetworkX). Weighted, it sums the *positive* weights of those
    arcs (GDS ignores relationships of zero or negative weight).

    Parameters
    ----------
    graph : Graph
        The graph; arcs are counted in its orientation.
    weighted : bool
        Sum the positive relationship weights instead of counting arcs.

    Returns
    -------
    torch.Tensor
        ``float64[n]`` degree of every node.

    Notes
    -----
    Time ``O(n + m)``.

    References
    ----------
    L. C. Freeman, "Centrality in social networks: conceptual clarification", Social Networks 1
    (1978); GDS manual, Degree Centrality.

    Examples
    --------
    >>> g = Graph.from_edges([0, 0, 1], [1, 2, 2], [2.0, 0.5, 1.0])
    >>> degree_centrality(g).tolist()
    [2.0, 1.0, 0.0]
    >>> degree_centrality(g, weighted=True).tolist()
    [2.5, 1.0, 0.0]
    """
    if not weighted or graph.weights is None:
        return graph.out_degree().to(torch.float64)
    w = graph.weights.clamp(min=0)
    out = torch.zeros(graph.num_nodes, dtype=torch.float64, device=graph.device)
    return out.index_add_(0, graph.sources(), w)
