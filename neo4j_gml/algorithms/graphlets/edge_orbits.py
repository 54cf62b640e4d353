"""Edge orbits: for every relationship (of the simple undirected graph), how often it lies on
each of the 13 edge orbits of the 2- to 4-node graphlets.

=====  =========================================================
 edge   orbit
=====  =========================================================
 0      the edge itself (G0)
 1      an edge of a 3-path (G1)
 2      a triangle's edge (G2)
 3, 4   a 4-path's end edge, its middle edge (G3)
 5      a 3-star's edge (G4)
 6      a 4-cycle's edge (G5)
 7-9    the paw's tail edge, an edge from its degree-3 node into the triangle, the triangle
        edge opposite that node (G6)
 10, 11 the diamond's outer edges, its shared (diagonal) edge (G7)
 12     a 4-clique's edge (G8)
=====  =========================================================

The same route as the node orbits (:mod:`.orbits`): non-induced counts per edge by closed
formulas (:func:`non_induced_edges`), then the exact inverse of the containment matrices
computed by brute force (:data:`EDGE_CONTAINS3`, :data:`EDGE_CONTAINS4`).
"""

from __future__ import annotations

from collections.abc import Iterable

import torch

from neo4j_gml.algorithms.graphlets.local import (
    Local,
    containment,
    four_cliques,
    inverse,
    local,
    solve,
    wedges,
)
from neo4j_gml.algorithms.graphlets.orbits import orbit_of
from neo4j_gml.core.graph import Graph

__all__ = ["EDGE_CONTAINS3", "EDGE_CONTAINS4", "edge_orbit_of", "edge_orbits"]


def edge_orbit_of(
    edges: Iterable[tuple[int, int]], nodes: int, edge: tuple[int, int]
) -> int | None:
    """The edge orbit of ``edge`` in the graph on ``range(nodes)`` (2 to 4 nodes) with
    ``edges``; ``None`` when that graph is not connected or lacks the edge.

    Parameters
    ----------
    edges : Iterable[tuple[int, int]]
        The graph's edges, as pairs of distinct positions (no repeats).
    nodes : int
        2, 3 or 4.
    edge : tuple[int, int]
        One of ``edges``.

    Returns
    -------
    int or None
        The edge orbit (0-12, see the module notes), or ``None``.

    References
    ----------
    T. Hočevar and J. Demšar, "Computation of graphlet orbits for nodes and edges in sparse
    graphs", Journal of Statistical Software 71 (2016) (edge orbits; numbered here as above).

    Examples
    --------
    >>> paw = [(0, 1), (1, 2), (0, 2), (2, 3)]  # triangle 0-1-2, tail 2-3
    >>> [edge_orbit_of(paw, 4, e) for e in paw]
    [9, 8, 8, 7]
    """
    edges = list(edges)
    if edge not in edges:
        return None
    a, b = edge
    orbits = {orbit_of(edges, nodes, a), orbit_of(edges, nodes, b)}
    if None in orbits:
        return None
    if nodes == 2:
        return 0
    if nodes == 3:
        return 2 if len(edges) == 3 else 1
    if orbits <= {4, 5}:
        return 3 if 4 in orbits else 4
    if orbits <= {6, 7}:
        return 5
    if orbits == {8}:
        return 6
    if orbits <= {9, 10, 11}:
        return 7 if 9 in orbits else (8 if 11 in orbits else 9)
    if orbits <= {12, 13}:
        return 11 if orbits == {13} else 10
    return 12


#: ``EDGE_CONTAINS3[k - 1, j - 1]``: spanning subgraphs with the edge on edge orbit ``k`` in
#: the graphlet with it on edge orbit ``j`` (3 nodes)
EDGE_CONTAINS3 = containment(3, range(1, 3), edge_orbit_of, "edges")
#: ``EDGE_CONTAINS4[k - 3, j - 3]``, the same for 4 nodes
EDGE_CONTAINS4 = containment(4, range(3, 13), edge_orbit_of, "edges")
_SOLVE3, _SOLVE4 = inverse(EDGE_CONTAINS3), inverse(EDGE_CONTAINS4)


