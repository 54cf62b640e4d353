"""The graph catalog from Cypher, on a real Neo4j and the real service.

Oracles: a run on a named graph must give exactly the rows of the same run projecting its own
graph from the same configuration (the anonymous form, itself checked against GDS and NetworkX
elsewhere); values written from the catalog must be the values streamed; and a user sees only
their own graphs.
"""

from __future__ import annotations

import os

import neo4j
import pytest

pytestmark = pytest.mark.neo4j

GRAPH = (
    "UNWIND range(0, 29) AS i CREATE (:P {i: i, w: toFloat(i % 7), grp: i % 3})",
    "MATCH (a:P), (b:P) WHERE b.i = (a.i * 7 + 3) % 30 OR b.i = (a.i + 1) % 30 "
    "CREATE (a)-[:R {weight: toFloat((a.i + b.i) % 5) + 1.0}]->(b)",
    "UNWIND range(0, 4) AS j CREATE (:Q {i: j})",
)


def rows(driver: neo4j.Driver, text: str, **params: object) -> list[dict]:
    records, _, _ = driver.execute_query(text, params)
    return [dict(r) for r in records]


def by_node(records: list[dict], column: str) -> dict[int, object]:
    return {r["nodeId"]: r[column] for r in records}


@pytest.fixture
def g(gml_db: neo4j.Driver) -> neo4j.Driver:
    """``gml_db`` with GRAPH and the named graph 'g' (P and Q nodes, R natural and
    undirected, node property w, relationship property weight)."""
    rows(gml_db, "CALL gml.graph.drop('g', false) YIELD graphName")
    for statement in GRAPH:
        rows(gml_db, statement)
    rows(
        gml_db,
        "CALL gml.graph.project('g', {P: {properties: ['w']}, Q: {}}, "
        "{R: {properties: 'weight'}, RU: {type: 'R', orientation: 'UNDIRECTED', "
        "properties: 'weight'}})",
    )
    yield gml_db
    rows(gml_db, "CALL gml.graph.drop('g', false) YIELD graphName")


@pytest.mark.parametrize(
    ("procedure", "named", "anonymous", "column"),
    [
        ("pageRank", {"relationshipTypes": ["R"]}, {"relationshipTypes": ["R"]}, "score"),
        (
            "pageRank",
            {"relationshipTypes": ["R"], "relationshipWeightProperty": "weight"},
            {"relationshipTypes": ["R"], "relationshipWeightProperty": "weight"},
            "score",
        ),
        (
            "louvain",
            {"relationshipTypes": ["RU"], "nodeLabels": ["P"]},
            {"relationshipTypes": ["R"], "nodeLabels": ["P"], "orientation": "UNDIRECTED"},
            "communityId",
        ),
        ("wcc", {"relationshipTypes": ["R"]}, {"relationshipTypes": ["R"]}, "componentId"),
        (
            "degree",
            {"relationshipTypes": ["RU"], "nodeLabels": ["Q"]},
            {"relationshipTypes": ["R"], "nodeLabels": ["Q"], "orientation": "UNDIRECTED"},
            "score",
        ),
        (
            "fastRP",
            {"relationshipTypes": ["RU"], "embeddingDimension": 8, "randomSeed": 7},
            {
                "relationshipTypes": ["R"],
                "orientation": "UNDIRECTED",
                "embeddingDimension": 8,
                "randomSeed": 7,
            },
            "embedding",
        ),
    ],
)
def test_a_named_graph_gives_the_rows_of_the_projection_it_holds(
    g: neo4j.Driver, procedure: str, named: dict, anonymous: dict, column: str
) -> None:
    on_graph = rows(
        g,
        f"CALL gml.{procedure}.stream('g', $c) YIELD nodeId, {column} RETURN nodeId, {column}",
        c=named,
    )
    projected = rows(
        g,
        f"CALL gml.{procedure}.stream($c) YIELD nodeId, {column} RETURN nodeId, {column}",
        c=anonymous,
    )
    assert by_node(on_graph, column) == by_node(projected, column)


