"""A*, Yen's k shortest paths, Bellman-Ford and delta-stepping against NetworkX (the oracle)
and GDS's documented examples and test graphs.

Random graphs have integer weights (exact in float64, so many equal-cost ties), zero weights,
parallel arcs, self-loops and unreachable nodes. Oracles and tolerances:

* A*: weights at least the haversine distance between the end points (a consistent
  heuristic), so its cost is the shortest one: compared exactly with
  ``nx.single_source_dijkstra_path_length`` and ``nx.astar_path_length``; the path is checked
  to exist and to cost what it says.
* Yen: the first ``k`` costs equal ``nx.shortest_simple_paths``'s exactly (any order among
  equal costs is correct, so paths are checked to be valid, loopless and distinct); with
  parallel arcs kept distinct (GDS), against a brute-force enumeration of simple paths times
  arc choices.
* Bellman-Ford: costs equal ``nx.bellman_ford_predecessor_and_distance`` exactly; negative
  cycle detection agrees with it raising ``NetworkXUnbounded``; the vectorised rounds equal
  the plain-loop reference exactly (costs, predecessors, recorded vertices).
* Delta-stepping: costs equal :func:`dijkstra`'s exactly (float weights too) and NetworkX's.
"""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np
import pytest
import torch

from neo4j_gml.algorithms.paths.astar import astar, haversine_nm
from neo4j_gml.algorithms.paths.bellman_ford import (
    _bellman_ford_reference,
    _rounds,
    bellman_ford,
)
from neo4j_gml.algorithms.paths.delta import delta_stepping, multi_source_delta_stepping
from neo4j_gml.algorithms.paths.dijkstra import dijkstra, path_to
from neo4j_gml.algorithms.paths.yens import yens
from neo4j_gml.core.graph import Graph

SEEDS = range(8)


def _edges(seed: int, n: int, m: int, low: int = 1, high: int = 4):
    rng = np.random.default_rng(seed)
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    src[:3] = dst[:3]  # self-loops
    src[3:8], dst[3:8] = src[8:13], dst[8:13]  # parallel arcs
    weights = rng.integers(low, high, m).astype(float)
    weights[13:15] = 0.0  # zero-cost arcs
    return rng, src, dst, weights


def _simple(n: int, src, dst, weights, *, loops: bool = True) -> nx.DiGraph:
    """The oracle graph: the cheapest of parallel arcs."""
    oracle = nx.DiGraph()
    oracle.add_nodes_from(range(n))
    for s, t, w in zip(src.tolist(), dst.tolist(), weights.tolist(), strict=True):
        if s == t and not loops:
            continue
        if not oracle.has_edge(s, t) or w < oracle[s][t]["weight"]:
            oracle.add_edge(s, t, weight=w)
    return oracle


def _check_path(oracle: nx.DiGraph, nodes: list[int], costs: list[float]) -> None:
    assert costs[0] == 0.0
    for i, (u, v) in enumerate(itertools.pairwise(nodes)):
        assert oracle.has_edge(u, v)
        assert costs[i + 1] == costs[i] + oracle[u][v]["weight"]


# ------------------------------------------------------------------------------------- A*

STATIONS_LAT = [51.5308, 51.5282, 51.5392, 51.5342, 51.5507]
STATIONS_LON = [-0.1238, -0.1337, -0.1426, -0.1387, -0.1402]


def test_astar_gds_documentation_example() -> None:
    g = Graph.from_edges([0, 1, 1, 3, 2], [1, 2, 3, 2, 4], [0.7, 1.3, 0.7, 0.6, 1.3])
    found = astar(g, 0, 4, latitude=STATIONS_LAT, longitude=STATIONS_LON)
    # Kings Cross, Euston, Camden Town, Kentish Town: GDS's row (the tie via Mornington
    # Crescent is not taken: Camden Town is first reached through Euston)
    assert path_to(found, 4) == ([0, 1, 2, 4], [0.0, 0.7, 2.0, 3.3])
    assert found.settled[-1] == 4 and found.settled[0] == 0


