"""Running a pipeline on a cron schedule in a long-lived process.

At each fire time the pipeline file is read and validated again (so edits take effect, and a
broken edit is logged as a failed run instead of killing the scheduler), the pipeline's lock
is taken (a run still going makes this one skip; a crashed run's lock is taken over), and the
pipeline runs in this process. Every run is logged as one JSON line. A run that cannot reach
Neo4j is logged as failed and spooled; the next run that reaches Neo4j saves its record.
:meth:`Scheduler.stop` (the SIGTERM handler) ends the wait at once, or lets the running step
finish and cancels the rest.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from croniter import croniter

from neo4j_gml.pipeline.execute import run_pipeline
from neo4j_gml.pipeline.loader import PipelineError, load_pipeline
from neo4j_gml.pipeline.lock import LockedError, PipelineLock
from neo4j_gml.pipeline.records import new_run_id, now_iso


def check_cron(expression: str) -> str:
    """``expression`` if croniter accepts it (5 fields, or 6 with seconds last), else ValueError."""
    if not croniter.is_valid(expression):
        raise ValueError(f"--cron '{expression}' is not a valid cron expression")
    return expression


class Scheduler:
    """Runs ``pipeline_path`` at the times of ``cron`` until stopped (or ``max_runs`` runs)."""

    def __init__(
        self,
        pipeline_path: str | Path,
        cron: str,
        *,
        state_dir: Path,
        log_file: Path | None = None,
        uri: str | None = None,
        database: str | None = None,
        max_runs: int | None = None,
        run_now: bool = False,
        echo: Callable[[str], None] | None = None,
    ) -> None:
        self.path = Path(pipeline_path)
        self.cron = check_cron(cron)
        self.state_dir = Path(state_dir)
        self.log_file = log_file
        self.uri, self.database = uri, database
        self.max_runs, self.run_now = max_runs, run_now
        self.echo = echo or (lambda m: print(m, file=sys.stderr, flush=True))
        self._stop = threading.Event()
        self.runs = 0

    def stop(self, *_args: Any) -> None:
        """Ask the scheduler to stop (safe to call from a signal handler)."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def log(self, entry: dict[str, Any]) -> None:
        entry = {"time": now_iso(), **entry}
        self.echo(json.dumps(entry, default=str))
        if self.log_file is not None:
            self.log_file.parent.mkdir(parents=True, exist_ok=True)
            with self.log_file.open("a") as f:
                f.write(json.dumps(entry, default=str) + "\n")

    def _sleep_until(self, when: float) -> bool:
        """Wait until ``when`` (epoch seconds); ``False`` if stopped first."""
        while not self._stop.is_set():
            left = when - time.time()
            if left <= 0:
                return True
            self._stop.wait(min(left, 1.0))
        return False

    def run_once(self) -> dict[str, Any]:
        """One scheduled run; returns (and logs) its log entry."""
        try:
            pipeline = load_pipeline(self.path)
        except PipelineError as exc:
            entry: dict[str, Any] = {
                "event": "run",
                "runId": new_run_id(),
                "pipeline": str(self.path),
                "status": "failed",
                "error": f"invalid pipeline file: {'; '.join(exc.problems)}",
            }
            self.log(entry)
            return entry
        lock = PipelineLock(self.state_dir / f"{pipeline.name}.lock")
        try:
            lock.acquire()
        except LockedError as exc:
            entry = {"event": "skipped", "pipeline": pipeline.name, "reason": str(exc)}
            self.log(entry)
            return entry
        try:
            run = run_pipeline(
                pipeline,
                uri=self.uri,
                database=self.database,
                progress=None,
                should_stop=self._stop.is_set,
                spool_file=self.state_dir / f"{pipeline.name}.spool.jsonl",
            )
        finally:
            lock.release()
        entry = {
            "event": "run",
            "runId": run.runId,
            "pipeline": run.pipeline,
            "status": run.status,
            "error": run.error,
            "started": run.started,
            "ended": run.ended,
            "steps": {s.name: s.status for s in run.steps},
        }
        self.log(entry)
        return entry

    def serve(self) -> int:
        """The loop: wait for each fire time and run; returns 0 when stopped."""
        self.log({"event": "started", "pipeline": str(self.path), "cron": self.cron})
        times = croniter(self.cron, datetime.now().astimezone())  # the machine's local time
        pending_now = self.run_now
        while not self._stop.is_set():
            if self.max_runs is not None and self.runs >= self.max_runs:
                break
            if pending_now:
                pending_now = False
            else:
                when = times.get_next(float)
                self.log({"event": "next", "at": datetime.fromtimestamp(when).astimezone()})
                if not self._sleep_until(when):
                    break
            self.runs += 1
            try:
                self.run_once()
            except Exception as exc:  # never let one run kill the schedule
                self.log({"event": "run", "status": "failed", "error": f"{exc}"})
        self.log({"event": "stopped", "pipeline": str(self.path), "runs": self.runs})
        return 0
