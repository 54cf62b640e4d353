"""Reading the part of a graph that a view shows: top nodes, their neighbours, written values.

What :mod:`neo4j_gml.views.subgraph` draws and :mod:`neo4j_gml.views.report` charts. The run
records' nodes (:data:`neo4j_gml.io.records.RECORD_LABELS`) are never part of the data shown.
Label, type and property names are quoted with :func:`neo4j_gml.io.names.quote`; property names
are passed as parameters where Cypher allows it (``n[$p]``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import neo4j

from neo4j_gml.io.names import quote
from neo4j_gml.io.records import RECORD_LABELS


def _rows(driver: neo4j.Driver, database: str | None, query: str, **params: Any) -> list[Any]:
    return driver.execute_query(query, parameters_=params, database_=database)[0]


def _label_filter(label: str | None, var: str) -> str:
    if label:
        return f"{var}:{quote(label, key='label')}"
    return var


def top_node_ids(
    driver: neo4j.Driver,
    database: str | None,
    prop: str,
    limit: int,
    *,
    label: str | None = None,
) -> list[int]:
    """Ids of the ``limit`` nodes (of ``label``) with the largest ``prop``, largest first."""
    not_records = " AND ".join(f"NOT n:{x}" for x in sorted(RECORD_LABELS))
    n = _label_filter(label, "n")
    records = _rows(
        driver,
        database,
        f"MATCH ({n}) WHERE n[$p] IS NOT NULL AND {not_records} "
        "RETURN id(n) AS id ORDER BY n[$p] DESC, id LIMIT $k",
        p=prop,
        k=limit,
    )
    return [r["id"] for r in records]


def neighbour_ids(
    driver: neo4j.Driver,
    database: str | None,
    ids: Sequence[int],
    limit: int,
    *,
    label: str | None = None,
) -> list[int]:
    """Ids of up to ``limit`` neighbours (of ``label``) of each node of ``ids``, distinct."""
    m = _label_filter(label, "m")
    near = _rows(
        driver,
        database,
        f"UNWIND $ids AS i MATCH (t) WHERE id(t) = i "
        f"CALL {{ WITH t MATCH (t)--({m}) WHERE NOT m:GmlRun AND NOT m:GmlStep "
        "RETURN DISTINCT m LIMIT $k } RETURN collect(DISTINCT id(m)) AS ids",
        ids=list(ids),
        k=limit,
    )
    return list(near[0]["ids"]) if near else []


def nodes_by_id(
    driver: neo4j.Driver, database: str | None, ids: Sequence[int]
) -> list[tuple[int, list[str], dict[str, Any]]]:
    """(id, labels, properties) of each node of ``ids`` that exists."""
    records = _rows(
        driver,
        database,
        "UNWIND $ids AS i MATCH (n) WHERE id(n) = i "
        "RETURN id(n) AS id, labels(n) AS labels, properties(n) AS props",
        ids=list(ids),
    )
    return [(r["id"], r["labels"], r["props"]) for r in records]


def edges_between(
    driver: neo4j.Driver, database: str | None, ids: Sequence[int]
) -> list[tuple[int, int]]:
    """Distinct (source id, target id) of the relationships among the nodes of ``ids``."""
    records = _rows(
        driver,
        database,
        "UNWIND $ids AS i MATCH (a)-[]->(b) WHERE id(a) = i AND id(b) IN $ids "
        "RETURN DISTINCT id(a) AS a, id(b) AS b",
        ids=list(ids),
    )
    return [(r["a"], r["b"]) for r in records]


def relationship_property_values(
    driver: neo4j.Driver, database: str | None, relationship_type: str, prop: str, limit: int
) -> list[Any]:
    """Up to ``limit`` values of ``prop`` on ``relationship_type`` relationships that have it."""
    rtype = quote(relationship_type, key="writeRelationshipType")
    records = _rows(
        driver,
        database,
        f"MATCH ()-[r:{rtype}]->() WHERE r[$p] IS NOT NULL RETURN r[$p] LIMIT $k",
        p=prop,
        k=limit,
    )
    return [r[0] for r in records]


def node_property_values(
    driver: neo4j.Driver,
    database: str | None,
    prop: str,
    limit: int,
    labels: Sequence[str] = (),
) -> list[Any]:
    """Up to ``limit`` values of ``prop`` on nodes that have it.

    The nodes: those with any of ``labels``; without labels, every node but the run records'.
    """
    if not labels:
        match = "(n) WHERE " + " AND ".join(f"NOT n:{x}" for x in sorted(RECORD_LABELS))
    else:
        match = "(n) WHERE (" + " OR ".join(f"n:{quote(x, key='nodeLabels')}" for x in labels) + ")"
    records = _rows(
        driver,
        database,
        f"MATCH {match} AND n[$p] IS NOT NULL RETURN n[$p] LIMIT $k",
        p=prop,
        k=limit,
    )
    return [r[0] for r in records]
