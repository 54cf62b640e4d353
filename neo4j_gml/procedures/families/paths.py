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

import contextlib
import gc
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from neo4j_gml.algorithms.embedding.random_walk import random_walks
from neo4j_gml.algorithms.paths.all_pairs import all_pairs, all_pairs_bytes
from neo4j_gml.algorithms.paths.astar import astar
from neo4j_gml.algorithms.paths.bellman_ford import bellman_ford
from neo4j_gml.algorithms.paths.delta import delta_stepping
from neo4j_gml.algorithms.paths.dijkstra import ShortestPaths, dijkstra
from neo4j_gml.algorithms.paths.traverse import bfs, dfs
from neo4j_gml.algorithms.paths.yens import yens
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures.config import REQUIRED
from neo4j_gml.procedures.estimate import linear_memory
from neo4j_gml.procedures.registry import Procedure, RelationshipValues, Rows, register
from neo4j_gml.procedures.spec import NodeConfig, RelationshipConfig, option

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


def node_position(graph: Graph, neo4j_id: int, key: str) -> int:
    try:
        return int(graph.positions_of([neo4j_id], what="node")[0])
    except KeyError:
        raise ConfigError(
            f"config key '{key}': node {neo4j_id} is not in the projected graph"
        ) from None


def node_positions(graph: Graph, ids: list[int], key: str) -> list[int]:
    return [node_position(graph, i, key) for i in ids]


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
        stats={"pathCount": count},
        relationships=relationships,
        write_lists=lists,
    )


#: largest (targets x longest path) matrix the vectorised path builder makes; beyond it the
#: paths are built by sharing prefixes in Python
_PATH_MATRIX_CELLS = 16_000_000


def _tree_depths(parent: np.ndarray) -> np.ndarray:
    """Hops from each node to the root of its tree (``parent[root] == root``), by pointer
    jumping: ``O(n log depth)`` NumPy work."""
    depth = (parent != np.arange(parent.size)).astype(np.int64)
    up = parent.copy()
    for _ in range(64):  # 2**64 hops: more than any tree has
        nxt = up[up]
        if np.array_equal(nxt, up):
            return depth
        depth = depth + depth[up]
        up = nxt
    raise RuntimeError("the predecessors form a cycle")


def _path_lists(
    found: ShortestPaths, wanted: np.ndarray, ids: np.ndarray
) -> tuple[list[list[int]], list[list[float]]] | None:
    """Node ids and cumulative costs of the paths to ``wanted`` (reached positions), built in
    NumPy: every path is read off a (longest path x targets) matrix of ancestors, filled one
    level at a time. None when that matrix would be too large (long paths to many targets)."""
    n = found.predecessor.size
    parent = found.predecessor.copy()
    roots = parent < 0
    parent[roots] = np.flatnonzero(roots)
    parent[found.source] = found.source
    depth = _tree_depths(parent)[wanted]
    longest = int(depth.max()) if wanted.size else 0
    if wanted.size * (longest + 1) > _PATH_MATRIX_CELLS or n == 0:
        return None
    steps = np.empty((longest + 1, wanted.size), dtype=np.int64)
    here = wanted
    for level in range(longest, -1, -1):
        steps[level] = here
        here = parent[here]
    starts = (longest - depth).tolist()
    matrix = steps.T
    node_rows = ids[matrix].tolist()
    cost_rows = found.cost[matrix].tolist()
    return (
        [row[i:] for row, i in zip(node_rows, starts, strict=True)],
        [row[i:] for row, i in zip(cost_rows, starts, strict=True)],
    )


@contextlib.contextmanager
def _without_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while many small lists are made (no cycles among
    them): its passes, triggered by the allocations alone, took two thirds of building 100k
    paths."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _path_rows(graph: Graph, cfg: PathConfig, found: ShortestPaths, targets: list[int]) -> Rows:
    with _without_gc():
        return _build_path_rows(graph, cfg, found, targets)


