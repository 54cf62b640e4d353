"""The graph catalog's operations: ``gml.graph.project``, ``list``, ``drop``, ``filter`` and the
property streams and writes, with GDS's arguments and columns.

Each is a registry procedure whose ``arguments`` are its leading Cypher arguments
(``gml.graph.project(graphName, nodeProjection, relationshipProjection, configuration)``); from
Python, the CLI or HTTP they are config keys like any other. They read the call's context
(:mod:`neo4j_gml.procedures.context`): the caller (a graph belongs to a database and a user; an
admin sees everyone's) and a Neo4j driver where they read or write the database.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph, resolve_device
from neo4j_gml.io.project import (
    count_native,
    estimate_bytes,
    parse_node_projection,
    parse_relationship_projection,
    read_cypher,
    read_native,
    store_from_columns,
)
from neo4j_gml.io.schema import count_query_rows, database_names
from neo4j_gml.io.write import write_node_properties, write_relationships
from neo4j_gml.procedures import graph_filter
from neo4j_gml.procedures.catalog import CatalogEntry
from neo4j_gml.procedures.config import REQUIRED
from neo4j_gml.procedures.context import CallContext, current
from neo4j_gml.procedures.estimate import MemoryEstimate, human_bytes
from neo4j_gml.procedures.registry import Procedure, Rows, register
from neo4j_gml.procedures.spec import RunConfig, option
from neo4j_gml.procedures.summary import ESTIMATE_COLUMNS

spec = dataclass(frozen=True, kw_only=True, eq=False)

_INFO_COLUMNS = {
    "graphName": "str",
    "database": "str",
    "user": "str",
    "nodeCount": "int",
    "relationshipCount": "int",
    "schema": "map",
    "schemaWithOrientation": "map",
    "configuration": "map",
    "memoryUsage": "str",
    "sizeInBytes": "int",
    "density": "float",
    "degreeDistribution": "map",
    "creationTime": "str",
    "modificationTime": "str",
    "projectMillis": "int",
    "device": "str",
    "origin": "str",
}


def _rows(rows: list[dict[str, Any]], columns: dict[str, str]) -> Rows:
    return Rows({c: [r.get(c) for r in rows] for c in columns})


def _graph_name(value: str) -> str | None:
    if not value.strip():
        return "must be a non-empty name"
    return None


def _entry(ctx: CallContext, name: str) -> CatalogEntry:
    return ctx.catalog.get(name, ctx.user, ctx.catalog_database, ctx.admin)


def _forget_dropped_databases(ctx: CallContext) -> None:
    """Drop the graphs of databases that no longer exist (Neo4j's ``SHOW DATABASES``), when
    the call has a connection (a listing in a Python session without Neo4j needs none)."""
    if not ctx.connected:
        return
    names = database_names(ctx.driver())
    if names is not None:
        ctx.catalog.forget_databases(names)


def _operation(
    *,
    modes: tuple[str, ...] = ("stream",),
    bare_mode: str | None = "stream",
    **fields: Any,
) -> None:
    """Register a catalog operation: rows in every mode, no projection of its own, and by
    default one mode callable as plain ``gml.<name>``."""
    register(
        Procedure(
            category="catalog",
            result="rows",
            reads_graph=False,
            weighted=False,
            modes=modes,
            bare_mode=bare_mode,
            **fields,
        )
    )


# ---------------------------------------------------------------------------- project
@spec
class NativeProjectionConfig(RunConfig):
    node_projection: Any = option(
        "nodeProjection", REQUIRED, "labels: 'L', ['L', ...], '*' or {alias: {label, properties}}"
    )
    relationship_projection: Any = option(
        "relationshipProjection",
        REQUIRED,
        "types: 'T', ['T', ...], '*' or {alias: {type, orientation, aggregation, properties}}",
    )
    node_properties: Any = option("nodeProperties", None, "node properties of every label")
    relationship_properties: Any = option(
        "relationshipProperties", None, "relationship properties of every type"
    )
    read_concurrency: int | None = option(
        "readConcurrency", None, "reader threads (default: concurrency)", min=1, max=64
    )

    def check(self, mode: str) -> None:
        super().check(mode)
        self.specs()

    def specs(self) -> tuple[Any, Any]:
        nodes = parse_node_projection(self.node_projection, self.node_properties)
        rels = parse_relationship_projection(
            self.relationship_projection, self.relationship_properties
        )
        return nodes, rels


@spec
class ProjectConfig(NativeProjectionConfig):
    graph_name: str = option("graphName", REQUIRED, "name of the graph", check=_graph_name)


_PROJECT_COLUMNS = {
    "nodeProjection": "map",
    "relationshipProjection": "map",
    "graphName": "str",
    "nodeCount": "int",
    "relationshipCount": "int",
    "projectMillis": "int",
    "droppedRelationshipCount": "int",
    "memoryUsage": "str",
    "sizeInBytes": "int",
    "device": "str",
}


def _spec_map(specs: tuple[Any, ...], kind: str) -> dict[str, Any]:
    out = {}
    for s in specs:
        props = {p.name: {"property": p.key, "defaultValue": p.default} for p in s.properties}
        if kind == "node":
            out[s.alias] = {"label": s.label, "properties": props}
        else:
            for p, ps in zip(s.properties, props.values(), strict=True):
                ps["aggregation"] = p.aggregation or s.aggregation
            out[s.alias] = {
                "type": s.rtype,
                "orientation": s.orientation,
                "aggregation": s.aggregation,
                "properties": props,
            }
    return out


def _estimate_row(nodes: int, rels: int, need: int, device: torch.device) -> dict[str, Any]:
    return MemoryEstimate(nodes, rels, need, 0, 0).as_row(device)


def _store(
    ctx: CallContext,
    cfg: RunConfig,
    name: str,
    origin: str,
    projection: dict[str, Any],
    read: Any,
    need: int,
) -> dict[str, Any]:
    """Check room for ``need`` bytes, read (``read()`` -> store, report), move to the device,
    file the graph; its row."""
    device = resolve_device(cfg.device)
    ctx.catalog.check_room(need, device, f"gml.graph.{origin}('{name}')")
    if ctx.catalog.find(name, ctx.user, ctx.catalog_database) is not None:
        raise ConfigError(
            f"config key 'graphName': a graph named '{name}' exists already in database "
            f"'{ctx.catalog_database}'; drop it first (gml.graph.drop)"
        )
    started = time.perf_counter()
    ctx.job.enter("read")
    store, report = read()
    store = store.to(device)
    millis = int((time.perf_counter() - started) * 1000)
    entry = CatalogEntry(
        name, ctx.catalog_database, ctx.user or "", store, origin, projection, millis
    )
    ctx.catalog.put(entry)
    return {
        "graphName": name,
        "nodeCount": store.num_nodes,
        "relationshipCount": store.num_relationships(),
        "projectMillis": millis,
        "droppedRelationshipCount": report.dropped_relationships,
        "memoryUsage": human_bytes(store.nbytes()),
        "sizeInBytes": store.nbytes(),
        "device": str(store.device),
    }


def _project_estimate(_graph: Graph, cfg: NativeProjectionConfig) -> Rows:
    ctx = current()
    nodes, rels = cfg.specs()
    n, m, need, _ = count_native(ctx.driver(), ctx.database, nodes, rels)
    return _rows([_estimate_row(n, m, need, resolve_device(cfg.device))], ESTIMATE_COLUMNS)


def _project(_graph: Graph, cfg: ProjectConfig) -> Rows:
    ctx = current()
    nodes, rels = cfg.specs()
    driver = ctx.driver()
    counts = count_native(driver, ctx.database, nodes, rels)
    _forget_dropped_databases(ctx)
    ctx.job.expect_reads(counts.reads)  # progress of the read phase
    shown = {
        "nodeProjection": _spec_map(nodes, "node"),
        "relationshipProjection": _spec_map(rels, "relationship"),
    }

    def read() -> Any:
        return read_native(
            driver,
            ctx.database,
            nodes,
            rels,
            concurrency=cfg.read_concurrency or cfg.concurrency,
            on_progress=ctx.job.add_read,
            cancel=ctx.job.token,
        )

    row = _store(ctx, cfg, cfg.graph_name, "native", shown, read, counts.bytes)
    return _rows([{**shown, **row}], _PROJECT_COLUMNS)


_operation(
    name="graph.project",
    description="Project a named in-memory graph (GDS's native projection): labels, types, "
    "orientation, properties with defaultValue and aggregation.",
    arguments=("graphName", "nodeProjection", "relationshipProjection"),
    config=ProjectConfig,
    rows_columns=_PROJECT_COLUMNS,
    compute=_project,
)

_operation(
    name="graph.project.estimate",
    description="The memory a native projection would take (counted from Neo4j's count "
    "store, nothing read); gml.graph.project refuses one that passes the catalog's limit.",
    arguments=("nodeProjection", "relationshipProjection"),
    config=NativeProjectionConfig,
    rows_columns=ESTIMATE_COLUMNS,
    compute=_project_estimate,
)


@spec
class CypherProjectionConfig(RunConfig):
    node_query: str = option("nodeQuery", REQUIRED, "Cypher returning id [, labels, properties]")
    relationship_query: str = option(
        "relationshipQuery", REQUIRED, "Cypher returning source, target [, type, properties]"
    )
    parameters: dict[str, Any] = option("parameters", {}, "parameters of both queries")
    validate_relationships: bool = option(
        "validateRelationships",
        False,
        "fail when a relationship's end is not a node of nodeQuery (else it is dropped)",
    )


@spec
class ProjectCypherConfig(CypherProjectionConfig):
    graph_name: str = option("graphName", REQUIRED, "name of the graph", check=_graph_name)


_CYPHER_COLUMNS = {
    "nodeQuery": "str",
    "relationshipQuery": "str",
    **{k: v for k, v in _PROJECT_COLUMNS.items() if not k.endswith("Projection")},
}


def _project_cypher_estimate(_graph: Graph, cfg: CypherProjectionConfig) -> Rows:
    ctx = current()
    driver = ctx.driver()
    n = count_query_rows(driver, ctx.database, cfg.node_query, cfg.parameters)
    m = count_query_rows(
        driver, ctx.database, cfg.relationship_query, cfg.parameters, key="relationshipQuery"
    )
    need = estimate_bytes(n, m, 0, 0)
    return _rows([_estimate_row(n, m, need, resolve_device(cfg.device))], ESTIMATE_COLUMNS)


def _project_cypher(_graph: Graph, cfg: ProjectCypherConfig) -> Rows:
    ctx = current()
    driver = ctx.driver()
    _forget_dropped_databases(ctx)
    shown = {"nodeQuery": cfg.node_query, "relationshipQuery": cfg.relationship_query}

    def read() -> Any:
        store, report = read_cypher(
            driver, ctx.database, cfg.node_query, cfg.relationship_query, cfg.parameters
        )
        if cfg.validate_relationships and report.dropped_relationships:
            raise ConfigError(
                f"config key 'relationshipQuery': {report.dropped_relationships} relationships "
                "have an end that nodeQuery does not return (validateRelationships: true)"
            )
        return store, report

    row = _store(ctx, cfg, cfg.graph_name, "cypher", dict(shown), read, 0)
    return _rows([{**shown, **row}], _CYPHER_COLUMNS)


_operation(
    name="graph.project.cypher",
    description="Project a named in-memory graph from a node query and a relationship "
    "query (read-only, with parameters).",
    arguments=("graphName", "nodeQuery", "relationshipQuery"),
    config=ProjectCypherConfig,
    rows_columns=_CYPHER_COLUMNS,
    compute=_project_cypher,
)

_operation(
    name="graph.project.cypher.estimate",
    description="The memory a Cypher projection would take (its queries counted, read-only).",
    arguments=("nodeQuery", "relationshipQuery"),
    config=CypherProjectionConfig,
    rows_columns=ESTIMATE_COLUMNS,
    compute=_project_cypher_estimate,
)


@spec
class ColumnsConfig(RunConfig):
    graph_name: str = option("graphName", REQUIRED, "name of the graph", check=_graph_name)
    node_ids: list[int] = option("nodeIds", [], "Neo4j ids of the nodes")
    node_labels: Any = option("nodeLabels", None, "per node id, its list of labels")
    node_properties: dict[str, Any] = option(
        "nodeProperties", {}, "property -> one value per node id (null: none)"
    )
    source_ids: list[int] = option("sourceIds", [], "Neo4j id of each relationship's source")
    target_ids: list[int] = option("targetIds", [], "Neo4j id of each relationship's target")
    types: Any = option("types", None, "per relationship, its type (default: __ALL__)")
    relationship_properties: dict[str, Any] = option(
        "relationshipProperties", {}, "property -> one value per relationship (null: none)"
    )
    undirected_relationship_types: list[str] = option(
        "undirectedRelationshipTypes", [], "types projected UNDIRECTED ('*': all)"
    )
    query: str | None = option("query", None, "the Cypher query the columns came from (shown)")
    inverse_indexed_relationship_types: list[str] = option(
        "inverseIndexedRelationshipTypes",
        [],
        "accepted for GDS compatibility; no effect (a view is built in either direction)",
    )
    read_concurrency: int | None = option(
        "readConcurrency", None, "accepted for GDS compatibility; no effect", min=1, max=64
    )


_COLUMNS_COLUMNS = {
    "graphName": "str",
    "nodeCount": "int",
    "relationshipCount": "int",
    "projectMillis": "int",
    "configuration": "map",
    "query": "str",
    "memoryUsage": "str",
    "sizeInBytes": "int",
    "device": "str",
}


def _project_columns(_graph: Graph, cfg: ColumnsConfig) -> Rows:
    ctx = current()
    need = estimate_bytes(len(cfg.node_ids), 2 * len(cfg.source_ids), 0, 0)
    shown = {
        "undirectedRelationshipTypes": cfg.undirected_relationship_types,
        "nodeProperties": sorted(cfg.node_properties),
        "relationshipProperties": sorted(cfg.relationship_properties),
    }

    def read() -> Any:
        return store_from_columns(
            cfg.node_ids,
            cfg.node_labels,
            cfg.node_properties,
            cfg.source_ids,
            cfg.target_ids,
            cfg.types,
            cfg.relationship_properties,
            cfg.undirected_relationship_types,
        )

    row = _store(ctx, cfg, cfg.graph_name, "aggregation", shown, read, need)
    return _rows([{**row, "configuration": shown, "query": cfg.query}], _COLUMNS_COLUMNS)


_operation(
    name="graph.project.columns",
    description="Project a named graph from columns of node ids (labels, properties) and "
    "relationships (types, properties): what the gml.graph.project aggregation function "
    "(GDS 2.x's Cypher projection, RETURN gml.graph.project('g', source, target, {...})) "
    "sends.",
    arguments=("graphName",),
    config=ColumnsConfig,
    rows_columns=_COLUMNS_COLUMNS,
    compute=_project_columns,
)


# ---------------------------------------------------------------------------- list, exists, drop
@spec
class ListConfig(RunConfig):
    graph_name: str | None = option("graphName", None, "list only this graph")


def _list(_graph: Graph, cfg: ListConfig) -> Rows:
    ctx = current()
    _forget_dropped_databases(ctx)
    entries = ctx.catalog.entries(ctx.user, ctx.catalog_database, ctx.admin)
    if cfg.graph_name is not None:
        entries = [e for e in entries if e.name == cfg.graph_name]
    return _rows([e.describe() for e in entries], _INFO_COLUMNS)


_operation(
    name="graph.list",
    description="The named graphs you hold (an admin: everyone's), with counts, schema, "
    "memory and device. The catalog does not survive a service restart.",
    arguments=("graphName",),
    config=ListConfig,
    rows_columns=_INFO_COLUMNS,
    compute=_list,
)


@spec
class NameConfig(RunConfig):
    graph_name: str = option("graphName", REQUIRED, "name of the graph")


def _exists(_graph: Graph, cfg: NameConfig) -> Rows:
    ctx = current()
    found = ctx.catalog.find(cfg.graph_name, ctx.user, ctx.catalog_database, ctx.admin)
    return Rows({"graphName": [cfg.graph_name], "exists": [found is not None]})


_operation(
    name="graph.exists",
    description="Whether you hold a named graph of this name.",
    arguments=("graphName",),
    config=NameConfig,
    rows_columns={"graphName": "str", "exists": "bool"},
    compute=_exists,
)


@spec
class DropConfig(RunConfig):
    graph_name: str = option("graphName", REQUIRED, "name of the graph")
    fail_if_missing: bool = option("failIfMissing", True, "error when there is no such graph")
    db_name: str = option("dbName", "", "database of the graph (default: the current one)")
    username: str = option("username", "", "owner of the graph (admins only)")


def _drop(_graph: Graph, cfg: DropConfig) -> Rows:
    ctx = current()
    database = cfg.db_name or ctx.catalog_database
    user = ctx.user
    if cfg.username:
        if not ctx.admin and cfg.username != (ctx.user or ""):
            raise ConfigError("config key 'username': only an admin may drop another user's graph")
        user = cfg.username
    entry = ctx.catalog.drop(cfg.graph_name, user, database, ctx.admin and not cfg.username)
    if entry is None:
        if cfg.fail_if_missing:
            ctx.catalog.get(cfg.graph_name, user, database, ctx.admin)  # raises, saying why
        return _rows([], _INFO_COLUMNS)
    return _rows([entry.describe()], _INFO_COLUMNS)


_operation(
    name="graph.drop",
    description="Drop a named graph and free its memory; yields what it was.",
    arguments=("graphName", "failIfMissing", "dbName", "username"),
    config=DropConfig,
    rows_columns=_INFO_COLUMNS,
    compute=_drop,
)


# ---------------------------------------------------------------------------- filter
@spec
class FilterConfig(RunConfig):
    graph_name: str = option("graphName", REQUIRED, "name of the new graph", check=_graph_name)
    from_graph_name: str = option("fromGraphName", REQUIRED, "the graph to filter")
    node_filter: str = option("nodeFilter", "*", "predicate on n: labels, properties")
    relationship_filter: str = option(
        "relationshipFilter", "*", "predicate on r: types, properties"
    )


_FILTER_COLUMNS = {
    "graphName": "str",
    "fromGraphName": "str",
    "nodeFilter": "str",
    "relationshipFilter": "str",
    "nodeCount": "int",
    "relationshipCount": "int",
    "projectMillis": "int",
}


def _filter(_graph: Graph, cfg: FilterConfig) -> Rows:
    ctx = current()
    source = _entry(ctx, cfg.from_graph_name)
    started = time.perf_counter()
    store = source.store
    nodes = graph_filter.node_mask(
        cfg.node_filter, store.labels, store.node_properties, store.num_nodes
    )
    types = list(store.relationships)
    rel_masks = {
        rtype: graph_filter.relationship_mask(
            cfg.relationship_filter, rtype, types, rel.properties, rel.num_arcs
        )
        for rtype, rel in store.relationships.items()
    }
    sub = store.subgraph(nodes, rel_masks)
    millis = int((time.perf_counter() - started) * 1000)
    shown = {
        "fromGraphName": source.name,
        "nodeFilter": cfg.node_filter,
        "relationshipFilter": cfg.relationship_filter,
    }
    entry = CatalogEntry(
        cfg.graph_name, ctx.catalog_database, ctx.user or "", sub, "filter", shown, millis
    )
    ctx.catalog.put(entry)
    row = {
        "graphName": cfg.graph_name,
        **shown,
        "nodeCount": sub.num_nodes,
        "relationshipCount": sub.num_relationships(),
        "projectMillis": millis,
    }
    return _rows([row], _FILTER_COLUMNS)


_operation(
    name="graph.filter",
    description="A new named graph: the nodes and relationships of another that pass "
    "filter predicates (labels, types, property comparisons).",
    arguments=("graphName", "fromGraphName", "nodeFilter", "relationshipFilter"),
    config=FilterConfig,
    rows_columns=_FILTER_COLUMNS,
    compute=_filter,
)


# ---------------------------------------------------------------------------- node properties
def _names(value: Any, key: str) -> list[str]:
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise ConfigError(f"config key '{key}' must be a name or a non-empty list of names")
    return names


@spec
class NodePropertiesConfig(RunConfig):
    graph_name: str = option("graphName", REQUIRED, "name of the graph")
    node_properties: Any = option("nodeProperties", REQUIRED, "a node property or a list")
    node_labels: Any = option("nodeLabels", ["*"], "only nodes with these labels")
    list_node_labels: bool = option("listNodeLabels", False, "stream: also yield nodeLabels")

    def check(self, mode: str) -> None:
        super().check(mode)
        _names(self.node_properties, "nodeProperties")
        _names(self.node_labels, "nodeLabels")


def _select(ctx: CallContext, cfg: Any, key: str) -> tuple[CatalogEntry, list[str], Any]:
    entry = _entry(ctx, cfg.graph_name)
    names = _names(cfg[key], key)
    for name in names:
        if name not in entry.store.node_properties:
            raise ConfigError(
                f"config key '{key}': the graph '{entry.name}' has no node property '{name}'; "
                f"its node properties: {sorted(entry.store.node_properties) or 'none'}"
            )
    return entry, names, entry.store.positions(_names(cfg.node_labels, "nodeLabels"))


def _node_properties(_graph: Graph, cfg: NodePropertiesConfig) -> Rows:
    ctx = current()
    entry, names, positions = _select(ctx, cfg, "nodeProperties")
    store = entry.store
    if ctx.mode == "drop":
        with entry.lock:
            for name in names:
                store.node_properties.pop(name, None)
                store.list_properties.discard(name)
            entry.touch()
        return Rows(
            {
                "graphName": [entry.name],
                "nodeProperties": [names],
                "propertiesRemoved": [len(names) * store.num_nodes],
            }
        )
    ids = store.node_ids if positions is None else store.node_ids[positions]
    if ctx.mode == "write":
        return _write_node_properties(ctx, cfg, entry, names, positions, ids)
    id_list = ids.cpu().tolist()
    node_col: list[int] = []
    name_col: list[str] = []
    value_col: list[Any] = []
    labels_col: list[list[str]] = []
    label_lists = _label_lists(entry, positions) if cfg.list_node_labels else None
    for name in names:
        node_col += id_list
        name_col += [name] * len(id_list)
        value_col += store.property_values(name, positions)
        if label_lists is not None:
            labels_col += label_lists
    columns: dict[str, list[Any]] = {
        "nodeId": node_col,
        "nodeProperty": name_col,
        "propertyValue": value_col,
    }
    if label_lists is not None:
        columns["nodeLabels"] = labels_col
    return Rows(columns)


def _label_lists(entry: CatalogEntry, positions: Any) -> list[list[str]]:
    store = entry.store
    masks = {k: (v if positions is None else v[positions]).cpu() for k, v in store.labels.items()}
    n = store.num_nodes if positions is None else int(positions.numel())
    return [[k for k, m in masks.items() if bool(m[i])] for i in range(n)]


def _write_node_properties(
    ctx: CallContext,
    cfg: NodePropertiesConfig,
    entry: CatalogEntry,
    names: list[str],
    positions: Any,
    ids: torch.Tensor,
) -> Rows:
    started = time.perf_counter()
    store = entry.store
    written = 0
    columns = {}
    for name in names:
        if name in store.list_properties:  # lists of different lengths: plain Cypher lists
            continue
        column = store.node_properties[name]
        columns[name] = column if positions is None else column[positions]
    whole: dict[str, Any] = {k: v for k, v in columns.items() if _has_all(v)}
    whole |= {k: store.property_values(k, positions) for k in names if k in store.list_properties}
    partial = {k: v for k, v in columns.items() if k not in whole}
    total = int(ids.numel()) * len(names)
    ctx.job.enter("write", total)
    writes: list[tuple[torch.Tensor, dict[str, Any]]] = [(ids, whole)] if whole else []
    for name, column in partial.items():  # nodes without a value get none written
        keep = _finite_rows(column)
        writes.append((ids[keep.to(ids.device)], {name: column[keep]}))
    for at, props in writes:
        report = write_node_properties(
            ctx.driver(),
            at,
            props,
            database=ctx.database,
            batch_size=cfg.batch_size,
            concurrency=cfg.write_concurrency or cfg.concurrency,
            on_progress=ctx.job.add_written,
            cancel=ctx.job.token,
        )
        written += report.properties
    return Rows(
        {
            "writeMillis": [int((time.perf_counter() - started) * 1000)],
            "graphName": [entry.name],
            "nodeProperties": [names],
            "propertiesWritten": [written],
        }
    )


def _finite_rows(column: torch.Tensor) -> torch.Tensor:
    if not column.is_floating_point():
        return torch.ones(column.shape[0], dtype=torch.bool, device=column.device)
    finite = torch.isfinite(column)
    return finite if finite.ndim == 1 else finite.all(dim=1)


def _has_all(column: torch.Tensor) -> bool:
    return bool(_finite_rows(column).all().item())


_operation(
    name="graph.nodeProperties",
    description="Node properties of a named graph (projected or added by mutate): stream "
    "them, write them to Neo4j, or drop them from the graph.",
    modes=("stream", "write", "drop"),
    bare_mode=None,
    arguments=("graphName", "nodeProperties", "nodeLabels"),
    config=NodePropertiesConfig,
    rows_columns={
        "nodeId": "int",
        "nodeProperty": "str",
        "propertyValue": "any",
        "nodeLabels": "list",
    },
    mode_columns={
        "write": {
            "writeMillis": "int",
            "graphName": "str",
            "nodeProperties": "list",
            "propertiesWritten": "int",
        },
        "drop": {"graphName": "str", "nodeProperties": "list", "propertiesRemoved": "int"},
    },
    compute=_node_properties,
)


@spec
class NodePropertyConfig(RunConfig):
    graph_name: str = option("graphName", REQUIRED, "name of the graph")
    node_property: str = option("nodeProperty", REQUIRED, "the node property")
    node_labels: Any = option("nodeLabels", ["*"], "only nodes with these labels")


def _node_property(_graph: Graph, cfg: NodePropertyConfig) -> Rows:
    ctx = current()
    entry, names, positions = _select(ctx, cfg, "nodeProperty")
    store = entry.store
    ids = store.node_ids if positions is None else store.node_ids[positions]
    return Rows(
        {"nodeId": ids.cpu().tolist(), "propertyValue": store.property_values(names[0], positions)}
    )


_operation(
    name="graph.nodeProperty",
    description="One node property of a named graph, per node.",
    modes=("stream",),
    bare_mode=None,
    arguments=("graphName", "nodeProperty", "nodeLabels"),
    config=NodePropertyConfig,
    rows_columns={"nodeId": "int", "propertyValue": "any"},
    compute=_node_property,
)


# ---------------------------------------------------------------------------- relationships
@spec
class RelationshipsConfig(RunConfig):
    graph_name: str = option("graphName", REQUIRED, "name of the graph")
    relationship_types: Any = option("relationshipTypes", ["*"], "types (drop: one type)")


def _arcs(entry: CatalogEntry, rtype: str) -> tuple[np.ndarray, np.ndarray]:
    rel = entry.store.relationships[rtype]
    ids = entry.store.node_ids
    return ids[rel.sources()].cpu().numpy(), ids[rel.indices].cpu().numpy()


def _relationships(_graph: Graph, cfg: RelationshipsConfig) -> Rows:
    ctx = current()
    entry = _entry(ctx, cfg.graph_name)
    types = entry.store.relationship_types(_names(cfg.relationship_types, "relationshipTypes"))
    if ctx.mode == "drop":
        if len(types) != 1 or "*" in _names(cfg.relationship_types, "relationshipTypes"):
            raise ConfigError("config key 'relationshipTypes': drop one relationship type")
        with entry.lock:
            rel = entry.store.relationships.pop(types[0])
            entry.touch()
        return Rows(
            {
                "graphName": [entry.name],
                "relationshipType": [types[0]],
                "deletedRelationships": [rel.num_relationships],
                "deletedProperties": [{k: rel.num_relationships for k in rel.properties}],
            }
        )
    src, dst, kinds = [], [], []
    for rtype in types:
        a, b = _arcs(entry, rtype)
        src.append(a)
        dst.append(b)
        kinds += [rtype] * a.size
    return Rows(
        {
            "sourceNodeId": np.concatenate(src).tolist() if src else [],
            "targetNodeId": np.concatenate(dst).tolist() if dst else [],
            "relationshipType": kinds,
        }
    )


_operation(
    name="graph.relationships",
    description="Relationships of a named graph: stream them, or drop a type from the graph.",
    modes=("stream", "drop"),
    bare_mode=None,
    arguments=("graphName", "relationshipTypes"),
    config=RelationshipsConfig,
    rows_columns={"sourceNodeId": "int", "targetNodeId": "int", "relationshipType": "str"},
    mode_columns={
        "drop": {
            "graphName": "str",
            "relationshipType": "str",
            "deletedRelationships": "int",
            "deletedProperties": "map",
        }
    },
    compute=_relationships,
)


@spec
class RelationshipPropertiesConfig(RunConfig):
    graph_name: str = option("graphName", REQUIRED, "name of the graph")
    relationship_properties: Any = option("relationshipProperties", REQUIRED, "properties")
    relationship_types: Any = option("relationshipTypes", ["*"], "types")


def _relationship_properties(_graph: Graph, cfg: RelationshipPropertiesConfig) -> Rows:
    ctx = current()
    entry = _entry(ctx, cfg.graph_name)
    names = _names(cfg.relationship_properties, "relationshipProperties")
    types = entry.store.relationship_types(_names(cfg.relationship_types, "relationshipTypes"))
    cols: dict[str, list[Any]] = {
        "sourceNodeId": [],
        "targetNodeId": [],
        "relationshipType": [],
        "relationshipProperty": [],
        "propertyValue": [],
    }
    for rtype in types:
        rel = entry.store.relationships[rtype]
        for name in names:
            if name not in rel.properties:
                continue
            a, b = _arcs(entry, rtype)
            cols["sourceNodeId"] += a.tolist()
            cols["targetNodeId"] += b.tolist()
            cols["relationshipType"] += [rtype] * a.size
            cols["relationshipProperty"] += [name] * a.size
            cols["propertyValue"] += rel.properties[name].cpu().tolist()
    if not any(n in entry.store.relationships[t].properties for t in types for n in names):
        raise ConfigError(
            f"config key 'relationshipProperties': none of {names} is a property of the types "
            f"{types} in graph '{entry.name}'"
        )
    return Rows(cols)


_operation(
    name="graph.relationshipProperties",
    description="Relationship properties of a named graph, per relationship.",
    modes=("stream",),
    bare_mode=None,
    arguments=("graphName", "relationshipProperties", "relationshipTypes"),
    config=RelationshipPropertiesConfig,
    rows_columns={
        "sourceNodeId": "int",
        "targetNodeId": "int",
        "relationshipType": "str",
        "relationshipProperty": "str",
        "propertyValue": "float",
    },
    compute=_relationship_properties,
)


@spec
class RelationshipWriteConfig(RunConfig):
    graph_name: str = option("graphName", REQUIRED, "name of the graph")
    relationship_type: str = option("relationshipType", REQUIRED, "the type to write")
    relationship_property: str | None = option(
        "relationshipProperty", None, "a property to write with it"
    )


def _relationship_write(_graph: Graph, cfg: RelationshipWriteConfig) -> Rows:
    ctx = current()
    entry = _entry(ctx, cfg.graph_name)
    rtype = entry.store.relationship_types([cfg.relationship_type])[0]
    rel = entry.store.relationships[rtype]
    props = {}
    if cfg.relationship_property is not None:
        if cfg.relationship_property not in rel.properties:
            raise ConfigError(
                f"config key 'relationshipProperty': type '{rtype}' has no property "
                f"'{cfg.relationship_property}'; its properties: {sorted(rel.properties) or 'none'}"
            )
        props[cfg.relationship_property] = rel.properties[cfg.relationship_property]
    ids = entry.store.node_ids
    started = time.perf_counter()
    ctx.job.enter("write", rel.num_arcs)
    report = write_relationships(
        ctx.driver(),
        ids[rel.sources()],
        ids[rel.indices],
        rtype,
        props,
        database=ctx.database,
        batch_size=cfg.batch_size,
        concurrency=min(cfg.write_concurrency or cfg.concurrency, 2),
        on_progress=ctx.job.add_written,
        cancel=ctx.job.token,
    )
    return Rows(
        {
            "writeMillis": [int((time.perf_counter() - started) * 1000)],
            "graphName": [entry.name],
            "relationshipType": [rtype],
            "relationshipProperty": [cfg.relationship_property],
            "relationshipsWritten": [report.rows],
            "propertiesWritten": [report.rows * len(props)],
        }
    )


_operation(
    name="graph.relationship",
    description="Write the relationships of one type of a named graph (with a property) "
    "to Neo4j; merged, so a rerun adds nothing twice.",
    modes=("write",),
    bare_mode=None,
    arguments=("graphName", "relationshipType", "relationshipProperty"),
    config=RelationshipWriteConfig,
    rows_columns={
        "writeMillis": "int",
        "graphName": "str",
        "relationshipType": "str",
        "relationshipProperty": "str",
        "relationshipsWritten": "int",
        "propertiesWritten": "int",
    },
    compute=_relationship_write,
)
