"""Seeded local graph clustering: a diffusion from seed nodes, then a sweep cut.

Two diffusions, both vectorised (every active node pushes at once in a round; the same code on
CPU and CUDA), both touching only the neighbourhood the mass reaches:

* ``'PPR'``: approximate personalised PageRank by the push method of Andersen, Chung and Lang
  ("Local graph partitioning using PageRank vectors", FOCS 2006), lazy-walk variant: while some
  node has residual ``r_u >= epsilon * d_u``, it keeps ``alpha * r_u`` as PageRank, keeps
  ``(1 - alpha) r_u / 2`` as residual and spreads ``(1 - alpha) r_u / 2`` over its
  relationships in proportion to their weight. Pushing all active nodes together keeps ACL's
  invariant, so the result satisfies the same ``epsilon`` guarantee. Score: ``p_u / d_u``.
* ``'FLOW'``: l2 (p = 2) flow diffusion (Fountoulakis, Wang, Yang, "p-Norm Flow Diffusion for
  Local Graph Clustering", ICML 2020; used with noisy labels by Back de Luca, Fountoulakis,
  Yang, "Local Graph Clustering with Noisy Labels", ICLR 2024): ``sourceMass`` is put on the
  seeds, every node can hold mass equal to its degree, and a node with excess
  ``m_u - d_u > epsilon * d_u`` raises its potential ``x_u`` by ``(m_u - d_u) / d_u`` and sends
  the excess to its neighbours in proportion to the weights (dual coordinate steps, done for all
  such nodes at once). Score: ``x_u``.

**Noisy labels** (``labels``): the *seed label* is the label value most source nodes carry; a
relationship whose two end nodes both carry the seed label has its weight multiplied by
``label_weight``, and the diffusion and the sweep run on that re-weighted graph (the edge
re-weighting idea of Back de Luca et al.: likely members of the target cluster are tied more
strongly). The reported conductance is that of the found set on the original weights.

**Sweep cut**: the nodes of positive score, in decreasing score order (ties by position); the
prefix of least conductance ``cut(S) / min(vol(S), vol(V - S))`` (``nx.conductance``) is the
cluster. Conductance of each prefix is updated in ``O(1)`` per node from prefix sums, so the
sweep costs one sort of the support and one pass over its relationships.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from neo4j_gml.algorithms.community.metrics import undirected_arcs
from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.graph import Graph

__all__ = [
    "METHODS",
    "LocalCluster",
    "flow_diffusion",
    "local_clustering",
    "ppr_push",
    "set_conductance",
    "sweep_cut",
]

METHODS = ("PPR", "FLOW")


@dataclass
class LocalCluster:
    """Diffusion scores, the cluster found and its facts.

    Attributes
    ----------
    scores : torch.Tensor
        ``float64[n]`` diffusion score per node (``p_u / d_u`` for PPR, the potential ``x_u``
        for FLOW).
    in_cluster : torch.Tensor
        ``bool[n]`` membership of the cluster found.
    conductance : float
        The cluster's conductance on the original weights (NaN when undefined).
    ran_iterations : int
        Diffusion rounds run.
    did_converge : bool
        Whether the diffusion finished before ``max_iterations``.
    """

    scores: torch.Tensor
    in_cluster: torch.Tensor
    conductance: float
    ran_iterations: int
    did_converge: bool

    @property
    def size(self) -> int:
        """Number of nodes in the cluster."""
        return int(self.in_cluster.sum().item())


def _degrees(src: torch.Tensor, w: torch.Tensor, n: int) -> torch.Tensor:
    return torch.zeros(n, dtype=torch.float64, device=w.device).index_add_(0, src, w)


def ppr_push(
    src: torch.Tensor,
    dst: torch.Tensor,
    w: torch.Tensor,
    n: int,
    sources: torch.Tensor,
    *,
    alpha: float,
    epsilon: float,
    max_iterations: int,
) -> tuple[torch.Tensor, int, bool]:
    """ACL's approximate personalised PageRank vector by the push method (lazy-walk variant).

    While some node has residual ``r_u >= epsilon * d_u``, it keeps ``alpha * r_u`` as PageRank,
    keeps ``(1 - alpha) r_u / 2`` as residual and spreads ``(1 - alpha) r_u / 2`` over its
    relationships in proportion to their weight; all active nodes push at once in a round.

    Parameters
    ----------
    src, dst, w : torch.Tensor
        A symmetric arc list with non-negative ``float64`` weights.
    n : int
        Number of nodes.
    sources : torch.Tensor
        ``int64`` source positions; the unit residual mass is split evenly over them.
    alpha : float
        Teleport probability.
    epsilon : float
        Residual per unit of degree below which a node stops pushing.
    max_iterations : int
        Most push rounds.

    Returns
    -------
    tuple
        ``(p float64[n], rounds run, converged)``.

    References
    ----------
    R. Andersen, F. Chung, K. Lang, "Local graph partitioning using PageRank vectors", FOCS
    2006.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2, 3, 4, 5, 2], [1, 2, 0, 4, 5, 3, 3],
    ...                      orientation="UNDIRECTED")  # two triangles joined by 2 - 3
    >>> src, dst, w = undirected_arcs(g)
    >>> p, rounds, converged = ppr_push(src, dst, w, 6, torch.tensor([0]), alpha=0.15,
    ...                                 epsilon=1e-4, max_iterations=1000)
    >>> p.round(decimals=3).tolist(), converged
    ([0.397, 0.207, 0.244, 0.084, 0.033, 0.033], True)
    """
    d = _degrees(src, w, n)
    r = torch.zeros(n, dtype=torch.float64, device=w.device)
    r.index_add_(0, sources, torch.full_like(sources, 1.0, dtype=torch.float64) / sources.numel())
    p = torch.zeros_like(r)
    share = torch.where(d[src] > 0, w / d[src].clamp(min=1e-300), 0.0)
    for it in range(max_iterations):
        checkpoint()
        active = (r >= epsilon * d) & (d > 0)
        if not bool(active.any()):
            return p, it, True
        ra = torch.where(active, r, 0.0)
        p += alpha * ra
        r -= (1 + alpha) / 2 * ra
        r.index_add_(0, dst, (1 - alpha) / 2 * ra[src] * share)
    return p, max_iterations, False


def flow_diffusion(
    src: torch.Tensor,
    dst: torch.Tensor,
    w: torch.Tensor,
    n: int,
    sources: torch.Tensor,
    *,
    source_mass: float,
    epsilon: float,
    max_iterations: int,
) -> tuple[torch.Tensor, int, bool]:
    """The l2 (p = 2) flow-diffusion potentials ``x`` (dual coordinate steps, all nodes at once).

    ``source_mass`` is put on the sources, every node can hold mass equal to its degree, and a
    node with excess ``m_u - d_u > epsilon * d_u`` raises its potential ``x_u`` by
    ``(m_u - d_u) / d_u`` and sends the excess to its neighbours in proportion to the weights.

    Parameters
    ----------
    src, dst, w : torch.Tensor
        A symmetric arc list with non-negative ``float64`` weights.
    n : int
        Number of nodes.
    sources : torch.Tensor
        ``int64`` source positions; ``source_mass`` is split evenly over them.
    source_mass : float
        Total mass put on the sources.
    epsilon : float
        Allowed excess per unit of degree.
    max_iterations : int
        Most rounds.

    Returns
    -------
    tuple
        ``(x float64[n], rounds run, converged)``.

    References
    ----------
    K. Fountoulakis, D. Wang, S. Yang, "p-Norm flow diffusion for local graph clustering", ICML
    2020; A. Back de Luca, K. Fountoulakis, S. Yang, "Local graph clustering with noisy labels",
    ICLR 2024.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2, 3, 4, 5, 2], [1, 2, 0, 4, 5, 3, 3],
    ...                      orientation="UNDIRECTED")  # two triangles joined by 2 - 3
    >>> src, dst, w = undirected_arcs(g)
    >>> x, rounds, converged = flow_diffusion(src, dst, w, 6, torch.tensor([0]), source_mass=10.0,
    ...                                       epsilon=1e-4, max_iterations=1000)
    >>> x.round(decimals=2).tolist(), converged
    ([7.67, 4.33, 3.0, 0.0, 0.0, 0.0], True)
    """
    d = _degrees(src, w, n)
    m = torch.zeros(n, dtype=torch.float64, device=w.device)
    m.index_add_(0, sources, torch.full_like(sources, source_mass, dtype=torch.float64))
    m /= sources.numel()
    x = torch.zeros_like(m)
    for it in range(max_iterations):
        checkpoint()
        excess = m - d
        active = (excess > epsilon * d) & (d > 0)
        if not bool(active.any()):
            return x, it, True
        e = torch.where(active, excess, 0.0)
        step = e / d.clamp(min=1e-300)
        x += step
        m -= e
        m.index_add_(0, dst, step[src] * w)
    return x, max_iterations, False


def sweep_cut(
    src: torch.Tensor, dst: torch.Tensor, w: torch.Tensor, scores: torch.Tensor
) -> tuple[torch.Tensor, float]:
    """The prefix of the positive-score nodes (by decreasing score) of least conductance.

    Nodes of positive score are sorted by decreasing score (ties by position); the prefix of
    least conductance ``cut(S) / min(vol(S), vol(V - S))`` (``nx.conductance``) is the cluster.
    Conductance of each prefix is updated in ``O(1)`` per node from prefix sums, so the sweep
    costs one sort of the support and one pass over its relationships.

    Parameters
    ----------
    src, dst, w : torch.Tensor
        A symmetric arc list with non-negative ``float64`` weights.
    scores : torch.Tensor
        ``float64[n]`` node scores.

    Returns
    -------
    tuple
        ``(bool[n] membership, its conductance)``; ``NaN`` conductance and an empty set when no
        prefix has a positive volume on both sides.

    References
    ----------
    R. Andersen, F. Chung, K. Lang, "Local graph partitioning using PageRank vectors", FOCS
    2006.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2, 3, 4, 5, 2], [1, 2, 0, 4, 5, 3, 3],
    ...                      orientation="UNDIRECTED")  # two triangles joined by 2 - 3
    >>> src, dst, w = undirected_arcs(g)
    >>> members, phi = sweep_cut(src, dst, w, torch.tensor([0.3, 0.2, 0.1, 0.05, 0.0, 0.0]))
    >>> members.tolist(), round(phi, 3)
    ([True, True, True, False, False, False], 0.143)
    """
    n = scores.numel()
    dev = scores.device
    members = torch.zeros(n, dtype=torch.bool, device=dev)
    support = (scores > 0).nonzero().reshape(-1)
    if support.numel() == 0:
        return members, math.nan
    order = support[torch.argsort(-scores[support], stable=True)]
    rank = torch.full((n,), n, dtype=torch.long, device=dev)
    rank[order] = torch.arange(order.numel(), device=dev)
    d = _degrees(src, w, n)
    loop = src == dst
    loops = torch.zeros(n, dtype=torch.float64, device=dev).index_add_(0, src[loop], w[loop])
    earlier = (rank[dst] < rank[src]) & ~loop
    back = torch.zeros(n, dtype=torch.float64, device=dev).index_add_(0, src[earlier], w[earlier])
    delta = d[order] - loops[order] - 2 * back[order]
    cut = torch.cumsum(delta, 0)
    vol = torch.cumsum(d[order], 0)
    total = float(d.sum().item())
    denom = torch.minimum(vol, total - vol)
    phi = torch.where(denom > 0, cut / denom.clamp(min=1e-300), math.inf)
    best = int(torch.argmin(phi).item())  # first minimum: the smallest such prefix
    value = float(phi[best].item())
    if math.isinf(value):
        return members, math.nan
    members[order[: best + 1]] = True
    return members, value


def local_clustering(
    graph: Graph,
    sources: torch.Tensor,
    *,
    method: str = "PPR",
    alpha: float = 0.15,
    epsilon: float = 1e-4,
    source_mass: float | None = None,
    labels: torch.Tensor | None = None,
    label_weight: float = 2.0,
    weighted: bool = False,
    max_iterations: int = 1000,
) -> LocalCluster:
    """A local cluster around ``sources`` (positions) on the undirected view of ``graph``.

    A diffusion from the sources (``'PPR'`` or ``'FLOW'``), then a sweep cut over its scores
    (:func:`sweep_cut`). With ``labels``, the *seed label* is the label value most source nodes
    carry; a relationship whose two end nodes both carry it has its weight multiplied by
    ``label_weight``, and the diffusion and the sweep run on that re-weighted graph; the reported
    conductance is that of the found set on the original weights. See the module docstring.

    Parameters
    ----------
    graph : Graph
        Any orientation; directions are ignored.
    sources : torch.Tensor
        ``int64`` positions of the seed nodes (at least one).
    method : str
        ``'PPR'`` (ACL push, :func:`ppr_push`) or ``'FLOW'`` (l2 flow diffusion,
        :func:`flow_diffusion`).
    alpha : float
        PPR's teleport probability.
    epsilon : float
        PPR: residual per degree; FLOW: allowed excess per degree.
    source_mass : float or None
        FLOW's mass on the sources, split evenly; default 100 times the summed degree of the
        sources.
    labels : torch.Tensor or None
        ``float64[n]`` noisy labels (NaN = none).
    label_weight : float
        Factor for relationships between two nodes of the seeds' label.
    weighted : bool
        Use the relationship weights (non-negative) instead of ones.
    max_iterations : int
        Most diffusion rounds.

    Returns
    -------
    LocalCluster
        Scores, membership, conductance and run facts. Isolated sources (nothing to sweep) form
        the cluster alone.

    Raises
    ------
    ValueError
        An unknown ``method`` or no source node.

    Notes
    -----
    Work is proportional to the volume the diffusion reaches times the rounds (``O(m)`` per
    round as written: a round is a few whole-array kernels, cheap on a GPU).

    References
    ----------
    R. Andersen, F. Chung, K. Lang, "Local graph partitioning using PageRank vectors", FOCS
    2006.
    K. Fountoulakis, D. Wang, S. Yang, "p-Norm flow diffusion for local graph clustering", ICML
    2020; A. Back de Luca, K. Fountoulakis, S. Yang, "Local graph clustering with noisy labels",
    ICLR 2024.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2, 3, 4, 5, 2], [1, 2, 0, 4, 5, 3, 3],
    ...                      orientation="UNDIRECTED")  # two triangles joined by 2 - 3
    >>> r = local_clustering(g, torch.tensor([0]))
    >>> r.in_cluster.tolist(), round(r.conductance, 3), r.size
    ([True, True, True, False, False, False], 0.143, 3)
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    n = graph.num_nodes
    dev = graph.device
    if n == 0:
        empty = torch.zeros(0, dtype=torch.float64, device=dev)
        return LocalCluster(empty, empty.bool(), math.nan, 0, True)
    sources = torch.as_tensor(sources, dtype=torch.long, device=dev).reshape(-1)
    if sources.numel() == 0:
        raise ValueError("local clustering needs at least one source node")
    src, dst, w = undirected_arcs(graph, weighted=weighted)
    dw = w
    if labels is not None:
        labels = labels.to(dev, torch.float64)
        seed_label = torch.mode(labels[sources]).values  # the label most seeds carry
        same = (labels[src] == seed_label) & (labels[dst] == seed_label)
        dw = torch.where(same, w * label_weight, w)
    if method == "PPR":
        p, ran, converged = ppr_push(
            src, dst, dw, n, sources, alpha=alpha, epsilon=epsilon, max_iterations=max_iterations
        )
        d = _degrees(src, dw, n)
        scores = torch.where(d > 0, p / d.clamp(min=1e-300), 0.0)
    else:
        if source_mass is None:
            source_mass = 100.0 * float(_degrees(src, dw, n)[sources].sum().item())
        scores, ran, converged = flow_diffusion(
            src,
            dst,
            dw,
            n,
            sources,
            source_mass=source_mass,
            epsilon=epsilon,
            max_iterations=max_iterations,
        )
    members, phi = sweep_cut(src, dst, dw, scores)
    if not bool(members.any()):
        members[sources] = True  # nothing to sweep (isolated sources): the sources alone
    if labels is not None or math.isnan(phi):
        phi = set_conductance(src, dst, w, members)
    return LocalCluster(scores, members, phi, ran, converged)