def test_haversine_is_gds_formula() -> None:
    # one degree of longitude on the equator: R * pi / 180 nautical miles
    radius = 6371 * 0.539957
    assert haversine_nm(np.array([0.0]), np.array([0.0]), 0.0, 1.0)[0] == pytest.approx(
        radius * math.pi / 180, rel=1e-12
    )
    lat, lon = np.array(STATIONS_LAT), np.array(STATIONS_LON)
    for i in range(5):  # against a scalar transcription of GDS's formula
        d_lat, d_lon = math.radians(lat[4] - lat[i]), math.radians(lon[4] - lon[i])
        a = math.sin(d_lat / 2) ** 2 + math.sin(d_lon / 2) ** 2 * math.cos(
            math.radians(lat[i])
        ) * math.cos(math.radians(lat[4]))
        expected = radius * 2 * math.asin(math.sqrt(a))
        assert haversine_nm(lat, lon, lat[4], lon[4])[i] == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("seed", SEEDS)
def test_astar_against_networkx(seed: int) -> None:
    n, m = 40, 160
    rng, src, dst, _ = _edges(seed, n, m)
    lat, lon = rng.uniform(50, 52, n), rng.uniform(-1, 1, n)
    # weights >= the great-circle distance: the heuristic is consistent, A* is exact
    gap = np.array(
        [haversine_nm(lat[[s]], lon[[s]], lat[t], lon[t])[0] for s, t in zip(src, dst, strict=True)]
    )
    weights = np.ceil(gap) + rng.integers(0, 3, m)
    g = Graph.from_edges(src, dst, weights, num_nodes=n + 3)  # 3 isolated nodes
    lat3, lon3 = np.r_[lat, [0.0, 0.0, 0.0]], np.r_[lon, [0.0, 0.0, 0.0]]
    oracle = _simple(n + 3, src, dst, weights)
    for source, target in [(0, 1), (2, 7), (int(src[20]), int(dst[30])), (5, n + 1)]:
        found = astar(g, source, target, latitude=lat3, longitude=lon3)
        path = path_to(found, target)
        if not nx.has_path(oracle, source, target):
            assert path is None
            continue
        assert path is not None
        expected = nx.single_source_dijkstra_path_length(oracle, source)[target]
        assert path[1][-1] == expected
        assert path[1][-1] == nx.astar_path_length(
            oracle,
            source,
            target,
            heuristic=lambda u, v: float(haversine_nm(lat3[[u]], lon3[[u]], lat3[v], lon3[v])[0]),
        )
        _check_path(oracle, *path)
        assert path[0][0] == source and path[0][-1] == target


def test_astar_checks_its_arguments() -> None:
    g = Graph.from_edges([0], [1], [1.0])
    with pytest.raises(ValueError, match="target"):
        astar(g, 0, 5, latitude=[0, 0], longitude=[0, 0])
    with pytest.raises(ValueError, match="one value per node"):
        astar(g, 0, 1, latitude=[0], longitude=[0, 0])
    with pytest.raises(ValueError, match="non-negative"):
        astar(Graph.from_edges([0], [1], [-1.0]), 0, 1, latitude=[0, 0], longitude=[0, 0])
    assert path_to(astar(g, 1, 1, latitude=[0, 0], longitude=[0, 0]), 1) == ([1], [0.0])


# ------------------------------------------------------------------------------------ Yen

YENS_DOC = ([0, 0, 0, 1, 2, 2, 3, 3, 4], [1, 2, 3, 3, 3, 4, 4, 5, 5])
YENS_DOC_W = [50, 50, 100, 40, 40, 80, 30, 80, 40]


def test_yens_gds_documentation_example() -> None:
    g = Graph.from_edges(*YENS_DOC, YENS_DOC_W)
    assert yens(g, 0, 5, k=3) == [
        ([0, 1, 3, 4, 5], [0.0, 50.0, 90.0, 120.0, 160.0]),
        ([0, 2, 3, 4, 5], [0.0, 50.0, 90.0, 120.0, 160.0]),
        ([0, 1, 3, 5], [0.0, 50.0, 90.0, 170.0]),
    ]
    assert len(yens(g, 0, 5, k=100)) == 7  # every simple path A -> F
    assert yens(g, 5, 0, k=3) == []
    assert yens(g, 2, 2, k=3) == [([2], [0.0])]


