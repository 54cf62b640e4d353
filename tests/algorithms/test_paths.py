"""Dijkstra, BFS and DFS against NetworkX (the oracle) on random directed graphs with integer
weights (many equal-cost ties), parallel arcs, self-loops and unreachable nodes, and against
GDS's documentation examples.

Costs are compared exactly (integer weights are exact in float64). Among equal-cost paths any
one is correct, so each returned path is checked to exist and to cost what NetworkX says; the
settle order is checked to be non-decreasing in cost. BFS orders are compared exactly with
NetworkX built with each node's arcs in the same (ascending) order; DFS follows GDS's order
(see :func:`neo4j_gml.algorithms.paths.traverse.dfs`), checked by invariants and GDS's cases."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
import torch

from neo4j_gml.algorithms.paths.dijkstra import dijkstra, path_to
from neo4j_gml.algorithms.paths.traverse import bfs, dfs
from neo4j_gml.core.graph import Graph


def _random(seed: int, n: int = 60, m: int = 240) -> tuple[Graph, nx.DiGraph]:
    rng = np.random.default_rng(seed)
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    src[:5] = dst[:5]  # self-loops
    src[5:15], dst[5:15] = src[15:25], dst[15:25]  # parallel arcs
    weights = rng.integers(1, 4, m).astype(float)
    weights[:3] = 0.0  # zero-cost arcs
    graph = Graph.from_edges(src, dst, weights, num_nodes=n + 5)  # 5 isolated nodes
    oracle = nx.DiGraph()
    oracle.add_nodes_from(range(n + 5))
    for s, t, w in sorted(zip(src.tolist(), dst.tolist(), weights.tolist(), strict=True)):
        if oracle.has_edge(s, t):
            oracle[s][t]["weight"] = min(oracle[s][t]["weight"], w)
        else:
            oracle.add_edge(s, t, weight=w)
    return graph, oracle


def _arc_cost(graph: Graph, s: int, t: int) -> float:
    lo, hi = int(graph.indptr[s]), int(graph.indptr[s + 1])
    targets = graph.indices[lo:hi].numpy()
    assert graph.weights is not None
    return float(graph.weights[lo:hi].numpy()[targets == t].min())


@pytest.mark.parametrize("seed", range(6))
def test_dijkstra_costs_and_paths_match_networkx(seed: int) -> None:
    graph, oracle = _random(seed)
    for source in (0, 7, 61):
        found = dijkstra(graph, source)
        expected = nx.single_source_dijkstra_path_length(oracle, source)
        for v in range(graph.num_nodes):
            assert found.cost[v] == expected.get(v, math.inf), (source, v)
            route = path_to(found, v)
            if v not in expected:
                assert route is None and found.predecessor[v] == -1
                continue
            assert route is not None
            nodes, costs = route
            assert nodes[0] == source and nodes[-1] == v and costs[0] == 0.0
            steps = [_arc_cost(graph, a, b) for a, b in zip(nodes, nodes[1:], strict=False)]
            assert costs == list(np.cumsum([0.0, *steps]))
            assert costs[-1] == expected[v]
        settled = found.settled.tolist()
        assert settled[0] == source and sorted(settled) == sorted(expected)
        assert all(np.diff(found.cost[found.settled]) >= 0)


@pytest.mark.parametrize("seed", range(8))
def test_the_scipy_path_gives_the_heaps_answer(seed: int) -> None:
    """Positive weights take SciPy; the heap on the same graph must give the same costs,
    predecessors and settle order, ties included (weights 1 and 2: many equal costs)."""
    from neo4j_gml.algorithms.paths import dijkstra as module

    rng = np.random.default_rng(seed)
    n, m = 50, 300
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    graph = Graph.from_edges(src, dst, rng.integers(1, 3, m).astype(float), num_nodes=n + 3)
    for source in (0, 11):
        for targets in (None, [int(dst[5])]):
            fast = dijkstra(graph, source, targets=targets)
            assert graph.weights is not None
            slow = module._heap(
                graph.num_nodes,
                graph.indptr.numpy(),
                graph.indices.numpy(),
                graph.weights.numpy(),
                source,
                set(targets or ()),
            )
            assert fast.settled.tolist() == slow.settled.tolist()
            done = fast.settled
            assert fast.cost[done].tolist() == slow.cost[done].tolist()
            assert fast.predecessor[done].tolist() == slow.predecessor[done].tolist()


def test_dijkstra_stops_once_the_targets_settled() -> None:
    graph, oracle = _random(3)
    full = dijkstra(graph, 0)
    near = int(full.settled[3])
    early = dijkstra(graph, 0, targets=[near])
    assert early.settled.tolist() == full.settled[:4].tolist()
    assert early.cost[near] == nx.dijkstra_path_length(oracle, 0, near)


def test_dijkstra_refuses_negative_weights_and_bad_positions() -> None:
    graph = Graph.from_edges([0, 1], [1, 2], [1.0, -1.0])
    with pytest.raises(ValueError, match="non-negative"):
        dijkstra(graph, 0)
    with pytest.raises(ValueError, match="source 5"):
        dijkstra(Graph.from_edges([0], [1]), 5)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("depth", [None, 0, 1, 2])
def test_bfs_order_matches_networkx(seed: int, depth: int | None, device: str) -> None:
    graph, oracle = _random(seed)
    on = graph.to(device)
    for source in (0, 13, 62):
        expected = [source] + [v for _, v in nx.bfs_edges(oracle, source, depth_limit=depth)]
        assert bfs(on, source, max_depth=depth).tolist() == expected


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("seed", range(3))
def test_bfs_on_cuda_visits_in_the_cpu_order(seed: int) -> None:
    graph, _ = _random(seed, n=2000, m=20000)
    gpu = graph.to("cuda")
    for source in (0, 7):
        for targets in (None, [1500, 3]):
            assert (
                bfs(gpu, source, targets=targets).tolist()
                == bfs(graph, source, targets=targets).tolist()
            )


@pytest.mark.parametrize("seed", range(6))
def test_dfs_visits_what_networkx_reaches_each_after_a_visited_parent(seed: int) -> None:
    """GDS's DFS (marked on push) is not NetworkX's pre-order, so the oracle checks what any
    such traversal must satisfy: it visits exactly the nodes NetworkX reaches (within the
    depth), each once, and every node after some visited in-neighbour."""
    graph, oracle = _random(seed)
    for source in (0, 13, 62):
        for depth in (None, 1, 2):
            order = dfs(graph, source, max_depth=depth).tolist()
            within = nx.single_source_shortest_path_length(oracle, source, cutoff=depth)
            assert sorted(order) == sorted(within) and order[0] == source
            seen = {source}
            for v in order[1:]:
                assert any(u in seen for u in oracle.predecessors(v)), v
                seen.add(v)


# GDS's documentation graphs (bfs.adoc / dfs.adoc and dijkstra-*.adoc), positions A=0, B=1, ...
# The traversal orders are those GDS's code gives (its pages show them as pictures only).
TRAVERSAL = Graph.from_edges([0, 0, 1, 2], [1, 2, 4, 3])
ROADS = Graph.from_edges(
    [0, 0, 0, 1, 2, 2, 3, 3, 4],
    [1, 2, 3, 3, 3, 4, 4, 5, 5],
    [50.0, 50.0, 100.0, 40.0, 40.0, 80.0, 30.0, 80.0, 40.0],
)


def test_gds_documentation_traversals() -> None:
    a, b, c, d, e = range(5)
    assert bfs(TRAVERSAL, a).tolist() == [a, b, c, e, d]
    assert bfs(TRAVERSAL, a, targets=[d, e]).tolist() == [a, b, c, e]
    assert bfs(TRAVERSAL, a, max_depth=1).tolist() == [a, b, c]
    assert dfs(TRAVERSAL, a).tolist() == [a, c, d, b, e]
    assert dfs(TRAVERSAL, a, targets=[d, e]).tolist() == [a, c, d]
    assert dfs(TRAVERSAL, a, max_depth=1).tolist() == [a, c, b]


def test_gds_documentation_dijkstra() -> None:
    """The single-source table of dijkstra-single-source.adoc: rows in settle order, D via B
    (the first of two equal-cost predecessors), costs cumulative."""
    found = dijkstra(ROADS, 0)
    rows = [path_to(found, int(v)) for v in found.settled]
    names = "ABCDEF"
    assert [("".join(names[i] for i in r[0]), r[1][-1]) for r in rows if r] == [
        ("A", 0.0),
        ("AB", 50.0),
        ("AC", 50.0),
        ("ABD", 90.0),
        ("ABDE", 120.0),
        ("ABDEF", 160.0),
    ]
    assert path_to(found, 5) == ([0, 1, 3, 4, 5], [0.0, 50.0, 90.0, 120.0, 160.0])


@pytest.mark.parametrize("seed", range(4))
def test_a_traversal_stops_at_the_first_target_it_visits(seed: int) -> None:
    graph, _ = _random(seed)
    for walk in (bfs, dfs):
        full = walk(graph, 0).tolist()
        if len(full) < 4:
            continue
        targets = [full[-1], full[3]]
        assert walk(graph, 0, targets=targets).tolist() == full[:4]
        assert walk(graph, 0, targets=[0]).tolist() == [0]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("matrix", [True, False])
def test_streamed_paths_are_the_predecessor_walks(
    seed: int, matrix: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The procedure's rows (read off a matrix of ancestors, or built by sharing prefixes when
    that matrix would be too large) are exactly ``path_to`` of every settled node."""
    import neo4j_gml
    from neo4j_gml.procedures.families import paths as family

    if not matrix:
        monkeypatch.setattr(family, "_PATH_MATRIX_CELLS", 0)
    graph, _ = _random(seed)
    graph = Graph(graph.indptr, graph.indices, graph.weights, graph.node_ids + 1000)
    frame = neo4j_gml.run(
        "allShortestPaths.dijkstra",
        "stream",
        {"sourceNode": 1013, "relationshipWeightProperty": "w", "device": "cpu"},
        graph=graph,
    )
    found = dijkstra(graph, 13)
    assert frame["targetNode"].tolist() == (found.settled + 1000).tolist()
    for row in frame.itertuples():
        route = path_to(found, row.targetNode - 1000)
        assert route is not None
        assert row.nodeIds == [v + 1000 for v in route[0]] and row.costs == route[1]
        assert row.totalCost == route[1][-1]


def test_all_pairs_is_refused_by_the_memory_estimate_on_a_large_graph() -> None:
    """Every pair is a row: 300k nodes would need terabytes, so the call is refused before it
    computes anything, with the size it would need."""
    import neo4j_gml
    from neo4j_gml.core.errors import ConfigError

    n = 300_000
    line = Graph.from_edges(np.arange(n - 1), np.arange(1, n), num_nodes=n)
    with pytest.raises(ConfigError, match=r"gml.allShortestPaths needs about .* TiB"):
        neo4j_gml.run("allShortestPaths", "stream", {"device": "cpu"}, graph=line)
    small = neo4j_gml.run(
        "allShortestPaths",
        "stream",
        {"device": "cpu"},
        graph=Graph.from_edges([0, 1], [1, 2]),
    )
    assert small.values.tolist() == [[0, 1, 1.0], [0, 2, 2.0], [1, 2, 1.0]]
