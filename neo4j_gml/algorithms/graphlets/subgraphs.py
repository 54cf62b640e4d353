"""Subgraph counts: per node and per relationship, how many copies of a small pattern contain
it, counted three ways, each named as such:

* ``SUBGRAPH``: (not necessarily induced) subgraphs isomorphic to the pattern, each once;
* ``INDUCED``: node sets whose induced subgraph is the pattern (graphlets);
* ``HOMOMORPHISM`` (per node): maps of the pattern into the graph that keep its edges and send
  the pattern's root to the node (not necessarily one-to-one: walks count).

======== ====================== ====================================== ==================
pattern  nodes, edges           root of the homomorphism count          graphlet
======== ====================== ====================================== ==================
PATH3    3, 2 (a wedge)          an end                                  G1
TRIANGLE 3, 3                    any node                                G2
PATH4    4, 3                    an end                                  G3
STAR3    4, 3 (a claw)           the centre                              G4
CYCLE4   4, 4                    any node                                G5
PAW      4, 4 (tailed triangle)  the degree-3 node                       G6
DIAMOND  4, 5                    a degree-3 node                         G7
CLIQUE4  4, 6                    any node                                G8
======== ====================== ====================================== ==================

The counts come from the orbit machinery (:mod:`.orbits`, :mod:`.edge_orbits`): a pattern's
non-induced count at a node (an edge) is the sum of its non-induced orbit counts there, the
induced count the sum of its graphlet's orbit counts; the homomorphism counts are closed walks
and degree products (:func:`_homomorphisms`).
"""

from __future__ import annotations

import torch

from neo4j_gml.algorithms.graphlets.edge_orbits import edge_columns
from neo4j_gml.algorithms.graphlets.local import Local, four_cliques, local, wedges
from neo4j_gml.algorithms.graphlets.orbits import orbit_columns
from neo4j_gml.core.errors import ParameterError
from neo4j_gml.core.graph import Graph

__all__ = ["COUNT_TYPES", "PATTERNS", "relationship_subgraph_counts", "subgraph_counts"]

#: pattern -> (its node orbits, its edge orbits, nodes, edges)
PATTERNS: dict[str, tuple[tuple[int, ...], tuple[int, ...], int, int]] = {
    "PATH3": ((1, 2), (1,), 3, 2),
    "TRIANGLE": ((3,), (2,), 3, 3),
    "PATH4": ((4, 5), (3, 4), 4, 3),
    "STAR3": ((6, 7), (5,), 4, 3),
    "CYCLE4": ((8,), (6,), 4, 4),
    "PAW": ((9, 10, 11), (7, 8, 9), 4, 4),
    "DIAMOND": ((12, 13), (10, 11), 4, 5),
    "CLIQUE4": ((14,), (12,), 4, 6),
}
COUNT_TYPES = ("SUBGRAPH", "INDUCED", "HOMOMORPHISM")


def _check(pattern: str, count_type: str, types: tuple[str, ...]) -> tuple[str, str]:
    p, c = str(pattern).upper(), str(count_type).upper()
    if p not in PATTERNS:
        raise ParameterError("pattern", f"must be one of {', '.join(PATTERNS)}, got {pattern!r}")
    if c not in types:
        raise ParameterError("count_type", f"must be one of {', '.join(types)}, got {count_type!r}")
    return p, c


def _homomorphisms(g: Local, pattern: str) -> torch.Tensor:
    """Rooted homomorphism counts per node (roots in the module notes)."""
    d, src, dst = g.degree, g.src, g.dst
    if pattern == "TRIANGLE":
        return 2 * g.t_node
    if pattern == "PATH3":
        return g.per_node(d[dst])  # walks of length 2
    if pattern == "PATH4":
        return g.per_node(g.per_node(d[dst])[dst])  # walks of length 3
    if pattern == "STAR3":
        return d**3
    if pattern == "CYCLE4":  # closed walks of length 4: sum over w of (common neighbours)^2
        closed = d * d
        for arc, _, common in wedges(g):
            closed = closed.index_add(0, src[arc], common)
        return closed
    if pattern == "PAW":
        return 2 * g.t_node * d
    if pattern == "DIAMOND":
        return g.per_node(g.t_arc * g.t_arc)
    return 6 * four_cliques(g)[0]  # CLIQUE4


