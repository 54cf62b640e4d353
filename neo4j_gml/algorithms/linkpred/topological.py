"""Topological link scores (GDS's ``gds.alpha.linkprediction.*``) and candidate generation.

All measures use the simple undirected neighbourhood ``N(u)`` (both directions, self-loops and
parallel relationships merged) and ``deg(u) = |N(u)|``:

- ``ADAMIC_ADAR``: ``sum over w in N(a) & N(b) of 1 / ln deg(w)`` (Adamic and Adar 2003);
- ``RESOURCE_ALLOCATION``: ``sum over w in N(a) & N(b) of 1 / deg(w)`` (Zhou et al. 2009);
- ``COMMON_NEIGHBORS``: ``|N(a) & N(b)|``;
- ``PREFERENTIAL_ATTACHMENT``: ``deg(a) * deg(b)`` (Barabasi and Albert 1999);
- ``TOTAL_NEIGHBORS``: ``|N(a) | N(b)|``;
- ``SAME_COMMUNITY``: 1 when both nodes carry the same community value, else 0.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch

from neo4j_gml.algorithms.linkpred.adjacency import Adjacency, common_neighbors, expand

__all__ = ["MEASURES", "link_scores", "top_k_sorted", "two_hop_candidates", "two_hop_pairs"]

MEASURES = (
    "ADAMIC_ADAR",
    "COMMON_NEIGHBORS",
    "PREFERENTIAL_ATTACHMENT",
    "RESOURCE_ALLOCATION",
    "SAME_COMMUNITY",
    "TOTAL_NEIGHBORS",
)


def _path_weight(adj: Adjacency, measure: str) -> torch.Tensor:
    """What one common neighbour ``w`` adds to a pair's score, per node ``w`` (float64)."""
    deg = adj.degree.to(torch.float64)
    if measure == "ADAMIC_ADAR":
        return 1.0 / torch.log(deg)  # a common neighbour has degree >= 2
    if measure == "RESOURCE_ALLOCATION":
        return 1.0 / deg
    return torch.ones_like(deg)


def _from_common(
    adj: Adjacency,
    measure: str,
    a: torch.Tensor,
    b: torch.Tensor,
    summed: torch.Tensor,
    count: torch.Tensor,
    community: torch.Tensor | None,
    own_edge: torch.Tensor | None = None,
) -> torch.Tensor:
    deg = adj.degree.to(torch.float64)
    if measure in ("ADAMIC_ADAR", "RESOURCE_ALLOCATION", "COMMON_NEIGHBORS"):
        return summed
    deg_a, deg_b = deg[a], deg[b]
    if own_edge is not None:  # score as if the edge a - b were absent
        deg_a, deg_b = deg_a - own_edge, deg_b - own_edge
    if measure == "PREFERENTIAL_ATTACHMENT":
        return deg_a * deg_b
    if measure == "TOTAL_NEIGHBORS":
        # a and b count as each other's neighbours when adjacent (as |N(a) | N(b)| does)
        return deg_a + deg_b - count
    if measure == "SAME_COMMUNITY":
        if community is None:
            raise ValueError("SAME_COMMUNITY needs community values")
        return (community[a] == community[b]).to(torch.float64)
    raise ValueError(f"unknown measure {measure!r}; known: {MEASURES}")


