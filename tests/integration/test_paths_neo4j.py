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


def test_the_path_column_is_a_cypher_path_of_virtual_relationships(gml_db: neo4j.Driver) -> None:
    """GDS's ``path``: the stored nodes, joined by relationships that exist only in the result
    (``PATH_<index>`` with each step's cost; ``NEXT`` for traversals); nothing is written."""
    gml_db.execute_query(ROADS)
    before = _rows(gml_db, "MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]
    rows = _rows(
        gml_db,
        "MATCH (a:GmlRoadT {name: 'A'}), (f:GmlRoadT {name: 'F'}) "
        "CALL gml.shortestPath.dijkstra.stream({nodeLabels: ['GmlRoadT'], "
        "relationshipWeightProperty: 'cost', sourceNode: a, targetNode: f}) YIELD path "
        "RETURN path, [n IN nodes(path) | n.name] AS names, [r IN relationships(path) | type(r)]"
        " AS types, length(path) AS hops, [r IN relationships(path) | id(r) < 0] AS virtual",
    )
    assert len(rows) == 1
    path = rows[0].pop("path")
    assert rows == [
        {
            "names": ["A", "B", "D", "E", "F"],
            "types": ["PATH_0"] * 4,
            "hops": 4,
            "virtual": [True] * 4,
        }
    ]
    # what a client (Browser, Bloom, a driver) receives: each step's cost on its relationship
    # (inside Cypher, r.cost reads the store, where a virtual relationship has nothing: as in GDS)
    assert [r["cost"] for r in path.relationships] == [50.0, 40.0, 30.0, 40.0]
    assert [n["name"] for n in path.nodes] == ["A", "B", "D", "E", "F"]
    source = _rows(
        gml_db,
        "MATCH (a:GmlRoadT {name: 'A'}) CALL gml.allShortestPaths.dijkstra.stream({nodeLabels: "
        "['GmlRoadT'], relationshipWeightProperty: 'cost', sourceNode: a}) YIELD index, path "
        "RETURN index, length(path) AS hops, [r IN relationships(path) | type(r)] AS types "
        "ORDER BY index LIMIT 2",
    )
    assert source == [
        {"index": 0, "hops": 0, "types": []},  # the source itself: a path of one node
        {"index": 1, "hops": 1, "types": ["PATH_1"]},
    ]
    walk = _rows(
        gml_db,
        "MATCH (a:GmlRoadT {name: 'A'}) CALL gml.bfs.stream({nodeLabels: ['GmlRoadT'], "
        "sourceNode: a}) YIELD path RETURN [n IN nodes(path) | n.name] AS names, "
        "[r IN relationships(path) | type(r)] AS types",
    )
    assert walk == [{"names": ["A", "B", "C", "D", "E", "F"], "types": ["NEXT"] * 5}]
    assert _rows(gml_db, "MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"] == before


def test_write_mode_adds_one_relationship_per_path_as_gds_does(gml_db: neo4j.Driver) -> None:
    gml_db.execute_query(ROADS)
    config = (
        "nodeLabels: ['GmlRoadT'], relationshipTypes: ['ROAD'], relationshipWeightProperty: "
        "'cost', sourceNode: a, targetNode: f, writeRelationshipType: 'GML_PATH', "
        "writeNodeIds: true, writeCosts: true"
    )
    query = (
        "MATCH (a:GmlRoadT {name: 'A'}), (f:GmlRoadT {name: 'F'}) "
        f"CALL gml.shortestPath.dijkstra.write({{{config}}}) YIELD relationshipsWritten, "
        "pathCount RETURN relationshipsWritten, pathCount"
    )
    assert _rows(gml_db, query) == [{"relationshipsWritten": 1, "pathCount": 1}]
    assert _rows(gml_db, query) == [{"relationshipsWritten": 1, "pathCount": 1}]  # no duplicate
    written = _rows(
        gml_db,
        "MATCH (a)-[r:GML_PATH]->(b) RETURN a.name AS a, b.name AS b, r.totalCost AS total, "
        "[id IN r.nodeIds | gml.util.asNode(id).name] AS names, r.costs AS costs",
    )
    assert written == [
        {
            "a": "A",
            "b": "F",
            "total": 160.0,
            "names": ["A", "B", "D", "E", "F"],
            "costs": [0.0, 50.0, 90.0, 120.0, 160.0],
        }
    ]
    with pytest.raises(neo4j.exceptions.ClientError, match="writeRelationshipType"):
        gml_db.execute_query(
            "MATCH (a:GmlRoadT {name: 'A'}) CALL gml.allShortestPaths.dijkstra.write("
            "{nodeLabels: ['GmlRoadT'], sourceNode: a}) YIELD relationshipsWritten RETURN 1"
        )
    every = _rows(
        gml_db,
        "MATCH (a:GmlRoadT {name: 'A'}) CALL gml.allShortestPaths.dijkstra.write({nodeLabels: "
        "['GmlRoadT'], relationshipTypes: ['ROAD'], relationshipWeightProperty: 'cost', "
        "sourceNode: a, "
        "writeRelationshipType: 'GML_FROM_A'}) YIELD relationshipsWritten "
        "RETURN relationshipsWritten",
    )
    assert every == [{"relationshipsWritten": 6}]  # the source's own (0.0) included, as in GDS
    totals = _rows(
        gml_db,
        "MATCH (:GmlRoadT {name: 'A'})-[r:GML_FROM_A]->(b) RETURN b.name AS b, r.totalCost AS c "
        "ORDER BY b",
    )
    assert [(r["b"], r["c"]) for r in totals] == [
        ("A", 0.0),
        ("B", 50.0),
        ("C", 50.0),
        ("D", 90.0),
        ("E", 120.0),
        ("F", 160.0),
    ]


def test_mutate_mode_adds_the_paths_to_a_named_graph(gml_db: neo4j.Driver) -> None:
    gml_db.execute_query(ROADS)
    gml_db.execute_query(
        "CALL gml.graph.project('gmlRoads', 'GmlRoadT', {ROAD: {properties: 'cost'}})"
    )
    try:
        rows = _rows(
            gml_db,
            "MATCH (a:GmlRoadT {name: 'A'}) CALL gml.allShortestPaths.dijkstra.mutate("
            "'gmlRoads', {relationshipWeightProperty: 'cost', sourceNode: a, "
            "mutateRelationshipType: 'FROM_A'}) YIELD relationshipsWritten "
            "RETURN relationshipsWritten",
        )
        assert rows == [{"relationshipsWritten": 6}]
        streamed = _rows(
            gml_db,
            "CALL gml.graph.relationshipProperties.stream('gmlRoads', ['totalCost'], ['FROM_A']) "
            "YIELD targetNodeId, propertyValue "
            "RETURN gml.util.asNode(targetNodeId).name AS b, propertyValue AS c ORDER BY b",
        )
        assert [(r["b"], r["c"]) for r in streamed] == [
            ("A", 0.0),
            ("B", 50.0),
            ("C", 50.0),
            ("D", 90.0),
            ("E", 120.0),
            ("F", 160.0),
        ]
    finally:
        gml_db.execute_query("CALL gml.graph.drop('gmlRoads', false)")


def test_random_walks_from_cypher_are_next_paths_of_the_graph(gml_db: neo4j.Driver) -> None:
    gml_db.execute_query(ROADS)
    rows = _rows(
        gml_db,
        "MATCH (a:GmlRoadT {name: 'A'}), (c:GmlRoadT {name: 'C'}) "
        "CALL gml.randomWalk.stream({nodeLabels: ['GmlRoadT'], orientation: 'UNDIRECTED', "
        "sourceNodes: [a, c], walkLength: 4, walksPerNode: 5, randomSeed: 7}) YIELD nodeIds, path "
        "RETURN [n IN nodes(path) | n.name] AS names, [r IN relationships(path) | type(r)] AS "
        "types, [id IN nodeIds | gml.util.asNode(id).name] AS walked",
    )
    roads = {frozenset(p) for p in ["AB", "AC", "AD", "BD", "CD", "CE", "DE", "DF", "EF"]}
    assert len(rows) == 10 and sorted(r["names"][0] for r in rows) == ["A"] * 5 + ["C"] * 5
    for row in rows:
        assert row["names"] == row["walked"] and len(row["names"]) == 4
        assert row["types"] == ["NEXT"] * 3
        assert all(frozenset(p) in roads for p in zip(row["names"], row["names"][1:], strict=False))


def test_yens_writes_one_relationship_per_path_and_a_rerun_matches_them(
    gml_db: neo4j.Driver,
) -> None:
    """GDS writes k relationships between the same two nodes; each carries its index, which
    the merge matches, so running the write again leaves the same three."""
    gml_db.execute_query(ROADS)
    query = (
        "MATCH (a:GmlRoadT {name: 'A'}), (f:GmlRoadT {name: 'F'}) "
        "CALL gml.shortestPath.yens.write({nodeLabels: ['GmlRoadT'], relationshipTypes: ['ROAD'], "
        "relationshipWeightProperty: 'cost', sourceNode: a, targetNode: f, k: 3, "
        "writeRelationshipType: 'GML_ALT', writeNodeIds: true}) YIELD relationshipsWritten "
        "RETURN relationshipsWritten"
    )
    for _ in range(2):
        assert _rows(gml_db, query) == [{"relationshipsWritten": 3}]
    written = _rows(
        gml_db,
        "MATCH (:GmlRoadT {name: 'A'})-[r:GML_ALT]->(:GmlRoadT {name: 'F'}) RETURN r.index AS i, "
        "r.totalCost AS c, [id IN r.nodeIds | gml.util.asNode(id).name] AS names ORDER BY i",
    )
    assert written == [
        {"i": 0, "c": 160.0, "names": ["A", "B", "D", "E", "F"]},
        {"i": 1, "c": 160.0, "names": ["A", "C", "D", "E", "F"]},
        {"i": 2, "c": 170.0, "names": ["A", "B", "D", "F"]},
    ]
