"""Jobs: the running procedure calls of a service, with their phase, progress and cancel token.

The runner moves a :class:`Job` through its phases (``queued`` -> ``read`` -> ``compute`` ->
``write`` | ``stream`` -> ``done``) and counts rows written; :class:`JobRegistry` lists the jobs
and cancels one by id (:meth:`Job.cancel`). A cancelled job stops at its next check (between phases, before each read
chunk and write batch, at the algorithms' checkpoints); one still computing after
``grace_seconds`` is interrupted in its thread (:func:`neo4j_gml.core.cancellation.interrupt`), again
every ``grace_seconds`` until it leaves the compute phase.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from neo4j_gml.core import cancellation
from neo4j_gml.core.cancellation import CancelToken


@dataclass
class Job:
    """One procedure call."""

    procedure: str
    mode: str
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    user: str | None = None
    database: str | None = None
    token: CancelToken = field(default_factory=CancelToken)
    phase: str = "queued"
    written: int = 0
    total: int = 0
    read: int = 0  # relationships read so far (read phase)
    to_read: int = 0  # relationships the read expects (0: unknown)
    started: float = field(default_factory=time.time)
    thread: int | None = None  # ident of the thread that runs it, once it runs
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def enter(self, phase: str, total: int = 0) -> None:
        """Move to ``phase`` (after checking the token: a cancelled job goes no further)."""
        self.token.raise_if_cancelled()
        with self._lock:
            self.phase = phase
            if phase == "write":
                self.written, self.total = 0, total

    def add_written(self, rows: int) -> None:
        with self._lock:
            self.written += rows

    def expect_reads(self, total: int) -> None:
        """The read phase expects ``total`` relationships (for progress)."""
        with self._lock:
            self.read, self.to_read = 0, max(int(total), 0)

    def add_read(self, rows: int) -> None:
        with self._lock:
            self.read += rows

    def cancel(self, reason: str = "cancelled on request", grace_seconds: float = 1.0) -> bool:
        """Cancel the job: it stops at its next check; if it is still computing after
        ``grace_seconds`` its thread is interrupted, again every ``grace_seconds`` until it
        leaves the compute phase (30 tries). False if it was cancelled already."""
        if not self.token.cancel(reason):
            return False
        threading.Thread(
            target=self._interrupt_while_computing, args=(grace_seconds,), daemon=True
        ).start()
        return True

    def _interrupt_while_computing(self, grace_seconds: float) -> None:
        # Checkpoints answer first; a compute phase still running after the grace is interrupted.
        for _ in range(30):
            time.sleep(grace_seconds)
            if not self.computing():
                return
            self.interrupt_if_computing()

    def finish(self) -> None:
        """The job's result is complete (a cancel after this changes nothing)."""
        with self._lock:
            self.phase = "done"

    def leave_compute(self) -> None:
        """End the compute phase (under the lock the interrupter takes, so no interrupt is
        aimed at this thread once it returns)."""
        with self._lock:
            if self.phase == "compute":
                self.phase = "computed"

    def computing(self) -> bool:
        with self._lock:
            return self.phase == "compute"

    def interrupt_if_computing(self) -> bool:
        """Raise Cancelled in the job's thread if it is computing now; whether it did."""
        with self._lock:
            if self.phase != "compute" or self.thread is None:
                return False
            return cancellation.interrupt(self.thread)

    def describe(self) -> dict[str, Any]:
        """A plain row for listings; also GDS's ``gds.listProgress`` columns (``taskName``,
        ``progress``, ``progressBar``, ``status``, ``timeStarted``, ``elapsedTime``)."""
        with self._lock:
            elapsed = time.time() - self.started
            return {
                **_progress_columns(self, elapsed),
                "jobId": self.id,
                "procedure": self.procedure,
                "mode": self.mode,
                "user": self.user,
                "database": self.database,
                "phase": self.phase,
                "cancelled": self.token.cancelled,
                "rowsWritten": self.written,
                "rowsToWrite": self.total,
                "seconds": round(elapsed, 3),
            }


_BAR = 10


def _progress_columns(job: Job, elapsed: float) -> dict[str, Any]:
    """GDS's listProgress columns of ``job``: its task is ``gml.<procedure>.<mode>`` and its
    phase; progress is known in the read phase of a filter projection (relationships read of
    those the count store has) and the write phase (rows written of rows to write), else
    ``n/a`` (GDS shows ``n/a`` for tasks without a known volume too)."""
    share: float | None
    if job.phase == "write" and job.total:
        share = min(job.written / job.total, 1.0)
    elif job.phase == "read" and job.to_read:
        share = min(job.read / job.to_read, 1.0)
    elif job.phase in ("done", "computed", "stream"):
        share = 1.0 if job.phase == "done" else None
    else:
        share = None
    if share is None:
        progress, bar = "n/a", "[" + "~" * _BAR + "]"
    else:
        filled = int(round(share * _BAR))
        progress, bar = f"{share * 100:.2f}%", "[" + "#" * filled + "~" * (_BAR - filled) + "]"
    status = {"queued": "PENDING", "done": "FINISHED"}.get(job.phase, "RUNNING")
    if job.token.cancelled:
        status = "CANCELLED"
    return {
        "taskName": f"gml.{job.procedure}.{job.mode}: {job.phase}",
        "progress": progress,
        "progressBar": bar,
        "status": status,
        "timeStarted": time.strftime("%H:%M:%S", time.localtime(job.started)),
        "elapsedTime": f"{elapsed:.3f} s",
    }


class JobIdInUse(ValueError):
    """A job with this id is running already."""


class JobRegistry:
    """The jobs of one service, by id."""

    def __init__(self, grace_seconds: float = 1.0) -> None:
        self.grace_seconds = grace_seconds
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def add(self, job: Job) -> Job:
        with self._lock:
            if job.id in self._jobs:
                raise JobIdInUse(f"config key 'jobId': a job with id '{job.id}' is running already")
            self._jobs[job.id] = job
        return job

    def remove(self, job: Job) -> None:
        with self._lock:
            if self._jobs.get(job.id) is job:
                del self._jobs[job.id]

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def list(self) -> list[Job]:
        with self._lock:
            return list(self._jobs.values())

    def cancel(self, job_id: str, reason: str = "cancelled on request") -> Job | None:
        """Cancel the job ``job_id``; the job, or None when there is none by that id."""
        job = self.get(job_id)
        if job is not None:
            job.cancel(reason, self.grace_seconds)
        return job
