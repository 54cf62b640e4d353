"""The GDS documentation examples of the path-finding catalogue, run from Cypher, with GDS's
documented answers: ``astar.adoc``, ``yens.adoc``, ``delta-single-source.adoc``,
``bellman-ford-single-source.adoc``, ``all-pairs-shortest-path.adoc``,
``dag/topological-sort.adoc``, ``dag/longest-path.adoc``, ``minimum-weight-spanning-tree.adoc``,
``k-minimum-weight-spanning-tree.adoc``, ``directed-steiner-tree.adoc`` and (GDS 2.27)
``max-flow.adoc``.

Each doc graph is created with labels unique to this file (``Gml...C``) and every call projects
its own graph (``nodeLabels``/``relationshipTypes``, ``orientation: 'UNDIRECTED'`` where GDS
projects ``undirectedRelationshipTypes``). Costs and totals are sums of the documented integer
weights, so exact; A*'s decimal distances (0.7 + 1.3 + 1.3) are compared to ``1e-12`` relative,
and flows to GDS's own tolerance ``1e-6``. Where GDS numbers the rows by its internal node order
(``dag.longestPath``'s index, ``kSpanningTree``'s partition), the graph is created in the order
GDS's projection numbers it, or the root is compared as the Neo4j id GDS's id stands for.
"""

from __future__ import annotations

from typing import Any

import neo4j
import pytest

pytestmark = pytest.mark.neo4j

NAMES = "[id IN nodeIds | gml.util.asNode(id).name] AS names"


def _rows(db: neo4j.Driver, query: str, **params: Any) -> list[dict]:
    records, _, _ = db.execute_query(query, params)
    return [dict(r) for r in records]


def _count(db: neo4j.Driver, rel_type: str) -> int:
    return _rows(db, f"MATCH ()-[r:{rel_type}]->() RETURN count(r) AS n")[0]["n"]


# ------------------------------------------------------------------------------------ A*
STATIONS = """
CREATE (a:GmlStationC {name: 'Kings Cross',         latitude: 51.5308, longitude: -0.1238}),
       (b:GmlStationC {name: 'Euston',              latitude: 51.5282, longitude: -0.1337}),
       (c:GmlStationC {name: 'Camden Town',         latitude: 51.5392, longitude: -0.1426}),
       (d:GmlStationC {name: 'Mornington Crescent', latitude: 51.5342, longitude: -0.1387}),
       (e:GmlStationC {name: 'Kentish Town',        latitude: 51.5507, longitude: -0.1402}),
       (a)-[:CONNECTION {distance: 0.7}]->(b),
       (b)-[:CONNECTION {distance: 1.3}]->(c),
       (b)-[:CONNECTION {distance: 0.7}]->(d),
       (d)-[:CONNECTION {distance: 0.6}]->(c),
       (c)-[:CONNECTION {distance: 1.3}]->(e)
"""
ASTAR = (
    "MATCH (source:GmlStationC {{name: 'Kings Cross'}}), (target:GmlStationC {{name: 'Kentish "
    "Town'}}) CALL gml.shortestPath.astar.{mode}({{nodeLabels: ['GmlStationC'], "
    "relationshipTypes: ['CONNECTION'], sourceNode: source, targetNode: target, "
    "latitudeProperty: 'latitude', longitudeProperty: 'longitude', "
    "relationshipWeightProperty: 'distance'{extra}}}) "
)


def test_astar_stream_stats_and_write_as_documented(gml_db: neo4j.Driver) -> None:
    gml_db.execute_query(STATIONS)
    rows = _rows(
        gml_db,
        ASTAR.format(mode="stream", extra="")
        + "YIELD index, sourceNode, targetNode, totalCost, nodeIds, costs, path RETURN index, "
        "gml.util.asNode(sourceNode).name AS source, gml.util.asNode(targetNode).name AS target, "
        f"totalCost, {NAMES}, costs, path, [n IN nodes(path) | n.name] AS pathNames, "
        "[r IN relationships(path) | type(r)] AS types ORDER BY index",
    )
    assert len(rows) == 1
    row = rows[0]
    path = row.pop("path")
    assert row == {
        "index": 0,
        "source": "Kings Cross",
        "target": "Kentish Town",
        "totalCost": pytest.approx(3.3, rel=1e-12),
        "names": ["Kings Cross", "Euston", "Camden Town", "Kentish Town"],
        "costs": pytest.approx([0.0, 0.7, 2.0, 3.3], rel=1e-12),
        "pathNames": ["Kings Cross", "Euston", "Camden Town", "Kentish Town"],
        "types": ["PATH_0"] * 3,
    }
    # each virtual relationship carries its step's cost (read on the client's Path object)
    assert [r["cost"] for r in path.relationships] == pytest.approx([0.7, 1.3, 1.3], rel=1e-12)
    stats = _rows(gml_db, ASTAR.format(mode="stats", extra="") + "YIELD pathCount RETURN pathCount")
    assert stats == [{"pathCount": 1}]

    write = (
        ASTAR.format(
            mode="write",
            extra=", writeRelationshipType: 'GML_ASTAR_PATH', writeNodeIds: true, writeCosts: true",
        )
        + "YIELD relationshipsWritten, pathCount RETURN relationshipsWritten, pathCount"
    )
    assert _rows(gml_db, write) == [{"relationshipsWritten": 1, "pathCount": 1}]
    assert _rows(gml_db, write) == [{"relationshipsWritten": 1, "pathCount": 1}]
    written = _rows(
        gml_db,
        "MATCH (a)-[r:GML_ASTAR_PATH]->(b) RETURN a.name AS a, b.name AS b, r.totalCost AS "
        "total, [id IN r.nodeIds | gml.util.asNode(id).name] AS names, r.costs AS costs",
    )
    assert written == [
        {
            "a": "Kings Cross",
            "b": "Kentish Town",
            "total": pytest.approx(3.3, rel=1e-12),
            "names": ["Kings Cross", "Euston", "Camden Town", "Kentish Town"],
            "costs": pytest.approx([0.0, 0.7, 2.0, 3.3], rel=1e-12),
        }
    ]


