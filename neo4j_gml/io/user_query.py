"""Running Cypher that a user supplied: always in a READ transaction.

Every query string that comes from a user's configuration (``nodeQuery``, ``relationshipQuery``,
``pairsQuery`` and any later one) goes through :func:`run_user_query`, on both IO paths and in
every mode. It opens a session in READ access mode and runs the query in a managed read
transaction, so Neo4j itself refuses a query that would create, set, merge or delete anything
("Writing in read access mode not allowed"), whatever the procedure's mode and whoever calls.
The refusal is reported as a :class:`~neo4j_gml.procedures.config.ConfigError` that names the
config key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import neo4j

from neo4j_gml.core.errors import ConfigError


def run_user_query(
    driver: neo4j.Driver,
    database: str | None,
    query: str,
    parameters: Mapping[str, Any] | None,
    *,
    key: str,
) -> tuple[list[neo4j.Record], list[str]]:
    """Run the user's ``query`` with ``parameters`` read-only; its records and column names.

    ``key`` is the config key the query came from, for error messages. A query that writes, or
    does not parse, raises :class:`ConfigError`; other Neo4j errors pass through.

    Examples
    --------
    >>> records, keys = run_user_query(driver, None, "MATCH (n) RETURN id(n) AS id", {},
    ...                                key="nodeQuery")  # doctest: +SKIP
    """
    params = dict(parameters or {})

    def work(tx: neo4j.ManagedTransaction) -> tuple[list[neo4j.Record], list[str]]:
        result = tx.run(query, params)
        records = list(result)
        return records, list(result.keys())

    try:
        with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
            return session.execute_read(work)
    except neo4j.exceptions.CypherSyntaxError as exc:
        raise ConfigError(f"config key '{key}': the query failed: {exc.message}") from None
    except neo4j.exceptions.ClientError as exc:
        text = exc.message or str(exc)
        if "read access mode" in text.lower() or (exc.code or "").endswith("AccessMode"):
            raise ConfigError(
                f"config key '{key}' must be a read-only query (it runs in a READ transaction); "
                f"Neo4j refused it: {text}"
            ) from None
        raise
