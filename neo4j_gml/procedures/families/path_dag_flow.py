"""Directed-acyclic-graph and flow procedures of the path-finding family: GDS's
``dag.topologicalSort``, ``dag.longestPath`` and ``maxFlow``, with their keys and columns.

``maxFlow`` reads its capacities from ``capacityProperty`` (GDS's key; it is the projection's
relationship weight) and optional per-node limits from ``nodeCapacityProperty`` (a node without
the property is unlimited); it streams ``source, target, flow`` for every relationship that
carries flow, and write and mutate add those relationships with ``writeProperty`` (the flow).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import torch

from neo4j_gml.algorithms.paths.dag import longest_path, topological_sort
from neo4j_gml.algorithms.paths.maxflow import max_flow
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures.config import REQUIRED
from neo4j_gml.procedures.estimate import linear_memory
from neo4j_gml.procedures.families.paths import (
    PATH_COLUMNS,
    PathConfig,
    check_weights,
    node_positions,
    path_result,
)
from neo4j_gml.procedures.registry import Procedure, RelationshipValues, Rows, register
from neo4j_gml.procedures.spec import NodeConfig, RelationshipConfig, option

spec = dataclass(frozen=True, kw_only=True, eq=False)
C = TypeVar("C", bound="MaxFlowConfig")


# ---------------------------------------------------------------------------- topological sort
@spec
class TopologicalSortConfig(NodeConfig):
    compute_max_distance_from_source: bool = option(
        "computeMaxDistanceFromSource",
        False,
        "also give each node the length in hops of the longest path from a source to it",
    )


def _topological(graph: Graph, cfg: TopologicalSortConfig) -> Rows:
    found = topological_sort(
        graph, compute_max_distance_from_source=cfg.compute_max_distance_from_source
    )
    ids = graph.node_ids.cpu().numpy()
    distance = (
        found.max_distance.tolist()
        if found.max_distance is not None
        else [None] * int(found.order.size)
    )
    return Rows(
        {"nodeId": ids[found.order].tolist(), "maxDistanceFromSource": distance},
        stats={"sortedNodes": int(found.order.size)},
    )


register(
    Procedure(
        name="dag.topologicalSort",
        description="The nodes in a topological order (sources first; nodes on or after a cycle "
        "left out, as GDS): nodeId, maxDistanceFromSource (with computeMaxDistanceFromSource).",
        category="paths",
        config=TopologicalSortConfig,
        working_memory=linear_memory(5),
        result="rows",
        rows_columns={"nodeId": "int", "maxDistanceFromSource": "float"},
        stats_columns={"sortedNodes": "int"},
        modes=("stream", "stats"),
        weighted=False,
        compute=_topological,
    )
)


# ---------------------------------------------------------------------------- longest path
def _longest(graph: Graph, cfg: PathConfig) -> Rows:
    check_weights(graph, "dag.longestPath")
    found = longest_path(graph)
    ids = graph.node_ids.cpu().numpy()
    paths = [found.path(int(t)) for t in found.targets]
    return path_result(
        graph,
        cfg,
        [int(ids[nodes[0]]) for nodes, _ in paths],
        [ids[nodes].tolist() for nodes, _ in paths],
        [costs for _, costs in paths],
    )


register(
    Procedure(
        name="dag.longestPath",
        description="The longest path from any source (a node without incoming relationships) "
        "to each node of a directed acyclic graph (as GDS): index, sourceNode, targetNode, "
        "totalCost, nodeIds, costs, path.",
        category="paths",
        config=PathConfig,
        working_memory=linear_memory(6),
        result="rows",
        rows_columns=PATH_COLUMNS,
        stats_columns={"pathCount": "int"},
        modes=("stream", "stats", "write"),
        relationship_property="totalCost",
        compute=_longest,
    )
)


# ---------------------------------------------------------------------------- max flow
def _ids(value: Any) -> str | None:
    if isinstance(value, bool) or not (
        isinstance(value, int) or (isinstance(value, list) and value)
    ):
        return "a node, a node id or a non-empty list of them"
    if isinstance(value, list) and not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        return "a node, a node id or a non-empty list of them"
    return None


@spec
class MaxFlowConfig(RelationshipConfig):
    source_nodes: Any = option(
        "sourceNodes", REQUIRED, "where the flow enters (nodes or ids)", check=_ids, kind="any"
    )
    target_nodes: Any = option(
        "targetNodes", REQUIRED, "where the flow leaves (nodes or ids)", check=_ids, kind="any"
    )
    capacity_property: str | None = option(
        "capacityProperty", None, "relationship property holding each capacity"
    )
    node_capacity_property: str | None = option(
        "nodeCapacityProperty", None, "node property limiting the flow through a node"
    )

    @classmethod
    def parse(cls: type[C], config: Mapping[str, Any] | None, mode: str, *, what: str = "") -> C:
        cfg = super().parse(config, mode, what=what)
        if cfg.capacity_property is not None:
            if cfg.relationship_weight_property not in (None, cfg.capacity_property):
                raise ConfigError(
                    "config keys 'capacityProperty' and 'relationshipWeightProperty' name "
                    "different properties; give capacityProperty only"
                )
            cfg = cfg.replace(relationship_weight_property=cfg.capacity_property)
        elif cfg.relationship_weight_property is None:
            raise ConfigError("config key 'capacityProperty' is required (the capacities)")
        return cfg

    def optional_node_properties(self) -> list[str]:
        return [self.node_capacity_property] if self.node_capacity_property else []


def _flow(graph: Graph, cfg: MaxFlowConfig) -> RelationshipValues:
    def listed(value: Any) -> list[int]:
        return [value] if isinstance(value, int) else list(value)

    sources = node_positions(graph, listed(cfg.source_nodes), "sourceNodes")
    targets = node_positions(graph, listed(cfg.target_nodes), "targetNodes")
    limits = None
    if cfg.node_capacity_property:
        limits = graph.node_properties[cfg.node_capacity_property]
    found = max_flow(graph, graph.weights, sources, targets, node_capacities=limits)
    return RelationshipValues(
        torch.from_numpy(found.source.astype(np.int64)),
        torch.from_numpy(found.target.astype(np.int64)),
        torch.from_numpy(found.flow.astype(np.float64)),
        stats={"totalFlow": float(found.total_flow)},
    )


register(
    Procedure(
        name="maxFlow",
        description="Maximum flow from sourceNodes to targetNodes along relationships with "
        "capacityProperty (and nodeCapacityProperty limits), as GDS: source, target, flow for "
        "every relationship that carries flow.",
        category="paths",
        config=MaxFlowConfig,
        working_memory=linear_memory(12),
        result="relationship",
        column="flow",
        relationship_columns=("source", "target"),
        stats_columns={"totalFlow": "float"},
        compute=_flow,
    )
)
