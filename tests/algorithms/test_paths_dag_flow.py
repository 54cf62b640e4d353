"""Topological sort, DAG longest paths, maximum flow and all-pairs shortest paths.

Oracles: NetworkX (``topological_sort`` order validity, ``dag_longest_path_length``,
``maximum_flow_value``, ``all_pairs_dijkstra_path_length`` /
``all_pairs_shortest_path_length``) on random graphs with ties, zero weights, parallel arcs,
self-loops, cycles and unreachable nodes; plus the answers of GDS's documentation and unit tests
(``TopologicalSortTest``, ``WeightedDagLongestPathTest``, ``MaxFlowTest``, ``max-flow.adoc``,
``MSBFSAllShortestPathsTest``, ``WeightedAllShortestPathsTest``), by hand. Tolerances: longest
and shortest distances exactly equal (same float sums) or to ``1e-9``; flow totals to ``1e-6``
(GDS's own ``TOLERANCE``).
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from neo4j_gml.algorithms.paths.all_pairs import (
    AllPairs,
    _bfs_torch,
    _delta_torch,
    _scipy,
    all_pairs,
    all_pairs_bytes,
)
from neo4j_gml.algorithms.paths.dag import longest_path, topological_sort
from neo4j_gml.algorithms.paths.maxflow import max_flow
from neo4j_gml.core.errors import ParameterError
from neo4j_gml.core.graph import Graph


def _random_graph(
    rng: np.random.Generator, n: int, m: int, *, dag: bool, integral: bool = True
) -> Graph:
    u = rng.integers(0, n, m)
    v = rng.integers(0, n, m)
    if dag:  # arcs go from a lower to a higher rank of a random permutation
        rank = rng.permutation(n)
        keep = rank[u] != rank[v]
        u, v = u[keep], v[keep]
        swap = rank[u] > rank[v]
        u[swap], v[swap] = v[swap], u[swap]
    w = rng.integers(0, 4, u.size).astype(float)  # ties and zeros
    if not integral:
        w = w + rng.random(u.size) * 0.5
    # parallel arcs: repeat some
    extra = rng.integers(0, max(u.size, 1), u.size // 5) if u.size else np.zeros(0, dtype=int)
    u, v, w = np.r_[u, u[extra]], np.r_[v, v[extra]], np.r_[w, w[extra] + 1]
    return Graph.from_edges(u, v, w, num_nodes=n)


def _nx_multi(graph: Graph) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    g.add_nodes_from(range(graph.num_nodes))
    src = graph.sources().tolist()
    dst = graph.indices.tolist()
    w = graph.arc_weights().tolist()
    for a, b, c in zip(src, dst, w, strict=True):
        g.add_edge(a, b, weight=c)
    return g


def _simple(graph: Graph, pick: str) -> nx.DiGraph:
    """Parallel arcs merged: ``max``/``min`` weight or ``sum`` (capacity)."""
    g = nx.DiGraph()
    g.add_nodes_from(range(graph.num_nodes))
    for a, b, c in zip(
        graph.sources().tolist(), graph.indices.tolist(), graph.arc_weights().tolist(), strict=True
    ):
        if g.has_edge(a, b):
            old = g[a][b]["weight"]
            g[a][b]["weight"] = (
                max(old, c) if pick == "max" else min(old, c) if pick == "min" else old + c
            )
        else:
            g.add_edge(a, b, weight=c)
    return g


def _acyclic_part(graph: Graph) -> set[int]:
    """Nodes neither on a cycle nor reachable from one (what Kahn's algorithm processes)."""
    g = _nx_multi(graph)
    on_cycle = {v for comp in nx.strongly_connected_components(g) if len(comp) > 1 for v in comp}
    on_cycle |= {a for a, b in nx.selfloop_edges(g)}
    bad = set(on_cycle)
    for v in on_cycle:
        bad |= nx.descendants(g, v)
    return set(range(graph.num_nodes)) - bad


# ------------------------------------------------------------------------- topological sort
def test_topological_sort_gds_examples() -> None:
    # TopologicalSortTest.shouldSortRight (distances in hops)
    g = Graph.from_edges([0, 0, 2, 3], [1, 2, 1, 0])
    found = topological_sort(g, compute_max_distance_from_source=True)
    assert found.order.tolist() == [3, 0, 2, 1]
    assert found.max_distance is not None and found.max_distance.tolist() == [0.0, 1.0, 2.0, 3.0]
    assert topological_sort(g).max_distance is None
    # allCycle, selfLoop, cycles
    assert topological_sort(Graph.from_edges([0, 1, 2, 3], [1, 3, 0, 2])).order.size == 0
    self_loop = topological_sort(
        Graph.from_edges([0, 1, 2], [1, 1, 2]), compute_max_distance_from_source=True
    )
    assert self_loop.order.tolist() == [0]
    cycles = Graph.from_edges(
        [0, 0, 0, 1, 1, 2, 3, 4, 5, 5, 6, 7, 8], [1, 2, 5, 0, 5, 3, 4, 3, 0, 1, 1, 6, 6]
    )
    found = topological_sort(cycles, compute_max_distance_from_source=True)
    assert found.order.tolist() == [7, 8, 6]
    assert found.max_distance is not None and found.max_distance.tolist() == [0.0, 0.0, 1.0]
    # the documented supply chain: Cement, Base, Skeleton, Steel, Support, Door, House
    house = Graph.from_edges([0, 1, 3, 4, 2, 5], [1, 2, 4, 2, 5, 6])
    found = topological_sort(house, compute_max_distance_from_source=True)
    assert found.max_distance is not None
    assert dict(zip(found.order.tolist(), found.max_distance.tolist(), strict=True)) == {
        0: 0.0, 3: 0.0, 1: 1.0, 4: 1.0, 2: 2.0, 5: 3.0, 6: 4.0
    }  # fmt: skip


def test_topological_sort_hundred_last() -> None:
    # TopologicalSortTest.hundredShouldComeLast: outer 0-9 -> middle 10-19, all -> 20
    u = list(range(10)) + list(range(20))
    v = list(range(10, 20)) + [20] * 20
    found = topological_sort(Graph.from_edges(u, v), compute_max_distance_from_source=True)
    assert found.order.size == 21 and found.order[-1] == 20
    assert found.max_distance is not None
    assert found.max_distance.tolist() == [0.0] * 10 + [1.0] * 10 + [2.0]


@pytest.mark.parametrize("seed", range(8))
def test_topological_sort_against_networkx(seed: int) -> None:
    rng = np.random.default_rng(seed)
    g = _random_graph(rng, 40, 70, dag=seed % 2 == 0)
    found = topological_sort(g, compute_max_distance_from_source=True)
    weighted = topological_sort(g, compute_max_distance_from_source=True, weighted=True)
    order = found.order.tolist()
    assert weighted.order.tolist() == order
    expected = _acyclic_part(g)
    assert set(order) == expected and len(order) == len(expected)
    # valid: every arc between listed nodes goes forward; sources first in ascending position
    rank = {v: i for i, v in enumerate(order)}
    for a, b in zip(g.sources().tolist(), g.indices.tolist(), strict=True):
        if a in rank and b in rank:
            assert rank[a] < rank[b]
    sources = np.flatnonzero(g.in_degree().numpy() == 0).tolist()
    assert order[: len(sources)] == sources
    # max distance = longest path ending there, in hops and in weights (NetworkX on the DAG part)
    assert found.max_distance is not None and weighted.max_distance is not None
    sub = _simple(g, "max").subgraph(expected)
    hops = nx.DiGraph(sub.edges())
    hops.add_nodes_from(sub)
    for v, d, dw in zip(
        order, found.max_distance.tolist(), weighted.max_distance.tolist(), strict=True
    ):
        anc = nx.ancestors(sub, v) | {v}
        assert d == nx.dag_longest_path_length(hops.subgraph(anc))
        assert dw == pytest.approx(nx.dag_longest_path_length(sub.subgraph(anc), weight="weight"))


def test_topological_sort_waves_are_levels() -> None:
    found = topological_sort(Graph.from_edges([2, 2, 0, 1], [0, 1, 3, 3]))
    assert found.order.tolist() == [2, 0, 1, 3]
    assert topological_sort(Graph.from_edges([], [], num_nodes=3)).order.tolist() == [0, 1, 2]


# ----------------------------------------------------------------------------- longest path
def test_longest_path_gds_examples() -> None:
    # WeightedDagLongestPathTest.basicWeightedLongestPath
    g = Graph.from_edges([0, 0, 2, 3], [1, 2, 1, 0], [8.0, 5.0, 2.0, 8.0])
    found = longest_path(g)
    assert found.targets.tolist() == [0, 1, 2, 3]
    assert [found.path(v)[0] for v in range(4)] == [[3, 0], [3, 0, 1], [3, 0, 2], [3]]
    assert found.cost.tolist() == [8.0, 16.0, 13.0, 0.0]
    # shouldWorkWithMultipleSources
    g = Graph.from_edges(
        [0, 0, 2, 1, 1, 4, 3, 0, 0, 6],
        [2, 3, 3, 3, 2, 5, 4, 5, 6, 4],
        [8.0, 7.0, 5.0, 2.0, 10.0, 100.0, 10.0, 20.0, 30.0, 2000.0],
    )
    found = longest_path(g)
    paths = [[0], [1], [1, 2], [1, 2, 3], [0, 6, 4], [0, 6, 4, 5], [0, 6]]
    assert [found.path(v)[0] for v in range(7)] == paths
    assert found.cost.tolist() == [0.0, 0.0, 10.0, 15.0, 2030.0, 2130.0, 30.0]
    # shouldWorkWithZeroWeights
    found = longest_path(Graph.from_edges([0, 1, 2], [1, 2, 3], [0.0, 0.0, 8.0]))
    assert found.path(3) == ([0, 1, 2, 3], [0.0, 0.0, 0.0, 8.0])
    # the documented table example, rows in projection order with index 0..4
    doc = longest_path(Graph.from_edges([0, 1, 3, 2], [1, 2, 2, 4], [1.0, 0.0, 3.0, 1.0]))
    assert doc.targets.tolist() == [0, 1, 2, 3, 4]
    assert [doc.path(v) for v in range(5)] == [
        ([0], [0.0]), ([0, 1], [0.0, 1.0]), ([3, 2], [0.0, 3.0]), ([3], [0.0]),
        ([3, 2, 4], [0.0, 3.0, 4.0]),
    ]  # fmt: skip


def test_longest_path_cycles_and_ties() -> None:
    # 0 -> 1 <-> 2 -> 3: node 1 gets a row (reached from processed 0), 2 and 3 do not
    found = longest_path(Graph.from_edges([0, 1, 2, 2], [1, 2, 1, 3]))
    assert found.targets.tolist() == [0, 1]
    assert found.path(1) == ([0, 1], [0.0, 1.0])
    with pytest.raises(ValueError):
        found.path(2)
    # equal lengths: the predecessor processed first (source 0 before source 1)
    tie = longest_path(Graph.from_edges([0, 1], [2, 2], [1.0, 1.0]))
    assert tie.path(2)[0] == [0, 2] and tie.root.tolist() == [0, 1, 0]
    with pytest.raises(ParameterError):
        longest_path(Graph.from_edges([0], [1], [-1.0]))


@pytest.mark.parametrize("seed", range(8))
def test_longest_path_against_networkx(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    g = _random_graph(rng, 35, 60, dag=seed % 2 == 0, integral=seed % 3 != 0)
    found = longest_path(g)
    acyclic = _acyclic_part(g)
    sub = _simple(g, "max").subgraph(acyclic)
    # rows: the acyclic part plus the nodes a processed node points at
    reached = set(acyclic) | {
        b for a, b in zip(g.sources().tolist(), g.indices.tolist(), strict=True) if a in acyclic
    }
    assert set(found.targets.tolist()) == reached
    assert found.targets.tolist() == sorted(reached)
    weights = _simple(g, "max")
    for v in found.targets.tolist():
        nodes, costs = found.path(v)
        assert nodes[0] == found.root[v] and g.in_degree()[nodes[0]] == 0
        # the path is real and its costs add up
        for i in range(1, len(nodes)):
            assert costs[i] == pytest.approx(
                costs[i - 1] + weights[nodes[i - 1]][nodes[i]]["weight"]
            )
        if v in acyclic:
            anc = nx.ancestors(sub, v) | {v}
            assert costs[-1] == pytest.approx(
                nx.dag_longest_path_length(sub.subgraph(anc)), abs=1e-9
            )


# --------------------------------------------------------------------------------- max flow
A, B, C, D, E, F = range(6)
_DOC = Graph.from_edges(
    [A, A, A, B, C, C, F], [F, B, E, C, D, E, D], [10.0, 3.0, 7.0, 1.0, 4.0, 6.0, 3.0]
)


def _check_flow(g: Graph, result: object, sources: list[int], targets: list[int]) -> None:
    from neo4j_gml.algorithms.paths.maxflow import MaxFlow

    assert isinstance(result, MaxFlow)
    cap = g.arc_weights().numpy()
    f = result.arc_flow
    assert (f >= -1e-9).all() and (f <= cap + 1e-9).all()
    heads, tails = g.sources().numpy(), g.indices.numpy()
    net = np.bincount(tails, weights=f, minlength=g.num_nodes) - np.bincount(
        heads, weights=f, minlength=g.num_nodes
    )
    inner = np.setdiff1d(np.arange(g.num_nodes), sources + targets)
    assert np.abs(net[inner]).max(initial=0) < 1e-6  # conservation
    assert net[targets].sum() == pytest.approx(result.total_flow, abs=1e-6)


def test_max_flow_gds_documentation() -> None:
    found = max_flow(_DOC, None, [A], [D])
    assert found.total_flow == 4.0
    rows = list(zip(found.source.tolist(), found.target.tolist(), found.flow.tolist(), strict=True))
    assert rows == [(A, B, 1.0), (A, F, 3.0), (B, C, 1.0), (C, D, 1.0), (F, D, 3.0)]
    # node capacity requirements: A 9, B 5, D 50, E 10 (C, F free)
    nodes = np.array([9.0, 5.0, np.nan, 50.0, 10.0, np.nan])
    found = max_flow(_DOC, None, [A, B], [D, E], node_capacities=nodes)
    assert found.total_flow == pytest.approx(10.0, abs=1e-6)
    _check_flow(_DOC, found, [A, B], [D, E])
    assert found.arc_flow[found.arc].sum() == found.flow.sum()


def test_max_flow_gds_unit_tests() -> None:
    # MaxFlowTest.testA, test1, test2a
    g = Graph.from_edges([0, 1, 2, 2, 3], [3, 0, 0, 1, 4], [4.0, 3.0, 2.0, 0.0, 5.0])
    assert max_flow(g, None, [0], [4]).total_flow == 4.0
    g = Graph.from_edges(
        [0, 0, 1, 1, 2, 3, 3, 4, 4], [2, 3, 2, 3, 3, 0, 4, 0, 1],
        [1.0, 7.0, 7.0, 2.0, 10.0, 3.0, 9.0, 4.0, 8.0],
    )  # fmt: skip
    assert max_flow(g, None, [3], [2]).total_flow == 8.0
    g = Graph.from_edges([0, 0, 0, 1, 1, 2], [1, 2, 3, 2, 3, 3], [91, 19, 13, 46, 41, 71.0])
    assert max_flow(g, None, [0], [3]).total_flow == 119.0


def test_max_flow_limits_and_errors() -> None:
    g = Graph.from_edges([0, 0, 1, 1], [1, 1, 2, 2], [2.0, 3.0, 1.5, 10.0])
    found = max_flow(g, None, {0: 4.0}, [2])  # supply limit; parallel arcs filled in order
    assert found.total_flow == pytest.approx(4.0)
    assert found.arc_flow.tolist() == pytest.approx([2.0, 2.0, 1.5, 2.5])
    assert max_flow(g, None, [0], {2: 1.0}).total_flow == pytest.approx(1.0)
    assert max_flow(g, None, [0], [2], node_capacities=[np.nan, 0.5, np.nan]).total_flow == 0.5
    # antiparallel arcs: net flow only; self-loops carry nothing
    g2 = Graph.from_edges([0, 1, 1, 1], [1, 0, 1, 2], [5.0, 5.0, 9.0, 2.0])
    found = max_flow(g2, None, [0], [2])
    assert found.arc_flow.tolist() == [2.0, 0.0, 0.0, 2.0]
    for bad in (
        lambda: max_flow(g, None, [], [2]),
        lambda: max_flow(g, None, [0, 0], [2]),
        lambda: max_flow(g, None, [0], [0]),
        lambda: max_flow(g, [-1.0, 1, 1, 1], [0], [2]),
        lambda: max_flow(Graph.from_edges([0], [1]), None, [0], [1]),
        lambda: max_flow(g, None, {0: 1.0}, [2], node_capacities=[1.0, np.nan, np.nan]),
    ):
        with pytest.raises(ParameterError):
            bad()


@pytest.mark.parametrize("seed", range(10))
def test_max_flow_against_networkx(seed: int) -> None:
    rng = np.random.default_rng(200 + seed)
    g = _random_graph(rng, 25, 80, dag=False, integral=seed % 2 == 0)
    sources = [0, 1] if seed % 3 else [0]
    targets = [24, 23] if seed % 3 else [24]
    found = max_flow(g, None, sources, targets)
    oracle = _simple(g, "sum")
    oracle.remove_edges_from(nx.selfloop_edges(oracle))
    for s in sources:
        oracle.add_edge("S", s)  # no capacity attribute: unlimited
    for t in targets:
        oracle.add_edge(t, "T")
    expected = nx.maximum_flow_value(oracle, "S", "T", capacity="weight")
    assert found.total_flow == pytest.approx(expected, abs=1e-6)
    _check_flow(g, found, sources, targets)
    assert (found.flow > 1e-6).all() and found.arc.tolist() == sorted(found.arc.tolist())


# ------------------------------------------------------------------------------- all pairs
def _pairs(found: AllPairs) -> dict[tuple[int, int], float]:
    keys = zip(found.source.tolist(), found.target.tolist(), strict=True)
    return dict(zip(keys, found.distance.tolist(), strict=True))


def test_all_pairs_gds_unit_tests() -> None:
    # MSBFSAllShortestPathsTest / WeightedAllShortestPathsTest: the 10-node ladder
    u = [0, 0, 1, 2, 2, 3, 4, 4, 5, 6, 6, 7, 8]
    v = [1, 2, 3, 3, 4, 5, 5, 6, 7, 7, 8, 9, 9]
    hops = all_pairs(Graph.from_edges(u, v))
    assert hops.source.size == 35 and (hops.source < hops.target).all()
    assert ((hops.source == 0) & (hops.target == 9) & (hops.distance == 5.0)).sum() == 1
    weighted = all_pairs(Graph.from_edges(u, v, [1.0] * len(u)))
    assert weighted.source.size == 45
    self_rows = weighted.source == weighted.target
    assert self_rows.sum() == 10 and (weighted.distance[self_rows] == 0).all()


def test_all_pairs_gds_documentation() -> None:
    # the undirected road network, weighted by cost: A..F
    a, b, c, d, e, f = range(6)
    g = Graph.from_edges(
        [a, a, a, b, c, c, d, d, e], [b, c, d, d, d, e, e, f, f],
        [50.0, 50, 100, 40, 40, 80, 30, 80, 40], orientation="UNDIRECTED",
    )  # fmt: skip
    rows = all_pairs(g)
    top = sorted(
        (
            (-dist, s, t)
            for s, t, dist in zip(rows.source, rows.target, rows.distance, strict=True)
            if s != t
        )
    )[:10]
    assert [(s, t, -x) for x, s, t in top] == [
        (a, f, 160.0), (f, a, 160.0), (a, e, 120.0), (e, a, 120.0), (b, f, 110.0),
        (c, f, 110.0), (f, b, 110.0), (f, c, 110.0), (a, d, 90.0), (d, a, 90.0),
    ]  # fmt: skip


@pytest.mark.parametrize("seed", range(6))
def test_all_pairs_against_networkx(seed: int) -> None:
    rng = np.random.default_rng(300 + seed)
    g = _random_graph(rng, 30, 50, dag=seed % 3 == 0, integral=seed % 2 == 0)
    weighted = all_pairs(g)
    simple = _simple(g, "min")
    expected = {
        (s, t): d for s, row in nx.all_pairs_dijkstra_path_length(simple) for t, d in row.items()
    }
    got = _pairs(weighted)
    assert got.keys() == expected.keys()
    assert all(abs(got[k] - expected[k]) <= 1e-9 for k in got)
    batched = _delta_torch(g)  # the GPU back end, run here on the CPU
    assert _pairs(batched).keys() == got.keys()
    assert all(abs(_pairs(batched)[k] - got[k]) <= 1e-9 for k in got)
    assert np.lexsort((weighted.target, weighted.source)).tolist() == list(range(len(got)))
    unweighted = Graph(g.indptr, g.indices, None, g.node_ids)
    hops = {
        (s, t): float(d)
        for s, row in nx.all_pairs_shortest_path_length(simple)
        for t, d in row.items()
        if s != t
    }
    for found in (all_pairs(unweighted), _bfs_torch(unweighted), _scipy(unweighted, False)):
        assert _pairs(found) == hops


def test_all_pairs_memory_and_errors() -> None:
    assert all_pairs_bytes(0) == 0
    assert all_pairs_bytes(100) >= 24 * 100 * 100
    with pytest.raises(ParameterError):
        all_pairs_bytes(-1)
    with pytest.raises(ParameterError):
        all_pairs(Graph.from_edges([0], [1], [-1.0]))
    isolated = all_pairs(Graph.from_edges([], [], num_nodes=2))
    assert isolated.source.size == 0
