"""The database contract (DESIGN.md), against the real Neo4j with the plugin and the real service.

Each test is one of the reproductions of the contract issue: user Cypher never writes, a
cancelled call (terminated, timed out, client gone, ``gml.job.cancel``) stops its job and writes
nothing after the cancel, concurrent relationship writes never duplicate, a write procedure is
refused at once inside a transaction that changed data, and a service killed mid-write is
reported with the rows written so far.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable

import neo4j
import numpy as np
import pytest

from neo4j_gml import plugin_codegen
from neo4j_gml.commands.jobs import service_request
from neo4j_gml.io import write as io_write
from neo4j_gml.procedures import registry
from neo4j_gml.procedures.config import REQUIRED

pytestmark = pytest.mark.neo4j

EVIL = "CREATE (:Evil) WITH 1 AS x "
EVIL_COUNT = "MATCH (e) WHERE 'Evil' IN labels(e) RETURN count(e) AS c"
RING = (
    "UNWIND range(0, 9) AS i CREATE (:N {i: i}) WITH 1 AS one LIMIT 1 "
    "MATCH (a:N), (b:N) WHERE b.i = (a.i + 1) % 10 CREATE (a)-[:R {w: 1.0}]->(b)"
)


def query(driver: neo4j.Driver, text: str, **params: object) -> list[dict]:
    records, _, _ = driver.execute_query(text, params)
    return [dict(r) for r in records]


def count(driver: neo4j.Driver, text: str, **params: object) -> int:
    return int(query(driver, text, **params)[0]["c"])


def service(gml, method: str, path: str) -> dict | None:  # noqa: ANN001
    return service_request(method, path, gml.service_url, gml.token or "")


def jobs(gml) -> list[dict]:  # noqa: ANN001
    return service(gml, "GET", "/jobs")["jobs"]


def wait_for(check: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def wait_idle(gml, timeout: float = 5.0) -> float:  # noqa: ANN001
    """Seconds until the service runs no job (fails after ``timeout``)."""
    t0 = time.monotonic()
    wait_for(lambda: not jobs(gml), timeout, "the service to be idle")
    return time.monotonic() - t0


# ---------------------------------------------------------------------------- user Cypher
def _query_keys(proc: registry.Procedure) -> list[str]:
    if proc.category == "model":  # model.list / model.drop read no graph
        return []
    keys = {k.name for k in proc.all_keys()}
    out = [k for k in ("nodeQuery", "relationshipQuery") if k in keys]
    if proc.pairs_query_key:
        out.append(proc.pairs_query_key)
    return out


def _call(proc: registry.Procedure, mode: str) -> str:
    """``CALL <name>(...)`` of ``proc`` in ``mode`` with the config map ``$c`` (a catalog
    operation takes its arguments from ``$c`` positionally, and no map)."""
    name = plugin_codegen.cypher_name(proc, mode)
    if not proc.arguments:
        return f"CALL {name}($c)"
    return f"CALL {name}({', '.join(f'$c.{a}' for a in proc.arguments)})"


def _evil_config(key: str) -> dict:
    node = "MATCH (n:N) RETURN id(n) AS id"
    rel = "MATCH (a:N)-[r:R]->(b:N) RETURN id(a) AS source, id(b) AS target"
    pairs = "MATCH (a:N {i: 0}), (b:N {i: 1}) RETURN id(a) AS source, id(b) AS target"
    config = {"nodeQuery": node, "relationshipQuery": rel}
    if key == "pairsQuery":
        config = {"nodeLabels": ["N"], "pairsQuery": pairs}
    config[key] = EVIL + config[key]
    return config


#: a stand-in for a required key of each kind, so a call gets as far as its projection
_STAND_IN = {"int": 0, "float": 1.0, "bool": False, "str": "x", "str_list": ["x"]}


def _with_required(proc: registry.Procedure, config: dict) -> dict:
    """``config`` plus a stand-in for every required key it lacks (``sourceNode`` of the path
    procedures, ``k``, ...): those are checked before the projection runs its queries."""
    for key in proc.all_keys():
        if key.default is REQUIRED and key.name not in config:
            config[key.name] = _STAND_IN.get(key.kind.rstrip("?"), [0])
    return config


def test_every_user_query_key_of_every_procedure_runs_read_only(gml, gml_db) -> None:  # noqa: ANN001
    gml_db.execute_query(RING)
    reached, stopped_before = [], []
    for proc in registry.procedures():
        for key in _query_keys(proc):
            for mode in proc.modes:
                if mode == "mutate":  # runs on a named graph only: it projects nothing
                    continue
                config = _evil_config(key)
                if not proc.arguments:
                    config = _with_required(proc, config)
                if mode == "write":
                    known = {k.name for k in proc.all_keys()}
                    config["writeProperty"] = "x"
                    if "writeRelationshipType" in known:
                        config["writeRelationshipType"] = "X"
                if proc.arguments:  # a catalog operation: its arguments come first
                    config.setdefault("graphName", "evil")
                try:
                    query(gml_db, _call(proc, mode), c=config)
                except neo4j.exceptions.ClientError as exc:
                    if f"config key '{key}' must be a read-only query" in exc.message:
                        reached.append((proc.name, mode, key))
                    else:  # refused earlier: a key this procedure needs is missing
                        assert "config key" in exc.message or "needs" in exc.message, exc.message
                        stopped_before.append((proc.name, mode, key, exc.message[:80]))
                else:  # an estimate counts the projection's queries but runs no pairsQuery
                    if not (mode == "estimate" and key == proc.pairs_query_key):
                        raise AssertionError(f"gml.{proc.name}.{mode} ran a writing {key}")
                assert count(gml_db, EVIL_COUNT) == 0, (proc.name, key)
    # The writing query was run (and refused by Neo4j) for most procedures, for every key kind.
    assert {k for _, _, k in reached} == {"nodeQuery", "relationshipQuery", "pairsQuery"}
    assert len(reached) > 2 * len(stopped_before), stopped_before


@pytest.mark.parametrize(
    "clause",
    [
        "CREATE (:Evil) WITH 1 AS x ",
        "MERGE (:Evil) WITH 1 AS x ",
        "MATCH (n:N {i: 5}) SET n:Evil WITH 1 AS x ",
        "CALL { CREATE (:Evil) } ",
        "MATCH (n:N {i: 9}) DETACH DELETE n WITH 1 AS x ",
    ],
)
def test_link_score_pairs_query_never_writes_even_from_a_read_session(gml, gml_db, clause) -> None:  # noqa: ANN001
    gml_db.execute_query(RING)
    pairs = clause + "MATCH (a:N {i: 0}), (b:N {i: 1}) RETURN id(a) AS source, id(b) AS target"
    for mode in ("stream", "stats"):
        with (
            gml_db.session(default_access_mode=neo4j.READ_ACCESS) as session,
            pytest.raises(neo4j.exceptions.ClientError, match="must be a read-only query"),
        ):
            session.run(
                f"CALL gml.linkScore.{mode}({{nodeLabels: ['N'], pairsQuery: $q}})", q=pairs
            ).consume()
    assert count(gml_db, EVIL_COUNT) == 0
    assert count(gml_db, "MATCH (n:N) RETURN count(n) AS c") == 10


# ---------------------------------------------------------------------------- cancellation
BIG_NODES, BIG_RELS = 40_000, 200_000


@pytest.fixture
def big(gml_db):  # noqa: ANN001, ANN201
    """40k :B nodes, 200k random :BR relationships: betweenness computes for many seconds."""
    gml_db.execute_query(f"UNWIND range(0, {BIG_NODES - 1}) AS i CREATE (:B {{i: i}})")
    rng = np.random.default_rng(7)
    ids = [r["id"] for r in query(gml_db, "MATCH (n:B) RETURN id(n) AS id ORDER BY id")]
    src = rng.integers(0, BIG_NODES, BIG_RELS)
    dst = rng.integers(0, BIG_NODES, BIG_RELS)
    pairs = [[ids[a], ids[b]] for a, b in zip(src.tolist(), dst.tolist(), strict=True)]
    for lo in range(0, BIG_RELS, 50_000):
        gml_db.execute_query(
            "UNWIND $p AS p MATCH (a) WHERE id(a) = p[0] MATCH (b) WHERE id(b) = p[1] "
            "CREATE (a)-[:BR]->(b)",
            p=pairs[lo : lo + 50_000],
        )
    return gml_db


def betweenness(job: str) -> str:
    """A long write call whose text names its job (so SHOW TRANSACTIONS finds it)."""
    return (
        f"CALL gml.betweenness.write({{nodeLabels: ['B'], writeProperty: 'bw', jobId: '{job}'}}) "
        "YIELD nodePropertiesWritten RETURN nodePropertiesWritten"
    )


def _in_background(work: Callable[[], object]) -> tuple[threading.Thread, list]:
    outcome: list = []

    def target() -> None:
        try:
            outcome.append(work())
        except BaseException as exc:  # noqa: BLE001
            outcome.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, outcome


def _phase(gml, job_id: str) -> str | None:  # noqa: ANN001
    return next((j["phase"] for j in jobs(gml) if j["jobId"] == job_id), None)


def _assert_nothing_written_after(gml, db, prop: str) -> None:  # noqa: ANN001
    idle = wait_idle(gml, timeout=5.0)
    assert idle < 5.0
    before = count(db, "MATCH (n:B) WHERE n[$p] IS NOT NULL RETURN count(n) AS c", p=prop)
    time.sleep(1.5)
    after = count(db, "MATCH (n:B) WHERE n[$p] IS NOT NULL RETURN count(n) AS c", p=prop)
    assert after == before


def test_terminated_transaction_cancels_the_job_and_writes_nothing(gml, big) -> None:  # noqa: ANN001
    thread, outcome = _in_background(lambda: query(big, betweenness("terminate-me")))
    wait_for(lambda: _phase(gml, "terminate-me") == "compute", 120, "the compute phase")
    ids = [
        r["transactionId"]
        for r in query(
            big,
            "SHOW TRANSACTIONS YIELD transactionId, currentQuery "
            "WHERE currentQuery CONTAINS 'gml.betweenness' RETURN transactionId",
        )
    ]
    t0 = time.monotonic()
    query(big, "TERMINATE TRANSACTIONS $ids", ids=ids)
    thread.join(10)
    assert time.monotonic() - t0 < 5
    assert isinstance(outcome[0], neo4j.exceptions.ClientError)
    assert outcome[0].code == "Neo.ClientError.Transaction.Terminated"
    _assert_nothing_written_after(gml, big, "bw")
    assert count(big, "MATCH (n:B) WHERE n.bw IS NOT NULL RETURN count(n) AS c") == 0


def test_transaction_timeout_cancels_the_job(gml, big) -> None:  # noqa: ANN001
    def call() -> object:
        with big.session() as session:
            timed = neo4j.Query(betweenness("time-me-out"), timeout=3)
            return session.run(timed).consume()

    thread, outcome = _in_background(call)
    thread.join(30)
    assert isinstance(outcome[0], neo4j.exceptions.ClientError)
    assert "Terminated" in outcome[0].code or "TimedOut" in outcome[0].code
    _assert_nothing_written_after(gml, big, "bw")
    assert count(big, "MATCH (n:B) WHERE n.bw IS NOT NULL RETURN count(n) AS c") == 0


CLIENT = """
import sys, neo4j
driver = neo4j.GraphDatabase.driver(sys.argv[1], auth=("neo4j", sys.argv[2]))
driver.execute_query(sys.argv[3])
"""


def test_killed_client_cancels_the_job(gml, big) -> None:  # noqa: ANN001
    client = subprocess.Popen(
        [sys.executable, "-c", CLIENT, gml.uri, gml.password, betweenness("orphan")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: _phase(gml, "orphan") == "compute", 120, "the compute phase")
    finally:
        client.kill()
        client.wait(10)
    _assert_nothing_written_after(gml, big, "bw")
    assert count(big, "MATCH (n:B) WHERE n.bw IS NOT NULL RETURN count(n) AS c") == 0


def test_job_cancel_mid_write_stops_at_a_batch_and_says_how_many_rows_landed(gml, big) -> None:  # noqa: ANN001
    # degree computes at once; batches of 50 rows make the write take a while
    write = (
        "CALL gml.degree.write({nodeLabels: ['B'], writeProperty: 'deg', batchSize: 50, "
        "writeConcurrency: 1, jobId: 'cancel-me'}) YIELD nodePropertiesWritten "
        "RETURN nodePropertiesWritten"
    )
    thread, outcome = _in_background(lambda: query(big, write))
    wait_for(
        lambda: any(j["jobId"] == "cancel-me" and j["rowsWritten"] > 0 for j in jobs(gml)),
        120,
        "the write phase",
    )
    listed = query(big, "CALL gml.job.list() YIELD jobId, phase RETURN jobId, phase")
    assert {"jobId": "cancel-me", "phase": "write"} in listed
    row = query(big, "CALL gml.job.cancel('cancel-me') YIELD jobId, cancelled RETURN *")
    assert row == [{"jobId": "cancel-me", "cancelled": True}]
    thread.join(10)
    error = outcome[0]
    assert isinstance(error, neo4j.exceptions.ClientError)
    assert "cancelled on request (gml.job.cancel)" in error.message
    landed = int(error.message.split(" of 40000 rows had been written")[0].rsplit(" ", 1)[1])
    assert 0 < landed < BIG_NODES
    _assert_nothing_written_after(gml, big, "deg")
    assert count(big, "MATCH (n:B) WHERE n.deg IS NOT NULL RETURN count(n) AS c") == landed
    with pytest.raises(neo4j.exceptions.ClientError, match="no job with id 'cancel-me'"):
        query(big, "CALL gml.job.cancel('cancel-me')")


def test_job_id_in_use_is_refused(gml, big) -> None:  # noqa: ANN001
    thread, outcome = _in_background(lambda: query(big, betweenness("twice")))
    wait_for(lambda: _phase(gml, "twice"), 60, "the first job")
    with pytest.raises(neo4j.exceptions.ClientError, match="'twice' is running already"):
        query(big, betweenness("twice"))
    service(gml, "POST", "/jobs/twice/cancel")
    thread.join(10)
    assert "cancelled on request" in outcome[0].message
    wait_idle(gml)


# ---------------------------------------------------------------------------- concurrent writes
@pytest.mark.usefixtures("io_path")
def test_concurrent_relationship_writers_never_duplicate(db: neo4j.Driver) -> None:
    db.execute_query("UNWIND range(0, 299) AS i CREATE (:C {i: i})")
    ids = np.asarray([r["id"] for r in query(db, "MATCH (n:C) RETURN id(n) AS id ORDER BY id")])
    rng = np.random.default_rng(3)
    src = np.repeat(ids, 5)
    dst = rng.choice(ids, src.size)
    keep = src != dst
    src, dst = src[keep], dst[keep]
    unique = len({(a, b) for a, b in zip(src.tolist(), dst.tolist(), strict=True)})
    errors: list[BaseException] = []

    def writer(seed: int) -> None:
        order = np.random.default_rng(seed).permutation(src.size)
        try:
            io_write.write_relationships(
                db,
                src[order],
                dst[order],
                "SIM",
                {"score": np.full(src.size, float(seed))},
                batch_size=37,
                concurrency=2,
            )
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    assert count(db, "MATCH (:C)-[r:SIM]->(:C) RETURN count(r) AS c") == unique
    assert (
        count(
            db,
            "MATCH (a:C)-[r:SIM]->(b:C) WITH a, b, count(r) AS k WHERE k > 1 RETURN count(*) AS c",
        )
        == 0
    )


def test_concurrent_node_similarity_writes_through_cypher_never_duplicate(gml, gml_db) -> None:  # noqa: ANN001
    gml_db.execute_query(
        "UNWIND range(0, 1999) AS i CREATE (:S {i: i}) WITH 1 AS one LIMIT 1 "
        "UNWIND range(0, 59) AS f CREATE (:F {f: f})"
    )
    gml_db.execute_query(
        "MATCH (s:S) UNWIND range(0, 3) AS k MATCH (f:F {f: (s.i * 7 + k * 13) % 60}) "
        "MERGE (s)-[:HAS]->(f)"
    )
    write = (
        "CALL gml.nodeSimilarity.write({nodeLabels: ['S', 'F'], relationshipTypes: ['HAS'], "
        "writeRelationshipType: 'SIM', writeProperty: 'score', topK: 5, batchSize: 500}) "
        "YIELD relationshipsWritten RETURN relationshipsWritten"
    )
    results: list = []
    threads = [
        threading.Thread(target=lambda: results.append(query(gml_db, write))) for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    assert len(results) == 2
    written = results[0][0]["relationshipsWritten"]
    assert written > 0 and results[1][0]["relationshipsWritten"] == written
    assert count(gml_db, "MATCH ()-[r:SIM]->() RETURN count(r) AS c") == written
    assert (
        count(
            gml_db,
            "MATCH (a)-[r:SIM]->(b) WITH a, b, count(r) AS k WHERE k > 1 RETURN count(*) AS c",
        )
        == 0
    )


# ---------------------------------------------------------------------------- caller's writes
def test_write_procedure_in_a_transaction_that_changed_data_is_refused_at_once(gml, gml_db) -> None:  # noqa: ANN001
    gml_db.execute_query(RING)
    t0 = time.monotonic()
    with pytest.raises(neo4j.exceptions.ClientError, match="refused inside a transaction that"):
        query(
            gml_db,
            "MATCH (n:N) SET n.x = 1 WITH count(*) AS c "
            "CALL gml.wcc.write({nodeLabels: ['N'], writeProperty: 'lk'}) "
            "YIELD nodePropertiesWritten RETURN nodePropertiesWritten",
        )
    assert time.monotonic() - t0 < 5
    assert (
        count(gml_db, "MATCH (n:N) WHERE n.x IS NOT NULL OR n.lk IS NOT NULL RETURN count(n) AS c")
        == 0
    )
    # an explicit transaction that wrote earlier: refused too, and its own writes roll back
    with gml_db.session() as session:
        tx = session.begin_transaction()
        tx.run("MATCH (n:N {i: 0}) SET n.y = 1").consume()
        with pytest.raises(neo4j.exceptions.ClientError, match="Commit your changes first"):
            tx.run("CALL gml.wcc.write({nodeLabels: ['N'], writeProperty: 'lk'})").consume()
        tx.close()
    assert count(gml_db, "MATCH (n:N) WHERE n.y IS NOT NULL RETURN count(n) AS c") == 0
    # one that only read is fine: the write commits in the service's own transactions
    with gml_db.session() as session, session.begin_transaction() as tx:
        assert tx.run("MATCH (n:N) RETURN count(n) AS c").single()["c"] == 10
        row = tx.run(
            "CALL gml.wcc.write({nodeLabels: ['N'], writeProperty: 'lk'}) "
            "YIELD nodePropertiesWritten RETURN nodePropertiesWritten"
        ).single()
        assert row["nodePropertiesWritten"] == 10
        tx.commit()
    assert count(gml_db, "MATCH (n:N) WHERE n.lk IS NOT NULL RETURN count(n) AS c") == 10
    # stream and stats procedures stay allowed after a change: they write nothing
    rows = query(
        gml_db,
        "MATCH (n:N) SET n.z = 1 WITH count(*) AS c CALL gml.wcc.stats({nodeLabels: ['N']}) "
        "YIELD componentCount RETURN componentCount",
    )
    assert rows == [{"componentCount": 1}]


# ---------------------------------------------------------------------------- service faults
def _post(
    gml, path: str, body: bytes, token: str | None, headers: dict | None = None
) -> tuple[int, dict]:  # noqa: ANN001
    request = urllib.request.Request(gml.service_url + path, data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for k, v in (headers or {}).items():
        request.add_header(k, v)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, {}
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def _announce_big_body(gml, token: str | None, size: int) -> tuple[int, dict, float]:  # noqa: ANN001
    """Send headers that announce ``size`` bytes, then only 1 KiB of them: a server that reads
    bodies before it decides would wait for the rest. (status, body, seconds to the answer)"""
    url = urllib.parse.urlsplit(gml.service_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    t0 = time.monotonic()
    try:
        conn.putrequest("POST", "/procedures/degree/stream")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(size))
        if token:
            conn.putheader("Authorization", f"Bearer {token}")
        conn.endheaders()
        conn.send(b'{"config": {"x": "' + b"a" * 1024)
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}"), time.monotonic() - t0
    finally:
        conn.close()


def test_token_is_checked_before_the_body_and_big_bodies_are_refused(gml) -> None:  # noqa: ANN001
    if not gml.token:
        pytest.skip("the service runs without a token")
    status, detail, seconds = _announce_big_body(gml, "wrong", 10_000)
    assert status == 401 and detail["detail"] == "missing or wrong token"
    assert seconds < 5
    status, detail, seconds = _announce_big_body(gml, gml.token, 80 * 1024 * 1024)
    assert status == 413 and "larger than 67108864 bytes" in detail["detail"]
    assert seconds < 5
    assert service(gml, "GET", "/jobs")["running"] == 0


def test_malformed_and_deep_bodies_get_a_message_that_says_what_is_wrong(gml, gml_db) -> None:  # noqa: ANN001
    status, detail = _post(gml, "/procedures/degree/stream", b'{"config": {', gml.token)
    assert status == 400 and "not valid JSON" in detail["detail"]
    depth_1000 = b'{"config": {"nodeProperties": ' + b'{"a": ' * 1000 + b"1" + b"}" * 1002
    status, detail = _post(gml, "/procedures/degree/stream", depth_1000, gml.token)
    assert status == 400 and "nests maps or lists" in detail["detail"], detail
    deep: object = 1
    for _ in range(200):
        deep = {"a": deep}
    raw = json.dumps({"config": {"nodeProperties": deep}}).encode()
    status, detail = _post(gml, "/procedures/degree/stream", raw, gml.token)
    assert status == 400 and "202 levels deep; at most 64" in detail["detail"], detail
    # the same through Cypher: the plugin passes the service's words on
    with pytest.raises(neo4j.exceptions.ClientError, match="nests maps or lists"):
        query(gml_db, "CALL gml.degree.stream($c)", c={"nodeProperties": deep})


def test_killed_service_mid_write_reports_the_rows_written(gml, big) -> None:  # noqa: ANN001
    if not gml.owns_service:
        pytest.skip("the service belongs to whoever started it: not killing it")
    write = (
        "CALL gml.degree.write({nodeLabels: ['B'], writeProperty: 'deg', batchSize: 50, "
        "writeConcurrency: 1, jobId: 'killed'}) YIELD nodePropertiesWritten "
        "RETURN nodePropertiesWritten"
    )
    thread, outcome = _in_background(lambda: query(big, write))
    try:
        wait_for(
            lambda: any(j["jobId"] == "killed" and j["rowsWritten"] > 5000 for j in jobs(gml)),
            120,
            "the write phase",
        )
        gml.kill_service()
        thread.join(30)
    finally:
        gml.restart_service()
    error = outcome[0]
    assert isinstance(error, neo4j.exceptions.ClientError)
    assert "ended the result stream before its end" in error.message
    assert "while writing, after" in error.message and "of 40000 rows" in error.message
    reported = int(error.message.split("while writing, after ")[1].split(" ")[0])
    landed = count(big, "MATCH (n:B) WHERE n.deg IS NOT NULL RETURN count(n) AS c")
    # progress lines come every 0.1 s: what landed is at least what was last reported
    assert 0 < reported <= landed < BIG_NODES
    assert "running the write again completes it" in error.message


def test_cli_lists_and_cancels_jobs(gml, big) -> None:  # noqa: ANN001
    env = {**os.environ, "GML_SERVICE_URL": gml.service_url, "GML_SERVICE_TOKEN": gml.token or ""}

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "neo4j_gml.cli", "jobs", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    thread, outcome = _in_background(lambda: query(big, betweenness("from-the-cli")))
    wait_for(lambda: _phase(gml, "from-the-cli"), 60, "the job")
    listed = cli("list")
    assert listed.returncode == 0 and "from-the-cli\tbetweenness\twrite" in listed.stdout
    cancelled = cli("cancel", "from-the-cli")
    assert cancelled.returncode == 0 and "cancelled from-the-cli" in cancelled.stdout
    thread.join(10)
    assert "cancelled on request" in outcome[0].message
    missing = cli("cancel", "from-the-cli")
    assert missing.returncode == 1 and "no job with id 'from-the-cli'" in missing.stderr
    wait_idle(gml)
    assert count(big, "MATCH (n:B) WHERE n.bw IS NOT NULL RETURN count(n) AS c") == 0


# ---------------------------------------------------------------------------- load
LOAD_CALLS = [
    "CALL gml.pageRank.stream({nodeLabels: ['S']}) YIELD nodeId RETURN count(*) AS c",
    "CALL gml.wcc.write({nodeLabels: ['S'], writeProperty: 'component'}) "
    "YIELD nodePropertiesWritten AS c RETURN c",
    "CALL gml.nodeSimilarity.write({nodeLabels: ['S', 'F'], relationshipTypes: ['HAS'], "
    "writeRelationshipType: 'SIM', writeProperty: 'score', topK: 3}) "
    "YIELD relationshipsWritten AS c RETURN c",
    "CALL gml.degree.stats({nodeLabels: ['S']}) YIELD nodeCount AS c RETURN c",
]


def test_twenty_concurrent_sessions_succeed_or_get_a_clear_busy_refusal(
    gml,  # noqa: ANN001
    gml_db,  # noqa: ANN001
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gml_db.execute_query(
        "UNWIND range(0, 499) AS i CREATE (:S {i: i}) WITH 1 AS one LIMIT 1 "
        "UNWIND range(0, 29) AS f CREATE (:F {f: f})"
    )
    gml_db.execute_query(
        "MATCH (s:S) UNWIND range(0, 2) AS k MATCH (f:F {f: (s.i * 7 + k * 11) % 30}) "
        "MERGE (s)-[:HAS]->(f)"
    )
    if gml.owns_service:  # a short queue, so that some of the twenty are refused
        monkeypatch.setenv("GML_SERVICE_MAX_QUEUE", "4")
        gml.restart_service()
    outcomes: list[object] = []
    lock = threading.Lock()

    def session(k: int) -> None:
        for call in (LOAD_CALLS[k % 4], LOAD_CALLS[(k + 1) % 4]):
            try:
                with gml.driver.session() as s:
                    result = s.run(call).single()["c"]
            except neo4j.exceptions.ClientError as exc:
                result = exc
            with lock:
                outcomes.append(result)

    try:
        threads = [threading.Thread(target=session, args=(k,)) for k in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        assert len(outcomes) == 40
        refused = [o for o in outcomes if isinstance(o, Exception)]
        for exc in refused:
            assert "the service is busy" in exc.message, exc.message
        assert len(refused) < 40
        if gml.owns_service:
            assert refused, "a queue of 4 should have refused some of 20 concurrent calls"
        assert wait_idle(gml, timeout=10) < 10
        assert (
            count(
                gml_db,
                "MATCH (a)-[r:SIM]->(b) WITH a, b, count(r) AS k WHERE k > 1 RETURN count(*) AS c",
            )
            == 0
        )
    finally:
        if gml.owns_service:
            monkeypatch.delenv("GML_SERVICE_MAX_QUEUE")
            gml.restart_service()
    assert query(gml_db, LOAD_CALLS[3]) == [{"c": 500}]


def test_pairs_query_ids_must_be_integers(gml, gml_db) -> None:  # noqa: ANN001
    gml_db.execute_query(RING)
    for bad, shown in (("id(a) + 0.5", "float"), ("true", "boolean true"), ("'x'", "string 'x'")):
        pairs = f"MATCH (a:N {{i: 0}}), (b:N {{i: 1}}) RETURN {bad} AS source, id(b) AS target"
        with pytest.raises(neo4j.exceptions.ClientError) as err:
            query(gml_db, "CALL gml.linkScore.stream({nodeLabels: ['N'], pairsQuery: $q})", q=pairs)
        assert "config key 'pairsQuery': column `source` must hold integer node ids" in (
            err.value.message
        )
        assert f"found {shown}" in err.value.message


def test_a_queued_job_can_be_cancelled_and_a_dead_service_is_named(gml, big) -> None:  # noqa: ANN001
    slots = service(gml, "GET", "/jobs")["maxJobs"]
    running = [
        _in_background(lambda k=k: query(big, betweenness(f"slot-{k}"))) for k in range(slots)
    ]
    wait_for(
        lambda: all(_phase(gml, f"slot-{k}") == "compute" for k in range(slots)), 120, "full slots"
    )
    queued, outcome = _in_background(lambda: query(big, betweenness("queued-one")))
    # with every slot computing, the 2 cores of CI can take long to register the new call
    wait_for(lambda: _phase(gml, "queued-one") == "queued", 120, "the queued job")
    t0 = time.monotonic()
    assert service(gml, "POST", "/jobs/queued-one/cancel")["phase"] == "queued"
    queued.join(10)
    assert time.monotonic() - t0 < 5
    assert "cancelled on request" in outcome[0].message
    assert all(_phase(gml, f"slot-{k}") == "compute" for k in range(slots))  # untouched
    if gml.owns_service:  # one more waits; then the service dies under all of them
        waiting, lost = _in_background(lambda: query(big, betweenness("queued-two")))
        wait_for(lambda: _phase(gml, "queued-two") == "queued", 120, "the queued job")
        try:
            gml.kill_service()
            waiting.join(30)
        finally:
            gml.restart_service()
        assert "ended the result stream before its end" in lost[0].message
        assert "'queued' phase" in lost[0].message
    else:
        for k in range(slots):
            service(gml, "POST", f"/jobs/slot-{k}/cancel")
    for thread, _ in running:
        thread.join(30)
    wait_idle(gml)
    assert count(big, "MATCH (n:B) WHERE n.bw IS NOT NULL RETURN count(n) AS c") == 0
