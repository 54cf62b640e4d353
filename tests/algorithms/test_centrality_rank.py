"""PageRank, ArticleRank, eigenvector, HITS and the scalers.

Oracles: hand-computed supersteps of GDS's Pregel rules (exact to 1e-12), NetworkX's pagerank,
eigenvector_centrality and hits at convergence (1e-6), and NumPy linear algebra (1e-9).
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
import torch

import neo4j_gml
from neo4j_gml.algorithms.centrality.eigenvector import eigenvector_centrality
from neo4j_gml.algorithms.centrality.hits import hits
from neo4j_gml.algorithms.centrality.pagerank import article_rank, page_rank
from neo4j_gml.algorithms.centrality.scalers import scale
from neo4j_gml.core.errors import ConfigError, ParameterError
from neo4j_gml.core.graph import Graph

EXACT = 1e-12
CONVERGED = 1e-6


def tiny() -> Graph:
    # 0 -> 1, 1 -> 2, 2 -> 0, 2 -> 1 with Neo4j ids 10, 11, 12
    return Graph.from_edges([0, 1, 2, 2], [1, 2, 0, 1], node_ids=[10, 11, 12])


def random_strong(n: int = 40, m: int = 160, seed: int = 3, weighted: bool = False):
    """A random digraph plus a Hamiltonian cycle: strongly connected, no dangling node."""
    rng = np.random.default_rng(seed)
    src = np.concatenate([rng.integers(0, n, m), np.arange(n)])
    dst = np.concatenate([rng.integers(0, n, m), (np.arange(n) + 1) % n])
    keep = src != dst
    src, dst = src[keep], dst[keep]
    w = rng.uniform(0.5, 3.0, src.size) if weighted else None
    g = Graph.from_edges(src, dst, w, num_nodes=n, aggregation="SUM" if weighted else "SINGLE")
    return g, g.to_networkx()


def as_array(d: dict, n: int) -> np.ndarray:
    return np.array([d[i] for i in range(n)])


# ---------------------------------------------------------------------------- PageRank
def test_pagerank_hand_computed_supersteps():
    r = page_rank(tiny(), max_iterations=3)
    assert r.ran_iterations == 3 and not r.did_converge
    assert torch.allclose(
        r.scores, torch.tensor([0.2679375, 0.449625, 0.4400625], dtype=torch.float64), atol=EXACT
    )


def test_pagerank_per_node_halting():
    # with tolerance 0.1 node 0's first delta (0.06375) is not sent on
    r = page_rank(tiny(), max_iterations=3, tolerance=0.1)
    expected = torch.tensor([0.2679375, 0.3954375, 0.4400625], dtype=torch.float64)
    assert torch.allclose(r.scores, expected, atol=EXACT)


def test_pagerank_personalised_and_weighted_hand_computed():
    frame = neo4j_gml.run(
        "pageRank", "stream", {"maxIterations": 3, "sourceNodes": [10]}, graph=tiny()
    )
    assert frame["nodeId"].tolist() == [10, 11, 12]
    assert np.allclose(frame["score"], [0.15, 0.1275, 0.108375], atol=EXACT)
    # weighted: the arc 0 -> 2 of weight -5 carries nothing
    g = Graph.from_edges([0, 1, 2, 2, 0], [1, 2, 0, 1, 2], [2.0, 1.0, 3.0, 1.0, -5.0])
    r = page_rank(g, max_iterations=2, weighted=True)
    assert torch.allclose(
        r.scores, torch.tensor([0.245625, 0.309375, 0.2775], dtype=torch.float64), atol=EXACT
    )


@pytest.mark.parametrize("weighted", [False, True])
def test_pagerank_converges_to_networkx(weighted, device):
    g, nxg = random_strong(weighted=weighted)
    r = page_rank(
        g.to(device), damping_factor=0.8, max_iterations=2000, tolerance=0.0, weighted=weighted
    )
    oracle = nx.pagerank(nxg, alpha=0.8, tol=1e-12, weight="weight" if weighted else None)
    assert r.scores.device.type == device
    assert np.allclose(
        r.scores.cpu().numpy(), as_array(oracle, g.num_nodes) * g.num_nodes, atol=CONVERGED
    )


def test_pagerank_stats_convergence_and_parallel_arcs():
    g, _ = random_strong()
    stats = neo4j_gml.run("pageRank", "stats", {"maxIterations": 500, "tolerance": 1e-3}, graph=g)
    assert stats["didConverge"] is True and 1 < stats["ranIterations"] < 500
    # a 2-cycle: superstep 1 sends deltas 0.1275 (> 0.1), superstep 2 sends 0.108375,
    # superstep 3 sends 0.0921... (< 0.1) nothing -> GDS stops after superstep 3, reports 3
    pair = page_rank(Graph.from_edges([0, 1], [1, 0]), max_iterations=50, tolerance=0.1)
    assert pair.did_converge and pair.ran_iterations == 3
    # a parallel arc doubles the share of the first target, a self-loop keeps mass at home
    p = Graph.from_edges([0, 0, 0, 1, 1], [1, 1, 2, 1, 0])
    r = page_rank(p, max_iterations=2)
    expected = [0.15 + 0.85 * 0.075, 0.15 + 0.85 * (0.1 + 0.075), 0.15 + 0.85 * 0.05]
    assert np.allclose(r.scores.numpy(), expected, atol=EXACT)


def test_pagerank_bad_input():
    g = Graph.from_edges([0, 1], [1, 0], [1.0, float("nan")])
    with pytest.raises(ParameterError, match="weights"):
        page_rank(g, weighted=True)
    with pytest.raises(ParameterError, match="damping_factor"):
        page_rank(g, damping_factor=1.0)
    with pytest.raises(ConfigError, match="sourceNodes"):
        neo4j_gml.run("pageRank", "stream", {"sourceNodes": [99]}, graph=tiny())
    with pytest.raises(ConfigError, match="dampingFactor"):
        neo4j_gml.run("pageRank", "stream", {"dampingFactor": 1.0}, graph=tiny())
    empty = Graph.from_edges([], [], num_nodes=0)
    assert page_rank(empty).scores.numel() == 0
    assert len(neo4j_gml.run("pageRank", "stream", {"scaler": "minmax"}, graph=empty)) == 0


# ---------------------------------------------------------------------------- ArticleRank
def test_articlerank_hand_computed_and_converged():
    g = Graph.from_edges([0, 0, 1], [1, 2, 2])  # average out-degree 1
    r = article_rank(g, max_iterations=2)
    assert np.allclose(r.scores.numpy(), [0.15, 0.1925, 0.25625], atol=EXACT)
    big, _ = random_strong(weighted=True)
    n, d = big.num_nodes, 0.85
    src, dst, w = big.sources().numpy(), big.indices.numpy(), big.weights.numpy()
    out_w = np.bincount(src, weights=w, minlength=n)
    m = np.zeros((n, n))
    np.add.at(m, (dst, src), w / (out_w[src] + src.size / n))  # plain average degree
    oracle = np.linalg.solve(np.eye(n) - d * m, np.full(n, 1 - d))
    r = article_rank(big, max_iterations=1000, tolerance=0.0, weighted=True)
    assert np.allclose(r.scores.numpy(), oracle, atol=1e-9)


# ---------------------------------------------------------------------------- eigenvector
def test_eigenvector_hand_computed_cycle():
    g = Graph.from_edges([0, 1, 2], [1, 2, 0])
    r = eigenvector_centrality(g)
    assert r.ran_iterations == 1 and r.did_converge  # converged in superstep 1
    assert np.allclose(r.scores.numpy(), [1 / math.sqrt(3)] * 3, atol=EXACT)


def test_eigenvector_matches_networkx_and_numpy():
    g, nxg = random_strong()
    r = eigenvector_centrality(g, max_iterations=5000, tolerance=1e-13)
    oracle = nx.eigenvector_centrality(nxg, max_iter=10000, tol=1e-14)
    assert r.did_converge
    assert np.allclose(r.scores.numpy(), as_array(oracle, g.num_nodes), atol=CONVERGED)
    # weighted: principal eigenvector of the transposed row-normalised matrix
    gw, _ = random_strong(weighted=True)
    n = gw.num_nodes
    src, dst, w = gw.sources().numpy(), gw.indices.numpy(), gw.weights.numpy()
    p = np.zeros((n, n))
    np.add.at(p, (dst, src), w / np.bincount(src, weights=w, minlength=n)[src])
    vals, vecs = np.linalg.eig(p)
    v = np.abs(np.real(vecs[:, np.argmax(np.real(vals))]))
    rw = eigenvector_centrality(gw, max_iterations=5000, tolerance=1e-13, weighted=True)
    assert np.allclose(rw.scores.numpy(), v / np.linalg.norm(v), atol=CONVERGED)


def test_eigenvector_personalised_start_and_registry():
    frame = neo4j_gml.run(
        "eigenvector", "stream", {"maxIterations": 1, "sourceNodes": [11]}, graph=tiny()
    )
    assert np.allclose(frame["score"], [0.0, 1.0, 0.0], atol=EXACT)


# ---------------------------------------------------------------------------- HITS
def test_hits_matches_networkx():
    g, nxg = random_strong(seed=5)
    r = hits(g, iterations=300)
    hub, auth = nx.hits(nxg, max_iter=10000, tol=1e-14)
    a, h = r.auth.numpy(), r.hub.numpy()
    assert np.isclose(np.linalg.norm(a), 1.0) and np.isclose(np.linalg.norm(h), 1.0)
    assert np.allclose(a / a.sum(), as_array(auth, g.num_nodes), atol=CONVERGED)
    assert np.allclose(h / h.sum(), as_array(hub, g.num_nodes), atol=CONVERGED)
    frame = neo4j_gml.run("hits", "stream", {"hitsIterations": 300}, graph=g)
    assert np.allclose(frame["hub"], h) and np.allclose(frame["auth"], a)
    stats = neo4j_gml.run("hits", "stats", {"hitsIterations": 5}, graph=g)
    assert stats["ranIterations"] == 20 and stats["didConverge"] is False  # as GDS reports
    with pytest.raises(ConfigError, match="hubProperty"):
        neo4j_gml.run("hits", "stream", {"hubProperty": "auth"}, graph=g)


# ---------------------------------------------------------------------------- scalers
def test_scalers_against_numpy():
    x = torch.tensor([1.0, 2.0, 4.0, 9.0], dtype=torch.float64)
    a = x.numpy()
    expected = {
        "MINMAX": (a - 1) / 8,
        "MEAN": (a - a.mean()) / 8,
        "MAX": a / 9,
        "LOG": np.log(a),
        "L1NORM": a / a.sum(),
        "L2NORM": a / np.linalg.norm(a),
        "STDSCORE": (a - a.mean()) / a.std(),
        "CENTER": a - a.mean(),
        "NONE": a,
    }
    for name, want in expected.items():
        assert np.allclose(scale(x, name.lower()).numpy(), want, atol=EXACT), name
    assert torch.equal(scale(torch.ones(3, dtype=torch.float64), "MinMax"), torch.zeros(3))
    frame = neo4j_gml.run("pageRank", "stream", {"scaler": "L1Norm"}, graph=tiny())
    assert math.isclose(frame["score"].sum(), 1.0)


def test_sparse_product_path_equals_index_add_path(monkeypatch):
    from neo4j_gml.algorithms.centrality import _common

    rng = np.random.default_rng(9)
    src, dst = rng.integers(0, 4000, 40_000), rng.integers(0, 4000, 40_000)
    g = Graph.from_edges(src, dst, rng.uniform(-0.5, 2.0, src.size), num_nodes=4000)
    assert g.num_arcs >= _common.SPARSE_PRODUCT_MIN_ARCS

    def run_all():
        return (
            page_rank(g, weighted=True).scores,
            article_rank(g).scores,
            eigenvector_centrality(g, weighted=True).scores,
            hits(g, iterations=5).hub,
        )

    sparse = run_all()
    monkeypatch.setattr(_common, "SPARSE_PRODUCT_MIN_ARCS", 10**12)
    dense = run_all()
    for a, b in zip(sparse, dense, strict=True):
        assert torch.allclose(a, b, rtol=1e-10, atol=1e-12)
