"""The record of every pipeline run: ``(:GmlRun)-[:HAS_STEP]->(:GmlStep)`` nodes in Neo4j.

A run is saved when it starts, after each step and when it ends, always with ``MERGE`` on
``runId`` (and ``index`` for steps), so saving twice is harmless. A run whose record cannot be
saved (Neo4j unreachable) is appended to a spool file, JSON lines, and saved by the next run that
reaches Neo4j (:func:`flush_spool`).
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import neo4j

RUN_LABEL = "GmlRun"
STEP_LABEL = "GmlStep"
RECORD_LABELS = frozenset({RUN_LABEL, STEP_LABEL})


def now_iso() -> str:
    """The current UTC time, ISO 8601 with milliseconds."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def new_run_id() -> str:
    """A sortable, unique run id: ``20261126T020000Z-1a2b3c4d``."""
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:8]


@dataclass
class StepRecord:
    """What one step did. ``status``: pending, running, succeeded, failed, skipped, cancelled."""

    index: int
    name: str
    procedure: str
    mode: str
    config: dict[str, Any]
    projection: str | None = None
    status: str = "pending"
    started: str | None = None
    ended: str | None = None
    millis: int = 0
    nodeCount: int = 0
    relationshipCount: int = 0
    nodePropertiesWritten: int = 0
    relationshipsWritten: int = 0
    rowCount: int = 0
    preProcessingMillis: int = 0
    computeMillis: int = 0
    writeMillis: int = 0
    summary: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass
class RunRecord:
    """One run of a pipeline. ``status``: running, succeeded, failed, cancelled."""

    runId: str
    pipeline: str
    file: str
    fileHash: str
    started: str
    ended: str | None = None
    status: str = "running"
    error: str | None = None
    host: str = field(default_factory=lambda: os.uname().nodename)
    pid: int = field(default_factory=os.getpid)
    steps: list[StepRecord] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunRecord:
        steps = [StepRecord(**s) for s in data.get("steps", [])]
        return cls(**{**data, "steps": steps})


_SAVE = f"""
MERGE (r:{RUN_LABEL} {{runId: $run.runId}})
SET r.pipeline = $run.pipeline, r.file = $run.file, r.fileHash = $run.fileHash,
    r.started = datetime($run.started),
    r.ended = CASE WHEN $run.ended IS NULL THEN null ELSE datetime($run.ended) END,
    r.status = $run.status, r.error = $run.error, r.host = $run.host, r.pid = $run.pid,
    r.stepCount = size($steps)
WITH r
UNWIND $steps AS s
MERGE (st:{STEP_LABEL} {{runId: $run.runId, index: s.index}})
SET st += s.props,
    st.started = CASE WHEN s.started IS NULL THEN null ELSE datetime(s.started) END,
    st.ended = CASE WHEN s.ended IS NULL THEN null ELSE datetime(s.ended) END
MERGE (r)-[:HAS_STEP]->(st)
"""


def _step_params(step: StepRecord) -> dict[str, Any]:
    props = asdict(step)
    started, ended = props.pop("started"), props.pop("ended")
    props["config"] = json.dumps(props["config"], sort_keys=True, default=str)
    props["summary"] = json.dumps(props["summary"], sort_keys=True, default=str)
    return {"index": step.index, "started": started, "ended": ended, "props": props}


def save_run(driver: neo4j.Driver, database: str | None, run: RunRecord) -> None:
    """Create or update the run's nodes (idempotent)."""
    params = {k: v for k, v in asdict(run).items() if k != "steps"}
    steps = [_step_params(s) for s in run.steps]
    if steps:
        driver.execute_query(_SAVE, run=params, steps=steps, database_=database)
    else:  # UNWIND of nothing would drop the row before the run is written
        driver.execute_query(_SAVE.split("WITH r")[0], run=params, steps=steps, database_=database)


def spool(path: Path, run: RunRecord) -> None:
    """Append ``run`` to the spool file of records still to be saved."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as f:
        f.write(json.dumps(run.to_json(), default=str) + "\n")


def flush_spool(driver: neo4j.Driver, database: str | None, path: Path) -> int:
    """Save every spooled run; the file is emptied once all are saved. Returns how many."""
    if not path.exists():
        return 0
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    for line in lines:
        save_run(driver, database, RunRecord.from_json(json.loads(line)))
    path.unlink()
    return len(lines)


def load_run(driver: neo4j.Driver, database: str | None, run_id: str) -> RunRecord:
    """The run ``run_id`` with its steps, read back from Neo4j; ``KeyError`` if absent."""
    records, _, _ = driver.execute_query(
        f"MATCH (r:{RUN_LABEL} {{runId: $id}}) "
        f"OPTIONAL MATCH (r)-[:HAS_STEP]->(s:{STEP_LABEL}) "
        "WITH r, s ORDER BY s.index "
        "RETURN r {.*, started: toString(r.started), ended: toString(r.ended)} AS run, "
        "collect(s {.*, started: toString(s.started), ended: toString(s.ended)}) AS steps",
        id=run_id,
        database_=database,
    )
    if not records:
        raise KeyError(f"no (:{RUN_LABEL}) with runId '{run_id}'")
    run = dict(records[0]["run"])
    run.pop("stepCount", None)
    steps = []
    for s in records[0]["steps"]:
        s = dict(s)
        s.pop("runId", None)
        s["config"] = json.loads(s.get("config") or "{}")
        s["summary"] = json.loads(s.get("summary") or "{}")
        known = StepRecord.__dataclass_fields__
        steps.append(StepRecord(**{k: v for k, v in s.items() if k in known}))
    known = RunRecord.__dataclass_fields__
    out = RunRecord(**{k: v for k, v in run.items() if k in known and k != "steps"})
    out.steps = steps
    return out


def latest_run_id(driver: neo4j.Driver, database: str | None, pipeline: str | None = None) -> str:
    """The runId of the most recent run (of ``pipeline`` when given)."""
    records, _, _ = driver.execute_query(
        f"MATCH (r:{RUN_LABEL}) WHERE $p IS NULL OR r.pipeline = $p "
        "RETURN r.runId AS id ORDER BY r.started DESC LIMIT 1",
        p=pipeline,
        database_=database,
    )
    if not records:
        raise KeyError("no pipeline runs are recorded in this database")
    return records[0]["id"]


def recent_runs(
    driver: neo4j.Driver, database: str | None, pipeline: str | None = None, limit: int = 20
) -> list[dict[str, Any]]:
    """The latest runs (of ``pipeline`` when given), newest first, without their steps."""
    records, _, _ = driver.execute_query(
        f"MATCH (r:{RUN_LABEL}) WHERE $p IS NULL OR r.pipeline = $p "
        "RETURN r.runId AS runId, r.pipeline AS pipeline, r.status AS status, "
        "toString(r.started) AS started, r.error AS error ORDER BY r.started DESC LIMIT $k",
        p=pipeline,
        k=limit,
        database_=database,
    )
    return [dict(r) for r in records]
