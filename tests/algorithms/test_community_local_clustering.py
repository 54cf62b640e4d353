"""Seeded local clustering (PPR push / l2 flow diffusion + sweep cut): recovery of a planted
block (F1), conductance against nx.conductance, the PPR vector against nx.pagerank."""

from __future__ import annotations

import math

import networkx as nx
import pytest
import torch

import neo4j_gml
from neo4j_gml.algorithms.community import local_clustering as lc
from neo4j_gml.algorithms.community.metrics import undirected_arcs
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph


def planted(p_in: float, p_out: float, seed: int = 1) -> tuple[Graph, nx.Graph]:
    g = nx.planted_partition_graph(5, 100, p_in, p_out, seed=seed)
    src, dst = zip(*g.edges(), strict=True)
    return Graph.from_edges(src, dst, num_nodes=500, orientation="UNDIRECTED"), g


BLOCK = set(range(100, 200))


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def f1(members: torch.Tensor, block: set[int] = BLOCK) -> float:
    found = set(members.nonzero().reshape(-1).tolist())
    return 2 * len(found & block) / (len(found) + len(block))


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [("PPR", {}), ("FLOW", {"source_mass": 5000.0})],
)
@pytest.mark.parametrize("seed", [1, 2])
def test_recovers_planted_block(method, kwargs, seed):
    graph, g = planted(0.2, 0.005, seed)
    found = lc.local_clustering(graph, torch.tensor([150]), method=method, **kwargs)
    assert f1(found.in_cluster) >= 0.9
    members = set(found.in_cluster.nonzero().reshape(-1).tolist())
    assert found.conductance == pytest.approx(nx.conductance(g, members), abs=1e-12)
    assert found.did_converge and found.size == len(members)


def test_ppr_push_approximates_pagerank():
    """ACL's guarantee: 0 <= ppr - p <= epsilon * degree per node, where ppr is the lazy-walk
    PPR, i.e. nx.pagerank with damping (1 - a) of the lazy walk: alpha' = 2a/(1+a)."""
    g = nx.les_miserables_graph()
    graph = Graph.from_edges(
        *zip(*[(u, v) for u, v in nx.convert_node_labels_to_integers(g).edges()], strict=True),
        num_nodes=g.number_of_nodes(),
        orientation="UNDIRECTED",
    )
    alpha, eps = 0.15, 1e-6
    src, dst, w = undirected_arcs(graph, weighted=False)
    p, _, converged = lc.ppr_push(
        src,
        dst,
        w,
        graph.num_nodes,
        torch.tensor([0]),
        alpha=alpha,
        epsilon=eps,
        max_iterations=100000,
    )
    assert converged
    h = nx.convert_node_labels_to_integers(g)
    beta = 2 * alpha / (1 + alpha)  # teleport of the equivalent non-lazy walk
    want = nx.pagerank(h, alpha=1 - beta, personalization={0: 1.0}, weight=None, tol=1e-14)
    deg = torch.tensor([h.degree(i) for i in range(graph.num_nodes)], dtype=torch.float64)
    ref = torch.tensor([want[i] for i in range(graph.num_nodes)], dtype=torch.float64)
    gap = ref - p
    assert bool((gap >= -1e-9).all()) and bool((gap <= eps * deg + 1e-9).all())


