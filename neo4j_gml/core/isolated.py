"""Running a library call that holds the GIL in a child process, cancellably.

Some C routines (igraph's Louvain and Leiden) hold Python's global interpreter lock for their
whole run: every other thread of the process stops meanwhile (in the service: the HTTP event
loop, progress lines, cancel requests, the other job), and an asynchronous exception cannot
reach the computing thread. :func:`call_isolated` runs such a call in a fresh Python process
(``python -m neo4j_gml.core._isolated_child``, so nothing of the caller's ``__main__`` runs
again) and waits for its answer in short steps, calling
:func:`~neo4j_gml.core.cancellation.checkpoint` between them: a cancel kills the child at once.

The function must be importable by the child without heavy imports (a module of its own that
needs only NumPy and the library), and its arguments and result picklable.

Examples
--------
>>> import operator
>>> call_isolated(operator.add, 2, 3)
5
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Callable
from typing import Any, TypeVar

from neo4j_gml.core.cancellation import checkpoint

__all__ = ["WorkerDied", "call_isolated"]

T = TypeVar("T")


class WorkerDied(RuntimeError):
    """The child process ended without an answer (killed, out of memory, crashed)."""


def call_isolated(fn: Callable[..., T], *args: Any, poll_seconds: float = 0.05) -> T:
    """``fn(*args)`` computed in a child process; its exception re-raised here.

    Raises :class:`~neo4j_gml.core.cancellation.Cancelled` (after killing the child) when this
    thread's call is cancelled meanwhile, and :class:`WorkerDied` when the child ends without
    an answer.
    """
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    with tempfile.NamedTemporaryFile(prefix="gml-isolated-", suffix=".pickle") as job:
        pickle.dump((fn, args), job, protocol=pickle.HIGHEST_PROTOCOL)
        job.flush()
        child = subprocess.Popen(
            [sys.executable, "-m", "neo4j_gml.core._isolated_child", job.name],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        try:
            while True:
                try:
                    out, err = child.communicate(timeout=poll_seconds)
                    break
                except subprocess.TimeoutExpired:
                    checkpoint()
        except BaseException:
            child.kill()
            child.communicate()
            raise
    if child.returncode != 0 or not out:
        tail = err.decode(errors="replace").strip().splitlines()[-3:]
        raise WorkerDied(
            f"the worker process computing {getattr(fn, '__name__', fn)} ended without an "
            f"answer (exit code {child.returncode}): {' '.join(tail)}"
        )
    ok, value = pickle.loads(out)
    if not ok:
        raise value
    return value  # type: ignore[no-any-return]
