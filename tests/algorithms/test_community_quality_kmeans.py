"""modularity / conductance of a given partition (oracles: nx.community.modularity,
nx.conductance) and k-means (oracle: the known blobs)."""

from __future__ import annotations

import math

import networkx as nx
import pytest
import torch

import neo4j_gml
from neo4j_gml.algorithms.community.kmeans import kmeans
from neo4j_gml.algorithms.community.metrics import nmi
from neo4j_gml.algorithms.community.partition_quality import (
    conductance_per_community,
    modularity_per_community,
)
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph


def weighted_planted(seed: int = 0) -> tuple[Graph, nx.Graph, torch.Tensor]:
    g = nx.planted_partition_graph(4, 15, 0.5, 0.05, seed=seed)
    gen = torch.Generator().manual_seed(seed)
    for u, v in g.edges():
        g[u][v]["weight"] = float(torch.randint(1, 5, (1,), generator=gen))
    src, dst, w = zip(*[(u, v, d["weight"]) for u, v, d in g.edges(data=True)], strict=True)
    labels = torch.tensor([float(u // 15) for u in range(60)])
    graph = Graph.from_edges(
        src, dst, w, num_nodes=60, orientation="UNDIRECTED", node_properties={"c": labels}
    )
    return graph, g, labels


@pytest.mark.parametrize("weighted", [False, True])
def test_modularity_matches_networkx(weighted):
    graph, g, labels = weighted_planted(1)
    ids, terms, total = modularity_per_community(graph, labels, weighted=weighted)
    blocks = [set(range(15 * b, 15 * b + 15)) for b in range(4)]
    want = nx.community.modularity(g, blocks, weight="weight" if weighted else None)
    assert ids.tolist() == [0, 1, 2, 3]
    assert total == pytest.approx(want, abs=1e-12)
    # each term is the single-community sum of nx's formula
    m = g.size(weight="weight" if weighted else None)
    for c, term in zip(ids.tolist(), terms.tolist(), strict=True):
        sub = g.subgraph(blocks[c]).size(weight="weight" if weighted else None)
        vol = sum(d for _, d in g.degree(blocks[c], weight="weight" if weighted else None))
        assert term == pytest.approx(sub / m - (vol / (2 * m)) ** 2, abs=1e-12)


def test_modularity_registry_and_missing_labels():
    graph, g, labels = weighted_planted(2)
    frame = neo4j_gml.run("modularity", "stream", {"communityProperty": "c"}, graph=graph)
    assert list(frame.columns) == ["communityId", "modularity"]
    blocks = [set(range(15 * b, 15 * b + 15)) for b in range(4)]
    assert frame["modularity"].sum() == pytest.approx(
        nx.community.modularity(g, blocks, weight=None)
    )
    stats = neo4j_gml.run(
        "modularity",
        "stats",
        {"communityProperty": "c", "relationshipWeightProperty": "w"},
        graph=graph,
    )
    want = nx.community.modularity(g, blocks, weight="weight")
    assert stats["modularity"] == pytest.approx(want) and stats["communityCount"] == 4
    with pytest.raises(ConfigError, match="communityProperty"):
        neo4j_gml.run("modularity", "stream", {}, graph=graph)
    # nodes without a community value are left out with their relationships
    holes = labels.clone()
    holes[:15] = math.nan
    ids, _, total = modularity_per_community(graph, holes)
    rest = g.subgraph(range(15, 60))
    assert ids.tolist() == [1, 2, 3]
    assert total == pytest.approx(nx.community.modularity(rest, blocks[1:], weight=None), abs=1e-12)


@pytest.mark.parametrize("weighted", [False, True])
def test_conductance_matches_networkx(weighted):
    graph, g, labels = weighted_planted(3)
    ids, values = conductance_per_community(graph, labels, weighted=weighted)
    assert ids.tolist() == [0, 1, 2, 3]
    for c, value in zip(ids.tolist(), values.tolist(), strict=True):
        block = set(range(15 * c, 15 * c + 15))  # a quarter of the volume: nx's min is vol(S)
        want = nx.conductance(g, block, weight="weight" if weighted else None)
        assert value == pytest.approx(want, abs=1e-12)


def test_conductance_registry_and_empty():
    graph, g, _ = weighted_planted(4)
    frame = neo4j_gml.run("conductance", "stream", {"communityProperty": "c"}, graph=graph)
    assert list(frame.columns) == ["community", "conductance"]
    want = [nx.conductance(g, set(range(15 * c, 15 * c + 15)), weight=None) for c in range(4)]
    assert frame["conductance"].tolist() == pytest.approx(want)
    stats = neo4j_gml.run("conductance", "stats", {"communityProperty": "c"}, graph=graph)
    assert stats["averageConductance"] == pytest.approx(sum(want) / 4)
    empty = Graph.from_edges([], [], num_nodes=0, node_properties={"c": torch.zeros(0)})
    assert len(neo4j_gml.run("conductance", "stream", {"communityProperty": "c"}, graph=empty)) == 0
    assert len(neo4j_gml.run("modularity", "stream", {"communityProperty": "c"}, graph=empty)) == 0
    bad = Graph.from_edges([0], [1], [-2.0], num_nodes=2, node_properties={"c": torch.zeros(2)})
    with pytest.raises(ConfigError, match="relationshipWeightProperty"):
        neo4j_gml.run(
            "modularity",
            "stream",
            {"communityProperty": "c", "relationshipWeightProperty": "w"},
            graph=bad,
        )


def blobs(seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    centres = torch.tensor([[0.0, 0.0, 0.0], [10.0, 0.0, 0.0], [0.0, 10.0, 5.0]])
    truth = torch.arange(3).repeat_interleave(50)
    x = centres[truth] + 0.5 * torch.randn(150, 3, generator=gen, dtype=torch.float64)
    return x, truth


@pytest.mark.parametrize("sampler", ["uniform", "kmeans++"])
def test_kmeans_recovers_blobs(sampler):
    x, truth = blobs()
    found = kmeans(x, k=3, sampler=sampler, number_of_restarts=5, random_seed=1, delta_threshold=0)
    assert nmi(found.communities, truth) == pytest.approx(1.0)
    # centroids are the blob means and distances are to them
    for c in range(3):
        rows = x[found.communities == c]
        assert found.centroids[c].tolist() == pytest.approx(rows.mean(0).tolist(), abs=1e-9)
    expected = (x - found.centroids[found.communities]).norm(dim=1)
    assert torch.allclose(found.distances, expected)


def test_kmeans_edge_cases():
    assert kmeans(torch.zeros((0, 2))).communities.numel() == 0
    few = kmeans(torch.tensor([[0.0], [1.0]]), k=5)  # k above n is reduced to n
    assert sorted(few.communities.tolist()) == [0, 1]
    same = kmeans(torch.ones((4, 2)), k=2, sampler="kmeans++")
    assert same.distances.tolist() == [0.0] * 4


def test_kmeans_registry():
    x, truth = blobs(3)
    graph = Graph.from_edges([], [], num_nodes=150, node_properties={"f": x})
    cfg = {"nodeProperty": "f", "k": 3, "randomSeed": 4, "initialSampler": "kmeans++"}
    frame = neo4j_gml.run("kmeans", "stream", cfg, graph=graph)
    assert list(frame.columns) == ["nodeId", "communityId", "distanceFromCentroid"]
    assert nmi(frame["communityId"].tolist(), truth) == pytest.approx(1.0)
    stats = neo4j_gml.run("kmeans", "stats", cfg, graph=graph)
    assert stats["communityCount"] == 3 and len(stats["centroids"]) == 3
    assert stats["averageDistanceToCentroid"] == pytest.approx(
        float(frame["distanceFromCentroid"].mean())
    )
    with pytest.raises(ConfigError, match="initialSampler"):
        neo4j_gml.run("kmeans", "stream", {**cfg, "initialSampler": "best"}, graph=graph)