def _build_path_rows(
    graph: Graph, cfg: PathConfig, found: ShortestPaths, targets: list[int]
) -> Rows:
    """One GDS path row per reached target, in ``targets``' order. The paths are read off a
    matrix of ancestors in NumPy (:func:`_path_lists`); when that is too large, a node's path
    is its predecessor's plus itself, built once per node and shared, so streaming every path
    from a source costs list copies of the total path length, not a walk back per target."""
    id_array = graph.node_ids.cpu().numpy()
    reached = np.asarray(targets, dtype=np.int64)
    reached = reached[np.isfinite(found.cost[reached])] if reached.size else reached
    source = int(id_array[found.source])
    built = _path_lists(found, reached, id_array)
    if built is not None:
        paths, path_costs = built
        return path_result(graph, cfg, [source] * len(paths), paths, path_costs)
    ids = id_array.tolist()
    cost = found.cost.tolist()
    predecessor = found.predecessor.tolist()
    wanted = reached.tolist()
    node_ids: dict[int, list[int]] = {}
    costs: dict[int, list[float]] = {}
    for t in wanted:
        chain = []
        v = t
        while v not in node_ids and v >= 0:  # up to the source or a node already built
            chain.append(v)
            v = predecessor[v] if v != found.source else -1
        for v in reversed(chain):
            parent = predecessor[v] if v != found.source else -1
            if parent < 0:
                node_ids[v], costs[v] = [ids[v]], [cost[v]]
            else:
                node_ids[v] = [*node_ids[parent], ids[v]]
                costs[v] = [*costs[parent], cost[v]]
    return path_result(
        graph,
        cfg,
        [source] * len(wanted),
        [node_ids[t] for t in wanted],
        [costs[t] for t in wanted],
    )


def check_weights(graph: Graph, name: str, *, negative: bool = False) -> None:
    """Refuse NaN or infinite weights, and negative ones unless ``negative``, naming the key."""
    weights = graph.weights
    if weights is None or not weights.numel():
        return
    if not bool(weights.isfinite().all()) or (not negative and float(weights.min()) < 0):
        kind = "finite" if negative else "finite, non-negative"
        raise ConfigError(
            f"config key 'relationshipWeightProperty': gml.{name} needs {kind} weights"
        )


