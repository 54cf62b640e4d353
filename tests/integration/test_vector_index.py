"""Embeddings written with ``vectorIndex: true`` are searchable by db.index.vector.queryNodes."""

from __future__ import annotations

import neo4j
import networkx as nx
import pytest

import neo4j_gml
from neo4j_gml.core.errors import ConfigError

pytestmark = pytest.mark.neo4j


def _karate(db: neo4j.Driver) -> None:
    g = nx.karate_club_graph()
    db.execute_query("UNWIND range(0, 33) AS i CREATE (:Member {i: i})")
    db.execute_query(
        "UNWIND $pairs AS p MATCH (a:Member {i: p[0]}), (b:Member {i: p[1]}) "
        "CREATE (a)-[:KNOWS]->(b)",
        pairs=[[u, v] for u, v in g.edges],
    )


def test_fastrp_write_creates_a_queryable_vector_index(db: neo4j.Driver) -> None:
    _karate(db)
    config = {
        "nodeLabels": ["Member"],
        "orientation": "UNDIRECTED",
        "embeddingDimension": 16,
        "randomSeed": 7,
        "writeProperty": "emb",
        "vectorIndex": True,
    }
    for _ in range(2):  # a rerun finds the index and keeps it
        row = neo4j_gml.run("fastRP", "write", config, driver=db)
        assert row["nodePropertiesWritten"] == 34
    name = row["vectorIndex"]
    records, _, _ = db.execute_query(
        "SHOW VECTOR INDEXES YIELD name, labelsOrTypes, properties, options WHERE name = $n "
        "RETURN labelsOrTypes, properties, options",
        n=name,
    )
    assert records[0]["labelsOrTypes"] == ["Member"] and records[0]["properties"] == ["emb"]
    assert records[0]["options"]["indexConfig"]["vector.dimensions"] == 16
    # every node is its own nearest neighbour under cosine similarity; Neo4j 5.26 quantizes
    # indexed vectors by default, so the self-score is 1 within 0.01, not exactly
    hits, _, _ = db.execute_query(
        "MATCH (m:Member {i: 0}) CALL db.index.vector.queryNodes($n, 3, m.emb) "
        "YIELD node, score RETURN node.i AS i, score",
        n=name,
    )
    assert hits[0]["i"] == 0 and hits[0]["score"] == pytest.approx(1.0, abs=0.01)
    assert len(hits) == 3


def test_vector_index_dimension_mismatch_and_missing_label(db: neo4j.Driver) -> None:
    _karate(db)
    base = {"nodeLabels": ["Member"], "writeProperty": "emb", "vectorIndex": True}
    neo4j_gml.run("fastRP", "write", {**base, "embeddingDimension": 8}, driver=db)
    with pytest.raises(ConfigError, match=r"vectorIndex.*has 8 dimensions.*embedding has 4"):
        neo4j_gml.run("fastRP", "write", {**base, "embeddingDimension": 4}, driver=db)
    with pytest.raises(ConfigError, match="'vectorIndexLabel' is required"):
        neo4j_gml.run(
            "fastRP",
            "write",
            {"writeProperty": "e2", "vectorIndex": True, "embeddingDimension": 4},
            driver=db,
        )
