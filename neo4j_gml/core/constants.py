"""Constants shared by the layers: the local Neo4j's defaults."""

from __future__ import annotations

__all__ = ["DEFAULT_PASSWORD", "DEFAULT_PORT", "DEFAULT_USER"]

#: Password set for user ``neo4j`` when neither ``password`` nor ``NEO4J_PASSWORD`` is given
#: (Neo4j requires at least 8 characters). Only for a local development DBMS on 127.0.0.1.
DEFAULT_PASSWORD = "neo4j-gml-password"

#: Default Bolt port; ``0`` picks any free port.
DEFAULT_PORT = 7687

#: Default user.
DEFAULT_USER = "neo4j"
