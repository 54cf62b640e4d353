"""Orbit adjacencies (Windels, Malod-Dognin and Pržulj, "Graphlets correct for the topological
information missed by random walks", 2024): for a pair of nodes ``(u, v)`` and a key
``(hop, o1, o2)``, how many induced graphlets (2 to 4 nodes) hold ``u`` on orbit ``o1`` and
``v`` on orbit ``o2`` at distance ``hop`` from each other inside the graphlet. The 28 keys of
:data:`KEYS` give the 28 orbit adjacency matrices of the paper (``A^{(hop)}_{o1,o2}``; a key
and its mirror ``(hop, o2, o1)`` are transposes).

The route is the one of :mod:`.orbits`, one level up: every *non-induced* pair count (a
spanning subgraph of a node set, the pair in a given position in it) is a closed formula in
sparse matrix products of the adjacency ``A`` (``A @ A`` common neighbours, ``A @ A @ A``
walks, ``A @ diag(d - 2) @ A``, ``A @ T`` with ``T`` the triangles on each edge) plus the
edges among every pair's common neighbours (batched products of neighbourhood blocks, which
also give each edge's 4-cliques); the containment matrices of pair positions (:data:`PAIR_CONTAINS3`,
:data:`PAIR_CONTAINS4`, brute force over the labelled graphs) are unitriangular, so the induced
matrices are exact integer combinations of the non-induced ones. Sparse torch (float64 values,
exact below 2^53) on the graph's device.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import torch

from neo4j_gml.algorithms.graphlets.local import (
    Local,
    containment,
    inverse,
    local,
    neighbourhood_blocks,
)
from neo4j_gml.algorithms.graphlets.orbits import orbit_of
from neo4j_gml.core.errors import ParameterError
from neo4j_gml.core.graph import Graph

__all__ = ["KEYS", "PAIR_CONTAINS3", "PAIR_CONTAINS4", "orbit_adjacency", "pair_key_of"]

#: the 28 keys ``(hop, o1, o2)``: 1 for the edge, 4 for 3 nodes, 23 for 4 nodes
KEYS: list[tuple[int, int, int]] = [
    (1, 0, 0),
    (1, 1, 2), (1, 2, 1), (2, 1, 1), (1, 3, 3),
    (1, 4, 5), (1, 5, 4), (2, 4, 5), (2, 5, 4), (1, 5, 5), (3, 4, 4),
    (1, 6, 7), (1, 7, 6), (2, 6, 6),
    (1, 8, 8), (2, 8, 8),
    (1, 9, 11), (1, 11, 9), (2, 9, 10), (2, 10, 9), (1, 10, 11), (1, 11, 10), (1, 10, 10),
    (1, 12, 13), (1, 13, 12), (2, 12, 12), (1, 13, 13),
    (1, 14, 14),
]  # fmt: skip
_INDEX = {key: i for i, key in enumerate(KEYS)}


def pair_key_of(edges: Iterable[tuple[int, int]], nodes: int, pair: tuple[int, int]) -> int | None:
    """The index in :data:`KEYS` of the ordered ``pair`` of distinct nodes in the graph on
    ``range(nodes)`` with ``edges``: their distance and orbits; ``None`` if not connected.

    Parameters
    ----------
    edges : Iterable[tuple[int, int]]
        The graph's edges (pairs of distinct positions, no repeats).
    nodes : int
        2, 3 or 4.
    pair : tuple[int, int]
        Two distinct positions, in order.

    Returns
    -------
    int or None
        The key's index in :data:`KEYS`, or ``None``.

    References
    ----------
    S. F. L. Windels, N. Malod-Dognin and N. Pržulj, "Graphlets correct for the topological
    information missed by random walks", arXiv:2405.14194 (2024).

    Examples
    --------
    >>> KEYS[pair_key_of([(0, 1), (1, 2), (2, 3)], 4, (0, 3))]  # the ends of a 4-path
    (3, 4, 4)
    """
    edges = list(edges)
    a, b = pair
    o1, o2 = orbit_of(edges, nodes, a), orbit_of(edges, nodes, b)
    if o1 is None or o2 is None:
        return None
    adj: dict[int, set[int]] = {i: set() for i in range(nodes)}
    for x, y in edges:
        adj[x].add(y)
        adj[y].add(x)
    hop, frontier, seen = 0, {a}, {a}
    while b not in frontier:
        frontier = {y for x in frontier for y in adj[x]} - seen
        seen |= frontier
        hop += 1
    return _INDEX[(hop, o1, o2)]


#: containment of pair positions: 3-node keys (indices 1-4) and 4-node keys (5-27)
PAIR_CONTAINS3 = containment(3, range(1, 5), pair_key_of, "pairs")
PAIR_CONTAINS4 = containment(4, range(5, 28), pair_key_of, "pairs")
_SOLVE3, _SOLVE4 = inverse(PAIR_CONTAINS3), inverse(PAIR_CONTAINS4)


#: node pairs up to which a dense ``n x n`` tally replaces sparse merging (512 MiB of int64)
_DENSE_PAIRS = 1 << 26


# ---------------------------------------------------------------------------- sparse helpers
def _sparse(rows: torch.Tensor, cols: torch.Tensor, values: torch.Tensor, n: int) -> torch.Tensor:
    index = torch.stack([rows, cols])
    return torch.sparse_coo_tensor(
        index, values.to(torch.float64), (n, n), check_invariants=False
    ).coalesce()


def _mm(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    with warnings.catch_warnings():  # torch's "sparse CSR is beta" notice, once per process
        warnings.simplefilter("ignore", UserWarning)
        product: torch.Tensor = torch.sparse.mm(a, b)
    return product.coalesce()


def _at(matrix: torch.Tensor, rows: torch.Tensor, cols: torch.Tensor) -> torch.Tensor:
    """The entries of a coalesced sparse ``matrix`` at ``(rows, cols)`` (0 where absent)."""
    n = matrix.shape[1]
    index = matrix.indices()
    keys = index[0] * n + index[1]  # coalesced: sorted
    want = rows * n + cols
    values = matrix.values()
    if keys.numel() == 0:
        return torch.zeros(want.shape, dtype=values.dtype, device=values.device)
    at = torch.searchsorted(keys, want).clamp(max=keys.numel() - 1)
    return torch.where(keys[at] == want, values[at], torch.zeros_like(values[at]))


def _off_diagonal(matrix: torch.Tensor) -> torch.Tensor:
    index = matrix.indices()
    keep = index[0] != index[1]
    return _coo(index[:, keep], matrix.values()[keep], matrix.shape[0])


def _scaled_columns(matrix: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    index = matrix.indices()
    return _coo(index, matrix.values() * scale[index[1]], matrix.shape[0])


def _common_neighbour_pairs(g: Local) -> torch.Tensor:
    """``P[u, v]``: the edges among the common neighbours of ``u != v``.

    Summed over centres ``p`` whose neighbourhood ``S = N(p)`` holds an edge: with ``B`` the
    adjacency among ``S``, ``(B B^T)[u, v]`` counts the ``q in S`` adjacent to both ``u`` and
    ``v``; every edge ``{p, q}`` inside the common neighbourhood is met from both ends, so the
    sum is twice ``P``. Centres of equal degree go through one batched matrix product
    (``sum of d^3`` work in BLAS or on the GPU, ``sum of d^2`` entries tallied)."""
    n, dev = g.n, g.u.device
    dense = n * n <= _DENSE_PAIRS
    counts = torch.zeros(n * n if dense else 0, dtype=torch.long, device=dev)
    parts: list[torch.Tensor] = []
    for s, _, common in neighbourhood_blocks(g):
        both = common.to(torch.long)
        keep = (both > 0) & (s[:, :, None] != s[:, None, :])
        key = (s[:, :, None] * n + s[:, None, :])[keep]
        value = both[keep]
        if dense:  # a flat n x n tally: no sorting
            counts.index_add_(0, key, value)
        else:  # each batch's pairs, merged once at the end
            parts.append(_sparse(key // n, key % n, value, n))
    if dense:
        key = torch.nonzero(counts).reshape(-1)
        return _sparse(key // n, key % n, counts[key] // 2, n)
    if not parts:
        return _sparse(g.u[:0], g.u[:0], g.u[:0], n)
    index = torch.cat([p.indices() for p in parts], dim=1)
    total = _coo(index, torch.cat([p.values() for p in parts]), n)
    return _coo(total.indices(), total.values() / 2, n)


def _non_induced(g: Local) -> list[torch.Tensor]:
    """The 28 non-induced pair-count matrices, in the order of :data:`KEYS`."""
    n = g.n
    d = g.degree.to(torch.float64)
    src, dst = g.src, g.dst
    ones = torch.ones_like(src)
    a = _sparse(src, dst, ones, n)

    def on_arcs(values: torch.Tensor) -> torch.Tensor:
        """A matrix on the pattern of ``A`` with a value per arc."""
        return _sparse(src, dst, values, n)

    t = g.t_arc.to(torch.float64)
    t_node = g.t_node.to(torch.float64)
    du, dv = d[src], d[dst]
    walks2 = _mm(a, a)
    common = _off_diagonal(walks2)
    walks3 = _off_diagonal(_mm(walks2, a))
    s = torch.zeros(n, dtype=torch.float64, device=d.device).index_add_(0, src, dv - 1)
    path3 = walks3 - on_arcs(du + dv - 1)  # paths u - b - c - v with distinct nodes
    a_shift = _off_diagonal(_mm(_scaled_columns(a, d - 2), a))  # sum over c in CN of (d_c - 2)
    tri_matrix = on_arcs(t)
    a_tri = _off_diagonal(_mm(a, tri_matrix))  # sum over c in CN(u, v) of T(c, v)
    cn_pairs = _common_neighbour_pairs(g)
    k4 = on_arcs(_at(cn_pairs, src, dst))  # an edge's 4-cliques: edges among its common nbrs
    cvals = common.values()
    pair_of_cn = _coo(common.indices(), cvals * (cvals - 1) / 2, n)
    a_shift_on_arcs = _at(a_shift, src, dst)
    a_tri_on_arcs = _at(a_tri, src, dst)
    path3_on_arcs = _at(path3, src, dst)
    out = {
        (1, 0, 0): a,
        (1, 1, 2): on_arcs(dv - 1),
        (1, 2, 1): on_arcs(du - 1),
        (2, 1, 1): common,
        (1, 3, 3): on_arcs(t),  # an edge's triangles: its ends' common neighbours
        (1, 4, 5): on_arcs(s[dst] - (du - 1) - t),
        (1, 5, 4): on_arcs(s[src] - (dv - 1) - t),
        (1, 5, 5): on_arcs((du - 1) * (dv - 1) - t),
        (3, 4, 4): path3,
        (1, 6, 7): on_arcs((dv - 1) * (dv - 2) / 2),
        (1, 7, 6): on_arcs((du - 1) * (du - 2) / 2),
        (2, 6, 6): a_shift,
        (1, 8, 8): on_arcs(path3_on_arcs),
        (2, 8, 8): pair_of_cn,
        (1, 9, 11): on_arcs(t_node[dst] - t),
        (1, 11, 9): on_arcs(t_node[src] - t),
        (1, 10, 11): on_arcs(t * (dv - 2)),
        (1, 11, 10): on_arcs(t * (du - 2)),
        (1, 10, 10): on_arcs(a_shift_on_arcs),
        (1, 12, 13): on_arcs(a_tri_on_arcs - t),
        (1, 13, 12): on_arcs(_at(a_tri, dst, src) - t),
        (2, 12, 12): cn_pairs,
        (1, 13, 13): on_arcs(t * (t - 1) / 2),
        (1, 14, 14): k4,
    }
    # (2, 4, 5)[u, v] = C(u, v) (d_v - 1 - A(u, v)); (2, 9, 10)[u, v] = (A T)(u, v) - C A
    index = common.indices()
    adjacent = _at(a, index[0], index[1])
    out[(2, 4, 5)] = _coo(index, cvals * (d[index[1]] - 1 - adjacent), n)
    out[(2, 5, 4)] = _coo(index, cvals * (d[index[0]] - 1 - adjacent), n)
    tri_index = a_tri.indices()
    minus = _at(common, tri_index[0], tri_index[1]) * _at(a, tri_index[0], tri_index[1])
    out[(2, 9, 10)] = _coo(tri_index, a_tri.values() - minus, n)
    out[(2, 10, 9)] = _transpose(out[(2, 9, 10)])
    return [out[key] for key in KEYS]


def _coo(index: torch.Tensor, values: torch.Tensor, n: int) -> torch.Tensor:
    return torch.sparse_coo_tensor(index, values, (n, n), check_invariants=False).coalesce()


def _transpose(matrix: torch.Tensor) -> torch.Tensor:
    return matrix.t().coalesce()


def _combine(inverse_rows: list[list[int]], parts: list[torch.Tensor]) -> list[torch.Tensor]:
    """``inverse_rows @ parts`` for sparse matrices: every part's entries placed once in the
    union of their pair keys, each output a dense combination over that union, zeros dropped."""
    n = parts[0].shape[0]
    keys = [p.indices()[0] * n + p.indices()[1] for p in parts]  # coalesced: sorted
    union = torch.unique(torch.cat(keys))
    where = [torch.searchsorted(union, k) for k in keys]
    out = []
    for row in inverse_rows:
        total = torch.zeros(union.numel(), dtype=torch.float64, device=union.device)
        for coefficient, part, at in zip(row, parts, where, strict=True):
            if coefficient:
                total.index_add_(0, at, coefficient * part.values())
        keep = total != 0
        key = union[keep]
        out.append(_coo(torch.stack([key // n, key % n]), total[keep], n))
    return out


def orbit_adjacency(
    graph: Graph, keys: Iterable[tuple[int, int, int]] | None = None
) -> dict[tuple[int, int, int], torch.Tensor]:
    """The orbit adjacency matrices of ``graph``'s simple undirected view.

    Parameters
    ----------
    graph : Graph
        Any orientation; directions, self-loops and parallel relationships are ignored.
    keys : Iterable of (hop, o1, o2), optional
        The matrices wanted (default all 28 of :data:`KEYS`).

    Returns
    -------
    dict
        key -> sparse ``float64[n, n]`` (coalesced COO; entry ``[u, v]`` counts the induced
        graphlets holding ``u`` on ``o1`` and ``v`` on ``o2`` at distance ``hop``).

    Raises
    ------
    ParameterError
        A key not among :data:`KEYS`.

    References
    ----------
    S. F. L. Windels, N. Malod-Dognin and N. Pržulj, "Graphlets correct for the topological
    information missed by random walks", arXiv:2405.14194 (2024).

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2], [1, 2, 3])  # a 4-path 0-1-2-3
    >>> m = orbit_adjacency(g, [(3, 4, 4), (1, 5, 5)])
    >>> m[(3, 4, 4)].to_dense().tolist()[0], m[(1, 5, 5)].to_dense().tolist()[1]
    ([0.0, 0.0, 0.0, 1.0], [0.0, 0.0, 1.0, 0.0])
    """
    wanted: list[tuple[int, int, int]] = (
        list(KEYS) if keys is None else [(int(h), int(a), int(b)) for h, a, b in keys]
    )
    for key in wanted:
        if key not in _INDEX:
            raise ParameterError(
                "keys", f"{key} is no orbit adjacency; the keys are (hop, o1, o2) of {KEYS}"
            )
    g = local(graph)
    parts = _non_induced(g)
    induced = [parts[0], *_combine(_SOLVE3, parts[1:5]), *_combine(_SOLVE4, parts[5:])]
    return {key: induced[_INDEX[key]] for key in wanted}
