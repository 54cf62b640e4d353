"""Reading a projection of a Neo4j graph into a :class:`~neo4j_gml.core.graph.Graph`.

Two kinds of projection, as in GDS:

* a **filter projection** (``nodeLabels``, ``relationshipTypes``, ``relationshipWeightProperty``,
  ``nodeProperties``). Beside Neo4j (:mod:`neo4j_gml.io.transport` finds a directory both
  see) the plugin reads it whole on several threads of one transaction, following each node's
  chain or scanning the relationship store (``NEO4J_GML_SCAN``: ``1``, ``0``, default: scan
  when the projection holds a quarter of the nodes), into one file this process maps without
  a copy. Otherwise node ids are read per label, then relationships in chunks of source nodes,
  several chunks at a time on separate sessions, as packed bytes over Bolt (through the plugin:
  by each node's chain, or by a sequential scan of the relationship store when the projection
  holds a quarter of the nodes, ``NEO4J_GML_SCAN`` again) or, without the plugin, as ``collect()``-ed columns, so the driver decodes a few long
  lists instead of one Python record per relationship.
* a **Cypher projection** (``nodeQuery`` returning ``id`` and property columns,
  ``relationshipQuery`` returning ``source``, ``target`` and optionally ``weight``), always run
  with the user's ``parameters``.

Names of labels, types and properties are checked against the database first, so a typo gives a
clear error instead of an empty graph, and they are quoted with :func:`neo4j_gml.io.names.quote`.
Relationships whose other end is not in the node set are dropped and counted.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import neo4j
import numpy as np

from neo4j_gml.core.cancellation import CancelToken
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.io import bulk, transport
from neo4j_gml.io.names import quote
from neo4j_gml.io.user_query import run_user_query

log = logging.getLogger(__name__)

NO_DEFAULT = object()
#: the "default" of a node property that may be missing on some nodes (e.g. GDS's
#: ``seedProperty``): a missing value is read as NaN; a stored NaN or Infinity is still refused
NAN_IF_MISSING = object()


@dataclass(frozen=True)
class Projection:
    """What to read. Built from a validated config with :meth:`from_config`."""

    node_labels: tuple[str, ...] = ("*",)
    relationship_types: tuple[str, ...] = ("*",)
    orientation: str = "NATURAL"
    weight_property: str | None = None
    default_weight: float | None = None
    aggregation: str = "NONE"
    node_properties: Mapping[str, Any] = field(default_factory=dict)  # name -> default
    node_query: str | None = None
    relationship_query: str | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_config(
        cls,
        cfg: Mapping[str, Any],
        extra_properties: Iterable[str] = (),
        missing_allowed: Iterable[str] = (),
    ) -> Projection:
        """The projection a validated procedure config describes, plus ``extra_properties``.

        Properties named in ``missing_allowed`` (and given no ``defaultValue``) read a missing
        value as NaN (:data:`NAN_IF_MISSING`) instead of refusing it."""
        props = _node_property_spec(cfg.get("nodeProperties"))
        for name in extra_properties:
            props.setdefault(name, NO_DEFAULT)
        for name in missing_allowed:
            if props.get(name, NO_DEFAULT) is NO_DEFAULT:
                props[name] = NAN_IF_MISSING
        return cls(
            node_labels=tuple(cfg.get("nodeLabels") or ["*"]),
            relationship_types=tuple(cfg.get("relationshipTypes") or ["*"]),
            orientation=cfg.get("orientation") or "NATURAL",
            weight_property=cfg.get("relationshipWeightProperty"),
            default_weight=cfg.get("defaultValue"),
            aggregation=cfg.get("aggregation") or "NONE",
            node_properties=props,
            node_query=cfg.get("nodeQuery"),
            relationship_query=cfg.get("relationshipQuery"),
            parameters=dict(cfg.get("parameters") or {}),
        )

    @property
    def is_cypher(self) -> bool:
        return self.node_query is not None


@dataclass
class ReadReport:
    """What a read found: counts and time."""

    node_count: int = 0
    relationship_count: int = 0
    dropped_relationships: int = 0
    millis: int = 0


def _node_property_spec(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, str):
        return {value: NO_DEFAULT}
    if isinstance(value, list | tuple):
        if not all(isinstance(v, str) for v in value):
            raise ConfigError("config key 'nodeProperties' must be a list of property names")
        return dict.fromkeys(value, NO_DEFAULT)
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for name, spec in value.items():
            if isinstance(spec, Mapping):
                unknown = set(spec) - {"defaultValue", "property"}
                if unknown:
                    raise ConfigError(
                        f"config key 'nodeProperties.{name}' has unknown keys {sorted(unknown)}; "
                        "valid keys are defaultValue, property"
                    )
                out[name] = spec.get("defaultValue", NO_DEFAULT)
            elif spec is None or isinstance(spec, int | float | list):
                out[name] = NO_DEFAULT if spec is None else spec
            else:
                out[name] = NO_DEFAULT
        return out
    raise ConfigError(
        "config key 'nodeProperties' must be a list of names or a map name -> {defaultValue: v}"
    )


# ---------------------------------------------------------------------------- helpers
def _single(driver: neo4j.Driver, database: str | None, query: str, **params: Any) -> neo4j.Record:
    records, _, _ = driver.execute_query(
        query, parameters_=params, database_=database, routing_=neo4j.RoutingControl.READ
    )
    return records[0]


def _existing(driver: neo4j.Driver, database: str | None) -> tuple[set, set, set]:
    row = _single(
        driver,
        database,
        "RETURN COLLECT { CALL db.labels() YIELD label RETURN label } AS labels, "
        "COLLECT { CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType } "
        "AS types, COLLECT { CALL db.propertyKeys() YIELD propertyKey RETURN propertyKey } AS keys",
    )
    return set(row["labels"]), set(row["types"]), set(row["keys"])


def _check_names(projection: Projection, labels: set, types: set, keys: set) -> None:
    for label in projection.node_labels:
        if label != "*" and label not in labels:
            raise ConfigError(
                f"config key 'nodeLabels': label '{label}' does not exist in the database; "
                f"existing labels: {sorted(labels)}"
            )
    for rtype in projection.relationship_types:
        if rtype != "*" and rtype not in types:
            raise ConfigError(
                f"config key 'relationshipTypes': relationship type '{rtype}' does not exist in "
                f"the database; existing types: {sorted(types)}"
            )
    if projection.weight_property is not None and projection.weight_property not in keys:
        raise ConfigError(
            f"config key 'relationshipWeightProperty': property '{projection.weight_property}' "
            "does not exist in the database"
        )
    for name in projection.node_properties:
        if name not in keys:
            raise ConfigError(
                f"config key 'nodeProperties': node property '{name}' does not exist in the database"
            )


def _to_float_array(values: Sequence[Any], *, key: str, name: str) -> np.ndarray:
    """``values`` as ``float64``, or a :class:`ConfigError` naming ``key``, property ``name``
    and the first value that is not a number. A boolean is not a number (NumPy would make it
    1.0 or 0.0; the bulk path refuses it too)."""
    try:
        out = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        out = None
    if out is not None and (out.ndim != 1 or bool not in set(map(type, values))):
        return out
    bad = next((v for v in values if not isinstance(v, int | float) or isinstance(v, bool)), None)
    raise ConfigError(
        f"config key '{key}': property '{name}' must hold numbers, found "
        f"{type(bad).__name__} {bad!r}"[:200]
    ) from None


def _property_column(
    values: list[Any], missing: np.ndarray, default: Any, *, name: str
) -> np.ndarray:
    """One node property as ``float64[n]`` or ``float64[n, d]``; ``missing`` marks nulls, which
    get ``default`` (:data:`NAN_IF_MISSING`: NaN; :data:`NO_DEFAULT`: refused)."""
    key = "nodeProperties"
    n_missing = int(missing.sum())
    if n_missing and default is NO_DEFAULT:
        raise ConfigError(
            f"config key '{key}': {n_missing} of {len(missing)} nodes lack property '{name}'; "
            "give a defaultValue (nodeProperties: {" + name + ": {defaultValue: ...}})"
        )
    nan_fill = default is NAN_IF_MISSING
    present = [v for v in values]
    is_list = [isinstance(v, list) for v in present]
    if any(is_list):
        if not all(is_list):
            raise ConfigError(f"config key '{key}': property '{name}' mixes lists and scalars")
        lengths = {len(v) for v in present}
        if default is not NO_DEFAULT and not nan_fill and n_missing:
            if not isinstance(default, list):
                raise ConfigError(
                    f"config key '{key}': the defaultValue of list property '{name}' must be a list"
                )
            lengths.add(len(default))
        if len(lengths) > 1:
            raise ConfigError(
                f"config key '{key}': list property '{name}' has lists of different lengths "
                f"{sorted(lengths)[:5]}; every node needs the same length"
            )
        width = lengths.pop() if lengths else 0
        rows: np.ndarray = np.empty((len(missing), width), dtype=np.float64)
        if n_missing:
            rows[missing] = math.nan if nan_fill else _default_array(default, name=name)
        if present:
            rows[~missing] = _to_float_array(present, key=key, name=name).reshape(-1, width)
        _refuse_non_finite_values(rows, missing, name=name)
        return rows
    out = np.empty(len(missing), dtype=np.float64)
    if n_missing:
        if isinstance(default, list):
            raise ConfigError(
                f"config key '{key}': the defaultValue of scalar property '{name}' must be a number"
            )
        out[missing] = math.nan if nan_fill else _default_array(default, name=name)
    if present:
        out[~missing] = _to_float_array(present, key=key, name=name)
    _refuse_non_finite_values(out, missing, name=name)
    return out


def _default_array(default: Any, *, name: str) -> np.ndarray:
    """The ``defaultValue`` of node property ``name`` as finite ``float64``, or a
    :class:`ConfigError` naming it."""
    try:
        bad = isinstance(default, bool) or (
            isinstance(default, list) and any(isinstance(v, bool) for v in default)
        )
        value = np.asarray(default, dtype=np.float64)
    except (TypeError, ValueError):
        bad = True
    if bad or not np.isfinite(value).all():
        raise ConfigError(
            f"config key 'nodeProperties': the defaultValue of property '{name}' must be a finite "
            f"number or a list of finite numbers, got {type(default).__name__} {default!r}"[:200]
        )
    return value


def _refuse_non_finite_values(column: np.ndarray, missing: np.ndarray, *, name: str) -> None:
    """Raise :class:`ConfigError` when a stored value of node property ``name`` (``column``,
    one row per node; ``missing`` marks the rows filled with the default) is NaN or ±Infinity,
    counting the nodes that hold one. ``O(n d)``."""
    finite = np.isfinite(column)
    if finite.ndim > 1:
        finite = finite.all(axis=1)
    bad = int((~finite & ~missing).sum())
    if bad:
        raise ConfigError(
            f"config key 'nodeProperties': {bad} of {len(missing)} nodes have a non-finite value "
            f"in property '{name}' (Infinity, -Infinity or NaN); node properties must be finite "
            "numbers"
        )


def _describe_id(value: Any) -> str:
    """``value`` as a Cypher user reads it: ``float 0.5``, ``boolean true``, ``null``, ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    names = {float: "float", str: "string", list: "list", dict: "map", int: "integer"}
    kind = names.get(type(value), type(value).__name__)
    return f"{kind} {value!r}"[:120]


