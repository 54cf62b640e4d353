"""Projecting a named graph: GDS's native projection syntax and its Cypher projection.

A **native projection** names node labels and relationship types, each with its properties,
in the forms GDS accepts (``gds.graph.project(name, nodeProjection, relationshipProjection)``)::

    'Person'                   ['Person', 'City']           '*'
    {Person: {label: 'Person', properties: ['age', {height: {defaultValue: 1.8}}]}}
    {KNOWS: {type: 'KNOWS', orientation: 'UNDIRECTED', aggregation: 'SINGLE',
             properties: {weight: {property: 'w', defaultValue: 1.0, aggregation: 'MAX'}}}}

:func:`parse_node_projection` and :func:`parse_relationship_projection` turn them into
:class:`NodeSpec` and :class:`RelationshipSpec` (errors name the config key and the part that is
wrong); :func:`read_native` reads them into a :class:`~neo4j_gml.core.graph_store.GraphStore`,
one relationship type (and property) at a time through the same kernel-cursor path as every
read. A missing node property without a ``defaultValue`` is NaN, as in GDS.

A **Cypher projection** (:func:`read_cypher`) runs the user's ``nodeQuery`` (``id``, optionally
``labels``, numeric columns as properties) and ``relationshipQuery`` (``source``, ``target``,
optionally ``type``, numeric columns as properties), read-only, with ``parameters``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import neo4j
import numpy as np
import torch

from neo4j_gml.core.cancellation import CancelToken
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import AGGREGATIONS, ORIENTATIONS, Graph
from neo4j_gml.core.graph_store import GraphStore, RelationshipSet
from neo4j_gml.io import schema
from neo4j_gml.io.names import quote
from neo4j_gml.io.read import (
    NAN_IF_MISSING,
    Projection,
    ReadReport,
    _check_names,
    _existing,
    _positions,
    _property_column,
    _read_nodes,
    _to_float_array,
    id_column,
    read_graph,
)
from neo4j_gml.io.user_query import run_user_query

#: GDS's name for "every label" / "every type" in a projection
ALL = "__ALL__"


@dataclass(frozen=True)
class PropertySpec:
    """A projected property: its name in the graph, its key in Neo4j, the value of an entity
    without it (NaN when None) and, for relationships, how parallel values merge."""

    name: str
    key: str
    default: Any = None
    aggregation: str | None = None


@dataclass(frozen=True)
class NodeSpec:
    """One entry of a node projection: its label in the graph and in Neo4j (``*``: every
    node), and its properties."""

    alias: str
    label: str
    properties: tuple[PropertySpec, ...] = ()


@dataclass(frozen=True)
class RelationshipSpec:
    """One entry of a relationship projection."""

    alias: str
    rtype: str
    orientation: str = "NATURAL"
    aggregation: str = "NONE"
    properties: tuple[PropertySpec, ...] = ()


# ---------------------------------------------------------------------------- parsing
def _properties(value: Any, *, key: str, relationship: bool) -> tuple[PropertySpec, ...]:
    """GDS's property forms: a name, a list of names or maps, or a map name -> key or spec."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (PropertySpec(value, value),)
    if isinstance(value, list):
        out: list[PropertySpec] = []
        for item in value:
            out += _properties(item, key=key, relationship=relationship)
        return tuple(out)
    if not isinstance(value, Mapping):
        raise ConfigError(
            f"config key '{key}': properties must be a name, a list or a map, got "
            f"{type(value).__name__}"
        )
    specs = []
    allowed = {"property", "defaultValue"} | ({"aggregation"} if relationship else set())
    for name, spec in value.items():
        if isinstance(spec, str):
            specs.append(PropertySpec(str(name), spec))
            continue
        if not isinstance(spec, Mapping):
            raise ConfigError(
                f"config key '{key}': property '{name}' must map to a property key or to "
                f"{{{', '.join(sorted(allowed))}}}, got {spec!r}"[:200]
            )
        unknown = set(spec) - allowed
        if unknown:
            raise ConfigError(
                f"config key '{key}': property '{name}' has unknown keys {sorted(unknown)}; "
                f"valid keys are {sorted(allowed)}"
            )
        default = spec.get("defaultValue")
        if default is not None and (
            isinstance(default, bool)
            or not isinstance(default, int | float | list)
            or (isinstance(default, float) and not math.isfinite(default))
        ):
            raise ConfigError(
                f"config key '{key}': the defaultValue of property '{name}' must be a finite "
                f"number (or a list of numbers), got {default!r}"[:200]
            )
        aggregation = spec.get("aggregation")
        if aggregation is not None and aggregation not in AGGREGATIONS:
            raise ConfigError(
                f"config key '{key}': the aggregation of property '{name}' must be one of "
                f"{list(AGGREGATIONS)}, got {aggregation!r}"
            )
        specs.append(PropertySpec(str(name), str(spec.get("property", name)), default, aggregation))
    return tuple(specs)