def register_paths(
    name: str,
    description: str,
    config: type[PathConfig],
    compute: Any,
    *,
    vectors: int,
    columns: Mapping[str, str] = PATH_COLUMNS,
    stats: Mapping[str, str] | None = None,
) -> None:
    """Register a procedure that yields GDS's path rows (and adds one ``totalCost``
    relationship per path in write and mutate modes)."""
    register(
        Procedure(
            name=name,
            description=description,
            category="paths",
            config=config,
            working_memory=linear_memory(vectors),
            result="rows",
            rows_columns=columns,
            stats_columns={"pathCount": "int", **(stats or {})},
            modes=("stream", "stats", "write"),
            relationship_property="totalCost",
            compute=compute,
        )
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
    check_weights(graph, "shortestPath.dijkstra")
    source = node_position(graph, cfg.source_node, "sourceNode")
    wanted = ([] if cfg.target_node is None else [cfg.target_node]) + list(cfg.target_nodes)
    key = "targetNode" if cfg.target_node is not None else "targetNodes"
    targets = list(dict.fromkeys(node_positions(graph, wanted, key)))
    found = dijkstra(graph, source, targets=targets)
    wanted_set = set(targets)
    reached = [int(v) for v in found.settled if int(v) in wanted_set]
    return _path_rows(graph, cfg, found, reached)


register_paths(
    "shortestPath.dijkstra",
    "Dijkstra's cheapest path from sourceNode to targetNode (or each of "
    "targetNodes, in the order they are reached): index, sourceNode, targetNode, "
    "totalCost, nodeIds, costs.",
    SourceTargetConfig,
    _source_target,
    vectors=4,
)


@spec
class SingleSourceConfig(PathConfig):
    source_node: int = option("sourceNode", REQUIRED, "Neo4j id of the start node")


def _single_source(graph: Graph, cfg: SingleSourceConfig) -> Rows:
    check_weights(graph, "allShortestPaths.dijkstra")
    found = dijkstra(graph, node_position(graph, cfg.source_node, "sourceNode"))
    return _path_rows(graph, cfg, found, [int(v) for v in found.settled])


register_paths(
    "allShortestPaths.dijkstra",
    "Dijkstra's cheapest paths from sourceNode to every node it reaches, in "
    "order of cost (the source first): index, sourceNode, targetNode, totalCost, nodeIds, "
    "costs.",
    SingleSourceConfig,
    _single_source,
    vectors=4,
)


# ---------------------------------------------------------------------------- A*
@spec
class AStarConfig(SourceTargetConfig):
    latitude_property: str = option(
        "latitudeProperty", REQUIRED, "node property holding the latitude in degrees"
    )
    longitude_property: str = option(
        "longitudeProperty", REQUIRED, "node property holding the longitude in degrees"
    )

    def check(self, mode: str) -> None:
        super().check(mode)
        if self.target_nodes:
            raise ConfigError("config key 'targetNodes' is not supported by A*: give targetNode")

    def extra_node_properties(self) -> list[str]:
        return [self.latitude_property, self.longitude_property]


def _astar(graph: Graph, cfg: AStarConfig) -> Rows:
    check_weights(graph, "shortestPath.astar")
    source = node_position(graph, cfg.source_node, "sourceNode")
    assert cfg.target_node is not None
    target = node_position(graph, cfg.target_node, "targetNode")
    found = astar(
        graph,
        source,
        target,
        latitude=graph.node_properties[cfg.latitude_property],
        longitude=graph.node_properties[cfg.longitude_property],
    )
    return _path_rows(graph, cfg, found, [target])


register_paths(
    "shortestPath.astar",
    "A* cheapest path from sourceNode to targetNode, guided by the haversine "
    "distance between latitudeProperty/longitudeProperty (as GDS): index, sourceNode, "
    "targetNode, totalCost, nodeIds, costs, path.",
    AStarConfig,
    _astar,
    vectors=5,
)


# ---------------------------------------------------------------------------- Yen's
@spec
class YensConfig(SourceTargetConfig):
    k: int = option("k", 1, "how many cheapest loopless paths", min=1, max=100_000)

    def check(self, mode: str) -> None:
        super().check(mode)
        if self.target_nodes:
            raise ConfigError("config key 'targetNodes' is not supported by Yen's: give targetNode")


def _yens(graph: Graph, cfg: YensConfig) -> Rows:
    check_weights(graph, "shortestPath.yens")
    source = node_position(graph, cfg.source_node, "sourceNode")
    assert cfg.target_node is not None
    target = node_position(graph, cfg.target_node, "targetNode")
    found = yens(graph, source, target, k=cfg.k)
    ids = graph.node_ids.cpu().numpy()
    rows = path_result(
        graph,
        cfg,
        [int(ids[source])] * len(found),
        [ids[nodes].tolist() for nodes, _ in found],
        [list(costs) for _, costs in found],
    )
    # k paths join the same two nodes: write one relationship per index, as GDS writes k
    rows.write_lists["index"] = list(range(len(found)))
    rows.merge_key = "index"
    return rows


register_paths(
    "shortestPath.yens",
    "Yen's k cheapest loopless paths from sourceNode to targetNode, cheapest "
    "first (as GDS): index, sourceNode, targetNode, totalCost, nodeIds, costs, path. Write "
    "and mutate add one relationship per path (written with its index, which a rerun "
    "matches).",
    YensConfig,
    _yens,
    vectors=6,
)


# ---------------------------------------------------------------------------- delta-stepping
@spec
class DeltaConfig(SingleSourceConfig):
    delta: float = option(
        "delta", 2.0, "bucket width of tentative costs", min=0, min_exclusive=True
    )


def _delta(graph: Graph, cfg: DeltaConfig) -> Rows:
    check_weights(graph, "allShortestPaths.delta")
    found = delta_stepping(
        graph, node_position(graph, cfg.source_node, "sourceNode"), delta=cfg.delta
    )
    return _path_rows(graph, cfg, found, [int(v) for v in found.settled])


register_paths(
    "allShortestPaths.delta",
    "Delta-stepping cheapest paths from sourceNode to every node it reaches "
    "(bucketed frontiers in torch, on the GPU with device 'cuda'), in node order as GDS at "
    "concurrency 1: index, sourceNode, targetNode, totalCost, nodeIds, costs, path.",
    DeltaConfig,
    _delta,
    vectors=6,
)


# ---------------------------------------------------------------------------- Bellman-Ford
@spec
class BellmanFordConfig(SingleSourceConfig):
    write_negative_cycles: bool = option(
        "writeNegativeCycles", False, "write mode: write the negative cycles found (as GDS)"
    )
    mutate_negative_cycles: bool = option(
        "mutateNegativeCycles", False, "mutate mode: add the negative cycles found (as GDS)"
    )


def _bellman_ford(graph: Graph, cfg: BellmanFordConfig) -> Rows:
    check_weights(graph, "bellmanFord", negative=True)
    found = bellman_ford(graph, node_position(graph, cfg.source_node, "sourceNode"))
    if not found.contains_negative_cycle:
        rows = _path_rows(graph, cfg, found.paths, [int(v) for v in found.paths.settled])
    else:
        ids = graph.node_ids.cpu().numpy()
        cycles = found.negative_cycles
        rows = path_result(
            graph,
            cfg,
            [int(ids[nodes[0]]) for nodes, _ in cycles],
            [ids[nodes].tolist() for nodes, _ in cycles],
            [list(costs) for _, costs in cycles],
        )
        keep = cfg.write_negative_cycles or cfg.mutate_negative_cycles
        if not keep and rows.relationships is not None:  # GDS writes cycles only on request
            nothing = torch.zeros(0, dtype=torch.long)
            rows.relationships = RelationshipValues(nothing, nothing, torch.zeros(0))
            rows.write_lists = {}
    count = len(rows.columns["index"])
    rows.columns["isNegativeCycle"] = [found.contains_negative_cycle] * count
    rows.stats["containsNegativeCycle"] = found.contains_negative_cycle
    return rows


register_paths(
    "bellmanFord",
    "Bellman-Ford cheapest paths from sourceNode (negative weights allowed), "
    "in node order; when a negative cycle is reachable, the negative cycles instead, with "
    "isNegativeCycle true (as GDS): index, sourceNode, targetNode, totalCost, nodeIds, "
    "costs, route, isNegativeCycle. Write and mutate add the cycles only with "
    "writeNegativeCycles/mutateNegativeCycles.",
    BellmanFordConfig,
    _bellman_ford,
    vectors=8,
    columns={
        **{k: v for k, v in PATH_COLUMNS.items() if k != "path"},
        "route": "path",
        "isNegativeCycle": "bool",
    },
    stats={"containsNegativeCycle": "bool"},
)


# ---------------------------------------------------------------------------- all pairs
#: bytes per streamed pair beyond the arrays: three Python list slots and their boxed values
_ROW_BYTES = 3 * 8 + 2 * 32 + 24


def _all_pairs_memory(_cfg: Any, nodes: int, _arcs: int) -> int:
    return all_pairs_bytes(nodes) + _ROW_BYTES * nodes * nodes


def _all_pairs(graph: Graph, cfg: NodeConfig) -> Rows:
    if cfg.relationship_weight_property is not None:
        check_weights(graph, "allShortestPaths")
    else:
        graph = Graph(graph.indptr, graph.indices, None, graph.node_ids, graph.orientation)
    found = all_pairs(graph)
    ids = graph.node_ids.cpu().numpy()
    return Rows(
        {
            "sourceNodeId": ids[found.source].tolist(),
            "targetNodeId": ids[found.target].tolist(),
            "distance": found.distance.tolist(),
        },
        stats={"pathCount": int(found.source.size)},
    )


register(
    Procedure(
        name="allShortestPaths",
        description="Cheapest distances between all pairs of reachable nodes (hop counts, or "
        "with relationshipWeightProperty Dijkstra from every node, which adds each node to "
        "itself at 0.0, as GDS): sourceNodeId, targetNodeId, distance. For small graphs: the "
        "memory estimate (every pair a row) refuses large ones.",
        category="paths",
        config=NodeConfig,
        working_memory=_all_pairs_memory,
        result="rows",
        rows_columns={"sourceNodeId": "int", "targetNodeId": "int", "distance": "float"},
        stats_columns={"pathCount": "int"},
        modes=("stream",),
        compute=_all_pairs,
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
        source = node_position(graph, cfg.source_node, "sourceNode")
        targets = node_positions(graph, cfg.target_nodes, "targetNodes")
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


# ---------------------------------------------------------------------------- random walks
@spec
class RandomWalkConfig(NodeConfig):
    source_nodes: list[int] = option(
        "sourceNodes", [], "Neo4j ids the walks start from (none: every node)"
    )
    walk_length: int = option("walkLength", 80, "nodes per walk", min=1)
    walks_per_node: int = option("walksPerNode", 10, "walks from each start node", min=1)
    return_factor: float = option(
        "returnFactor",
        1.0,
        "node2vec's p: below 1, walks step back more",
        min=0,
        min_exclusive=True,
    )
    in_out_factor: float = option(
        "inOutFactor", 1.0, "node2vec's q: above 1, walks stay local", min=0, min_exclusive=True
    )
    walk_buffer_size: int = option(
        "walkBufferSize", 1000, "accepted for GDS compatibility; has no effect", min=1
    )
    random_seed: int | None = option(
        "randomSeed", None, "seed; same seed => same walks on any device"
    )


def _random_walk(graph: Graph, cfg: RandomWalkConfig) -> Rows:
    if cfg.relationship_weight_property is not None:
        check_weights(graph, "randomWalk")
    starts = None
    if cfg.source_nodes:
        starts = torch.as_tensor(node_positions(graph, cfg.source_nodes, "sourceNodes"))
    seed = cfg.random_seed if cfg.random_seed is not None else secrets.randbits(62)
    walks = random_walks(
        graph,
        walk_length=cfg.walk_length,
        walks_per_node=cfg.walks_per_node,
        return_factor=cfg.return_factor,
        in_out_factor=cfg.in_out_factor,
        weighted=cfg.relationship_weight_property is not None,
        random_seed=seed,
        start_nodes=starts,
    ).cpu()
    ids = graph.node_ids.cpu()
    lengths = (walks >= 0).sum(dim=1).tolist()
    rows = ids[walks.clamp(min=0)].tolist()
    with _without_gc():
        node_ids = [row[:k] for row, k in zip(rows, lengths, strict=True)]
    return Rows({"nodeIds": node_ids}, stats={"walks": len(node_ids)})


register(
    Procedure(
        name="randomWalk",
        description="Random walks (node2vec's biased second-order walks with returnFactor and "
        "inOutFactor; uniform, or in proportion to the weights) from sourceNodes or every node, "
        "the walker node2vec uses: nodeIds, path. A walk stops early at a node without "
        "outgoing relationships.",
        category="paths",
        config=RandomWalkConfig,
        working_memory=linear_memory(4),
        result="rows",
        rows_columns={"nodeIds": "intList", "path": "walkPath"},
        stats_columns={"walks": "int"},
        modes=("stream", "stats"),
        compute=_random_walk,
    )
)
