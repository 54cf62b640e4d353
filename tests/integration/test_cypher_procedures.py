"""End to end: Cypher over Bolt -> gml.* Java procedures -> the Python service -> Neo4j.

Oracles: the CLI (``neo4j-gml run``, in process) on the same database, hand-computed degrees and
components of a small graph, and the generated catalogue of the registry.
"""

from __future__ import annotations

import io
import json
import threading
import time
from contextlib import redirect_stdout

import neo4j
import pytest

from neo4j_gml import cli, plugin_codegen
from neo4j_gml.procedures import registry

pytestmark = pytest.mark.neo4j

# Two components: a-b-c-a triangle with a tail c->d, and e->f. Out-degrees: a1 b1 c2 d0 e1 f0.
GRAPH = """
CREATE (a:P {name:'a'}), (b:P {name:'b'}), (c:P {name:'c'}), (d:P {name:'d'}),
       (e:P {name:'e'}), (f:P {name:'f'}), (x:Other {name:'x'}),
       (a)-[:R]->(b), (b)-[:R]->(c), (c)-[:R]->(a), (c)-[:R]->(d), (e)-[:R]->(f)
"""
OUT_DEGREE = {"a": 1.0, "b": 1.0, "c": 2.0, "d": 0.0, "e": 1.0, "f": 0.0}
IN_DEGREE = {"a": 1.0, "b": 1.0, "c": 1.0, "d": 1.0, "e": 0.0, "f": 1.0}


def query(driver: neo4j.Driver, text: str, **params: object) -> list[dict]:
    records, _, _ = driver.execute_query(text, params)
    return [dict(r) for r in records]


def cli_rows(gml, *args: str) -> list[dict]:  # noqa: ANN001
    """``neo4j-gml run ... --format json`` in process, against the stack's Neo4j."""
    import os

    old = {k: os.environ.get(k) for k in ("NEO4J_URI", "NEO4J_PASSWORD", "NEO4J_USER")}
    os.environ.update({"NEO4J_URI": gml.uri, "NEO4J_PASSWORD": gml.password, "NEO4J_USER": "neo4j"})
    try:
        out = io.StringIO()
        with redirect_stdout(out):
            assert cli.main(["run", *args, "--format", "json"]) == 0
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return json.loads(out.getvalue())


def test_list_names_every_registry_procedure_and_mode(gml) -> None:  # noqa: ANN001
    rows = query(gml.driver, "CALL gml.list() YIELD name, mode, signature RETURN *")
    listed = {r["name"]: r for r in rows}
    expected = {
        name: (p, m)
        for p in registry.procedures()
        for m in p.modes
        for name in plugin_codegen.procedure_names(p, m)
    }
    assert set(listed) == set(expected)
    for name, (proc, mode) in expected.items():
        assert listed[name]["mode"] == mode
        assert listed[name]["signature"] == plugin_codegen.signature(proc, mode, name)
    # Neo4j's own catalogue agrees: every one is a registered procedure, write ones are WRITE.
    procs = query(
        gml.driver,
        "SHOW PROCEDURES YIELD name, mode WHERE name STARTS WITH 'gml.' RETURN name, mode",
    )
    modes = {r["name"]: r["mode"] for r in procs}
    for name, (_, mode) in expected.items():
        assert modes[name] == ("WRITE" if mode == "write" else "READ"), name
    info = query(gml.driver, "CALL gml.version()")[0]
    assert info["procedures"] == len(expected)
    assert info["serviceVersion"] is not None


def test_degree_stream_yields_node_and_write_matches_cli(gml, gml_db) -> None:  # noqa: ANN001
    gml_db.execute_query(GRAPH)
    rows = query(
        gml_db,
        "CALL gml.degree.stream({nodeLabels: ['P']}) YIELD node, score "
        "RETURN node.name AS name, score",
    )
    assert {r["name"]: r["score"] for r in rows} == OUT_DEGREE

    summary = query(
        gml_db,
        "CALL gml.degree.write({nodeLabels: ['P'], writeProperty: 'deg'}) "
        "YIELD nodePropertiesWritten, nodeCount, centralityDistribution RETURN *",
    )[0]
    assert summary["nodePropertiesWritten"] == 6
    assert summary["nodeCount"] == 6
    assert summary["centralityDistribution"]["max"] == 2.0
    written = query(gml_db, "MATCH (n:P) RETURN id(n) AS id, n.deg AS deg")
    via_cli = cli_rows(gml, "degree", "--mode", "stream", "--config", '{"nodeLabels": ["P"]}')
    assert {r["id"]: r["deg"] for r in written} == {r["nodeId"]: r["score"] for r in via_cli}


