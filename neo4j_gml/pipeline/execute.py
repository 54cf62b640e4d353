"""Running a validated pipeline: shared projections, ordered steps, a record of the run.

Steps that name the same projection (and resolve to the same filter or Cypher projection) share
one read of Neo4j: the graph is read once, with the union of the node properties those steps
need that already exist, and passed to each step. A cached graph is dropped when a later step
writes relationships (the projection may include them) or overwrites a node property it holds.
A projection is the run's in-memory graph, as a named graph is GDS's: a step in ``mode:
mutate`` adds its node values to it (``mutateProperty``), and later steps on that projection
read them from memory, also after the graph is read again; nothing is written to Neo4j.
A write step of a relationship procedure first deletes the relationships of its
``writeRelationshipType`` (unless the step says ``replace: false``), so a rerun leaves no stale
predictions behind.
A failed step stops the run: earlier steps' results stay written, later steps are recorded as
skipped, and the run as failed with the step named. Steps write with ``SET`` / ``MERGE``, so a
rerun gives the same graph.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.io import schema
from neo4j_gml.io.driver import Driver, verify_connectivity
from neo4j_gml.io.read import Projection, ReadReport, _node_property_spec, read_graph
from neo4j_gml.io.replace import delete_relationship_type
from neo4j_gml.pipeline.loader import PROJECTION_KEY_NAMES, Pipeline, Step
from neo4j_gml.pipeline.records import (
    RECORD_LABELS,
    RunRecord,
    StepRecord,
    flush_spool,
    new_run_id,
    now_iso,
    save_run,
    spool,
)
from neo4j_gml.procedures import registry
from neo4j_gml.procedures.registry import NodeValues
from neo4j_gml.procedures.runner import compute, stream_frame, summary_row, write_result

Progress = Callable[[str], None]


def stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _projection_key(cfg: Mapping[str, Any]) -> str:
    """What identifies a read, apart from the node properties."""
    spec = {k: cfg.get(k) for k in sorted(PROJECTION_KEY_NAMES) if k != "nodeProperties"}
    return json.dumps(spec, sort_keys=True, default=str)


def _step_properties(procedure: str, cfg: Mapping[str, Any]) -> list[str]:
    """Node properties a step reads: its procedure's and the projection's ``nodeProperties``."""
    names = list(registry.get(procedure).node_properties_needed(cfg))
    names += [p for p in _node_property_spec(cfg.get("nodeProperties")) if p not in names]
    return names


def _written_property(step: Step) -> str | None:
    return step.validated.get("writeProperty") if step.mode == "write" else None


class _GraphCache:
    """Graphs read for the steps, keyed by projection; see the module docstring."""

    def __init__(self, driver: Driver, database: str | None) -> None:
        self.driver, self.database = driver, database
        self.graphs: dict[str, tuple[Graph, ReadReport]] = {}
        #: per projection key, node values mutate steps added: name -> (Neo4j ids, values)
        self.mutated: dict[str, dict[str, tuple[torch.Tensor, torch.Tensor]]] = {}
        self.reads = 0

    def get(
        self,
        cfg: Mapping[str, Any],
        needed: list[str],
        extra: list[str],
        optional: list[str] | None = None,
    ) -> Graph:
        """The graph of ``cfg``'s projection with the ``needed`` node properties (``optional``
        ones may be missing on some nodes: NaN), read once and shared; ``extra`` properties
        later steps want are read along when they exist."""
        key = _projection_key(cfg)
        cached = self.graphs.get(key)
        if cached is not None and all(p in cached[0].node_properties for p in needed):
            return cached[0]
        in_memory = self.mutated.get(key, {})
        have = list(cached[0].node_properties) if cached else []
        wanted = [p for p in dict.fromkeys([*needed, *have, *extra]) if p not in in_memory]
        needed_now = [p for p in needed if p not in in_memory]
        try:
            graph, report = self._read(cfg, wanted, optional or [])
        except ValueError:
            if wanted == needed_now:
                raise
            # an extra property for a later step was the problem
            graph, report = self._read(cfg, needed_now, optional or [])
        graph = _with_values(graph, in_memory)
        self.graphs[key] = (graph, report)
        return graph

    def mutate(
        self, cfg: Mapping[str, Any], name: str, ids: torch.Tensor, values: torch.Tensor
    ) -> None:
        """Keep node values a mutate step computed (``ids``: Neo4j ids) as property ``name`` of
        the run's graph of ``cfg``'s projection (also after that graph is read again)."""
        key = _projection_key(cfg)
        kept = self.mutated.setdefault(key, {})
        if name in kept:
            raise ConfigError(
                f"config key 'mutateProperty': an earlier step of this run mutated '{name}' "
                "already; choose another name"
            )
        kept[name] = (ids.cpu(), values.detach().cpu())
        cached = self.graphs.get(key)
        if cached is not None:
            self.graphs[key] = (_with_values(cached[0], {name: kept[name]}), cached[1])

    def _read(
        self, cfg: Mapping[str, Any], properties: list[str], optional: list[str]
    ) -> tuple[Graph, ReadReport]:
        self.reads += 1
        in_memory = self.mutated.get(_projection_key(cfg), {})
        if in_memory and cfg.get("nodeProperties"):  # those come from mutate steps, not Neo4j
            spec = _node_property_spec(cfg.get("nodeProperties"))
            kept = {k: v for k, v in spec.items() if k not in in_memory}
            cfg = {**cfg, "nodeProperties": kept or None}
        projection = Projection.from_config(cfg, properties, optional)
        return read_graph(
            self.driver, projection, database=self.database, concurrency=cfg["concurrency"]
        )

    def written(self, step: Step, result_kind: str) -> None:
        if result_kind == "relationship":
            self.graphs.clear()
            return
        prop = _written_property(step)
        for key in [k for k, (g, _) in self.graphs.items() if prop in g.node_properties]:
            del self.graphs[key]


def _with_values(graph: Graph, values: Mapping[str, tuple[torch.Tensor, torch.Tensor]]) -> Graph:
    """``graph`` with node properties from mutate steps, aligned by Neo4j id (a node the step
    did not see gets NaN)."""
    if not values:
        return graph
    ids = graph.node_ids.cpu()
    order = torch.argsort(ids)
    sorted_ids = ids[order]
    props = dict(graph.node_properties)
    for name, (at_ids, column) in values.items():
        full = torch.full((ids.numel(), *column.shape[1:]), float("nan"), dtype=torch.float64)
        if ids.numel():
            where = torch.searchsorted(sorted_ids, at_ids).clamp(max=ids.numel() - 1)
            found = sorted_ids[where] == at_ids
            full[order[where[found]]] = column[found].to(torch.float64)
        props[name] = full.to(graph.device)
    return replace(graph, node_properties=props)


def _resolve_labels(driver: Driver, database: str | None) -> list[str] | None:
    """Labels that ``['*']`` should mean: all but the run records', if records exist."""
    labels = schema.labels(driver, database)
    if not RECORD_LABELS & set(labels):
        return None
    return sorted(set(labels) - RECORD_LABELS)


