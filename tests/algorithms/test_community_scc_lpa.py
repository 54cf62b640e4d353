"""SCC (oracle: nx.strongly_connected_components) and label propagation (hand-checked graphs)."""

from __future__ import annotations

import math

import networkx as nx
import pytest
import torch

import neo4j_gml
from neo4j_gml.algorithms.community.label_propagation import label_propagation
from neo4j_gml.algorithms.community.scc import strongly_connected_components
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph


def partition(labels: list[int]) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for node, c in enumerate(labels):
        groups.setdefault(c, set()).add(node)
    return {frozenset(g) for g in groups.values()}


def graph_of_digraph(g: nx.DiGraph) -> Graph:
    src, dst = zip(*g.edges(), strict=True) if g.number_of_edges() else ([], [])
    return Graph.from_edges(src, dst, num_nodes=g.number_of_nodes())


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("backend", ["torch", "scipy"])
def test_scc_matches_networkx(seed, backend):
    g = nx.gnp_random_graph(300, 0.006, seed=seed, directed=True)
    g.add_edges_from([(5, 5), (7, 8), (7, 8)])  # a self-loop and a parallel arc
    want = {frozenset(c) for c in nx.strongly_connected_components(g)}
    src, dst = zip(*g.edges(), strict=True)
    graph = Graph.from_edges(list(src) + [7], list(dst) + [8], num_nodes=300)
    got = strongly_connected_components(graph, backend=backend).tolist()
    assert partition(got) == want


def test_scc_long_cycle_and_chain_torch():
    # a 50-cycle feeding a 30-chain: one big component and 30 singletons
    g = nx.DiGraph([(i, (i + 1) % 50) for i in range(50)] + [(49 + i, 50 + i) for i in range(30)])
    got = strongly_connected_components(graph_of_digraph(g), backend="torch").tolist()
    assert partition(got) == {frozenset(c) for c in nx.strongly_connected_components(g)}


def test_scc_empty_and_registry():
    empty = Graph.from_edges([], [], num_nodes=0)
    assert strongly_connected_components(empty, backend="torch").numel() == 0
    assert len(neo4j_gml.run("scc", "stream", {}, graph=empty)) == 0
    g = nx.DiGraph([(0, 1), (1, 0), (1, 2), (3, 3)])
    frame = neo4j_gml.run("scc", "stream", {"consecutiveIds": True}, graph=graph_of_digraph(g))
    assert list(frame.columns) == ["nodeId", "componentId"]
    assert partition(frame["componentId"].tolist()) == {
        frozenset({0, 1}),
        frozenset({2}),
        frozenset({3}),
    }
    assert sorted(set(frame["componentId"])) == [0, 1, 2]
    stats = neo4j_gml.run("scc", "stats", {}, graph=graph_of_digraph(g))
    assert stats["componentCount"] == 3


def two_cliques(k: int = 5) -> Graph:
    edges = [(a, b) for a in range(k) for b in range(a + 1, k)]
    edges += [(a + k, b + k) for a, b in edges] + [(0, k)]
    src, dst = zip(*edges, strict=True)
    return Graph.from_edges(src, dst, num_nodes=2 * k, orientation="UNDIRECTED")


def test_lpa_two_cliques():
    labels, ran, converged = label_propagation(two_cliques())
    # hand-derived: round 1 gives [1, 0, 0, 0, 0 | 0, 5, 5, 5, 5] (smallest tied label); from
    # there every node's majority is its clique's smallest id
    assert labels.tolist() == [0] * 5 + [5] * 5
    assert converged and ran >= 2
    first, _, _ = label_propagation(two_cliques(), max_iterations=1)
    assert first.tolist() == [1, 0, 0, 0, 0, 0, 5, 5, 5, 5]


def test_lpa_tie_break_keeps_current_label():
    # a path 0-1-2: node 1 sees labels 0 and 2 once each, takes the smaller (0); 0 sees 1 ...
    graph = Graph.from_edges([0, 1], [1, 2], num_nodes=3, orientation="UNDIRECTED")
    labels, _, _ = label_propagation(graph, max_iterations=1)
    assert labels.tolist() == [1, 0, 1]


