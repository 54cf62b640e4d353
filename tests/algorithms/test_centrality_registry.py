"""Every centrality procedure runs end to end (stream and stats) on a small graph, and its stats
row holds the columns its registry entry declares (the Java signatures are generated from them).
"""

from __future__ import annotations

import pytest

import neo4j_gml
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures import registry
from neo4j_gml.procedures.summary import summary_columns

EXTRA_CONFIG = {"influenceMaximization.celf": {"seedSetSize": 2, "randomSeed": 1}}
OURS = [
    "pageRank",
    "articleRank",
    "eigenvector",
    "hits",
    "betweenness",
    "closeness",
    "closeness.harmonic",
    "kcore",
    "articulationPoints",
    "bridges",
    "influenceMaximization.celf",
]


def small_graph() -> Graph:
    src = [0, 1, 2, 2, 3, 4, 5, 5]
    dst = [1, 2, 0, 3, 4, 5, 3, 5]  # a triangle, a bridge 2-3, a triangle with a self-loop
    return Graph.from_edges(src, dst, node_ids=[20, 21, 22, 23, 24, 25, 26])


@pytest.mark.parametrize("name", OURS)
def test_stream_and_stats_match_the_registry(name):
    proc = registry.get(name)
    config = dict(EXTRA_CONFIG.get(name, {}), device="cpu")
    frame = neo4j_gml.run(name, "stream", config, graph=small_graph())
    assert list(frame.columns) == list(proc.stream_columns())
    stats = neo4j_gml.run(name, "stats", config, graph=small_graph())
    missing = set(summary_columns(proc, "stats")) - set(stats)
    assert not missing, missing
