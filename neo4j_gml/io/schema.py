"""What a database holds: labels, relationship types, property keys, counts and value ranges.

The reads behind pipeline plans and runs (``['*']`` resolution, the property keys that exist,
count-store counts), memory estimates and Bloom perspectives. Label, type and property names are
quoted with :func:`neo4j_gml.io.names.quote`; ``key`` is the config key a name came from, for
the error message of a name Neo4j cannot store.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import neo4j

from neo4j_gml.io.names import quote
from neo4j_gml.io.user_query import run_user_query


def _rows(driver: neo4j.Driver, database: str | None, query: str, **params: Any) -> list[Any]:
    return driver.execute_query(query, parameters_=params, database_=database)[0]


def _scalar(driver: neo4j.Driver, database: str | None, query: str, **params: Any) -> int:
    return int(_rows(driver, database, query, **params)[0][0])


def labels(driver: neo4j.Driver, database: str | None) -> list[str]:
    """Every label in use (``db.labels()``)."""
    records = _rows(
        driver, database, "CALL db.labels() YIELD label RETURN collect(label) AS labels"
    )
    return list(records[0]["labels"])


def relationship_types(driver: neo4j.Driver, database: str | None) -> list[str]:
    """Every relationship type in use (``db.relationshipTypes()``)."""
    records = _rows(
        driver, database, "CALL db.relationshipTypes() YIELD relationshipType AS t RETURN t"
    )
    return [r["t"] for r in records]


def property_keys(driver: neo4j.Driver, database: str | None) -> list[str]:
    """Every property key the database knows (``db.propertyKeys()``)."""
    records = _rows(
        driver,
        database,
        "CALL db.propertyKeys() YIELD propertyKey RETURN collect(propertyKey) AS keys",
    )
    return list(records[0]["keys"])


def node_type_properties(
    driver: neo4j.Driver, database: str | None
) -> list[tuple[list[str], str | None, list[str] | None]]:
    """(labels, property name, property types) rows of ``db.schema.nodeTypeProperties()``."""
    records = _rows(
        driver,
        database,
        "CALL db.schema.nodeTypeProperties() YIELD nodeLabels, propertyName, propertyTypes "
        "RETURN nodeLabels, propertyName, propertyTypes",
    )
    return [(r["nodeLabels"] or [], r["propertyName"], r["propertyTypes"]) for r in records]


def relationship_type_properties(
    driver: neo4j.Driver, database: str | None
) -> list[tuple[str, str | None, list[str] | None]]:
    """(type, property name, property types) rows of ``db.schema.relTypeProperties()``.

    The type comes without the ``:`...``` that the procedure puts around it.
    """
    records = _rows(
        driver,
        database,
        "CALL db.schema.relTypeProperties() YIELD relType, propertyName, propertyTypes "
        "RETURN relType, propertyName, propertyTypes",
    )
    return [(r["relType"].strip(":`"), r["propertyName"], r["propertyTypes"]) for r in records]


def database_names(driver: neo4j.Driver) -> list[str] | None:
    """Names of the databases the server has (``SHOW DATABASES``); None when the caller may
    not list them."""
    try:
        records = _rows(driver, "system", "SHOW DATABASES YIELD name RETURN collect(name) AS n")
    except (neo4j.exceptions.ClientError, neo4j.exceptions.DriverError):
        return None
    return list(records[0]["n"])


def count_nodes(
    driver: neo4j.Driver, database: str | None, label: str | None = None, *, key: str = "label"
) -> int:
    """Nodes with ``label`` (all nodes when ``None``), from the count store."""
    if label is None:
        return _scalar(driver, database, "MATCH (n) RETURN count(n)")
    return _scalar(driver, database, f"MATCH (n:{quote(label, key=key)}) RETURN count(n)")


def count_relationships(
    driver: neo4j.Driver,
    database: str | None,
    relationship_type: str | None = None,
    *,
    key: str = "type",
) -> int:
    """Relationships of ``relationship_type`` (all when ``None``), from the count store."""
    if relationship_type is None:
        return _scalar(driver, database, "MATCH ()-[r]->() RETURN count(r)")
    rtype = quote(relationship_type, key=key)
    return _scalar(driver, database, f"MATCH ()-[r:{rtype}]->() RETURN count(r)")


def count_query_rows(
    driver: neo4j.Driver,
    database: str | None,
    query: str,
    parameters: Mapping[str, Any] | None = None,
    *,
    key: str = "nodeQuery",
) -> int:
    """How many rows the user's ``query`` returns, counted in Neo4j (``CALL { query } RETURN
    count(*)``), read-only like every user query (:func:`~neo4j_gml.io.user_query.run_user_query`;
    ``key`` names the config key for errors)."""
    records, _ = run_user_query(
        driver, database, f"CALL {{ {query} }} RETURN count(*) AS c", parameters, key=key
    )
    return int(records[0]["c"])


def path_segments(
    driver: neo4j.Driver, database: str | None, sample: int = 100000
) -> list[tuple[str, str, str]]:
    """Distinct (source label, type, target label) of the first ``sample`` relationships."""
    records = _rows(
        driver,
        database,
        f"MATCH (a)-[r]->(b) WITH a, r, b LIMIT {int(sample)} "
        "UNWIND labels(a) AS s UNWIND labels(b) AS t "
        "RETURN DISTINCT s, type(r) AS r, t ORDER BY s, r, t",
    )
    return [(x["s"], x["r"], x["t"]) for x in records]


def property_range(
    driver: neo4j.Driver, database: str | None, label: str, prop: str
) -> tuple[Any, Any]:
    """(min, max) of property ``prop`` over the nodes of ``label`` that have it."""
    r = _rows(
        driver,
        database,
        f"MATCH (n:{quote(label, key='label')}) WHERE n[$p] IS NOT NULL "
        "RETURN min(n[$p]) AS lo, max(n[$p]) AS hi",
        p=prop,
    )[0]
    return r["lo"], r["hi"]


def frequent_values(
    driver: neo4j.Driver, database: str | None, label: str, prop: str, limit: int
) -> list[Any]:
    """The ``limit`` most frequent values of ``prop`` on ``label`` nodes (ties by value)."""
    found = _rows(
        driver,
        database,
        f"MATCH (n:{quote(label, key='label')}) WHERE n[$p] IS NOT NULL "
        "RETURN n[$p] AS v, count(*) AS c ORDER BY c DESC, v LIMIT $k",
        p=prop,
        k=limit,
    )
    return [x["v"] for x in found]
