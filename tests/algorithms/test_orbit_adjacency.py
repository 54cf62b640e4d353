"""Orbit adjacencies (all 28 matrices) against brute force over every node set of 2 to 4
nodes; the procedures' keys and refusals; the PPMI-SVD embeddings (GOPMI, RWPMI)."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest
import torch

import neo4j_gml
from neo4j_gml.algorithms.graphlets.orbit_adjacency import (
    KEYS,
    PAIR_CONTAINS4,
    orbit_adjacency,
    pair_key_of,
)
from neo4j_gml.algorithms.graphlets.orbit_embedding import ppmi_embedding, random_walk_matrix
from neo4j_gml.core.errors import ConfigError, ParameterError
from neo4j_gml.core.graph import Graph


def brute_force(graph: nx.Graph, n: int) -> np.ndarray:
    out = np.zeros((len(KEYS), n, n), dtype=np.int64)
    for k in (2, 3, 4):
        for nodes in itertools.combinations(range(n), k):
            index = {x: i for i, x in enumerate(nodes)}
            edges = [(index[a], index[b]) for a, b in graph.subgraph(nodes).edges()]
            for x, y in itertools.permutations(nodes, 2):
                key = pair_key_of(edges, k, (index[x], index[y]))
                if key is not None:
                    out[key, x, y] += 1
    return out


def test_the_28_keys() -> None:
    assert len(KEYS) == 28 and len(set(KEYS)) == 28
    mirrored = [k for k in KEYS if k[1] != k[2]]
    assert all((h, b, a) in KEYS for h, a, b in mirrored) and len(mirrored) == 16
    assert PAIR_CONTAINS4.shape == (23, 23) and (np.diag(PAIR_CONTAINS4) == 1).all()
    # the ends of a 4-path are 3 apart; a 4-cycle's opposite nodes 2
    assert KEYS[pair_key_of([(0, 1), (1, 2), (2, 3)], 4, (3, 0))] == (3, 4, 4)
    assert KEYS[pair_key_of([(0, 1), (1, 2), (2, 3), (3, 0)], 4, (0, 2))] == (2, 8, 8)
    assert pair_key_of([(0, 1)], 3, (0, 2)) is None


@pytest.mark.parametrize("seed", range(6))
def test_all_matrices_equal_brute_force(
    seed: int, device: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if seed >= 4:  # the sparse merge (as for large graphs) and every chunked loop split
        from neo4j_gml.algorithms.community import triangles
        from neo4j_gml.algorithms.graphlets import local as local_module
        from neo4j_gml.algorithms.graphlets import orbit_adjacency as module

        monkeypatch.setattr(module, "_DENSE_PAIRS", 0)
        monkeypatch.setattr(local_module, "BLOCK_ENTRIES", 1)
        monkeypatch.setattr(triangles, "WEDGE_CHUNK", 5)
    n = 11
    oracle = nx.gnp_random_graph(n, [0.2, 0.35, 0.5, 0.7, 0.9, 0.3][seed], seed=seed)
    edges = np.array(oracle.edges(), dtype=np.int64).reshape(-1, 2)
    graph = Graph.from_edges(edges[:, 0], edges[:, 1], num_nodes=n).to(device)
    got = orbit_adjacency(graph)
    want = brute_force(oracle, n)
    for i, key in enumerate(KEYS):
        dense = got[key].to_dense().cpu().numpy()
        np.testing.assert_array_equal(dense, want[i], err_msg=str(key))
        h, a, b = key
        np.testing.assert_array_equal(dense.T, got[(h, b, a)].to_dense().cpu().numpy())


def test_row_sums_are_orbit_counts_times_partners() -> None:
    """Each graphlet with ``u`` on orbit ``o1`` has a fixed number of partners on ``o2`` at
    each distance: row sums of the matrices are orbit counts times that number."""
    from neo4j_gml.algorithms.graphlets.orbits import graphlet_orbits

    oracle = nx.gnp_random_graph(25, 0.3, seed=9)
    edges = np.array(oracle.edges(), dtype=np.int64)
    graph = Graph.from_edges(edges[:, 0], edges[:, 1], num_nodes=25)
    orbits = graphlet_orbits(graph).numpy()
    m = orbit_adjacency(graph)
    rows = {k: m[k].to_dense().numpy().sum(1) for k in KEYS}
    np.testing.assert_array_equal(rows[(1, 12, 13)], 2 * orbits[:, 12])  # r: two nodes p, q
    np.testing.assert_array_equal(rows[(2, 12, 12)], orbits[:, 12])
    np.testing.assert_array_equal(rows[(1, 14, 14)], 3 * orbits[:, 14])
    np.testing.assert_array_equal(rows[(3, 4, 4)], orbits[:, 4])
    np.testing.assert_array_equal(rows[(1, 0, 0)], orbits[:, 0])


def test_the_procedures() -> None:
    oracle = nx.gnp_random_graph(10, 0.45, seed=4)
    edges = np.array(oracle.edges(), dtype=np.int64)
    graph = Graph.from_edges(edges[:, 0], edges[:, 1], num_nodes=10, node_ids=np.arange(10) + 7,
                             orientation="UNDIRECTED")  # fmt: skip
    want = brute_force(oracle, 10)
    pairs = neo4j_gml.run("orbitAdjacency", "stream", {"orbit1": 4, "orbit2": 5, "hop": 2},
                          graph=graph)  # fmt: skip
    expected = want[KEYS.index((2, 4, 5))]
    assert len(pairs) == int((expected > 0).sum())
    for row in pairs.itertuples():
        assert row.count == expected[row.node1 - 7, row.node2 - 7]
    same = neo4j_gml.run("orbitAdjacency", "stream", {"orbit1": 8, "orbit2": 8, "hop": 2},
                         graph=graph)  # fmt: skip
    assert (same["node1"] < same["node2"]).all()  # symmetric: each pair once
    assert same["count"].sum() == want[KEYS.index((2, 8, 8))].sum() / 2
    for config, match in (
        ({"orbit1": 4, "orbit2": 5}, "'hop' is needed"),
        ({"orbit1": 4, "orbit2": 5, "hop": 3}, "'hop' must be one of"),
        ({"orbit1": 3, "orbit2": 14}, "no graphlet holds orbits 3 and 14"),
        ({"orbit1": 15, "orbit2": 1}, "orbit1"),
    ):
        with pytest.raises(ConfigError, match=match):
            neo4j_gml.run("orbitAdjacency", "stream", config, graph=graph)
    frame = neo4j_gml.run("orbitEmbedding", "stream", {"embeddingDimension": 4, "randomSeed": 1},
                          graph=graph)  # fmt: skip
    assert np.stack(frame["embedding"].to_numpy()).shape == (10, 12)  # 3 adjacencies x 4
    again = neo4j_gml.run("orbitEmbedding", "stream", {"embeddingDimension": 4, "randomSeed": 1},
                          graph=graph)  # fmt: skip
    np.testing.assert_array_equal(np.stack(frame["embedding"]), np.stack(again["embedding"]))
    with pytest.raises(ConfigError, match="orbitAdjacencies"):
        neo4j_gml.run("orbitEmbedding", "stream", {"orbitAdjacencies": [[1, 4, 4]]}, graph=graph)
    with pytest.raises(ParameterError, match="keys"):
        orbit_adjacency(graph, [(2, 3, 3)])


def test_ppmi_embeddings_separate_two_communities() -> None:
    """Two 8-cliques joined by one edge: every node is closer (cosine) to its own clique."""
    g = nx.disjoint_union(nx.complete_graph(8), nx.complete_graph(8))
    g.add_edge(0, 8)
    edges = np.array(g.edges(), dtype=np.int64)
    graph = Graph.from_edges(edges[:, 0], edges[:, 1], num_nodes=16)
    for matrix in (orbit_adjacency(graph, [(1, 0, 0)])[(1, 0, 0)],
                   random_walk_matrix(graph, 3).to_sparse()):  # fmt: skip
        x = ppmi_embedding(matrix, 4).numpy()
        x = x / np.linalg.norm(x, axis=1, keepdims=True)
        sims = x @ x.T
        side = np.arange(16) // 8
        for i in range(16):
            own = sims[i][(side == side[i]) & (np.arange(16) != i)].min()
            other = sims[i][side != side[i]].max()
            assert own > other
    walks = random_walk_matrix(graph, 2).numpy()
    a = nx.to_numpy_array(g, nodelist=range(16))
    p = a / a.sum(1, keepdims=True)
    np.testing.assert_allclose(walks, (p + p @ p) / a.sum(1)[None, :], rtol=1e-12)
    with pytest.raises(ParameterError, match="dimension"):
        ppmi_embedding(matrix, 0)
    assert ppmi_embedding(torch.zeros(3, 3).to_sparse(), 2).abs().sum() == 0
