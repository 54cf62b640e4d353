"""The record of every pipeline run: ``(:GmlRun)-[:HAS_STEP]->(:GmlStep)`` nodes in Neo4j.

A run is saved when it starts, after each step and when it ends, always with ``MERGE`` on
``runId`` (and ``index`` for steps), so saving twice is harmless. A run whose record cannot be
saved (Neo4j unreachable) is appended to a spool file, JSON lines, and saved by the next run that
reaches Neo4j (:func:`flush_spool`).

The queries are in :mod:`neo4j_gml.io.records`, which also defines the labels; this module holds
the record objects and re-exports the labels, :func:`latest_run_id` and :func:`recent_runs`.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from neo4j_gml.io import records as io_records
from neo4j_gml.io.driver import Driver
from neo4j_gml.io.records import (
    RECORD_LABELS,
    RUN_LABEL,
    STEP_LABEL,
    latest_run_id,
    recent_runs,
)

__all__ = [
    "RECORD_LABELS",
    "RUN_LABEL",
    "STEP_LABEL",
    "RunRecord",
    "StepRecord",
    "flush_spool",
    "latest_run_id",
    "load_run",
    "new_run_id",
    "now_iso",
    "recent_runs",
    "save_run",
    "spool",
]


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


def save_run(driver: Driver, database: str | None, run: RunRecord) -> None:
    """Create or update the run's nodes (idempotent)."""
    params = asdict(run)
    steps = params.pop("steps")
    io_records.save_run(driver, database, params, steps)


def spool(path: Path, run: RunRecord) -> None:
    """Append ``run`` to the spool file of records still to be saved."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as f:
        f.write(json.dumps(run.to_json(), default=str) + "\n")


def flush_spool(driver: Driver, database: str | None, path: Path) -> int:
    """Save every spooled run; the file is emptied once all are saved. Returns how many."""
    if not path.exists():
        return 0
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    for line in lines:
        save_run(driver, database, RunRecord.from_json(json.loads(line)))
    path.unlink()
    return len(lines)


def load_run(driver: Driver, database: str | None, run_id: str) -> RunRecord:
    """The run ``run_id`` with its steps, read back from Neo4j; ``KeyError`` if absent."""
    run, stored_steps = io_records.load_run(driver, database, run_id)
    steps = []
    for s in stored_steps:
        known = StepRecord.__dataclass_fields__
        steps.append(StepRecord(**{k: v for k, v in s.items() if k in known}))
    known = RunRecord.__dataclass_fields__
    out = RunRecord(**{k: v for k, v in run.items() if k in known and k != "steps"})
    out.steps = steps
    return out
