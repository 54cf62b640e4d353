"""Link prediction on a real Neo4j: pairsQuery, and write mode replacing earlier predictions.

Oracles: NetworkX's Adamic-Adar for the queried pairs (1e-12); the relationship count after
two writes equals the count after one (the runner deletes the type before writing).
"""

from __future__ import annotations

import neo4j
import networkx as nx
import pytest

import neo4j_gml

pytestmark = pytest.mark.neo4j


def _load(db: neo4j.Driver, g: nx.Graph) -> dict[int, int]:
    records, _, _ = db.execute_query(
        "UNWIND $names AS name CREATE (n:P {name: name}) RETURN name, id(n) AS id",
        names=list(g.nodes),
    )
    ids = {r["name"]: r["id"] for r in records}
    db.execute_query(
        "UNWIND $rows AS row MATCH (a) WHERE id(a) = row[0] MATCH (b) WHERE id(b) = row[1] "
        "CREATE (a)-[:KNOWS]->(b)",
        rows=[[ids[u], ids[v]] for u, v in g.edges],
    )
    return ids


def test_pairs_query_and_replacing_writes(db: neo4j.Driver) -> None:
    g = nx.karate_club_graph()
    ids = _load(db, g)
    base = {"nodeLabels": ["P"], "relationshipTypes": ["KNOWS"]}
    frame = neo4j_gml.run(
        "linkScore",
        "stream",
        base
        | {
            "measure": "adamicAdar",
            "pairsQuery": "MATCH (a:P), (b:P) WHERE a.name = $x AND b.name IN [1, 33] "
            "RETURN id(a) AS source, id(b) AS target",
            "parameters": {"x": 0},
        },
        driver=db,
    )
    by_target = dict(zip(frame["target"], frame["score"], strict=True))
    for _, v, s in nx.adamic_adar_index(g, [(0, 1), (0, 33)]):
        assert by_target[ids[v]] == pytest.approx(s, abs=1e-12)

    config = base | {"topK": 2, "writeRelationshipType": "CANDIDATE", "writeProperty": "score"}
    first = neo4j_gml.run("linkCandidates", "write", config, driver=db)
    second = neo4j_gml.run("linkCandidates", "write", config | {"topK": 1}, driver=db)
    assert second["relationshipsDeleted"] == first["relationshipsWritten"]
    records, _, _ = db.execute_query("MATCH ()-[r:CANDIDATE]->() RETURN count(r) AS c")
    assert records[0]["c"] == second["relationshipsWritten"] == 34
