"""Clearing a relationship type before a pipeline step writes it anew (``replace: true``).

One auto-committed query deletes in transactions of 10,000 relationships, so a large type does
not need one huge transaction. (:func:`neo4j_gml.io.write.delete_relationships` does the same job
for the runner, batch by batch with cancellation checks.)
"""

from __future__ import annotations

import neo4j

from neo4j_gml.io.names import quote


def delete_relationship_type(
    driver: neo4j.Driver, database: str | None, relationship_type: str
) -> int:
    """Delete every ``relationship_type`` relationship; returns how many were deleted."""
    with driver.session(database=database) as session:
        summary = session.run(
            f"MATCH ()-[r:{quote(relationship_type, key='writeRelationshipType')}]->() "
            "CALL { WITH r DELETE r } IN TRANSACTIONS OF 10000 ROWS"
        ).consume()
    return summary.counters.relationships_deleted