def test_mutate_then_use_then_write(g: neo4j.Driver) -> None:
    """pageRank and degree mutate node properties, nodeSimilarity mutates relationships; wcc
    runs on those relationships, kNN on a mutated property, and one write puts the mutated
    values into Neo4j exactly as they were streamed."""
    pr = rows(g, "CALL gml.pageRank.mutate('g', {relationshipTypes: ['R'], mutateProperty: 'pr'})")
    assert pr[0]["nodePropertiesWritten"] == 35 and pr[0]["mutateMillis"] >= 0
    deg = rows(g, "CALL gml.degree.mutate('g', {relationshipTypes: ['RU'], mutateProperty: 'deg'})")
    assert deg[0]["nodePropertiesWritten"] == 35
    sim = rows(
        g,
        "CALL gml.nodeSimilarity.mutate('g', {relationshipTypes: ['R'], nodeLabels: ['P'], "
        "topK: 2, mutateRelationshipType: 'SIMILAR', mutateProperty: 'score'})",
    )
    similar = rows(
        g,
        "CALL gml.nodeSimilarity.stream({relationshipTypes: ['R'], nodeLabels: ['P'], topK: 2}) "
        "YIELD node1, node2, similarity RETURN node1, node2, similarity",
    )
    assert sim[0]["relationshipsWritten"] == len(similar)
    streamed = rows(
        g,
        "CALL gml.graph.relationshipProperties.stream('g', ['score'], ['SIMILAR']) "
        "YIELD sourceNodeId, targetNodeId, propertyValue RETURN *",
    )
    assert {(r["sourceNodeId"], r["targetNodeId"]): r["propertyValue"] for r in streamed} == {
        (r["node1"], r["node2"]): r["similarity"] for r in similar
    }
    # wcc on the mutated relationships: components of the similarity pairs, by hand
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    p_nodes = [r["id"] for r in rows(g, "MATCH (n:P) RETURN id(n) AS id")]
    for n in p_nodes:
        find(n)
    for r in similar:
        parent[find(r["node1"])] = find(r["node2"])
    components = rows(
        g,
        "CALL gml.wcc.stream('g', {relationshipTypes: ['SIMILAR'], nodeLabels: ['P']}) "
        "YIELD nodeId, componentId RETURN nodeId, componentId",
    )
    groups: dict[object, set[int]] = {}
    for r in components:
        groups.setdefault(r["componentId"], set()).add(r["nodeId"])
    expected: dict[int, set[int]] = {}
    for n in p_nodes:
        expected.setdefault(find(n), set()).add(n)
    assert sorted(map(sorted, groups.values())) == sorted(map(sorted, expected.values()))
    # kNN on a mutated property (degree), then the writes
    knn = rows(
        g,
        "CALL gml.knn.stream('g', {nodeProperties: ['deg'], topK: 1, randomSeed: 1, "
        "concurrency: 1, relationshipTypes: ['RU']}) YIELD node1, similarity RETURN *",
    )
    assert len(knn) == 35 and all(0 < r["similarity"] <= 1 for r in knn)
    written = rows(g, "CALL gml.graph.nodeProperties.write('g', ['pr', 'deg'])")
    assert written[0]["propertiesWritten"] == 70
    stored = {
        r["id"]: (r["pr"], r["deg"])
        for r in rows(g, "MATCH (n) RETURN id(n) AS id, n.pr AS pr, n.deg AS deg")
    }
    in_graph = rows(
        g,
        "CALL gml.graph.nodeProperties.stream('g', ['pr', 'deg']) "
        "YIELD nodeId, nodeProperty, propertyValue RETURN *",
    )
    for r in in_graph:
        assert stored[r["nodeId"]][0 if r["nodeProperty"] == "pr" else 1] == r["propertyValue"]
    rel = rows(g, "CALL gml.graph.relationship.write('g', 'SIMILAR', 'score')")
    assert rel[0]["relationshipsWritten"] == len(similar)
    again = rows(g, "CALL gml.graph.relationship.write('g', 'SIMILAR', 'score')")
    assert again[0]["relationshipsWritten"] == len(similar)
    count = rows(g, "MATCH ()-[r:SIMILAR]->() RETURN count(r) AS c")[0]["c"]
    assert count == len(similar)  # merged: a rerun adds nothing twice


