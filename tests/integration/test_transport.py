"""The shared-memory transport: the probe picks it only when both sides see the directory, its
files are private, named by the plugin only, and gone after every call (success, refusal,
rollback, cancellation), and a service on "another host" (a directory Neo4j does not share)
reads and writes over Bolt with the same results."""

from __future__ import annotations

import json
import os
import re
import stat
import time
import urllib.request
from pathlib import Path

import neo4j
import numpy as np
import pytest
import torch

from neo4j_gml.core.cancellation import Cancelled, CancelToken
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.io import transport
from neo4j_gml.io.read import Projection, read_graph
from neo4j_gml.io.write import write_node_properties, write_relationships

pytestmark = pytest.mark.neo4j


@pytest.fixture
def shared(db: neo4j.Driver, monkeypatch: pytest.MonkeyPatch) -> transport.SharedDirectory:
    monkeypatch.setenv("GML_TRANSPORT", "shm")
    monkeypatch.setenv("NEO4J_GML_BULK_IO", "1")
    monkeypatch.delenv("GML_TRANSPORT_DIR", raising=False)
    found = transport.shared_directory(db, None)
    assert found is not None
    return found


def _graph(db: neo4j.Driver, n: int = 40) -> list[int]:
    records, _, _ = db.execute_query(
        "UNWIND range(0, $n - 1) AS i CREATE (x:T {i: i}) RETURN id(x) AS id ORDER BY i", n=n
    )
    db.execute_query(
        "MATCH (a:T), (b:T) WHERE b.i = (a.i * 7 + 3) % $n CREATE (a)-[:L {w: a.i * 0.5}]->(b)",
        n=n,
    )
    return [r["id"] for r in records]


def _ours(shared: transport.SharedDirectory) -> list[str]:
    return transport.stale_files(shared)


