"""The ``gml.*`` signatures Neo4j registered, and the GDS-style ways of calling them.

Oracles: the generator's own parameter lists (each compared with what ``SHOW PROCEDURES``
reports, defaults as Neo4j parsed them), GDS's calling conventions (``(graphName,
configuration)``, a map as the only argument, no argument at all) checked against the anonymous
form's result, and GDS's ``gds.listProgress`` columns.
"""

from __future__ import annotations

import contextlib
import threading
import time

import neo4j
import pytest

from neo4j_gml import plugin_codegen
from neo4j_gml.procedures import registry

GRAPH = (
    "CREATE (a:P {name: 'a'}), (b:P {name: 'b'}), (c:P {name: 'c'}), (d:Q {name: 'd'}) "
    "CREATE (a)-[:R]->(b), (b)-[:R]->(c), (a)-[:R]->(c), (d)-[:R]->(a)"
)


def query(driver: neo4j.Driver, text: str, **params: object) -> list[dict]:
    records, _, _ = driver.execute_query(text, params)
    return [r.data() for r in records]


def _neo4j_default(text: str) -> str:
    """``DefaultParameterValue{value=X, type=T}`` -> ``X``."""
    return text.split("value=", 1)[1].rsplit(", type=", 1)[0]


def test_every_generated_procedure_has_the_generated_parameters(gml) -> None:  # noqa: ANN001
    shown = {
        r["name"]: r
        for r in query(
            gml.driver,
            "SHOW PROCEDURES YIELD name, mode, argumentDescription "
            "WHERE name STARTS WITH 'gml.' RETURN *",
        )
    }
    checked = 0
    for proc in registry.procedures():
        want = plugin_codegen.parameters(proc)
        for mode in proc.modes:
            for name in plugin_codegen.procedure_names(proc, mode):
                assert name in shown, f"{name} is not registered (is the plugin jar current?)"
                args = shown[name]["argumentDescription"]
                assert [(a["name"], a["type"]) for a in args] == [(n, t) for n, t, _ in want], name
                for arg, (_, ctype, default) in zip(args, want, strict=True):
                    if default is None:
                        assert "default" not in arg, (name, arg)
                    elif ctype not in ("MAP", "ANY") or default in ("null", "{}"):
                        assert _neo4j_default(arg["default"]) == default, (name, arg)
                assert shown[name]["mode"] == ("WRITE" if mode == "write" else "READ"), name
                checked += 1
    assert checked >= len(registry.procedures())


def test_algorithms_take_a_graph_name_a_map_or_nothing(gml, gml_db) -> None:  # noqa: ANN001
    gml_db.execute_query(GRAPH)
    whole = "RETURN gml.util.asNode(nodeId).name AS name, score ORDER BY name"

    def scores(call: str) -> list[dict]:
        return query(gml_db, f"CALL {call} YIELD nodeId, score {whole}")

    everything = scores("gml.degree.stream()")
    assert [r["name"] for r in everything] == ["a", "b", "c", "d"]
    assert scores("gml.degree.stream({})") == everything
    only_p = scores("gml.degree.stream({nodeLabels: ['P']})")
    assert [r["name"] for r in only_p] == ["a", "b", "c"]
    assert scores("gml.degree.stream(null, {nodeLabels: ['P']})") == only_p

    with pytest.raises(neo4j.exceptions.ClientError, match="the second must be empty"):
        query(gml_db, "CALL gml.degree.stream({nodeLabels: ['P']}, {orientation: 'REVERSE'})")
    with pytest.raises(neo4j.exceptions.ClientError, match="graphName must be a graph name"):
        query(gml_db, "CALL gml.degree.stream(42)")
    # A name is looked up in the service's catalog: the name reaches the service.
    with pytest.raises(neo4j.exceptions.ClientError, match="no-such-graph"):
        query(gml_db, "CALL gml.degree.stream('no-such-graph', {})")


