"""The driver handle as the layers above ``io`` hold it.

Procedures, pipelines, views and surfaces pass a driver around (made by
:meth:`neo4j_gml.io.connection.Connection.driver`) but never query with it: they name its type
as :data:`Driver` from here, so only ``io`` imports the ``neo4j`` package (the import-linter
contract in ``pyproject.toml`` checks it).
"""

from __future__ import annotations

from neo4j import Driver

__all__ = ["Driver", "verify_connectivity"]


def verify_connectivity(driver: Driver) -> None:
    """Raise if Neo4j cannot be reached with ``driver`` (unreachable, bad credentials, ...)."""
    driver.verify_connectivity()
