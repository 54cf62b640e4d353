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
    """``float64[p]``: the ``measure`` score of each pair ``(a[i], b[i])`` (positions).

    Args:
        adj: the simple undirected adjacency (:func:`adjacency.from_graph`).
        a, b: ``int64[p]`` node positions.
        measure: one of :data:`MEASURES`.
        community: ``[n]`` community values, for ``SAME_COMMUNITY``.
        without_pair_edge: score each pair as if its own edge were absent (for training pairs
            that are edges, so that the feature does not reveal the label).

    Complexity ``O(sum_i min(deg a_i, deg b_i) log m)``; GDS's functions compute the same
    values one pair at a time (for simple graphs; GDS counts parallel relationships in degrees).
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
    """Blocks of the distinct pairs ``(u, v)`` joined by a two-hop path ``u - w - v``, with
    ``u`` in ``sources`` (default: all nodes), ``v != u`` and ``v`` not adjacent to ``u``.

    Yields ``(u, v, summed, count)`` sorted by ``(u, v)``: ``count`` is the number of common
    neighbours ``w`` and ``summed`` the sum of ``weight[w]`` over them (``count`` when
    ``weight`` is ``None``), both float64. About ``path_budget`` paths are expanded per block and
    all pairs of one source are in the same block. ``O(P log P)`` for ``P`` paths in all.
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
    """Each source's ``k`` highest values, for pairs already sorted by ``(s, t)``; ties keep
    ascending ``t``.

    Each large group's ``k``-th value is found with :func:`torch.topk` on groups padded to the
    next power of two (linear time); only the pairs reaching it are then sorted.
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

    Args:
        adj: the simple undirected adjacency.
        measure: one of :data:`MEASURES`.
        top_k: candidates per source (>= 1).
        sources: node positions to generate for (default: all nodes).
        community: ``[n]`` community values, for ``SAME_COMMUNITY``.
        path_budget: two-hop paths expanded per block.

    Returns ``(source, target, score)`` grouped by source, best first. Complexity: ``O(P log P)``
    for ``P = sum over sources u of sum over w in N(u) of deg(w)`` two-hop paths.
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