def link_scores(
    adj: Adjacency,
    a: torch.Tensor,
    b: torch.Tensor,
    measure: str,
    *,
    community: torch.Tensor | None = None,
    without_pair_edge: bool = False,
) -> torch.Tensor:
    """The ``measure`` score of each pair ``(a[i], b[i])`` (positions).

    GDS's functions compute the same values one pair at a time (for simple graphs; GDS counts
    parallel relationships in degrees).

    Parameters
    ----------
    adj : Adjacency
        The simple undirected adjacency
        (:func:`~neo4j_gml.algorithms.linkpred.adjacency.from_graph`).
    a, b : torch.Tensor
        ``int64[p]`` node positions.
    measure : str
        One of :data:`MEASURES` (module docstring).
    community : torch.Tensor or None
        ``[n]`` community values, for ``SAME_COMMUNITY``.
    without_pair_edge : bool
        Score each pair as if its own edge were absent (for training pairs that are edges, so
        that the feature does not reveal the label).

    Returns
    -------
    torch.Tensor
        ``float64[p]`` scores.

    Raises
    ------
    ValueError
        An unknown measure, or ``SAME_COMMUNITY`` without ``community``.

    Notes
    -----
    Complexity ``O(sum_i min(deg a_i, deg b_i) log m)``.

    References
    ----------
    L. A. Adamic and E. Adar, "Friends and neighbors on the Web", Social Networks 25 (2003);
    T. Zhou, L. Lu, Y.-C. Zhang, "Predicting missing links via local information", Eur. Phys. J. B
    71 (2009); GDS manual, Topological link prediction.

    Examples
    --------
    >>> from neo4j_gml.algorithms.linkpred.adjacency import from_edges
    >>> # a triangle 0-1-2 with a tail 2-3
    >>> adj = from_edges(torch.tensor([0, 0, 1, 2]), torch.tensor([1, 2, 2, 3]), 4)
    >>> a, b = torch.tensor([0, 0]), torch.tensor([3, 1])
    >>> link_scores(adj, a, b, "ADAMIC_ADAR").round(decimals=3).tolist()
    [0.91, 0.91]
    >>> link_scores(adj, a, b, "PREFERENTIAL_ATTACHMENT").tolist()
    [2.0, 4.0]
    >>> link_scores(adj, a, b, "PREFERENTIAL_ATTACHMENT", without_pair_edge=True).tolist()
    [2.0, 1.0]
    """
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; known: {MEASURES}")
    p = a.numel()
    summed = torch.zeros(p, dtype=torch.float64, device=adj.device)
    count = torch.zeros(p, dtype=torch.float64, device=adj.device)
    if measure in ("ADAMIC_ADAR", "RESOURCE_ALLOCATION", "COMMON_NEIGHBORS", "TOTAL_NEIGHBORS"):
        pair, node = common_neighbors(adj, a, b)
        summed.index_add_(0, pair, _path_weight(adj, measure)[node])
        count.index_add_(0, pair, torch.ones_like(node, dtype=torch.float64))
    own = adj.has_arc(a, b).to(torch.float64) if without_pair_edge else None
    return _from_common(adj, measure, a, b, summed, count, community, own)


def _blocks(cost: torch.Tensor, budget: int) -> list[tuple[int, int]]:
    """Consecutive ranges of ``cost`` whose sums stay within ``budget`` (one item at least)."""
    bounds, lo, total = [], 0, 0
    for i, c in enumerate(cost.tolist()):
        if i > lo and total + c > budget:
            bounds.append((lo, i))
            lo, total = i, 0
        total += c
    if lo < len(cost):
        bounds.append((lo, len(cost)))
    return bounds


