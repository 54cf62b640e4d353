"""SLLPA's lists through Cypher: write sets a list of a different length per node, mutate adds a
list property to a named graph, and the catalog streams, writes and looks up those lists as
stream mode yields them."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.neo4j

LABEL = "GmlSllpaList"
# two 5-cliques sharing node 4 (the bridge belongs to both) and a pendant 9 on node 8
EDGES = [(a, b) for a in range(5) for b in range(a + 1, 5)]
EDGES += [(a, b) for a in range(4, 9) for b in range(a + 1, 9)] + [(8, 9)]
CONFIG = "maxIterations: 40, minAssociationStrength: 0.1, randomSeed: 7"


def _lists(records) -> dict[int, list[int]]:  # noqa: ANN001
    return {r["i"]: sorted(r["ids"]) for r in records}


def test_write_and_mutate_store_the_stream_lists(gml) -> None:  # noqa: ANN001
    db = gml.driver
    db.execute_query(f"MATCH (n:{LABEL}) DETACH DELETE n")
    db.execute_query(f"UNWIND range(0, 9) AS i CREATE (:{LABEL} {{i: i}})")
    db.execute_query(
        f"UNWIND $edges AS e MATCH (a:{LABEL} {{i: e[0]}}), (b:{LABEL} {{i: e[1]}}) "
        "CREATE (a)-[:LINKS]->(b)",
        edges=[list(e) for e in EDGES],
    )
    db.execute_query("CALL gml.graph.drop('gmlSllpaLists', false) YIELD graphName RETURN 1")
    try:
        own = f"nodeLabels: ['{LABEL}'], orientation: 'UNDIRECTED', {CONFIG}"
        stream = _lists(
            db.execute_query(
                f"CALL gml.sllpa.stream({{{own}}}) YIELD nodeId, values "
                "RETURN gml.util.asNode(nodeId).i AS i, values.communityIds AS ids"
            ).records
        )
        assert any(len(v) > 1 for v in stream.values()) and any(
            len(v) == 1 for v in stream.values()
        )
        row = db.execute_query(
            f"CALL gml.sllpa.write({{{own}, writeProperty: 'sllpa'}}) "
            "YIELD nodePropertiesWritten, ranIterations RETURN *"
        ).records[0]
        assert (row["nodePropertiesWritten"], row["ranIterations"]) == (10, 40)
        written = db.execute_query(f"MATCH (n:{LABEL}) RETURN n.i AS i, n.sllpa AS ids").records
        assert _lists(written) == stream
        db.execute_query(
            f"CALL gml.graph.project('gmlSllpaLists', '{LABEL}', "
            "{LINKS: {orientation: 'UNDIRECTED'}})"
        )
        row = db.execute_query(
            f"CALL gml.sllpa.mutate('gmlSllpaLists', {{{CONFIG}, mutateProperty: 'c'}}) "
            "YIELD nodePropertiesWritten RETURN nodePropertiesWritten"
        ).records[0]
        assert row["nodePropertiesWritten"] == 10
        catalog = db.execute_query(
            "CALL gml.graph.nodeProperty.stream('gmlSllpaLists', 'c') YIELD nodeId, "
            "propertyValue RETURN gml.util.asNode(nodeId).i AS i, propertyValue AS ids"
        ).records
        assert _lists(catalog) == stream
        one = db.execute_query(
            f"MATCH (n:{LABEL} {{i: 4}}) RETURN gml.util.nodeProperty('gmlSllpaLists', id(n), 'c') "
            "AS ids"
        ).records[0]["ids"]
        assert sorted(one) == stream[4]
        db.execute_query(
            "CALL gml.graph.nodeProperties.write('gmlSllpaLists', ['c']) YIELD propertiesWritten "
            "RETURN propertiesWritten"
        )
        back = db.execute_query(f"MATCH (n:{LABEL}) RETURN n.i AS i, n.c AS ids").records
        assert _lists(back) == stream
    finally:
        db.execute_query("CALL gml.graph.drop('gmlSllpaLists', false) YIELD graphName RETURN 1")
        db.execute_query(f"MATCH (n:{LABEL}) DETACH DELETE n")