def non_induced_edges(g: Local, size: int = 4) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """Per edge, the non-induced counts of the 3-node patterns at edge orbits 1-2 and (for
    ``size == 4``) of the 4-node patterns at edge orbits 3-12. Arc values are summed over both
    arcs of an edge, so a formula counts the patterns with the arc's source in one role and
    its target in the other."""
    d, src, dst, t_arc = g.degree, g.src, g.dst, g.t_arc
    t = g.t_edge
    du, dv = d[g.u], d[g.v]
    three = [du - 1 + dv - 1, t]
    if size == 3:
        return three, []
    s = g.per_node(d[dst] - 1)  # S(x): the neighbours' degrees less one, summed
    cycles = torch.zeros(2 * g.m, dtype=torch.long, device=d.device)
    for arc, _, common in wedges(g):
        # wedge x - a - y: the 4-cycles x - a - y - z through the arc x -> a (z != a)
        cycles.index_add_(0, arc, common - 1)
    opposite = torch.zeros_like(t)  # paw: the triangle edge opposite its degree-3 node
    outer = torch.zeros_like(t)  # diamond: an outer edge
    for first, mid, last in g.triangles:
        for x, y, z in ((first, mid, last), (first, last, mid), (mid, last, first)):
            at = g.edge_of(x, y)
            opposite.index_add_(0, at, d[z] - 2)
            outer.index_add_(0, at, g.t_edge[g.edge_of(y, z)] - 1 + g.t_edge[g.edge_of(x, z)] - 1)
    four = [
        g.per_edge(s[dst] - (d[src] - 1) - t_arc),  # 3: arc source at a 4-path's end
        (du - 1) * (dv - 1) - t,  # 4: the middle edge
        g.per_edge((d[dst] - 1) * (d[dst] - 2) // 2),  # 5: the arc target is the star's centre
        g.per_edge(cycles) // 2,  # 6: each 4-cycle seen from both arcs
        g.per_edge(g.t_node[dst] - t_arc),  # 7: the arc source is the tail
        g.per_edge(t_arc * (d[src] - 2)),  # 8: the arc source is the degree-3 node
        opposite,  # 9
        outer,  # 10
        t * (t - 1) // 2,  # 11: the shared edge
        four_cliques(g)[1],  # 12
    ]
    return three, four


def edge_orbits(graph: Graph) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per edge of the simple undirected view of ``graph``, how often it lies on each edge
    orbit of the induced 2- to 4-node graphlets.

    Parameters
    ----------
    graph : Graph
        Any orientation; directions, self-loops and parallel relationships are ignored.

    Returns
    -------
    tuple of torch.Tensor
        ``(u, v, counts)``: the edges ``u < v`` (positions, sorted) and ``int64[m, 13]``.

    References
    ----------
    T. Hočevar and J. Demšar, "Computation of graphlet orbits for nodes and edges in sparse
    graphs", Journal of Statistical Software 71 (2016).

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2, 2], [1, 2, 0, 3])  # a paw
    >>> u, v, counts = edge_orbits(g)
    >>> [(a, b) for a, b in zip(u.tolist(), v.tolist())]
    [(0, 1), (0, 2), (1, 2), (2, 3)]
    >>> counts[:, 7:10].tolist()
    [[0, 0, 1], [0, 1, 0], [0, 1, 0], [1, 0, 0]]
    """
    g = local(graph)
    if g.m == 0:
        return g.u, g.v, torch.zeros((0, 13), dtype=torch.long, device=g.u.device)
    return g.u, g.v, torch.stack(edge_columns(g, 4, induced=True), dim=1)


def edge_columns(g: Local, size: int, *, induced: bool) -> list[torch.Tensor]:
    """Per edge, one count per edge orbit ``0..2`` (``size`` 3) or ``0..12`` (``size`` 4):
    the induced counts, or the non-induced ones they are solved from (edge orbit 0, the edge
    itself, is both)."""
    three, four = non_induced_edges(g, size)
    if induced:
        three = solve(_SOLVE3, three)
        four = solve(_SOLVE4, four) if four else four
    return [torch.ones_like(g.u), *three, *four]
