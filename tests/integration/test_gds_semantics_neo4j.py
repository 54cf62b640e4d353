"""GDS semantics of properties that may be missing, read from a real Neo4j.

- ``seedProperty``: a node without a seed starts unseeded (GDS manual, WCC "Seeded components":
  the new node 'Mats', linked to seeded 'Bridget', joins Bridget's component 1; a lone unseeded
  node gets a new id above every seed).
- ``linkScore`` with ``sameCommunity``: a node without ``communityProperty`` is in the same
  community as no node (GDS's ``sameCommunity`` function returns 0).
"""

from __future__ import annotations

import neo4j
import pytest

from neo4j_gml.procedures import runner

pytestmark = pytest.mark.neo4j


def _ids(db: neo4j.Driver) -> dict[str, int]:
    records, _, _ = db.execute_query("MATCH (n:U) RETURN n.name AS name, id(n) AS id")
    return {r["name"]: r["id"] for r in records}


def test_missing_seeds_start_unseeded(db: neo4j.Driver) -> None:
    db.execute_query(
        "CREATE (:U {name: 'Bridget', c: 1})-[:L]->(:U {name: 'Mats'}), "
        "(:U {name: 'Alice', c: 0})-[:L]->(:U {name: 'Bob', c: 0}), (:U {name: 'Lone'})"
    )
    ids = _ids(db)
    frame = runner.run(
        "wcc", "stream", {"nodeLabels": ["U"], "seedProperty": "c"}, driver=db
    ).set_index("nodeId")["componentId"]
    assert frame[ids["Mats"]] == frame[ids["Bridget"]] == 1
    assert frame[ids["Alice"]] == frame[ids["Bob"]] == 0
    assert frame[ids["Lone"]] > 1


def test_same_community_without_a_value_scores_zero(db: neo4j.Driver) -> None:
    db.execute_query(
        "CREATE (:U {name: 'a', k: 5})-[:L]->(:U {name: 'b', k: 5})-[:L]->(:U {name: 'c'})"
        "-[:L]->(:U {name: 'd'})"
    )
    ids = _ids(db)
    pairs = [[ids["a"], ids["b"]], [ids["b"], ids["c"]], [ids["c"], ids["d"]], [ids["c"], ids["c"]]]
    frame = runner.run(
        "linkScore",
        "stream",
        {
            "nodeLabels": ["U"],
            "measure": "sameCommunity",
            "communityProperty": "k",
            "pairs": pairs,
        },
        driver=db,
    )
    assert frame["score"].tolist() == [1.0, 0.0, 0.0, 0.0]
