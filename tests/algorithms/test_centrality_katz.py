"""Katz centrality against NetworkX's ``katz_centrality`` (tolerance 1e-9 on the converged
scores: both stop at the same superstep of the same iteration)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

import neo4j_gml
from neo4j_gml.algorithms.centrality.katz import katz_centrality
from neo4j_gml.core.errors import ConfigError, ParameterError
from neo4j_gml.core.graph import Graph


def _random_graph(n: int, m: int, seed: int, weighted: bool) -> Graph:
    rng = np.random.default_rng(seed)
    pairs = np.unique(rng.integers(0, n, (m, 2)), axis=0)  # no parallel arcs: NetworkX's
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]  # DiGraph would merge them
    weights = rng.random(len(pairs)) + 0.5 if weighted else None
    return Graph.from_edges(pairs[:, 0], pairs[:, 1], weights, num_nodes=n)


def _oracle(graph: Graph, **kwargs: object) -> np.ndarray:
    nxg = graph.to_networkx()
    scores = nx.katz_centrality(nxg, **kwargs)
    return np.array([scores[i] for i in range(graph.num_nodes)])


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("normalized", [True, False])
def test_katz_matches_networkx(weighted: bool, normalized: bool) -> None:
    graph = _random_graph(300, 900, seed=4, weighted=weighted)
    ours = katz_centrality(graph, alpha=0.05, beta=1.0, normalized=normalized, weighted=weighted)
    expected = _oracle(
        graph, alpha=0.05, beta=1.0, normalized=normalized, weight="weight" if weighted else None
    )
    assert ours.did_converge
    np.testing.assert_allclose(ours.scores.numpy(), expected, rtol=1e-9, atol=1e-12)


def test_katz_undirected_and_the_procedure() -> None:
    karate = nx.karate_club_graph()
    edges = np.array(list(karate.edges()))
    graph = Graph.from_edges(edges[:, 0], edges[:, 1], num_nodes=34, orientation="UNDIRECTED")
    expected = nx.katz_centrality(karate, alpha=0.1, weight=None)
    frame = neo4j_gml.run("katz", "stream", {"alpha": 0.1}, graph=graph)
    ours = frame.set_index("nodeId")["score"].to_numpy()
    np.testing.assert_allclose(ours, [expected[i] for i in range(34)], rtol=1e-9)
    stats = neo4j_gml.run("katz", "stats", {"alpha": 0.1}, graph=graph)
    assert stats["didConverge"] is True and stats["ranIterations"] > 1


def test_katz_bad_parameters() -> None:
    graph = _random_graph(10, 20, seed=1, weighted=False)
    with pytest.raises(ParameterError, match="alpha"):
        katz_centrality(graph, alpha=0.0)
    with pytest.raises(ConfigError, match="config key 'alpha' must be above 0.0"):
        neo4j_gml.run("katz", "stream", {"alpha": 0.0}, graph=graph)
    # alpha above 1 / lambda_max: no convergence, reported, not an error
    result = katz_centrality(graph, alpha=5.0, max_iterations=30)
    assert not result.did_converge and result.ran_iterations == 30
