"""Attack-aware critical nodes: RWCS against dense random-walk powers (NumPy), GC-RWCS against a
brute-force greedy coverage on the same top entries; the procedure's rows and refusals."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

import neo4j_gml
from neo4j_gml.algorithms.centrality.critical import critical_nodes
from neo4j_gml.core.errors import ConfigError, ParameterError
from neo4j_gml.core.graph import Graph


def _walks(oracle: nx.Graph, n: int, steps: int) -> np.ndarray:
    a = nx.to_numpy_array(oracle, nodelist=range(n)) + np.eye(n)
    p = a / a.sum(1, keepdims=True)
    return np.linalg.matrix_power(p, steps)


def _graph(oracle: nx.Graph, n: int) -> Graph:
    edges = np.array(oracle.edges(), dtype=np.int64).reshape(-1, 2)
    return Graph.from_edges(edges[:, 0], edges[:, 1], num_nodes=n)


@pytest.mark.parametrize("steps", [1, 2, 3])
def test_rwcs_is_the_column_sum_of_the_walk_power(steps: int, device: str) -> None:
    n = 50
    oracle = nx.gnp_random_graph(n, 0.1, seed=steps)
    m = _walks(oracle, n, steps)
    found = critical_nodes(_graph(oracle, n).to(device), 6, method="RWCS", steps=steps)
    want = np.argsort(-m.sum(0), kind="stable")[:6]
    assert sorted(found.nodes.cpu().tolist()) == sorted(want.tolist())
    np.testing.assert_allclose(found.scores.cpu().numpy(), np.sort(m.sum(0))[::-1][:6], rtol=1e-5)


@pytest.mark.parametrize(("seed", "coverage"), [(0, 1), (1, 1), (2, 2), (3, 3)])
def test_gc_rwcs_is_greedy_coverage(seed: int, coverage: int, device: str) -> None:
    n, top, budget = 60, 8, 7
    oracle = nx.gnp_random_graph(n, 0.08, seed=seed)
    m = _walks(oracle, n, 2)
    key = np.round(m * 2.0**20) * n + np.arange(n - 1, -1, -1)  # ties: the smaller position
    tops = np.argsort(-key, axis=1, kind="stable")[:, :top]
    times = np.zeros(n, dtype=int)
    chosen, gains = [], []
    for _ in range(budget):
        counting = times < coverage
        gain = [-1 if j in chosen else int(((tops == j).any(1) & counting).sum()) for j in range(n)]
        j = int(np.argmax(gain))
        chosen.append(j)
        gains.append(gain[j])
        times += ((tops == j).any(1) & counting).astype(int)
    found = critical_nodes(_graph(oracle, n).to(device), budget, top=top, coverage=coverage)
    assert found.nodes.cpu().tolist() == chosen
    assert found.scores.cpu().tolist() == gains
    assert gains == sorted(gains, reverse=True)  # diminishing returns


def test_the_procedure_and_its_refusals() -> None:
    # two stars joined at their centres 0 and 5
    graph = Graph.from_edges([0, 0, 0, 0, 5, 5, 5, 5, 0], [1, 2, 3, 4, 6, 7, 8, 9, 5],
                             node_ids=np.arange(10) + 40, orientation="UNDIRECTED")  # fmt: skip
    frame = neo4j_gml.run("criticalNodes.gnnAttack", "stream", {"budget": 2, "top": 3},
                          graph=graph)  # fmt: skip
    assert list(frame.columns) == ["nodeId", "score", "rank"]
    assert sorted(frame["nodeId"]) == [40, 45] and sorted(frame["rank"]) == [1, 2]
    stats = neo4j_gml.run("criticalNodes.gnnAttack", "stats", {"budget": 20}, graph=graph)
    assert stats["selectedNodes"] == 10  # at most every node
    for config, key in (({"budget": 0}, "budget"), ({}, "budget"),
                        ({"budget": 1, "method": "PAGERANK"}, "method"),
                        ({"budget": 1, "steps": 0}, "steps")):  # fmt: skip
        with pytest.raises(ConfigError, match=key):
            neo4j_gml.run("criticalNodes.gnnAttack", "stream", config, graph=graph)
    with pytest.raises(ParameterError, match="coverage"):
        critical_nodes(graph, 1, coverage=0)
    assert critical_nodes(Graph.from_edges([], [], num_nodes=0), 3).nodes.numel() == 0
