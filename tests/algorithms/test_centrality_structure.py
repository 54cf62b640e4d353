"""k-core, articulation points and bridges.

Oracles: nx.core_number, nx.articulation_points and nx.bridges on random simple graphs (exact
sets), plus hand-built cases for parallel relationships, self-loops and directed input.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import torch

import neo4j_gml
from neo4j_gml.algorithms.centrality.biconnected import articulation_points, bridges
from neo4j_gml.algorithms.centrality.kcore import core_numbers
from neo4j_gml.core.graph import Graph


def undirected(nxg: nx.Graph, n: int) -> Graph:
    e = np.array(list(nxg.edges()), dtype=np.int64).reshape(-1, 2)
    return Graph.from_edges(e[:, 0], e[:, 1], num_nodes=n, orientation="UNDIRECTED")


def bridge_set(graph: Graph) -> set[frozenset]:
    s, t = bridges(graph)
    return {frozenset(p) for p in zip(s.tolist(), t.tolist(), strict=True)}


@pytest.mark.parametrize("seed", range(12))
def test_against_networkx_on_random_graphs(seed):
    n = 30 if seed % 2 else 12
    nxg = nx.gnm_random_graph(n, n + 3 * seed, seed=seed)  # sparse: several components
    g = undirected(nxg, n)
    core = nx.core_number(nxg)
    assert core_numbers(g).tolist() == [core[i] for i in range(n)]
    cut = set(torch.nonzero(articulation_points(g)).reshape(-1).tolist())
    assert cut == set(nx.articulation_points(nxg))
    assert bridge_set(g) == {frozenset(e) for e in nx.bridges(nxg)}


def test_power_law_graph():
    nxg = nx.barabasi_albert_graph(300, 1, seed=2)  # a tree: every edge a bridge
    nxg.add_edges_from([(5, 17), (40, 41), (100, 250)])
    g = undirected(nxg, 300)
    core = nx.core_number(nxg)
    assert core_numbers(g).tolist() == [core[i] for i in range(300)]
    cut = set(torch.nonzero(articulation_points(g)).reshape(-1).tolist())
    assert cut == set(nx.articulation_points(nxg))
    assert bridge_set(g) == {frozenset(e) for e in nx.bridges(nxg)}


def test_parallel_relationships_self_loops_and_directed_input():
    # path 0 - 1 = 2 - 3 with 1-2 doubled and a self-loop on 3, given as directed arcs
    g = Graph.from_edges([0, 1, 2, 2, 3], [1, 2, 1, 3, 3])
    assert bridge_set(g) == {frozenset((0, 1)), frozenset((2, 3))}
    assert articulation_points(g).tolist() == [False, True, True, False]
    # degrees 1, 3, 3, 3 (parallel relationship twice, self-loop as two arcs like GDS's
    # graph.degree): peel 0 at k=1, then 1 (degree 2), 2 and 3 at k=2
    assert core_numbers(g).tolist() == [1, 2, 2, 2]
    # an isolated node with a self-loop keeps degree 2 to the end
    assert core_numbers(Graph.from_edges([0], [0], orientation="UNDIRECTED")).tolist() == [2]


def test_registry_entries_and_empty_graph():
    nxg = nx.Graph([(0, 1), (1, 2), (2, 0), (2, 3), (3, 4)])
    g = Graph.from_edges(*zip(*nxg.edges(), strict=True), node_ids=[10, 11, 12, 13, 14])
    frame = neo4j_gml.run("articulationPoints", "stream", {}, graph=g)
    assert sorted(frame["nodeId"]) == [12, 13] and set(frame["articulationPoint"]) == {1}
    frame = neo4j_gml.run("bridges", "stream", {}, graph=g)
    assert {frozenset(p) for p in zip(frame["from"], frame["to"], strict=True)} == {
        frozenset((12, 13)),
        frozenset((13, 14)),
    }
    frame = neo4j_gml.run("kcore", "stream", {}, graph=g)
    assert frame["coreValue"].tolist() == [2, 2, 2, 1, 1]
    assert neo4j_gml.run("kcore", "stats", {}, graph=g)["degeneracy"] == 2
    empty = Graph.from_edges([], [], num_nodes=0)
    assert core_numbers(empty).numel() == 0
    assert articulation_points(empty).numel() == 0
    assert bridges(empty)[0].numel() == 0
    assert len(neo4j_gml.run("bridges", "stream", {}, graph=empty)) == 0
