"""Path finding from Cypher on GDS's documentation graphs, with GDS's documented answers
(dijkstra-source-target.adoc, dijkstra-single-source.adoc; bfs.adoc and dfs.adoc give their
orders as pictures, the expected lists are what GDS's code yields for them)."""

from __future__ import annotations

import neo4j
import pytest

pytestmark = pytest.mark.neo4j

ROADS = """
CREATE (a:GmlRoadT {name: 'A'}), (b:GmlRoadT {name: 'B'}), (c:GmlRoadT {name: 'C'}),
       (d:GmlRoadT {name: 'D'}), (e:GmlRoadT {name: 'E'}), (f:GmlRoadT {name: 'F'}),
       (a)-[:ROAD {cost: 50}]->(b), (a)-[:ROAD {cost: 50}]->(c), (a)-[:ROAD {cost: 100}]->(d),
       (b)-[:ROAD {cost: 40}]->(d), (c)-[:ROAD {cost: 40}]->(d), (c)-[:ROAD {cost: 80}]->(e),
       (d)-[:ROAD {cost: 30}]->(e), (d)-[:ROAD {cost: 80}]->(f), (e)-[:ROAD {cost: 40}]->(f)
"""
NAMES = "[id IN nodeIds | gml.util.asNode(id).name] AS names"


def _rows(db: neo4j.Driver, query: str) -> list[dict]:
    records, _, _ = db.execute_query(query)
    return [dict(r) for r in records]


def test_dijkstra_answers_as_gds_documents(gml_db: neo4j.Driver) -> None:
    gml_db.execute_query(ROADS)
    config = "nodeLabels: ['GmlRoadT'], relationshipWeightProperty: 'cost', sourceNode: a"
    one = _rows(
        gml_db,
        "MATCH (a:GmlRoadT {name: 'A'}), (f:GmlRoadT {name: 'F'}) "
        f"CALL gml.shortestPath.dijkstra.stream({{{config}, targetNode: f}}) "
        f"YIELD index, totalCost, nodeIds, costs RETURN index, totalCost, {NAMES}, costs",
    )
    assert one == [
        {
            "index": 0,
            "totalCost": 160.0,
            "names": ["A", "B", "D", "E", "F"],
            "costs": [0.0, 50.0, 90.0, 120.0, 160.0],
        }
    ]
    two = _rows(
        gml_db,
        "MATCH (a:GmlRoadT {name: 'A'}), (d:GmlRoadT {name: 'D'}), (f:GmlRoadT {name: 'F'}) "
        f"CALL gml.shortestPath.dijkstra.stream({{{config}, targetNodes: [f, d]}}) "
        f"YIELD index, totalCost, nodeIds RETURN index, totalCost, {NAMES}",
    )
    assert two == [
        {"index": 0, "totalCost": 90.0, "names": ["A", "B", "D"]},
        {"index": 1, "totalCost": 160.0, "names": ["A", "B", "D", "E", "F"]},
    ]
    every = _rows(
        gml_db,
        "MATCH (a:GmlRoadT {name: 'A'}) "
        f"CALL gml.allShortestPaths.dijkstra.stream({{{config}}}) "
        f"YIELD index, totalCost, nodeIds RETURN index, totalCost, {NAMES} ORDER BY index",
    )
    assert [(r["names"][-1], r["totalCost"]) for r in every] == [
        ("A", 0.0),
        ("B", 50.0),
        ("C", 50.0),
        ("D", 90.0),
        ("E", 120.0),
        ("F", 160.0),
    ]
    assert every[3]["names"] == ["A", "B", "D"]  # the first of two equal-cost routes


def test_traversals_and_their_errors(gml_db: neo4j.Driver) -> None:
    gml_db.execute_query(
        "CREATE (a:GmlWalk {name: 'A'}), (b:GmlWalk {name: 'B'}), (c:GmlWalk {name: 'C'}), "
        "(d:GmlWalk {name: 'D'}), (e:GmlWalk {name: 'E'}), "
        "(a)-[:REL]->(b), (a)-[:REL]->(c), (b)-[:REL]->(e), (c)-[:REL]->(d)"
    )

    def walk(proc: str, extra: str = "") -> list[str]:
        rows = _rows(
            gml_db,
            "MATCH (a:GmlWalk {name: 'A'}), (d:GmlWalk {name: 'D'}), (e:GmlWalk {name: 'E'}) "
            f"CALL gml.{proc}.stream({{nodeLabels: ['GmlWalk'], sourceNode: a{extra}}}) "
            f"YIELD nodeIds RETURN {NAMES}",
        )
        return rows[0]["names"]

    assert walk("bfs") == ["A", "B", "C", "E", "D"]
    assert walk("bfs", ", targetNodes: [d, e]") == ["A", "B", "C", "E"]
    assert walk("bfs", ", maxDepth: 1") == ["A", "B", "C"]
    assert walk("dfs") == ["A", "C", "D", "B", "E"]
    assert walk("dfs", ", targetNodes: [d, e]") == ["A", "C", "D"]
    assert walk("dfs", ", maxDepth: 1") == ["A", "C", "B"]
    with pytest.raises(neo4j.exceptions.ClientError, match="sourceNode"):
        gml_db.execute_query("CALL gml.bfs.stream({nodeLabels: ['GmlWalk']})")
    with pytest.raises(neo4j.exceptions.ClientError, match="not in the projected graph"):
        gml_db.execute_query(
            "CALL gml.dfs.stream({nodeLabels: ['GmlWalk'], sourceNode: 987654321})"
        )