def test_the_probe_needs_both_sides_to_see_the_directory(
    db: neo4j.Driver, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NEO4J_GML_BULK_IO", "1")
    monkeypatch.setenv("GML_TRANSPORT", "auto")
    monkeypatch.delenv("GML_TRANSPORT_DIR", raising=False)
    assert transport.shared_directory(db, None) is not None
    # a directory Neo4j does not write into: as if the service ran on another host
    monkeypatch.setenv("GML_TRANSPORT_DIR", str(tmp_path))
    assert transport.shared_directory(db, None) is None
    assert any(e["path"] == "bolt" and "cannot read" in e["reason"] for e in transport.summary())
    monkeypatch.setenv("GML_TRANSPORT", "shm")
    with pytest.raises(ConfigError, match="GML_TRANSPORT=shm.*cannot read the plugin's files"):
        transport.shared_directory(db, None)
    monkeypatch.setenv("GML_TRANSPORT", "bolt")
    monkeypatch.delenv("GML_TRANSPORT_DIR")
    assert transport.shared_directory(db, None) is None
    monkeypatch.setenv("GML_TRANSPORT", "fast")
    with pytest.raises(ConfigError, match="GML_TRANSPORT must be"):
        transport.shared_directory(db, None)
    assert not list(tmp_path.iterdir())


def test_projection_files_are_private_and_live_as_long_as_their_transaction(
    db: neo4j.Driver, shared: transport.SharedDirectory
) -> None:
    _graph(db)
    with db.session() as session:
        tx = session.begin_transaction()
        name = tx.run(
            "CALL gml.io.projectToFile(['T'], ['L'], 'w', null, 2, false) YIELD name, "
            "nodeCount, relationshipCount, bytes RETURN *"
        ).single(strict=True)
        path = Path(shared.path(name["name"]))
        assert re.fullmatch(r"gml-[0-9a-f]{32}\.bin", path.name)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert path.stat().st_size == name["bytes"] == 64 + 8 * 40 + 24 * 40
        parsed = transport.parse_projection(transport.map_file(str(path)))
        assert (name["nodeCount"], name["relationshipCount"]) == (40, 40)
        tx.rollback()  # whatever the outcome: rolled back here
        assert not path.exists()
    # the mapping outlives the file: the columns are still readable, and writable (a copy)
    assert parsed.weights is not None and parsed.weights.sum() == pytest.approx(0.5 * 780)
    parsed.sources[0] = 7


def test_no_file_is_left_after_success_refusal_or_cancellation(
    db: neo4j.Driver, shared: transport.SharedDirectory
) -> None:
    ids = _graph(db)
    before = _ours(shared)
    graph, report = read_graph(db, Projection(node_labels=("T",), weight_property="w"))
    assert (report.node_count, report.relationship_count) == (40, 40)
    # refused in the plugin (a string weight) and here (a NaN weight, after mapping the file)
    db.execute_query("MATCH (a:T {i: 1})-[r:L]->() SET r.s = 'heavy', r.n = 0.0 / 0.0")
    with pytest.raises(ConfigError, match="relationshipWeightProperty.*'s' must hold numbers"):
        read_graph(db, Projection(node_labels=("T",), weight_property="s", default_weight=1.0))
    with pytest.raises(ConfigError, match="non-finite weight in 'n'"):
        read_graph(db, Projection(node_labels=("T",), weight_property="n", default_weight=1.0))
    cancelled = CancelToken()
    cancelled.cancel("stop")
    with pytest.raises(Cancelled):
        read_graph(db, Projection(node_labels=("T",)), cancel=cancelled)
    # a write cancelled after its first batch: that batch landed, the file is gone
    token = CancelToken()
    with pytest.raises(Cancelled, match="10 of 40 rows had been written"):
        write_node_properties(
            db,
            np.asarray(ids),
            {"score": np.arange(40, dtype=np.float64)},
            batch_size=10,
            concurrency=1,
            on_progress=lambda _: token.cancel("stop"),
            cancel=token,
        )
    landed, _, _ = db.execute_query("MATCH (n:T) WHERE n.score IS NOT NULL RETURN count(n) AS c")
    assert landed[0]["c"] == 10
    assert _ours(shared) == before


def test_the_plugin_reads_only_transport_files_by_name(
    db: neo4j.Driver, shared: transport.SharedDirectory
) -> None:
    for name in ("../../etc/passwd", "/etc/passwd", "gml-x.bin", f"gml-{'0' * 32}.bin/../a"):
        with pytest.raises(neo4j.exceptions.ClientError, match="is not a transport file name"):
            db.execute_query(
                "CALL gml.io.writeNodePropertiesFromFile($name, 0, 1, [], [], [], [])", name=name
            )
    with transport.ColumnFile(shared) as file:
        file.add(np.arange(4, dtype=np.int64))
        file.close()
        with pytest.raises(neo4j.exceptions.ClientError, match="outside the transport file"):
            db.execute_query(
                "CALL gml.io.writeNodePropertiesFromFile($name, 0, 10, [], [], [], [])",
                name=file.name,
            )
        assert stat.S_IMODE(os.stat(file.path).st_mode) == 0o600
    assert not os.path.exists(file.path)


def test_writes_through_files_equal_writes_over_bolt(
    db: neo4j.Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = np.asarray(_graph(db, 300))
    rng = np.random.default_rng(5)
    values = {
        "f": rng.random(300),
        "i": rng.integers(-5, 5, 300),
        "e": rng.random((300, 16)).astype(np.float32),
        "d": rng.random((300, 3)),
        "t": torch.arange(300, dtype=torch.float32),
    }
    pairs = rng.integers(0, 300, (2, 500))
    score = rng.random(500)
    for path in ("shm", "bolt"):
        monkeypatch.setenv("GML_TRANSPORT", path)
        write_node_properties(db, ids, {f"{k}_{path}": v for k, v in values.items()}, batch_size=64)
        write_relationships(
            db, ids[pairs[0]], ids[pairs[1]], f"P_{path}", {"s": score}, batch_size=100
        )
    rows, _, _ = db.execute_query(
        "MATCH (n:T) RETURN [k IN ['f', 'i', 'e', 'd', 't'] | "
        "n[k + '_shm'] = n[k + '_bolt'] AND n[k + '_shm'] IS NOT NULL] AS same"
    )
    assert all(all(r["same"]) for r in rows)
    stats, _, _ = db.execute_query(
        "MATCH (a)-[r:P_shm]->(b) OPTIONAL MATCH (a)-[q:P_bolt]->(b) "
        "RETURN count(r) AS c, count(q) AS matched, sum(abs(r.s - q.s)) AS diff, "
        "COUNT { ()-[:P_bolt]->() } AS bolt"
    )
    assert stats[0]["c"] == stats[0]["matched"] == stats[0]["bolt"] == len(set(map(tuple, pairs.T)))
    assert stats[0]["diff"] == 0


def _health(url: str) -> dict:
    with urllib.request.urlopen(url.rstrip("/") + "/health", timeout=10) as response:
        return json.loads(response.read())


def test_a_service_on_another_host_reads_and_writes_over_bolt(
    gml,
    gml_db: neo4j.Driver,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    if not gml.owns_service:
        pytest.skip("the suite did not start the service, so it cannot restart it elsewhere")
    _graph(gml_db, 200)
    query = (
        "CALL gml.pageRank.write({nodeLabels: ['T'], writeProperty: $p}) YIELD nodePropertiesWritten "
        "RETURN nodePropertiesWritten"
    )
    gml_db.execute_query(query, p="pr_shm")
    assert any(e["path"] == "shm" for e in _health(gml.service_url)["transport"])
    monkeypatch.setenv("GML_TRANSPORT_DIR", str(tmp_path))  # Neo4j's files are not there
    gml.restart_service()
    try:
        gml_db.execute_query(query, p="pr_bolt")
        entries = _health(gml.service_url)["transport"]
        assert entries and all(e["path"] == "bolt" for e in entries), entries
    finally:
        monkeypatch.delenv("GML_TRANSPORT_DIR")
        gml.restart_service()
    rows, _, _ = gml_db.execute_query("MATCH (n:T) RETURN n.pr_shm AS a, n.pr_bolt AS b")
    assert len(rows) == 200 and all(r["a"] == pytest.approx(r["b"], abs=1e-12) for r in rows)
    assert not list(tmp_path.iterdir())


def test_files_left_by_a_dead_process_are_swept(
    db: neo4j.Driver, shared: transport.SharedDirectory
) -> None:
    old = Path(shared.path(f"gml-{'a' * 32}.bin"))
    fresh = Path(shared.path(f"gml-{'b' * 32}.bin"))
    for path in (old, fresh):
        path.write_bytes(b"left")
    os.utime(old, (1, 1))
    try:
        assert transport.sweep(shared) == [old.name]
        assert fresh.exists() and not old.exists()
    finally:
        fresh.unlink(missing_ok=True)
        old.unlink(missing_ok=True)


def test_a_directory_that_refuses_files_falls_back_to_bolt(
    db: neo4j.Driver, shared: transport.SharedDirectory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fault injection: the directory fills up (ENOSPC) after the probe. Reads and writes then
    go over Bolt with the same results, and leave no file."""
    ids = np.asarray(_graph(db))
    before = set(_ours(shared))
    expected, _ = read_graph(db, Projection(node_labels=("T",), weight_property="w"))

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(transport, "map_file", full)
    monkeypatch.setattr(transport.ColumnFile, "add", full)
    graph, _ = read_graph(db, Projection(node_labels=("T",), weight_property="w"))
    assert torch.equal(graph.indices, expected.indices)
    assert torch.equal(graph.weights, expected.weights)
    write_node_properties(db, ids, {"full": np.arange(40.0)})
    write_relationships(db, ids[:5], ids[5:10], "FULL", {"s": np.ones(5)})
    rows, _, _ = db.execute_query(
        "MATCH (n:T) RETURN sum(n.full) AS s, COUNT { ()-[:FULL]->() } AS r"
    )
    assert (rows[0]["s"], rows[0]["r"]) == (780.0, 5)
    # The service (another process, still finishing an earlier test's call) may hold a file of
    # its own for a moment: what this test made must be gone, and any newcomer must go soon
    # (a leaked file would stay for the hour until the sweep).
    deadline = time.monotonic() + 10
    while set(_ours(shared)) - before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert set(_ours(shared)) - before == set()