def test_yens_gds_parallel_edges_test() -> None:
    # GDS's YensParallelEdgesTest: 3 x 3 parallel choices, never the direct 200 arc
    a, b, c, d = range(4)
    src = [a, a, a, a, b, b, b, c]
    dst = [b, b, b, d, c, c, c, d]
    w = [1.0, 2.0, 3.0, 200.0, 1.0, 2.0, 3.0, 1.0]
    g = Graph.from_edges(src, dst, w)
    found = yens(g, a, d, k=9)
    assert [costs[-1] for _, costs in found] == [3, 4, 4, 5, 5, 5, 6, 6, 7]
    cheapest = yens(g, a, d, k=9, distinct_parallel_arcs=False)
    assert cheapest == [([0, 1, 2, 3], [0.0, 1.0, 2.0, 3.0]), ([0, 3], [0.0, 200.0])]


@pytest.mark.parametrize("seed", SEEDS)
def test_yens_against_networkx(seed: int) -> None:
    n, m = 25, 90
    _, src, dst, weights = _edges(seed, n, m)
    g = Graph.from_edges(src, dst, weights, num_nodes=n + 2)
    oracle = _simple(n + 2, src, dst, weights, loops=False)
    k = 12
    for source, target in [(0, 1), (int(src[40]), int(dst[50])), (3, n)]:
        found = yens(g, source, target, k=k, distinct_parallel_arcs=False)
        if source == target or not nx.has_path(oracle, source, target):
            continue
        expected = [
            nx.path_weight(oracle, p, "weight")
            for p in itertools.islice(nx.shortest_simple_paths(oracle, source, target, "weight"), k)
        ]
        assert [costs[-1] for _, costs in found] == expected
        assert len({tuple(nodes) for nodes, _ in found}) == len(found)
        for nodes, costs in found:
            assert len(set(nodes)) == len(nodes) and nodes[0] == source and nodes[-1] == target
            _check_path(oracle, nodes, costs)
    assert yens(g, 0, n + 1, k=3) == []  # isolated target


@pytest.mark.parametrize("seed", SEEDS)
def test_yens_distinct_parallel_arcs_against_brute_force(seed: int) -> None:
    n, m = 9, 26
    _, src, dst, weights = _edges(seed, n, m)
    g = Graph.from_edges(src, dst, weights, num_nodes=n)
    arcs: dict[tuple[int, int], list[float]] = {}
    for s, t, w in zip(src.tolist(), dst.tolist(), weights.tolist(), strict=True):
        if s != t:
            arcs.setdefault((s, t), []).append(w)
    simple = nx.DiGraph(list(arcs))
    simple.add_nodes_from(range(n))
    for source, target in [(0, 1), (int(src[20]), int(dst[21]))]:
        if source == target or not nx.has_path(simple, source, target):
            continue
        every = sorted(
            sum(choice)
            for p in nx.all_simple_paths(simple, source, target)
            for choice in itertools.product(*(arcs[(u, v)] for u, v in itertools.pairwise(p)))
        )
        k = min(len(every), 15)
        found = yens(g, source, target, k=k + 3)
        assert [costs[-1] for _, costs in found] == every[: k + 3]


def test_yens_checks_its_arguments() -> None:
    g = Graph.from_edges([0], [1], [1.0])
    with pytest.raises(ValueError, match="k must"):
        yens(g, 0, 1, k=0)
    with pytest.raises(ValueError, match="source"):
        yens(g, 3, 1, k=1)


# --------------------------------------------------------------------------- Bellman-Ford

BF_DOC_SRC = [0, 0, 0, 1, 2, 2, 3, 3, 4, 6, 7, 8]
BF_DOC_DST = [1, 2, 3, 3, 3, 4, 4, 5, 5, 7, 8, 6]
BF_DOC_W = [50, -50, 100, 40, 40, 80, 30, 80, 40, 40, -60, 10]


