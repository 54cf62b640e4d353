"""Cancelling a running call: a token checked between phases, batches and iterations.

A :class:`CancelToken` belongs to one call (a service job). Whoever runs the call checks it
between phases and before every read chunk and write batch (``token.raise_if_cancelled()``), and
long-running algorithms call :func:`checkpoint` inside their loops (per iteration, per source
batch, per epoch), which checks the token made current in this thread by :func:`active`.

Pure Python loops without a checkpoint and one-off library calls are covered too:
:func:`interrupt` raises :class:`Cancelled` asynchronously in the computing thread at its next
Python instruction (``PyThreadState_SetAsyncExc``), which the job registry uses as a backstop
while a cancelled job is still computing.

:class:`Cancelled` derives from :class:`BaseException`, as :class:`KeyboardInterrupt` does, so an
algorithm's ``except Exception`` cannot swallow it.

Examples
--------
>>> token = CancelToken()
>>> with active(token):
...     checkpoint()  # nothing happens: not cancelled
>>> token.cancel("the caller's transaction was terminated")
True
>>> with active(token):
...     try:
...         checkpoint()
...     except Cancelled as exc:
...         print(exc)
cancelled: the caller's transaction was terminated
"""

from __future__ import annotations

import ctypes
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Cancelled(BaseException):  # noqa: N818 - reads as "the call was Cancelled"
    """The call was cancelled; nothing is written after the point where this was raised."""


class CancelToken:
    """Set once, by :meth:`cancel`; checked by :meth:`raise_if_cancelled` from any thread."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.reason = ""

    def cancel(self, reason: str = "cancelled on request") -> bool:
        """Mark the call cancelled; False if it already was."""
        if self._event.is_set():
            return False
        self.reason = reason
        self._event.set()
        return True

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        """Raise :class:`Cancelled` (with the reason) if :meth:`cancel` was called."""
        if self._event.is_set():
            raise Cancelled(f"cancelled: {self.reason}")

    def wait(self, timeout: float) -> bool:
        """Block until cancelled or ``timeout`` seconds passed; whether it was cancelled."""
        return self._event.wait(timeout)


_local = threading.local()


@contextmanager
def active(token: CancelToken | None) -> Iterator[None]:
    """Make ``token`` the one :func:`checkpoint` checks in this thread, for the block."""
    previous = getattr(_local, "token", None)
    _local.token = token
    try:
        yield
    finally:
        _local.token = previous


def checkpoint() -> None:
    """Raise :class:`Cancelled` if this thread's current call was cancelled; else nothing.

    Cheap (a thread-local lookup and a flag test): call it once per iteration, batch or epoch.
    """
    token = getattr(_local, "token", None)
    if token is not None and token.cancelled:
        raise Cancelled(f"cancelled: {token.reason}")


def importing(thread_ident: int) -> bool:
    """Whether the thread ``thread_ident`` is inside an ``import`` now (an exception raised
    there would leave a half-initialised module behind for every later importer)."""
    frame = sys._current_frames().get(thread_ident)
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False


def interrupt(thread_ident: int) -> bool:
    """Raise :class:`Cancelled` in the thread ``thread_ident`` at its next Python instruction.

    A thread inside one long C call (a single library routine) sees it when that call returns.
    A thread that is importing a module is left alone (the caller tries again later). Returns
    whether the exception was set.
    """
    if importing(thread_ident):
        return False
    found: int = ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_ident), ctypes.py_object(Cancelled)
    )
    if found > 1:  # cannot happen for a valid ident; undo as the C API asks
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_ident), None)
    return found == 1