def test_catalog_reads_filter_and_cypher_projection(g: neo4j.Driver) -> None:
    listed = rows(
        g, "CALL gml.graph.list('g') YIELD graphName, nodeCount, relationshipCount, schema"
    )
    assert listed[0]["nodeCount"] == 35
    assert listed[0]["relationshipCount"] == 60 + 120  # R, and RU in both directions (GDS)
    assert set(listed[0]["schema"]["relationships"]) == {"R", "RU"}
    assert rows(g, "CALL gml.graph.exists('g')")[0]["exists"] is True
    assert rows(g, "CALL gml.graph.exists('nope')")[0]["exists"] is False
    sub = rows(
        g,
        "CALL gml.graph.filter('heavy', 'g', 'n:P AND n.w >= 3', 'r:R AND r.weight > 2')",
    )[0]
    heavy = rows(g, "MATCH (n:P) WHERE n.w >= 3 RETURN collect(id(n)) AS ids")[0]["ids"]
    assert sub["nodeCount"] == len(heavy)
    pairs = rows(
        g,
        "MATCH (a:P)-[r:R]->(b:P) WHERE a.w >= 3 AND b.w >= 3 AND r.weight > 2 "
        "RETURN id(a) AS s, id(b) AS t",
    )
    streamed = rows(
        g,
        "CALL gml.graph.relationships.stream('heavy') YIELD sourceNodeId, targetNodeId "
        "RETURN sourceNodeId AS s, targetNodeId AS t",
    )
    assert sorted((r["s"], r["t"]) for r in streamed) == sorted((r["s"], r["t"]) for r in pairs)
    rows(g, "CALL gml.graph.drop('heavy')")
    cy = rows(
        g,
        "CALL gml.graph.project.cypher('cy', 'MATCH (n:P) RETURN id(n) AS id, labels(n) AS labels, "
        "n.w AS w', 'MATCH (a:P)-[r:R]->(b:P) RETURN id(a) AS source, id(b) AS target, "
        "type(r) AS type, r.weight AS weight')",
    )[0]
    assert (cy["nodeCount"], cy["relationshipCount"]) == (30, 60)
    on_cypher = rows(
        g,
        "CALL gml.pageRank.stream('cy', {relationshipWeightProperty: 'weight'}) "
        "YIELD nodeId, score RETURN nodeId, score",
    )
    on_native = rows(
        g,
        "CALL gml.pageRank.stream('g', {relationshipTypes: ['R'], nodeLabels: ['P'], "
        "relationshipWeightProperty: 'weight'}) YIELD nodeId, score RETURN nodeId, score",
    )
    assert by_node(on_cypher, "score") == by_node(on_native, "score")
    estimate = rows(g, "CALL gml.pageRank.write.estimate('g', {writeProperty: 'x'})")[0]
    assert estimate["nodeCount"] == 35 and estimate["bytesMax"] >= estimate["bytesMin"] > 0
    projected = rows(g, "CALL gml.graph.project.estimate('P', 'R')")[0]
    assert (projected["nodeCount"], projected["relationshipCount"]) == (30, 60)
    dropped = rows(g, "CALL gml.graph.drop('cy') YIELD graphName, nodeCount")
    assert dropped == [{"graphName": "cy", "nodeCount": 30}]