def test_bellman_ford_gds_documentation_example() -> None:
    g = Graph.from_edges(BF_DOC_SRC, BF_DOC_DST, BF_DOC_W)
    found = bellman_ford(g, 0)
    assert not found.contains_negative_cycle and found.negative_cycles == []
    rows = [path_to(found.paths, int(t)) for t in found.paths.settled]
    assert rows == [
        ([0], [0.0]),
        ([0, 1], [0.0, 50.0]),
        ([0, 2], [0.0, -50.0]),
        ([0, 2, 3], [0.0, -50.0, -10.0]),
        ([0, 2, 3, 4], [0.0, -50.0, -10.0, 20.0]),
        ([0, 2, 3, 4, 5], [0.0, -50.0, -10.0, 20.0, 60.0]),
    ]
    cycle = bellman_ford(g, 6)
    assert cycle.contains_negative_cycle
    assert cycle.negative_cycles == [([6, 7, 8, 6], [0.0, 40.0, -20.0, -10.0])]


def test_bellman_ford_gds_test_graphs() -> None:
    # BellmanFordMultipleNegativeCyclesTest: a0..a6, cycles a1-a3-a4 and a2-a5-a6
    g = Graph.from_edges(
        [0, 0, 1, 3, 4, 2, 5, 6], [1, 2, 3, 4, 1, 5, 6, 2], [1, 1, -1, -2, 2, -100, 5, 6]
    )
    assert sorted(bellman_ford(g, 0).negative_cycles) == [
        ([1, 3, 4, 1], [0.0, -1.0, -3.0, -1.0]),
        ([2, 5, 6, 2], [0.0, -100.0, -95.0, -89.0]),
    ]
    # ...LoopyTest: exactly one row, a2 -> a3 -> a2
    loopy = Graph.from_edges([0, 1, 2, 2], [1, 2, 0, 1], [-20, 10, 5, -15])
    found = bellman_ford(loopy, 0)
    assert found.contains_negative_cycle
    assert found.negative_cycles == [([1, 2, 1], [0.0, 10.0, -5.0])]
    # BellmanFordTest.shouldUpdateBasedOnNegativeCorrectly (A..F, L isolated)
    third = Graph.from_edges(
        [0, 0, 0, 1, 2, 2, 3, 3, 4],
        [1, 2, 3, 4, 1, 4, 2, 5, 5],
        [6, 4, 5, -1, -2, 3, -2, -1, 3],
        num_nodes=7,
    )
    found = bellman_ford(third, 0)
    assert found.paths.settled.tolist() == [0, 1, 2, 3, 4, 5]
    assert path_to(found.paths, 5) == ([0, 3, 2, 1, 4, 5], [0.0, 5.0, 3.0, 1.0, 0.0, 3.0])


def _potential_graph(seed: int, n: int, m: int, cycles: bool):
    rng, src, dst, weights = _edges(seed, n, m, 0, 4)
    potential = rng.integers(-5, 6, n).astype(float)
    weights = weights + potential[src] - potential[dst]  # negative arcs, no negative cycle
    if cycles:
        weights[rng.integers(0, m, 3)] -= 8.0
    return src, dst, weights


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("cycles", [False, True])
def test_bellman_ford_against_networkx(seed: int, cycles: bool) -> None:
    n, m = 40, 120
    src, dst, weights = _potential_graph(seed, n, m, cycles)
    g = Graph.from_edges(src, dst, weights, num_nodes=n + 2)
    oracle = _simple(n + 2, src, dst, weights)
    for source in (0, 1, int(src[30]), n):
        found = bellman_ford(g, source)
        vectorised = _rounds(n + 2, *_csr(g), source)
        reference = _bellman_ford_reference(n + 2, *_csr(g), source)
        np.testing.assert_array_equal(vectorised[0], reference[0])
        np.testing.assert_array_equal(vectorised[1], reference[1])
        assert vectorised[2] == reference[2]
        try:
            _, distance = nx.bellman_ford_predecessor_and_distance(oracle, source)
        except nx.NetworkXUnbounded:
            assert found.contains_negative_cycle
            for nodes, costs in found.negative_cycles:
                assert nodes[0] == nodes[-1] and len(costs) == len(nodes)
                assert sum(oracle[u][v]["weight"] for u, v in itertools.pairwise(nodes)) < 0
            continue
        assert not found.contains_negative_cycle and found.negative_cycles == []
        expected = np.full(n + 2, math.inf)
        expected[list(distance)] = list(distance.values())
        np.testing.assert_array_equal(found.paths.cost, expected)
        assert found.paths.settled.tolist() == sorted(distance)
        for t in distance:
            path = path_to(found.paths, t)
            assert path is not None and path[0][0] == source
            _check_path(oracle, *path)


