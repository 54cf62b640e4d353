"""Graphlet orbit counts against brute force: every 2-, 3- and 4-node subset of small random
graphs (NetworkX induced subgraphs), classified by :func:`orbit_of`, whose own rules are
checked on the nine graphlets; exact equality."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest

import neo4j_gml
from neo4j_gml.algorithms.graphlets.orbits import (
    CONTAINS4,
    GRAPHLET_OF_ORBIT,
    ORBIT_SIZES,
    graphlet_orbits,
    orbit_of,
)
from neo4j_gml.core.errors import ConfigError, ParameterError
from neo4j_gml.core.graph import Graph


def brute_force(graph: nx.Graph, n: int) -> np.ndarray:
    out = np.zeros((n, 15), dtype=np.int64)
    for k in (2, 3, 4):
        for nodes in itertools.combinations(range(n), k):
            index = {x: i for i, x in enumerate(nodes)}
            edges = [(index[a], index[b]) for a, b in graph.subgraph(nodes).edges()]
            for x in nodes:
                orbit = orbit_of(edges, k, index[x])
                if orbit is not None:
                    out[x, orbit] += 1
    return out


def _graph(edges: np.ndarray, n: int, **kw: object) -> Graph:
    return Graph.from_edges(edges[:, 0], edges[:, 1], num_nodes=n, **kw)


def test_orbit_rules_on_the_nine_graphlets() -> None:
    cases = {
        ((0, 1),): [0, 0],
        ((0, 1), (1, 2)): [1, 2, 1],
        ((0, 1), (1, 2), (0, 2)): [3, 3, 3],
        ((0, 1), (1, 2), (2, 3)): [4, 5, 5, 4],
        ((0, 1), (0, 2), (0, 3)): [7, 6, 6, 6],
        ((0, 1), (1, 2), (2, 3), (3, 0)): [8, 8, 8, 8],
        ((0, 1), (1, 2), (0, 2), (2, 3)): [10, 10, 11, 9],
        ((0, 1), (1, 2), (0, 2), (1, 3), (2, 3)): [12, 13, 13, 12],
        tuple(itertools.combinations(range(4), 2)): [14, 14, 14, 14],
    }
    for edges, orbits in cases.items():
        assert [orbit_of(edges, len(orbits), i) for i in range(len(orbits))] == orbits
    assert orbit_of([(0, 1), (2, 3)], 4, 0) is None  # not connected
    # a 4-clique holds 12 paths on 4 nodes seen from each node: 6 with it at an end (orbit 4)
    assert CONTAINS4[0, 10] == 6 and CONTAINS4[10, 10] == 1
    assert [ORBIT_SIZES[o] for o in (0, 3, 7, 8, 14)] == [2, 3, 1, 4, 4]
    assert GRAPHLET_OF_ORBIT[9:12] == [6, 6, 6]


@pytest.mark.parametrize("seed", range(8))
def test_orbit_counts_equal_brute_force(seed: int, device: str) -> None:
    n = 13
    density = [0.15, 0.3, 0.45, 0.6, 0.75, 0.9, 0.25, 0.5][seed]
    oracle = nx.gnp_random_graph(n, density, seed=seed)
    edges = np.array(oracle.edges(), dtype=np.int64).reshape(-1, 2)
    got = graphlet_orbits(_graph(edges, n).to(device))
    assert got.device.type == device
    np.testing.assert_array_equal(got.cpu().numpy(), brute_force(oracle, n))
    three = graphlet_orbits(_graph(edges, n).to(device), graphlet_size=3)
    np.testing.assert_array_equal(three.cpu().numpy(), got.cpu().numpy()[:, :4])


def test_hubs_and_cliques_and_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 7-clique, a star and a 5-cycle joined by bridges, checked with tiny work chunks (so
    every chunked loop splits), against brute force."""
    from neo4j_gml.algorithms.community import triangles
    from neo4j_gml.algorithms.graphlets import local

    oracle = nx.disjoint_union_all([nx.complete_graph(7), nx.star_graph(5), nx.cycle_graph(5)])
    oracle.add_edges_from([(0, 7), (8, 13), (6, 15)])
    n = oracle.number_of_nodes()
    edges = np.array(oracle.edges(), dtype=np.int64)
    monkeypatch.setattr(triangles, "WEDGE_CHUNK", 3)
    monkeypatch.setattr(local, "BLOCK_ENTRIES", 1)
    got = graphlet_orbits(_graph(edges, n))
    np.testing.assert_array_equal(got.numpy(), brute_force(oracle, n))
    assert got[0, 14] == 20  # C(6, 3) 4-cliques through each clique node