def test_wcc_stream_matches_cli(gml, gml_db) -> None:  # noqa: ANN001
    gml_db.execute_query(GRAPH)
    rows = query(
        gml_db,
        "CALL gml.wcc.stream({nodeLabels: ['P']}) YIELD nodeId, node, componentId "
        "RETURN nodeId, node.name AS name, componentId",
    )
    via_cli = cli_rows(gml, "wcc", "--mode", "stream", "--config", '{"nodeLabels": ["P"]}')
    assert {r["nodeId"]: r["componentId"] for r in rows} == {
        r["nodeId"]: r["componentId"] for r in via_cli
    }
    by_name = {r["name"]: r["componentId"] for r in rows}
    assert by_name["a"] == by_name["b"] == by_name["c"] == by_name["d"] != by_name["e"]
    assert by_name["e"] == by_name["f"]


def test_node_values_in_config_become_ids(gml, gml_db) -> None:  # noqa: ANN001
    gml_db.execute_query(GRAPH)
    via_node = query(
        gml_db,
        "MATCH (a:P {name: 'a'}) CALL gml.pageRank.stream({nodeLabels: ['P'], sourceNodes: [a]}) "
        "YIELD nodeId, score RETURN nodeId, score",
    )
    a_id = query(gml_db, "MATCH (a:P {name: 'a'}) RETURN id(a) AS id")[0]["id"]
    via_id = query(
        gml_db,
        "CALL gml.pageRank.stream({nodeLabels: ['P'], sourceNodes: [$id]}) YIELD nodeId, score "
        "RETURN nodeId, score",
        id=a_id,
    )
    assert sorted(map(tuple, (r.values() for r in via_node))) == sorted(
        map(tuple, (r.values() for r in via_id))
    )
    e = {r["nodeId"]: r["score"] for r in via_node}
    e_id = query(gml_db, "MATCH (e:P {name: 'e'}) RETURN id(e) AS id")[0]["id"]
    assert e[e_id] == 0.0  # unreachable from the source


def test_service_errors_become_procedure_errors(gml, gml_db) -> None:  # noqa: ANN001
    gml_db.execute_query(GRAPH)
    with pytest.raises(neo4j.exceptions.ClientError, match="unknown config key 'bogus'"):
        query(gml_db, "CALL gml.degree.stream({bogus: 1})")
    with pytest.raises(neo4j.exceptions.ClientError, match="label 'Nope' does not exist"):
        query(gml_db, "CALL gml.degree.stream({nodeLabels: ['Nope']})")
    with pytest.raises(neo4j.exceptions.ClientError, match="writeProperty"):
        query(gml_db, "CALL gml.degree.write({})")
    # Text survives the JSON round trip through the plugin both ways (quotes, escapes, unicode).
    label = 'Ünï"co\\de\t€ 😀'
    with pytest.raises(neo4j.exceptions.ClientError) as err:
        query(gml_db, "CALL gml.degree.stream({nodeLabels: [$l]})", l=label)
    assert label in err.value.message


def test_limit_stops_reading_the_stream(gml, gml_db) -> None:  # noqa: ANN001
    gml_db.execute_query(GRAPH)
    rows = query(gml_db, "CALL gml.degree.stream({}) YIELD nodeId RETURN nodeId LIMIT 2")
    assert len(rows) == 2
    assert query(gml_db, "CALL gml.degree.stats({}) YIELD nodeCount RETURN nodeCount") == [
        {"nodeCount": 7}
    ]


