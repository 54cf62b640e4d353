"""Overlapping communities and k-cuts: ``sllpa`` and ``maxkcut``.

* ``sllpa`` (GDS's ``gds.sllpa``, alpha): speaker-listener label propagation; every node gets
  a list of community ids, streamed as GDS streams it, ``nodeId, values`` with ``values`` a map
  ``{communityIds: [...]}``. Stream and stats modes only: GDS's mutate and write modes store a
  list of a different length per node, which the runner's node results (one tensor row per
  node) cannot hold yet.
* ``maxkcut`` (GDS's ``gds.maxkcut``): approximate maximum k-cut, a ``communityId`` in
  ``0..k-1`` per node and the ``cutCost``; GDS has stream and mutate modes, stats and write
  come with the registry. ``minCommunitySize`` (a stream key in GDS) leaves out the nodes of
  smaller communities in every mode.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from neo4j_gml.algorithms.community.maxkcut import approx_max_k_cut
from neo4j_gml.algorithms.community.metrics import check_weights
from neo4j_gml.algorithms.community.sllpa import speaker_listener_lpa
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.core.graph_store import PAD
from neo4j_gml.procedures.config import REQUIRED
from neo4j_gml.procedures.estimate import BYTES
from neo4j_gml.procedures.registry import NodeValues, Procedure, Rows, register
from neo4j_gml.procedures.spec import NodeConfig, option

spec = dataclass(frozen=True, kw_only=True, eq=False)


# ---------------------------------------------------------------------------- sllpa
@spec
class SllpaConfig(NodeConfig):
    max_iterations: int = option(
        "maxIterations", REQUIRED, "supersteps, and the length of every node's label memory", min=0
    )
    min_association_strength: float = option(
        "minAssociationStrength",
        0.2,
        "keep a community whose share of a node's memory is greater than this",
        min=0,
        max=1,
    )
    partitioning: str = option(
        "partitioning",
        "RANGE",
        "accepted for GDS compatibility (its thread partitioning); has no effect",
        choices=("AUTO", "RANGE", "DEGREE"),
    )
    random_seed: int | None = option(
        "randomSeed", None, "seed of the speakers' draws (not in GDS, whose runs are unseeded)"
    )


def _sllpa(graph: Graph, cfg: SllpaConfig) -> Rows:
    found = speaker_listener_lpa(
        graph,
        max_iterations=cfg.max_iterations,
        min_association_strength=cfg.min_association_strength,
        random_seed=cfg.random_seed,
    )
    return Rows(
        columns={
            "nodeId": graph.node_ids.cpu().tolist(),
            "values": [{"communityIds": ids} for ids in found.lists()],
        },
        stats={"ranIterations": found.ran_iterations, "didConverge": found.did_converge},
        node_lists=_padded(found.community_ids, found.offsets),
    )


def _padded(ids: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
    """``int64[n, L]``: row ``i`` holds ``ids[offsets[i]:offsets[i + 1]]``, then :data:`PAD`
    (what write and mutate modes store: a list of a different length per node)."""
    lengths = offsets[1:] - offsets[:-1]
    n = lengths.numel()
    width = int(lengths.max().item()) if n else 0
    out = torch.full((n, width), PAD, dtype=torch.long, device=ids.device)
    rows = torch.repeat_interleave(torch.arange(n, device=ids.device), lengths)
    cols = torch.arange(ids.numel(), device=ids.device) - offsets[:-1][rows]
    out[rows, cols] = ids.to(torch.long)
    return out


def _sllpa_memory(cfg: Any, nodes: int, arcs: int) -> int:
    """The label memory (``maxIterations`` ids per node) and the messages (two per arc)."""
    return BYTES * (nodes * (int(cfg["maxIterations"]) + 2) + 3 * arcs)


register(
    Procedure(
        name="sllpa",
        description="Speaker-listener label propagation: overlapping communities, a list of "
        "communityIds per node (relationship weights are ignored, as in GDS).",
        category="community",
        result="rows",
        rows_columns={"nodeId": "int", "values": "map"},
        # write and mutate store each node's list (Rows.node_lists) as a node property
        modes=("stream", "stats", "write", "mutate"),
        config=SllpaConfig,
        stats_columns={"ranIterations": "int", "didConverge": "bool"},
        working_memory=_sllpa_memory,
        compute=_sllpa,
    )
)


# ---------------------------------------------------------------------------- maxkcut
@spec
class MaxKCutConfig(NodeConfig):
    k: int = option("k", 2, "number of communities", min=2, max=127)
    iterations: int = option(
        "iterations", 8, "GRASP rounds; the best cut of all rounds is returned", min=1
    )
    vns_max_neighborhood_order: int = option(
        "vnsMaxNeighborhoodOrder",
        0,
        "most nodes variable neighbourhood search moves at once (0: no VNS)",
        min=0,
    )
    random_seed: int | None = option("randomSeed", None, "seed of all random choices")
    min_community_size: int = option(
        "minCommunitySize", 0, "only nodes in communities of at least this size are returned", min=0
    )


def _maxkcut(graph: Graph, cfg: MaxKCutConfig) -> NodeValues:
    weighted = cfg.relationship_weight_property is not None and graph.weights is not None
    if weighted:
        assert graph.weights is not None
        problem = check_weights(graph.weights, allow_negative=True)
        if problem:
            raise ConfigError(
                f"config key 'relationshipWeightProperty': relationship weights {problem} "
                "for gml.maxkcut"
            )
    cut = approx_max_k_cut(
        graph,
        k=cfg.k,
        iterations=cfg.iterations,
        vns_max_neighborhood_order=cfg.vns_max_neighborhood_order,
        weighted=weighted,
        random_seed=cfg.random_seed,
    )
    mask = None
    if cfg.min_community_size > 0:
        sizes = torch.bincount(cut.communities, minlength=cfg.k)
        mask = sizes[cut.communities] >= cfg.min_community_size
    return NodeValues(cut.communities, stats={"cutCost": cut.cost}, mask=mask)


def _maxkcut_memory(cfg: Any, nodes: int, arcs: int) -> int:
    """Two candidate cuts, the node-to-community weights (``k`` per node) and the arc keys."""
    return BYTES * (nodes * (2 * int(cfg["k"]) + 6) + 3 * arcs)


register(
    Procedure(
        name="maxkcut",
        description="Approximate maximum k-cut (GRASP local search, optional VNS): a "
        "communityId in 0..k-1 per node maximising the weight of relationships between "
        "communities; the cutCost.",
        category="community",
        column="communityId",
        column_type="int",
        config=MaxKCutConfig,
        stats_columns={"cutCost": "float"},
        working_memory=_maxkcut_memory,
        compute=_maxkcut,
    )
)
