"""Subgraph counts and edge orbits against brute force on small random graphs: every node set
of the pattern's size (NetworkX isomorphism for induced and non-induced copies), every map of
the pattern's nodes for rooted homomorphisms; exact equality."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest

import neo4j_gml
from neo4j_gml.algorithms.graphlets.edge_orbits import edge_orbit_of, edge_orbits
from neo4j_gml.algorithms.graphlets.subgraphs import (
    PATTERNS,
    relationship_subgraph_counts,
    subgraph_counts,
)
from neo4j_gml.core.errors import ConfigError, ParameterError
from neo4j_gml.core.graph import Graph

SHAPES = {
    "PATH3": nx.path_graph(3),
    "TRIANGLE": nx.complete_graph(3),
    "PATH4": nx.path_graph(4),
    "STAR3": nx.star_graph(3),
    "CYCLE4": nx.cycle_graph(4),
    "PAW": nx.Graph([(0, 1), (1, 2), (0, 2), (2, 3)]),
    "DIAMOND": nx.Graph([(0, 1), (1, 2), (0, 2), (1, 3), (2, 3)]),
    "CLIQUE4": nx.complete_graph(4),
}
#: the node of each shape a rooted homomorphism sends to the counted node
ROOTS = {"PAW": 2, "DIAMOND": 1}


def brute_force(graph: nx.Graph, n: int, name: str) -> dict[str, np.ndarray]:
    shape = SHAPES[name]
    k, e = shape.number_of_nodes(), shape.number_of_edges()
    edges = sorted(tuple(sorted(x)) for x in graph.edges())
    at = {x: i for i, x in enumerate(edges)}
    out = {key: np.zeros(n if key.startswith("node") else len(edges), dtype=np.int64)
           for key in ("node SUBGRAPH", "node INDUCED", "node HOMOMORPHISM",
                       "edge SUBGRAPH", "edge INDUCED")}  # fmt: skip
    for nodes in itertools.combinations(range(n), k):
        sub = graph.subgraph(nodes)
        if nx.is_isomorphic(sub, shape):
            out["node INDUCED"][list(nodes)] += 1
            for x in sub.edges():
                out["edge INDUCED"][at[tuple(sorted(x))]] += 1
        for chosen in itertools.combinations(list(sub.edges()), e):
            copy = nx.Graph(list(chosen))
            if copy.number_of_nodes() == k and nx.is_isomorphic(copy, shape):
                out["node SUBGRAPH"][list(nodes)] += 1
                for x in chosen:
                    out["edge SUBGRAPH"][at[tuple(sorted(x))]] += 1
    root = ROOTS.get(name, 0)
    for image in itertools.product(range(n), repeat=k):
        if all(graph.has_edge(image[a], image[b]) for a, b in shape.edges()):
            out["node HOMOMORPHISM"][image[root]] += 1
    return out


@pytest.mark.parametrize("seed", range(4))
def test_every_pattern_and_count_type_equals_brute_force(seed: int, device: str) -> None:
    n = 8
    oracle = nx.gnp_random_graph(n, [0.3, 0.5, 0.7, 0.9][seed], seed=seed)
    edges = np.array(oracle.edges(), dtype=np.int64).reshape(-1, 2)
    graph = Graph.from_edges(edges[:, 0], edges[:, 1], num_nodes=n).to(device)
    for name in PATTERNS:
        want = brute_force(oracle, n, name)
        for count_type in ("SUBGRAPH", "INDUCED", "HOMOMORPHISM"):
            got = subgraph_counts(graph, name, count_type)
            assert got.device.type == device
            np.testing.assert_array_equal(got.cpu().numpy(), want[f"node {count_type}"],
                                          err_msg=f"{name} {count_type}")  # fmt: skip
        for count_type in ("SUBGRAPH", "INDUCED"):
            _, _, got = relationship_subgraph_counts(graph, name, count_type)
            np.testing.assert_array_equal(got.cpu().numpy(), want[f"edge {count_type}"],
                                          err_msg=f"{name} {count_type} per edge")  # fmt: skip


def _edge_brute_force(graph: nx.Graph, n: int) -> np.ndarray:
    edges = sorted(tuple(sorted(x)) for x in graph.edges())
    at = {x: i for i, x in enumerate(edges)}
    out = np.zeros((len(edges), 13), dtype=np.int64)
    for k in (2, 3, 4):
        for nodes in itertools.combinations(range(n), k):
            index = {x: i for i, x in enumerate(nodes)}
            sub = graph.subgraph(nodes)
            local = [tuple(sorted((index[a], index[b]))) for a, b in sub.edges()]
            for a, b in sub.edges():
                orbit = edge_orbit_of(local, k, tuple(sorted((index[a], index[b]))))
                if orbit is not None:
                    out[at[tuple(sorted((a, b)))], orbit] += 1
    return out


@pytest.mark.parametrize("seed", range(5))
def test_edge_orbits_equal_brute_force(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from neo4j_gml.algorithms.community import triangles

    if seed == 4:  # every chunked loop split
        from neo4j_gml.algorithms.graphlets import local

        monkeypatch.setattr(triangles, "WEDGE_CHUNK", 2)
        monkeypatch.setattr(local, "BLOCK_ENTRIES", 1)
    n = 12
    oracle = nx.gnp_random_graph(n, [0.2, 0.4, 0.6, 0.85, 0.5][seed], seed=seed)
    edges = np.array(oracle.edges(), dtype=np.int64).reshape(-1, 2)
    u, v, counts = edge_orbits(Graph.from_edges(edges[:, 0], edges[:, 1], num_nodes=n))
    assert list(zip(u.tolist(), v.tolist(), strict=True)) == sorted(
        tuple(sorted(x)) for x in oracle.edges()
    )
    np.testing.assert_array_equal(counts.numpy(), _edge_brute_force(oracle, n))


def test_the_procedures() -> None:
    oracle = nx.gnp_random_graph(9, 0.5, seed=7)
    edges = np.array(oracle.edges(), dtype=np.int64)
    graph = Graph.from_edges(edges[:, 0], edges[:, 1], num_nodes=9, node_ids=np.arange(9) + 50,
                             orientation="UNDIRECTED")  # fmt: skip
    want = brute_force(oracle, 9, "DIAMOND")
    frame = neo4j_gml.run("subgraphCount", "stream", {"pattern": "diamond"}, graph=graph)
    assert list(frame.columns) == ["nodeId", "count"]
    np.testing.assert_array_equal(frame["count"].to_numpy(), want["node SUBGRAPH"])
    stats = neo4j_gml.run("subgraphCount", "stats", {"pattern": "DIAMOND", "countType": "INDUCED"},
                          graph=graph)  # fmt: skip
    assert stats["globalCount"] == want["node INDUCED"].sum() // 4
    pairs = neo4j_gml.run("subgraphCount.relationships", "stream", {"pattern": "DIAMOND"},
                          graph=graph)  # fmt: skip
    assert list(pairs.columns) == ["node1", "node2", "count"]
    assert len(pairs) == oracle.number_of_edges() and (pairs["node1"] < pairs["node2"]).all()
    np.testing.assert_array_equal(pairs["count"].to_numpy(), want["edge SUBGRAPH"])
    for config, key in (
        ({"pattern": "PENTAGON"}, "pattern"),
        ({}, "pattern"),
        ({"pattern": "TRIANGLE", "countType": "WALKS"}, "countType"),
    ):
        with pytest.raises(ConfigError, match=key):
            neo4j_gml.run("subgraphCount", "stream", config, graph=graph)
    with pytest.raises(ConfigError, match="countType"):
        neo4j_gml.run("subgraphCount.relationships", "stream",
                      {"pattern": "TRIANGLE", "countType": "HOMOMORPHISM"}, graph=graph)  # fmt: skip
    with pytest.raises(ParameterError, match="pattern"):
        subgraph_counts(graph, "SQUARE")


def test_empty_graphs() -> None:
    empty = Graph.from_edges([], [], num_nodes=0)
    assert subgraph_counts(empty, "TRIANGLE").shape == (0,)
    lonely = Graph.from_edges([], [], num_nodes=4)
    assert subgraph_counts(lonely, "CYCLE4", "HOMOMORPHISM").tolist() == [0, 0, 0, 0]
    assert relationship_subgraph_counts(lonely, "PAW")[2].shape == (0,)
    assert edge_orbits(lonely)[2].shape == (0, 13)