def _step_config(step: Step, labels: list[str] | None) -> dict[str, Any]:
    config = dict(step.config)
    if labels is not None and step.validated["nodeLabels"] == ["*"] and not config.get("nodeQuery"):
        config["nodeLabels"] = labels
    return config


def _effective(validated: Mapping[str, Any], labels: list[str] | None) -> Mapping[str, Any]:
    """A validated config with ``['*']`` resolved as :func:`_step_config` resolves it."""
    if labels is not None and validated["nodeLabels"] == ["*"] and not validated.get("nodeQuery"):
        return {**validated, "nodeLabels": labels}
    return validated


def _later_properties(
    pipeline: Pipeline, index: int, key: str, existing: set[str], labels: list[str] | None
) -> list[str]:
    """Properties of later steps on the same read that exist now and no step before rewrites."""
    out: list[str] = []
    written: set[str] = set()
    for step in pipeline.steps:
        if step.index > index and _projection_key(_effective(step.validated, labels)) == key:
            try:
                needed = _step_properties(step.procedure, step.validated)
            except ConfigError:  # e.g. a model that an earlier step of this run trains
                needed = []
            out += [p for p in needed if p in existing - written]
        prop = _written_property(step)
        if prop:
            written.add(prop)
    return out


def _run_step(
    pipeline: Pipeline,
    step: Step,
    rec: StepRecord,
    cache: _GraphCache,
    driver: Driver,
    database: str | None,
    labels: list[str] | None,
    existing: set[str],
) -> None:
    proc = registry.get(step.procedure)
    config = _step_config(step, labels)
    cfg = proc.validate(config, step.mode)
    graph = None
    started = time.perf_counter()
    if proc.reads_graph:
        needed = _step_properties(step.procedure, cfg)
        extra = _later_properties(pipeline, step.index, _projection_key(cfg), existing, labels)
        graph = cache.get(cfg, needed, extra, proc.missing_allowed(cfg))
    read_millis = int((time.perf_counter() - started) * 1000)
    done = compute(step.procedure, step.mode, config, driver=driver, graph=graph, database=database)
    if step.mode == "stream":
        frame = stream_frame(done)
        rec.rowCount = len(frame)
        if step.output is not None:
            step.output.parent.mkdir(parents=True, exist_ok=True)
            frame.to_csv(step.output, index=False)
        row = summary_row(done, time.perf_counter())
    elif step.mode == "stats":
        row = summary_row(done, time.perf_counter())
    elif step.mode == "mutate":
        row = summary_row(done, time.perf_counter())
        result = done.result
        assert isinstance(result, NodeValues)  # the loader allows node results only
        ids, values = done.graph.node_ids, result.values
        if result.mask is not None:
            mask = result.mask.to(ids.device)
            ids, values = ids[mask], values[mask.to(values.device)]
        cache.mutate(cfg, cfg["mutateProperty"], ids, values)
        row["nodePropertiesWritten"] = int(ids.numel())
    else:
        if proc.result == "relationship" and step.replace:
            rec.summary["relationshipsDeleted"] = delete_relationship_type(
                driver, database, cfg["writeRelationshipType"]
            )
        row = write_result(done, driver, database)
        cache.written(step, proc.result)
    rec.nodeCount = int(row.get("nodeCount", 0))
    rec.relationshipCount = int(row.get("relationshipCount", 0))
    rec.nodePropertiesWritten = int(row.get("nodePropertiesWritten", 0))
    rec.relationshipsWritten = int(row.get("relationshipsWritten", 0))
    rec.preProcessingMillis = int(row.get("preProcessingMillis", 0)) + read_millis
    rec.computeMillis = int(row.get("computeMillis", 0))
    rec.writeMillis = int(row.get("writeMillis", 0))
    rec.summary = {**rec.summary, **{k: v for k, v in row.items() if k != "configuration"}}