def _entries(value: Any, *, key: str) -> dict[str, Any]:
    """A projection as alias -> spec: ``'X'``, ``['X', 'Y']`` or ``{alias: 'X' | {...}}``."""
    if isinstance(value, str):
        return {value: value}
    if isinstance(value, list):
        if not all(isinstance(v, str) for v in value):
            raise ConfigError(
                f"config key '{key}': a list must hold names only, got {value!r}"[:200]
            )
        return {v: v for v in value}
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    raise ConfigError(
        f"config key '{key}': expected a name, a list of names or a map, got {type(value).__name__}"
    )


def parse_node_projection(
    value: Any, global_properties: Any = None, *, key: str = "nodeProjection"
) -> tuple[NodeSpec, ...]:
    """GDS's ``nodeProjection`` (and the configuration's ``nodeProperties``) as specs."""
    shared = _properties(global_properties, key="nodeProperties", relationship=False)
    out = []
    for alias, spec in _entries(value, key=key).items():
        props: tuple[PropertySpec, ...] = ()
        if isinstance(spec, str):
            label = spec
        elif isinstance(spec, Mapping):
            unknown = set(spec) - {"label", "properties"}
            if unknown:
                raise ConfigError(
                    f"config key '{key}': label '{alias}' has unknown keys {sorted(unknown)}; "
                    "valid keys are ['label', 'properties']"
                )
            label = str(spec.get("label", alias))
            props = _properties(spec.get("properties"), key=key, relationship=False)
        else:
            raise ConfigError(
                f"config key '{key}': label '{alias}' must map to a label or to "
                f"{{label, properties}}, got {spec!r}"[:200]
            )
        out.append(NodeSpec(ALL if label == "*" else alias, label, props + shared))
    if not out:
        raise ConfigError(f"config key '{key}': project at least one label (or '*')")
    if len({s.label == "*" for s in out}) > 1:
        raise ConfigError(f"config key '{key}': '*' cannot be combined with labels")
    return tuple(out)


def parse_relationship_projection(
    value: Any, global_properties: Any = None, *, key: str = "relationshipProjection"
) -> tuple[RelationshipSpec, ...]:
    """GDS's ``relationshipProjection`` (and the configuration's ``relationshipProperties``)."""
    shared = _properties(global_properties, key="relationshipProperties", relationship=True)
    out = []
    for alias, spec in _entries(value, key=key).items():
        props: tuple[PropertySpec, ...] = ()
        if isinstance(spec, str):
            rtype, orientation, aggregation = spec, "NATURAL", "NONE"
        elif isinstance(spec, Mapping):
            allowed = {"type", "orientation", "aggregation", "properties", "indexInverse"}
            unknown = set(spec) - allowed
            if unknown:
                raise ConfigError(
                    f"config key '{key}': type '{alias}' has unknown keys {sorted(unknown)}; "
                    f"valid keys are {sorted(allowed)}"
                )
            rtype = str(spec.get("type", alias))
            orientation = str(spec.get("orientation", "NATURAL")).upper()
            aggregation = str(spec.get("aggregation", "NONE")).upper()
            if orientation not in ORIENTATIONS:
                raise ConfigError(
                    f"config key '{key}': the orientation of '{alias}' must be one of "
                    f"{list(ORIENTATIONS)}, got {spec.get('orientation')!r}"
                )
            if aggregation not in AGGREGATIONS:
                raise ConfigError(
                    f"config key '{key}': the aggregation of '{alias}' must be one of "
                    f"{list(AGGREGATIONS)}, got {spec.get('aggregation')!r}"
                )
            props = _properties(spec.get("properties"), key=key, relationship=True)
        else:
            raise ConfigError(
                f"config key '{key}': type '{alias}' must map to a type or to {{type, "
                f"orientation, aggregation, properties}}, got {spec!r}"[:200]
            )
        aggregations = {p.aggregation or aggregation for p in props + shared}
        if len(aggregations | {aggregation}) > 1 and "NONE" in aggregations | {aggregation}:
            raise ConfigError(
                f"config key '{key}': type '{alias}' mixes aggregation NONE with merging "
                "aggregations; give every property of a type a merging aggregation, or none"
            )
        out.append(
            RelationshipSpec(
                ALL if rtype == "*" and alias == "*" else alias,
                rtype,
                orientation,
                aggregation,
                props + shared,
            )
        )
    return tuple(out)


