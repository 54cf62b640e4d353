"""Topological concentration (TC) against a NetworkX transcription of its definition, ATC
against the exact cosine of rows of P^K it approximates, and the registry entry.

Tolerances: TC 1e-12 (exact); ATC 0.06 absolute with 4096 random dimensions (JL error).
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import torch

import neo4j_gml
from neo4j_gml.algorithms.linkpred import adjacency
from neo4j_gml.algorithms.linkpred.concentration import (
    approximate_concentration,
    topological_concentration,
)
from neo4j_gml.core.graph import Graph


def _nx_tc(g: nx.Graph, hops: int, beta: float) -> list[float]:
    dist = {u: nx.single_source_shortest_path_length(g, u, cutoff=hops) for u in g}

    def layer(u: int, k: int, other: int) -> set[int]:
        return {v for v, d in dist[u].items() if d == k} - {u, other}

    out = []
    for i in sorted(g):
        vals = []
        for j in g[i]:
            total = 0.0
            for k1 in range(1, hops + 1):
                for k2 in range(1, hops + 1):
                    a, b = layer(i, k1, j), layer(j, k2, i)
                    if a | b:
                        total += beta ** (k1 + k2 - 2) * len(a & b) / len(a | b)
            vals.append(total)
        out.append(float(np.mean(vals)) if vals else 0.0)
    return out


def _graph() -> nx.Graph:
    g = nx.connected_caveman_graph(4, 5)
    g.add_edges_from([(0, 12), (3, 17)])
    g.add_node(20)  # isolated
    return g


def _adj(g: nx.Graph) -> adjacency.Adjacency:
    src, dst = zip(*g.edges(), strict=True)
    return adjacency.from_edges(torch.tensor(src), torch.tensor(dst), g.number_of_nodes())


@pytest.mark.parametrize("hops", [1, 2, 3])
def test_tc_matches_definition(hops: int) -> None:
    g = _graph()
    got = topological_concentration(_adj(g), hops=hops, beta=0.5)
    np.testing.assert_allclose(got.numpy(), _nx_tc(g, hops, 0.5), rtol=1e-12, atol=1e-12)


def test_atc_approximates_row_cosines() -> None:
    g = _graph()
    adj = _adj(g)
    a = nx.to_numpy_array(g, nodelist=range(21))
    deg = a.sum(1)
    inv = np.where(deg > 0, 1 / np.sqrt(np.maximum(deg, 1)), 0)
    p = np.linalg.matrix_power(inv[:, None] * a * inv[None, :], 2)
    exact = []
    for i in range(21):
        cs = [p[i] @ p[j] / np.linalg.norm(p[i]) / np.linalg.norm(p[j]) for j in g[i]]
        exact.append(np.mean(cs) if cs else 0.0)
    got = approximate_concentration(adj, hops=2, dimension=4096, seed=1)
    np.testing.assert_allclose(got.numpy(), exact, atol=0.06)


def test_procedure_stream_and_empty_graph() -> None:
    g = _graph()
    src, dst = zip(*g.edges(), strict=True)
    graph = Graph.from_edges(src, dst, num_nodes=21, orientation="UNDIRECTED")
    frame = neo4j_gml.run("topologicalConcentration", "stream", {"hops": 1}, graph=graph)
    np.testing.assert_allclose(frame["concentration"], _nx_tc(g, 1, 0.5), atol=1e-12)
    frame = neo4j_gml.run(
        "topologicalConcentration", "stream", {"method": "ATC", "hops": 2}, graph=graph
    )
    assert len(frame) == 21 and frame["concentration"].between(-1, 1).all()
    empty = neo4j_gml.run(
        "topologicalConcentration", "stream", {}, graph=Graph.from_edges([], [], num_nodes=0)
    )
    assert len(empty) == 0
