"""Connecting to Neo4j: settings from the environment or explicit arguments."""

from __future__ import annotations

import os
from dataclasses import dataclass

import neo4j

from neo4j_gml.core.constants import DEFAULT_PASSWORD, DEFAULT_PORT, DEFAULT_USER

DEFAULT_URI = f"bolt://127.0.0.1:{DEFAULT_PORT}"


@dataclass(frozen=True)
class Connection:
    """Where and as whom to connect; ``database`` ``None`` means the server's default."""

    uri: str = DEFAULT_URI
    user: str = DEFAULT_USER
    password: str = DEFAULT_PASSWORD
    database: str | None = None

    @classmethod
    def from_env(cls, **overrides: str | None) -> Connection:
        """Read ``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``.

        Explicit, non-``None`` keyword arguments win over the environment; the defaults match
        the local server that ``neo4j-gml neo4j start`` runs.
        """
        values: dict[str, str | None] = {
            "uri": os.environ.get("NEO4J_URI", DEFAULT_URI),
            "user": os.environ.get("NEO4J_USER", DEFAULT_USER),
            "password": os.environ.get("NEO4J_PASSWORD", DEFAULT_PASSWORD),
            "database": os.environ.get("NEO4J_DATABASE") or None,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]  # uri, user, password are never None

    def driver(self) -> neo4j.Driver:
        """A new driver; the caller closes it. Notifications (e.g. on ``id()``) are silenced."""
        return neo4j.GraphDatabase.driver(
            self.uri,
            auth=(self.user, self.password),
            notifications_min_severity="OFF",
            max_connection_pool_size=32,
        )
