"""The dry-run plan of a pipeline: the reads it will share, each step and its memory estimate.

Estimates are :func:`neo4j_gml.procedures.estimate.estimate_memory` (graph + result + working
set from the counts and the procedure's kind).

Counts come from Neo4j's count store (per label and per relationship type, so they are cheap
even on large graphs) or from explicit ``nodes`` / ``relationships`` figures. A Cypher
projection cannot be counted without running it: its estimate uses the whole database's
counts, an upper bound, and says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from neo4j_gml.core.errors import ConfigError
from neo4j_gml.io import schema
from neo4j_gml.io.driver import Driver
from neo4j_gml.pipeline.execute import _projection_key
from neo4j_gml.pipeline.loader import Pipeline
from neo4j_gml.pipeline.records import RECORD_LABELS
from neo4j_gml.procedures import registry
from neo4j_gml.procedures.estimate import MemoryEstimate, estimate_memory, human_bytes


@dataclass(frozen=True)
class PlannedStep:
    index: int
    name: str
    procedure: str
    mode: str
    read: int  # which shared read (1-based); 0 for steps that read no graph
    nodes: int
    relationships: int
    estimate: MemoryEstimate | None  # None: not known before an earlier step has run
    target: str
    upper_bound: bool


class Counter:
    """Node and relationship counts of a projection, from Neo4j or fixed figures."""

    def __init__(
        self,
        driver: Driver | None,
        database: str | None = None,
        nodes: int | None = None,
        relationships: int | None = None,
    ) -> None:
        self.driver, self.database = driver, database
        self.nodes, self.relationships = nodes, relationships

    def count(self, cfg: Mapping[str, Any]) -> tuple[int, int, bool]:
        """(nodes, relationships, upper_bound) of a validated projection config."""
        if self.driver is None:
            return int(self.nodes or 0), int(self.relationships or 0), False
        cypher = cfg.get("nodeQuery") is not None
        labels = [] if cypher else [x for x in cfg["nodeLabels"] if x != "*"]
        types = [] if cypher else [t for t in cfg["relationshipTypes"] if t != "*"]
        if self.nodes is not None:
            nodes = self.nodes
        elif labels:
            nodes = sum(
                schema.count_nodes(self.driver, self.database, x, key="nodeLabels") for x in labels
            )
        else:
            nodes = schema.count_nodes(self.driver, self.database)
            nodes -= sum(
                schema.count_nodes(self.driver, self.database, x) for x in sorted(RECORD_LABELS)
            )
        if self.relationships is not None:
            rels = self.relationships
        elif types:
            rels = sum(
                schema.count_relationships(self.driver, self.database, t, key="relationshipTypes")
                for t in types
            )
        else:
            rels = schema.count_relationships(self.driver, self.database)
        return max(nodes, 0), rels, cypher


def plan(pipeline: Pipeline, counter: Counter) -> list[PlannedStep]:
    """Each step with its shared read and memory estimate."""
    reads: dict[str, int] = {}
    out = []
    for step in pipeline.steps:
        proc = registry.get(step.procedure)
        cfg = step.validated
        if not proc.reads_graph:
            read, nodes, rels, upper = 0, 0, 0, False
        else:
            read = reads.setdefault(_projection_key(cfg), len(reads) + 1)
            nodes, rels, upper = counter.count(cfg)
        try:
            est: MemoryEstimate | None = estimate_memory(proc, cfg, nodes, rels)
        except ConfigError:  # e.g. a model that an earlier step trains: features unknown
            est = None
        if step.mode == "write":
            rtype = cfg.get("writeRelationshipType")
            target = f"-> [:{rtype} {{{cfg['writeProperty']}}}]" if rtype else ""
            target = target or f"-> property '{cfg['writeProperty']}'"
        elif step.mode == "stream":
            target = f"-> {step.output}" if step.output else "-> rows (counted)"
        else:
            target = "-> statistics"
        out.append(
            PlannedStep(
                step.index,
                step.name,
                proc.name,
                step.mode,
                read,
                nodes,
                rels,
                est,
                target,
                upper,
            )
        )
    return out


def format_plan(pipeline: Pipeline, steps: list[PlannedStep]) -> str:
    """The plan as the dry run prints it."""
    lines = [
        f"pipeline '{pipeline.name}' ({pipeline.path}, sha256 {pipeline.file_hash[:12]}): "
        f"{len(steps)} step(s), {len({s.read for s in steps if s.read})} projection read(s)"
    ]
    for s in steps:
        est = s.estimate
        bound = " (upper bound: Cypher projection)" if s.upper_bound else ""
        read = f"read {s.read}, {s.nodes} nodes, {s.relationships} rels" if s.read else "no read"
        memory = (
            f"memory ~{human_bytes(est.total_bytes)} (graph {human_bytes(est.graph_bytes)} + "
            f"result {human_bytes(est.result_bytes)} + work {human_bytes(est.working_bytes)})"
            if est is not None
            else "memory unknown until the earlier steps have run"
        )
        lines.append(
            f"  [{s.index + 1}/{len(steps)}] {s.name}: {s.procedure} {s.mode} {s.target}; "
            f"{read}; {memory}{bound}"
        )
    peak = max((s.estimate.total_bytes for s in steps if s.estimate), default=0)
    lines.append(f"peak memory estimate: ~{human_bytes(peak)}")
    return "\n".join(lines)
