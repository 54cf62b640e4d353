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
from neo4j_gml.algorithms.similarity._pairs import top_per_source

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


def two_hop_paths(
    adj: Adjacency, sources: torch.Tensor | None = None, path_budget: int = 20_000_000
) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """Blocks ``(u, w, v)`` of two-hop paths ``u - w - v`` from ``sources`` (default: all nodes)
    to nodes ``v != u`` not adjacent to ``u``; about ``path_budget`` paths per block.

    All paths of one source are in the same block. ``O(P log m)`` for ``P`` paths in all.
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
        w = mid[second]
        keep = far != u
        u, w, far = u[keep], w[keep], far[keep]
        keep = ~adj.has_arc(u, far)
        if bool(keep.any()):
            yield u[keep], w[keep], far[keep]


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
    device, n = adj.device, adj.num_nodes
    weight = _path_weight(adj, measure)
    out_s, out_t, out_v = [], [], []
    for u, w, far in two_hop_paths(adj, sources, path_budget):
        key, inverse = torch.unique(u * n + far, return_inverse=True)
        summed = torch.zeros(key.numel(), dtype=torch.float64, device=device)
        summed.index_add_(0, inverse, weight[w])
        count = torch.zeros(key.numel(), dtype=torch.float64, device=device)
        count.index_add_(0, inverse, torch.ones_like(w, dtype=torch.float64))
        s = torch.div(key, n, rounding_mode="floor")
        t = key - s * n
        score = _from_common(adj, measure, s, t, summed, count, community)
        s, t, score = top_per_source(s, t, score, top_k)
        out_s.append(s)
        out_t.append(t)
        out_v.append(score)
    if not out_s:
        empty = torch.zeros(0, dtype=torch.int64, device=device)
        return empty, empty.clone(), torch.zeros(0, dtype=torch.float64, device=device)
    return torch.cat(out_s), torch.cat(out_t), torch.cat(out_v)
