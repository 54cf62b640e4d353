"""Soak and fault run: many concurrent Cypher callers, killed services and a killed Neo4j.

    .venv/bin/python -m benchmarks.soak                          # 50 sessions, 120 s, 20k nodes
    .venv/bin/python -m benchmarks.soak --sessions 20 --seconds 30
    .venv/bin/python -m benchmarks.soak --keep-home              # keep the Neo4j home and logs

Run it from the repository root: it starts and kills the service with the integration tests'
``GmlStack`` (``tests/integration/conftest.py``).

It starts its own Neo4j 5.26 with the gml plugin (temporary home, free Bolt port on 127.0.0.1,
``neo4j_gml.local_neo4j.start``) and its own ``neo4j-gml serve`` (free port on 127.0.0.1, a
random token, ``GML_SERVICE_MAX_JOBS`` 2 and ``GML_SERVICE_MAX_QUEUE`` 32 unless set), loads a
generated graph (``--nodes`` ``:S`` nodes with about five ``:R {weight}`` relationships each,
:func:`benchmarks.graphs.power_law_edges`, plus a small bipartite ``(:P)-[:HAS]->(:F)`` part for
nodeSimilarity), and stops everything at the end whatever happens (``finally``, ``atexit``,
SIGTERM). Nothing leaves 127.0.0.1.

For ``--seconds``, ``--sessions`` threads (each with its own driver session) loop over a mix of
calls through Cypher: ``gml.pageRank.stream`` (counted), ``gml.wcc.stats``, ``gml.pageRank.write``
and ``gml.wcc.write`` (one ``writeProperty`` per procedure), ``gml.nodeSimilarity.write``
(``SIM``, topK 3). Some calls run with a 0.5 s transaction timeout; some carry a ``jobId`` that
another session cancels with ``gml.job.cancel``. Meanwhile a fault thread kills the service
(SIGKILL) a few times while a job is writing and restarts it, and once kills Neo4j's Java
process (SIGKILL, pid from ``<home>/run/neo4j.pid``) while a job is writing and restarts it on
the same home and port (the store recovers).

Every call's outcome is classified: success; a clear refusal (the service is busy, cancelled,
terminated or timed out, the service down while it was killed, Neo4j unavailable while it was
killed, a cancel that found no job); or an unclear failure (anything else, printed with its
message; the target is zero). At the end, with all faults over, it checks: no node pair has two
``SIM`` relationships; after one clean run of each write procedure every ``:S`` node has both
written properties and they equal a fresh stream run (pageRank within 1e-9, wcc as a
partition), and the ``SIM`` relationships hold every streamed pair with its score; the service
is idle (``GET /jobs``: no job, none running) within 10 s; Neo4j answers.

Prints a markdown table and writes it, with the raw numbers as JSON, to
``benchmarks/results/soak-<date>-<host>[-tag].md`` / ``.json``. Exit code 0 unless the
consistency check fails (1) or the script itself breaks; unclear failures are reported, not
an exit error.
"""

from __future__ import annotations

import argparse
import atexit
import collections
import contextlib
import datetime as dt
import json
import logging
import os
import random
import re
import secrets
import shutil
import signal
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import neo4j
import neo4j.exceptions
import numpy as np

from benchmarks.graphs import load_into_neo4j, power_law_edges
from benchmarks.run import RESULTS, _machine
from neo4j_gml import local_neo4j
from tests.integration.conftest import GmlStack, free_port, service_answers

# ------------------------------------------------------------------------------ what is called

PAGE_RANK = {
    "nodeLabels": ["S"],
    "relationshipTypes": ["R"],
    "relationshipWeightProperty": "weight",
}
WCC = {"nodeLabels": ["S"], "relationshipTypes": ["R"]}
NODE_SIM = {"nodeLabels": ["P", "F"], "relationshipTypes": ["HAS"], "topK": 3}
PR_PROPERTY, WCC_PROPERTY, SIM_TYPE = "soak_pr", "soak_wcc", "SIM"
WRITE_BATCH = 2_000  # rows per write transaction: several batches, so "mid-write" is a moment
WRITERS = 4  # writer threads of a write (the default concurrency)

#: kind -> (Cypher, config); ``$c`` is the config.
CALLS: dict[str, tuple[str, dict[str, Any]]] = {
    "pageRank.stream": (
        "CALL gml.pageRank.stream($c) YIELD nodeId, score RETURN count(*) AS rows",
        PAGE_RANK,
    ),
    "wcc.stats": ("CALL gml.wcc.stats($c) YIELD componentCount RETURN componentCount", WCC),
    "pageRank.write": (
        "CALL gml.pageRank.write($c) YIELD nodePropertiesWritten RETURN nodePropertiesWritten",
        {**PAGE_RANK, "writeProperty": PR_PROPERTY, "batchSize": WRITE_BATCH},
    ),
    "wcc.write": (
        "CALL gml.wcc.write($c) YIELD nodePropertiesWritten RETURN nodePropertiesWritten",
        {**WCC, "writeProperty": WCC_PROPERTY, "batchSize": WRITE_BATCH},
    ),
    "nodeSimilarity.write": (
        "CALL gml.nodeSimilarity.write($c) YIELD relationshipsWritten RETURN relationshipsWritten",
        {
            **NODE_SIM,
            "writeRelationshipType": SIM_TYPE,
            "writeProperty": "score",
            "batchSize": WRITE_BATCH // 4,
        },
    ),
}
#: How often each kind is picked (``job.cancel`` only while a cancel is pending).
MIX = {
    "pageRank.stream": 3,
    "wcc.stats": 2,
    "pageRank.write": 2,
    "wcc.write": 2,
    "nodeSimilarity.write": 2,
    "job.cancel": 2,
}
TIMEOUT_SHARE, CANCEL_SHARE, TX_TIMEOUT = 0.12, 0.12, 0.5