def two_hop_pairs(
    adj: Adjacency,
    sources: torch.Tensor | None = None,
    weight: torch.Tensor | None = None,
    path_budget: int = 20_000_000,
) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]]:
    """Blocks of the distinct pairs ``(u, v)`` joined by a two-hop path ``u - w - v``.

    ``u`` is in ``sources`` (default: all nodes), ``v != u`` and ``v`` is not adjacent to ``u``.
    About ``path_budget`` paths are expanded per block and all pairs of one source are in the
    same block.

    Parameters
    ----------
    adj : Adjacency
        The simple undirected adjacency.
    sources : torch.Tensor or None
        ``int64`` source positions (default: every node).
    weight : torch.Tensor or None
        ``float64[n]`` what a common neighbour ``w`` contributes to ``summed``.
    path_budget : int
        Two-hop paths expanded per block.

    Yields
    ------
    tuple of torch.Tensor
        ``(u, v, summed, count)`` sorted by ``(u, v)``: ``count`` is the number of common
        neighbours ``w`` and ``summed`` the sum of ``weight[w]`` over them (``count`` when
        ``weight`` is ``None``), both float64.

    Notes
    -----
    ``O(P log P)`` for ``P`` paths in all.

    References
    ----------
    L. A. Adamic and E. Adar, "Friends and neighbors on the Web", Social Networks 25 (2003);
    T. Zhou, L. Lu, Y.-C. Zhang, "Predicting missing links via local information", Eur. Phys. J. B
    71 (2009); GDS manual, Topological link prediction.

    Examples
    --------
    >>> from neo4j_gml.algorithms.linkpred.adjacency import from_edges
    >>> # a triangle 0-1-2 with a tail 2-3
    >>> adj = from_edges(torch.tensor([0, 0, 1, 2]), torch.tensor([1, 2, 2, 3]), 4)
    >>> for u, v, summed, count in two_hop_pairs(adj):
    ...     print(u.tolist(), v.tolist(), count.tolist())
    [0, 1, 3, 3] [3, 3, 0, 1] [1.0, 1.0, 1.0, 1.0]
    """
    device, n = adj.device, adj.num_nodes
    if sources is None:
        sources = torch.arange(n, device=device)
    deg = adj.degree
    starts = torch.zeros(n, dtype=torch.int64, device=device)
    if adj.indices.numel():
        rows = torch.repeat_interleave(torch.arange(n, device=device), deg)
        starts.index_add_(0, rows, deg[adj.indices])
    for lo, hi in _blocks(starts[sources], path_budget):
        block = sources[lo:hi]
        owner, mid = expand(adj, block)
        second, far = expand(adj, mid)
        u = block[owner[second]]
        keep = far != u
        paths = u[keep] * n + far[keep]
        if paths.numel() == 0:
            continue
        # the block's own arcs join the sort, which marks the adjacent pairs without a search
        arcs = block[owner] * n + mid
        key, inverse, counts = torch.unique(
            torch.cat([paths, arcs]), return_inverse=True, return_counts=True
        )
        adjacent = torch.zeros(key.numel(), dtype=torch.bool, device=device)
        adjacent[inverse[paths.numel() :]] = True
        count = (counts - adjacent.to(counts.dtype)).to(torch.float64)
        if weight is None:
            summed = count
        else:
            summed = torch.zeros(key.numel(), dtype=torch.float64, device=device)
            summed.index_add_(0, inverse[: paths.numel()], weight[mid[second][keep]])
        new = ~adjacent
        key, summed, count = key[new], summed[new], count[new]
        s = torch.div(key, n, rounding_mode="floor")
        yield s, key - s * n, summed, count