def id_column(values: list[Any], *, key: str, column: str) -> np.ndarray:
    """The node ids of a Cypher projection's ``column`` as ``int64``, or a :class:`ConfigError`
    naming ``key``, the column and the first value that is not an integer (1-based row).

    A float (``id(n) + 0.5``), boolean, string or null is refused rather than truncated or cast.
    The check is one C-level pass over the types (``set(map(type, values))``, cheaper than the
    dtype inference of ``np.asarray``); only a column that fails it is scanned in Python.
    """
    if set(map(type, values)) <= {int}:
        try:
            return np.fromiter(values, dtype=np.int64, count=len(values))
        except OverflowError:
            pass
    for row, value in enumerate(values, start=1):
        if type(value) is not int or not -(2**63) <= value < 2**63:
            raise ConfigError(
                f"config key '{key}': column `{column}` must hold integer node ids, found "
                f"{_describe_id(value)} (row {row})"
            )
    raise AssertionError("unreachable: every value is an int64")  # pragma: no cover


def _refuse_non_finite_weights(weights: np.ndarray, *, key: str, name: str, filled: bool) -> None:
    """Raise :class:`ConfigError` when a relationship weight is NaN or ±Infinity, counting them.

    ``filled``: missing weights were given the ``defaultValue``, so every non-finite weight is a
    stored one. Otherwise NaN also marks a missing weight (both read paths fill missing ones with
    NaN when there is no default), so NaN is reported as "missing or NaN" with the hint to give a
    defaultValue, and ±Infinity apart.
    """
    finite = np.isfinite(weights)
    if finite.all():
        return
    bad = int((~finite).sum())
    if filled:
        raise ConfigError(
            f"config key '{key}': {bad} relationships have a non-finite weight in '{name}' "
            "(Infinity, -Infinity or NaN); weights must be finite numbers: correct the stored "
            "values, or leave those relationships out (with a relationshipQuery)"
        )
    nan = int(np.isnan(weights).sum())
    infinite = bad - nan
    found = []
    if infinite:
        found.append(
            f"{infinite} relationships have a non-finite weight in '{name}' (Infinity or -Infinity)"
        )
    if nan:
        found.append(f"{nan} relationships have no number in '{name}' (missing or NaN)")
    hints = []
    if infinite:
        hints.append("weights must be finite numbers")
    if nan:
        hints.append("give a defaultValue for missing ones")
    raise ConfigError(f"config key '{key}': {' and '.join(found)}; {'; '.join(hints)}")


