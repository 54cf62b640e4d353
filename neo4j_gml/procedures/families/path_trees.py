"""Tree procedures of the path-finding family: GDS's ``spanningTree``, ``kSpanningTree`` and
``steinerTree``, with their keys and columns.

Stream rows are ``nodeId, parentId, weight`` per tree node in node order (the source is its own
parent, weight ``0.0``); write and mutate add one ``(parent)-[:writeRelationshipType
{writeProperty: weight}]->(node)`` relationship per tree edge, as GDS does. ``kSpanningTree``
writes, per node, the Neo4j id of the root of its tree (GDS writes its internal id there).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from neo4j_gml.algorithms.paths.spanning import k_spanning_tree, spanning_tree
from neo4j_gml.algorithms.paths.steiner import steiner_tree
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures.config import REQUIRED
from neo4j_gml.procedures.estimate import linear_memory
from neo4j_gml.procedures.families.paths import check_weights, node_position, node_positions
from neo4j_gml.procedures.registry import (
    FROM_CONFIG,
    NodeValues,
    Procedure,
    RelationshipValues,
    Rows,
    register,
)
from neo4j_gml.procedures.spec import NodeConfig, RelationshipConfig, option

spec = dataclass(frozen=True, kw_only=True, eq=False)

TREE_COLUMNS = {"nodeId": "int", "parentId": "int", "weight": "float"}


def _tree_rows(
    graph: Graph, source: int, nodes: np.ndarray, parents: np.ndarray, weights: np.ndarray
) -> Rows:
    """GDS's tree rows, and the tree's edges (all but the source's own row) for write/mutate."""
    ids = graph.node_ids.cpu().numpy()
    edge = nodes != source
    return Rows(
        {
            "nodeId": ids[nodes].tolist(),
            "parentId": ids[parents].tolist(),
            "weight": weights.astype(np.float64).tolist(),
        },
        relationships=RelationshipValues(
            torch.from_numpy(parents[edge].astype(np.int64)),
            torch.from_numpy(nodes[edge].astype(np.int64)),
            torch.from_numpy(weights[edge].astype(np.float64)),
        ),
    )


# ---------------------------------------------------------------------------- spanningTree
@spec
class SpanningTreeConfig(RelationshipConfig):
    source_node: int = option("sourceNode", REQUIRED, "Neo4j id of the start node")
    objective: str = option(
        "objective",
        "minimum",
        "the tree of least or greatest weight",
        choices=("minimum", "maximum"),
    )


def _spanning(graph: Graph, cfg: SpanningTreeConfig) -> Rows:
    check_weights(graph, "spanningTree", negative=True)
    source = node_position(graph, cfg.source_node, "sourceNode")
    tree = spanning_tree(graph, source, objective=cfg.objective)  # type: ignore[arg-type]
    rows = _tree_rows(graph, source, *tree.rows())
    rows.stats = {
        "effectiveNodeCount": tree.effective_node_count,
        "totalWeight": tree.total_weight,
    }
    return rows


register(
    Procedure(
        name="spanningTree",
        description="Prim's minimum (or maximum, objective) weight spanning tree of the nodes "
        "reachable from sourceNode (as GDS; run it on an UNDIRECTED projection): nodeId, "
        "parentId, weight.",
        category="paths",
        config=SpanningTreeConfig,
        working_memory=linear_memory(5),
        result="rows",
        rows_columns=TREE_COLUMNS,
        stats_columns={"effectiveNodeCount": "int", "totalWeight": "float"},
        modes=("stream", "stats", "write"),
        relationship_property=FROM_CONFIG,
        compute=_spanning,
    )
)


# ---------------------------------------------------------------------------- kSpanningTree
@spec
class KSpanningTreeConfig(NodeConfig):
    source_node: int = option("sourceNode", REQUIRED, "Neo4j id of the start node")
    k: int = option("k", REQUIRED, "nodes to keep in the tree", min=1)
    objective: str = option(
        "objective",
        "minimum",
        "the tree of least or greatest weight",
        choices=("minimum", "maximum"),
    )


def _k_spanning(graph: Graph, cfg: KSpanningTreeConfig) -> NodeValues:
    check_weights(graph, "kSpanningTree", negative=True)
    source = node_position(graph, cfg.source_node, "sourceNode")
    tree = k_spanning_tree(graph, source, cfg.k, objective=cfg.objective)  # type: ignore[arg-type]
    heads = graph.node_ids.cpu()[torch.from_numpy(tree.heads())]
    return NodeValues(
        heads,
        stats={"effectiveNodeCount": tree.effective_node_count, "totalWeight": tree.total_weight},
    )


register(
    Procedure(
        name="kSpanningTree",
        description="GDS's k-spanning tree: Prim's tree from sourceNode cut down to k nodes; "
        "each node's value is the Neo4j id of the root of its tree (itself outside the tree).",
        category="paths",
        config=KSpanningTreeConfig,
        working_memory=linear_memory(6),
        column="partition",
        column_type="int",
        stats_columns={"effectiveNodeCount": "int", "totalWeight": "float"},
        modes=("stream", "stats", "write"),
        compute=_k_spanning,
    )
)


# ---------------------------------------------------------------------------- steinerTree
@spec
class SteinerTreeConfig(RelationshipConfig):
    source_node: int = option("sourceNode", REQUIRED, "Neo4j id of the root")
    target_nodes: list[int] = option("targetNodes", REQUIRED, "Neo4j ids the tree must reach")
    delta: float = option(
        "delta", 2.0, "bucket width of the delta-stepping searches", min=0, min_exclusive=True
    )
    apply_rerouting: bool = option(
        "applyRerouting", False, "reroute tree nodes through cheaper parents afterwards"
    )

    def check(self, mode: str) -> None:
        super().check(mode)
        if not self.target_nodes:
            raise ConfigError("config key 'targetNodes' must name at least one node")


def _steiner(graph: Graph, cfg: SteinerTreeConfig) -> Rows:
    check_weights(graph, "steinerTree")
    source = node_position(graph, cfg.source_node, "sourceNode")
    targets = list(dict.fromkeys(node_positions(graph, cfg.target_nodes, "targetNodes")))
    tree = steiner_tree(graph, source, targets, delta=cfg.delta, reroute=cfg.apply_rerouting)
    rows = _tree_rows(graph, source, *tree.rows())
    rows.stats = {
        "effectiveNodeCount": tree.effective_node_count,
        "effectiveTargetNodesCount": tree.effective_target_nodes_count,
        "totalWeight": tree.total_weight,
    }
    return rows


register(
    Procedure(
        name="steinerTree",
        description="GDS's directed Steiner tree heuristic: a tree from sourceNode reaching "
        "targetNodes, grown by repeated shortest paths to the nearest target (delta-stepping), "
        "optionally rerouted: nodeId, parentId, weight.",
        category="paths",
        config=SteinerTreeConfig,
        working_memory=linear_memory(8),
        result="rows",
        rows_columns=TREE_COLUMNS,
        stats_columns={
            "effectiveNodeCount": "int",
            "effectiveTargetNodesCount": "int",
            "totalWeight": "float",
        },
        modes=("stream", "stats", "write"),
        relationship_property=FROM_CONFIG,
        compute=_steiner,
    )
)
