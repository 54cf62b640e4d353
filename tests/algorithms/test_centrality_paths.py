"""Betweenness, closeness and harmonic centrality.

Oracles: NetworkX's betweenness_centrality (normalized=False), betweenness_centrality_subset,
closeness_centrality on the reversed graph and harmonic_centrality / (N - 1), all to 1e-6;
hand-counted shortest paths for parallel relationships.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import torch

import neo4j_gml
from neo4j_gml.algorithms.centrality.betweenness import betweenness_centrality, sample_sources
from neo4j_gml.algorithms.centrality.closeness import closeness_centrality, harmonic_centrality
from neo4j_gml.core.errors import ConfigError, ParameterError
from neo4j_gml.core.graph import Graph

TOL = 1e-6


def random_graph(orientation: str, weighted: bool, seed: int = 1, n: int = 60, m: int = 110):
    """A sparse random graph (several components), integer weights, a few self-loops."""
    rng = np.random.default_rng(seed)
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    w = rng.integers(1, 4, m).astype(float) if weighted else None
    g = Graph.from_edges(src, dst, w, num_nodes=n, orientation=orientation, aggregation="MIN")
    return g, g.to_networkx()


def as_array(d: dict, n: int) -> np.ndarray:
    return np.array([d[i] for i in range(n)])


@pytest.mark.parametrize("orientation", ["NATURAL", "UNDIRECTED"])
@pytest.mark.parametrize("weighted", [False, True])
def test_betweenness_matches_networkx(orientation, weighted):
    g, nxg = random_graph(orientation, weighted)
    ours = betweenness_centrality(g, weighted=weighted).numpy()
    oracle = nx.betweenness_centrality(nxg, normalized=False, weight="weight" if weighted else None)
    assert np.allclose(ours, as_array(oracle, g.num_nodes), atol=TOL)


def test_betweenness_parallel_relationships_are_distinct_paths():
    # 0 => 1 twice, 1 -> 2, 0 -> 3 -> 2: two of the three shortest 0-2 paths pass 1
    g = Graph.from_edges([0, 0, 1, 0, 3], [1, 1, 2, 3, 2])
    assert np.allclose(betweenness_centrality(g).numpy(), [0, 2 / 3, 0, 1 / 3], atol=1e-12)
    gw = Graph.from_edges([0, 0, 1, 0, 3], [1, 1, 2, 3, 2], [1.0, 1.0, 2.0, 2.0, 1.0])
    got = betweenness_centrality(gw, weighted=True).numpy()
    assert np.allclose(got, [0, 2 / 3, 0, 1 / 3], atol=1e-12)


def test_betweenness_sampling_sums_over_sampled_sources():
    g, nxg = random_graph("NATURAL", False, seed=4)
    chosen = sample_sources(g, 10, 42)
    assert chosen.unique().numel() == 10
    assert torch.equal(chosen, sample_sources(g, 10, 42))
    # degree-biased: nodes of the largest degree are always taken, in position order, and a
    # node without out-relationships is only drawn to fill a shortfall
    cycle = Graph.from_edges([0, 1, 2, 3], [1, 2, 3, 0], num_nodes=8)
    for seed in range(5):
        assert sample_sources(cycle, 3, seed).tolist() == [0, 1, 2]
        assert set(sample_sources(cycle, 6, seed).tolist()) >= {0, 1, 2, 3}
    ours = neo4j_gml.run(
        "betweenness", "stream", {"samplingSize": 10, "samplingSeed": 42}, graph=g
    )["score"].to_numpy()
    oracle = nx.betweenness_centrality_subset(
        nxg, sources=chosen.tolist(), targets=list(nxg), normalized=False
    )
    assert np.allclose(ours, as_array(oracle, g.num_nodes), atol=TOL)
    full = betweenness_centrality(g, sampling_size=g.num_nodes + 5, sampling_seed=1)
    assert torch.allclose(full, betweenness_centrality(g))


def test_betweenness_bad_weights_and_empty():
    for bad in (float("nan"), -1.0, 0.0):
        g = Graph.from_edges([0, 1], [1, 2], [1.0, bad])
        with pytest.raises(ParameterError, match="weights"):  # the algorithm names its input
            betweenness_centrality(g, weighted=True)
        with pytest.raises(ConfigError, match="relationshipWeightProperty"):  # the procedure: key
            neo4j_gml.run("betweenness", "stream", {"relationshipWeightProperty": "w"}, graph=g)
    empty = Graph.from_edges([], [], num_nodes=0)
    assert betweenness_centrality(empty).numel() == 0
    assert len(neo4j_gml.run("betweenness", "stream", {}, graph=empty)) == 0


@pytest.mark.parametrize("orientation", ["NATURAL", "UNDIRECTED"])
def test_closeness_and_harmonic_match_networkx(orientation):
    g, nxg = random_graph(orientation, False, seed=7, m=90)
    reversed_g = nxg.reverse() if nxg.is_directed() else nxg
    n = g.num_nodes
    for wf in (False, True):
        oracle = nx.closeness_centrality(reversed_g, wf_improved=wf)
        got = closeness_centrality(g, use_wasserman_faust=wf).numpy()
        assert np.allclose(got, as_array(oracle, n), atol=TOL)
    oracle = as_array(nx.harmonic_centrality(reversed_g), n) / (n - 1)
    assert np.allclose(harmonic_centrality(g).numpy(), oracle, atol=TOL)


def test_closeness_registry_edge_cases():
    chain = Graph.from_edges([0, 1, 1], [1, 2, 2], node_ids=[5, 6, 7])  # parallel 1 -> 2
    frame = neo4j_gml.run("closeness", "stream", {"useWassermanFaust": True}, graph=chain)
    assert np.allclose(frame["score"], [2 / 3, 1.0 * 0.5, 0.0])
    frame = neo4j_gml.run("closeness.harmonic", "stream", {}, graph=chain)
    assert np.allclose(frame["score"], [(1 + 0.5) / 2, 0.5, 0.0])
    single = Graph.from_edges([0], [0])  # one node with a self-loop
    assert closeness_centrality(single).tolist() == [0.0]
    assert harmonic_centrality(single).tolist() == [0.0]
    empty = Graph.from_edges([], [], num_nodes=0)
    assert closeness_centrality(empty).numel() == 0
    with pytest.raises(ConfigError, match="relationshipWeightProperty"):
        neo4j_gml.run("closeness", "stream", {"relationshipWeightProperty": "w"}, graph=chain)