# ------------------------------------------------------------ Yen's, delta-stepping, all pairs
ROADS = """
CREATE (a:{label} {{name: 'A'}}), (b:{label} {{name: 'B'}}), (c:{label} {{name: 'C'}}),
       (d:{label} {{name: 'D'}}), (e:{label} {{name: 'E'}}), (f:{label} {{name: 'F'}}),
       (a)-[:ROAD {{cost: 50}}]->(b), (a)-[:ROAD {{cost: 50}}]->(c),
       (a)-[:ROAD {{cost: 100}}]->(d), (b)-[:ROAD {{cost: 40}}]->(d),
       (c)-[:ROAD {{cost: 40}}]->(d), (c)-[:ROAD {{cost: 80}}]->(e),
       (d)-[:ROAD {{cost: 30}}]->(e), (d)-[:ROAD {{cost: 80}}]->(f),
       (e)-[:ROAD {{cost: 40}}]->(f)
"""


def test_yens_stream_stats_and_mutate_as_documented(gml_db: neo4j.Driver) -> None:
    gml_db.execute_query(ROADS.format(label="GmlYensC"))
    call = (
        "MATCH (source:GmlYensC {{name: 'A'}}), (target:GmlYensC {{name: 'F'}}) "
        "CALL gml.shortestPath.yens.{mode}({graph}{{{projection}sourceNode: source, "
        "targetNode: target, k: 3, relationshipWeightProperty: 'cost'{extra}}}) "
    )
    projection = "nodeLabels: ['GmlYensC'], relationshipTypes: ['ROAD'], "
    rows = _rows(
        gml_db,
        call.format(mode="stream", graph="", projection=projection, extra="")
        + "YIELD index, sourceNode, targetNode, totalCost, nodeIds, costs, path RETURN index, "
        "gml.util.asNode(sourceNode).name AS source, gml.util.asNode(targetNode).name AS target, "
        f"totalCost, {NAMES}, costs, path, [n IN nodes(path) | n.name] AS pathNames, "
        "[r IN relationships(path) | type(r)] AS types ORDER BY index",
    )
    paths = [row.pop("path") for row in rows]
    expected = [
        (["A", "B", "D", "E", "F"], [0.0, 50.0, 90.0, 120.0, 160.0]),
        (["A", "C", "D", "E", "F"], [0.0, 50.0, 90.0, 120.0, 160.0]),
        (["A", "B", "D", "F"], [0.0, 50.0, 90.0, 170.0]),
    ]
    assert rows == [
        {
            "index": i,
            "source": "A",
            "target": "F",
            "totalCost": costs[-1],
            "names": names,
            "costs": costs,
            "pathNames": names,
            "types": [f"PATH_{i}"] * (len(names) - 1),
        }
        for i, (names, costs) in enumerate(expected)
    ]
    assert [[r["cost"] for r in p.relationships] for p in paths] == [
        [50.0, 40.0, 30.0, 40.0],
        [50.0, 40.0, 30.0, 40.0],
        [50.0, 40.0, 80.0],
    ]
    stats = call.format(mode="stats", graph="", projection=projection, extra="")
    assert _rows(gml_db, stats + "YIELD pathCount RETURN pathCount") == [{"pathCount": 3}]
    # GDS's mutate example (our Yen's has no write mode: writes merge one relationship per pair)
    gml_db.execute_query(
        "CALL gml.graph.project('gmlYensC', 'GmlYensC', {ROAD: {properties: 'cost'}})"
    )
    try:
        mutate = call.format(
            mode="mutate",
            graph="'gmlYensC', ",
            projection="",
            extra=", mutateRelationshipType: 'PATH'",
        )
        assert _rows(gml_db, mutate + "YIELD relationshipsWritten RETURN relationshipsWritten") == [
            {"relationshipsWritten": 3}
        ]
        totals = _rows(
            gml_db,
            "CALL gml.graph.relationshipProperties.stream('gmlYensC', ['totalCost'], ['PATH']) "
            "YIELD sourceNodeId, targetNodeId, propertyValue RETURN gml.util.asNode(sourceNodeId)"
            ".name AS a, gml.util.asNode(targetNodeId).name AS b, propertyValue AS c ORDER BY c",
        )
        assert [(r["a"], r["b"], r["c"]) for r in totals] == [
            ("A", "F", 160.0),
            ("A", "F", 160.0),
            ("A", "F", 170.0),
        ]
    finally:
        gml_db.execute_query("CALL gml.graph.drop('gmlYensC', false)")


DELTA_ROWS = [
    ("A", ["A"], [0.0]),
    ("B", ["A", "B"], [0.0, 50.0]),
    ("C", ["A", "C"], [0.0, 50.0]),
    ("D", ["A", "B", "D"], [0.0, 50.0, 90.0]),
    ("E", ["A", "B", "D", "E"], [0.0, 50.0, 90.0, 120.0]),
    ("F", ["A", "B", "D", "E", "F"], [0.0, 50.0, 90.0, 120.0, 160.0]),
]


def test_delta_stepping_stream_stats_and_write_as_documented(gml_db: neo4j.Driver) -> None:
    gml_db.execute_query(ROADS.format(label="GmlDeltaC"))
    call = (
        "MATCH (source:GmlDeltaC {{name: 'A'}}) CALL gml.allShortestPaths.delta.{mode}("
        "{{nodeLabels: ['GmlDeltaC'], relationshipTypes: ['ROAD'], sourceNode: source, "
        "relationshipWeightProperty: 'cost'{extra}}}) "
    )
    rows = _rows(
        gml_db,
        call.format(mode="stream", extra=", delta: 3.0")
        + "YIELD index, sourceNode, targetNode, totalCost, nodeIds, costs, path RETURN index, "
        "gml.util.asNode(sourceNode).name AS source, gml.util.asNode(targetNode).name AS target, "
        f"totalCost, {NAMES}, costs, [n IN nodes(path) | n.name] AS pathNames ORDER BY index",
    )
    assert rows == [
        {
            "index": i,
            "source": "A",
            "target": target,
            "totalCost": costs[-1],
            "names": names,
            "costs": costs,
            "pathNames": names,
        }
        for i, (target, names, costs) in enumerate(DELTA_ROWS)
    ]
    stats = call.format(mode="stats", extra="") + "YIELD pathCount RETURN pathCount"
    assert _rows(gml_db, stats) == [{"pathCount": 6}]
    write = call.format(
        mode="write",
        extra=", writeRelationshipType: 'GML_DELTA_PATH', writeNodeIds: true, writeCosts: true",
    )
    for _ in range(2):  # a second run replaces the relationships: still six
        assert _rows(gml_db, write + "YIELD relationshipsWritten RETURN relationshipsWritten") == [
            {"relationshipsWritten": 6}
        ]
    assert _count(gml_db, "GML_DELTA_PATH") == 6
    written = _rows(
        gml_db,
        "MATCH (a)-[r:GML_DELTA_PATH]->(b) RETURN a.name AS a, b.name AS b, r.totalCost AS "
        "total, [id IN r.nodeIds | gml.util.asNode(id).name] AS names, r.costs AS costs "
        "ORDER BY b",
    )
    assert written == [
        {"a": "A", "b": target, "total": costs[-1], "names": names, "costs": costs}
        for target, names, costs in DELTA_ROWS
    ]


