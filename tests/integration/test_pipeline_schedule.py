"""``neo4j-gml schedule`` as a real process: runs on time, survives Neo4j being down, SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from neo4j_gml.pipeline import load_text, run_pipeline
from neo4j_gml.pipeline.records import load_run
from neo4j_gml.pipeline.scheduler import Scheduler

PIPELINE = """\
name: sched
defaults: {logProgress: false}
steps:
  - {procedure: degree, config: {nodeLabels: [Thing], writeProperty: deg}}
  - {procedure: wcc, config: {nodeLabels: [Thing], writeProperty: comp}}
"""


def entries(log: Path) -> list[dict]:
    if not log.exists():
        return []
    return [json.loads(x) for x in log.read_text().splitlines() if x.strip()]


def test_schedule_process_keeps_going_when_neo4j_is_down_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    file = tmp_path / "p.yaml"
    file.write_text(PIPELINE)
    log = tmp_path / "log.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "neo4j_gml.cli", "schedule", str(file), "--cron", "* * * * * */2",
         "--uri", "bolt://127.0.0.1:1", "--state-dir", str(tmp_path), "--log", str(log)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.time() + 90
        while time.time() < deadline:
            if len([e for e in entries(log) if e["event"] == "run"]) >= 2:
                break
            assert proc.poll() is None, "the scheduler exited on its own"
            time.sleep(0.3)
        runs = [e for e in entries(log) if e["event"] == "run"]
        assert len(runs) >= 2 and all(r["status"] == "failed" for r in runs)
        assert all("unreachable" in r["error"] for r in runs)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert entries(log)[-1]["event"] == "stopped"
    assert not (tmp_path / "sched.lock").exists()
    assert len((tmp_path / "sched.spool.jsonl").read_text().splitlines()) >= 2


@pytest.mark.neo4j
def test_scheduled_runs_reach_neo4j_with_the_records_of_missed_ones(
    db, neo4j_connection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    db.execute_query("UNWIND range(1, 10) AS i CREATE (:Thing {i: i})")
    file = tmp_path / "p.yaml"
    file.write_text(PIPELINE)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_connection.password)
    down = Scheduler(file, "* * * * * *", state_dir=tmp_path, uri="bolt://127.0.0.1:1",
                     max_runs=1, run_now=True, echo=lambda m: None)  # fmt: skip
    down.serve()
    up = Scheduler(file, "* * * * * *", state_dir=tmp_path, uri=neo4j_connection.uri,
                   max_runs=1, run_now=True, echo=lambda m: None)  # fmt: skip
    up.serve()
    runs = db.execute_query(
        "MATCH (r:GmlRun {pipeline: 'sched'}) RETURN r.status AS s, r.error AS e ORDER BY r.started"
    ).records
    assert [r["s"] for r in runs] == ["failed", "succeeded"]
    assert "unreachable" in runs[0]["e"]
    assert not (tmp_path / "sched.spool.jsonl").exists()


@pytest.mark.neo4j
def test_stop_request_cancels_the_remaining_steps(db) -> None:  # noqa: ANN001
    db.execute_query("UNWIND range(1, 10) AS i CREATE (:Thing {i: i})")
    asked = []

    def should_stop() -> bool:  # SIGTERM arrives while the first step runs
        asked.append(1)
        return len(asked) > 1

    run = run_pipeline(load_text(PIPELINE, "p.yaml"), driver=db, should_stop=should_stop,
                       progress=None)  # fmt: skip
    assert run.status == "cancelled" and "before step 'wcc'" in run.error
    assert [s.status for s in run.steps] == ["succeeded", "cancelled"]
    assert load_run(db, None, run.runId).status == "cancelled"
    assert (
        db.execute_query("MATCH (t:Thing) WHERE t.deg IS NOT NULL RETURN count(*)").records[0][0]
        == 10
    )
