"""Memory estimates: how many bytes a run needs, from node and relationship counts alone.

GDS offers ``.estimate`` modes; ours is :func:`estimate_memory`, used by pipeline dry runs and by
the runner to refuse, before reading anything, a run that cannot fit on its device (for example
an ``embeddingDimension`` too large for the GPU). The figures are upper bounds of the tensors the
run holds at once, not of Python's own overhead:

* the graph: ``indptr`` (8 B per node), ``indices`` (8 B per arc), ``weights`` (8 B per arc when
  weighted), ``node_ids`` (8 B per node) and the node properties (8 B per value);
* the result: 8 B per node, or per node and dimension for embeddings, or per pair for
  relationship results (``topK`` per node);
* the algorithm's working set: a few per-node and per-arc vectors, more for embeddings
  (propagation buffers) and similarity (blocks of a dense product).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from neo4j_gml.io import schema
from neo4j_gml.io.driver import Driver
from neo4j_gml.procedures.registry import Procedure

BYTES = 8
DEFAULT_DIMENSION = 128


@dataclass(frozen=True)
class MemoryEstimate:
    node_count: int
    relationship_count: int
    graph_bytes: int
    result_bytes: int
    working_bytes: int

    @property
    def total_bytes(self) -> int:
        return self.graph_bytes + self.result_bytes + self.working_bytes

    def as_row(self, device: Any = None) -> dict[str, Any]:
        """GDS's estimate columns; ``heapPercentageMin|Max`` are shares of the memory free on
        ``device`` (the host's when None)."""
        free = max(available_bytes(device if device is not None else "cpu"), 1)
        low = self.graph_bytes + self.result_bytes
        tree = (
            f"Memory Estimation: {human_bytes(low)}...{human_bytes(self.total_bytes)}\n"
            f"|-- graph: {human_bytes(self.graph_bytes)}\n"
            f"|-- result: {human_bytes(self.result_bytes)}\n"
            f"|-- working set: {human_bytes(self.working_bytes)}\n"
        )
        return {
            "nodeCount": self.node_count,
            "relationshipCount": self.relationship_count,
            "bytesMin": low,
            "bytesMax": self.total_bytes,
            "requiredMemory": f"[{human_bytes(low)} ... {human_bytes(self.total_bytes)}]",
            "treeView": tree,
            "mapView": {
                "name": "estimate",
                "memoryUsage": human_bytes(self.total_bytes),
                "components": {
                    "graph": self.graph_bytes,
                    "result": self.result_bytes,
                    "working": self.working_bytes,
                },
            },
            "heapPercentageMin": round(low / free, 4),
            "heapPercentageMax": round(self.total_bytes / free, 4),
        }


def human_bytes(count: int) -> str:
    """``1536`` -> ``'1.5 KiB'``."""
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def estimate_memory(
    proc: Procedure, cfg: Mapping[str, Any], node_count: int, relationship_count: int
) -> MemoryEstimate:
    """Bytes a run of ``proc`` with validated ``cfg`` needs on ``node_count`` nodes and
    ``relationship_count`` relationships. ``O(1)``."""
    n, m = node_count, relationship_count
    arcs = 2 * m if cfg.get("orientation") == "UNDIRECTED" else m
    weighted = cfg.get("relationshipWeightProperty") is not None
    props = len(proc.node_properties_needed(cfg))
    graph = BYTES * (2 * n + 1 + arcs * (2 if weighted else 1) + n * props)
    dim = int(cfg.get("embeddingDimension") or DEFAULT_DIMENSION)
    if proc.result == "relationship":
        top_k = int(cfg.get("topK") or 10)
        result = 3 * BYTES * n * top_k
        # one block of a dense product (rows x n) at a time, bounded by the block size
        working = BYTES * min(n, 4096) * n + BYTES * 2 * arcs
    elif proc.column_type == "floatList":
        result = 4 * n * dim
        working = 3 * 4 * n * dim + BYTES * 2 * arcs
    else:
        result = BYTES * n
        working = BYTES * (4 * n + 2 * arcs)
    if proc.working_memory is not None:
        working = proc.working_memory(cfg, n, arcs)
    return MemoryEstimate(n, m, graph, result, working)


#: Bytes per undirected edge of an igraph call (Louvain, Leiden on the CPU), measured: the edge
#: and weight lists handed over (Python ints and floats), igraph's own edge and index vectors,
#: and the pickled copy a child process receives for large graphs.
IGRAPH_BYTES_PER_EDGE = 400
#: A child process that runs a GIL-holding call (Python, NumPy and igraph loaded).
CHILD_PROCESS_BYTES = 60 * 2**20


def igraph_memory(cfg: Mapping[str, Any], node_count: int, arcs: int) -> int:
    """Working bytes of Louvain and Leiden on igraph: the per-edge lists and structures, the
    membership levels, and a child process above the isolation threshold."""
    from neo4j_gml.algorithms.community.louvain import ISOLATE_ABOVE_EDGES

    edges = arcs // 2 if cfg.get("orientation") == "UNDIRECTED" else arcs
    working = IGRAPH_BYTES_PER_EDGE * edges + BYTES * 8 * node_count
    return working + (CHILD_PROCESS_BYTES if edges > ISOLATE_ABOVE_EDGES else 0)


#: Bytes per symmetric arc of Louvain's CPU path (numba local moving), measured as the peak
#: growth of the process at 1M relationships (86) with a margin: the level graph's arc copies,
#: the arcs grouped by source, and the sort of one aggregation.
LOUVAIN_BYTES_PER_ARC = 120


def louvain_memory(cfg: Mapping[str, Any], node_count: int, arcs: int) -> int:
    """Working bytes of Louvain on the CPU: per symmetric arc (a directed projection's arcs
    count twice) and eight node-length vectors (volumes, scratch, levels)."""
    symmetric = arcs if cfg.get("orientation") == "UNDIRECTED" else 2 * arcs
    return LOUVAIN_BYTES_PER_ARC * symmetric + BYTES * 8 * node_count


def linear_memory(vectors: int) -> Any:
    """A working set of ``vectors`` node-length vectors (degree, wcc): ``(cfg, n, arcs) ->
    bytes``."""

    def working(_cfg: Mapping[str, Any], node_count: int, _arcs: int) -> int:
        return BYTES * vectors * node_count

    return working


def count_projection(
    driver: Driver, cfg: Mapping[str, Any], database: str | None = None
) -> tuple[int, int]:
    """Node and relationship counts of a filter projection, from Neo4j's count store.

    Counts are upper bounds when several labels overlap or relationships leave the node set.
    A Cypher projection is counted by running its queries wrapped in ``count(*)``.
    """
    if cfg.get("nodeQuery"):
        params = dict(cfg.get("parameters") or {})
        nodes = schema.count_query_rows(driver, database, cfg["nodeQuery"], params)
        rels = schema.count_query_rows(
            driver, database, cfg["relationshipQuery"], params, key="relationshipQuery"
        )
        return nodes, rels
    labels = cfg.get("nodeLabels") or ["*"]
    types = cfg.get("relationshipTypes") or ["*"]
    if "*" in labels:
        nodes = schema.count_nodes(driver, database)
    else:
        nodes = sum(schema.count_nodes(driver, database, x, key="nodeLabels") for x in labels)
    if "*" in types:
        rels = schema.count_relationships(driver, database)
    else:
        rels = sum(
            schema.count_relationships(driver, database, t, key="relationshipTypes") for t in types
        )
    return nodes, rels


def available_bytes(device: Any) -> int:
    """Free memory of a torch device: CUDA's free memory, or the host's available memory."""
    import os

    import torch

    if getattr(device, "type", str(device)) == "cuda":
        free, _ = torch.cuda.mem_get_info(device)
        return int(free)
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES"))
    except (ValueError, OSError, AttributeError):  # not Linux: no check
        return 1 << 62


def check_fits(
    proc: Procedure, cfg: Mapping[str, Any], estimate: MemoryEstimate, device: Any
) -> None:
    """Raise :class:`ConfigError` when ``estimate`` exceeds what ``device`` has free."""
    from neo4j_gml.core.errors import ConfigError

    free = available_bytes(device)
    if estimate.total_bytes <= free:
        return
    culprit = "embeddingDimension" if proc.column_type == "floatList" else "topK"
    hint = f" (lower '{culprit}' or use a smaller projection)" if culprit in cfg else ""
    raise ConfigError(
        f"gml.{proc.name} needs about {human_bytes(estimate.total_bytes)} on {device} for "
        f"{estimate.node_count} nodes and {estimate.relationship_count} relationships, but only "
        f"{human_bytes(free)} is free{hint}"
    )