def test_all_pairs_shortest_paths_as_documented(gml_db: neo4j.Driver) -> None:
    gml_db.execute_query(ROADS.format(label="GmlPairsC"))
    rows = _rows(
        gml_db,
        "CALL gml.allShortestPaths.stream({nodeLabels: ['GmlPairsC'], relationshipTypes: "
        "['ROAD'], orientation: 'UNDIRECTED', relationshipWeightProperty: 'cost'}) "
        "YIELD sourceNodeId, targetNodeId, distance "
        "WITH gml.util.asNode(sourceNodeId) AS source, gml.util.asNode(targetNodeId) AS target, "
        "distance WHERE source <> target "
        "RETURN source.name AS source, target.name AS target, distance "
        "ORDER BY distance DESC, source ASC, target ASC LIMIT 10",
    )
    assert [(r["source"], r["target"], r["distance"]) for r in rows] == [
        ("A", "F", 160.0),
        ("F", "A", 160.0),
        ("A", "E", 120.0),
        ("E", "A", 120.0),
        ("B", "F", 110.0),
        ("C", "F", 110.0),
        ("F", "B", 110.0),
        ("F", "C", 110.0),
        ("A", "D", 90.0),
        ("D", "A", 90.0),
    ]
    every = _rows(
        gml_db,
        "CALL gml.allShortestPaths.stream({nodeLabels: ['GmlPairsC'], relationshipTypes: "
        "['ROAD'], orientation: 'UNDIRECTED', relationshipWeightProperty: 'cost'}) "
        "YIELD sourceNodeId RETURN count(*) AS n",
    )
    assert every == [{"n": 36}]  # every ordered pair of the connected six, each to itself too


# --------------------------------------------------------------------------- Bellman-Ford
BELLMAN = """
CREATE (a:GmlBellmanC {name: 'A'}), (b:GmlBellmanC {name: 'B'}), (c:GmlBellmanC {name: 'C'}),
       (d:GmlBellmanC {name: 'D'}), (e:GmlBellmanC {name: 'E'}), (f:GmlBellmanC {name: 'F'}),
       (g:GmlBellmanC {name: 'G'}), (h:GmlBellmanC {name: 'H'}), (i:GmlBellmanC {name: 'I'}),
       (a)-[:REL {cost: 50}]->(b), (a)-[:REL {cost: -50}]->(c), (a)-[:REL {cost: 100}]->(d),
       (b)-[:REL {cost: 40}]->(d), (c)-[:REL {cost: 40}]->(d), (c)-[:REL {cost: 80}]->(e),
       (d)-[:REL {cost: 30}]->(e), (d)-[:REL {cost: 80}]->(f), (e)-[:REL {cost: 40}]->(f),
       (g)-[:REL {cost: 40}]->(h), (h)-[:REL {cost: -60}]->(i), (i)-[:REL {cost: 10}]->(g)
"""
BELLMAN_CALL = (
    "MATCH (source:GmlBellmanC {{name: '{source}'}}) CALL gml.bellmanFord.{mode}({{nodeLabels: "
    "['GmlBellmanC'], relationshipTypes: ['REL'], sourceNode: source, "
    "relationshipWeightProperty: 'cost'{extra}}}) "
)
BELLMAN_YIELD = (
    "YIELD index, sourceNode, targetNode, totalCost, nodeIds, costs, route, isNegativeCycle "
    "RETURN index, gml.util.asNode(sourceNode).name AS source, gml.util.asNode(targetNode).name "
    f"AS target, totalCost, {NAMES}, costs, route, [n IN nodes(route) | n.name] AS routeNames, "
    "[r IN relationships(route) | type(r)] AS types, isNegativeCycle ORDER BY index"
)
BELLMAN_WRITTEN = (
    "YIELD relationshipsWritten, containsNegativeCycle "
    "RETURN relationshipsWritten, containsNegativeCycle"
)
BELLMAN_ROWS = [
    ("A", ["A"], [0.0]),
    ("B", ["A", "B"], [0.0, 50.0]),
    ("C", ["A", "C"], [0.0, -50.0]),
    ("D", ["A", "C", "D"], [0.0, -50.0, -10.0]),
    ("E", ["A", "C", "D", "E"], [0.0, -50.0, -10.0, 20.0]),
    ("F", ["A", "C", "D", "E", "F"], [0.0, -50.0, -10.0, 20.0, 60.0]),
]


def _steps(costs: list[float]) -> list[float]:
    return [b - a for a, b in zip(costs, costs[1:], strict=False)]


def test_bellman_ford_stream_and_stats_as_documented(gml_db: neo4j.Driver) -> None:
    gml_db.execute_query(BELLMAN)
    rows = _rows(gml_db, BELLMAN_CALL.format(source="A", mode="stream", extra="") + BELLMAN_YIELD)
    routes = [row.pop("route") for row in rows]
    assert rows == [
        {
            "index": i,
            "source": "A",
            "target": target,
            "totalCost": costs[-1],
            "names": names,
            "costs": costs,
            "routeNames": names,
            "types": [f"PATH_{i}"] * (len(names) - 1),
            "isNegativeCycle": False,
        }
        for i, (target, names, costs) in enumerate(BELLMAN_ROWS)
    ]
    assert [[r["cost"] for r in route.relationships] for route in routes] == [
        _steps(costs) for _, _, costs in BELLMAN_ROWS
    ]
    # the component of G holds the negative cycle G -> H -> I -> G: one row, the cycle
    cycle = _rows(gml_db, BELLMAN_CALL.format(source="G", mode="stream", extra="") + BELLMAN_YIELD)
    route = cycle[0].pop("route")
    assert cycle == [
        {
            "index": 0,
            "source": "G",
            "target": "G",
            "totalCost": -10.0,
            "names": ["G", "H", "I", "G"],
            "costs": [0.0, 40.0, -20.0, -10.0],
            "routeNames": ["G", "H", "I", "G"],
            "types": ["PATH_0"] * 3,
            "isNegativeCycle": True,
        }
    ]
    assert [r["cost"] for r in route.relationships] == [40.0, -60.0, 10.0]
    for source, negative, count in (("A", False, 6), ("G", True, 1)):
        stats = BELLMAN_CALL.format(source=source, mode="stats", extra="")
        assert _rows(
            gml_db,
            stats + "YIELD containsNegativeCycle, pathCount RETURN containsNegativeCycle, "
            "pathCount",
        ) == [{"containsNegativeCycle": negative, "pathCount": count}]