#: Refusal kinds that count as clear, in table order.
REFUSALS = ("busy", "cancelled", "timed out", "service down", "neo4j down", "no such job")
SERVICE_GRACE, NEO4J_GRACE = 3.0, 15.0  # seconds after a restart that errors still count


# ------------------------------------------------------------------------------ records


@dataclass
class Call:
    """One call: what, how, when (seconds since the soak began) and how it ended."""

    kind: str
    variant: str  # plain | timeout | cancel-target | cancel
    t0: float
    t1: float = 0.0
    ok: bool = False
    error_type: str = ""
    code: str = ""
    message: str = ""
    outcome: str = ""  # "ok", a REFUSALS entry, or "unclear"
    job_id: str = ""  # a cancel target's jobId; for a cancel, the jobId it cancels
    cancel_phase: str = ""  # a cancel that found its job: the job's phase then
    cancel_rows: tuple[int, int] = (0, 0)  # ... and its rows written, of rows to write

    @property
    def seconds(self) -> float:
        return self.t1 - self.t0


@dataclass
class Fault:
    """One injected fault: which, when (seconds since the soak began), what was writing."""

    target: str  # service | neo4j
    killed_at: float
    up_at: float = 0.0
    during: str = ""  # the job seen writing when it was killed, or why none was
    pid: int = 0

    @property
    def down_s(self) -> float:
        return self.up_at - self.killed_at


@dataclass
class Soak:
    """Shared state of one run."""

    stack: GmlStack
    driver: neo4j.Driver
    bolt_port: int
    started: float
    deadline: float
    stop: threading.Event = field(default_factory=threading.Event)
    calls: list[Call] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    pending_cancels: collections.deque = field(default_factory=collections.deque)
    lock: threading.Lock = field(default_factory=threading.Lock)
    fault_errors: list[str] = field(default_factory=list)

    def now(self) -> float:
        return time.monotonic() - self.started


# ------------------------------------------------------------------------------ the stack


def service_jobs(stack: GmlStack, timeout: float = 5.0) -> dict[str, Any]:
    """``GET /jobs`` of the service (raises when it does not answer)."""
    request = urllib.request.Request(stack.service_url + "/jobs")
    if stack.token:
        request.add_header("Authorization", f"Bearer {stack.token}")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.load(response)


def neo4j_pid(home: Path) -> int | None:
    """The pid of the Neo4j Java process of ``home`` (from ``<home>/run/neo4j.pid``)."""
    return local_neo4j.status(home)["pid"]


def start_neo4j(home: Path, port: int, password: str, stack_env: dict[str, str]) -> str:
    return local_neo4j.start(
        home=home, port=port, password=password, extra_env=stack_env, timeout=300
    )


