"""Quality of a given partition (a community property): modularity and conductance per
community, as GDS's ``gds.modularity`` and ``gds.conductance`` compute them."""

from __future__ import annotations

import torch

from neo4j_gml.algorithms.community.metrics import per_community_modularity, undirected_arcs
from neo4j_gml.core.graph import Graph

__all__ = ["conductance_per_community", "modularity_per_community"]


def _labelled(values: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Nodes whose community value is a number, and those values as ``int64``."""
    values = values.to(torch.float64).reshape(-1)
    ok = ~torch.isnan(values)
    return ok, values.to(torch.long)


def modularity_per_community(
    graph: Graph, communities: torch.Tensor, *, weighted: bool = False
) -> tuple[torch.Tensor, torch.Tensor, float]:
    """Each community's modularity term ``L_c / (2m) - (K_c / 2m)^2`` on the undirected view.

    As GDS's ``gds.modularity``: ``L_c`` is the weight of edges inside ``c`` counted in both
    directions (a self-loop twice), ``K_c`` the summed weighted degree; the terms add up to
    ``nx.community.modularity``. A directed graph is symmetrised first. Nodes whose community
    value is ``NaN`` are left out (their relationships too).

    Parameters
    ----------
    graph : Graph
        Any orientation.
    communities : torch.Tensor
        ``float[n]`` community value per node (integral), ``NaN`` for none.
    weighted : bool
        Use the relationship weights.

    Returns
    -------
    tuple
        ``(community ids int64[k], terms float64[k], total)``, ids increasing; ``total`` is the
        graph's modularity.

    Notes
    -----
    ``O(n + m log m)``.

    References
    ----------
    M. E. J. Newman and M. Girvan, "Finding and evaluating community structure in networks",
    Phys. Rev. E 69, 026113 (2004); GDS manual, Modularity metric.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2, 3, 4, 5, 2], [1, 2, 0, 4, 5, 3, 3],
    ...                      orientation="UNDIRECTED")  # two triangles joined by 2 - 3
    >>> communities = torch.tensor([0.0, 0.0, 0.0, 1.0, 1.0, 1.0])
    >>> ids, terms, total = modularity_per_community(g, communities)
    >>> ids.tolist(), terms.round(decimals=3).tolist(), round(total, 3)
    ([0, 1], [0.179, 0.179], 0.357)
    """
    ok, ids = _labelled(communities.to(graph.device))
    src, dst, w = undirected_arcs(graph, weighted=weighted)
    keep = ok[src] & ok[dst]
    if not bool(ok.any()):
        empty = torch.zeros(0, dtype=torch.long, device=graph.device)
        return empty, empty.double(), 0.0
    sentinel = int(ids[ok].max().item()) + 1  # unlabelled nodes: one extra group, dropped
    labels = torch.where(ok, ids, sentinel)
    src, dst, w = src[keep], dst[keep], w[keep]
    present, terms = per_community_modularity(src, dst, w, labels)
    mask = present != sentinel
    present, terms = present[mask], terms[mask]
    return present, terms, float(terms.sum().item())


def conductance_per_community(
    graph: Graph, communities: torch.Tensor, *, weighted: bool = False
) -> tuple[torch.Tensor, torch.Tensor]:
    """GDS's conductance of every community: ``external / (external + internal)``.

    For community ``C``, ``external`` is the weight of arcs leaving ``C`` and ``internal`` that
    of arcs from ``C`` into ``C``, over the arcs as projected (both directions when
    ``UNDIRECTED``). So the denominator is ``vol(C)`` and, for an undirected graph, this equals
    ``nx.conductance(G, C)`` whenever ``vol(C) <= vol(V - C)``.

    Parameters
    ----------
    graph : Graph
        Any orientation; arcs are taken as projected.
    communities : torch.Tensor
        ``float[n]`` community value per node (integral), ``NaN`` for none (left out).
    weighted : bool
        Use the relationship weights.

    Returns
    -------
    tuple of torch.Tensor
        ``(community ids int64[k], conductance float64[k])``; a community without arcs gets
        ``NaN``.

    References
    ----------
    R. Kannan, S. Vempala, A. Vetta, "On clusterings: good, bad and spectral", Journal of the ACM
    51 (2004); GDS manual, Conductance metric.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2, 3, 4, 5, 2], [1, 2, 0, 4, 5, 3, 3],
    ...                      orientation="UNDIRECTED")  # two triangles joined by 2 - 3
    >>> communities = torch.tensor([0.0, 0.0, 0.0, 1.0, 1.0, 1.0])
    >>> ids, phi = conductance_per_community(g, communities)
    >>> ids.tolist(), phi.round(decimals=3).tolist()
    ([0, 1], [0.143, 0.143])
    """
    ok, ids = _labelled(communities.to(graph.device))
    src, dst = graph.sources(), graph.indices
    w = graph.arc_weights() if weighted else torch.ones_like(src, dtype=torch.float64)
    labelled = ok.nonzero().reshape(-1)
    present, dense_ok = torch.unique(ids[labelled], return_inverse=True)
    dense = torch.full_like(ids, -1)
    dense[labelled] = dense_ok
    k = present.numel()
    from_c = dense[src] >= 0
    s, d, w = dense[src][from_c], dense[dst][from_c], w[from_c]
    internal = torch.zeros(k, dtype=torch.float64, device=w.device).index_add_(
        0, s[s == d], w[s == d]
    )
    external = torch.zeros(k, dtype=torch.float64, device=w.device).index_add_(
        0, s[s != d], w[s != d]
    )
    denom = internal + external
    out = torch.where(denom > 0, external / denom.clamp(min=1e-300), torch.nan)
    return present, out