def test_bellman_ford_write_as_documented(gml_db: neo4j.Driver) -> None:
    gml_db.execute_query(BELLMAN)
    write = (
        BELLMAN_CALL.format(
            source="A",
            mode="write",
            extra=", writeRelationshipType: 'GML_ROUTE', writeNodeIds: true, writeCosts: true",
        )
        + BELLMAN_WRITTEN
    )
    for _ in range(2):
        assert _rows(gml_db, write) == [{"relationshipsWritten": 6, "containsNegativeCycle": False}]
    assert _count(gml_db, "GML_ROUTE") == 6
    written = _rows(
        gml_db,
        "MATCH (a)-[r:GML_ROUTE]->(b) RETURN a.name AS a, b.name AS b, r.totalCost AS total, "
        "[id IN r.nodeIds | gml.util.asNode(id).name] AS names, r.costs AS costs ORDER BY b",
    )
    assert written == [
        {"a": "A", "b": target, "total": costs[-1], "names": names, "costs": costs}
        for target, names, costs in BELLMAN_ROWS
    ]


def test_bellman_ford_writes_negative_cycles_on_request_as_documented(
    gml_db: neo4j.Driver,
) -> None:
    gml_db.execute_query(BELLMAN)
    write = (
        BELLMAN_CALL.format(
            source="G",
            mode="write",
            extra=", writeRelationshipType: 'GML_CYCLE', writeNodeIds: true, writeCosts: true, "
            "writeNegativeCycles: true",
        )
        + BELLMAN_WRITTEN
    )
    assert _rows(gml_db, write) == [{"relationshipsWritten": 1, "containsNegativeCycle": True}]
    written = _rows(
        gml_db,
        "MATCH (a)-[r:GML_CYCLE]->(b) RETURN a.name AS a, b.name AS b, r.totalCost AS total, "
        "r.costs AS costs",
    )
    assert written == [{"a": "G", "b": "G", "total": -10.0, "costs": [0.0, 40.0, -20.0, -10.0]}]


def test_bellman_ford_writes_no_negative_cycle_by_default_as_documented(
    gml_db: neo4j.Driver,
) -> None:
    gml_db.execute_query(BELLMAN)
    write = (
        BELLMAN_CALL.format(source="G", mode="write", extra=", writeRelationshipType: 'GML_CYCLE'")
        + BELLMAN_WRITTEN
    )
    assert _rows(gml_db, write) == [{"relationshipsWritten": 0, "containsNegativeCycle": True}]
    assert _count(gml_db, "GML_CYCLE") == 0


# ------------------------------------------------------------------------------ DAG procedures
def test_topological_sort_as_documented(gml_db: neo4j.Driver) -> None:
    gml_db.execute_query(
        "CREATE (n0:GmlPartC {name: 'Cement'}), (n1:GmlPartC {name: 'Base'}), "
        "(n2:GmlPartC {name: 'Skeleton'}), (n3:GmlPartC {name: 'Steel'}), "
        "(n4:GmlPartC {name: 'Support'}), (n5:GmlPartC {name: 'Door'}), "
        "(n6:GmlPartC {name: 'House'}), (n0)-[:REQUIRED]->(n1), (n1)-[:REQUIRED]->(n2), "
        "(n3)-[:REQUIRED]->(n4), (n4)-[:REQUIRED]->(n2), (n2)-[:REQUIRED]->(n5), "
        "(n5)-[:REQUIRED]->(n6)"
    )
    call = (
        "CALL gml.dag.topologicalSort.{mode}({{nodeLabels: ['GmlPartC'], relationshipTypes: "
        "['REQUIRED']{extra}}}) "
    )
    rows = _rows(
        gml_db,
        call.format(mode="stream", extra=", computeMaxDistanceFromSource: true")
        + "YIELD nodeId, maxDistanceFromSource RETURN gml.util.asNode(nodeId).name AS name, "
        "maxDistanceFromSource ORDER BY maxDistanceFromSource, name",
    )
    assert [(r["name"], r["maxDistanceFromSource"]) for r in rows] == [
        ("Cement", 0.0),
        ("Steel", 0.0),
        ("Base", 1.0),
        ("Support", 1.0),
        ("Skeleton", 2.0),
        ("Door", 3.0),
        ("House", 4.0),
    ]
    # the documentation sorts the rows; the stream's own order is a topological order
    order = _rows(
        gml_db,
        call.format(mode="stream", extra="")
        + "YIELD nodeId, maxDistanceFromSource RETURN gml.util.asNode(nodeId).name AS name, "
        "maxDistanceFromSource",
    )
    rank = {r["name"]: i for i, r in enumerate(order)}
    edges = _rows(
        gml_db,
        "MATCH (a:GmlPartC)-[:REQUIRED]->(b:GmlPartC) RETURN a.name AS a, b.name AS b",
    )
    assert len(rank) == 7 and all(rank[e["a"]] < rank[e["b"]] for e in edges)
    assert {r["maxDistanceFromSource"] for r in order} == {None}  # not asked for
    stats = call.format(mode="stats", extra="") + "YIELD sortedNodes RETURN sortedNodes"
    assert _rows(gml_db, stats) == [{"sortedNodes": 7}]


