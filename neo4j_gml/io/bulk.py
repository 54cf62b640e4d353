"""The bulk path: ids and values as packed byte arrays, through the plugin's ``gml.io.*``.

When the neo4j_gml plugin is installed in the database (``plugin/procedures``, class
``BulkIo``), reads and writes move columns as little-endian ``int64`` / ``float64`` byte strings:
Bolt then carries a few large byte arrays instead of one value per number, and neither the
driver nor Cypher decodes or builds lists element by element. Without the plugin (or with
``NEO4J_GML_BULK_IO=0``) :mod:`neo4j_gml.io.read` and :mod:`neo4j_gml.io.write` use plain Cypher;
both paths give the same graph and write the same properties.
"""

from __future__ import annotations

import os
import re
import threading
import weakref

import neo4j
import numpy as np

from neo4j_gml.core.errors import ConfigError

#: The layout version this side speaks; ``gml.io.protocol()`` must answer the same.
PROTOCOL = 4

_known: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def enabled_by_environment() -> bool:
    """False when ``NEO4J_GML_BULK_IO`` is ``0``, ``false`` or ``no``."""
    return os.environ.get("NEO4J_GML_BULK_IO", "1").strip().lower() not in {"0", "false", "no"}


def bulk_available(driver: neo4j.Driver, database: str | None, requested: bool | None) -> bool:
    """Whether to use the bulk path: ``requested`` if given (True fails clearly when the plugin is
    missing), else whether the database answers ``gml.io.protocol()`` with :data:`PROTOCOL` and
    the environment allows it. The probe runs once per driver and database."""
    if requested is False or (requested is None and not enabled_by_environment()):
        return False
    with _lock:
        per_driver = _known.setdefault(driver, {})
        if database not in per_driver:
            per_driver[database] = _probe(driver, database)
        answer = per_driver[database]
    if requested and not answer:
        raise ConfigError(
            "the bulk path was requested, but the database has no gml.io procedures of protocol "
            f"{PROTOCOL}; put the neo4j_gml plugin jar (`neo4j-gml plugin build` prints its "
            "path) in the server's plugins folder, or read and write with plain Cypher"
        )
    return answer


def _probe(driver: neo4j.Driver, database: str | None) -> bool:
    try:
        records, _, _ = driver.execute_query(
            "CALL gml.io.protocol() YIELD protocol RETURN protocol",
            database_=database,
            routing_=neo4j.RoutingControl.READ,
        )
    except neo4j.exceptions.Neo4jError:
        return False
    return bool(records) and records[0]["protocol"] == PROTOCOL


def encoded(values: np.ndarray) -> np.ndarray:
    """``values`` as a contiguous array of the little-endian type :func:`kind_of` names:
    ``int64`` for integers, ``float32`` for float32 lists (rows of a 2-d array), ``float64`` for
    anything else (no copy when it already is one)."""
    if values.dtype.kind in "iu":
        kind = "<i8"
    elif values.dtype == np.float32 and values.ndim == 2:
        kind = "<f4"
    else:
        kind = "<f8"
    return np.ascontiguousarray(values, dtype=kind)


def pack(values: np.ndarray) -> bytes:
    """``values`` as the bytes of :func:`encoded`."""
    return encoded(values).tobytes()


def kind_of(values: np.ndarray) -> str | None:
    """``'i8'``, ``'f4'`` (float32 lists: stored as float arrays, as GDS stores embeddings) or
    ``'f8'``: how :func:`pack` encodes ``values``; None when it cannot (objects, strings,
    booleans, which plain Cypher writes as they are)."""
    if values.dtype.kind in "iu":
        return "i8"
    if values.dtype == np.float32 and values.ndim == 2:
        return "f4"
    if values.dtype.kind == "f":
        return "f8"
    return None


def bolt_format() -> str:
    """How relationship columns travel over Bolt: ``packed`` (raw little-endian arrays, the
    default: measured no slower) or ``arrow`` (one Arrow IPC stream per row, readable by any
    Arrow tool), from ``GML_BOLT_FORMAT``; ``arrow`` needs ``pyarrow``."""
    value = os.environ.get("GML_BOLT_FORMAT", "packed").strip().lower() or "packed"
    if value not in {"packed", "arrow"}:
        raise ConfigError(f"GML_BOLT_FORMAT must be 'packed' or 'arrow', got {value!r}")
    if value == "arrow":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise ConfigError(
                "GML_BOLT_FORMAT=arrow needs pyarrow: pip install 'neo4j-gml[arrow]'"
            ) from None
    return value


def from_arrow(data: bytes, *, weighted: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """The (source, target[, weight]) columns of one Arrow IPC stream, as arrays over its
    buffers (no copy)."""
    import pyarrow as pa

    table = pa.ipc.open_stream(pa.py_buffer(data)).read_all()

    def column(name: str) -> np.ndarray:
        chunks = table.column(name).chunks
        if not chunks:
            return np.empty(0, dtype=np.float64 if name == "weight" else np.int64)
        if len(chunks) == 1:
            return chunks[0].to_numpy(zero_copy_only=True)
        return np.concatenate([c.to_numpy() for c in chunks])

    return column("source"), column("target"), column("weight") if weighted else None


def unpack_ids(data: bytes | None) -> np.ndarray:
    return np.frombuffer(data or b"", dtype="<i8")


def unpack_floats(data: bytes | None) -> np.ndarray:
    return np.frombuffer(data or b"", dtype="<f8")


_CONFIG_MESSAGE = re.compile(r"(config key '.*)", re.DOTALL)


def config_error_from(exc: neo4j.exceptions.Neo4jError) -> ConfigError | None:
    """The :class:`ConfigError` a ``gml.io`` procedure raised (its message names the config key),
    or None for any other failure."""
    for text in (exc.message or "", str(exc)):
        match = _CONFIG_MESSAGE.search(text)
        if match:
            return ConfigError(match.group(1).strip())
    return None
