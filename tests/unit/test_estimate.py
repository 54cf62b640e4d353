"""Memory estimates: hand-computed byte counts, and refusal of runs that cannot fit."""

from __future__ import annotations

import pytest

import neo4j_gml
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures import registry
from neo4j_gml.procedures.estimate import estimate_memory, human_bytes


def test_graph_bytes_by_hand() -> None:
    proc = registry.get("degree")
    cfg = proc.validate({"orientation": "UNDIRECTED", "relationshipWeightProperty": "w"}, "stream")
    est = estimate_memory(proc, cfg, node_count=10, relationship_count=20)
    # indptr 11 + node_ids 10 + (indices + weights) for 40 arcs, 8 bytes each
    assert est.graph_bytes == 8 * (11 + 10 + 80)
    assert est.result_bytes == 80
    assert est.as_row()["bytesMax"] == est.total_bytes


def test_embedding_result_grows_with_dimension() -> None:
    proc = registry.get("fastRP")
    small = estimate_memory(proc, proc.validate({"embeddingDimension": 8}, "stream"), 100, 0)
    large = estimate_memory(proc, proc.validate({"embeddingDimension": 800}, "stream"), 100, 0)
    assert large.result_bytes == 100 * small.result_bytes


def test_too_large_embedding_is_refused_before_computing() -> None:
    g = Graph.from_edges([0, 1], [1, 2])
    with pytest.raises(ConfigError, match=r"needs about .* GiB .*lower 'embeddingDimension'"):
        neo4j_gml.run("fastRP", "stream", {"embeddingDimension": 10**9}, graph=g)


def test_human_bytes() -> None:
    assert human_bytes(512) == "512 B"
    assert human_bytes(1536) == "1.5 KiB"
    assert human_bytes(3 * 1024**3) == "3.0 GiB"