def test_longest_path_as_documented(gml_db: neo4j.Driver) -> None:
    # created in the order GDS's documented projection numbers the nodes (MATCH (n) OPTIONAL
    # MATCH (n)-->(target): Timber, Lumber, then Lumber's target Table Maker, Screws, Table),
    # so that the index column (GDS: by internal target id) can be compared as documented
    gml_db.execute_query(
        "CREATE (n0:GmlGoodsC {name: 'Timber'}), (n1:GmlGoodsC {name: 'Lumber'}), "
        "(n3:GmlWorkshopC {name: 'Table Maker'}), (n2:GmlGoodsC {name: 'Screws'}), "
        "(n4:GmlProductC {name: 'Table'}), (n0)-[:Processing {time: 1}]->(n1), "
        "(n1)-[:Shipment {time: 0}]->(n3), (n2)-[:Shipment {time: 3}]->(n3), "
        "(n3)-[:Processing {time: 1}]->(n4)"
    )
    call = (
        "CALL gml.dag.longestPath.{mode}({{nodeLabels: ['GmlGoodsC', 'GmlWorkshopC', "
        "'GmlProductC'], relationshipTypes: ['Processing', 'Shipment'], "
        "relationshipWeightProperty: 'time'{extra}}}) "
    )
    rows = _rows(
        gml_db,
        call.format(mode="stream", extra="")
        + "YIELD index, sourceNode, targetNode, totalCost, nodeIds, costs, path RETURN index, "
        "gml.util.asNode(sourceNode).name AS source, gml.util.asNode(targetNode).name AS target, "
        f"totalCost, {NAMES}, costs, [n IN nodes(path) | n.name] AS pathNames ORDER BY index",
    )
    documented = [
        ("Timber", "Timber", 0.0, ["Timber"], [0.0]),
        ("Timber", "Lumber", 1.0, ["Timber", "Lumber"], [0.0, 1.0]),
        ("Screws", "Table Maker", 3.0, ["Screws", "Table Maker"], [0.0, 3.0]),
        ("Screws", "Screws", 0.0, ["Screws"], [0.0]),
        ("Screws", "Table", 4.0, ["Screws", "Table Maker", "Table"], [0.0, 3.0, 4.0]),
    ]
    assert rows == [
        {
            "index": i,
            "source": source,
            "target": target,
            "totalCost": total,
            "names": names,
            "costs": costs,
            "pathNames": names,
        }
        for i, (source, target, total, names, costs) in enumerate(documented)
    ]
    stats = call.format(mode="stats", extra="") + "YIELD pathCount RETURN pathCount"
    assert _rows(gml_db, stats) == [{"pathCount": 5}]


# ------------------------------------------------------------------------------ spanning trees
PLACES = """
CREATE (a:{label} {{id: 'A'}}), (b:{label} {{id: 'B'}}), (c:{label} {{id: 'C'}}),
       (d:{label} {{id: 'D'}}), (e:{label} {{id: 'E'}}), (f:{label} {{id: 'F'}}),
       (g:{label} {{id: 'G'}}),
       (d)-[:LINK {{cost: 4}}]->(b), (d)-[:LINK {{cost: 6}}]->(e), (b)-[:LINK {{cost: 1}}]->(a),
       (b)-[:LINK {{cost: 3}}]->(c), (a)-[:LINK {{cost: 2}}]->(c), (c)-[:LINK {{cost: 5}}]->(e),
       (f)-[:LINK {{cost: 1}}]->(g)
"""
SPANNING = (
    "MATCH (n:GmlPlaceC {{id: 'D'}}) CALL gml.spanningTree.{mode}({{nodeLabels: ['GmlPlaceC'], "
    "relationshipTypes: ['LINK'], orientation: 'UNDIRECTED', sourceNode: n, "
    "relationshipWeightProperty: 'cost'{extra}}}) "
)


def test_spanning_tree_stream_stats_and_write_as_documented(gml_db: neo4j.Driver) -> None:
    gml_db.execute_query(PLACES.format(label="GmlPlaceC"))
    rows = _rows(
        gml_db,
        SPANNING.format(mode="stream", extra="")
        + "YIELD nodeId, parentId, weight RETURN gml.util.asNode(nodeId).id AS node, "
        "gml.util.asNode(parentId).id AS parent, weight ORDER BY node",
    )
    assert [(r["node"], r["parent"], r["weight"]) for r in rows] == [
        ("A", "B", 1.0),
        ("B", "D", 4.0),
        ("C", "A", 2.0),
        ("D", "D", 0.0),
        ("E", "C", 5.0),
    ]
    stats = "YIELD effectiveNodeCount, totalWeight RETURN effectiveNodeCount, totalWeight"
    assert _rows(gml_db, SPANNING.format(mode="stats", extra="") + stats) == [
        {"effectiveNodeCount": 5, "totalWeight": 12.0}
    ]
    maximum = SPANNING.format(mode="stats", extra=", objective: 'maximum'")
    assert _rows(gml_db, maximum + "YIELD totalWeight RETURN totalWeight") == [
        {"totalWeight": 17.0}
    ]
    write = SPANNING.format(
        mode="write", extra=", writeProperty: 'writeCost', writeRelationshipType: 'GML_MINST'"
    ) + (
        "YIELD effectiveNodeCount, totalWeight, relationshipsWritten "
        "RETURN effectiveNodeCount, totalWeight, relationshipsWritten"
    )
    for _ in range(2):
        assert _rows(gml_db, write) == [
            {"effectiveNodeCount": 5, "totalWeight": 12.0, "relationshipsWritten": 4}
        ]
    assert _count(gml_db, "GML_MINST") == 4
    written = _rows(
        gml_db,
        "MATCH path = (n:GmlPlaceC {id: 'D'})-[:GML_MINST*]-() "
        "WITH relationships(path) AS rels UNWIND rels AS rel WITH DISTINCT rel AS rel "
        "RETURN startNode(rel).id AS Source, endNode(rel).id AS Destination, "
        "rel.writeCost AS Cost",
    )
    assert sorted((r["Source"], r["Destination"], r["Cost"]) for r in written) == [
        ("A", "C", 2.0),
        ("B", "A", 1.0),
        ("C", "E", 5.0),
        ("D", "B", 4.0),
    ]


def test_k_spanning_tree_as_documented(gml_db: neo4j.Driver) -> None:
    gml_db.execute_query(PLACES.format(label="GmlKPlaceC"))
    ids = {
        r["place"]: r["id"]
        for r in _rows(gml_db, "MATCH (n:GmlKPlaceC) RETURN n.id AS place, id(n) AS id")
    }
    call = (
        "MATCH (n:GmlKPlaceC {{id: '{source}'}}) CALL gml.kSpanningTree.{mode}({{nodeLabels: "
        "['GmlKPlaceC'], relationshipTypes: ['LINK'], orientation: 'UNDIRECTED', k: 3, "
        "sourceNode: n, relationshipWeightProperty: 'cost'{extra}}}) "
    )
    tree_query = (
        "MATCH (n:GmlKPlaceC) WITH n.{prop} AS p, count(n) AS c WHERE c = 3 "
        "MATCH (n:GmlKPlaceC) WHERE n.{prop} = p RETURN n.id AS Place, p AS Partition "
        "ORDER BY Place"
    )
    # GDS's partition is its internal id of the tree's root (0 = A, 4 = D in its projection);
    # ours is the root's Neo4j id
    for source, prop, objective, places, weight in (
        ("A", "kmin", "", ["A", "B", "C"], 3.0),
        ("D", "kmax", ", objective: 'maximum'", ["C", "D", "E"], 11.0),
    ):
        write = call.format(
            source=source, mode="write", extra=f", writeProperty: '{prop}'{objective}"
        )
        for _ in range(2):
            assert _rows(
                gml_db,
                write + "YIELD effectiveNodeCount, nodePropertiesWritten "
                "RETURN effectiveNodeCount, nodePropertiesWritten",
            ) == [{"effectiveNodeCount": 3, "nodePropertiesWritten": 7}]
        assert _rows(gml_db, tree_query.format(prop=prop)) == [
            {"Place": place, "Partition": ids[source]} for place in places
        ]
        streamed = _rows(
            gml_db,
            call.format(source=source, mode="stream", extra=objective)
            + "YIELD nodeId, partition RETURN gml.util.asNode(nodeId).id AS place, partition",
        )
        # the tree's nodes share the root's id; every other node is its own root
        assert {r["place"]: r["partition"] for r in streamed} == {
            place: ids[source] if place in places else ids[place] for place in ids
        }
        stats = call.format(source=source, mode="stats", extra=objective)
        assert _rows(
            gml_db,
            stats + "YIELD effectiveNodeCount, totalWeight RETURN effectiveNodeCount, totalWeight",
        ) == [{"effectiveNodeCount": 3, "totalWeight": weight}]