# ---------------------------------------------------------------------------- reading
@dataclass
class ProjectReport:
    """What a projection read: nodes, relationships (as GDS counts them), dropped ones."""

    node_count: int = 0
    relationship_count: int = 0
    dropped_relationships: int = 0


def estimate_bytes(node_count: int, arcs: int, node_values: int, arc_values: int) -> int:
    """Bytes of a store with these counts: ids and CSR (8 B each), labels (1 B per node and
    label), properties (8 B per value)."""
    return 8 * (2 * node_count + 1 + arcs + node_values + arc_values)


class ProjectionCounts(NamedTuple):
    """Upper bounds of a native projection, from the count store: nodes, relationships (as
    projected, per entry), bytes, and the relationships its read scans (one pass per stored
    type and property, however many orientations project it)."""

    nodes: int
    relationships: int
    bytes: int
    reads: int


def count_native(
    driver: neo4j.Driver,
    database: str | None,
    nodes: tuple[NodeSpec, ...],
    relationships: tuple[RelationshipSpec, ...],
) -> ProjectionCounts:
    """The :class:`ProjectionCounts` of a native projection, before any read (one count-store
    query per label and per distinct type)."""
    if any(s.label == "*" for s in nodes):
        n = schema.count_nodes(driver, database)
    else:
        n = sum(schema.count_nodes(driver, database, s.label, key="nodeProjection") for s in nodes)
    per_type: dict[str, int] = {}
    for spec in relationships:
        if spec.rtype not in per_type:
            per_type[spec.rtype] = schema.count_relationships(
                driver,
                database,
                None if spec.rtype == "*" else spec.rtype,
                key="relationshipProjection",
            )
    m = arcs = arc_values = 0
    for spec in relationships:
        count = per_type[spec.rtype]
        m += count
        factor = 2 if spec.orientation == "UNDIRECTED" else 1
        arcs += factor * count
        arc_values += factor * count * len(spec.properties)
    passes = {
        (r.rtype, p.key if p else None) for r in relationships for p in r.properties or (None,)
    }
    reads = sum(per_type[rtype] for rtype, _ in passes)
    node_values = n * len({p.name for s in nodes for p in s.properties})
    size = estimate_bytes(n, arcs, node_values, arc_values) + n * len(nodes)
    return ProjectionCounts(n, m, size, reads)


def _node_defaults(nodes: tuple[NodeSpec, ...]) -> dict[str, PropertySpec]:
    out: dict[str, PropertySpec] = {}
    for spec in nodes:
        for prop in spec.properties:
            seen = out.setdefault(prop.name, prop)
            if seen.key != prop.key:
                raise ConfigError(
                    f"config key 'nodeProjection': property '{prop.name}' names two keys, "
                    f"'{seen.key}' and '{prop.key}'"
                )
    return out