def test_the_aggregation_form_projects_the_rows_of_a_query(g: neo4j.Driver) -> None:
    """GDS 2.x's Cypher projection, RETURN gml.graph.project(...): the same graph as the
    native projection of the same data gives the same results."""
    rows(g, "CALL gml.graph.drop('agg', false) YIELD graphName")
    result = rows(
        g,
        "MATCH (s) OPTIONAL MATCH (s)-[r:R]->(t) "
        "RETURN gml.graph.project('agg', s, t, {sourceNodeLabels: labels(s), "
        "targetNodeLabels: labels(t), sourceNodeProperties: s {.w}, "
        "targetNodeProperties: t {.w}, relationshipType: type(r), "
        "relationshipProperties: r {.weight}}) AS g",
    )[0]["g"]
    assert (result["graphName"], result["nodeCount"], result["relationshipCount"]) == (
        "agg",
        35,
        60,
    )
    on_agg = rows(
        g,
        "CALL gml.pageRank.stream('agg', {relationshipWeightProperty: 'weight'}) "
        "YIELD nodeId, score RETURN nodeId, score",
    )
    on_native = rows(
        g,
        "CALL gml.pageRank.stream('g', {relationshipTypes: ['R'], "
        "relationshipWeightProperty: 'weight'}) YIELD nodeId, score RETURN nodeId, score",
    )
    assert by_node(on_agg, "score") == by_node(on_native, "score")
    labels = rows(g, "CALL gml.graph.list('agg') YIELD schema RETURN schema")[0]["schema"]
    assert set(labels["nodes"]) == {"P", "Q"} and set(labels["relationships"]) == {"R"}
    values = rows(
        g,
        "CALL gml.graph.nodeProperty.stream('agg', 'w', ['P']) YIELD nodeId, propertyValue "
        "RETURN nodeId, propertyValue",
    )
    stored = rows(g, "MATCH (n:P) RETURN id(n) AS nodeId, n.w AS propertyValue")
    assert by_node(values, "propertyValue") == by_node(stored, "propertyValue")
    with pytest.raises(neo4j.exceptions.ClientError, match="one graph per aggregation"):
        rows(g, "UNWIND ['x', 'y'] AS name MATCH (n:Q) RETURN gml.graph.project(name, n) AS g")
    rows(g, "CALL gml.graph.drop('agg')")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("CALL gml.pageRank.stream('nope')", "no graph named 'nope'"),
        (
            "CALL gml.pageRank.stream('g', {orientation: 'UNDIRECTED'})",
            "config key 'orientation' cannot be used with the named graph",
        ),
        (
            "CALL gml.pageRank.stream('g', {nodeQuery: 'MATCH (n) RETURN id(n) AS id', relationshipQuery: 'MATCH (a)-->(b) RETURN id(a) AS source, id(b) AS target'})",
            "config key 'nodeQuery' cannot be used",
        ),
        (
            "CALL gml.pageRank.stream('g', {nodeLabels: ['Nope']})",
            "config key 'nodeLabels': the graph has no node label 'Nope'",
        ),
        (
            "CALL gml.pageRank.stream('g', {relationshipWeightProperty: 'nope', relationshipTypes: ['R']})",
            "config key 'relationshipWeightProperty'",
        ),
        ("CALL gml.knn.stream('g', {nodeProperties: ['nope']})", "config key 'nodeProperties'"),
        ("CALL gml.pageRank.mutate({mutateProperty: 'x'})", "adds its result to a named graph"),
        (
            "CALL gml.pageRank.mutate('g', {relationshipTypes: ['R']})",
            "config key 'mutateProperty' is required",
        ),
        (
            "CALL gml.pageRank.mutate('g', {relationshipTypes: ['R'], mutateProperty: 'w'})",
            "node property 'w' exists already",
        ),
        ("CALL gml.graph.project('g', 'P', 'R')", "a graph named 'g' exists already"),
        ("CALL gml.graph.project('x', 'Nope', 'R')", "label 'Nope' does not exist"),
        (
            "CALL gml.graph.project('x', {P: {properties: {w: {defaultValue: 'a'}}}}, 'R')",
            "the defaultValue of property 'w' must be a finite number",
        ),
        (
            "CALL gml.graph.project('x', 'P', {R: {orientation: 'SIDEWAYS'}})",
            "the orientation of 'R' must be one of",
        ),
        ("CALL gml.graph.project('x', 'P', {R: {typo: 1}})", "unknown keys ['typo']"),
        ("CALL gml.graph.drop('nope')", "no graph named 'nope'"),
        ("CALL gml.graph.filter('x', 'g', 'n:P AND', '*')", "config key 'nodeFilter'"),
        ("CALL gml.graph.nodeProperties.stream('g', ['nope'])", "no node property 'nope'"),
        ("CALL gml.graph.relationship.write('g', 'NOPE')", "no relationship type 'NOPE'"),
        ("CALL gml.pageRank.stream({relationshipTypes: ['R']}, {x: 1})", "configuration"),
    ],
)
def test_bad_catalog_calls_name_what_is_wrong(g: neo4j.Driver, call: str, message: str) -> None:
    with pytest.raises(neo4j.exceptions.ClientError) as caught:
        rows(g, call)
    assert message in caught.value.message, caught.value.message
    names = [r["graphName"] for r in rows(g, "CALL gml.graph.list() YIELD graphName")]
    assert names == ["g"]  # nothing half-made is left in the catalog


def test_a_user_sees_and_uses_only_their_own_graphs(gml, g: neo4j.Driver) -> None:  # noqa: ANN001
    g.execute_query(
        "CREATE USER alice IF NOT EXISTS SET PASSWORD 'alice-password-1' CHANGE NOT REQUIRED",
        database_="system",
    )
    try:
        with neo4j.GraphDatabase.driver(gml.uri, auth=("alice", "alice-password-1")) as alice:
            assert rows(alice, "CALL gml.graph.list() YIELD graphName") == []
            with pytest.raises(neo4j.exceptions.ClientError, match="no graph named 'g'"):
                rows(alice, "CALL gml.pageRank.stream('g')")
            with pytest.raises(neo4j.exceptions.ClientError, match="no graph named 'g'"):
                rows(alice, "CALL gml.graph.drop('g')")
            # the same name is free for alice
            rows(alice, "CALL gml.graph.project('g', 'Q', 'R')")
            mine = rows(alice, "CALL gml.graph.list() YIELD graphName, nodeCount, user")
            assert mine == [{"graphName": "g", "nodeCount": 5, "user": "alice"}]
            rows(alice, "CALL gml.graph.drop('g')")
        theirs = rows(g, "CALL gml.graph.list() YIELD graphName, nodeCount, user")
        assert theirs == [{"graphName": "g", "nodeCount": 35, "user": "neo4j"}]
    finally:
        g.execute_query("DROP USER alice IF EXISTS", database_="system")