# ------------------------------------------------------------------------------- Steiner tree
STEINER = """
CREATE (a:GmlSteinerC {id: 'A'}), (b:GmlSteinerC {id: 'B'}), (c:GmlSteinerC {id: 'C'}),
       (d:GmlSteinerC {id: 'D'}), (e:GmlSteinerC {id: 'E'}), (f:GmlSteinerC {id: 'F'}),
       (a)-[:LINK {cost: 10}]->(f), (a)-[:LINK {cost: 1}]->(b), (a)-[:LINK {cost: 7}]->(e),
       (b)-[:LINK {cost: 1}]->(c), (c)-[:LINK {cost: 4}]->(d), (c)-[:LINK {cost: 6}]->(e),
       (f)-[:LINK {cost: 3}]->(d)
"""
STEINER_CALL = (
    "MATCH (a:GmlSteinerC {{id: 'A'}}), (d:GmlSteinerC {{id: 'D'}}), (e:GmlSteinerC {{id: 'E'}}),"
    " (f:GmlSteinerC {{id: 'F'}}) CALL gml.steinerTree.{mode}({{nodeLabels: ['GmlSteinerC'], "
    "relationshipTypes: ['LINK'], sourceNode: a, targetNodes: [d, e, f], "
    "relationshipWeightProperty: 'cost'{extra}}}) "
)
TREE_YIELD = (
    "YIELD nodeId, parentId, weight RETURN gml.util.asNode(nodeId).id AS node, "
    "gml.util.asNode(parentId).id AS parent, weight ORDER BY node"
)


def test_steiner_tree_stream_stats_and_write_as_documented(gml_db: neo4j.Driver) -> None:
    gml_db.execute_query(STEINER)
    rows = _rows(gml_db, STEINER_CALL.format(mode="stream", extra="") + TREE_YIELD)
    assert [(r["node"], r["parent"], r["weight"]) for r in rows] == [
        ("A", "A", 0.0),
        ("B", "A", 1.0),
        ("C", "B", 1.0),
        ("D", "C", 4.0),
        ("E", "C", 6.0),
        ("F", "A", 10.0),
    ]
    by_id = _rows(
        gml_db,
        STEINER_CALL.replace(
            "sourceNode: a, targetNodes: [d, e, f]",
            "sourceNode: id(a), targetNodes: [id(d), id(e), id(f)]",
        ).format(mode="stream", extra="")
        + TREE_YIELD,
    )
    assert by_id == rows  # nodes or their ids
    stats = STEINER_CALL.format(mode="stats", extra="") + (
        "YIELD effectiveNodeCount, effectiveTargetNodesCount, totalWeight "
        "RETURN effectiveNodeCount, effectiveTargetNodesCount, totalWeight"
    )
    assert _rows(gml_db, stats) == [
        {"effectiveNodeCount": 6, "effectiveTargetNodesCount": 3, "totalWeight": 22.0}
    ]
    # simple rerouting: D's parent becomes F, 2 cheaper (GDS's extended rerouting needs an
    # inverse index, which our projections do not have)
    rerouted = _rows(
        gml_db, STEINER_CALL.format(mode="stream", extra=", applyRerouting: true") + TREE_YIELD
    )
    assert [(r["node"], r["parent"], r["weight"]) for r in rerouted] == [
        ("A", "A", 0.0),
        ("B", "A", 1.0),
        ("C", "B", 1.0),
        ("D", "F", 3.0),
        ("E", "C", 6.0),
        ("F", "A", 10.0),
    ]
    write = (
        STEINER_CALL.format(
            mode="write",
            extra=", writeProperty: 'steinerWeight', writeRelationshipType: 'GML_STEINER'",
        )
        + "YIELD effectiveNodeCount, relationshipsWritten "
        "RETURN effectiveNodeCount, relationshipsWritten"
    )
    for _ in range(2):
        assert _rows(gml_db, write) == [{"effectiveNodeCount": 6, "relationshipsWritten": 5}]
    assert _count(gml_db, "GML_STEINER") == 5
    written = _rows(
        gml_db,
        "MATCH path = (a:GmlSteinerC {id: 'A'})-[:GML_STEINER*]-() "
        "WITH relationships(path) AS rels UNWIND rels AS rel WITH DISTINCT rel AS rel "
        "RETURN startNode(rel).id AS Source, endNode(rel).id AS Destination, "
        "rel.steinerWeight AS weight ORDER BY Source, Destination",
    )
    assert [(r["Source"], r["Destination"], r["weight"]) for r in written] == [
        ("A", "B", 1.0),
        ("A", "F", 10.0),
        ("B", "C", 1.0),
        ("C", "D", 4.0),
        ("C", "E", 6.0),
    ]


