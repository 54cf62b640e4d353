"""Tests for :mod:`neo4j_gml.local_neo4j`: start, query, idempotent start, status and stop."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from neo4j_gml import local_neo4j

PASSWORD = "test-password-123"


def test_status_and_stop_without_server(tmp_path: Path) -> None:
    st = local_neo4j.status(tmp_path / "home")
    assert st == {"running": False, "pid": None, "uri": None, "home": str(tmp_path / "home")}
    assert local_neo4j.stop(tmp_path / "home") is False


def test_stale_pid_file_is_not_running(tmp_path: Path) -> None:
    run = tmp_path / "home" / "run"
    run.mkdir(parents=True)
    (run / "neo4j.pid").write_text("999999999\n")
    (run / "bolt.port").write_text("1\n")
    assert local_neo4j.status(tmp_path / "home")["running"] is False
    assert local_neo4j.stop(tmp_path / "home") is False
    assert not (run / "neo4j.pid").exists()


@pytest.mark.neo4j
@pytest.mark.slow
@pytest.mark.timeout(240)
def test_start_query_idempotent_stop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if shutil.which("java") is None:
        pytest.skip("java not installed")
    # A fresh home would dump a class-data archive on stop (some seconds): not needed here.
    monkeypatch.setenv("NEO4J_GML_CDS", "0")
    neo4j = pytest.importorskip("neo4j")
    home = tmp_path / "home"
    (home / "conf").mkdir(parents=True)
    # An unknown (plugin) setting must not stop Neo4j from starting.
    (home / "conf" / "neo4j.conf").write_text("gml.test.setting=42\n")

    uri = local_neo4j.start(home, port=0, password=PASSWORD, timeout=180)
    try:
        assert uri.startswith("bolt://127.0.0.1:")
        with neo4j.GraphDatabase.driver(uri, auth=("neo4j", PASSWORD)) as driver:
            records, _, _ = driver.execute_query("CREATE (n:T {x: 41}) RETURN n.x + 1 AS y")
            assert records[0]["y"] == 42
        with (
            pytest.raises(neo4j.exceptions.AuthError),
            neo4j.GraphDatabase.driver(uri, auth=("neo4j", "wrong-password")) as driver,
        ):
            driver.verify_connectivity()

        st = local_neo4j.status(home)
        assert st["running"] is True
        assert st["uri"] == uri
        pid = st["pid"]
        assert isinstance(pid, int)

        assert local_neo4j.start(home, port=0, password=PASSWORD) == uri
        assert local_neo4j.status(home)["pid"] == pid
        with pytest.raises(RuntimeError, match="password"):
            local_neo4j.start(home, port=0, password="another-password")
    finally:
        assert local_neo4j.stop(home, timeout=60) is True

    st = local_neo4j.status(home)
    assert st["running"] is False
    assert st["pid"] is None
    assert not (home / "run" / "neo4j.pid").exists()
    assert not (home / "run" / "bolt.port").exists()
    assert local_neo4j.stop(home) is False