def read_native(
    driver: neo4j.Driver,
    database: str | None,
    nodes: tuple[NodeSpec, ...],
    relationships: tuple[RelationshipSpec, ...],
    *,
    concurrency: int = 4,
    on_progress: Callable[[int], None] | None = None,
    cancel: CancelToken | None = None,
) -> tuple[GraphStore, ProjectReport]:
    """Read a native projection into a CPU :class:`GraphStore`. Each relationship type (and
    each of its properties) is read once through :func:`~neo4j_gml.io.read.read_graph`, as
    stored; entries that project it again (another orientation or aggregation, as
    ``{LINKS: ..., LINKS_U: {type: 'LINKS', orientation: 'UNDIRECTED'}}``) are built from that
    read in memory. The node set is the union of the labels. ``O(n + m)`` on the server per
    read, plus one sort per entry."""
    labels = ("*",) if any(s.label == "*" for s in nodes) else tuple(s.label for s in nodes)
    props = _node_defaults(nodes)
    by_key = {p.key: (NAN_IF_MISSING if p.default is None else p.default) for p in props.values()}
    report = ProjectReport()
    sets: dict[str, RelationshipSet] = {}
    raw: dict[tuple[str, str | None, Any], tuple[Graph, ReadReport]] = {}
    node_ids = None
    columns: dict[str, torch.Tensor] = {}

    def read_as_stored(rtype: str, prop: PropertySpec | None) -> tuple[Graph, ReadReport]:
        """The arcs of ``rtype`` (with ``prop``) as stored: NATURAL, not aggregated."""
        nonlocal node_ids, columns
        key = (rtype, None if prop is None else prop.key, None if prop is None else prop.default)
        if key in raw:
            return raw[key]
        if cancel is not None:
            cancel.raise_if_cancelled()
        default = None if prop is None or prop.default is None else float(prop.default)
        projection = Projection(
            node_labels=labels,
            relationship_types=(rtype,),
            weight_property=None if prop is None else prop.key,
            default_weight=default,
            node_properties=by_key if node_ids is None else {},
        )
        graph, read = read_graph(
            driver,
            projection,
            database=database,
            concurrency=concurrency,
            on_progress=on_progress,
            cancel=cancel,
        )
        if node_ids is None:
            node_ids = graph.node_ids
            columns = {name: graph.node_properties[p.key] for name, p in props.items()}
        elif not torch.equal(node_ids, graph.node_ids):
            raise ConfigError("the nodes changed while the graph was projected; project it again")
        raw[key] = (graph, read)
        return graph, read

    if not relationships:
        projection = Projection(node_labels=labels, node_properties=by_key)
        graph, _ = _nodes_only(driver, database, projection, concurrency)
        node_ids = graph.node_ids
        columns = {name: graph.node_properties[p.key] for name, p in props.items()}
    for spec in relationships:
        for prop in spec.properties or (None,):
            stored, read = read_as_stored(spec.rtype, prop)
            aggregation = prop.aggregation if prop and prop.aggregation else spec.aggregation
            if spec.orientation == "NATURAL" and aggregation == "NONE":
                graph = stored
            elif spec.orientation == "UNDIRECTED" and aggregation == "NONE":
                graph = stored.undirected()
            else:
                graph = Graph.from_edges(
                    stored.sources(),
                    stored.indices,
                    stored.weights,
                    num_nodes=stored.num_nodes,
                    node_ids=stored.node_ids,
                    orientation=spec.orientation,
                    aggregation=aggregation,
                )
            known = sets.get(spec.alias)
            if known is None:
                known = sets[spec.alias] = RelationshipSet(
                    graph.indptr, graph.indices, spec.orientation
                )
                report.relationship_count += graph.num_arcs
                report.dropped_relationships += read.dropped_relationships
            elif not torch.equal(known.indices, graph.indices):
                raise ConfigError(
                    f"the relationships of '{spec.alias}' changed while the graph was projected; "
                    "project it again"
                )
            if prop is not None:
                assert graph.weights is not None
                known.properties[prop.name] = graph.weights
    assert node_ids is not None
    masks = {}
    if labels != ("*",):
        for node_spec in nodes:
            if len(nodes) == 1:  # every node read has the one label
                masks[node_spec.alias] = torch.ones(node_ids.numel(), dtype=torch.bool)
                continue
            ids = _label_ids(driver, database, node_spec.label)
            masks[node_spec.alias] = torch.as_tensor(np.isin(node_ids.numpy(), ids))
    report.node_count = int(node_ids.numel())
    return GraphStore(node_ids, masks, columns, sets), report


def _nodes_only(
    driver: neo4j.Driver, database: str | None, projection: Projection, concurrency: int
) -> tuple[Graph, ReadReport]:
    """The node set alone (a projection without relationships)."""
    labels, types, keys = _existing(driver, database)
    names = Projection(
        node_labels=projection.node_labels, node_properties=projection.node_properties
    )
    _check_names(names, labels, types, keys)
    node_ids, columns = _read_nodes(driver, database, projection)
    graph = Graph.from_edges(
        [], [], num_nodes=node_ids.size, node_ids=node_ids, node_properties=columns
    )
    return graph, ReadReport(node_count=node_ids.size)


