"""Memory estimates of pipeline steps, from node and relationship counts.

An estimate is the bytes held at the peak of one step on its device: the projected graph (CSR
``indptr`` and ``indices``, weights, Neo4j ids, node properties) plus the result and the
working memory of the procedure's kind. The per-kind factors are upper-bound rules of thumb
for this library's implementations, not measurements; they are meant to tell a 100 MB step
from a 100 GB one before a nightly run starts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from neo4j_gml.procedures.registry import Procedure

INT64 = 8
FLOAT64 = 8
FLOAT32 = 4


@dataclass(frozen=True)
class Estimate:
    """Bytes of the projected graph and of the step's result and working memory."""

    graph_bytes: int
    work_bytes: int

    @property
    def total_bytes(self) -> int:
        return self.graph_bytes + self.work_bytes


def human_bytes(n: float) -> str:
    """``1536`` -> ``'1.5 KiB'``."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError


def graph_bytes(nodes: int, relationships: int, cfg: Mapping[str, Any], properties: int) -> int:
    """The projected graph: CSR over the arcs (two per relationship when UNDIRECTED)."""
    arcs = relationships * (2 if cfg.get("orientation") == "UNDIRECTED" else 1)
    weighted = cfg.get("relationshipWeightProperty") is not None
    total = (nodes + 1) * INT64 + arcs * INT64 + nodes * INT64  # indptr, indices, node ids
    total += arcs * FLOAT64 if weighted else 0
    total += nodes * FLOAT64 * properties
    return total


def work_bytes(proc: Procedure, cfg: Mapping[str, Any], nodes: int, relationships: int) -> int:
    """The result plus working memory of ``proc``'s kind of computation."""
    arcs = relationships * (2 if cfg.get("orientation") == "UNDIRECTED" else 1)
    name, category = proc.name, proc.category
    dim = int(cfg.get("embeddingDimension") or 0)
    if name == "node2vec":
        walks = nodes * int(cfg.get("walksPerNode", 10)) * int(cfg.get("walkLength", 80))
        batch = min(walks, int(cfg.get("walkBufferSize", 1000)) * int(cfg.get("walkLength", 80)))
        return 2 * nodes * dim * FLOAT32 + batch * INT64 * 4 + nodes * FLOAT64
    if category == "embedding":
        # a few dense [n, dim] matrices (current, next, sum) plus sparse-product temporaries
        return nodes * max(dim, 1) * FLOAT32 * 4 + arcs * FLOAT32 * 2
    if category == "similarity":
        top_k = int(cfg.get("topK") or 10)
        pairs = nodes * top_k
        # candidate pairs (two ids and a score each) plus a two-hop expansion of the arcs
        return pairs * (2 * INT64 + FLOAT64) * 2 + arcs * (INT64 + FLOAT64) * 2
    if name in ("betweenness", "closeness", "closeness.harmonic"):
        batch = min(nodes, 64)  # sources per batched BFS
        return batch * nodes * FLOAT64 * 4 + arcs * INT64
    if category == "community":
        # labels, degrees, community totals, plus one aggregated copy of the graph per level
        return nodes * INT64 * 6 + arcs * (INT64 + FLOAT64)
    if category == "centrality":
        # scores, next scores, degrees and a scratch vector; one gather over the arcs
        return nodes * FLOAT64 * 4 + arcs * FLOAT64
    return nodes * FLOAT64 * 2 + arcs * INT64


def estimate(
    proc: Procedure, cfg: Mapping[str, Any], nodes: int, relationships: int, properties: int = 0
) -> Estimate:
    """The memory estimate of running ``proc`` with validated ``cfg`` on a graph of that size."""
    if proc.category == "model":
        return Estimate(0, 0)
    return Estimate(
        graph_bytes(nodes, relationships, cfg, properties),
        work_bytes(proc, cfg, nodes, relationships),
    )