def _describe(rec: StepRecord) -> str:
    parts = [f"{rec.millis / 1000:.2f} s", f"{rec.nodeCount} nodes"]
    if rec.nodePropertiesWritten:
        parts.append(f"{rec.nodePropertiesWritten} properties written")
    if rec.relationshipsWritten:
        parts.append(f"{rec.relationshipsWritten} relationships written")
    if rec.mode == "stream":
        parts.append(f"{rec.rowCount} rows")
    return ", ".join(parts)


def new_record(pipeline: Pipeline, run_id: str | None = None) -> RunRecord:
    """A fresh run record with every step pending."""
    run = RunRecord(
        runId=run_id or new_run_id(),
        pipeline=pipeline.name,
        file=str(pipeline.path),
        fileHash=pipeline.file_hash,
        started=now_iso(),
    )
    run.steps = [
        StepRecord(
            index=s.index,
            name=s.name,
            procedure=s.procedure,
            mode=s.mode,
            config=s.config,
            projection=s.projection,
        )
        for s in pipeline.steps
    ]
    return run


def _finish(run: RunRecord, status: str, error: str | None = None) -> RunRecord:
    run.status, run.error, run.ended = status, error, now_iso()
    for rec in run.steps:
        if rec.status in ("pending", "running"):
            rec.status = "cancelled" if status == "cancelled" else "skipped"
    return run


