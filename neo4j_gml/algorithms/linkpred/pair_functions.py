"""GDS's link prediction functions on the stored graph (``gds.alpha.linkprediction.*``).

The plugin's Cypher functions ``gml.linkprediction.*`` compute these in Java from Neo4j's
store, one node pair per row; this pure-Python version is their reference (and the tests'
oracle). Unlike :func:`~neo4j_gml.algorithms.linkpred.topological.link_scores` (a simple
undirected graph) it takes the relationships as stored: directed, typed, possibly parallel or
self-loops, and a direction, as GDS 2.13's ``LinkPredictionFunc`` does:

- ``N(u)``: the distinct nodes ``v != u`` joined to ``u`` by a relationship in ``direction``
  (``OUTGOING``: ``u -> v``; ``INCOMING``: ``v -> u``; ``BOTH``: either);
- ``deg(u)``: the number of relationships of ``u`` in ``direction`` (Neo4j's
  ``Node.getDegree``: parallel relationships each count, a self-loop counts once);
- ``ADAMIC_ADAR``: ``sum over w in N(a) & N(b) of 1 / ln deg(w)`` (so a common neighbour with
  ``deg(w) = 1``, possible in one direction, adds ``inf``, as in GDS);
- ``RESOURCE_ALLOCATION``: ``sum over w in N(a) & N(b) of 1 / deg(w)``;
- ``COMMON_NEIGHBORS``: ``|N(a) & N(b)|``; these three are 0 when ``a == b``;
- ``PREFERENTIAL_ATTACHMENT``: ``deg(a) * deg(b)``;
- ``TOTAL_NEIGHBORS``: ``|N(a) | N(b)|``.

One difference from GDS: GDS also counts ``b`` itself as a common neighbour when ``a`` and
``b`` are adjacent and ``b`` has a self-loop; here (and in the plugin) ``N(a) & N(b)`` never
holds ``a`` or ``b``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

__all__ = ["DIRECTIONS", "PAIR_MEASURES", "pair_scores"]

PAIR_MEASURES = (
    "ADAMIC_ADAR",
    "COMMON_NEIGHBORS",
    "PREFERENTIAL_ATTACHMENT",
    "RESOURCE_ALLOCATION",
    "TOTAL_NEIGHBORS",
)
DIRECTIONS = ("OUTGOING", "INCOMING", "BOTH")


def _adamic_adar_term(degree: int) -> float:
    """``1 / ln(degree)`` as Java computes it (``1 / 0.0 = inf``, ``1 / -inf = -0.0``)."""
    if degree == 0:
        return -0.0
    log = math.log(degree)
    return math.inf if log == 0.0 else 1.0 / log


def pair_scores(
    source: Sequence[int],
    target: Sequence[int],
    pairs: Sequence[tuple[int, int]],
    measure: str,
    *,
    direction: str = "BOTH",
) -> list[float]:
    """The ``measure`` score of each node pair on a directed multigraph (module docstring).

    Parameters
    ----------
    source, target : sequence of int
        The relationships ``source[i] -> target[i]`` (node ids), parallel ones and self-loops
        allowed.
    pairs : sequence of (int, int)
        The node pairs ``(a, b)`` to score.
    measure : str
        One of :data:`PAIR_MEASURES`.
    direction : str
        One of :data:`DIRECTIONS`.

    Returns
    -------
    list of float
        One score per pair.

    Raises
    ------
    ValueError
        An unknown measure or direction, or ``source`` and ``target`` of different lengths.

    Notes
    -----
    ``O(m + sum over pairs of deg(a) + deg(b))`` for ``m`` relationships.

    References
    ----------
    L. A. Adamic and E. Adar, "Friends and neighbors on the Web", Social Networks 25 (2003);
    T. Zhou, L. Lu, Y.-C. Zhang, "Predicting missing links via local information", Eur. Phys.
    J. B 71 (2009); GDS manual, Topological link prediction.

    Examples
    --------
    >>> # 0 -> 1, 0 -> 2, 1 -> 2, 2 -> 3, and a second 0 -> 1
    >>> src, dst = [0, 0, 1, 2, 0], [1, 2, 2, 3, 1]
    >>> pair_scores(src, dst, [(0, 3), (1, 3)], "COMMON_NEIGHBORS")
    [1.0, 1.0]
    >>> pair_scores(src, dst, [(0, 1)], "PREFERENTIAL_ATTACHMENT")  # deg 3 * deg 3
    [9.0]
    >>> pair_scores(src, dst, [(0, 1)], "COMMON_NEIGHBORS", direction="OUTGOING")  # 0->2<-1
    [1.0]
    """
    if measure not in PAIR_MEASURES:
        raise ValueError(f"unknown measure {measure!r}; known: {PAIR_MEASURES}")
    if direction not in DIRECTIONS:
        raise ValueError(f"unknown direction {direction!r}; known: {DIRECTIONS}")
    if len(source) != len(target):
        raise ValueError(
            f"source and target must have the same length, got {len(source)} and {len(target)}"
        )
    degree: defaultdict[int, int] = defaultdict(int)
    neighbors: defaultdict[int, set[int]] = defaultdict(set)
    for s, t in zip(source, target, strict=True):
        if s == t:  # a self-loop: once in every direction, never its own neighbour
            degree[s] += 1
            continue
        if direction in ("OUTGOING", "BOTH"):
            degree[s] += 1
            neighbors[s].add(t)
        if direction in ("INCOMING", "BOTH"):
            degree[t] += 1
            neighbors[t].add(s)
    out = []
    for a, b in pairs:
        na, nb = neighbors.get(a, set()), neighbors.get(b, set())
        common = set() if a == b else na & nb
        if measure == "ADAMIC_ADAR":
            out.append(sum(_adamic_adar_term(degree[w]) for w in common))
        elif measure == "RESOURCE_ALLOCATION":
            out.append(sum(1.0 / degree[w] if degree[w] else math.inf for w in common))
        elif measure == "COMMON_NEIGHBORS":
            out.append(float(len(common)))
        elif measure == "PREFERENTIAL_ATTACHMENT":
            out.append(float(degree.get(a, 0) * degree.get(b, 0)))
        else:
            out.append(float(len(na | nb)))
    return out