def top_k_sorted(
    s: torch.Tensor, t: torch.Tensor, v: torch.Tensor, k: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Each source's ``k`` highest values, for pairs already sorted by ``(s, t)``.

    Ties keep ascending ``t``. Each large group's ``k``-th value is found with
    :func:`torch.topk` on groups padded to the next power of two (linear time); only the pairs
    reaching it are then sorted.

    Parameters
    ----------
    s, t : torch.Tensor
        ``int64[p]`` sources and targets, sorted by ``(s, t)``.
    v : torch.Tensor
        ``float[p]`` values.
    k : int
        Pairs kept per source.

    Returns
    -------
    tuple of torch.Tensor
        ``(s, t, v)`` grouped by source, highest value first.

    References
    ----------
    GDS manual, Topological link prediction (``topK`` candidates per node).

    Examples
    --------
    >>> s, t = torch.tensor([0, 0, 0, 1]), torch.tensor([1, 2, 3, 0])
    >>> v = torch.tensor([0.5, 0.9, 0.5, 0.2], dtype=torch.float64)
    >>> [x.tolist() for x in top_k_sorted(s, t, v, 2)]
    [[0, 0, 1], [2, 1, 0], [0.9, 0.5, 0.2]]
    """
    if s.numel() == 0:
        return s, t, v
    counts = torch.unique_consecutive(s, return_counts=True)[1]
    first = torch.cumsum(counts, 0) - counts
    kth = torch.full((counts.numel(),), float("-inf"), dtype=v.dtype, device=v.device)
    big = torch.nonzero(counts > k).flatten()
    if big.numel():
        bucket = torch.ceil(torch.log2(counts[big].to(torch.float64))).to(torch.int64)
        for b in torch.unique(bucket).tolist():
            rows = big[bucket == b]
            width = int(counts[rows].max())
            offset = torch.arange(width, device=v.device)
            valid = offset[None, :] < counts[rows, None]
            pos = torch.where(valid, first[rows, None] + offset[None, :], 0)
            vals = v[pos].masked_fill(~valid, float("-inf"))
            kth[rows] = torch.topk(vals, k, dim=1).values[:, -1]
    group = torch.repeat_interleave(torch.arange(counts.numel(), device=s.device), counts)
    cand = v >= kth[group]
    s, t, v = s[cand], t[cand], v[cand]
    order = torch.argsort(v, descending=True, stable=True)
    order = order[torch.argsort(s[order], stable=True)]
    s, t, v = s[order], t[order], v[order]
    counts = torch.unique_consecutive(s, return_counts=True)[1]
    first = torch.repeat_interleave(torch.cumsum(counts, 0) - counts, counts)
    keep = torch.arange(s.numel(), device=s.device) - first < k
    return s[keep], t[keep], v[keep]


def two_hop_candidates(
    adj: Adjacency,
    measure: str,
    top_k: int,
    *,
    sources: torch.Tensor | None = None,
    community: torch.Tensor | None = None,
    path_budget: int = 20_000_000,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Each source's ``top_k`` best-scoring non-adjacent nodes within two hops.

    For every source ``u`` the candidates are the nodes ``v != u`` reachable over a common
    neighbour and not already adjacent to ``u``; they are scored with ``measure`` and the
    ``top_k`` highest kept (ties: lower position first). Sources are processed in blocks so that
    at most ``path_budget`` two-hop paths are held at once.

    Parameters
    ----------
    adj : Adjacency
        The simple undirected adjacency.
    measure : str
        One of :data:`MEASURES`.
    top_k : int
        Candidates per source (>= 1).
    sources : torch.Tensor or None
        Node positions to generate for (default: all nodes).
    community : torch.Tensor or None
        ``[n]`` community values, for ``SAME_COMMUNITY``.
    path_budget : int
        Two-hop paths expanded per block.

    Returns
    -------
    tuple of torch.Tensor
        ``(source, target, score)`` grouped by source, best first.

    Raises
    ------
    ValueError
        An unknown measure.

    Notes
    -----
    ``O(P log P)`` for ``P = sum over sources u of sum over w in N(u) of deg(w)`` two-hop paths.

    References
    ----------
    L. A. Adamic and E. Adar, "Friends and neighbors on the Web", Social Networks 25 (2003);
    T. Zhou, L. Lu, Y.-C. Zhang, "Predicting missing links via local information", Eur. Phys. J. B
    71 (2009); GDS manual, Topological link prediction.

    Examples
    --------
    >>> from neo4j_gml.algorithms.linkpred.adjacency import from_edges
    >>> # a triangle 0-1-2 with a tail 2-3
    >>> adj = from_edges(torch.tensor([0, 0, 1, 2]), torch.tensor([1, 2, 2, 3]), 4)
    >>> source, target, score = two_hop_candidates(adj, "RESOURCE_ALLOCATION", 1)
    >>> source.tolist(), target.tolist(), score.round(decimals=3).tolist()
    ([0, 1, 3], [3, 3, 0], [0.333, 0.333, 0.333])
    """
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; known: {MEASURES}")
    device = adj.device
    weight = (
        _path_weight(adj, measure) if measure in ("ADAMIC_ADAR", "RESOURCE_ALLOCATION") else None
    )
    out_s, out_t, out_v = [], [], []
    for s, t, summed, count in two_hop_pairs(adj, sources, weight, path_budget):
        score = _from_common(adj, measure, s, t, summed, count, community)
        s, t, score = top_k_sorted(s, t, score, top_k)
        out_s.append(s)
        out_t.append(t)
        out_v.append(score)
    if not out_s:
        empty = torch.zeros(0, dtype=torch.int64, device=device)
        return empty, empty.clone(), torch.zeros(0, dtype=torch.float64, device=device)
    return torch.cat(out_s), torch.cat(out_t), torch.cat(out_v)