# ----------------------------------------------------------------------------------- max flow
FLOW = """
CREATE (a:GmlFlowC {id: 'A', constraint: 9.0}), (b:GmlFlowC {id: 'B', constraint: 5.0}),
       (c:GmlFlowC {id: 'C'}), (d:GmlFlowC {id: 'D', constraint: 50.0}),
       (e:GmlFlowC {id: 'E', constraint: 10.0}), (f:GmlFlowC {id: 'F'}),
       (a)-[:LINK {capacity: 10}]->(f), (a)-[:LINK {capacity: 3}]->(b),
       (a)-[:LINK {capacity: 7}]->(e), (b)-[:LINK {capacity: 1}]->(c),
       (c)-[:LINK {capacity: 4}]->(d), (c)-[:LINK {capacity: 6}]->(e),
       (f)-[:LINK {capacity: 3}]->(d)
"""
FLOW_CALL = (
    "MATCH (a:GmlFlowC {{id: 'A'}}), (b:GmlFlowC {{id: 'B'}}), (d:GmlFlowC {{id: 'D'}}), "
    "(e:GmlFlowC {{id: 'E'}}) CALL gml.maxFlow.{mode}({{nodeLabels: ['GmlFlowC'], "
    "relationshipTypes: ['LINK'], capacityProperty: 'capacity'{extra}}}) "
)
FLOW_YIELD = (
    "YIELD source, target, flow RETURN gml.util.asNode(source).id AS src, "
    "gml.util.asNode(target).id AS tgt, flow ORDER BY src, tgt"
)
FLOW_ROWS = [("A", "B", 1.0), ("A", "F", 3.0), ("B", "C", 1.0), ("C", "D", 1.0), ("F", "D", 3.0)]


def _flows(rows: list[dict]) -> list[tuple[str, str, float]]:
    return [(r["src"], r["tgt"], r["flow"]) for r in rows]


def test_max_flow_stream_stats_and_write_as_documented(gml_db: neo4j.Driver) -> None:
    gml_db.execute_query(FLOW)
    one = ", sourceNodes: [a], targetNodes: [d]"
    rows = _rows(gml_db, FLOW_CALL.format(mode="stream", extra=one) + FLOW_YIELD)
    assert _flows(rows) == [(s, t, pytest.approx(f, abs=1e-6)) for s, t, f in FLOW_ROWS]
    # sources and targets as ids, or as a single node
    by_id = _rows(
        gml_db,
        FLOW_CALL.format(mode="stream", extra=", sourceNodes: [id(a)], targetNodes: id(d)")
        + FLOW_YIELD,
    )
    assert _flows(by_id) == _flows(rows)
    single = _rows(
        gml_db,
        FLOW_CALL.format(mode="stream", extra=", sourceNodes: a, targetNodes: d") + FLOW_YIELD,
    )
    assert _flows(single) == _flows(rows)
    stats = FLOW_CALL.format(mode="stats", extra=one) + "YIELD totalFlow RETURN totalFlow"
    assert _rows(gml_db, stats) == [{"totalFlow": pytest.approx(4.0, abs=1e-6)}]
    write = (
        FLOW_CALL.format(
            mode="write", extra=one + ", writeProperty: 'flow', writeRelationshipType: 'GML_FLOW'"
        )
        + "YIELD totalFlow, relationshipsWritten RETURN totalFlow, relationshipsWritten"
    )
    for _ in range(2):
        assert _rows(gml_db, write) == [
            {"totalFlow": pytest.approx(4.0, abs=1e-6), "relationshipsWritten": 5}
        ]
    assert _count(gml_db, "GML_FLOW") == 5
    written = _rows(
        gml_db,
        "MATCH (s:GmlFlowC)-[r:GML_FLOW]->(t:GmlFlowC) RETURN s.id AS src, t.id AS tgt, "
        "r.flow AS flow ORDER BY src, tgt",
    )
    assert _flows(written) == [(s, t, pytest.approx(f, abs=1e-6)) for s, t, f in FLOW_ROWS]


def test_max_flow_with_node_capacities_as_documented(gml_db: neo4j.Driver) -> None:
    gml_db.execute_query(FLOW)
    extra = ", sourceNodes: [a, b], targetNodes: [d, e], nodeCapacityProperty: 'constraint'"
    rows = _rows(gml_db, FLOW_CALL.format(mode="stream", extra=extra) + FLOW_YIELD)
    assert _flows(rows) == [
        (s, t, pytest.approx(f, abs=1e-6))
        for s, t, f in [
            ("A", "E", 7.0),
            ("A", "F", 2.0),
            ("B", "C", 1.0),
            ("C", "D", 1.0),
            ("F", "D", 2.0),
        ]
    ]
    stats = FLOW_CALL.format(mode="stats", extra=extra) + "YIELD totalFlow RETURN totalFlow"
    assert _rows(gml_db, stats) == [{"totalFlow": pytest.approx(10.0, abs=1e-6)}]


# ------------------------------------------------------------------------------ mutate mode
def _mutated(db: neo4j.Driver, graph: str, rel_type: str, prop: str) -> list[tuple]:
    rows = _rows(
        db,
        f"CALL gml.graph.relationshipProperties.stream('{graph}', ['{prop}'], ['{rel_type}']) "
        "YIELD sourceNodeId, targetNodeId, propertyValue RETURN coalesce(gml.util.asNode("
        "sourceNodeId).id, gml.util.asNode(sourceNodeId).name) AS a, coalesce(gml.util.asNode("
        "targetNodeId).id, gml.util.asNode(targetNodeId).name) AS b, propertyValue AS v",
    )
    return sorted((r["a"], r["b"], r["v"]) for r in rows)