def test_list_progress_has_gds_columns_and_follows_a_running_job(gml, gml_db) -> None:  # noqa: ANN001
    columns = query(
        gml.driver,
        "SHOW PROCEDURES YIELD name, argumentDescription, returnDescription "
        "WHERE name = 'gml.listProgress' RETURN *",
    )[0]
    assert [(c["name"], c["type"]) for c in columns["returnDescription"]] == [
        (c, "STRING")
        for c in (
            "jobId",
            "taskName",
            "progress",
            "progressBar",
            "status",
            "timeStarted",
            "elapsedTime",
        )
    ]
    assert query(gml.driver, "CALL gml.listProgress('no-such-job')") == []

    gml_db.execute_query("UNWIND range(1, 20000) AS i CREATE (:Slow {i: i})")
    write = (
        "CALL gml.degree.write({nodeLabels: ['Slow'], writeProperty: 'deg', batchSize: 20, "
        "writeConcurrency: 1, jobId: 'progress-me'}) YIELD nodePropertiesWritten RETURN *"
    )
    outcome: list[object] = []

    def call() -> None:
        try:
            outcome.append(query(gml_db, write))
        except Exception as exc:  # noqa: BLE001 - reported below
            outcome.append(exc)

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    try:
        rows: list[dict] = []
        deadline = time.monotonic() + 120
        while not rows and thread.is_alive() and time.monotonic() < deadline:
            rows = query(gml.driver, "CALL gml.listProgress('progress-me')")
            time.sleep(0.05)
        assert rows, f"no progress row while the job ran: {outcome}"
        row = rows[0]
        assert row["jobId"] == "progress-me"
        assert row["taskName"].startswith("gml.degree.write")
        assert row["status"] in ("PENDING", "RUNNING")
        assert row["progressBar"].startswith("[") and row["progressBar"].endswith("]")
        everyone = query(gml.driver, "CALL gml.listProgress() YIELD jobId RETURN jobId")
        assert {"jobId": "progress-me"} in everyone
    finally:
        with contextlib.suppress(neo4j.exceptions.ClientError):  # it may have finished already
            query(gml.driver, "CALL gml.job.cancel('progress-me')")
        thread.join(60)


def _cypher_argument(ctype: str, default: str) -> str:
    """A parameter's Neo4j ``defaultValue`` as Cypher text."""
    if ctype == "STRING" or (ctype == "ANY" and default != "null" and default[:1] not in "{["):
        return plugin_codegen.cypher_literal(default)
    return default


def _twice(proc: registry.Procedure) -> tuple[str, str] | None:
    """A call of ``proc`` that gives its first defaulted argument, with another value than its
    default, both positionally and in the configuration map; and that argument's name."""
    params = plugin_codegen.parameters(proc)[:-1]  # not the configuration
    required = [p for p in params if p[2] is None]
    defaulted = [p for p in params if p[2] is not None]
    if not defaulted or any(t != "STRING" for _, t, _ in required):
        return None
    key, ctype, default = defaulted[0]
    other = {"BOOLEAN": "false" if default == "true" else "true", "STRING": "'not-the-default'"}
    if ctype not in other:
        return None
    args = [f"'arg-{i}'" for i in range(len(required))]
    args.append(other[ctype])
    args += [_cypher_argument(t, d) for _, t, d in defaulted[1:] if d is not None]
    args.append(f"{{{key}: {other[ctype]}}}")
    name = plugin_codegen.cypher_name(proc, proc.bare_mode or proc.modes[0])
    return f"CALL {name}({', '.join(args)})", key


def test_an_argument_given_twice_is_refused_naming_it(gml) -> None:  # noqa: ANN001
    calls = [c for c in map(_twice, (p for p in registry.procedures() if p.arguments)) if c]
    if not calls:
        pytest.skip("no registered procedure has a defaulted positional argument")
    for call, key in calls:
        with pytest.raises(neo4j.exceptions.ClientError, match=f"'{key}' is given both"):
            query(gml.driver, call)