def set_conductance(
    src: torch.Tensor, dst: torch.Tensor, w: torch.Tensor, members: torch.Tensor
) -> float:
    """``cut(S) / min(vol(S), vol(V - S))`` of the node set ``members`` (NaN if 0 / 0).

    Parameters
    ----------
    src, dst, w : torch.Tensor
        A symmetric arc list with ``float64`` weights.
    members : torch.Tensor
        ``bool[n]`` membership of ``S``.

    Returns
    -------
    float
        The conductance of ``S``, as ``nx.conductance``.

    References
    ----------
    R. Kannan, S. Vempala, A. Vetta, "On clusterings: good, bad and spectral", Journal of the ACM
    51 (2004).

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2, 3, 4, 5, 2], [1, 2, 0, 4, 5, 3, 3],
    ...                      orientation="UNDIRECTED")  # two triangles joined by 2 - 3
    >>> src, dst, w = undirected_arcs(g)
    >>> members = torch.tensor([True, True, True, False, False, False])
    >>> round(set_conductance(src, dst, w, members), 3)
    0.143
    """
    leaving = members[src] & ~members[dst]
    cut = float(w[leaving].sum().item())
    vol = float(w[members[src]].sum().item())
    denom = min(vol, float(w.sum().item()) - vol)
    return cut / denom if denom > 0 else math.nan
