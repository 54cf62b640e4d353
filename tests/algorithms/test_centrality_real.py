"""Betweenness, closeness and k-core on a real graph: SNAP email-Eu-core (1,005 nodes, 25,571
directed relationships, 642 self-loops), against NetworkX to 1e-6. Skipped when
``../shared/data`` is absent.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from neo4j_gml.algorithms.centrality.betweenness import betweenness_centrality
from neo4j_gml.algorithms.centrality.closeness import closeness_centrality
from neo4j_gml.algorithms.centrality.kcore import core_numbers
from neo4j_gml.core.graph import Graph

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "snap" / "email-Eu-core.txt"


def email_graph(orientation: str) -> Graph:
    if not DATA.exists():
        pytest.skip(f"real data set {DATA} is absent (../shared/data is not beside this checkout)")
    edges = np.loadtxt(DATA, dtype=np.int64, comments="#")
    return Graph.from_edges(edges[:, 0], edges[:, 1], orientation=orientation, aggregation="SINGLE")


@pytest.mark.slow
def test_email_eu_core_directed_betweenness_and_closeness():
    g = email_graph("NATURAL")
    nxg = g.to_networkx()
    n = g.num_nodes
    oracle = nx.betweenness_centrality(nxg, normalized=False)
    got = betweenness_centrality(g).numpy()
    assert np.allclose(got, [oracle[i] for i in range(n)], atol=1e-6)
    oracle = nx.closeness_centrality(nxg.reverse(), wf_improved=False)
    got = closeness_centrality(g).numpy()
    assert np.allclose(got, [oracle[i] for i in range(n)], atol=1e-6)


def test_email_eu_core_kcore():
    if not DATA.exists():
        pytest.skip(f"real data set {DATA} is absent (../shared/data is not beside this checkout)")
    edges = np.loadtxt(DATA, dtype=np.int64, comments="#")
    edges = edges[edges[:, 0] != edges[:, 1]]  # nx.core_number refuses self-loops
    pairs = np.unique(np.sort(edges, axis=1), axis=0)
    n = int(edges.max()) + 1
    g = Graph.from_edges(pairs[:, 0], pairs[:, 1], num_nodes=n, orientation="UNDIRECTED")
    nxg = nx.Graph()
    nxg.add_nodes_from(range(n))
    nxg.add_edges_from(pairs.tolist())
    core = nx.core_number(nxg)
    assert core_numbers(g).tolist() == [core[i] for i in range(n)]