def _csr(g: Graph):
    w = np.ones(g.num_arcs) if g.weights is None else g.weights.numpy()
    return g.indptr.numpy(), g.indices.numpy(), w


def test_bellman_ford_negative_self_loop_and_checks() -> None:
    g = Graph.from_edges([0, 1, 1], [1, 1, 1], [1.0, -2.0, -1.0])
    found = bellman_ford(g, 0)
    assert found.contains_negative_cycle
    assert found.negative_cycles == [([1, 1], [0.0, -2.0])]
    with pytest.raises(ValueError, match="finite"):
        bellman_ford(Graph.from_edges([0], [1], [math.nan]), 0)
    with pytest.raises(ValueError, match="source"):
        bellman_ford(g, 5)


# ------------------------------------------------------------------------ delta-stepping


def test_delta_gds_documentation_example() -> None:
    g = Graph.from_edges(*YENS_DOC, YENS_DOC_W)
    found = delta_stepping(g, 0)
    rows = [path_to(found, int(t)) for t in found.settled]
    assert rows == [
        ([0], [0.0]),
        ([0, 1], [0.0, 50.0]),
        ([0, 2], [0.0, 50.0]),
        ([0, 1, 3], [0.0, 50.0, 90.0]),
        ([0, 1, 3, 4], [0.0, 50.0, 90.0, 120.0]),
        ([0, 1, 3, 4, 5], [0.0, 50.0, 90.0, 120.0, 160.0]),
    ]


@pytest.mark.parametrize("seed", SEEDS)
def test_delta_against_dijkstra_and_networkx(seed: int) -> None:
    n, m = 50, 200
    delta = [0.7, 2.0, 100.0][seed % 3]
    rng, src, dst, weights = _edges(seed, n, m)
    if seed % 2:  # float weights: still exactly Dijkstra's sums
        weights = weights * rng.uniform(0.1, 1.7, m)
    g = Graph.from_edges(src, dst, weights, num_nodes=n + 4)
    oracle = _simple(n + 4, src, dst, weights)
    sources = [0, 1, int(src[17]), n + 2]
    cost, pred = multi_source_delta_stepping(g, sources, delta=delta)
    for row, source in enumerate(sources):
        single = delta_stepping(g, source, delta=delta)
        np.testing.assert_array_equal(cost[row].numpy(), single.cost)
        np.testing.assert_array_equal(pred[row].numpy(), single.predecessor)
        np.testing.assert_array_equal(single.cost, dijkstra(g, source).cost)
        lengths = nx.single_source_dijkstra_path_length(oracle, source)
        assert single.settled.tolist() == sorted(lengths)
        for t, length in lengths.items():
            assert single.cost[t] == pytest.approx(length, rel=1e-12, abs=0)
            path = path_to(single, t)
            assert path is not None and path[1][-1] == single.cost[t]
            for u, v in itertools.pairwise(path[0]):
                assert single.cost[u] + oracle[u][v]["weight"] == single.cost[v]


def test_delta_checks_its_arguments() -> None:
    g = Graph.from_edges([0], [1], [1.0])
    with pytest.raises(ValueError, match="delta"):
        delta_stepping(g, 0, delta=0.0)
    with pytest.raises(ValueError, match="non-negative"):
        delta_stepping(Graph.from_edges([0], [1], [-1.0]), 0)
    with pytest.raises(ValueError, match="sources"):
        multi_source_delta_stepping(g, [0, 2])


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_delta_on_cuda_equals_cpu() -> None:
    _, src, dst, weights = _edges(3, 500, 4000)
    g = Graph.from_edges(src, dst, weights * 0.37, num_nodes=510)
    cpu = multi_source_delta_stepping(g, [0, 1, 2], delta=1.0)
    gpu = multi_source_delta_stepping(g.to("cuda"), [0, 1, 2], delta=1.0)
    assert gpu[0].is_cuda
    torch.testing.assert_close(gpu[0].cpu(), cpu[0], rtol=0, atol=0)
    torch.testing.assert_close(gpu[1].cpu(), cpu[1], rtol=0, atol=0)
