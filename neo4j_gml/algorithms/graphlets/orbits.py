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
closed formula (:func:`non_induced`); an induced graphlet of ``e`` edges contains known
numbers of each pattern (the matrices :data:`CONTAINS3` / :data:`CONTAINS4`, computed at import
by brute force over the labelled 3- and 4-node graphs), so the induced counts are the solution
of a unitriangular integer system, solved exactly. The triangles are listed on the
degree-oriented graph (``O(m^1.5)``); the 4-cliques come from batched products of each node's
neighbourhood adjacency block (``sum of d^3``, :func:`~.local.four_cliques`); everything runs in
torch on the graph's device.
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


#: ``CONTAINS3[k - 1, j - 1]``: spanning subgraphs on orbit ``k`` in the graphlet on orbit ``j``
CONTAINS3 = containment(3, range(1, 4), orbit_of, "nodes")
#: ``CONTAINS4[k - 4, j - 4]``, the same for the 4-node orbits
CONTAINS4 = containment(4, range(4, 15), orbit_of, "nodes")
_SOLVE3, _SOLVE4 = inverse(CONTAINS3), inverse(CONTAINS4)


def non_induced(g: Local, size: int) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """Per node, the non-induced counts of the 3-node patterns at orbits 1..3 and (for
    ``size == 4``) of the 4-node patterns at orbits 4..14 (see the module notes)."""
    d, src, dst, t_arc, t_node = g.degree, g.src, g.dst, g.t_arc, g.t_node
    three = [g.per_node(d[dst] - 1), d * (d - 1) // 2, t_node]
    if size == 3:
        return three, []
    s = g.per_node(d[dst] - 1)  # S(x): the neighbours' degrees less one, summed
    n8 = torch.zeros_like(d)
    for arc, _, common in wedges(g):
        # the pair (x, y) is seen once per common neighbour: C(c, 2) split over its c wedges
        n8.index_add_(0, src[arc], (common - 1))
    n8 = n8 // 2
    n12 = torch.zeros_like(d)
    for first, mid, last in g.triangles:
        for x, y, z in ((first, mid, last), (mid, first, last), (last, first, mid)):
            n12.index_add_(0, x, g.t_edge[g.edge_of(y, z)] - 1)
    four = [
        g.per_node(s[dst] - (d[src] - 1) - t_arc),  # 4: end of a 4-path
        g.per_node((d[src] - 1) * (d[dst] - 1) - t_arc),  # 5: inner node of a 4-path
        g.per_node((d[dst] - 1) * (d[dst] - 2) // 2),  # 6: leaf of a 3-star
        d * (d - 1) * (d - 2) // 6,  # 7: centre of a 3-star
        n8,  # 8: on a 4-cycle
        g.per_node(t_node[dst] - t_arc),  # 9: the paw's tail
        g.per_node(t_arc * (d[dst] - 2)),  # 10: the paw's degree-2 nodes
        t_node * (d - 2),  # 11: the paw's degree-3 node
        n12,  # 12: the diamond's degree-2 nodes
        g.per_node(t_arc * (t_arc - 1) // 2),  # 13: the diamond's degree-3 nodes
        four_cliques(g)[0],  # 14
    ]
    return three, four


def orbit_columns(g: Local, size: int, *, induced: bool) -> list[torch.Tensor]:
    """Per node, one count per orbit ``0..3`` (``size`` 3) or ``0..14`` (``size`` 4):
    the induced graphlet counts, or the non-induced pattern counts they are solved from
    (orbit 0, the degree, is both)."""
    three, four = non_induced(g, size)
    if induced:
        three = solve(_SOLVE3, three)
        four = solve(_SOLVE4, four) if four else four
    return [g.degree, *three, *four]


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
    width = 4 if graphlet_size == 3 else 15
    g = local(graph)
    if g.n == 0:
        return torch.zeros((0, width), dtype=torch.long, device=graph.device)
    return torch.stack(orbit_columns(g, graphlet_size, induced=True), dim=1)
