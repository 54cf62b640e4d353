"""Path-finding procedures: GDS's names, keys and stream columns.

``sourceNode`` and ``targetNode(s)`` are Neo4j ids (from Cypher, nodes are accepted too: the
plugin passes their ids). Path rows carry ``index, sourceNode, targetNode, totalCost, nodeIds,
costs`` as GDS's do (``costs``: the cumulative cost at each node, ``0.0`` first); traversals
carry ``sourceNode, nodeIds, path`` in visit order. The ``path`` column (a Cypher ``Path`` of
virtual ``PATH_<index>`` relationships with a ``cost`` each, or ``NEXT`` ones for traversals) is
built by the plugin from the row, so Python and HTTP rows do not carry it.

Write mode (GDS's): one ``writeRelationshipType`` relationship from each path's source to its
target with ``totalCost`` (and, with ``writeNodeIds``/``writeCosts``, the path's ``nodeIds`` and
``costs`` lists); mutate mode adds the same relationships with ``totalCost`` to the named graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from neo4j_gml.algorithms.paths.dijkstra import ShortestPaths, dijkstra, path_to
from neo4j_gml.algorithms.paths.traverse import bfs, dfs
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures.config import REQUIRED
from neo4j_gml.procedures.estimate import linear_memory
from neo4j_gml.procedures.registry import Procedure, RelationshipValues, Rows, register
from neo4j_gml.procedures.spec import NodeConfig, ProcedureConfig, RelationshipConfig, option

spec = dataclass(frozen=True, kw_only=True, eq=False)

PATH_COLUMNS = {
    "index": "int",
    "sourceNode": "int",
    "targetNode": "int",
    "totalCost": "float",
    "nodeIds": "intList",
    "costs": "floatList",
    "path": "path",
}


def _position(graph: Graph, neo4j_id: int, key: str) -> int:
    try:
        return int(graph.positions_of([neo4j_id], what="node")[0])
    except KeyError:
        raise ConfigError(
            f"config key '{key}': node {neo4j_id} is not in the projected graph"
        ) from None


def _positions(graph: Graph, ids: list[int], key: str) -> list[int]:
    return [_position(graph, i, key) for i in ids]


@spec
class PathConfig(RelationshipConfig):
    """The keys of every procedure that yields paths (write mode: GDS's list properties)."""

    write_node_ids: bool = option(
        "writeNodeIds", False, "write mode: also write the path's node ids on its relationship"
    )
    write_costs: bool = option(
        "writeCosts", False, "write mode: also write the path's cumulative costs"
    )


def path_result(
    graph: Graph,
    cfg: PathConfig,
    sources: list[int],
    node_ids: list[list[int]],
    costs: list[list[float]],
    stats: dict[str, Any] | None = None,
) -> Rows:
    """GDS's path rows from paths given as Neo4j ids and cumulative costs (one per node, the
    first 0): ``index`` in order, the relationships write and mutate modes add (source to
    target, ``totalCost``) and the lists ``writeNodeIds``/``writeCosts`` ask for."""
    count = len(node_ids)
    targets = [p[-1] for p in node_ids]
    total = [c[-1] for c in costs]
    columns: dict[str, list[Any]] = {
        "index": list(range(count)),
        "sourceNode": sources,
        "targetNode": targets,
        "totalCost": total,
        "nodeIds": node_ids,
        "costs": costs,
    }
    ends = graph.positions_of(sources + targets, what="node") if count else None
    relationships = RelationshipValues(
        ends[:count] if ends is not None else torch.zeros(0, dtype=torch.long),
        ends[count:] if ends is not None else torch.zeros(0, dtype=torch.long),
        torch.tensor(total, dtype=torch.float64),
    )
    lists: dict[str, list[Any]] = {}
    if cfg.write_node_ids:
        lists["nodeIds"] = node_ids
    if cfg.write_costs:
        lists["costs"] = costs
    return Rows(
        columns,
        stats={"pathCount": count, **(stats or {})},
        relationships=relationships,
        write_lists=lists,
    )


def _path_rows(graph: Graph, cfg: PathConfig, found: ShortestPaths, targets: list[int]) -> Rows:
    """One GDS path row per reached target, in ``targets``' order. With many targets the
    paths are built once per node in settle order (a node's ids and costs are its
    predecessor's plus its own), so streaming every path from a source costs list copies of
    the total path length, not a Python walk back per target."""
    ids = graph.node_ids.cpu().numpy().tolist()
    cost = found.cost.tolist()
    settled = found.settled.tolist()
    done = set(settled)
    wanted = [t for t in targets if t in done]
    node_ids: dict[int, list[int]] = {}
    costs: dict[int, list[float]] = {}
    if len(wanted) >= 8:  # many targets: share prefixes
        predecessor = found.predecessor.tolist()
        for v in settled:
            parent = predecessor[v]
            if parent < 0:
                node_ids[v], costs[v] = [ids[v]], [cost[v]]
            else:
                node_ids[v] = [*node_ids[parent], ids[v]]
                costs[v] = [*costs[parent], cost[v]]
    else:
        for t in wanted:
            route = path_to(found, t)
            assert route is not None
            node_ids[t], costs[t] = [ids[v] for v in route[0]], route[1]
    source = ids[found.source]
    return path_result(
        graph,
        cfg,
        [source] * len(wanted),
        [node_ids[t] for t in wanted],
        [costs[t] for t in wanted],
    )


def _check_weights(graph: Graph, cfg: ProcedureConfig, name: str) -> None:
    weights = graph.weights
    if cfg.relationship_weight_property is None or weights is None or not weights.numel():
        return
    if not bool(weights.isfinite().all()) or float(weights.min()) < 0:
        raise ConfigError(
            f"config key 'relationshipWeightProperty': gml.{name} needs finite, non-negative "
            "weights"
        )


# ---------------------------------------------------------------------------- dijkstra
@spec
class SourceTargetConfig(PathConfig):
    source_node: int = option("sourceNode", REQUIRED, "Neo4j id of the start node")
    target_node: int | None = option("targetNode", None, "Neo4j id of the end node")
    target_nodes: list[int] = option("targetNodes", [], "Neo4j ids of several end nodes")

    def check(self, mode: str) -> None:
        super().check(mode)
        if self.target_node is None and not self.target_nodes:
            raise ConfigError("config key 'targetNode' (or 'targetNodes') is required")
        if self.target_node is not None and self.target_nodes:
            raise ConfigError(
                "config keys 'targetNode' and 'targetNodes' cannot both be given (as in GDS)"
            )


def _source_target(graph: Graph, cfg: SourceTargetConfig) -> Rows:
    _check_weights(graph, cfg, "shortestPath.dijkstra")
    source = _position(graph, cfg.source_node, "sourceNode")
    wanted = ([] if cfg.target_node is None else [cfg.target_node]) + list(cfg.target_nodes)
    key = "targetNode" if cfg.target_node is not None else "targetNodes"
    targets = list(dict.fromkeys(_positions(graph, wanted, key)))
    found = dijkstra(graph, source, targets=targets)
    reached = [int(v) for v in found.settled if int(v) in set(targets)]
    return _path_rows(graph, cfg, found, reached)


register(
    Procedure(
        name="shortestPath.dijkstra",
        description="Dijkstra's cheapest path from sourceNode to targetNode (or each of "
        "targetNodes, in the order they are reached): index, sourceNode, targetNode, "
        "totalCost, nodeIds, costs.",
        category="paths",
        config=SourceTargetConfig,
        working_memory=linear_memory(4),
        result="rows",
        rows_columns=PATH_COLUMNS,
        stats_columns={"pathCount": "int"},
        modes=("stream", "stats", "write"),
        relationship_property="totalCost",
        compute=_source_target,
    )
)


@spec
class SingleSourceConfig(PathConfig):
    source_node: int = option("sourceNode", REQUIRED, "Neo4j id of the start node")


def _single_source(graph: Graph, cfg: SingleSourceConfig) -> Rows:
    _check_weights(graph, cfg, "allShortestPaths.dijkstra")
    found = dijkstra(graph, _position(graph, cfg.source_node, "sourceNode"))
    return _path_rows(graph, cfg, found, [int(v) for v in found.settled])


register(
    Procedure(
        name="allShortestPaths.dijkstra",
        description="Dijkstra's cheapest paths from sourceNode to every node it reaches, in "
        "order of cost (the source first): index, sourceNode, targetNode, totalCost, nodeIds, "
        "costs.",
        category="paths",
        config=SingleSourceConfig,
        working_memory=linear_memory(4),
        result="rows",
        rows_columns=PATH_COLUMNS,
        stats_columns={"pathCount": "int"},
        modes=("stream", "stats", "write"),
        relationship_property="totalCost",
        compute=_single_source,
    )
)


# ---------------------------------------------------------------------------- traversals
@spec
class TraversalConfig(NodeConfig):
    source_node: int = option("sourceNode", REQUIRED, "Neo4j id of the start node")
    target_nodes: list[int] = option(
        "targetNodes", [], "stop at the first of these Neo4j ids visited"
    )
    max_depth: int = option("maxDepth", -1, "visit at most this many hops away (-1: no limit)")

    def check(self, mode: str) -> None:
        super().check(mode)
        if self.max_depth < -1:
            raise ConfigError(
                f"config key 'maxDepth' must be -1 (no limit) or at least 0, got {self.max_depth}"
            )


def _traversal(walk: Any) -> Any:
    def compute(graph: Graph, cfg: TraversalConfig) -> Rows:
        source = _position(graph, cfg.source_node, "sourceNode")
        targets = _positions(graph, cfg.target_nodes, "targetNodes")
        order = walk(
            graph,
            source,
            targets=targets or None,
            max_depth=None if cfg.max_depth < 0 else cfg.max_depth,
        )
        ids = graph.node_ids.cpu().numpy()
        return Rows(
            {"sourceNode": [cfg.source_node], "nodeIds": [ids[order].tolist()]},
            stats={"visitedNodes": int(order.size)},
        )

    return compute


for _name, _walk, _what in (
    ("bfs", bfs, "Breadth-first"),
    ("dfs", dfs, "Depth-first (pre-order)"),
):
    register(
        Procedure(
            name=_name,
            description=f"{_what} traversal from sourceNode, neighbours in id order, up to "
            "maxDepth hops or the first of targetNodes: sourceNode, nodeIds (visit order).",
            category="paths",
            config=TraversalConfig,
            working_memory=linear_memory(2),
            result="rows",
            rows_columns={"sourceNode": "int", "nodeIds": "intList", "path": "walkPath"},
            stats_columns={"visitedNodes": "int"},
            modes=("stream", "stats"),
            weighted=False,
            compute=_traversal(_walk),
        )
    )
