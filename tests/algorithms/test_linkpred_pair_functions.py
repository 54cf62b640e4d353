"""GDS's link prediction functions on a directed multigraph (the reference of
``gml.linkprediction.*``).

Oracles: NetworkX's ``MultiDiGraph`` (successors, predecessors, ``out_degree``, ``in_degree``,
``degree`` less self-loops, which Neo4j counts once) with the formulas written out per direction,
and :func:`~neo4j_gml.algorithms.linkpred.topological.link_scores` on simple undirected graphs
(where both definitions agree). Tolerance 1e-12 relative.
"""

from __future__ import annotations

import math
import random

import networkx as nx
import pytest
import torch

from neo4j_gml.algorithms.linkpred.adjacency import from_edges
from neo4j_gml.algorithms.linkpred.pair_functions import PAIR_MEASURES, pair_scores
from neo4j_gml.algorithms.linkpred.topological import link_scores


def _multigraph(seed: int) -> tuple[list[int], list[int]]:
    rng = random.Random(seed)
    src, dst = [], []
    for _ in range(150):
        s = min(rng.randrange(30), rng.randrange(30))
        src.append(s)
        dst.append(s if rng.random() < 0.05 else rng.randrange(30))
    for i in rng.sample(range(150), 10):  # parallel relationships
        src.append(src[i])
        dst.append(dst[i])
    return src, dst


def _nx_scores(g: nx.MultiDiGraph, a: int, b: int, measure: str, direction: str) -> float:
    def neighbors(u: int) -> set[int]:
        out = set(g.successors(u)) if direction in ("OUTGOING", "BOTH") else set()
        inc = set(g.predecessors(u)) if direction in ("INCOMING", "BOTH") else set()
        return (out | inc) - {u}

    def degree(u: int) -> int:
        if direction == "OUTGOING":
            return g.out_degree(u)
        if direction == "INCOMING":
            return g.in_degree(u)
        return g.degree(u) - g.number_of_edges(u, u)

    def divide(x: float) -> float:  # as Java: 1 / 0.0 = inf, 1 / -inf = -0.0
        return math.inf if x == 0 else -0.0 if x == -math.inf else 1 / x

    common = set() if a == b else neighbors(a) & neighbors(b)
    if measure == "ADAMIC_ADAR":  # deg 0 or 1 is possible one way round
        return sum(divide(math.log(degree(w)) if degree(w) else -math.inf) for w in common)
    if measure == "RESOURCE_ALLOCATION":
        return sum(divide(degree(w)) for w in common)
    if measure == "COMMON_NEIGHBORS":
        return float(len(common))
    if measure == "PREFERENTIAL_ATTACHMENT":
        return float(degree(a) * degree(b))
    return float(len(neighbors(a) | neighbors(b)))


@pytest.mark.parametrize("direction", ["OUTGOING", "INCOMING", "BOTH"])
@pytest.mark.parametrize("measure", PAIR_MEASURES)
def test_pair_scores_match_networkx_multidigraph(measure: str, direction: str) -> None:
    src, dst = _multigraph(seed=5)
    g = nx.MultiDiGraph()
    g.add_nodes_from(range(30))
    g.add_edges_from(zip(src, dst, strict=True))
    rng = random.Random(6)
    pairs = [(rng.randrange(30), rng.randrange(30)) for _ in range(60)]
    pairs += list(zip(src[:10], dst[:10], strict=True)) + [(4, 4)]
    got = pair_scores(src, dst, pairs, measure, direction=direction)
    for (a, b), value in zip(pairs, got, strict=True):
        want = _nx_scores(g, a, b, measure, direction)
        if math.isinf(want):
            assert value == want
        else:
            assert math.isclose(value, want, rel_tol=1e-12), (a, b, value, want)


@pytest.mark.parametrize("measure", PAIR_MEASURES)
def test_pair_scores_agree_with_link_scores_on_simple_graphs(measure: str) -> None:
    g = nx.gnp_random_graph(40, 0.12, seed=2)
    src = [u for u, v in g.edges()]
    dst = [v for u, v in g.edges()]
    rng = random.Random(4)
    pairs = [(rng.randrange(40), rng.randrange(40)) for _ in range(80)]
    pairs = [(a, b) for a, b in pairs if a != b]
    adj = from_edges(torch.tensor(src), torch.tensor(dst), 40)
    a = torch.tensor([p[0] for p in pairs])
    b = torch.tensor([p[1] for p in pairs])
    want = link_scores(adj, a, b, measure).tolist()
    got = pair_scores(src, dst, pairs, measure)  # BOTH
    for value, w in zip(got, want, strict=True):
        assert math.isclose(value, w, rel_tol=1e-12, abs_tol=1e-15)


def test_pair_scores_refuse_unknown_names() -> None:
    with pytest.raises(ValueError, match="unknown measure 'X'"):
        pair_scores([0], [1], [(0, 1)], "X")
    with pytest.raises(ValueError, match="unknown direction 'UP'"):
        pair_scores([0], [1], [(0, 1)], "COMMON_NEIGHBORS", direction="UP")
    with pytest.raises(ValueError, match="same length"):
        pair_scores([0], [], [(0, 1)], "COMMON_NEIGHBORS")