def test_mutate_examples_as_documented(gml_db: neo4j.Driver) -> None:
    gml_db.execute_query(PLACES.format(label="GmlPlaceC"))
    gml_db.execute_query(STEINER)
    gml_db.execute_query(FLOW)
    gml_db.execute_query(BELLMAN)
    graphs = {
        "gmlSpanC": "'GmlPlaceC', {LINK: {orientation: 'UNDIRECTED', properties: 'cost'}}",
        "gmlSteinerC": "'GmlSteinerC', {LINK: {properties: 'cost'}}",
        "gmlFlowC": "'GmlFlowC', {LINK: {properties: 'capacity'}}",
        "gmlBellmanC": "'GmlBellmanC', {REL: {properties: 'cost'}}",
    }
    for name, projection in graphs.items():
        gml_db.execute_query(f"CALL gml.graph.project('{name}', {projection})")
    try:
        spanning = _rows(
            gml_db,
            "MATCH (n:GmlPlaceC {id: 'D'}) CALL gml.spanningTree.mutate('gmlSpanC', {sourceNode: "
            "n, relationshipWeightProperty: 'cost', mutateProperty: 'writeCost', "
            "mutateRelationshipType: 'MINST'}) YIELD relationshipsWritten RETURN "
            "relationshipsWritten",
        )
        assert spanning == [{"relationshipsWritten": 4}]
        assert _mutated(gml_db, "gmlSpanC", "MINST", "writeCost") == [
            ("A", "C", 2.0),
            ("B", "A", 1.0),
            ("C", "E", 5.0),
            ("D", "B", 4.0),
        ]
        steiner = _rows(
            gml_db,
            "MATCH (a:GmlSteinerC {id: 'A'}), (d:GmlSteinerC {id: 'D'}), (e:GmlSteinerC {id: 'E'}),"
            " (f:GmlSteinerC {id: 'F'}) CALL gml.steinerTree.mutate('gmlSteinerC', {sourceNode: "
            "a, targetNodes: [d, e, f], relationshipWeightProperty: 'cost', mutateProperty: "
            "'steinerWeight', mutateRelationshipType: 'STEINER'}) YIELD relationshipsWritten "
            "RETURN relationshipsWritten",
        )
        assert steiner == [{"relationshipsWritten": 5}]
        assert _mutated(gml_db, "gmlSteinerC", "STEINER", "steinerWeight") == [
            ("A", "B", 1.0),
            ("A", "F", 10.0),
            ("B", "C", 1.0),
            ("C", "D", 4.0),
            ("C", "E", 6.0),
        ]
        flow = _rows(
            gml_db,
            "MATCH (a:GmlFlowC {id: 'A'}), (d:GmlFlowC {id: 'D'}) CALL gml.maxFlow.mutate("
            "'gmlFlowC', {sourceNodes: [a], targetNodes: [d], capacityProperty: 'capacity', "
            "mutateProperty: 'flow', mutateRelationshipType: 'FLOW_REL'}) "
            "YIELD totalFlow, relationshipsWritten RETURN totalFlow, relationshipsWritten",
        )
        assert flow == [{"totalFlow": pytest.approx(4.0, abs=1e-6), "relationshipsWritten": 5}]
        assert _mutated(gml_db, "gmlFlowC", "FLOW_REL", "flow") == [
            (s, t, pytest.approx(f, abs=1e-6)) for s, t, f in FLOW_ROWS
        ]
        bellman = _rows(
            gml_db,
            "MATCH (source:GmlBellmanC {name: 'A'}) CALL gml.bellmanFord.mutate('gmlBellmanC', "
            "{sourceNode: source, relationshipWeightProperty: 'cost', mutateRelationshipType: "
            "'ROUTE'}) " + BELLMAN_WRITTEN,
        )
        assert bellman == [{"relationshipsWritten": 6, "containsNegativeCycle": False}]
        assert _mutated(gml_db, "gmlBellmanC", "ROUTE", "totalCost") == sorted(
            ("A", target, costs[-1]) for target, _, costs in BELLMAN_ROWS
        )
    finally:
        for name in graphs:
            gml_db.execute_query(f"CALL gml.graph.drop('{name}', false)")


# ------------------------------------------------------------------------------------- errors
def _refused(db: neo4j.Driver, key: str, query: str, then: str = "") -> None:
    """The call fails with our message about ``key`` (not merely a list of valid keys)."""
    with pytest.raises(neo4j.exceptions.ClientError, match=f"config key '{key}'{then}"):
        db.execute_query(query)


def test_errors_name_the_config_key(gml_db: neo4j.Driver) -> None:
    gml_db.execute_query(ROADS.format(label="GmlErrC"))
    gml_db.execute_query(
        "MATCH (b:GmlErrC {name: 'B'}), (d:GmlErrC {name: 'D'}) "
        "CREATE (b)-[:NEG {cost: -1}]->(d), (b)-[:NEG {cost: 2}]->(d) "
        "WITH 1 AS one MATCH (n:GmlErrC) SET n.lat = 51.5, n.lon = -0.1"
    )
    roads = (
        "nodeLabels: ['GmlErrC'], relationshipTypes: ['ROAD'], relationshipWeightProperty: 'cost'"
    )
    a_f = "MATCH (a:GmlErrC {name: 'A'}), (f:GmlErrC {name: 'F'}) "
    for call in (
        f"gml.spanningTree.stream({{{roads}}}) YIELD nodeId",
        f"gml.kSpanningTree.stream({{{roads}, k: 2}}) YIELD nodeId",
        f"gml.allShortestPaths.delta.stream({{{roads}}}) YIELD index",
        f"gml.bellmanFord.stream({{{roads}}}) YIELD index",
        f"gml.shortestPath.yens.stream({{{roads}, targetNode: f, k: 2}}) YIELD index",
    ):
        _refused(gml_db, "sourceNode", f"{a_f}CALL {call} RETURN 1")
    _refused(
        gml_db,
        "targetNodes",
        f"{a_f}CALL gml.steinerTree.stream({{{roads}, sourceNode: a}}) YIELD nodeId RETURN 1",
    )
    _refused(
        gml_db,
        "k",
        f"{a_f}CALL gml.shortestPath.yens.stream({{{roads}, sourceNode: a, targetNode: f, k: 0}})"
        " YIELD index RETURN 1",
    )
    _refused(
        gml_db,
        "capacityProperty",
        f"{a_f}CALL gml.maxFlow.stream({{nodeLabels: ['GmlErrC'], relationshipTypes: ['ROAD'], "
        "sourceNodes: [a], targetNodes: [f]}) YIELD flow RETURN 1",
    )
    # a negative weight: refused by the Dijkstra-like procedures, not by Bellman-Ford
    negative = (
        "nodeLabels: ['GmlErrC'], relationshipTypes: ['ROAD', 'NEG'], "
        "relationshipWeightProperty: 'cost', sourceNode: a"
    )
    for call in (
        f"gml.shortestPath.yens.stream({{{negative}, targetNode: f, k: 2}}) YIELD index",
        f"gml.allShortestPaths.delta.stream({{{negative}}}) YIELD index",
        "gml.shortestPath.astar.stream({" + negative + ", targetNode: f, latitudeProperty: "
        "'lat', longitudeProperty: 'lon'}) YIELD index",
        f"gml.steinerTree.stream({{{negative}, targetNodes: [f]}}) YIELD nodeId",
        f"gml.dag.longestPath.stream({{{negative.removesuffix(', sourceNode: a')}}}) YIELD index",
    ):
        _refused(
            gml_db, "relationshipWeightProperty", f"{a_f}CALL {call} RETURN 1", ".*non-negative"
        )
    rows = _rows(
        gml_db,
        f"{a_f}CALL gml.bellmanFord.stream({{{negative}}}) YIELD targetNode, totalCost "
        "WHERE targetNode = id(f) RETURN totalCost",
    )
    assert rows == [{"totalCost": 119.0}]  # A -> B -> D (the -1 arc) -> E -> F
