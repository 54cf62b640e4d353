"""Pipeline run records in Neo4j: ``(:GmlRun)-[:HAS_STEP]->(:GmlStep)`` nodes.

This module stores and reads them; :mod:`neo4j_gml.pipeline.records` holds the record objects
(``RunRecord``, ``StepRecord``) and passes them here as plain dicts (``dataclasses.asdict``). A
run is saved with ``MERGE`` on ``runId`` (and ``index`` for steps), so saving twice is harmless.
A step's ``config`` and ``summary`` are stored as JSON strings, its times as ``datetime``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import neo4j

RUN_LABEL = "GmlRun"
STEP_LABEL = "GmlStep"
RECORD_LABELS = frozenset({RUN_LABEL, STEP_LABEL})

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


def _step_params(step: Mapping[str, Any]) -> dict[str, Any]:
    props = dict(step)
    started, ended = props.pop("started"), props.pop("ended")
    props["config"] = json.dumps(props["config"], sort_keys=True, default=str)
    props["summary"] = json.dumps(props["summary"], sort_keys=True, default=str)
    return {"index": step["index"], "started": started, "ended": ended, "props": props}


def save_run(
    driver: neo4j.Driver,
    database: str | None,
    run: Mapping[str, Any],
    steps: Sequence[Mapping[str, Any]],
) -> None:
    """Create or update a run's nodes (idempotent).

    ``run``: the run's fields without its steps; ``steps``: each step's fields (``index``,
    ``started``, ``ended``, ``config``, ``summary``, ...).
    """
    params = dict(run)
    step_params = [_step_params(s) for s in steps]
    if step_params:
        driver.execute_query(_SAVE, run=params, steps=step_params, database_=database)
    else:  # UNWIND of nothing would drop the row before the run is written
        driver.execute_query(
            _SAVE.split("WITH r")[0], run=params, steps=step_params, database_=database
        )


def load_run(
    driver: neo4j.Driver, database: str | None, run_id: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The run ``run_id`` and its steps (ordered by index) as dicts; ``KeyError`` if absent.

    Times come back as ISO strings, a step's ``config`` and ``summary`` as dicts; the stored
    ``stepCount`` of the run and ``runId`` of the steps are left out.
    """
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
        step = dict(s)
        step.pop("runId", None)
        step["config"] = json.loads(step.get("config") or "{}")
        step["summary"] = json.loads(step.get("summary") or "{}")
        steps.append(step)
    return run, steps


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
