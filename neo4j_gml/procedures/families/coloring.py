"""Colouring-based community procedures: K-1 colouring and modularity optimisation.

``minCommunitySize`` follows GDS: it exists in stream and write mode only (GDS refuses it
elsewhere) and leaves out the nodes whose colour class or community has fewer members; the
stats columns still describe the whole result, as GDS's do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from neo4j_gml.algorithms.community.k1coloring import k1_coloring
from neo4j_gml.algorithms.community.modularity_optimization import modularity_optimization
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures.families.community import _consecutive, _node_values, _weights
from neo4j_gml.procedures.registry import NodeValues, Procedure, register
from neo4j_gml.procedures.spec import NodeConfig, option
from neo4j_gml.procedures.summary import distribution

spec = dataclass(frozen=True, kw_only=True, eq=False)

#: the modes GDS gives ``minCommunitySize``
_SIZE_FILTER_MODES = ("stream", "write")


def _arcs(cfg: Mapping[str, Any], arcs: int) -> int:
    """Symmetric arcs the algorithms hold: a directed projection's arcs count both ways."""
    return arcs if cfg.get("orientation") == "UNDIRECTED" else 2 * arcs


def _k1_memory(cfg: Mapping[str, Any], node_count: int, arcs: int) -> int:
    """Working bytes of K-1 colouring: the CSR copy and one round's arcs (source, target,
    slot), and a few node vectors."""
    return 8 * (4 * _arcs(cfg, arcs) + 6 * node_count)


def _modularity_memory(cfg: Mapping[str, Any], node_count: int, arcs: int) -> int:
    """Working bytes of modularity optimisation: the colouring, the level graph's arcs (source,
    target, weight) twice (as given and by colour) and the per-node state."""
    return _k1_memory(cfg, node_count, arcs) + 8 * (7 * _arcs(cfg, arcs) + 8 * node_count)


def _check_min_community_size(size: int, mode: str) -> None:
    if size > 0 and mode not in _SIZE_FILTER_MODES:
        raise ConfigError(
            f"config key 'minCommunitySize' is only accepted in stream and write mode, "
            f"not in {mode} mode"
        )


def _at_least(ids: torch.Tensor, size: int) -> torch.Tensor | None:
    """Mask of the nodes whose group (equal ``ids``) has at least ``size`` members; None when
    no filter applies."""
    if size <= 1:
        return None
    _, inverse, counts = torch.unique(ids, return_inverse=True, return_counts=True)
    return counts[inverse] >= size


# ---------------------------------------------------------------------------- k1coloring
@spec
class K1ColoringConfig(NodeConfig):
    max_iterations: int = option(
        "maxIterations", 10, "maximum colouring rounds (colour, then validate)", min=1
    )
    min_community_size: int = option(
        "minCommunitySize",
        0,
        "stream and write: only nodes whose colour is shared by at least this many nodes",
        min=0,
    )

    def check(self, mode: str) -> None:
        super().check(mode)
        _check_min_community_size(self.min_community_size, mode)


def _k1coloring(graph: Graph, cfg: K1ColoringConfig) -> NodeValues:
    found = k1_coloring(graph, max_iterations=cfg.max_iterations)
    return NodeValues(
        found.colors,
        stats={
            "colorCount": found.color_count,
            "ranIterations": found.ran_iterations,
            "didConverge": found.did_converge,
        },
        mask=_at_least(found.colors, cfg.min_community_size),
    )


register(
    Procedure(
        name="k1coloring",
        description="K-1 colouring: a color per node, as few colours as the speculative "
        "greedy rounds find, no two neighbours alike once didConverge (numba on CPU, "
        "vectorised torch on CUDA).",
        category="community",
        working_memory=_k1_memory,
        column="color",
        column_type="int",
        default_orientation="UNDIRECTED",
        weighted=False,
        config=K1ColoringConfig,
        stats_columns={"colorCount": "int", "ranIterations": "int", "didConverge": "bool"},
        compute=_k1coloring,
    )
)


# ---------------------------------------------------------------------------- modularity opt.
@spec
class ModularityOptimizationConfig(NodeConfig):
    max_iterations: int = option(
        "maxIterations", 10, "maximum sweeps over the colour classes", min=1
    )
    tolerance: float = option(
        "tolerance", 1e-4, "a sweep gaining no more modularity than this ends the run", min=0
    )
    seed_property: str | None = option(
        "seedProperty", None, "node property with initial community ids (non-negative)"
    )
    consecutive_ids: bool = option("consecutiveIds", False, "renumber communities 0..k-1")
    min_community_size: int = option(
        "minCommunitySize",
        0,
        "stream and write: only nodes of communities with at least this many nodes",
        min=0,
    )

    def check(self, mode: str) -> None:
        super().check(mode)
        if self.consecutive_ids and self.seed_property is not None:
            raise ConfigError("config keys 'consecutiveIds' and 'seedProperty' cannot be combined")
        _check_min_community_size(self.min_community_size, mode)


def _modularity_optimization(graph: Graph, cfg: ModularityOptimizationConfig) -> NodeValues:
    weighted = _weights(graph, cfg, "modularityOptimization")
    seeds = _node_values(graph, cfg.seed_property)
    if seeds is not None and bool((seeds[~torch.isnan(seeds)] < 0).any()):
        raise ConfigError("config key 'seedProperty': seed values must be non-negative")
    found = modularity_optimization(
        graph,
        weighted=weighted,
        max_iterations=cfg.max_iterations,
        tolerance=cfg.tolerance,
        seeds=seeds,
    )
    ids = _consecutive(found.communities, cfg.consecutive_ids)
    stats: dict[str, Any] = {
        "nodes": graph.num_nodes,
        "modularity": found.modularity,
        "ranIterations": found.ran_iterations,
        "didConverge": found.did_converge,
    }
    mask = _at_least(ids, cfg.min_community_size)
    if mask is not None:  # the counts describe every community, not only those kept
        sizes = torch.unique(ids, return_counts=True)[1].cpu().numpy()
        stats["communityCount"] = int(sizes.size)
        stats["communityDistribution"] = distribution(sizes.astype(np.float64))
    return NodeValues(ids, stats=stats, mask=mask)


register(
    Procedure(
        name="modularityOptimization",
        description="Modularity optimisation (one level, moves colour by colour over a K-1 "
        "colouring): a communityId per node (numba on CPU, vectorised torch on CUDA).",
        category="community",
        working_memory=_modularity_memory,
        column="communityId",
        column_type="int",
        default_orientation="UNDIRECTED",
        config=ModularityOptimizationConfig,
        property_keys=("seedProperty",),
        optional_property_keys=("seedProperty",),
        stats_columns={
            "nodes": "int",
            "modularity": "float",
            "ranIterations": "int",
            "didConverge": "bool",
        },
        compute=_modularity_optimization,
    )
)