def load_graph(driver: neo4j.Driver, nodes: int) -> dict[str, int]:
    """``nodes`` :S nodes with about 5 :R {weight} each, and a bipartite (:P)-[:HAS]->(:F)."""
    src, dst = power_law_edges(nodes, 5 * nodes, seed=11)
    load_into_neo4j(driver, src, dst, nodes, label="S", rel="R")
    people, features = max(nodes // 20, 50), 60
    driver.execute_query(
        "UNWIND range(0, $p - 1) AS i CREATE (:P {i: i}) "
        "WITH 1 AS one LIMIT 1 UNWIND range(0, $f - 1) AS f CREATE (:F {f: f})",
        p=people,
        f=features,
    )
    driver.execute_query(
        "MATCH (p:P) UNWIND range(0, 3) AS k MATCH (f:F {f: (p.i * 7 + k * 13 + p.i / 11) % $f}) "
        "MERGE (p)-[:HAS]->(f)",
        f=features,
    )
    has = driver.execute_query("MATCH (:P)-[h:HAS]->(:F) RETURN count(h) AS c").records[0]["c"]
    return {
        "S": nodes,
        "R": int(src.size),
        "P": people,
        "F": features,
        "HAS": int(has),
    }


# ------------------------------------------------------------------------------ sessions


def _run_cypher(
    session: neo4j.Session, text: str, params: dict, timeout: float | None
) -> list[neo4j.Record]:
    query = neo4j.Query(text, timeout=timeout) if timeout else text
    result = session.run(query, params)
    records = list(result)
    result.consume()
    return records


def _record_error(call: Call, exc: BaseException) -> None:
    call.error_type = type(exc).__name__
    if isinstance(exc, neo4j.exceptions.Neo4jError):
        call.code = exc.code or ""
        call.message = exc.message or str(exc)
    else:
        call.message = str(exc)


def _pause_after(call: Call, rng: random.Random) -> float:
    """Seconds a session waits before its next call (busy or down: back off)."""
    if call.ok:
        return rng.uniform(0.0, 0.1)
    text = call.message.lower()
    if "is busy" in text:
        return rng.uniform(0.5, 2.0)
    if "cancel" in text or "terminated" in call.code.lower() or "timedout" in call.code.lower():
        return rng.uniform(0.0, 0.3)
    return rng.uniform(1.0, 2.5)  # something is down: pause, then keep going


def session_loop(soak: Soak, index: int) -> None:
    """One client: its own driver session, calls until the deadline."""
    rng = random.Random(1000 + index)
    kinds = list(MIX)
    weights = [MIX[k] for k in kinds]
    session: neo4j.Session | None = None
    serial = 0
    while not soak.stop.is_set() and time.monotonic() < soak.started + soak.deadline:
        kind = rng.choices(kinds, weights)[0]
        target: tuple[str, float] | None = None
        if kind == "job.cancel":
            with soak.lock:
                if soak.pending_cancels:
                    target = soak.pending_cancels.popleft()
            if target is None:
                continue
            wait = target[1] - soak.now()
            if wait > 0:
                time.sleep(wait)
        variant, timeout, config = "plain", None, None
        if target is not None:
            variant = "cancel"
            text, params = (
                "CALL gml.job.cancel($id) YIELD cancelled, phase, rowsWritten, rowsToWrite "
                "RETURN cancelled, phase, rowsWritten, rowsToWrite",
                {"id": target[0]},
            )
        else:
            text, base = CALLS[kind]
            config = dict(base)
            roll = rng.random()
            if roll < TIMEOUT_SHARE:
                variant, timeout = "timeout", TX_TIMEOUT
            elif roll < TIMEOUT_SHARE + CANCEL_SHARE:
                serial += 1
                variant = "cancel-target"
                config["jobId"] = f"soak-{index}-{serial}"
                with soak.lock:  # another session cancels it 0.2-3 s from now
                    soak.pending_cancels.append((config["jobId"], soak.now() + rng.uniform(0.2, 3)))
            params = {"c": config}
        call = Call(kind, variant, soak.now())
        call.job_id = target[0] if target else (config or {}).get("jobId", "")
        try:
            if session is None:
                session = soak.driver.session()
            records = _run_cypher(session, text, params, timeout)
            call.ok = True
            if target is not None and records and records[0]["cancelled"]:
                call.cancel_phase = records[0]["phase"]
                call.cancel_rows = (records[0]["rowsWritten"], records[0]["rowsToWrite"])
        except Exception as exc:  # noqa: BLE001 - every outcome is recorded and classified
            _record_error(call, exc)
            if not isinstance(exc, neo4j.exceptions.ClientError) and session is not None:
                with contextlib.suppress(Exception):
                    session.close()
                session = None
        call.t1 = soak.now()
        with soak.lock:
            soak.calls.append(call)
        soak.stop.wait(_pause_after(call, rng))
    if session is not None:
        with contextlib.suppress(Exception):
            session.close()


# ------------------------------------------------------------------------------ faults


def _wait_for_write(soak: Soak, limit: float) -> str:
    """Poll ``GET /jobs`` until a job is in its write phase; describes it (or why none)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and not soak.stop.is_set():
        try:
            jobs = service_jobs(soak.stack, timeout=2)["jobs"]
        except (OSError, ValueError):
            jobs = []
        for job in jobs:
            if job["phase"] == "write" and not job["cancelled"]:
                return (
                    f"{job['procedure']}.{job['mode']} writing "
                    f"({job['rowsWritten']}/{job['rowsToWrite']} rows)"
                )
        time.sleep(0.03)
    return f"no job seen writing within {limit:.0f} s"


def kill_service(soak: Soak) -> Fault:
    during = _wait_for_write(soak, 20)
    pid = soak.stack.service.pid if soak.stack.service else 0
    fault = Fault("service", soak.now(), during=during, pid=pid)
    soak.stack.kill_service()  # SIGKILL
    soak.stack.start_service(timeout=180)
    fault.up_at = soak.now()
    return fault


def kill_neo4j(soak: Soak, env: dict[str, str]) -> Fault:
    home = soak.stack.home
    assert home is not None
    during = _wait_for_write(soak, 30)
    pid = neo4j_pid(home)
    if pid is None:
        raise RuntimeError(f"no running Neo4j in {home}")
    fault = Fault("neo4j", soak.now(), during=during, pid=pid)
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while neo4j_pid(home) is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    uri = start_neo4j(home, soak.bolt_port, soak.stack.password, env)
    if uri != soak.stack.uri:
        raise RuntimeError(f"Neo4j came back on {uri}, not {soak.stack.uri}")
    fault.up_at = soak.now()
    return fault


def fault_plan(seconds: float) -> list[tuple[float, str]]:
    """When (seconds into the soak) to kill what: the service a few times, Neo4j once."""
    kills = max(1, min(4, round(seconds / 40)))
    plan = [(seconds * (0.12 + 0.75 * k / kills), "service") for k in range(kills)]
    plan.append((seconds * 0.35, "neo4j"))
    return sorted(plan)


def fault_loop(soak: Soak, env: dict[str, str]) -> None:
    for at, target in fault_plan(soak.deadline):
        while soak.now() < at and not soak.stop.is_set():
            soak.stop.wait(0.2)
        if soak.stop.is_set() or soak.now() > soak.deadline - 3:
            return
        try:
            fault = kill_service(soak) if target == "service" else kill_neo4j(soak, env)
        except Exception as exc:  # noqa: BLE001 - reported; the final checks then fail
            soak.fault_errors.append(f"{target}: {type(exc).__name__}: {exc}")
            return
        with soak.lock:
            soak.faults.append(fault)
        print(
            f"  [{fault.killed_at:6.1f} s] killed {target} (pid {fault.pid}, {fault.during}); "
            f"back after {fault.down_s:.1f} s",
            flush=True,
        )


# ------------------------------------------------------------------------------ classification


def _overlaps(call: Call, faults: list[Fault], target: str, grace: float) -> bool:
    return any(
        f.target == target and call.t1 >= f.killed_at and call.t0 <= f.up_at + grace for f in faults
    )


_DRIVER_DOWN = (
    neo4j.exceptions.ServiceUnavailable,
    neo4j.exceptions.SessionExpired,
    neo4j.exceptions.IncompleteCommit,
)


def classify(call: Call, faults: list[Fault]) -> str:
    """``ok``, a clear refusal kind (:data:`REFUSALS`) or ``unclear``."""
    if call.ok:
        return "ok"
    text, code = call.message, call.code
    neo4j_window = _overlaps(call, faults, "neo4j", NEO4J_GRACE)
    if "the service is busy" in text:
        return "busy"
    if call.variant == "cancel" and "no job with id" in text:
        return "no such job"
    if call.variant == "cancel-target" and "cancelled" in text:
        return "cancelled"
    if call.variant == "timeout" and ("Terminated" in code or "TimedOut" in code):
        return "timed out"
    service_words = "neo4j_gml service" in text and (
        "not reachable" in text or "ended the result stream" in text
    )
    if service_words and (_overlaps(call, faults, "service", SERVICE_GRACE) or neo4j_window):
        return "service down"
    if neo4j_window:
        down_types = {t.__name__ for t in _DRIVER_DOWN}
        if (
            call.error_type in down_types
            or code.startswith("Neo.TransientError")
            or "cannot reach Neo4j" in text
            or "Neo4j failed" in text
            or "writing failed" in text
            or "DatabaseUnavailable" in code
        ):
            return "neo4j down"
    return "unclear"


#: Phases after which a job of that mode checks its token again before it ends: a job
#: cancelled in one of them must not end well (stats jobs end right after computing). A write
#: cancelled in its write phase may end well only when the batches left were all in flight
#: already (at most :data:`WRITERS` batches): no batch starts after the cancel.
_MUST_STOP = {
    "stream": ("queued", "read", "compute", "computed"),
    "write": ("queued", "read", "compute", "computed"),
    "stats": ("queued", "read"),
}


def cancels(calls: list[Call]) -> dict[str, Any]:
    """Pair each acknowledged ``gml.job.cancel`` with its target call: how the targets ended,
    by the phase their job was in, and the targets that ended well though they had to stop."""
    targets = {c.job_id: c for c in calls if c.variant == "cancel-target"}
    by_phase: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    violations, in_write = [], []
    for c in calls:
        if c.variant != "cancel" or not c.cancel_phase:
            continue
        target = targets.get(c.job_id)
        if target is None:  # cannot happen: every cancelled id is a target's
            by_phase[c.cancel_phase]["no target"] += 1
            continue
        by_phase[c.cancel_phase][target.outcome] += 1
        mode = target.kind.rsplit(".", 1)[1]
        done, total = c.cancel_rows
        slack = WRITERS * CALLS[target.kind][1].get("batchSize", 0)
        late = c.cancel_phase == "write" and total - done > slack
        if c.cancel_phase == "write":
            in_write.append(f"{target.kind} at {done}/{total} rows: {target.outcome}")
        if target.ok and (c.cancel_phase in _MUST_STOP[mode] or late):
            violations.append(
                f"{target.kind} job {c.job_id} cancelled in phase '{c.cancel_phase}' "
                f"({done}/{total} rows written) at {c.t1:.1f} s, ended well at {target.t1:.1f} s"
            )
    return {
        "acknowledged": sum(sum(v.values()) for v in by_phase.values()),
        "targets_by_phase": {k: dict(v) for k, v in by_phase.items()},
        "in_write_phase": in_write,
        "violations": violations,
    }


def _shape(message: str) -> str:
    """A message with ids and numbers blanked, to group unclear failures."""
    out = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "<uuid>", message)
    out = re.sub(r"soak-\d+-\d+", "<jobId>", out)
    return re.sub(r"\d+(\.\d+)?", "N", out)[:400]


# ------------------------------------------------------------------------------ final checks


def _wait_idle(stack: GmlStack, limit: float) -> tuple[bool, float, dict[str, Any]]:
    t0 = time.monotonic()
    last: dict[str, Any] = {}
    while True:
        try:
            last = service_jobs(stack)
            if not last["jobs"] and last["running"] == 0 and last["waiting"] == 0:
                return True, time.monotonic() - t0, last
        except (OSError, ValueError) as exc:
            last = {"error": str(exc)}
        if time.monotonic() - t0 > limit:
            return False, time.monotonic() - t0, last
        time.sleep(0.1)


def _one(driver: neo4j.Driver, text: str, **params: Any) -> dict[str, Any]:
    return dict(driver.execute_query(text, params).records[0])


def consistency(stack: GmlStack, driver: neo4j.Driver) -> dict[str, Any]:
    """The end checks; ``{"ok": bool, "checks": [{"check", "ok", "detail"}], ...}``."""
    checks: list[dict[str, Any]] = []

    def check(name: str, ok: bool, detail: str) -> None:
        checks.append({"check": name, "ok": bool(ok), "detail": detail})

    idle, seconds, jobs = _wait_idle(stack, 10)
    check(
        "service idle after the soak",
        idle,
        f"after {seconds:.1f} s" if idle else f"not within 10 s: {json.dumps(jobs)[:600]}",
    )
    dup = _one(
        driver,
        f"MATCH (a)-[r:{SIM_TYPE}]->(b) WITH a, b, count(r) AS k WHERE k > 1 "
        "RETURN count(*) AS pairs, coalesce(max(k), 0) AS most",
    )
    check(
        f"no node pair with two {SIM_TYPE} (soak writes)",
        dup["pairs"] == 0,
        f"{dup['pairs']} pairs with more than one (most {dup['most']})",
    )
    # One clean run of each write procedure, then the same procedures streamed.
    written = {}
    for kind in ("pageRank.write", "wcc.write", "nodeSimilarity.write"):
        text, config = CALLS[kind]
        written[kind] = list(_one(driver, text, c=config).values())[0]
    pr_stream = driver.execute_query(
        "CALL gml.pageRank.stream($c) YIELD nodeId, score RETURN nodeId, score", c=PAGE_RANK
    ).records
    wcc_stream = driver.execute_query(
        "CALL gml.wcc.stream($c) YIELD nodeId, componentId RETURN nodeId, componentId", c=WCC
    ).records
    sim_stream = driver.execute_query(
        "CALL gml.nodeSimilarity.stream($c) YIELD node1, node2, similarity "
        "RETURN node1, node2, similarity",
        c=NODE_SIM,
    ).records
    stored = driver.execute_query(
        f"MATCH (n:S) RETURN id(n) AS id, n.{PR_PROPERTY} AS pr, n.{WCC_PROPERTY} AS wcc"
    ).records
    nodes = len(stored)
    missing_pr = sum(r["pr"] is None for r in stored)
    missing_wcc = sum(r["wcc"] is None for r in stored)
    check(
        "every :S node has both written properties",
        nodes > 0 and missing_pr == 0 and missing_wcc == 0,
        f"{nodes:,} nodes; without {PR_PROPERTY}: {missing_pr}, without {WCC_PROPERTY}: "
        f"{missing_wcc} (clean writes: {written})",
    )
    pr_fresh = {r["nodeId"]: r["score"] for r in pr_stream}
    diffs = [
        abs(r["pr"] - pr_fresh[r["id"]])
        for r in stored
        if r["pr"] is not None and r["id"] in pr_fresh
    ]
    worst = max(diffs, default=float("inf"))
    check(
        "pageRank written = stream (1e-9)",
        len(diffs) == nodes == len(pr_fresh) and worst <= 1e-9,
        f"{len(diffs):,} compared of {len(pr_fresh):,} streamed; max abs diff {worst:.1e}",
    )
    wcc_fresh = {r["nodeId"]: r["componentId"] for r in wcc_stream}
    forward: dict[Any, set] = collections.defaultdict(set)
    backward: dict[Any, set] = collections.defaultdict(set)
    compared = 0
    for r in stored:
        if r["wcc"] is not None and r["id"] in wcc_fresh:
            forward[r["wcc"]].add(wcc_fresh[r["id"]])
            backward[wcc_fresh[r["id"]]].add(r["wcc"])
            compared += 1
    split = sum(len(v) > 1 for v in forward.values()) + sum(len(v) > 1 for v in backward.values())
    check(
        "wcc written = stream (as a partition)",
        compared == nodes == len(wcc_fresh) and split == 0,
        f"{compared:,} compared; {len(forward):,} components written, {len(backward):,} "
        f"streamed; {split} not matched one to one",
    )
    sims = driver.execute_query(
        f"MATCH (a:P)-[r:{SIM_TYPE}]->(b:P) RETURN id(a) AS a, id(b) AS b, r.score AS s"
    ).records
    stored_sim = {(r["a"], r["b"]): r["s"] for r in sims}
    fresh_sim = {(r["node1"], r["node2"]): r["similarity"] for r in sim_stream}
    absent = [p for p in fresh_sim if p not in stored_sim]
    off = [p for p, s in fresh_sim.items() if p in stored_sim and abs(stored_sim[p] - s) > 1e-9]
    extra = len(set(stored_sim) - set(fresh_sim))
    check(
        f"{SIM_TYPE} holds every streamed pair with its score",
        fresh_sim and not absent and not off,
        f"{len(fresh_sim):,} streamed, {len(stored_sim):,} stored; missing {len(absent)}, "
        f"score differs {len(off)}; stored but not streamed now {extra} (ties: not an error)",
    )
    dup = _one(
        driver,
        f"MATCH (a)-[r:{SIM_TYPE}]->(b) WITH a, b, count(r) AS k WHERE k > 1 "
        "RETURN count(*) AS pairs",
    )
    check(f"no node pair with two {SIM_TYPE} (after the clean run)", dup["pairs"] == 0, "")
    idle, seconds, jobs = _wait_idle(stack, 10)
    check(
        "service idle after the clean runs",
        idle,
        f"after {seconds:.1f} s" if idle else f"not within 10 s: {json.dumps(jobs)[:600]}",
    )
    version = _one(driver, "CALL gml.version() YIELD serviceVersion RETURN serviceVersion")
    answer = _one(driver, "RETURN 1 AS one")
    check(
        "Neo4j answers (and reaches the service)",
        answer["one"] == 1 and version["serviceVersion"] is not None,
        f"service version {version['serviceVersion']}",
    )
    return {"ok": all(c["ok"] for c in checks), "checks": checks}


# ------------------------------------------------------------------------------ report


def _pct(values: list[float], q: float) -> str:
    return f"{np.percentile(values, q):.2f}" if values else "–"


def summarize(calls: list[Call]) -> dict[str, Any]:
    """Per kind (and in total): counts by outcome and latencies."""
    kinds = [*CALLS, "job.cancel"]
    out: dict[str, Any] = {}
    for kind in [*kinds, "total"]:
        mine = [c for c in calls if kind in ("total", c.kind)]
        counts = collections.Counter(c.outcome for c in mine)
        ok_lat = [c.seconds for c in mine if c.ok]
        all_lat = [c.seconds for c in mine]
        out[kind] = {
            "calls": len(mine),
            "outcomes": {k: counts.get(k, 0) for k in ("ok", *REFUSALS, "unclear")},
            "ok_p50": _pct(ok_lat, 50),
            "ok_p95": _pct(ok_lat, 95),
            "ok_max": f"{max(ok_lat):.2f}" if ok_lat else "–",
            "all_p50": _pct(all_lat, 50),
            "all_p95": _pct(all_lat, 95),
            "all_max": f"{max(all_lat):.2f}" if all_lat else "–",
        }
    return out


def unclear_messages(calls: list[Call]) -> list[dict[str, Any]]:
    groups: dict[str, list[Call]] = collections.defaultdict(list)
    for c in calls:
        if c.outcome == "unclear":
            groups[f"{c.error_type} {c.code} {_shape(c.message)}"].append(c)
    return [
        {
            "count": len(v),
            "kinds": sorted({f"{c.kind}/{c.variant}" for c in v}),
            "error_type": v[0].error_type,
            "code": v[0].code,
            "message": v[0].message[:1500],
            "at_s": [round(c.t1, 1) for c in v[:10]],
        }
        for v in sorted(groups.values(), key=len, reverse=True)
    ]


def refusal_messages(calls: list[Call]) -> dict[str, list[dict[str, Any]]]:
    """Per clear refusal kind: its distinct messages (shapes), most frequent first, with a
    count and one example (so that the classification can be checked by eye)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for kind in REFUSALS:
        groups: dict[str, list[Call]] = collections.defaultdict(list)
        for c in calls:
            if c.outcome == kind:
                groups[f"{c.error_type} {c.code} {_shape(c.message)}"].append(c)
        out[kind] = [
            {
                "count": len(v),
                "error_type": v[0].error_type,
                "code": v[0].code,
                "example": v[0].message[:500],
            }
            for v in sorted(groups.values(), key=len, reverse=True)
        ]
    return out


def recovery(calls: list[Call], fault: Fault) -> float | None:
    """Seconds from a restart until the first successful procedure call started after it."""
    ends = [c.t1 for c in calls if c.ok and c.kind in CALLS and c.t0 >= fault.up_at]
    return min(ends) - fault.up_at if ends else None


def service_tracebacks(log: Path | None) -> list[dict[str, Any]]:
    """The tracebacks in the service's log (each a failure the service did not expect), one per
    chain of chained exceptions, grouped by the log line before them and their last exception."""
    try:
        lines = log.read_text(errors="replace").splitlines() if log else []
    except OSError:
        return []
    chains: list[list[str]] = []  # [logged line, last exception line]
    for i, line in enumerate(lines):
        if not line.startswith("Traceback (most recent call last)"):
            continue
        end = i + 1
        while end < len(lines) and (not lines[end].strip() or lines[end][0] in " \t"):
            end += 1
        exception = lines[end].strip()[:300] if end < len(lines) else "?"
        before = [x for x in lines[max(0, i - 3) : i] if x.strip()]
        chained = bool(before) and before[-1].startswith(("The above exception", "During handling"))
        if chained and chains:
            chains[-1][1] = exception
        else:
            chains.append([_shape(before[-1])[:200] if before else "", exception])
    groups = collections.Counter((logged, exception) for logged, exception in chains)
    return [
        {"count": n, "logged": logged, "exception": exception}
        for (logged, exception), n in groups.most_common()
    ]


def markdown(meta: dict[str, Any], summary: dict[str, Any], result: dict[str, Any]) -> str:
    m = meta["machine"]
    g = meta["graph"]
    lines = [
        f"# Soak: {meta['sessions']} sessions for {meta['seconds']:.0f} s, with faults",
        "",
        f"{meta['date']}; host `{m['host']}`: {m['cpu']}, {m['cores']} cores, {m['memory']}; "
        f"Neo4j 5.26 (heap {meta['heap']}), service max jobs {meta['max_jobs']}, queue "
        f"{meta['max_queue']}. Graph: {g['S']:,} :S, {g['R']:,} :R {{weight}}; {g['P']:,} :P, "
        f"{g['F']} :F, {g['HAS']:,} :HAS. Soak ran {meta['soak_s']:.0f} s (sessions joined after "
        f"{meta['joined_s']:.0f} s); whole run {meta['total_s']:.0f} s.",
        "",
        "| kind | calls | ok | " + " | ".join(REFUSALS) + " | **unclear** | ok p50 | ok p95 | "
        "ok max | all p50 | all p95 | all max |",
        "|---|" + "---:|" * (3 + len(REFUSALS) + 6),
    ]
    for kind, s in summary.items():
        o = s["outcomes"]
        name = f"**{kind}**" if kind == "total" else f"`{kind}`"
        lines.append(
            f"| {name} | {s['calls']} | {o['ok']} | "
            + " | ".join(str(o[k]) for k in REFUSALS)
            + f" | **{o['unclear']}** | {s['ok_p50']} | {s['ok_p95']} | {s['ok_max']} | "
            f"{s['all_p50']} | {s['all_p95']} | {s['all_max']} |"
        )
    lines += [
        "",
        "Latencies in seconds, client side (`ok`: successful calls; `all`: every call, refusals "
        f"included). Variants: {meta['variants']}. busy = HTTP 503 (queue full); cancelled = "
        "a `gml.job.cancel` target that stopped; timed out = a call with a "
        f"{TX_TIMEOUT} s transaction timeout, terminated; service down / neo4j down = during a "
        "kill (until restarted, plus "
        f"{SERVICE_GRACE:.0f} s / {NEO4J_GRACE:.0f} s); no such job = a cancel that came after "
        "its job ended.",
        "",
        "Most frequent message of each refusal kind (all of them in the JSON):",
        "",
    ]
    for kind in REFUSALS:
        groups = meta["refusals"].get(kind) or []
        if groups:
            top = groups[0]
            lines.append(
                f"- {kind} ({len(groups)} distinct): {top['count']}x `{top['error_type']}` "
                f"`{top['code']}`: {top['example'][:300]}"
            )
    lines += [
        "",
        f"Cancels acknowledged (`cancelled` true): {meta['cancels']['acknowledged']}; their "
        "targets ended, by the job's phase at the cancel: "
        + "; ".join(
            f"{phase}: " + ", ".join(f"{k} {v}" for k, v in sorted(ends.items()))
            for phase, ends in sorted(meta["cancels"]["targets_by_phase"].items())
        )
        + ". Cancelled while writing: "
        + ("; ".join(meta["cancels"]["in_write_phase"]) or "none")
        + ".",
        "",
        "## Faults injected",
        "",
        "| # | at (s) | killed (SIGKILL) | pid | what was running | back after (s) "
        "| first ok call after (s) |",
        "|---:|---:|---|---:|---|---:|---:|",
    ]
    for i, f in enumerate(meta["faults"], 1):
        first = f["first_ok_after_s"]
        lines.append(
            f"| {i} | {f['killed_at']:.1f} | {f['target']} | {f['pid']} | {f['during']} | "
            f"{f['up_at'] - f['killed_at']:.1f} | {'–' if first is None else f'{first:.1f}'} |"
        )
    for err in meta["fault_errors"]:
        lines.append(f"| – | – | **fault failed** | – | {err} | – | – |")
    lines += [
        "",
        "First ok call after: from the restart to the end of the first successful procedure "
        "call started after it. Tracebacks in the service log: "
        f"{sum(t['count'] for t in meta['service_tracebacks'])}.",
    ]
    for t in meta["service_tracebacks"]:
        lines.append(f"- {t['count']}x after `{t['logged']}`: `{t['exception']}`")
    lines += [
        "",
        f"## Consistency: {'OK' if result['ok'] else '**FAILED**'}",
        "",
        "| check | result | detail |",
        "|---|---|---|",
    ]
    for c in result["checks"]:
        lines.append(f"| {c['check']} | {'ok' if c['ok'] else '**FAILED**'} | {c['detail']} |")
    lines += ["", "## Unclear failures", ""]
    if not meta["unclear"]:
        lines.append("None.")
    for u in meta["unclear"]:
        lines.append(
            f"- **{u['count']}x** ({', '.join(u['kinds'])}) `{u['error_type']}` `{u['code']}`: "
            f"{u['message'][:600]}"
        )
    lines.append("")
    return "\n".join(lines)


# ------------------------------------------------------------------------------ main


_CLEANUPS: list[Any] = []


def _cleanup() -> None:
    while _CLEANUPS:
        fn = _CLEANUPS.pop()
        with contextlib.suppress(Exception):
            fn()


def _on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.soak",
        description="soak and fault run against a local Neo4j + service",
    )
    parser.add_argument("--sessions", type=int, default=50, help="concurrent Cypher callers")
    parser.add_argument("--seconds", type=float, default=120, help="how long the callers run")
    parser.add_argument("--nodes", type=int, default=20_000, help=":S nodes (5 :R each)")
    parser.add_argument("--tag", default="", help="suffix of the result file names")
    parser.add_argument("--keep-home", action="store_true", help="keep the Neo4j home and logs")
    args = parser.parse_args(argv)
    if args.sessions < 1 or args.seconds <= 0 or args.nodes < 100:
        parser.error("need --sessions >= 1, --seconds > 0, --nodes >= 100")

    run_start = time.monotonic()
    # The driver logs every broken connection; the outcomes are counted instead.
    logging.getLogger("neo4j").setLevel(logging.CRITICAL)
    signal.signal(signal.SIGTERM, _on_sigterm)
    atexit.register(_cleanup)
    os.environ.setdefault("GML_SERVICE_MAX_JOBS", "2")
    os.environ.setdefault("GML_SERVICE_MAX_QUEUE", "32")
    password = local_neo4j.DEFAULT_PASSWORD
    home = Path(tempfile.mkdtemp(prefix="gml-soak-"))
    if not args.keep_home:
        _CLEANUPS.append(lambda: shutil.rmtree(home, ignore_errors=True))
    else:
        print(f"Neo4j home (kept): {home}", flush=True)
    service_url = f"http://127.0.0.1:{free_port()}"
    token = secrets.token_hex(16)
    env = {"GML_SERVICE_URL": service_url, "GML_SERVICE_TOKEN": token}
    _CLEANUPS.append(lambda: local_neo4j.stop(home=home))
    try:
        print(f"starting Neo4j in {home} ...", flush=True)
        uri = start_neo4j(home, 0, password, env)
        bolt_port = int(uri.rsplit(":", 1)[1])
        admin = neo4j.GraphDatabase.driver(
            uri, auth=("neo4j", password), notifications_min_severity="OFF"
        )
        _CLEANUPS.append(admin.close)
        stack = GmlStack(uri, password, admin, service_url, token, home=home)
        stack.service_log = home / "logs" / "service.log"
        _CLEANUPS.append(stack.stop_service)
        print(f"Neo4j on {uri}; starting the service on {service_url} ...", flush=True)
        stack.start_service(timeout=180)
        print(f"loading {args.nodes:,} :S nodes ...", flush=True)
        t0 = time.monotonic()
        graph = load_graph(admin, args.nodes)
        print(f"loaded {graph} in {time.monotonic() - t0:.0f} s", flush=True)
        heap = _one(
            admin,
            'CALL dbms.queryJmx("java.lang:type=Memory") YIELD attributes '
            "RETURN attributes.HeapMemoryUsage.value.properties.max AS m",
        )["m"]
        limits = service_jobs(stack)
        # The callers' driver: a pool big enough for every session and the cancels.
        callers = neo4j.GraphDatabase.driver(
            uri,
            auth=("neo4j", password),
            notifications_min_severity="OFF",
            max_connection_pool_size=args.sessions + 20,
            connection_timeout=5,
            connection_acquisition_timeout=30,
        )
        _CLEANUPS.append(callers.close)
        soak = Soak(stack, callers, bolt_port, time.monotonic(), args.seconds)
        print(
            f"soak: {args.sessions} sessions for {args.seconds:.0f} s; faults at "
            + ", ".join(f"{at:.0f} s {what}" for at, what in fault_plan(args.seconds)),
            flush=True,
        )
        threads = [
            threading.Thread(target=session_loop, args=(soak, i), daemon=True, name=f"s{i}")
            for i in range(args.sessions)
        ]
        faults = threading.Thread(target=fault_loop, args=(soak, env), daemon=True)

        def stop_callers() -> None:
            # Stopped early (Ctrl-C, SIGTERM): let a restart in progress finish, so that what it
            # starts is stopped too.
            soak.stop.set()
            faults.join(120)

        _CLEANUPS.append(stop_callers)
        for t in [*threads, faults]:
            t.start()
        while soak.now() < args.seconds:
            time.sleep(1)
            if int(soak.now()) % 15 == 0:
                with soak.lock:
                    done = len(soak.calls)
                    oks = sum(c.ok for c in soak.calls)
                print(f"  [{soak.now():6.1f} s] {done} calls, {oks} ok", flush=True)
        soak_s = soak.now()
        faults.join(600)  # a restart in progress finishes first
        join_deadline = time.monotonic() + 300
        for t in threads:
            t.join(max(0.1, join_deadline - time.monotonic()))
        hung = [t.name for t in threads if t.is_alive()]
        soak.stop.set()
        joined_s = soak.now()
        with soak.lock:
            calls = list(soak.calls)
            fault_list = list(soak.faults)
        for c in calls:
            c.outcome = classify(c, fault_list)
        if hung:
            for name in hung:
                calls.append(
                    Call(
                        "hung",
                        "plain",
                        0.0,
                        joined_s,
                        error_type="Hung",
                        message=f"session {name} still in a call 300 s after the deadline",
                        outcome="unclear",
                    )
                )
        print("final checks ...", flush=True)
        if not service_answers(service_url):
            stack.start_service(timeout=180)
        result = consistency(stack, admin)
        paired = cancels(calls)
        result["checks"].append(
            {
                "check": "a job cancelled before it could finish did not end well",
                "ok": not paired["violations"],
                "detail": "; ".join(paired["violations"][:10])
                or f"{paired['acknowledged']} acknowledged cancels paired with their calls",
            }
        )
        result["ok"] = result["ok"] and not paired["violations"]
        if soak.fault_errors:
            result["ok"] = False
            result["checks"].append(
                {"check": "faults injected", "ok": False, "detail": "; ".join(soak.fault_errors)}
            )
        summary = summarize(calls)
        variants = collections.Counter(c.variant for c in calls)
        meta = {
            "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": _machine(),
            "sessions": args.sessions,
            "seconds": args.seconds,
            "nodes": args.nodes,
            "graph": graph,
            "heap": f"{heap / 2**30:.1f} GiB",
            "max_jobs": limits["maxJobs"],
            "max_queue": limits["maxQueue"],
            "soak_s": soak_s,
            "joined_s": joined_s,
            "total_s": time.monotonic() - run_start,
            "variants": ", ".join(f"{k} {v}" for k, v in sorted(variants.items())),
            "faults": [{**asdict(f), "first_ok_after_s": recovery(calls, f)} for f in fault_list],
            "service_tracebacks": service_tracebacks(stack.service_log),
            "refusals": refusal_messages(calls),
            "cancels": paired,
            "fault_errors": soak.fault_errors,
            "unclear": unclear_messages(calls),
        }
        text = markdown(meta, summary, result)
        RESULTS.mkdir(parents=True, exist_ok=True)
        stem = f"soak-{dt.date.today().isoformat()}-{meta['machine']['host']}" + (
            f"-{args.tag}" if args.tag else ""
        )
        (RESULTS / f"{stem}.md").write_text(text)
        (RESULTS / f"{stem}.json").write_text(
            json.dumps(
                {"meta": meta, "summary": summary, "consistency": result},
                indent=1,
                default=str,
            )
        )
        print()
        print(text)
        if meta["unclear"]:
            n = sum(u["count"] for u in meta["unclear"])
            print(f"!!! {n} UNCLEAR FAILURES ({len(meta['unclear'])} distinct), see above !!!")
        print(f"saved {RESULTS / stem}.md and .json; run took {meta['total_s']:.0f} s")
        return 0 if result["ok"] else 1
    finally:
        _cleanup()


if __name__ == "__main__":
    sys.exit(main())