def _chunks(ids: np.ndarray, parts: int) -> list[np.ndarray]:
    return [c for c in np.array_split(ids, max(parts, 1)) if c.size]


# ---------------------------------------------------------------------------- filter projection
def _read_nodes(
    driver: neo4j.Driver, database: str | None, projection: Projection
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    props = list(projection.node_properties)
    prop_cols = "".join(
        f", collect(n[$p{i}]) AS v{i}, collect(n[$p{i}] IS NULL) AS m{i}" for i in range(len(props))
    )
    params = {f"p{i}": p for i, p in enumerate(props)}
    labels = projection.node_labels
    matches = (
        ["MATCH (n)"]
        if "*" in labels
        else [f"MATCH (n:{quote(x, key='nodeLabels')})" for x in labels]
    )
    id_parts: list[np.ndarray] = []
    value_parts: dict[str, list[Any]] = {p: [] for p in props}
    missing_parts: dict[str, list[np.ndarray]] = {p: [] for p in props}
    for match in matches:
        row = _single(
            driver, database, f"{match} RETURN collect(id(n)) AS ids{prop_cols}", **params
        )
        id_parts.append(np.asarray(row["ids"], dtype=np.int64))
        for i, p in enumerate(props):
            value_parts[p].append(row[f"v{i}"])
            missing_parts[p].append(np.asarray(row[f"m{i}"], dtype=bool))
    ids = np.concatenate(id_parts) if id_parts else np.empty(0, dtype=np.int64)
    node_ids, first = np.unique(ids, return_index=True)
    columns: dict[str, np.ndarray] = {}
    for p in props:
        # values of the i-th label query, aligned to ids (values skip nulls)
        missing = np.concatenate(missing_parts[p]) if missing_parts[p] else np.empty(0, dtype=bool)
        flat: list[Any] = []
        for part in value_parts[p]:
            flat.extend(part)
        full: list[Any] = [None] * len(ids)
        it = iter(flat)
        for j in np.flatnonzero(~missing):
            full[j] = next(it)
        keep = first
        kept_missing = missing[keep]
        kept_values = [full[j] for j in keep if full[j] is not None]
        columns[p] = _property_column(
            kept_values, kept_missing, projection.node_properties[p], name=p
        )
    return node_ids, columns


def _relationship_query(projection: Projection) -> str:
    types = projection.relationship_types
    rel = "r" if "*" in types else "r:" + "|".join(quote(t, key="relationshipTypes") for t in types)
    weight = ""
    if projection.weight_property is not None:
        # a static (quoted) property key reads faster than the dynamic r[$w]
        prop = quote(projection.weight_property, key="relationshipWeightProperty")
        weight = f", collect(coalesce(r.{prop}, $default)) AS w"
    return (
        "UNWIND $ids AS i MATCH (a) WHERE id(a) = i "
        f"MATCH (a)-[{rel}]->(b) RETURN collect(i) AS s, collect(id(b)) AS t{weight}"
    )


def _read_relationships_bulk(
    driver: neo4j.Driver,
    database: str | None,
    projection: Projection,
    node_ids: np.ndarray,
    concurrency: int,
    on_chunk: Callable[[int], None] | None,
    cancel: CancelToken | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Relationships through the plugin: packed ids in, packed columns out.
    ``gml.io.relationships`` follows each node's chain; with :func:`_scan_pays`,
    ``gml.io.relationshipScan`` reads the relationship store in one sequential pass per session
    instead (each session keeping the sources of its share of ids). Both give the same arcs."""
    if _scan_pays(driver, database, node_ids):
        return _scan_relationships(
            driver, database, projection, node_ids, concurrency, on_chunk, cancel
        )
    query = (
        "CALL gml.io.relationships($ids, $types, $weight, $default, $format) "
        "YIELD sources, targets, weights, arrow RETURN sources, targets, weights, arrow"
    )
    chunk_count = max(concurrency * 2, int(math.ceil(node_ids.size / 50000)))
    calls = [{"ids": bulk.pack(ids)} for ids in _chunks(node_ids, chunk_count)]
    return _bulk_columns(driver, database, projection, query, calls, concurrency, on_chunk, cancel)


def _bulk_columns(
    driver: neo4j.Driver,
    database: str | None,
    projection: Projection,
    query: str,
    calls: list[dict[str, Any]],
    workers: int,
    on_chunk: Callable[[int], None] | None,
    cancel: CancelToken | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Run the plugin's bulk read ``query`` once per parameter map of ``calls`` (plus the
    projection's types, weight and default), on ``workers`` sessions at once; the packed
    columns of every row, unpacked and joined. ``cancel`` is checked before each call."""
    default = projection.default_weight
    shared = {
        "types": [t for t in projection.relationship_types if t != "*"]
        if "*" not in projection.relationship_types
        else [],
        "weight": projection.weight_property,
        "default": math.nan if default is None else float(default),
        "format": bulk.bolt_format(),
    }

    def read(call: dict[str, Any]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
        if cancel is not None:
            cancel.raise_if_cancelled()
        with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
            try:
                records = session.execute_read(lambda tx: list(tx.run(query, {**shared, **call})))
            except neo4j.exceptions.ClientError as exc:
                raise (bulk.config_error_from(exc) or exc) from None
        parts = [
            bulk.from_arrow(r["arrow"], weighted=projection.weight_property is not None)
            if r["arrow"] is not None
            else (
                bulk.unpack_ids(r["sources"]),
                bulk.unpack_ids(r["targets"]),
                bulk.unpack_floats(r["weights"]) if projection.weight_property else None,
            )
            for r in records
        ]
        if on_chunk is not None:
            on_chunk(sum(p[1].size for p in parts))
        return parts

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        parts = [p for chunk in pool.map(read, calls) for p in chunk]
    src = np.concatenate([p[0] for p in parts]) if parts else np.empty(0, dtype=np.int64)
    dst = np.concatenate([p[1] for p in parts]) if parts else np.empty(0, dtype=np.int64)
    weights = None
    if projection.weight_property is not None:
        weights = np.concatenate([p[2] for p in parts]) if parts else np.empty(0)
    return src.astype(np.int64, copy=False), dst.astype(np.int64, copy=False), weights


#: A store scan reads every relationship; it pays when the projection holds at least this
#: share of the database's nodes (following chains costs ~3x a sequential read per arc).
SCAN_SHARE = 0.25


def _scan_pays(driver: neo4j.Driver, database: str | None, node_ids: np.ndarray) -> bool:
    """Whether to read by a store scan over Bolt: ``NEO4J_GML_SCAN=1`` always, ``0`` never,
    unset or ``auto`` when the projection holds at least :data:`SCAN_SHARE` of the database's
    nodes (and the ids fit the scan's bit set). Measured on freshly loaded power-law graphs
    (``benchmarks/results/2026-12-02-vm-transport.md``): ``read_graph`` 0.25 s against 0.43 s
    following chains at 1M relationships, 1.49 s against 2.58 s at 5M."""
    forced = os.environ.get("NEO4J_GML_SCAN", "auto")
    fits = node_ids.size == 0 or (node_ids[0] >= 0 and node_ids[-1] < 2**31 - 1)
    if forced != "auto":
        return forced == "1" and fits
    if not fits or node_ids.size == 0:
        return False
    total = int(_single(driver, database, "MATCH (n) RETURN count(n) AS c")["c"])
    return node_ids.size >= SCAN_SHARE * total


def _scan_relationships(
    driver: neo4j.Driver,
    database: str | None,
    projection: Projection,
    node_ids: np.ndarray,
    concurrency: int,
    on_chunk: Callable[[int], None] | None,
    cancel: CancelToken | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """``gml.io.relationshipScan`` in ``concurrency`` parts (part k: the sources whose id is k
    modulo the parts), one session each."""
    query = (
        "CALL gml.io.relationshipScan($ids, $types, $weight, $default, $part, $parts, $format) "
        "YIELD sources, targets, weights, arrow RETURN sources, targets, weights, arrow"
    )
    parts = max(1, concurrency)
    packed = bulk.pack(node_ids)
    calls = [{"ids": packed, "part": part, "parts": parts} for part in range(parts)]
    return _bulk_columns(driver, database, projection, query, calls, parts, on_chunk, cancel)


def _read_relationships(
    driver: neo4j.Driver,
    database: str | None,
    projection: Projection,
    node_ids: np.ndarray,
    concurrency: int,
    on_chunk: Callable[[int], None] | None,
    cancel: CancelToken | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    query = _relationship_query(projection)
    default = projection.default_weight
    # NaN marks a missing weight; a stored NaN is an error too
    params = {"default": math.nan if default is None else default}
    chunk_count = max(concurrency * 4, int(math.ceil(node_ids.size / 20000)))

    def read_chunk(ids: np.ndarray) -> tuple[list, list, list | None]:
        if cancel is not None:
            cancel.raise_if_cancelled()
        with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
            row = session.execute_read(
                lambda tx: tx.run(query, {"ids": ids.tolist(), **params}).single(strict=True)
            )
        if on_chunk is not None:
            on_chunk(len(row["t"]))
        return row["s"], row["t"], row["w"] if projection.weight_property else None

    chunks = _chunks(node_ids, chunk_count)
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(read_chunk, chunks))
    src = np.fromiter((x for r in results for x in r[0]), dtype=np.int64)
    dst = np.fromiter((x for r in results for x in r[1]), dtype=np.int64)
    weights = None
    if projection.weight_property is not None:
        flat: list[Any] = []
        for r in results:
            flat.extend(r[2] or [])
        weights = _to_float_array(
            flat, key="relationshipWeightProperty", name=projection.weight_property
        )
    return src, dst, weights


# ---------------------------------------------------------------------------- cypher projection
def _read_cypher(
    driver: neo4j.Driver, database: str | None, projection: Projection
) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray | None]:
    assert projection.node_query is not None and projection.relationship_query is not None
    records, keys = run_user_query(
        driver, database, projection.node_query, projection.parameters, key="nodeQuery"
    )
    if "id" not in keys:
        raise ConfigError(f"config key 'nodeQuery' must return a column `id`; it returns {keys}")
    ids = id_column([r["id"] for r in records], key="nodeQuery", column="id")
    node_ids, first = np.unique(ids, return_index=True)
    prop_names = [k for k in keys if k != "id"]
    wanted = dict.fromkeys(prop_names, NO_DEFAULT)
    for name, default in projection.node_properties.items():
        if name not in keys:
            raise ConfigError(
                f"config key 'nodeProperties': '{name}' is not a column of nodeQuery ({keys})"
            )
        wanted[name] = default
    columns = {}
    for name, default in wanted.items():
        raw = [records[j][name] for j in first]
        missing = np.asarray([v is None for v in raw], dtype=bool)
        numeric = [v for v in raw if v is not None]
        if name not in projection.node_properties and any(
            not isinstance(v, int | float | list) or isinstance(v, bool) for v in numeric
        ):
            continue  # a non-numeric extra column (e.g. a name) is not a node property
        columns[name] = _property_column(numeric, missing, default, name=name)

    rel_records, rel_keys = run_user_query(
        driver,
        database,
        projection.relationship_query,
        projection.parameters,
        key="relationshipQuery",
    )
    for needed in ("source", "target"):
        if needed not in rel_keys:
            raise ConfigError(
                f"config key 'relationshipQuery' must return columns `source` and `target`; "
                f"it returns {rel_keys}"
            )
    src = id_column([r["source"] for r in rel_records], key="relationshipQuery", column="source")
    dst = id_column([r["target"] for r in rel_records], key="relationshipQuery", column="target")
    weights = None
    if "weight" in rel_keys or projection.weight_property is not None:
        column = projection.weight_property or "weight"
        if column not in rel_keys:
            raise ConfigError(
                f"config key 'relationshipWeightProperty': relationshipQuery returns no column "
                f"`{column}`"
            )
        default = math.nan if projection.default_weight is None else projection.default_weight
        raw_w = [default if r[column] is None else r[column] for r in rel_records]
        weights = _to_float_array(raw_w, key="relationshipWeightProperty", name=column)
    return node_ids, columns, src, dst, weights


# ---------------------------------------------------------------------------- entry point
def _positions(
    node_ids: np.ndarray, src_ids: np.ndarray, dst_ids: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions of ``src_ids`` and ``dst_ids`` in the sorted ``node_ids``, and a mask of the
    pairs whose both ends are nodes of the projection.

    Neo4j ids are dense, so a lookup table indexed by id (``O(max id)`` memory, ``O(m)`` time)
    usually beats binary search (``O(m log n)``); sparse ids fall back to ``searchsorted``.
    """
    n = node_ids.size
    m = src_ids.size
    top = int(node_ids[-1]) if n else -1
    if n and node_ids[0] >= 0 and top < 4 * (n + m) + 1024:
        lookup = np.full(top + 2, -1, dtype=np.int64)  # slot top + 1: every id out of range
        lookup[node_ids] = np.arange(n, dtype=np.int64)
        src = lookup[np.clip(src_ids, -1, top + 1)]
        dst = lookup[np.clip(dst_ids, -1, top + 1)]
        inside = (src >= 0) & (dst >= 0)
        return src, dst, inside
    src = np.searchsorted(node_ids, src_ids)
    dst = np.searchsorted(node_ids, dst_ids)
    inside = (src < n) & (dst < n)
    inside[inside] &= (node_ids[src[inside]] == src_ids[inside]) & (
        node_ids[dst[inside]] == dst_ids[inside]
    )
    return src, dst, inside


def read_sessions(concurrency: int) -> int:
    """How many sessions read relationships in parallel: ``concurrency``, but no more than the
    cores this process may use (at least 2).

    Each session keeps one server thread scanning and one client thread decoding; beyond the
    client's cores they only contend, above all when Neo4j shares the machine (measured, 5M
    relationships on 2 cores: 2 sessions 2.7 s, 4 sessions 3.3 s).
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 2
    return max(1, min(concurrency, max(2, cores)))


def _use_scan() -> bool | None:
    """Whether the shared-memory read scans the relationship store rather than follow each
    node's chain: ``NEO4J_GML_SCAN=1`` yes, ``0`` no, unset (or ``auto``) None, which lets the
    plugin scan when the projection holds a quarter of the nodes or more."""
    forced = os.environ.get("NEO4J_GML_SCAN", "auto")
    return {"1": True, "0": False}.get(forced)


def _read_shared(
    driver: neo4j.Driver,
    database: str | None,
    projection: Projection,
    shared: transport.SharedDirectory,
    concurrency: int,
    on_progress: Callable[[int], None] | None,
    started: float,
) -> tuple[Graph, ReadReport]:
    """A filter projection through the shared-memory transport: one ``gml.io.projectToFile``
    call (node ids and arcs as positions, read by ``concurrency`` threads in Neo4j) mapped
    without a copy; node properties, when asked for, by the Cypher read of :func:`_read_nodes`.
    """
    default = projection.default_weight
    columns_read = transport.read_projection(
        driver,
        database,
        shared,
        labels=list(projection.node_labels),
        types=[t for t in projection.relationship_types if t != "*"],
        weight=projection.weight_property,
        default=math.nan if default is None else float(default),
        concurrency=max(1, concurrency),
        scan=_use_scan(),
    )
    node_ids = columns_read.node_ids
    properties: dict[str, np.ndarray] = {}
    if projection.node_properties:
        property_ids, properties = _read_nodes(driver, database, projection)
        if not np.array_equal(property_ids, node_ids):
            raise RuntimeError(
                "the projection's nodes changed between reading its relationships and its node "
                "properties (a concurrent write); run the call again"
            )
    weights = columns_read.weights
    if weights is not None:
        _refuse_non_finite_weights(
            weights,
            key="relationshipWeightProperty",
            name=projection.weight_property or "weight",
            filled=default is not None,
        )
    if on_progress is not None:
        on_progress(int(columns_read.sources.size))
    graph = Graph.from_edges(
        columns_read.sources,
        columns_read.targets,
        weights,
        num_nodes=node_ids.size,
        node_ids=node_ids,
        orientation=projection.orientation,
        aggregation=projection.aggregation,
        node_properties=properties,
    )
    report = ReadReport(
        node_count=int(node_ids.size),
        relationship_count=int(columns_read.sources.size),
        dropped_relationships=columns_read.dropped,
        millis=int((time.perf_counter() - started) * 1000),
    )
    return graph, report


def read_graph(
    driver: neo4j.Driver,
    projection: Projection,
    *,
    database: str | None = None,
    concurrency: int = 4,
    on_progress: Callable[[int], None] | None = None,
    use_bulk: bool | None = None,
    cancel: CancelToken | None = None,
) -> tuple[Graph, ReadReport]:
    """Read ``projection`` from Neo4j into a CPU :class:`Graph` and say what was read.

    A filter projection reads its relationships through the plugin's ``gml.io.relationships``
    when the database has it (``use_bulk=None``: when available; True: required; False: plain
    Cypher), see :mod:`neo4j_gml.io.bulk`, on :func:`read_sessions` sessions. Raises
    :class:`ConfigError` for unknown labels, types or properties, non-numeric or missing values
    without a default, NaN or infinite weights and node property values, and Cypher projection
    ids that are not integers. ``cancel`` is checked before every chunk of
    relationships. Time ``O(n + m)`` on the server plus one sort.
    """
    started = time.perf_counter()
    default = projection.default_weight
    if default is not None and (
        isinstance(default, bool)
        or not isinstance(default, int | float)
        or not math.isfinite(default)
    ):
        raise ConfigError(f"config key 'defaultValue' must be a finite number, got {default!r}")
    shared = None
    if projection.is_cypher:
        node_ids, columns, src_ids, dst_ids, weights = _read_cypher(driver, database, projection)
    else:
        labels, types, keys = _existing(driver, database)
        _check_names(projection, labels, types, keys)
        shared = transport.on_shared(driver, database, use_bulk)
    if shared is not None:
        if cancel is not None:
            cancel.raise_if_cancelled()
        try:
            return _read_shared(
                driver, database, projection, shared, concurrency, on_progress, started
            )
        except transport.TransportFailed as exc:
            log.warning("shared-memory read failed (%s); reading over Bolt", exc)
    if not projection.is_cypher:
        node_ids, columns = _read_nodes(driver, database, projection)
        read = (
            _read_relationships_bulk
            if bulk.bulk_available(driver, database, use_bulk)
            else _read_relationships
        )
        src_ids, dst_ids, weights = read(
            driver, database, projection, node_ids, read_sessions(concurrency), on_progress, cancel
        )
    if weights is not None:
        _refuse_non_finite_weights(
            weights,
            key="relationshipWeightProperty" if projection.weight_property else "relationshipQuery",
            name=projection.weight_property or "weight",
            filled=projection.default_weight is not None,
        )
    n = node_ids.size
    src, dst, inside = _positions(node_ids, src_ids, dst_ids)
    dropped = int((~inside).sum())
    if dropped:
        src, dst = src[inside], dst[inside]
        if weights is not None:
            weights = weights[inside]
    graph = Graph.from_edges(
        src,
        dst,
        weights,
        num_nodes=n,
        node_ids=node_ids,
        orientation=projection.orientation,
        aggregation=projection.aggregation,
        node_properties=columns,
    )
    report = ReadReport(
        node_count=n,
        relationship_count=int(src.size),
        dropped_relationships=dropped,
        millis=int((time.perf_counter() - started) * 1000),
    )
    return graph, report