def _label_ids(driver: neo4j.Driver, database: str | None, label: str) -> np.ndarray:
    records, _, _ = driver.execute_query(
        f"MATCH (n:{quote(label, key='nodeProjection')}) RETURN collect(id(n)) AS ids",
        database_=database,
        routing_=neo4j.RoutingControl.READ,
    )
    return np.asarray(records[0]["ids"], dtype=np.int64)


def _numeric_columns(
    records: list[Any], columns: list[str], skip: set[str], *, key: str
) -> dict[str, np.ndarray]:
    """Columns of numbers (or lists of numbers) as properties; a null is NaN. Columns of other
    values (names, maps) are left out."""
    out = {}
    for column in columns:
        if column in skip:
            continue
        raw = [r[column] for r in records]
        present = [v for v in raw if v is not None]
        if any(not isinstance(v, int | float | list) or isinstance(v, bool) for v in present):
            continue
        missing = np.asarray([v is None for v in raw], dtype=bool)
        out[column] = _property_column(present, missing, NAN_IF_MISSING, name=column)
    return out


def read_cypher(
    driver: neo4j.Driver,
    database: str | None,
    node_query: str,
    relationship_query: str,
    parameters: Mapping[str, Any] | None = None,
) -> tuple[GraphStore, ProjectReport]:
    """Run a Cypher projection read-only into a CPU :class:`GraphStore` (see the module doc).
    Relationships whose ends are not nodes of ``nodeQuery`` are dropped and counted."""
    records, keys = run_user_query(driver, database, node_query, parameters, key="nodeQuery")
    if "id" not in keys:
        raise ConfigError(f"config key 'nodeQuery' must return a column `id`; it returns {keys}")
    ids = id_column([r["id"] for r in records], key="nodeQuery", column="id")
    node_ids, first = np.unique(ids, return_index=True)
    kept = [records[j] for j in first]
    props = _numeric_columns(kept, keys, {"id", "labels"}, key="nodeQuery")
    masks: dict[str, torch.Tensor] = {}
    if "labels" in keys:
        for j, record in enumerate(kept):
            value = record["labels"]
            names = [value] if isinstance(value, str) else value
            if not isinstance(names, list) or not all(isinstance(x, str) for x in names):
                raise ConfigError(
                    "config key 'nodeQuery': column `labels` must hold strings or lists of "
                    f"strings, found {value!r}"[:200]
                )
            for name in names:
                masks.setdefault(name, torch.zeros(len(kept), dtype=torch.bool))[j] = True
    rel_records, rel_keys = run_user_query(
        driver, database, relationship_query, parameters, key="relationshipQuery"
    )
    for needed in ("source", "target"):
        if needed not in rel_keys:
            raise ConfigError(
                "config key 'relationshipQuery' must return columns `source` and `target`; "
                f"it returns {rel_keys}"
            )
    src_ids = id_column(
        [r["source"] for r in rel_records], key="relationshipQuery", column="source"
    )
    dst_ids = id_column(
        [r["target"] for r in rel_records], key="relationshipQuery", column="target"
    )
    rel_props = {}
    for column in rel_keys:
        if column in ("source", "target", "type"):
            continue
        raw = [r[column] for r in rel_records]
        rel_props[column] = _to_float_array(
            [math.nan if v is None else v for v in raw], key="relationshipQuery", name=column
        )
    types = (
        np.asarray([str(r["type"]) for r in rel_records], dtype=object)
        if "type" in rel_keys
        else np.full(len(rel_records), ALL, dtype=object)
    )
    src, dst, inside = _positions(node_ids, src_ids, dst_ids)
    report = ProjectReport(
        node_count=int(node_ids.size), dropped_relationships=int((~inside).sum())
    )
    per_type = {}
    for rtype in dict.fromkeys(types[inside].tolist()):
        pick = inside & (types == rtype)
        per_type[str(rtype)] = (
            torch.as_tensor(src[pick]),
            torch.as_tensor(dst[pick]),
            {k: torch.as_tensor(v[pick]) for k, v in rel_props.items()},
        )
        report.relationship_count += int(pick.sum())
    store = GraphStore.from_relationships(
        torch.as_tensor(node_ids),
        per_type,
        labels=masks,
        node_properties={k: torch.as_tensor(v) for k, v in props.items()},
    )
    return store, report


