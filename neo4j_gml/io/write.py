"""Writing results back to Neo4j: node properties and relationships, batched and idempotent.

Values always travel as query parameters, in columns (one list per property per batch), and
every batch is one managed write transaction that the driver retries on transient errors
(deadlocks, leader switches). Names go through :func:`neo4j_gml.io.names.quote`.

* Node properties are ``SET``: writing the same result twice leaves the same graph. Batches of
  distinct nodes never contend for a lock, so they are written by several sessions at once.
* Relationships are ``MERGE``-d on ``(a)-[:TYPE]->(b)`` and their property ``SET``: a rerun
  updates, never duplicates. :func:`delete_relationships` removes a type first where a rerun
  should *replace* the previous set (e.g. predictions).

If Neo4j goes away in the middle, :class:`WriteError` says how many rows were written: each batch
was written whole or not at all, and rerunning the write finishes the job.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

import neo4j
import numpy as np
import torch

from neo4j_gml.core.cancellation import Cancelled, CancelToken
from neo4j_gml.io import bulk, transport
from neo4j_gml.io.names import quote


class WriteError(RuntimeError):
    """Neo4j failed during a write; ``written`` rows are in the database, the rest are not."""

    def __init__(self, message: str, written: int, total: int) -> None:
        super().__init__(message)
        self.written = written
        self.total = total


@dataclass
class WriteReport:
    rows: int = 0
    properties: int = 0
    millis: int = 0


def _column(values: torch.Tensor | np.ndarray | list) -> np.ndarray | list:
    """One parameter column. Tensors and arrays stay NumPy arrays (float64, int64, or float32
    for lists of float32 such as embeddings): the driver packs an array 2.5-5x faster than the
    same values as Python lists."""
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu()
        if values.dtype.is_floating_point and not (
            values.dtype == torch.float32 and values.dim() == 2
        ):
            values = values.to(torch.float64)
        return values.numpy()
    if isinstance(values, np.ndarray):
        if values.dtype.kind == "f" and not (values.dtype == np.float32 and values.ndim == 2):
            return values.astype(np.float64)
        return values
    return list(values)


def _batches(total: int, batch_size: int) -> list[tuple[int, int]]:
    return [(lo, min(lo + batch_size, total)) for lo in range(0, total, batch_size)]


def _run_batches(
    driver: neo4j.Driver,
    database: str | None,
    query: str,
    columns: Mapping[str, np.ndarray | list],
    *,
    batch_size: int,
    concurrency: int,
    on_progress: Callable[[int], None] | None,
    constants: Mapping[str, object] | None = None,
    packed: bool = False,
    ranged: bool = False,
    cancel: CancelToken | None = None,
) -> int:
    """Run ``query`` once per batch of rows, ``columns`` sliced to the batch (packed into bytes
    with ``packed``, for the ``gml.io`` procedures) and ``constants`` passed whole. With
    ``ranged`` the columns stay here (they are in a transport file) and each batch gets its row
    range as ``$from`` and ``$to``.

    ``cancel`` is checked before every batch: once it is set no further batch starts, and
    :class:`~neo4j_gml.core.cancellation.Cancelled` says how many rows had landed."""
    total = len(next(iter(columns.values()))) if columns else 0
    ranges = _batches(total, batch_size)

    failed = threading.Event()

    def write(lo: int, hi: int) -> int:
        if failed.is_set():  # another batch failed: write nothing more
            return 0
        if cancel is not None:
            try:
                cancel.raise_if_cancelled()
            except Cancelled:
                failed.set()
                raise
        params: dict[str, Any] = (
            {"from": lo, "to": hi}
            if ranged
            else {
                name: bulk.pack(np.asarray(col[lo:hi])) if packed else col[lo:hi]
                for name, col in columns.items()
            }
        )
        params.update(constants or {})
        try:
            with driver.session(database=database) as session:
                session.execute_write(lambda tx: tx.run(query, **params).consume())
        except BaseException:
            failed.set()
            raise
        if on_progress is not None:
            on_progress(hi - lo)
        return hi - lo

    written = 0
    try:
        if concurrency <= 1 or len(ranges) <= 1:
            for lo, hi in ranges:
                written += write(lo, hi)
        else:
            with ThreadPoolExecutor(max_workers=concurrency) as pool:
                futures = [pool.submit(write, lo, hi) for lo, hi in ranges]
                failure: BaseException | None = None
                for future in as_completed(futures):
                    try:
                        written += future.result()
                    except BaseException as exc:  # keep counting what did land
                        failure = failure or exc
                if failure is not None:
                    raise failure
    except Cancelled as exc:
        raise Cancelled(
            f"{exc}; {written} of {total} rows had been written before it (each batch whole), "
            "none after it"
        ) from None
    except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError, OSError) as exc:
        raise WriteError(
            f"writing to Neo4j failed after {written} of {total} rows were written "
            f"({type(exc).__name__}: {exc}); every batch is written whole or not at all, and "
            "running the write again completes it",
            written,
            total,
        ) from exc
    return written


def _set_clauses(
    variable: str,
    properties: Mapping[str, torch.Tensor | np.ndarray | list],
    rows: int,
    *,
    key: str,
) -> tuple[dict[str, np.ndarray | list], list[str]]:
    """Parameter columns ``v0, v1, ...`` and the ``SET`` items ``var.`name` = $vK[i]`` that write
    ``properties`` (one value per row); a column of the wrong length is an error."""
    columns: dict[str, np.ndarray | list] = {}
    sets = []
    for i, (name, values) in enumerate(properties.items()):
        col = _column(values)
        if len(col) != rows:
            raise ValueError(f"property '{name}' has {len(col)} values for {rows} rows")
        columns[f"v{i}"] = col
        sets.append(f"{variable}.{quote(name, key=key)} = $v{i}[i]")
    return columns, sets


def _packable(columns: Mapping[str, np.ndarray | list]) -> dict[str, list] | None:
    """``widths`` and ``kinds`` of ``columns`` for the bulk procedures, or None when a column is
    not a 1-d or 2-d array of numbers (those are written with plain Cypher)."""
    widths: list[int] = []
    kinds: list[str] = []
    for col in columns.values():
        if not isinstance(col, np.ndarray):
            return None
        kind = bulk.kind_of(col)
        if kind is None or col.ndim not in (1, 2):
            return None
        widths.append(0 if col.ndim == 1 else int(col.shape[1]))
        kinds.append(kind)
    return {"widths": widths, "kinds": kinds}


def write_node_properties(
    driver: neo4j.Driver,
    node_ids: torch.Tensor | np.ndarray,
    properties: Mapping[str, torch.Tensor | np.ndarray | list],
    *,
    database: str | None = None,
    batch_size: int = 10000,
    concurrency: int = 4,
    key: str = "writeProperty",
    on_progress: Callable[[int], None] | None = None,
    use_bulk: bool | None = None,
    cancel: CancelToken | None = None,
) -> WriteReport:
    """Set ``properties`` (name -> one value per node, scalars or lists) on the given nodes.

    ``node_ids`` are Neo4j internal ids. ``key`` names the config key the property names came
    from, for error messages. Numeric columns go through the plugin's
    ``gml.io.writeNodeProperties`` when the database has it (``use_bulk``: see
    :func:`neo4j_gml.io.bulk.bulk_available`), else ``UNWIND ... SET``. Returns rows (nodes) and
    properties written.
    """
    started = time.perf_counter()
    ids = _column(node_ids)
    values, sets = _set_clauses("n", properties, len(ids), key=key)
    if len(ids) == 0 or not sets:
        return WriteReport()
    packable = _packable(values)
    shared = transport.on_shared(driver, database, use_bulk) if packable is not None else None
    if shared is not None and packable is not None:
        with transport.column_file(
            shared, [np.asarray(ids), *(np.asarray(col) for col in values.values())]
        ) as stored:
            if stored is not None:  # else the directory refused the file: write over Bolt
                file, offsets = stored
                rows = _run_batches(
                    driver,
                    database,
                    "CALL gml.io.writeNodePropertiesFromFile($name, $from, $to, $names, "
                    "$offsets, $widths, $kinds) YIELD written RETURN written",
                    {"ids": np.asarray(ids)},
                    batch_size=batch_size,
                    concurrency=concurrency,
                    on_progress=on_progress,
                    constants={
                        "name": file.name,
                        "names": [str(name) for name in properties],
                        "offsets": offsets[1:],
                        **packable,
                    },
                    ranged=True,
                    cancel=cancel,
                )
                millis = int((time.perf_counter() - started) * 1000)
                return WriteReport(rows, rows * len(sets), millis)
    if packable is not None and bulk.bulk_available(driver, database, use_bulk):
        names = [str(name) for name in properties]
        query = (
            "CALL gml.io.writeNodeProperties($ids, $names, "
            f"[{', '.join('$' + c for c in values)}], $widths, $kinds) YIELD written "
            "RETURN written"
        )
        constants = {"names": names, **packable}
        columns: dict[str, np.ndarray | list] = {"ids": np.asarray(ids), **values}
        rows = _run_batches(
            driver,
            database,
            query,
            columns,
            batch_size=batch_size,
            concurrency=concurrency,
            on_progress=on_progress,
            constants=constants,
            packed=True,
            cancel=cancel,
        )
        return WriteReport(rows, rows * len(sets), int((time.perf_counter() - started) * 1000))
    columns = {"ids": ids, **values}
    query = (
        "UNWIND range(0, size($ids) - 1) AS i MATCH (n) WHERE id(n) = $ids[i] "
        f"SET {', '.join(sets)}"
    )
    rows = _run_batches(
        driver,
        database,
        query,
        columns,
        batch_size=batch_size,
        concurrency=concurrency,
        on_progress=on_progress,
        cancel=cancel,
    )
    return WriteReport(rows, rows * len(sets), int((time.perf_counter() - started) * 1000))


def write_relationships(
    driver: neo4j.Driver,
    source_ids: torch.Tensor | np.ndarray,
    target_ids: torch.Tensor | np.ndarray,
    relationship_type: str,
    properties: Mapping[str, torch.Tensor | np.ndarray | list],
    *,
    database: str | None = None,
    batch_size: int = 10000,
    concurrency: int = 1,
    on_progress: Callable[[int], None] | None = None,
    use_bulk: bool | None = None,
    cancel: CancelToken | None = None,
    merge_key: str | None = None,
) -> WriteReport:
    """``MERGE`` one ``relationship_type`` relationship per pair and set its ``properties``.

    ``merge_key`` names one of ``properties`` that tells several relationships of one pair
    apart (Yen's k paths between the same two nodes: ``index``): the ``MERGE`` then matches it
    too, so a pair gets one relationship per key value, and a rerun still updates them. Such
    writes take plain Cypher.

    Pairs are Neo4j internal ids. A rerun updates the same relationships. Writers default to one
    session: two batches touching the same node would otherwise wait on each other's locks
    (the driver retries the deadlocks this can cause, so more is safe, only rarely faster).
    Numeric scalar properties go through the plugin's ``gml.io.writeRelationships`` when the
    database has it (``use_bulk``: see :func:`neo4j_gml.io.bulk.bulk_available`), with the
    pairs sorted by source so each source's existing relationships are looked up once.
    """
    started = time.perf_counter()
    rtype = quote(relationship_type, key="writeRelationshipType")
    src, dst = _column(source_ids), _column(target_ids)
    if len(src) != len(dst):
        raise ValueError(f"{len(src)} source ids but {len(dst)} target ids")
    values, sets = _set_clauses("r", properties, len(src), key="writeProperty")
    columns: dict[str, np.ndarray | list] = {"s": src, "t": dst, **values}
    if len(src) == 0:
        return WriteReport()
    packable = _packable(values)
    key_set = ""
    if merge_key is not None:
        names = [str(name) for name in properties]
        if merge_key not in names:
            raise ValueError(f"merge_key {merge_key!r} is not one of the properties {names}")
        key_set = f" {{{quote(merge_key, key='writeProperty')}: $v{names.index(merge_key)}[i]}}"
        packable = None
    if (
        packable is not None
        and not any(packable["widths"])
        and bulk.bulk_available(driver, database, use_bulk)
    ):
        order = np.argsort(np.asarray(src), kind="stable")
        columns = {name: np.asarray(col)[order] for name, col in columns.items()}
        shared = transport.on_shared(driver, database, use_bulk)
        done = None
        if shared is not None:
            done = _write_relationships_shared(
                driver,
                database,
                shared,
                columns,
                relationship_type,
                [str(name) for name in properties],
                packable["kinds"],
                batch_size=batch_size,
                concurrency=concurrency,
                on_progress=on_progress,
                cancel=cancel,
                started=started,
            )
        if done is not None:
            return done
        query = (
            f"CALL gml.io.writeRelationships($s, $t, $type, $names, "
            f"[{', '.join('$' + c for c in values)}], $kinds) YIELD written RETURN written"
        )
        rows = _run_batches(
            driver,
            database,
            query,
            columns,
            batch_size=batch_size,
            concurrency=concurrency,
            on_progress=on_progress,
            constants={
                "type": relationship_type,
                "names": [str(name) for name in properties],
                "kinds": packable["kinds"],
            },
            packed=True,
            cancel=cancel,
        )
        return WriteReport(rows, rows * len(sets), int((time.perf_counter() - started) * 1000))
    query = (
        "UNWIND range(0, size($s) - 1) AS i "
        "MATCH (a) WHERE id(a) = $s[i] MATCH (b) WHERE id(b) = $t[i] "
        f"MERGE (a)-[r:{rtype}{key_set}]->(b)" + (f" SET {', '.join(sets)}" if sets else "")
    )
    rows = _run_batches(
        driver,
        database,
        query,
        columns,
        batch_size=batch_size,
        concurrency=concurrency,
        on_progress=on_progress,
        cancel=cancel,
    )
    return WriteReport(rows, rows * len(sets), int((time.perf_counter() - started) * 1000))


def _write_relationships_shared(
    driver: neo4j.Driver,
    database: str | None,
    shared: transport.SharedDirectory,
    columns: Mapping[str, np.ndarray | list],
    relationship_type: str,
    names: list[str],
    kinds: list[str],
    *,
    batch_size: int,
    concurrency: int,
    on_progress: Callable[[int], None] | None,
    cancel: CancelToken | None,
    started: float,
) -> WriteReport | None:
    """:func:`write_relationships` through a transport file (None: the directory refused it): sources, targets, then one column
    per property, sorted by source; batches name their row range."""
    src = np.asarray(columns["s"])
    arrays = [src, np.asarray(columns["t"])]
    arrays += [np.asarray(col) for key, col in columns.items() if key not in ("s", "t")]
    with transport.column_file(shared, arrays) as stored:
        if stored is None:  # the directory refused the file: write over Bolt
            return None
        file, offsets = stored
        rows = _run_batches(
            driver,
            database,
            "CALL gml.io.writeRelationshipsFromFile($name, $from, $to, $total, $type, $names, "
            "$offsets, $kinds) YIELD written RETURN written",
            {"s": src},
            batch_size=batch_size,
            concurrency=concurrency,
            on_progress=on_progress,
            constants={
                "name": file.name,
                "total": int(src.size),
                "type": relationship_type,
                "names": names,
                "offsets": offsets[2:],
                "kinds": kinds,
            },
            ranged=True,
            cancel=cancel,
        )
    return WriteReport(rows, rows * len(names), int((time.perf_counter() - started) * 1000))


def delete_relationships(
    driver: neo4j.Driver,
    relationship_type: str,
    *,
    database: str | None = None,
    batch_size: int = 10000,
    cancel: CancelToken | None = None,
) -> int:
    """Delete every relationship of ``relationship_type``, in batches; returns how many."""
    rtype = quote(relationship_type, key="writeRelationshipType")
    deleted = 0
    while True:
        if cancel is not None:
            cancel.raise_if_cancelled()
        records, _, _ = driver.execute_query(
            f"MATCH ()-[r:{rtype}]->() WITH r LIMIT $n DELETE r RETURN count(*) AS c",
            n=batch_size,
            database_=database,
        )
        count = records[0]["c"]
        deleted += count
        if count < batch_size:
            return deleted


def create_vector_index(
    driver: neo4j.Driver,
    label: str,
    property_name: str,
    dimension: int,
    *,
    database: str | None = None,
    timeout_seconds: int = 300,
) -> str:
    """Create (if absent) a cosine vector index on ``(:label).property_name`` and wait until it
    is online; returns its name.

    An existing vector index on the same label and property with another dimension is an error:
    Neo4j would silently keep the old one and skip every new vector.
    """
    name = f"gml_{label}_{property_name}_vector"
    records, _, _ = driver.execute_query(
        "SHOW VECTOR INDEXES YIELD name, labelsOrTypes, properties, options "
        "WHERE labelsOrTypes = [$label] AND properties = [$prop] RETURN name, options",
        label=label,
        prop=property_name,
        database_=database,
    )
    for record in records:
        config = (record["options"] or {}).get("indexConfig", {})
        existing = config.get("vector.dimensions")
        if existing is not None and int(existing) != int(dimension):
            raise ValueError(
                f"config key 'vectorIndex': the vector index '{record['name']}' on "
                f":{label}({property_name}) has {existing} dimensions, the embedding has "
                f"{dimension}; drop the index or write to another property"
            )
        name = record["name"]
    if not records:
        driver.execute_query(
            f"CREATE VECTOR INDEX {quote(name, key='vectorIndex')} IF NOT EXISTS "
            f"FOR (n:{quote(label, key='vectorIndexLabel')}) "
            f"ON (n.{quote(property_name, key='writeProperty')}) "
            f"OPTIONS {{indexConfig: {{`vector.dimensions`: {int(dimension)}, "
            "`vector.similarity_function`: 'cosine'}}",
            database_=database,
        )
    with driver.session(database=database) as session:
        session.run("CALL db.awaitIndex($name, $t)", name=name, t=timeout_seconds).consume()
    return name
