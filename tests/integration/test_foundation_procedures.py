"""degree and wcc end to end on a real Neo4j, checked against NetworkX; CLI and Python API."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import neo4j
import networkx as nx
import pytest

import neo4j_gml
from neo4j_gml.core.errors import ConfigError

pytestmark = pytest.mark.neo4j


def _load(db: neo4j.Driver, graph: nx.Graph, label: str = "N", rel: str = "R") -> dict:
    nodes = list(graph.nodes)
    records, _, _ = db.execute_query(
        f"UNWIND $names AS name CREATE (n:{label} {{name: name}}) RETURN name, id(n) AS id",
        names=[str(x) for x in nodes],
    )
    ids = {r["name"]: r["id"] for r in records}
    rows = [
        {"s": ids[str(u)], "t": ids[str(v)], "w": float(d.get("weight", 1.0))}
        for u, v, d in graph.edges(data=True)
    ]
    db.execute_query(
        f"UNWIND $rows AS row MATCH (a) WHERE id(a) = row.s MATCH (b) WHERE id(b) = row.t "
        f"CREATE (a)-[:{rel} {{weight: row.w}}]->(b)",
        rows=rows,
    )
    return ids


@pytest.fixture
def les_mis(db: neo4j.Driver) -> tuple[nx.DiGraph, dict]:
    g = nx.les_miserables_graph()
    directed = nx.DiGraph()
    directed.add_nodes_from(g.nodes)
    directed.add_weighted_edges_from((u, v, d["weight"]) for u, v, d in g.edges(data=True))
    return directed, _load(db, directed)


def test_degree_matches_networkx_in_every_orientation(db: neo4j.Driver, les_mis) -> None:  # noqa: ANN001
    g, ids = les_mis
    by_id = {v: k for k, v in ids.items()}
    cases = {
        "NATURAL": dict(g.out_degree()),
        "REVERSE": dict(g.in_degree()),
        "UNDIRECTED": dict(g.to_undirected().degree()),
    }
    for orientation, expected in cases.items():
        out = neo4j_gml.run("degree", "stream", {"orientation": orientation}, driver=db)
        got = {by_id[i]: s for i, s in zip(out.nodeId, out.score, strict=True)}
        assert got == {k: float(v) for k, v in expected.items()}, orientation
    out = neo4j_gml.run("degree", "stream", {"relationshipWeightProperty": "weight"}, driver=db)
    got = {by_id[i]: s for i, s in zip(out.nodeId, out.score, strict=True)}
    assert got == pytest.approx(dict(g.out_degree(weight="weight")), abs=1e-9)


def test_wcc_write_is_idempotent_and_matches_networkx(db: neo4j.Driver) -> None:
    g = nx.disjoint_union_all([nx.path_graph(5, nx.DiGraph), nx.cycle_graph(3, nx.DiGraph)])
    g.add_node(99)
    _load(db, g)
    for _ in range(2):
        row = neo4j_gml.run("wcc", "write", {"writeProperty": "component"}, driver=db)
        assert row["nodePropertiesWritten"] == 9
        assert row["componentCount"] == 3
    records, _, _ = db.execute_query(
        "MATCH (n:N) RETURN n.component AS c, collect(n.name) AS names"
    )
    parts = {frozenset(r["names"]) for r in records}
    expected = {frozenset(str(x) for x in c) for c in nx.weakly_connected_components(g)}
    assert parts == expected
    count, _, _ = db.execute_query("MATCH (n) RETURN count(n) AS c")
    assert count[0]["c"] == 9


def test_stats_mode_and_errors(db: neo4j.Driver, les_mis) -> None:  # noqa: ANN001
    row = neo4j_gml.run("wcc", "stats", {}, driver=db)
    assert row["componentCount"] == 1 and row["nodeCount"] == 77
    assert {"preProcessingMillis", "computeMillis", "postProcessingMillis"} <= set(row)
    with pytest.raises(ConfigError, match="'writeProperty' is required"):
        neo4j_gml.run("degree", "write", {}, driver=db)
    with pytest.raises(ConfigError, match="label 'Nope' does not exist"):
        neo4j_gml.run("degree", "stream", {"nodeLabels": ["Nope"]}, driver=db)


def test_empty_graph_gives_empty_results(db: neo4j.Driver) -> None:
    assert len(neo4j_gml.run("degree", "stream", {}, driver=db)) == 0
    assert (
        neo4j_gml.run("wcc", "write", {"writeProperty": "c"}, driver=db)["nodePropertiesWritten"]
        == 0
    )


def _cli(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "neo4j_gml.cli", *args], capture_output=True, text=True, env=env
    )


def test_cli_json_output_matches_python(db: neo4j.Driver, les_mis, neo4j_connection) -> None:  # noqa: ANN001
    env = dict(os.environ, NEO4J_URI=neo4j_connection.uri, NEO4J_PASSWORD=neo4j_connection.password)
    done = _cli("run", "degree", "--mode", "stream", "--format", "json", env=env)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    expected = neo4j_gml.run("degree", "stream", {}, driver=db)
    assert {r["nodeId"]: r["score"] for r in rows} == dict(
        zip(expected.nodeId.tolist(), expected.score.tolist(), strict=True)
    )
    done = _cli(
        "run",
        "wcc",
        "--mode",
        "write",
        "--config",
        '{"writeProperty": "c"}',
        "--format",
        "json",
        env=env,
    )
    assert json.loads(done.stdout)["nodePropertiesWritten"] == 77
    bad = _cli("run", "wcc", "--config", '{"maxIterations": 2}', env=env)
    assert bad.returncode == 1
    assert bad.stderr.startswith("error: unknown config key 'maxIterations'")
    assert "Traceback" not in bad.stderr
    listed = json.loads(_cli("list", "--format", "json", env=env).stdout)
    assert {"degree", "wcc"} <= {p["name"] for p in listed}