def test_the_catalog_limit_and_a_restart(gml, g: neo4j.Driver, monkeypatch) -> None:  # noqa: ANN001
    """Above GML_CATALOG_MAX_BYTES a projection is refused naming what is held; after a
    restart the catalog is empty and a call on a lost graph says so."""
    if not gml.owns_service:
        pytest.skip("needs a service this test may restart")
    size = rows(g, "CALL gml.graph.list('g') YIELD sizeInBytes")[0]["sizeInBytes"]
    monkeypatch.setenv("GML_CATALOG_MAX_BYTES", str(size + 50))  # "small" takes ~90 B
    gml.restart_service()
    try:
        assert rows(g, "CALL gml.graph.list() YIELD graphName") == []
        with pytest.raises(neo4j.exceptions.ClientError, match="does not survive a restart"):
            rows(g, "CALL gml.pageRank.stream('g')")
        rows(g, "CALL gml.graph.project('small', 'Q', 'R')")
        with pytest.raises(neo4j.exceptions.ClientError) as caught:
            rows(
                g,
                "CALL gml.graph.project('big', {P: {properties: ['w']}, Q: {}}, {R: {properties: 'weight'}, RU: {type: 'R', orientation: 'UNDIRECTED', properties: 'weight'}})",
            )
        assert "GML_CATALOG_MAX_BYTES" in caught.value.message
        assert "graphs held: 'small'" in caught.value.message
        assert [r["graphName"] for r in rows(g, "CALL gml.graph.list() YIELD graphName")] == [
            "small"
        ]
        health = rows(g, "CALL gml.version() YIELD serviceVersion RETURN serviceVersion")
        assert health
    finally:
        monkeypatch.delenv("GML_CATALOG_MAX_BYTES")
        gml.restart_service()
        assert os.environ.get("GML_CATALOG_MAX_BYTES") is None


def test_concurrent_projections_and_mutates_of_one_name_never_duplicate(
    gml,  # noqa: ANN001
    g: neo4j.Driver,
) -> None:
    """Four callers project the same name at once: one graph results, the others are told it
    exists; four callers mutate the same property at once: one value set results."""
    from concurrent.futures import ThreadPoolExecutor

    def project(_: int) -> str:
        try:
            rows(g, "CALL gml.graph.project('dup', 'P', 'R')")
            return "ok"
        except neo4j.exceptions.ClientError as exc:
            assert "exists already" in exc.message, exc.message
            return "refused"

    def mutate(_: int) -> str:
        try:
            rows(g, "CALL gml.degree.mutate('dup', {mutateProperty: 'd'})")
            return "ok"
        except neo4j.exceptions.ClientError as exc:
            assert "exists already" in exc.message, exc.message
            return "refused"

    rows(g, "CALL gml.graph.drop('dup', false) YIELD graphName")
    try:
        with ThreadPoolExecutor(4) as pool:
            assert sorted(pool.map(project, range(4))) == ["ok", "refused", "refused", "refused"]
            assert sorted(pool.map(mutate, range(4))) == ["ok", "refused", "refused", "refused"]
        names = [r["graphName"] for r in rows(g, "CALL gml.graph.list() YIELD graphName")]
        assert sorted(names) == ["dup", "g"]
    finally:
        rows(g, "CALL gml.graph.drop('dup', false) YIELD graphName")


def test_the_cli_runs_on_the_callers_named_graph(gml, g: neo4j.Driver, monkeypatch) -> None:  # noqa: ANN001
    """`neo4j-gml run X --graph g` runs in the service as NEO4J_USER, on that user's graph."""
    import io
    import json
    from contextlib import redirect_stdout

    from neo4j_gml import cli

    monkeypatch.setenv("NEO4J_USER", "neo4j")
    monkeypatch.setenv("GML_SERVICE_URL", gml.service_url)
    monkeypatch.setenv("GML_SERVICE_TOKEN", gml.token or "")
    out = io.StringIO()
    with redirect_stdout(out):
        code = cli.main(
            [
                "run",
                "pageRank",
                "--graph",
                "g",
                "--mode",
                "stats",
                "--format",
                "json",
                "--config",
                '{"relationshipTypes": ["R"]}',
            ]
        )
    assert code == 0
    assert json.loads(out.getvalue())["nodeCount"] == 35
    with redirect_stdout(io.StringIO()):
        assert cli.main(["run", "pageRank", "--graph", "nope"]) == 1
