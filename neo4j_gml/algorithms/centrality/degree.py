"""Degree centrality."""

from __future__ import annotations

import torch

from neo4j_gml.core.graph import Graph


def degree_centrality(graph: Graph, *, weighted: bool = False) -> torch.Tensor:
    """Number of arcs leaving each node in the graph's orientation, as GDS's ``gds.degree``.

    ``NATURAL`` gives the out-degree, ``REVERSE`` the in-degree and ``UNDIRECTED`` the degree
    (a self-loop counts twice, as in NetworkX). Weighted, it sums the *positive* weights of those
    arcs (GDS ignores relationships of zero or negative weight).

    Returns ``float64[n]``. Time ``O(n + m)``.
    """
    if not weighted or graph.weights is None:
        return graph.out_degree().to(torch.float64)
    w = graph.weights.clamp(min=0)
    out = torch.zeros(graph.num_nodes, dtype=torch.float64, device=graph.device)
    return out.index_add_(0, graph.sources(), w)
