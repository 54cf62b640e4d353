"""Running a procedure: validate -> read the projection -> compute -> stream, stats or write.

This is the one code path behind every surface (Python, CLI, HTTP service, Cypher plugin,
pipelines). Each phase is timed into GDS's summary columns: ``preProcessingMillis`` (reading the
projection and moving it to the device), ``computeMillis``, ``postProcessingMillis`` (summaries)
and ``writeMillis``.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch

from neo4j_gml.core import cancellation
from neo4j_gml.core.errors import ConfigError, ParameterError
from neo4j_gml.core.graph import Graph, resolve_device
from neo4j_gml.core.graph_store import unpad
from neo4j_gml.io.connection import Connection
from neo4j_gml.io.driver import Driver
from neo4j_gml.io.read import Projection, ReadReport, id_column, read_graph
from neo4j_gml.io.user_query import run_user_query
from neo4j_gml.io.write import (
    create_vector_index,
    delete_relationships,
    write_node_properties,
    write_relationships,
)
from neo4j_gml.procedures import registry
from neo4j_gml.procedures.catalog import CATALOG, CatalogEntry
from neo4j_gml.procedures.context import CallContext, calling
from neo4j_gml.procedures.estimate import check_fits, count_projection, estimate_memory
from neo4j_gml.procedures.formats import as_format, check_format
from neo4j_gml.procedures.jobs import Job
from neo4j_gml.procedures.registry import (
    NodeValues,
    Procedure,
    RelationshipValues,
    Result,
    Rows,
)
from neo4j_gml.procedures.spec import ProcedureConfig
from neo4j_gml.procedures.summary import _plain, summarize


def _millis(since: float) -> int:
    return int((time.perf_counter() - since) * 1000)


@contextmanager
def _progress(
    label: str, total: int | None, enabled: bool, count: Callable[[int], None] | None = None
) -> Iterator[Any]:
    """A rich progress bar (drawn on stderr) when stdout is a terminal; ``count`` (a callback
    taking a number of rows, e.g. a job's counter) is called too."""
    if not enabled or not sys.stdout.isatty():
        yield count
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task(label, total=total)

        def tick(k: int) -> None:
            bar.advance(task, k)
            if count is not None:
                count(k)

        yield tick


def empty_graph() -> Graph:
    return Graph.from_edges([], [], num_nodes=0)


@dataclass
class Computed:
    """A computed result with its graph and timings, before it is streamed or written."""

    procedure: Procedure
    config: ProcedureConfig
    graph: Graph
    result: Result
    read: ReadReport
    pre_millis: int
    compute_millis: int


def load_graph(
    proc: Procedure,
    cfg: Mapping[str, Any],
    driver: Driver,
    database: str | None,
    job: Job | None = None,
) -> tuple[Graph, ReadReport]:
    """Read the projection that ``cfg`` describes, with the node properties ``proc`` needs
    (those it allows to be missing, e.g. ``seedProperty``, read a missing value as NaN)."""
    projection = Projection.from_config(
        cfg, proc.node_properties_needed(cfg), proc.missing_allowed(cfg)
    )
    count = None
    if job is not None:
        if not projection.is_cypher:  # the count store answers at once; a query would run
            job.expect_reads(count_projection(driver, cfg, database)[1])
        count = job.add_read
    with _progress("reading relationships", None, cfg.get("logProgress", False), count) as tick:
        return read_graph(
            driver,
            projection,
            database=database,
            concurrency=cfg["concurrency"],
            on_progress=tick,
            cancel=job.token if job is not None else None,
        )


#: Keys that shape a projection: a named graph was projected already, so they do not apply.
_PROJECTING_KEYS = (
    "nodeQuery",
    "relationshipQuery",
    "parameters",
    "orientation",
    "aggregation",
    "defaultValue",
)


def _refuse_projecting_keys(config: Mapping[str, Any] | None, entry: CatalogEntry) -> None:
    """A key that shapes a projection, given with a named graph, is an error naming it."""
    for key in _PROJECTING_KEYS:
        if key in (config or {}):
            raise ConfigError(
                f"config key '{key}' cannot be used with the named graph '{entry.name}': it "
                "shapes a projection, and the graph was projected already (set it in "
                "gml.graph.project, or leave out the graph name to project from the config)"
            )


def view_of(proc: Procedure, cfg: ProcedureConfig, entry: CatalogEntry) -> Graph:
    """The part of named graph ``entry`` that ``cfg`` selects (``nodeLabels``,
    ``relationshipTypes``, ``relationshipWeightProperty``, ``nodeProperties`` and the node
    properties ``proc`` reads)."""
    names = list(proc.node_properties_needed(cfg))
    given = cfg.get("nodeProperties")
    names += [given] if isinstance(given, str) else list(given or [])
    return entry.store.view(
        cfg.node_labels,
        cfg.relationship_types,
        cfg.relationship_weight_property,
        list(dict.fromkeys(names)),
        proc.missing_allowed(cfg),
    )


def compute(
    name: str,
    mode: str,
    config: Mapping[str, Any] | None,
    *,
    driver: Driver | None = None,
    graph: Graph | None = None,
    database: str | None = None,
    job: Job | None = None,
    named: CatalogEntry | None = None,
) -> Computed:
    """Validate, read (unless ``graph`` or a ``named`` catalog graph is given) and compute;
    nothing is streamed or written.

    ``job`` (default: a new one) follows the phases; its token is checked between them, before
    every read chunk, and at the algorithm's checkpoints while it computes."""
    proc = registry.get(name)
    cfg = proc.validate(config, mode)
    job = job if job is not None else Job(name, mode)
    if named is not None and cfg["device"] == "auto":
        device = named.store.device
    else:
        device = resolve_device(cfg["device"])
    job.enter("read")
    started = time.perf_counter()
    report = ReadReport()
    if not proc.reads_graph:
        graph = empty_graph()
    elif named is not None:
        _refuse_projecting_keys(config, named)
        graph = view_of(proc, cfg, named)
        cfg = cfg.replace(orientation=graph.orientation)
        report = ReadReport(graph.num_nodes, graph.num_relationships, 0, 0)
    elif graph is None:
        if driver is None:
            raise ValueError("compute() needs a driver or a graph")
        graph, report = load_graph(proc, cfg, driver, database, job)
    else:
        missing = [p for p in proc.node_properties_needed(cfg) if p not in graph.node_properties]
        if missing:
            raise ConfigError(f"the given graph lacks the node properties {missing}")
        report = ReadReport(graph.num_nodes, graph.num_relationships, 0, 0)
    cfg = _read_pairs(proc, cfg, driver, database)
    if proc.reads_graph:
        need = estimate_memory(proc, cfg, graph.num_nodes, graph.num_relationships)
        check_fits(proc, cfg, need, device)
    graph = graph.to(device)
    pre = _millis(started)
    started = time.perf_counter()
    with _computing(job), _parameter_errors_as_config_errors():
        result = proc.compute(graph, cfg)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
    return Computed(proc, cfg, graph, result, report, pre, _millis(started))


#: Algorithm parameters whose config key is not their camelCase name.
_CONFIG_KEY_OF = {"weights": "relationshipWeightProperty", "sources": "sourceNodes"}


def config_key_of(parameter: str) -> str:
    """The config key an algorithm parameter comes from: ``damping_factor`` -> ``dampingFactor``,
    ``weights`` -> ``relationshipWeightProperty``."""
    if parameter in _CONFIG_KEY_OF:
        return _CONFIG_KEY_OF[parameter]
    head, *rest = parameter.split("_")
    return head + "".join(part.title() for part in rest)


@contextmanager
def _parameter_errors_as_config_errors() -> Iterator[None]:
    """An algorithm's :class:`ParameterError` becomes a :class:`ConfigError` naming the key."""
    try:
        yield
    except ParameterError as exc:
        raise ConfigError(f"config key '{config_key_of(exc.parameter)}': {exc.problem}") from None


@contextmanager
def _computing(job: Job) -> Iterator[None]:
    """The compute phase: the job's token is this thread's checkpoint token, and the job knows
    the thread (so a cancel can interrupt it); the phase ends before anything else runs."""
    job.thread = threading.get_ident()
    job.enter("compute")
    try:
        with cancellation.active(job.token):
            yield
    finally:
        job.leave_compute()


def _read_pairs(
    proc: Procedure, cfg: ProcedureConfig, driver: Driver | None, database: str | None
) -> ProcedureConfig:
    """``cfg`` with ``pairs`` from the procedure's pairs query, if it has one and it is set."""
    key = proc.pairs_query_key
    if key is None or not cfg.get(key):
        return cfg
    if driver is None:
        raise ConfigError(f"config key '{key}' needs a Neo4j connection")
    records, columns = run_user_query(driver, database, cfg[key], cfg.get("parameters"), key=key)
    if not {"source", "target"} <= set(columns):
        raise ConfigError(
            f"config key '{key}': the query must return integer columns 'source' and 'target'; "
            f"it returns {columns}"
        )
    src = id_column([r["source"] for r in records], key=key, column="source")
    dst = id_column([r["target"] for r in records], key=key, column="target")
    return cfg.replace(pairs=np.stack([src, dst], axis=1).tolist())


def stream_frame(done: Computed) -> pd.DataFrame:
    """The stream rows of a computed result as a DataFrame (Neo4j ids, plain values)."""
    result, graph, proc = done.result, done.graph, done.procedure
    if isinstance(result, NodeValues):
        ids = graph.node_ids
        values, extra = result.values, dict(result.extra)
        if result.mask is not None:
            mask = result.mask.to(ids.device)
            ids, values = ids[mask], values[mask]
            extra = {k: v[mask] for k, v in extra.items()}
        frame = {"nodeId": ids.cpu().numpy(), proc.column: _column_values(values)}
        frame.update({k: _column_values(v) for k, v in extra.items()})
        return pd.DataFrame(frame)
    if isinstance(result, RelationshipValues):
        ids = graph.node_ids
        a, b = proc.relationship_columns
        return pd.DataFrame(
            {
                a: ids[result.source.to(ids.device)].cpu().numpy(),
                b: ids[result.target.to(ids.device)].cpu().numpy(),
                proc.column: _column_values(result.values),
            }
        )
    # a column with nulls keeps them (pandas would turn a None among numbers into NaN)
    return pd.DataFrame(
        {
            k: pd.Series(list(v), dtype=object) if any(x is None for x in v) else list(v)
            for k, v in result.columns.items()
        }
    )


def _column_values(values: torch.Tensor) -> Any:
    values = values.detach().cpu()
    if values.ndim == 2:
        return list(values.to(torch.float64).numpy())
    return values.numpy()


def summary_row(done: Computed, post_started: float) -> dict[str, Any]:
    """The stats row: timings, projection counts, the result summary and the configuration."""
    row: dict[str, Any] = {
        "preProcessingMillis": done.pre_millis,
        "computeMillis": done.compute_millis,
        "nodeCount": done.read.node_count,
        "relationshipCount": done.read.relationship_count,
        "droppedRelationshipCount": done.read.dropped_relationships,
    }
    row.update(summarize(done.procedure, done.result))
    row["postProcessingMillis"] = _millis(post_started)
    row["configuration"] = _plain({k: v for k, v in done.config.items() if v is not None})
    return row


def _added_relationships(result: Result) -> RelationshipValues | None:
    """The relationships write and mutate modes add: a relationship result's, or those a
    ``'rows'`` result carries (paths, trees); None for a result that adds none."""
    if isinstance(result, RelationshipValues):
        return result
    return result.relationships if isinstance(result, Rows) else None


def write_result(
    done: Computed, driver: Driver, database: str | None, job: Job | None = None
) -> dict[str, Any]:
    """Write a computed result back and return the write row. ``job``'s token is checked
    before every batch; its counter follows the rows written."""
    cfg, result, graph = done.config, done.result, done.graph
    job = job if job is not None else Job(done.procedure.name, "write")
    post_started = time.perf_counter()
    row = summary_row(done, post_started)
    started = time.perf_counter()
    writers = cfg.get("writeConcurrency") or cfg["concurrency"]
    if (node_writes := _node_writes(done)) is not None:
        ids, properties = node_writes
        job.enter("write", int(ids.numel()))
        with _progress(
            "writing node properties", int(ids.numel()), cfg["logProgress"], job.add_written
        ) as tick:
            report = write_node_properties(
                driver,
                ids,
                properties,
                database=database,
                batch_size=cfg["batchSize"],
                concurrency=writers,
                on_progress=tick,
                cancel=job.token,
            )
        row["nodePropertiesWritten"] = report.properties
        if cfg.get("vectorIndex"):
            row["vectorIndex"] = _vector_index(done, driver, database)
    elif (added := _added_relationships(result)) is not None:
        lists = result.write_lists if isinstance(result, Rows) else {}
        merge_key = result.merge_key if isinstance(result, Rows) else None
        ids = graph.node_ids
        src = ids[added.source.to(ids.device)]
        dst = ids[added.target.to(ids.device)]
        job.enter("write", int(src.numel()))
        if done.procedure.replace_relationships:
            row["relationshipsDeleted"] = delete_relationships(
                driver,
                cfg["writeRelationshipType"],
                database=database,
                batch_size=cfg["batchSize"],
                cancel=job.token,
            )
        with _progress(
            "writing relationships", int(src.numel()), cfg["logProgress"], job.add_written
        ) as tick:
            report = write_relationships(
                driver,
                src,
                dst,
                cfg["writeRelationshipType"],
                {done.procedure.relationship_property_for(cfg, "write"): added.values, **lists},
                database=database,
                batch_size=cfg["batchSize"],
                # two writers: more mostly wait on each other's node locks
                concurrency=min(writers, 2),
                on_progress=tick,
                cancel=job.token,
                merge_key=merge_key,
            )
        row["relationshipsWritten"] = report.rows
    else:
        raise ConfigError(f"procedure '{done.procedure.name}' has no write mode")
    row["writeMillis"] = _millis(started)
    return row


def _vector_index(done: Computed, driver: Driver, database: str | None) -> str:
    """Create the vector index that ``vectorIndex: true`` asks for; returns its name."""
    cfg = done.config
    label = cfg.get("vectorIndexLabel")
    labels = [x for x in cfg.get("nodeLabels") or [] if x != "*"]
    if label is None:
        if len(labels) != 1:
            raise ConfigError(
                "config key 'vectorIndexLabel' is required with vectorIndex: true unless "
                "nodeLabels names exactly one label"
            )
        label = labels[0]
    result = done.result
    assert isinstance(result, NodeValues)  # vectorIndex is a key of embedding procedures only
    values = result.values
    dimension = int(values.shape[1]) if values.ndim == 2 else 1
    try:
        return create_vector_index(
            driver, label, cfg["writeProperty"], dimension, database=database
        )
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def _node_writes(done: Computed) -> tuple[torch.Tensor, dict[str, Any]] | None:
    """The nodes write mode sets properties on (Neo4j ids) and the properties, for a result
    that writes node properties: node values (masked; with the extra columns the config names)
    or a list per node (:attr:`Rows.node_lists`, without its padding); None for any other."""
    result, ids, name = done.result, done.graph.node_ids, done.config["writeProperty"]
    if isinstance(result, Rows):
        return None if result.node_lists is None else (ids, {name: unpad(result.node_lists)})
    if not isinstance(result, NodeValues):
        return None
    values = result.values
    if result.mask is not None:
        mask = result.mask.to(ids.device)
        ids, values = ids[mask], values[mask]
    return ids, {name: values, **_extra_write_properties(done, result)}


def _extra_write_properties(done: Computed, result: NodeValues) -> dict[str, torch.Tensor]:
    """Extra columns a procedure asks to write, named by config keys ending in ``Property``."""
    out = {}
    for column, key in done.procedure.write_extra.items():
        name = done.config.get(key)
        if name:
            values = result.extra[column]
            if result.mask is not None:
                values = values[result.mask.to(values.device)]
            out[name] = values
    return out


def run(
    name: str,
    mode: str,
    config: Mapping[str, Any] | None = None,
    *,
    driver: Driver | None = None,
    graph: Graph | str | None = None,
    database: str | None = None,
    job: Job | None = None,
    user: str | None = None,
    admin: bool = False,
    format: str = "pandas",
) -> Any:
    """Run procedure ``name`` in ``mode`` (``stream``, ``stats``, ``write``, ``mutate`` or
    ``estimate``; a catalog operation in its own modes). ``format``: ``pandas`` (default),
    ``arrow`` (a :class:`pyarrow.Table`) or ``polars`` (see :mod:`.formats`).

    Returns a DataFrame of rows in stream mode (and for catalog operations), else one summary
    dict. ``graph`` is a :class:`Graph` (nothing is read), or the name of a graph in the catalog
    (:data:`~neo4j_gml.procedures.catalog.CATALOG`) that ``user`` may use (an ``admin``: any);
    else the procedure projects the graph its config describes. Without ``driver`` a driver is
    made from ``NEO4J_URI`` / ``NEO4J_USER`` / ``NEO4J_PASSWORD`` (and closed again) whenever
    Neo4j must be read or written. ``database`` defaults to ``NEO4J_DATABASE`` or the server's
    default database. ``job`` (see :mod:`.jobs`) lets another thread follow and cancel the run;
    a cancelled run raises :class:`~neo4j_gml.core.cancellation.Cancelled` and writes no batch
    after the cancel.
    """
    check_format(format)
    if format != "pandas":
        answer = run(
            name,
            mode,
            config,
            driver=driver,
            graph=graph,
            database=database,
            job=job,
            user=user,
            admin=admin,
        )
        return as_format(answer, format)
    proc = registry.get(name)
    job = job if job is not None else Job(name, mode)
    own: list[Driver] = []

    def connect() -> Driver:
        nonlocal database
        if driver is not None:
            return driver
        connection = Connection.from_env(database=database)
        database = connection.database
        own.append(connection.driver())
        return own[0]

    ctx = CallContext(mode, job, user, admin, database, CATALOG, connect, driver)
    try:
        with calling(ctx):
            named = None
            if isinstance(graph, str):
                if not proc.runs_on_graphs:
                    raise ConfigError(f"gml.{proc.name} does not run on a named graph")
                named = CATALOG.get(graph, user, ctx.catalog_database, admin)
                graph = None
            elif mode == "mutate":
                raise ConfigError(
                    f"gml.{proc.name}.mutate adds its result to a named graph: call it with the "
                    f"graph's name, gml.{proc.name}.mutate('graphName', {{...}})"
                )
            if mode == "estimate" and proc.runs_on_graphs:
                return estimate_row(proc, config, ctx, named, graph)
            reads = graph is None and named is None and proc.runs_on_graphs
            live = connect() if reads or mode == "write" else driver
            done = compute(
                name,
                mode,
                config,
                driver=live,
                graph=graph,
                database=database,
                job=job,
                named=named,
            )
            if mode == "stream" or proc.arguments:
                job.enter("stream")
                return stream_frame(done)
            if mode == "stats":
                return summary_row(done, time.perf_counter())
            if mode == "mutate":
                assert named is not None
                return mutate_result(done, named, job)
            return write_result(done, connect(), database, job)
    finally:
        for own_driver in own:
            own_driver.close()


def estimate_row(
    proc: Procedure,
    config: Mapping[str, Any] | None,
    ctx: CallContext,
    named: CatalogEntry | None,
    graph: Graph | None,
) -> dict[str, Any]:
    """GDS's estimate row for a run of ``proc``: counted from the named graph, the given graph,
    or Neo4j's count store (a Cypher projection: its queries, counted)."""
    cfg = proc.validate(config, "estimate")
    if named is not None:
        _refuse_projecting_keys(config, named)
        mask = named.store.node_mask(cfg.node_labels)
        nodes = named.store.num_nodes if mask is None else int(mask.sum().item())
        types = named.store.relationship_types(cfg.relationship_types)
        rels = named.store.num_relationships(types)  # stored arcs: the memory model's m
        cfg = cfg.replace(orientation="NATURAL")
    elif graph is not None:
        nodes, rels = graph.num_nodes, graph.num_relationships
    else:
        nodes, rels = count_projection(ctx.driver(), cfg, ctx.database)
    device = named.store.device if named is not None and cfg["device"] == "auto" else None
    estimate = estimate_memory(proc, cfg, nodes, rels)
    return estimate.as_row(device or resolve_device(cfg["device"]))


def mutate_result(done: Computed, named: CatalogEntry, job: Job) -> dict[str, Any]:
    """Add a computed result to the named graph it ran on (GDS's mutate) and return the row:
    node values become node property ``mutateProperty``; relationship values, relationships of
    ``mutateRelationshipType`` with property ``mutateProperty``."""
    cfg, result, store = done.config, done.result, named.store
    post_started = time.perf_counter()
    row = summary_row(done, post_started)
    started = time.perf_counter()
    job.enter("mutate")
    positions = store.positions(cfg["nodeLabels"])
    with named.lock:
        if isinstance(result, NodeValues):
            values = result.values
            if result.mask is not None:
                keep = result.mask.to(values.device)
                values = values[keep]
                everyone = torch.arange(done.graph.num_nodes, device=keep.device)
                at = everyone[keep] if positions is None else positions[keep.to(positions.device)]
                positions = at
            row["nodePropertiesWritten"] = store.add_node_property(
                cfg["mutateProperty"], values, positions
            )
        elif isinstance(result, Rows) and result.node_lists is not None:
            row["nodePropertiesWritten"] = store.add_node_property(
                cfg["mutateProperty"], result.node_lists, positions, lists=True
            )
        elif (added := _added_relationships(result)) is not None:
            src, dst = added.source, added.target
            if positions is not None:
                src, dst = positions[src.to(positions.device)], positions[dst.to(positions.device)]
            name = done.procedure.relationship_property_for(cfg, "mutate")
            row["relationshipsWritten"] = store.add_relationships(
                cfg["mutateRelationshipType"], src, dst, {name: added.values}
            )
        else:
            raise ConfigError(f"procedure '{done.procedure.name}' has no mutate mode")
        named.touch()
    row["mutateMillis"] = _millis(started)
    return row


def rows_of(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """DataFrame rows as plain dicts (numpy scalars and arrays turned into Python values)."""
    out = []
    for record in frame.to_dict(orient="records"):
        out.append(
            {
                k: _plain(v) if not isinstance(v, np.ndarray) else v.tolist()
                for k, v in record.items()
            }
        )
    return out