def run_pipeline(
    pipeline: Pipeline,
    *,
    driver: Driver | None = None,
    database: str | None = None,
    progress: Progress | None = stderr_progress,
    should_stop: Callable[[], bool] = lambda: False,
    spool_file: Path | None = None,
    run_id: str | None = None,
    uri: str | None = None,
) -> RunRecord:
    """Run every step of ``pipeline`` in order and return the run's record.

    Without ``driver`` one is made from ``uri`` or the pipeline's connection (file, then
    environment). When
    Neo4j cannot be reached the run is returned as failed, and, with ``spool_file``, kept there
    until a later run saves it. ``should_stop`` is asked before each step (SIGTERM handling).
    Never raises for a failing step: the record says what failed.
    """
    say = progress or (lambda _m: None)
    run = new_record(pipeline, run_id)
    own = None
    if driver is None:
        connection = pipeline.connect(uri=uri, database=database)
        database = connection.database
        try:
            own = driver = connection.driver()
            verify_connectivity(driver)
        except Exception as exc:  # unreachable, bad credentials, ...
            if own is not None:
                own.close()
            _finish(run, "failed", f"Neo4j unreachable at {connection.uri}: {exc}")
            say(f"run {run.runId} failed: {run.error}")
            if spool_file is not None and pipeline.records:
                spool(spool_file, run)
            return run
    try:
        return _run_connected(pipeline, run, driver, database, say, should_stop, spool_file)
    finally:
        if own is not None:
            own.close()


def _save(
    pipeline: Pipeline,
    driver: Driver,
    database: str | None,
    run: RunRecord,
    spool_file: Path | None,
    final: bool,
    say: Progress,
) -> None:
    """Save the record; a final record that cannot be saved goes to the spool file."""
    if not pipeline.records:
        return
    try:
        save_run(driver, database, run)
    except Exception as exc:
        if final and spool_file is not None:
            spool(spool_file, run)
            say(f"could not save the run record ({exc}); kept in {spool_file}")
        elif final:
            say(f"could not save the run record: {exc}")


def _run_connected(
    pipeline: Pipeline,
    run: RunRecord,
    driver: Driver,
    database: str | None,
    say: Progress,
    should_stop: Callable[[], bool],
    spool_file: Path | None,
) -> RunRecord:
    if pipeline.records and spool_file is not None:
        try:
            saved = flush_spool(driver, database, spool_file)
        except Exception as exc:  # keep the spool for the next run
            say(f"could not save earlier run records from {spool_file}: {exc}")
        else:
            if saved:
                say(f"saved {saved} earlier run record(s) that could not be written then")
    _save(pipeline, driver, database, run, spool_file, final=False, say=say)
    try:
        labels = _resolve_labels(driver, database)
        keys = schema.property_keys(driver, database)
    except Exception as exc:  # Neo4j went away between connecting and the first step
        _finish(run, "failed", f"before the first step: {exc}")
        say(f"run {run.runId} failed: {run.error}")
        _save(pipeline, driver, database, run, spool_file, final=True, say=say)
        return run
    existing = set(keys)
    cache = _GraphCache(driver, database)
    total = len(pipeline.steps)
    say(f"run {run.runId}: pipeline '{pipeline.name}', {total} step(s)")
    for step, rec in zip(pipeline.steps, run.steps, strict=True):
        if should_stop():
            _finish(run, "cancelled", f"stopped before step '{step.name}'")
            say(f"run {run.runId} cancelled before step '{step.name}'")
            break
        on = f" on '{step.projection}'" if step.projection else ""
        say(f"[{step.index + 1}/{total}] {step.name}: {step.procedure} {step.mode}{on} ...")
        rec.status, rec.started = "running", now_iso()
        started = time.perf_counter()
        try:
            _run_step(pipeline, step, rec, cache, driver, database, labels, existing)
        except Exception as exc:
            rec.millis = int((time.perf_counter() - started) * 1000)
            rec.status, rec.ended = "failed", now_iso()
            rec.error = f"{type(exc).__name__}: {exc}"
            _finish(run, "failed", f"step '{step.name}' ({step.procedure}) failed: {exc}")
            say(f"[{step.index + 1}/{total}] {step.name} FAILED: {exc}")
            break
        rec.millis = int((time.perf_counter() - started) * 1000)
        rec.status, rec.ended = "succeeded", now_iso()
        if rec.mode == "write":
            existing.add(step.validated["writeProperty"])
        say(f"[{step.index + 1}/{total}] {step.name} done: {_describe(rec)}")
        _save(pipeline, driver, database, run, spool_file, final=False, say=say)
    else:
        _finish(run, "succeeded")
    _save(pipeline, driver, database, run, spool_file, final=True, say=say)
    say(f"run {run.runId} {run.status} ({cache.reads} projection read(s))")
    return run