def test_sweep_cut_is_least_conductance_prefix():
    graph, g = planted(0.3, 0.02, 3)
    src, dst, w = undirected_arcs(graph, weighted=False)
    scores = torch.rand(500, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    scores[scores < 0.5] = 0.0
    members, phi = lc.sweep_cut(src, dst, w, scores)
    order = sorted((i for i in range(500) if scores[i] > 0), key=lambda i: -float(scores[i]))
    brute = min(nx.conductance(g, set(order[: k + 1])) for k in range(len(order)))
    assert phi == pytest.approx(brute, abs=1e-12)
    assert phi == pytest.approx(nx.conductance(g, set(members.nonzero().reshape(-1).tolist())))


def test_labels_reweight_edges_between_seed_label_nodes():
    """With labels, the run equals a plain weighted run on the graph whose relationships between
    two nodes of the seed's label weigh label_weight times more (hand-built oracle graph); the
    reported conductance is the set's nx.conductance on the original graph."""
    graph, g = planted(0.08, 0.015, 1)
    truth = torch.tensor([float(u // 100 == 1) for u in range(500)])
    flip = torch.rand(500, generator=torch.Generator().manual_seed(1)) < 0.1
    noisy = torch.where(flip, 1 - truth, truth)
    seed_label = float(noisy[150])
    src, dst = zip(*g.edges(), strict=True)
    heavy = [
        5.0 if noisy[u] == seed_label and noisy[v] == seed_label else 1.0
        for u, v in zip(src, dst, strict=True)
    ]
    reweighted = Graph.from_edges(src, dst, heavy, num_nodes=500, orientation="UNDIRECTED")
    for method, kw in (("FLOW", {"source_mass": 6000.0}), ("PPR", {})):
        got = lc.local_clustering(
            graph, torch.tensor([150]), method=method, labels=noisy, label_weight=5.0, **kw
        )
        want = lc.local_clustering(
            reweighted, torch.tensor([150]), method=method, weighted=True, **kw
        )
        assert torch.allclose(got.scores, want.scores, rtol=1e-12, atol=1e-15)
        assert torch.equal(got.in_cluster, want.in_cluster)
        members = set(got.in_cluster.nonzero().reshape(-1).tolist())
        assert got.conductance == pytest.approx(nx.conductance(g, members), abs=1e-12)
    # labels that no seed carries change nothing
    plain = lc.local_clustering(graph, torch.tensor([150]))
    none = torch.full((500,), math.nan)
    same = lc.local_clustering(graph, torch.tensor([150]), labels=none, label_weight=5.0)
    assert torch.equal(same.in_cluster, plain.in_cluster)


def test_edge_cases():
    empty = Graph.from_edges([], [], num_nodes=0, orientation="UNDIRECTED")
    assert lc.local_clustering(empty, torch.tensor([], dtype=torch.long)).scores.numel() == 0
    # an isolated seed: the cluster is the seed alone, conductance undefined
    lonely = Graph.from_edges([1], [2], num_nodes=3, orientation="UNDIRECTED")
    found = lc.local_clustering(lonely, torch.tensor([0]))
    assert found.in_cluster.tolist() == [True, False, False] and math.isnan(found.conductance)
    # two disconnected triangles with a self-loop and a parallel edge: the seed's triangle
    src = [0, 1, 2, 3, 4, 5, 0, 1]
    dst = [1, 2, 0, 4, 5, 3, 0, 2]
    graph = Graph.from_edges(src, dst, num_nodes=6, orientation="UNDIRECTED")
    for method in ("PPR", "FLOW"):
        found = lc.local_clustering(graph, torch.tensor([1]), method=method)
        assert found.in_cluster.tolist() == [True] * 3 + [False] * 3
        assert found.conductance == 0.0


def test_registry():
    graph, g = planted(0.2, 0.005, 1)
    ids = torch.arange(500) + 1000
    graph = Graph(graph.indptr, graph.indices, None, ids, "UNDIRECTED", {})
    frame = neo4j_gml.run("localClustering", "stream", {"sourceNodes": [1150]}, graph=graph)
    assert list(frame.columns) == ["nodeId", "score", "inCluster"]
    assert (frame["score"] > 0).all()  # only the nodes the diffusion reached
    cluster = {int(i) - 1000 for i in frame["nodeId"][frame["inCluster"] == 1]}
    assert f1(torch.tensor([i in cluster for i in range(500)])) >= 0.9
    flow = {"sourceNodes": [1150], "method": "FLOW", "sourceMass": 5e3}
    stats = neo4j_gml.run("localClustering", "stats", flow, graph=graph)
    rows = neo4j_gml.run("localClustering", "stream", flow, graph=graph)
    members = {int(i) - 1000 for i in rows["nodeId"][rows["inCluster"] == 1]}
    assert stats["clusterSize"] == len(members) >= 90
    assert stats["conductance"] == pytest.approx(nx.conductance(g, members), abs=1e-12)
    with pytest.raises(ConfigError, match="sourceNodes"):
        neo4j_gml.run("localClustering", "stream", {"sourceNodes": [5]}, graph=graph)
    with pytest.raises(ConfigError, match="sourceNodes"):
        neo4j_gml.run("localClustering", "stream", {}, graph=graph)
    bad = Graph.from_edges([0], [1], [math.nan], num_nodes=2, orientation="UNDIRECTED")
    with pytest.raises(ConfigError, match="relationshipWeightProperty"):
        neo4j_gml.run(
            "localClustering",
            "stream",
            {"sourceNodes": [0], "relationshipWeightProperty": "w"},
            graph=bad,
        )
