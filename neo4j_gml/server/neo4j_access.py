"""Opening Neo4j for one job: the named database and, where possible, the calling user.

The implementation lives in :mod:`neo4j_gml.io.access` (only ``io`` talks to Neo4j); this module
keeps the service's import path.
"""

from __future__ import annotations

from neo4j_gml.io.access import ImpersonatingDriver, Neo4jAccess

__all__ = ["ImpersonatingDriver", "Neo4jAccess"]