def store_from_columns(
    node_ids: list[int],
    node_labels: list[list[str]] | None,
    node_properties: Mapping[str, list[Any]],
    sources: list[int],
    targets: list[int],
    types: list[str] | None,
    relationship_properties: Mapping[str, list[Any]],
    undirected_types: list[str],
) -> tuple[GraphStore, ProjectReport]:
    """A :class:`GraphStore` from columns: nodes (with labels and properties, ``None`` for a
    missing value, read as NaN) and relationships (``source[i] -> target[i]`` of ``types[i]``,
    ``__ALL__`` without types, with properties). A relationship's ends are nodes even when the
    node columns leave them out. ``undirected_types`` (``'*'``: all) are ``UNDIRECTED``.
    Raises :class:`ConfigError` naming the column that is wrong."""
    n_rows, m = len(node_ids), len(sources)
    if len(targets) != m or (types is not None and len(types) != m):
        raise ConfigError("config keys 'sourceIds', 'targetIds' and 'types' need equal lengths")
    if node_labels is not None and len(node_labels) != n_rows:
        raise ConfigError("config key 'nodeLabels' needs one list of labels per node id")
    for name, column in node_properties.items():
        if len(column) != n_rows:
            raise ConfigError(
                f"config key 'nodeProperties': column '{name}' needs one value per node id"
            )
    for name, column in relationship_properties.items():
        if len(column) != m:
            raise ConfigError(
                f"config key 'relationshipProperties': column '{name}' needs one value per "
                "relationship"
            )
    given = id_column(list(node_ids), key="nodeIds", column="nodeIds")
    src_ids = id_column(list(sources), key="sourceIds", column="sourceIds")
    dst_ids = id_column(list(targets), key="targetIds", column="targetIds")
    all_ids = np.unique(np.concatenate([given, src_ids, dst_ids]))
    n = all_ids.size
    # node columns: the rows given for each id (the first one), NaN for ids only in relationships
    at = np.searchsorted(all_ids, given)
    masks: dict[str, torch.Tensor] = {}
    for row, labels in enumerate(node_labels or []):
        for label in labels or []:
            if not isinstance(label, str):
                raise ConfigError(f"config key 'nodeLabels': labels are strings, got {label!r}")
            masks.setdefault(label, torch.zeros(n, dtype=torch.bool))[int(at[row])] = True
    props: dict[str, torch.Tensor] = {}
    for name, values in node_properties.items():
        full: list[Any] = [None] * n
        for row, value in enumerate(values):
            if full[int(at[row])] is None:
                full[int(at[row])] = value
        missing = np.asarray([v is None for v in full], dtype=bool)
        present = [v for v in full if v is not None]
        props[name] = torch.as_tensor(_property_column(present, missing, NAN_IF_MISSING, name=name))
    src = np.searchsorted(all_ids, src_ids)
    dst = np.searchsorted(all_ids, dst_ids)
    kinds = np.asarray(types if types is not None else [ALL] * m, dtype=object)
    rel_values = {
        name: _to_float_array(
            [math.nan if v is None else v for v in values], key="relationshipProperties", name=name
        )
        for name, values in relationship_properties.items()
    }
    per_type = {}
    for rtype in dict.fromkeys(kinds.tolist()):
        if not isinstance(rtype, str):
            raise ConfigError(f"config key 'types': a relationship type is a string, got {rtype!r}")
        pick = kinds == rtype
        per_type[rtype] = (
            torch.as_tensor(src[pick]),
            torch.as_tensor(dst[pick]),
            {  # a type has the properties some of its relationships have
                k: torch.as_tensor(v[pick])
                for k, v in rel_values.items()
                if not np.isnan(v[pick]).all()
            },
        )
    undirected = set(per_type) if "*" in undirected_types else set(undirected_types)
    store = GraphStore.from_relationships(
        torch.as_tensor(all_ids),
        per_type,
        labels=masks,
        node_properties=props,
        orientations={t: "UNDIRECTED" for t in per_type if t in undirected},
    )
    report = ProjectReport(node_count=n, relationship_count=store.num_relationships())
    return store, report
