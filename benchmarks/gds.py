"""The GDS side of the side-by-side benchmark: project, run in write mode, drop; with phase times.

Needs a Neo4j started with Open GDS (``neo4j-gml neo4j start --with-gds``). Every run projects a
fresh in-memory graph, as an end-to-end run of neo4j_gml reads a fresh one, and drops it after.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import neo4j


@dataclass
class GdsTiming:
    """Wall-clock seconds of one end-to-end GDS run and the phase times GDS reported (ms)."""

    total_s: float
    project_ms: float
    pre_ms: float
    compute_ms: float
    write_ms: float
    post_ms: float
    row: dict[str, Any] = field(default_factory=dict)


def version(driver: neo4j.Driver) -> str | None:
    """GDS's version, or ``None`` when the database has no GDS."""
    try:
        return driver.execute_query("CALL gds.version()").records[0]["gdsVersion"]
    except neo4j.exceptions.ClientError:
        return None


def drop(driver: neo4j.Driver, name: str) -> None:
    """Drop the in-memory graph ``name`` if it exists."""
    driver.execute_query("CALL gds.graph.drop($name, false) YIELD graphName", name=name)


def project(
    driver: neo4j.Driver,
    name: str,
    label: str,
    rel: str,
    *,
    orientation: str = "NATURAL",
    node_properties: list[str] | None = None,
    concurrency: int = 4,
) -> dict[str, Any]:
    """``gds.graph.project`` of ``label`` nodes and ``rel`` relationships; returns its row."""
    drop(driver, name)
    node_spec: dict[str, Any] = {label: {"properties": node_properties or []}}
    rel_spec = {rel: {"orientation": orientation}}
    rec = driver.execute_query(
        "CALL gds.graph.project($name, $nodes, $rels, {readConcurrency: $c}) "
        "YIELD nodeCount, relationshipCount, projectMillis "
        "RETURN nodeCount, relationshipCount, projectMillis",
        name=name,
        nodes=node_spec,
        rels=rel_spec,
        c=concurrency,
    ).records[0]
    return dict(rec)


def run_write(
    driver: neo4j.Driver,
    algo: str,
    config: dict[str, Any],
    *,
    label: str,
    rel: str,
    orientation: str = "NATURAL",
    node_properties: list[str] | None = None,
    concurrency: int = 4,
) -> GdsTiming:
    """Project, ``CALL gds.<algo>.write(graph, config)``, drop; timed end to end.

    ``config`` gets ``concurrency`` and ``writeConcurrency`` set to ``concurrency`` (GDS
    Community's maximum is 4).
    """
    name = f"bench_{algo}"
    started = time.perf_counter()
    proj = project(
        driver,
        name,
        label,
        rel,
        orientation=orientation,
        node_properties=node_properties,
        concurrency=concurrency,
    )
    cfg = dict(config, concurrency=concurrency, writeConcurrency=concurrency)
    with driver.session() as session:
        row = session.run(f"CALL gds.{algo}.write($name, $cfg)", name=name, cfg=cfg).single()
        row = dict(row) if row is not None else {}
    drop(driver, name)
    total = time.perf_counter() - started
    return GdsTiming(
        total_s=total,
        project_ms=float(proj["projectMillis"]),
        pre_ms=float(row.get("preProcessingMillis", 0)),
        compute_ms=float(row.get("computeMillis", 0)),
        write_ms=float(row.get("writeMillis", 0)),
        post_ms=float(row.get("postProcessingMillis", 0)),
        row={k: v for k, v in row.items() if k != "configuration"},
    )
