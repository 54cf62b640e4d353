"""Partition quality measures shared by the community algorithms and their tests.

All functions take arcs as tensors (``src``, ``dst``, ``w``) of an undirected graph stored as
two arcs per edge (a self-loop as two arcs ``u -> u``), which is how :class:`Graph` stores an
``UNDIRECTED`` projection, and work on any torch device.
"""

from __future__ import annotations

import math

import torch

from neo4j_gml.core.graph import Graph

__all__ = [
    "check_weights",
    "conductance_of_sets",
    "modularity",
    "nmi",
    "per_community_modularity",
    "undirected_arcs",
]


def undirected_arcs(
    graph: Graph, *, weighted: bool = True
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The graph's arcs as a symmetric arc list ``(src, dst, w)``.

    An ``UNDIRECTED`` graph is returned as stored. A ``NATURAL``/``REVERSE`` graph is
    symmetrised: every arc ``u -> v`` of weight ``w`` becomes the undirected edge ``{u, v}`` of
    weight ``w`` (two arcs), so a pair linked both ways gets two parallel edges, as when GDS runs
    an undirected algorithm on a directed projection.

    Parameters
    ----------
    graph : Graph
        Any orientation.
    weighted : bool
        Use the relationship weights (ones when ``False`` or when the graph has none).

    Returns
    -------
    tuple of torch.Tensor
        ``(src int64[a], dst int64[a], w float64[a])``, both directions of every edge.

    References
    ----------
    GDS manual, Projecting graphs (``orientation: 'UNDIRECTED'``).

    Examples
    --------
    >>> g = Graph.from_edges([0], [1], [2.5])
    >>> [t.tolist() for t in undirected_arcs(g)]
    [[0, 1], [1, 0], [2.5, 2.5]]
    """
    src, dst = graph.sources(), graph.indices
    w = graph.arc_weights() if weighted else torch.ones_like(src, dtype=torch.float64)
    if graph.orientation != "UNDIRECTED":
        src, dst = torch.cat([src, dst]), torch.cat([dst, src])
        w = torch.cat([w, w])
    return src, dst, w.to(torch.float64)


def check_weights(w: torch.Tensor, *, allow_negative: bool = False) -> str | None:
    """A description of what is wrong with the weights ``w`` (NaN, infinite, negative), or None.

    Parameters
    ----------
    w : torch.Tensor
        Relationship weights.
    allow_negative : bool
        Accept negative weights.

    Returns
    -------
    str or None
        ``'must not be NaN'``, ``'must be finite'``, ``'must not be negative'``, or ``None`` when
        the weights are usable.

    References
    ----------
    GDS manual, Louvain and Modularity Optimization (weights must be non-negative).

    Examples
    --------
    >>> check_weights(torch.tensor([1.0, -2.0]))
    'must not be negative'
    >>> check_weights(torch.tensor([1.0, -2.0]), allow_negative=True) is None
    True
    """
    if w.numel() == 0:
        return None
    if bool(torch.isnan(w).any()):
        return "must not be NaN"
    if bool(torch.isinf(w).any()):
        return "must be finite"
    if not allow_negative and bool((w < 0).any()):
        return "must not be negative"
    return None


def modularity(
    src: torch.Tensor,
    dst: torch.Tensor,
    w: torch.Tensor,
    communities: torch.Tensor,
    *,
    gamma: float = 1.0,
) -> float:
    """Newman modularity of ``communities`` on a symmetric arc list.

    ``Q = sum_c [ L_c / (2m) - gamma * (K_c / (2m))^2 ]`` where ``L_c`` is the weight of arcs
    inside ``c`` (each edge counted twice) and ``K_c`` the sum of weighted degrees in ``c``;
    equal to ``nx.community.modularity`` on the same undirected graph.

    Parameters
    ----------
    src, dst, w : torch.Tensor
        The symmetric arc list (:func:`undirected_arcs`).
    communities : torch.Tensor
        ``int64[n]`` community id per node, ids in ``0..n-1``.
    gamma : float
        Resolution.

    Returns
    -------
    float
        The modularity ``Q`` (``0.0`` for a graph without weight).

    Notes
    -----
    ``O(n + m)``.

    References
    ----------
    M. E. J. Newman and M. Girvan, "Finding and evaluating community structure in networks",
    Phys. Rev. E 69, 026113 (2004); GDS manual, Modularity metric.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2, 3, 4, 5, 2], [1, 2, 0, 4, 5, 3, 3],
    ...                      orientation="UNDIRECTED")  # two triangles joined by 2 - 3
    >>> src, dst, w = undirected_arcs(g)
    >>> communities = torch.tensor([0, 0, 0, 1, 1, 1])
    >>> round(modularity(src, dst, w, communities), 3)
    0.357
    """
    total = float(w.sum().item())
    if total <= 0:
        return 0.0
    inside = float(w[communities[src] == communities[dst]].sum().item())
    n = communities.numel()
    deg = torch.zeros(n, dtype=torch.float64, device=w.device).index_add_(0, src, w)
    k = torch.zeros(n, dtype=torch.float64, device=w.device).index_add_(0, communities, deg)
    return inside / total - gamma * float((k * k).sum().item()) / (total * total)


def per_community_modularity(
    src: torch.Tensor, dst: torch.Tensor, w: torch.Tensor, communities: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Each community's term of the modularity sum: ``L_c/2m - (K_c/2m)^2``.

    Parameters
    ----------
    src, dst, w : torch.Tensor
        The symmetric arc list (:func:`undirected_arcs`).
    communities : torch.Tensor
        ``int64[n]`` community id per node (any ids).

    Returns
    -------
    tuple of torch.Tensor
        ``(ids, terms)``: ``ids`` are the distinct values of ``communities`` in increasing order,
        ``terms`` (``float64``) their modularity terms, which sum to :func:`modularity`.

    References
    ----------
    M. E. J. Newman and M. Girvan, "Finding and evaluating community structure in networks",
    Phys. Rev. E 69, 026113 (2004); GDS manual, Modularity metric.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2, 3, 4, 5, 2], [1, 2, 0, 4, 5, 3, 3],
    ...                      orientation="UNDIRECTED")  # two triangles joined by 2 - 3
    >>> src, dst, w = undirected_arcs(g)
    >>> communities = torch.tensor([0, 0, 0, 1, 1, 1])
    >>> ids, terms = per_community_modularity(src, dst, w, communities)
    >>> ids.tolist(), terms.round(decimals=3).tolist()
    ([0, 1], [0.179, 0.179])
    """
    ids, dense = torch.unique(communities, return_inverse=True)
    k = ids.numel()
    total = float(w.sum().item())
    terms = torch.zeros(k, dtype=torch.float64, device=w.device)
    if total <= 0:
        return ids, terms
    same = dense[src] == dense[dst]
    inside = terms.clone().index_add_(0, dense[src][same], w[same])
    deg = torch.zeros(communities.numel(), dtype=torch.float64, device=w.device)
    deg.index_add_(0, src, w)
    vol = terms.clone().index_add_(0, dense, deg)
    return ids, inside / total - (vol / total) ** 2