@pytest.mark.parametrize(
    "hostile",
    [
        "P`) DETACH DELETE n //",
        "P` WITH n DETACH DELETE n RETURN 1 AS x //",
        "P'}) DETACH DELETE n //",
        "P\nMATCH (m) DETACH DELETE m",
    ],
)
def test_hostile_names_are_never_executed(gml, gml_db, hostile: str) -> None:  # noqa: ANN001
    gml_db.execute_query(GRAPH)
    with pytest.raises(neo4j.exceptions.ClientError):
        query(gml_db, "CALL gml.degree.stream({nodeLabels: [$label]})", label=hostile)
    with pytest.raises(neo4j.exceptions.ClientError):
        query(gml_db, "CALL gml.degree.stream({relationshipTypes: [$t]})", t=hostile)
    # As a property name it is stored verbatim (quoted), never run.
    query(
        gml_db,
        "CALL gml.degree.write({nodeLabels: ['P'], writeProperty: $p}) YIELD nodePropertiesWritten "
        "RETURN nodePropertiesWritten",
        p=hostile,
    )
    assert query(gml_db, "MATCH (n) RETURN count(n) AS c")[0]["c"] == 7
    keys = query(gml_db, "MATCH (n:P {name: 'c'}) RETURN keys(n) AS k")[0]["k"]
    assert hostile in keys
    value = query(gml_db, "MATCH (n:P {name: 'c'}) RETURN n[$p] AS v", p=hostile)[0]["v"]
    assert value == 2.0


def test_concurrent_writes_leave_one_whole_result_per_node(gml, gml_db) -> None:  # noqa: ANN001
    gml_db.execute_query(GRAPH)
    errors: list[BaseException] = []

    def write(orientation: str) -> None:
        try:
            query(
                gml_db,
                "CALL gml.degree.write({nodeLabels: ['P'], writeProperty: 'w', batchSize: 1, "
                "orientation: $o}) YIELD nodePropertiesWritten RETURN nodePropertiesWritten",
                o=orientation,
            )
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(o,)) for o in ("NATURAL", "REVERSE") * 2]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    rows = query(gml_db, "MATCH (n:P) RETURN n.name AS name, n.w AS w")
    for r in rows:  # last writer wins per node: some run's whole value, never a mix or a gap
        assert r["w"] in (OUT_DEGREE[r["name"]], IN_DEGREE[r["name"]]), r


def test_killed_service_fails_the_stream_and_neo4j_lives_on(gml, gml_db) -> None:  # noqa: ANN001
    if not gml.owns_service:
        pytest.skip("the service belongs to whoever started it (CI): not killing it")
    # 8000 rows of 256 floats (~40 MB of NDJSON): far more than the socket buffers hold, and
    # Neo4j pulls the procedure's rows only as the client fetches them (100 at a time).
    gml_db.execute_query("UNWIND range(1, 8000) AS i CREATE (:Big {i: i})")
    try:
        with gml_db.session(fetch_size=100) as session:
            result = session.run(
                "CALL gml.fastRP.stream({nodeLabels: ['Big'], embeddingDimension: 256, "
                "randomSeed: 1}) YIELD nodeId, embedding RETURN nodeId, embedding",
            )
            first = next(iter(result))
            assert len(first["embedding"]) == 256
            gml.kill_service()
            with pytest.raises(neo4j.exceptions.Neo4jError, match="ended the result stream"):
                list(result)
        with pytest.raises(neo4j.exceptions.ClientError, match="not reachable") as down:
            query(gml_db, "CALL gml.degree.stream({})")
        assert gml.service_url in str(down.value)
        assert query(gml_db, "RETURN 1 AS one")[0]["one"] == 1
    finally:
        gml.restart_service()
    t0 = time.monotonic()
    assert (
        query(gml_db, "CALL gml.degree.stats({}) YIELD nodeCount RETURN nodeCount")[0]["nodeCount"]
        == 8000
    )
    assert time.monotonic() - t0 < 60


def test_as_node_functions_turn_ids_into_nodes(gml, gml_db) -> None:  # noqa: ANN001
    gml_db.execute_query(GRAPH)
    row = query(
        gml_db,
        "MATCH (n:P {name: 'a'}) WITH id(n) AS i "
        "RETURN gml.util.asNode(i).name AS name, gml.util.asNode(123456789) IS NULL AS missing, "
        "[x IN gml.util.asNodes([i, i]) | x.name] AS names",
    )[0]
    assert row == {"name": "a", "missing": True, "names": ["a", "a"]}
    pairs = query(
        gml_db,
        "CALL gml.nodeSimilarity.stream({nodeLabels: ['P'], orientation: 'UNDIRECTED', topK: 1}) "
        "YIELD node1, node2 "
        "RETURN gml.util.asNode(node1).name AS a, gml.util.asNode(node2).name AS b",
    )
    assert pairs and all(r["a"] in OUT_DEGREE and r["b"] in OUT_DEGREE for r in pairs)