def subgraph_counts(graph: Graph, pattern: str, count_type: str = "SUBGRAPH") -> torch.Tensor:
    """Per node, the copies of ``pattern`` that contain it (see the module notes), on the
    simple undirected view of ``graph``.

    Parameters
    ----------
    graph : Graph
        Any orientation; directions, self-loops and parallel relationships are ignored.
    pattern : str
        One of :data:`PATTERNS` (any case).
    count_type : str
        ``SUBGRAPH``, ``INDUCED`` or ``HOMOMORPHISM``.

    Returns
    -------
    torch.Tensor
        ``int64[n]``.

    Raises
    ------
    ParameterError
        An unknown pattern or count type.

    References
    ----------
    N. Alon, R. Yuster and U. Zwick, "Color-coding", JACM 42 (1995) (subgraph counts);
    L. Lovász, "Large networks and graph limits" (2012), ch. 5 (homomorphism numbers);
    T. Hočevar and J. Demšar, "A combinatorial approach to graphlet counting",
    Bioinformatics 30 (2014).

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2, 3], [1, 2, 3, 0])  # a 4-cycle
    >>> subgraph_counts(g, "CYCLE4").tolist(), subgraph_counts(g, "PATH4").tolist()
    ([1, 1, 1, 1], [4, 4, 4, 4])
    >>> subgraph_counts(g, "PATH4", "INDUCED").tolist()  # every 4-path closes the cycle
    [0, 0, 0, 0]
    >>> subgraph_counts(g, "CYCLE4", "HOMOMORPHISM").tolist()  # closed 4-walks
    [8, 8, 8, 8]
    """
    pattern, count_type = _check(pattern, count_type, COUNT_TYPES)
    g = local(graph)
    if g.n == 0:
        return torch.zeros(0, dtype=torch.long, device=graph.device)
    if count_type == "HOMOMORPHISM":
        return _homomorphisms(g, pattern)
    orbits, _, size, _ = PATTERNS[pattern]
    columns = orbit_columns(g, size, induced=count_type == "INDUCED")
    total = torch.zeros(g.n, dtype=torch.long, device=g.u.device)
    for orbit in orbits:
        total = total + columns[orbit]
    return total


def relationship_subgraph_counts(
    graph: Graph, pattern: str, count_type: str = "SUBGRAPH"
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per edge of the simple undirected view of ``graph``, the copies of ``pattern`` that
    contain it as one of their edges.

    Parameters
    ----------
    graph : Graph
        Any orientation; directions, self-loops and parallel relationships are ignored.
    pattern : str
        One of :data:`PATTERNS` (any case).
    count_type : str
        ``SUBGRAPH`` or ``INDUCED``.

    Returns
    -------
    tuple of torch.Tensor
        ``(u, v, counts)``: the edges ``u < v`` (positions, sorted) and ``int64[m]``.

    Raises
    ------
    ParameterError
        An unknown pattern or count type (``HOMOMORPHISM`` is per node only).

    References
    ----------
    T. Hočevar and J. Demšar, "Computation of graphlet orbits for nodes and edges in sparse
    graphs", Journal of Statistical Software 71 (2016).

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2, 0], [1, 2, 0, 3])  # a triangle with a tail at 0
    >>> u, v, c = relationship_subgraph_counts(g, "TRIANGLE")
    >>> list(zip(u.tolist(), v.tolist(), c.tolist()))
    [(0, 1, 1), (0, 2, 1), (0, 3, 0), (1, 2, 1)]
    """
    pattern, count_type = _check(pattern, count_type, COUNT_TYPES[:2])
    g = local(graph)
    if g.m == 0:
        return g.u, g.v, torch.zeros(0, dtype=torch.long, device=g.u.device)
    _, orbits, size, _ = PATTERNS[pattern]
    columns = edge_columns(g, size, induced=count_type == "INDUCED")
    total = torch.zeros(g.m, dtype=torch.long, device=g.u.device)
    for orbit in orbits:
        total = total + columns[orbit]
    return g.u, g.v, total