def conductance_of_sets(
    src: torch.Tensor, dst: torch.Tensor, w: torch.Tensor, communities: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Conductance of every community: ``cut(S) / min(vol(S), vol(V - S))``.

    ``cut`` is the weight of arcs leaving ``S``, ``vol`` the sum of weighted degrees, as in
    ``nx.conductance``. A community of volume 0 (or whose complement has volume 0) gets NaN.

    Parameters
    ----------
    src, dst, w : torch.Tensor
        The symmetric arc list (:func:`undirected_arcs`).
    communities : torch.Tensor
        ``int64[n]`` community id per node (any ids).

    Returns
    -------
    tuple of torch.Tensor
        ``(ids, conductance)`` with ids in increasing order and ``float64`` conductances.

    References
    ----------
    R. Kannan, S. Vempala, A. Vetta, "On clusterings: good, bad and spectral", Journal of the ACM
    51 (2004); GDS manual, Conductance metric.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2, 3, 4, 5, 2], [1, 2, 0, 4, 5, 3, 3],
    ...                      orientation="UNDIRECTED")  # two triangles joined by 2 - 3
    >>> src, dst, w = undirected_arcs(g)
    >>> communities = torch.tensor([0, 0, 0, 1, 1, 1])
    >>> ids, phi = conductance_of_sets(src, dst, w, communities)
    >>> ids.tolist(), phi.round(decimals=3).tolist()
    ([0, 1], [0.143, 0.143])
    """
    ids, dense = torch.unique(communities, return_inverse=True)
    k = ids.numel()
    zero = torch.zeros(k, dtype=torch.float64, device=w.device)
    leaving = dense[src] != dense[dst]
    cut = zero.clone().index_add_(0, dense[src][leaving], w[leaving])
    vol = zero.clone().index_add_(0, dense[src], w)
    total = float(w.sum().item())
    denom = torch.minimum(vol, total - vol)
    out = torch.where(denom > 0, cut / denom.clamp(min=1e-300), torch.full_like(cut, math.nan))
    return ids, out


def nmi(a: torch.Tensor | list[int], b: torch.Tensor | list[int]) -> float:
    """Normalised mutual information of two labelings, ``2 I(A;B) / (H(A) + H(B))``.

    The arithmetic-mean normalisation (scikit-learn's default). Two single-cluster labelings
    give 1.0.

    Parameters
    ----------
    a, b : torch.Tensor or list of int
        Two labelings of the same ``n`` items (any label values).

    Returns
    -------
    float
        NMI in ``[0, 1]``; ``1.0`` for identical partitions (up to renaming).

    Notes
    -----
    ``O(n log n)``.

    References
    ----------
    A. Strehl and J. Ghosh, "Cluster ensembles: a knowledge reuse framework for combining
    multiple partitions", JMLR 3 (2002); L. Danon, A. Diaz-Guilera, J. Duch, A. Arenas,
    "Comparing community structure identification", J. Stat. Mech. (2005) P09008.

    Examples
    --------
    >>> nmi([0, 0, 1, 1], [1, 1, 0, 0])
    1.0
    >>> nmi([0, 0, 1, 1], [0, 1, 0, 1])
    0.0
    """
    a = torch.as_tensor(a).reshape(-1).cpu()
    b = torch.as_tensor(b).reshape(-1).cpu()
    n = a.numel()
    if n == 0:
        return 1.0
    _, ia = torch.unique(a, return_inverse=True)
    _, ib = torch.unique(b, return_inverse=True)
    ka, kb = int(ia.max()) + 1, int(ib.max()) + 1
    joint = torch.bincount(ia * kb + ib, minlength=ka * kb).reshape(ka, kb).to(torch.float64) / n
    pa, pb = joint.sum(1), joint.sum(0)
    nz = joint > 0
    mi = float((joint[nz] * torch.log(joint[nz] / torch.outer(pa, pb)[nz])).sum())
    ha = float(-(pa[pa > 0] * torch.log(pa[pa > 0])).sum())
    hb = float(-(pb[pb > 0] * torch.log(pb[pb > 0])).sum())
    if ha + hb == 0:
        return 1.0
    return 2 * mi / (ha + hb)
