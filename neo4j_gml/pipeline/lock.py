"""One run of a pipeline at a time: a lock file holding the owner's pid and host.

The lock is created with ``O_CREAT | O_EXCL``. A lock left by a run that crashed (its pid no
longer alive on this host) is stale: the next run removes it and takes the lock, so a crash
never blocks the schedule. A lock held by a live process makes the new run skip.
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path


class LockedError(RuntimeError):
    """The pipeline is already running (the message names the holder)."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def read_lock(path: Path) -> dict | None:
    """The holder recorded in ``path`` (``pid``, ``host``, ``since``), or ``None``."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def is_stale(holder: dict | None) -> bool:
    """Whether the lock's holder is gone (or the file is unreadable garbage)."""
    if not holder or not isinstance(holder.get("pid"), int):
        return True
    if holder.get("host") != socket.gethostname():
        return False  # cannot check another host's processes: trust the lock
    return not _alive(holder["pid"])


class PipelineLock:
    """``with PipelineLock(path): ...`` holds the lock or raises :class:`LockedError`."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.held = False

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = read_lock(self.path)
                if holder is not None and not is_stale(holder):
                    raise LockedError(
                        f"pipeline is already running (pid {holder['pid']} on {holder['host']}, "
                        f"lock {self.path})"
                    ) from None
                self.path.unlink(missing_ok=True)  # a crashed run's lock
                continue
            with os.fdopen(fd, "w") as f:
                json.dump(
                    {"pid": os.getpid(), "host": socket.gethostname(), "since": time.time()}, f
                )
            self.held = True
            return
        raise LockedError(f"could not take the lock {self.path}")

    def release(self) -> None:
        if self.held:
            holder = read_lock(self.path)
            if holder and holder.get("pid") == os.getpid():
                self.path.unlink(missing_ok=True)
            self.held = False

    def __enter__(self) -> PipelineLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def default_state_dir() -> Path:
    """``$NEO4J_GML_STATE``, else ``~/.local/state/neo4j-gml``: locks, spool, logs."""
    env = os.environ.get("NEO4J_GML_STATE")
    return Path(env) if env else Path.home() / ".local" / "state" / "neo4j-gml"