def test_lpa_weights_and_seeds():
    # node 2 links to 0 (weight 1) and 1 (weight 5): weighted it takes 1's label
    graph = Graph.from_edges([2, 2], [0, 1], [1.0, 5.0], num_nodes=3)
    assert label_propagation(graph, weighted=True, max_iterations=1)[0].tolist() == [0, 1, 1]
    assert label_propagation(graph, weighted=False, max_iterations=1)[0].tolist() == [0, 1, 0]
    seeds = torch.tensor([7.0, 9.0, math.nan])
    labels = label_propagation(graph, weighted=True, max_iterations=1, seeds=seeds)[0]
    assert labels.tolist() == [7, 9, 9]
    # node weights: 0 weighs 10, so its vote (1 * 10) beats 1's (5 * 1)
    nw = torch.tensor([10.0, 1.0, 1.0])
    got = label_propagation(graph, weighted=True, max_iterations=1, node_weights=nw)[0]
    assert got.tolist() == [0, 1, 0]


def test_lpa_registry():
    frame = neo4j_gml.run("labelPropagation", "stream", {}, graph=two_cliques())
    assert frame["communityId"].tolist() == [0] * 5 + [5] * 5
    stats = neo4j_gml.run("labelPropagation", "stats", {}, graph=two_cliques())
    assert stats["communityCount"] == 2 and stats["didConverge"]
    assert len(neo4j_gml.run("labelPropagation", "stream", {}, graph=Graph.from_edges([], []))) == 0
    bad = Graph.from_edges([0], [1], [math.nan], num_nodes=2)
    with pytest.raises(ConfigError, match="relationshipWeightProperty"):
        neo4j_gml.run("labelPropagation", "stream", {"relationshipWeightProperty": "w"}, graph=bad)


def test_lpa_self_loops_parallel_and_disconnected():
    # a self-loop votes for the node's own label; parallel relationships vote twice
    graph = Graph.from_edges(
        [0, 0, 0, 1, 3], [0, 1, 2, 2, 4], num_nodes=6, orientation="UNDIRECTED"
    )
    labels, _, converged = label_propagation(graph, max_iterations=20)
    assert converged
    assert len(set(labels[:3].tolist())) == 1 and len(set(labels[3:5].tolist())) == 1
    assert labels[5] == 5  # an isolated node keeps its own label
    assert len({int(labels[0]), int(labels[3]), int(labels[5])}) == 3
    # node 2 links to 0 once and to 1 by two parallel relationships: it takes 1's label
    parallel = Graph.from_edges([2, 2, 2], [0, 1, 1], num_nodes=3)
    assert label_propagation(parallel, max_iterations=1)[0].tolist() == [0, 1, 1]


def test_wcc_consecutive_ids():
    graph = Graph.from_edges(
        [0, 2, 5], [1, 3, 6], num_nodes=7, node_ids=[10, 11, 12, 13, 14, 15, 16]
    )
    frame = neo4j_gml.run("wcc", "stream", {"consecutiveIds": True}, graph=graph)
    ids = frame["componentId"].tolist()
    assert sorted(set(ids)) == [0, 1, 2, 3]
    assert partition(ids) == {
        frozenset({0, 1}),
        frozenset({2, 3}),
        frozenset({4}),
        frozenset({5, 6}),
    }
    seeded = Graph.from_edges(
        [0], [1], num_nodes=2, node_properties={"s": torch.tensor([1.0, 2.0])}
    )
    with pytest.raises(ConfigError, match="consecutiveIds"):
        neo4j_gml.run("wcc", "stream", {"consecutiveIds": True, "seedProperty": "s"}, graph=seeded)


@pytest.mark.parametrize(
    ("name", "config", "match"),
    [
        ("wcc", {"consecutiveIds": True, "seedProperty": "s"}, "seedProperty"),
        (
            "louvain",
            {"consecutiveIds": True, "includeIntermediateCommunities": True},
            "consecutive",
        ),
        ("leiden", {"consecutiveIds": True, "includeIntermediateCommunities": True}, "consecutive"),
    ],
)
def test_cross_key_rules_fail_before_any_read(name, config, match):
    from neo4j_gml.procedures.registry import get

    with pytest.raises(ConfigError, match=match):
        get(name).validate(config, "stream")
