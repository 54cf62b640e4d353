"""Opening Neo4j for one job: the named database and, where possible, the calling user.

Impersonation (``session(impersonated_user=...)``) needs Neo4j Enterprise and a service user
with the ``IMPERSONATE`` privilege. On Community the service runs as its own user: the plugin's
``mode = WRITE`` declaration still makes Neo4j refuse write procedures to read-only callers, but
what a caller may read is not restricted further (Community has no fine-grained privileges).

:mod:`neo4j_gml.server.neo4j_access` re-exports :class:`Neo4jAccess` and
:class:`ImpersonatingDriver` for the service.
"""

from __future__ import annotations

import threading
from typing import Any

import neo4j


def server_edition(driver: neo4j.Driver) -> str:
    """The Neo4j server's edition, lower case: ``'community'`` or ``'enterprise'``."""
    records, _, _ = driver.execute_query("CALL dbms.components() YIELD edition RETURN edition")
    return str(records[0]["edition"]).lower() if records else "community"


class ImpersonatingDriver:
    """A driver whose sessions and queries run as ``user`` (everything else is delegated)."""

    def __init__(self, driver: neo4j.Driver, user: str) -> None:
        self._driver = driver
        self._user = user

    def session(self, **kwargs: Any) -> neo4j.Session:
        kwargs.setdefault("impersonated_user", self._user)
        return self._driver.session(**kwargs)

    def execute_query(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("impersonated_user", self._user)
        return self._driver.execute_query(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._driver, name)


class Neo4jAccess:
    """The service's driver, and per job the driver to use for the caller."""

    def __init__(self, driver: neo4j.Driver, service_user: str | None) -> None:
        self.driver = driver
        self.service_user = service_user
        self._edition: str | None = None
        self._lock = threading.Lock()

    def edition(self) -> str:
        """``'community'`` or ``'enterprise'`` (asked once)."""
        with self._lock:
            if self._edition is None:
                self._edition = server_edition(self.driver)
            return self._edition

    def for_user(self, user: str | None) -> tuple[Any, bool]:
        """(driver, whether it impersonates ``user``)."""
        if not user or user == self.service_user or self.edition() == "community":
            return self.driver, False
        return ImpersonatingDriver(self.driver, user), True
