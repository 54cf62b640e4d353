"""The call a procedure runs in: who calls, on which database, in which mode, with which job.

Algorithms need none of it. The graph catalog's operations (``graph.project``, ``graph.drop``,
``graph.nodeProperties.write``...) do: they read or write Neo4j, and a graph belongs to a
database and a user. The runner sets the context around every call (:func:`calling`); a
catalog operation reads it with :func:`current`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from neo4j_gml.core.errors import ConfigError
from neo4j_gml.io.driver import Driver
from neo4j_gml.procedures.catalog import CATALOG, Catalog
from neo4j_gml.procedures.jobs import Job


@dataclass
class CallContext:
    """One call: its mode, job, caller and database, and a Neo4j driver made on first use."""

    mode: str
    job: Job
    user: str | None = None
    admin: bool = False
    database: str | None = None
    catalog: Catalog = CATALOG
    connect: Callable[[], Driver] | None = None
    _driver: Driver | None = field(default=None, repr=False)

    @property
    def catalog_database(self) -> str:
        """The database name graphs are filed under: the call's, else ``NEO4J_DATABASE``,
        else ``neo4j`` (Neo4j's default)."""
        return self.database or os.environ.get("NEO4J_DATABASE") or "neo4j"

    @property
    def connected(self) -> bool:
        """Whether the call has a driver already (given, or made by an earlier step)."""
        return self._driver is not None

    def driver(self) -> Driver:
        """The call's driver (made from ``NEO4J_*`` on first use when none was given)."""
        if self._driver is None:
            if self.connect is None:
                raise ConfigError("this call needs a Neo4j connection (NEO4J_URI, ...)")
            self._driver = self.connect()
        return self._driver


_CURRENT: ContextVar[CallContext | None] = ContextVar("neo4j_gml_call", default=None)


def current() -> CallContext:
    """The context of the call running in this thread; outside a call, a :class:`RuntimeError`."""
    ctx = _CURRENT.get()
    if ctx is None:
        raise RuntimeError("no procedure call is running in this thread")
    return ctx


@contextmanager
def calling(ctx: CallContext) -> Iterator[CallContext]:
    """Run the body as call ``ctx``."""
    token = _CURRENT.set(ctx)
    try:
        yield ctx
    finally:
        _CURRENT.reset(token)
