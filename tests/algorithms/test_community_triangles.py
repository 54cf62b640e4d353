"""Triangle count and local clustering coefficient (oracles: nx.triangles, nx.clustering)."""

from __future__ import annotations

import networkx as nx
import pytest
import torch

import neo4j_gml
from neo4j_gml.algorithms.community import triangles as tri
from neo4j_gml.core.graph import Graph


def graph_and_nx(seed: int) -> tuple[Graph, nx.Graph]:
    g = nx.gnp_random_graph(120, 0.08, seed=seed)
    src, dst = [list(x) for x in zip(*g.edges(), strict=True)]
    # a self-loop and a parallel relationship do not change nx's simple-graph answer
    src += [3, 4]
    dst += [3, next(iter(g[4]))]
    graph = Graph.from_edges(src, dst, num_nodes=120, orientation="UNDIRECTED")
    return graph, g


@pytest.mark.parametrize("seed", [0, 1])
def test_triangles_match_networkx(seed, device):
    graph, g = graph_and_nx(seed)
    counts, total = tri.triangle_count(graph.to(device))
    want = nx.triangles(g)
    assert counts.device.type == device
    assert counts.tolist() == [want[i] for i in range(120)]
    assert total == sum(want.values()) // 3


def test_triangles_small_chunks(monkeypatch):
    graph, g = graph_and_nx(2)
    monkeypatch.setattr(tri, "WEDGE_CHUNK", 997)
    counts, _ = tri.triangle_count(graph)
    assert counts.tolist() == [nx.triangles(g)[i] for i in range(120)]


def test_triangles_directed_projection_counts_undirected():
    graph, g = graph_and_nx(3)
    src, dst = zip(*g.edges(), strict=True)
    directed = Graph.from_edges(dst, src, num_nodes=120)
    assert tri.triangle_count(directed)[0].tolist() == [nx.triangles(g)[i] for i in range(120)]


def test_max_degree_excludes_nodes():
    graph, g = graph_and_nx(4)
    limit = 10
    degree = graph.out_degree()
    heavy = [i for i in range(120) if degree[i] > limit]
    assert heavy, "the test graph must have nodes above the limit"
    light = g.subgraph([i for i in range(120) if i not in heavy])
    want = nx.triangles(light)
    counts, total = tri.triangle_count(graph, max_degree=limit)
    assert counts.tolist() == [-1 if i in heavy else want[i] for i in range(120)]
    assert total == sum(want.values()) // 3


@pytest.mark.parametrize("seed", [0, 5])
def test_clustering_matches_networkx(seed):
    graph, g = graph_and_nx(seed)
    coef, average = tri.local_clustering_coefficient(graph)
    want = nx.clustering(g)
    assert coef.tolist() == pytest.approx([want[i] for i in range(120)], abs=1e-12)
    assert average == pytest.approx(nx.average_clustering(g), abs=1e-12)


def test_empty_and_registry():
    empty = Graph.from_edges([], [], num_nodes=0, orientation="UNDIRECTED")
    assert tri.triangle_count(empty)[0].numel() == 0
    assert len(neo4j_gml.run("triangleCount", "stream", {}, graph=empty)) == 0
    assert len(neo4j_gml.run("localClusteringCoefficient", "stream", {}, graph=empty)) == 0
    graph, g = graph_and_nx(6)
    frame = neo4j_gml.run("triangleCount", "stream", {"maxDegree": 1000}, graph=graph)
    assert frame["triangleCount"].tolist() == [nx.triangles(g)[i] for i in range(120)]
    stats = neo4j_gml.run("triangleCount", "stats", {}, graph=graph)
    assert stats["globalTriangleCount"] == sum(nx.triangles(g).values()) // 3
    stats = neo4j_gml.run("localClusteringCoefficient", "stats", {}, graph=graph)
    assert stats["averageClusteringCoefficient"] == pytest.approx(nx.average_clustering(g))
    counts = torch.tensor([float(nx.triangles(g)[i]) for i in range(120)])
    with_prop = Graph(  # keep the stored undirected arcs, add the property
        graph.indptr, graph.indices, None, graph.node_ids, "UNDIRECTED", {"t": counts}
    )
    frame = neo4j_gml.run(
        "localClusteringCoefficient", "stream", {"triangleCountProperty": "t"}, graph=with_prop
    )
    want = nx.clustering(g)
    assert frame["localClusteringCoefficient"].tolist() == pytest.approx(
        [want[i] for i in range(120)]
    )