def test_directions_loops_and_parallel_relationships_are_ignored() -> None:
    oracle = nx.gnp_random_graph(11, 0.4, seed=3)
    edges = np.array(oracle.edges(), dtype=np.int64)
    messy = np.concatenate([edges, edges[:, ::-1], edges[:5], [[2, 2], [4, 4]]])
    got = graphlet_orbits(_graph(messy, 11))
    np.testing.assert_array_equal(got.numpy(), brute_force(oracle, 11))


def test_the_procedure_streams_lists_and_counts_graphlets() -> None:
    oracle = nx.gnp_random_graph(12, 0.4, seed=1)
    edges = np.array(oracle.edges(), dtype=np.int64)
    graph = Graph.from_edges(edges[:, 0], edges[:, 1], num_nodes=12, node_ids=np.arange(12) + 100,
                             orientation="UNDIRECTED")  # fmt: skip
    frame = neo4j_gml.run("graphletOrbits", "stream", {}, graph=graph)
    assert list(frame.columns) == ["nodeId", "orbitCounts"]
    assert frame["nodeId"].tolist() == list(range(100, 112))
    want = brute_force(oracle, 12)
    np.testing.assert_array_equal(np.stack(frame["orbitCounts"].to_numpy()), want)
    stats = neo4j_gml.run("graphletOrbits", "stats", {}, graph=graph)
    graphlets = {f"G{g}": 0 for g in range(9)}
    for nodes in itertools.chain.from_iterable(
        itertools.combinations(range(12), k) for k in (2, 3, 4)
    ):
        sub = oracle.subgraph(nodes)
        if nx.is_connected(sub):
            index = {x: i for i, x in enumerate(nodes)}
            orbit = orbit_of([(index[a], index[b]) for a, b in sub.edges()], len(nodes), 0)
            graphlets[f"G{GRAPHLET_OF_ORBIT[orbit]}"] += 1
    assert stats["graphletCounts"] == graphlets
    with pytest.raises(ConfigError, match="graphletSize"):
        neo4j_gml.run("graphletOrbits", "stream", {"graphletSize": 5}, graph=graph)
    with pytest.raises(ParameterError, match="graphlet_size"):
        graphlet_orbits(graph, graphlet_size=2)


def test_empty_and_edgeless_graphs() -> None:
    assert graphlet_orbits(Graph.from_edges([], [], num_nodes=0)).shape == (0, 15)
    lonely = graphlet_orbits(Graph.from_edges([], [], num_nodes=3))
    assert lonely.shape == (3, 15) and int(lonely.abs().sum()) == 0


def test_a_cancelled_call_stops_the_counting_loops() -> None:
    """The chunked loops every count shares (triangle listing, neighbourhood blocks, the
    critical-node row blocks) stop at the next chunk once the call is cancelled."""
    from neo4j_gml.algorithms.centrality.critical import critical_nodes
    from neo4j_gml.algorithms.graphlets.orbit_adjacency import orbit_adjacency
    from neo4j_gml.algorithms.graphlets.subgraphs import subgraph_counts
    from neo4j_gml.core.cancellation import Cancelled, CancelToken, active

    oracle = nx.gnp_random_graph(30, 0.3, seed=2)
    edges = np.array(oracle.edges(), dtype=np.int64)
    graph = _graph(edges, 30)
    token = CancelToken()
    token.cancel("test")
    for run in (
        lambda: graphlet_orbits(graph),
        lambda: subgraph_counts(graph, "CLIQUE4"),
        lambda: orbit_adjacency(graph, [(2, 12, 12)]),
        lambda: critical_nodes(graph, 3),
        lambda: critical_nodes(graph, 3, method="RWCS"),
    ):
        with active(token), pytest.raises(Cancelled):
            run()
