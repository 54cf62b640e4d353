"""Graphlet orbit counts: for every node, how often it touches each of the 15 automorphism
orbits of the 2- to 4-node graphlets (its graphlet degree vector).

The graphlets are the connected induced subgraphs on 2 to 4 nodes, numbered as Pržulj's
G0..G8 and their orbits 0..14:

=====  ===============================  ========================================
 G      graphlet                          orbits
=====  ===============================  ========================================
 G0     edge                              0
 G1     path on 3 nodes                   1 (end), 2 (middle)
 G2     triangle                          3
 G3     path on 4 nodes                   4 (end), 5 (inner)
 G4     star on 4 nodes                   6 (leaf), 7 (centre)
 G5     4-cycle                           8
 G6     triangle with a tail (paw)        9 (tail end), 10 (triangle, degree 2), 11 (degree 3)
 G7     diamond                           12 (degree 2), 13 (degree 3)
 G8     4-clique                          14
=====  ===============================  ========================================

How it counts (the combinatorial route of ORCA, Hočevar and Demšar 2014, derived here
afresh): the *non-induced* counts of every pattern at every position follow from degrees,
common-neighbour counts of edges and node pairs, the triangles and the 4-cliques, each by a
closed formula (:func:`_non_induced`); an induced graphlet of ``e`` edges contains known
numbers of each pattern (the matrices :data:`CONTAINS3` / :data:`CONTAINS4`, computed at import
by brute force over the labelled 3- and 4-node graphs), so the induced counts are the solution
of a unitriangular integer system, solved exactly. Only the triangles and the 4-cliques are
listed (on the degree-oriented graph, ``O(m^1.5)`` and ``O(m^1.5 * degeneracy)``); everything
runs in torch on the graph's device.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import numpy as np
import torch

from neo4j_gml.algorithms.community.triangles import (
    WEDGE_CHUNK,
    expand,
    has_arcs,
    oriented,
    simple_edges,
    triangle_chunks,
)
from neo4j_gml.core.errors import ParameterError
from neo4j_gml.core.graph import Graph

__all__ = [
    "CONTAINS3",
    "CONTAINS4",
    "GRAPHLET_OF_ORBIT",
    "ORBIT_SIZES",
    "graphlet_orbits",
    "orbit_of",
]

#: orbit -> the graphlet it belongs to
GRAPHLET_OF_ORBIT = [0, 1, 1, 2, 3, 3, 4, 4, 5, 6, 6, 6, 7, 7, 8]
#: orbit -> how many nodes of its graphlet are on it
ORBIT_SIZES = [2, 2, 1, 3, 2, 2, 3, 1, 4, 1, 2, 1, 2, 2, 4]


def orbit_of(edges: Iterable[tuple[int, int]], nodes: int, node: int) -> int | None:
    """The orbit of ``node`` in the graph on ``range(nodes)`` (2 to 4 nodes) with ``edges``;
    ``None`` when that graph is not connected.

    Parameters
    ----------
    edges : Iterable[tuple[int, int]]
        The graph's edges, as pairs of distinct positions (no repeats).
    nodes : int
        2, 3 or 4.
    node : int
        The position whose orbit is wanted.

    Returns
    -------
    int or None
        The orbit (0-14, see the module notes), or ``None``.

    References
    ----------
    N. Pržulj, "Biological network comparison using graphlet degree distribution",
    Bioinformatics 23 (2007), figure 1 (the orbit numbering).

    Examples
    --------
    >>> orbit_of([(0, 1), (1, 2), (2, 3)], 4, 1)  # an inner node of a 4-path
    5
    >>> orbit_of([(0, 1), (0, 2), (0, 3), (1, 2)], 4, 0)  # the paw's degree-3 node
    11
    """
    edges = list(edges)
    deg = [0] * nodes
    adj: dict[int, set[int]] = {i: set() for i in range(nodes)}
    for x, y in edges:
        deg[x] += 1
        deg[y] += 1
        adj[x].add(y)
        adj[y].add(x)
    seen, todo = {0}, [0]
    while todo:
        for y in adj[todo.pop()] - seen:
            seen.add(y)
            todo.append(y)
    if len(seen) != nodes:
        return None
    d, e = deg[node], len(edges)
    if nodes == 2:
        return 0
    if nodes == 3:
        return 3 if e == 3 else (2 if d == 2 else 1)
    if e == 3:
        if max(deg) == 3:
            return 7 if d == 3 else 6
        return 4 if d == 1 else 5
    if e == 4:
        if max(deg) == 2:
            return 8
        return {1: 9, 2: 10, 3: 11}[d]
    if e == 5:
        return 13 if d == 3 else 12
    return 14


def _containment(nodes: int, orbits: range) -> np.ndarray:
    """``M[k, j]``: how many connected spanning subgraphs with the node on orbit ``k`` an
    induced graphlet with the node on orbit ``j`` holds (the same for every labelling: checked)."""
    size = len(orbits)
    found = np.full((size, size), -1, dtype=np.int64)
    pairs = list(itertools.combinations(range(nodes), 2))
    for mask in range(1 << len(pairs)):
        edges = [p for i, p in enumerate(pairs) if mask >> i & 1]
        for node in range(nodes):
            j = orbit_of(edges, nodes, node)
            if j is None:
                continue
            counts = np.zeros(size, dtype=np.int64)
            for r in range(1, len(edges) + 1):
                for sub in itertools.combinations(edges, r):
                    k = orbit_of(sub, nodes, node)
                    if k is not None:
                        counts[k - orbits.start] += 1
            column = found[:, j - orbits.start]
            assert column[0] < 0 or np.array_equal(column, counts)
            found[:, j - orbits.start] = counts
    return found


#: ``CONTAINS3[k - 1, j - 1]``: spanning subgraphs on orbit ``k`` in the graphlet on orbit ``j``
CONTAINS3 = _containment(3, range(1, 4))
#: ``CONTAINS4[k - 4, j - 4]``, the same for the 4-node orbits
CONTAINS4 = _containment(4, range(4, 15))


def _inverse(matrix: np.ndarray) -> list[list[int]]:
    inv = np.linalg.inv(matrix.astype(np.float64))
    exact = np.rint(inv).astype(np.int64)
    assert np.array_equal(exact @ matrix, np.eye(len(matrix), dtype=np.int64))
    out: list[list[int]] = exact.tolist()
    return out


_SOLVE3, _SOLVE4 = _inverse(CONTAINS3), _inverse(CONTAINS4)


def _solve(inverse: list[list[int]], counts: list[torch.Tensor]) -> list[torch.Tensor]:
    """``inverse @ counts`` with integer tensors (no integer matmul on every device)."""
    out = []
    for row in inverse:
        total = torch.zeros_like(counts[0])
        for coefficient, column in zip(row, counts, strict=True):
            if coefficient:
                total = total + coefficient * column
        out.append(total)
    return out


def _k4_counts(u: torch.Tensor, v: torch.Tensor, n: int) -> torch.Tensor:
    """4-cliques through every node: each triangle ``a -> b -> c`` of the oriented graph with
    every out-neighbour ``w`` of ``c`` that ``a`` and ``b`` also point to."""
    counts = torch.zeros(n, dtype=torch.long, device=u.device)
    _, b, keys, indptr, _ = oriented(u, v, n)
    out_deg = indptr[1:] - indptr[:-1]
    for first, mid, last in triangle_chunks(u, v, n):
        for _, _, owner, offset in expand(out_deg[last], WEDGE_CHUNK):
            w = b[indptr[last[owner]] + offset]
            hit = has_arcs(keys, first[owner] * n + w) & has_arcs(keys, mid[owner] * n + w)
            for ends in (first[owner], mid[owner], last[owner], w):
                counts.index_add_(0, ends[hit], torch.ones_like(ends[hit]))
    return counts


def _non_induced(
    u: torch.Tensor, v: torch.Tensor, n: int, size: int
) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """Per node, the non-induced counts of the 3-node patterns at orbits 1..3 and (for
    ``size == 4``) of the 4-node patterns at orbits 4..14 (see the module notes)."""
    dev = u.device
    m = u.numel()
    src, dst = torch.cat([u, v]), torch.cat([v, u])  # both arcs of every edge
    d = torch.bincount(src, minlength=n)

    def per_node(values: torch.Tensor, at: torch.Tensor = src) -> torch.Tensor:
        return torch.zeros(n, dtype=torch.long, device=dev).index_add_(0, at, values)

    # triangles: per node and per edge
    t_node = torch.zeros(n, dtype=torch.long, device=dev)
    t_edge = torch.zeros(m, dtype=torch.long, device=dev)
    keys = u * n + v  # ascending (simple_edges sorts them)
    tri_parts: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = []
    for first, mid, last in triangle_chunks(u, v, n):
        for x in (first, mid, last):
            t_node.index_add_(0, x, torch.ones_like(x))
        for x, y in ((first, mid), (first, last), (mid, last)):
            lo, hi = torch.minimum(x, y), torch.maximum(x, y)
            t_edge.index_add_(0, torch.searchsorted(keys, lo * n + hi), torch.ones_like(x))
        if size == 4:
            tri_parts.append((first, mid, last))
    t_arc = torch.cat([t_edge, t_edge])
    n1 = per_node(d[dst] - 1)
    n2 = d * (d - 1) // 2
    three = [n1, n2, t_node]
    if size == 3:
        return three, []

    s = per_node(d[dst] - 1)  # S(x) = sum over neighbours of (their degree - 1)
    n4 = per_node(s[dst] - (d[src] - 1) - t_arc)
    n5 = per_node((d[src] - 1) * (d[dst] - 1) - t_arc)
    n6 = per_node((d[dst] - 1) * (d[dst] - 2) // 2)
    n7 = d * (d - 1) * (d - 2) // 6
    n8 = _four_cycles(src, dst, n)
    n9 = per_node(t_node[dst] - t_arc)
    n10 = per_node(t_arc * (d[dst] - 2))
    n11 = t_node * (d - 2)
    n12 = torch.zeros(n, dtype=torch.long, device=dev)
    for first, mid, last in tri_parts:
        for x, y, z in ((first, mid, last), (mid, first, last), (last, first, mid)):
            lo, hi = torch.minimum(y, z), torch.maximum(y, z)
            n12.index_add_(0, x, t_edge[torch.searchsorted(keys, lo * n + hi)] - 1)
    n13 = per_node(t_arc * (t_arc - 1) // 2)
    n14 = _k4_counts(u, v, n)
    return three, [n4, n5, n6, n7, n8, n9, n10, n11, n12, n13, n14]


def _four_cycles(src: torch.Tensor, dst: torch.Tensor, n: int) -> torch.Tensor:
    """Per node ``x``, ``sum over y != x of C(c(x, y), 2)`` with ``c`` the common neighbours:
    the (non-induced) 4-cycles through ``x``. Wedges ``x - a - y`` are counted per pair in
    chunks of sorted pair keys."""
    dev = src.device
    order = torch.argsort(src * n + dst)
    src, dst = src[order], dst[order]
    indptr = torch.zeros(n + 1, dtype=torch.long, device=dev)
    indptr[1:] = torch.cumsum(torch.bincount(src, minlength=n), 0)
    deg = indptr[1:] - indptr[:-1]
    out = torch.zeros(n, dtype=torch.long, device=dev)
    # wedges x - a - y for the arcs (a, x): for each arc a -> x, every neighbour y of a
    arcs_by_x = torch.argsort(dst * n + src)
    centre, ends = src[arcs_by_x], dst[arcs_by_x]  # arc centre a -> end x, grouped by x
    x_ptr = torch.zeros(n + 1, dtype=torch.long, device=dev)
    x_ptr[1:] = torch.cumsum(torch.bincount(ends, minlength=n), 0)
    # whole nodes x per chunk, so that every pair (x, y) lies in one chunk
    wedges_per_x = torch.zeros(n, dtype=torch.long, device=dev).index_add_(0, ends, deg[centre])
    for start, stop, _, _ in expand(wedges_per_x, WEDGE_CHUNK):
        lo, hi = int(x_ptr[start]), int(x_ptr[stop])
        a, x = centre[lo:hi], ends[lo:hi]
        for _, _, owner, offset in expand(deg[a], 1 << 62):
            y = dst[indptr[a[owner]] + offset]
            xs = x[owner]
            keep = y != xs
            pair, count = torch.unique(xs[keep] * n + y[keep], return_counts=True)
            out.index_add_(0, pair // n, count * (count - 1) // 2)
    return out


def graphlet_orbits(graph: Graph, *, graphlet_size: int = 4) -> torch.Tensor:
    """Per node, the number of induced graphlets of 2 to ``graphlet_size`` nodes in which it is
    on each orbit (its graphlet degree vector), on the undirected simple view of ``graph``.

    Parameters
    ----------
    graph : Graph
        Any orientation; directions, self-loops and parallel relationships are ignored.
    graphlet_size : int
        3 (orbits 0-3) or 4 (orbits 0-14).

    Returns
    -------
    torch.Tensor
        ``int64[n, 4]`` or ``int64[n, 15]``: column ``o`` counts orbit ``o`` (module notes).

    Raises
    ------
    ParameterError
        ``graphlet_size`` other than 3 or 4.

    References
    ----------
    N. Pržulj, "Biological network comparison using graphlet degree distribution",
    Bioinformatics 23 (2007); T. Hočevar and J. Demšar, "A combinatorial approach to graphlet
    counting", Bioinformatics 30 (2014).

    Examples
    --------
    >>> # a triangle 0-1-2 with a tail 2-3: one paw, so orbits 9, 10, 10 and 11
    >>> g = Graph.from_edges([0, 1, 2, 2], [1, 2, 0, 3])
    >>> graphlet_orbits(g)[:, 9:12].tolist()
    [[0, 1, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0]]
    >>> graphlet_orbits(g, graphlet_size=3).tolist()
    [[2, 1, 0, 1], [2, 1, 0, 1], [3, 0, 2, 1], [1, 2, 0, 0]]
    """
    if graphlet_size not in (3, 4):
        raise ParameterError("graphlet_size", f"must be 3 or 4, got {graphlet_size!r}")
    n = graph.num_nodes
    u, v = simple_edges(graph)
    width = 4 if graphlet_size == 3 else 15
    if n == 0:
        return torch.zeros((0, width), dtype=torch.long, device=graph.device)
    three, four = _non_induced(u, v, n, graphlet_size)
    d = torch.bincount(torch.cat([u, v]), minlength=n)
    columns = [d, *_solve(_SOLVE3, three)]
    if graphlet_size == 4:
        columns += _solve(_SOLVE4, four)
    return torch.stack(columns, dim=1)
