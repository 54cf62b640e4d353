"""Community procedures: a community (component) id per node."""

from __future__ import annotations

import torch

from neo4j_gml.algorithms.community.louvain import Communities, apply_seeds, leiden, louvain
from neo4j_gml.algorithms.community.metrics import check_weights
from neo4j_gml.algorithms.community.wcc import weakly_connected_components
from neo4j_gml.graph import Graph
from neo4j_gml.procedures.config import ConfigError, Key
from neo4j_gml.procedures.registry import NodeValues, Procedure, register


def _seed_values(graph, name):  # noqa: ANN001, ANN202
    return None if name is None else graph.node_properties[name]


def _wcc(graph: Graph, cfg: dict) -> NodeValues:
    ids = weakly_connected_components(
        graph, threshold=cfg["threshold"], seeds=_seed_values(graph, cfg["seedProperty"])
    )
    if cfg["consecutiveIds"]:
        if cfg["seedProperty"] is not None:
            raise ConfigError("config keys 'consecutiveIds' and 'seedProperty' cannot be combined")
        ids = torch.unique(ids, return_inverse=True)[1]
    return NodeValues(ids)


register(
    Procedure(
        name="wcc",
        description="Weakly connected components: nodes joined by relationships in either "
        "direction share a componentId.",
        category="community",
        column="componentId",
        column_type="int",
        keys=(
            Key("threshold", "float?", None, "only relationships heavier than this connect"),
            Key("seedProperty", "str?", None, "node property with initial component ids"),
            Key("consecutiveIds", "bool", False, "renumber components 0..k-1"),
        ),
        property_keys=("seedProperty",),
        compute=lambda g, c: _wcc(g, c),
    )
)


# ---------------------------------------------------------------------------- shared helpers
def _weights(graph: Graph, cfg: dict, *, allow_negative: bool = False) -> bool:
    """Whether the run is weighted; bad weights raise ConfigError naming the weight key."""
    if cfg.get("relationshipWeightProperty") is None or graph.weights is None:
        return False
    problem = check_weights(graph.weights, allow_negative=allow_negative)
    if problem:
        raise ConfigError(
            f"config key 'relationshipWeightProperty': relationship weights {problem} "
            f"for gml.{cfg.get('_procedure', 'this procedure')}"
        )
    return True


def _weights_for(name: str, allow_negative: bool = False):  # noqa: ANN202
    def check(graph: Graph, cfg: dict) -> bool:
        return _weights(graph, {**cfg, "_procedure": name}, allow_negative=allow_negative)

    return check


def _levels_column(levels: list[torch.Tensor], n: int, device: torch.device) -> torch.Tensor:
    if not levels:
        return torch.zeros((n, 0), dtype=torch.long, device=device)
    return torch.stack(levels, dim=1)


def _modularity_result(graph: Graph, cfg: dict, found: Communities) -> NodeValues:
    seeds = _seed_values(graph, cfg["seedProperty"])
    ids = apply_seeds(found.communities, seeds)
    if cfg["consecutiveIds"]:
        if cfg["includeIntermediateCommunities"]:
            raise ConfigError(
                "config keys 'consecutiveIds' and 'includeIntermediateCommunities' cannot be "
                "combined"
            )
        ids = torch.unique(ids, return_inverse=True)[1]
    extra = {}
    if cfg["includeIntermediateCommunities"]:
        extra["intermediateCommunityIds"] = _levels_column(
            found.levels, graph.num_nodes, graph.device
        )
    return NodeValues(
        ids,
        extra=extra,
        stats={
            "modularity": found.modularity,
            "modularities": list(found.modularities),
            "ranLevels": found.ran_levels,
            "ranIterations": found.ran_iterations,
            "didConverge": found.did_converge,
        },
    )


_MODULARITY_STATS = {
    "modularity": "float",
    "modularities": "floatList",
    "ranLevels": "int",
    "ranIterations": "int",
    "didConverge": "bool",
}


def _louvain(graph: Graph, cfg: dict) -> NodeValues:
    weighted = _weights_for("louvain")(graph, cfg)
    found = louvain(
        graph,
        weighted=weighted,
        max_levels=cfg["maxLevels"],
        max_iterations=cfg["maxIterations"],
        tolerance=cfg["tolerance"],
        seeds=_seed_values(graph, cfg["seedProperty"]),
    )
    return _modularity_result(graph, cfg, found)


register(
    Procedure(
        name="louvain",
        description="Louvain modularity optimisation: a communityId per node (igraph on CPU, "
        "vectorised torch local moving on CUDA).",
        category="community",
        column="communityId",
        column_type="int",
        default_orientation="UNDIRECTED",
        keys=(
            Key("maxLevels", "int", 10, "maximum number of aggregation levels", min=1),
            Key("maxIterations", "int", 10, "maximum local-moving passes per level", min=1),
            Key("tolerance", "float", 1e-4, "minimum modularity gain to go on", min=0),
            Key(
                "includeIntermediateCommunities",
                "bool",
                False,
                "also stream the community id of every level",
            ),
            Key("seedProperty", "str?", None, "node property with initial community ids"),
            Key("consecutiveIds", "bool", False, "renumber communities 0..k-1"),
        ),
        property_keys=("seedProperty",),
        stats_columns=_MODULARITY_STATS,
        extra_columns={"intermediateCommunityIds": "floatList"},
        compute=_louvain,
    )
)


def _leiden(graph: Graph, cfg: dict) -> NodeValues:
    weighted = _weights_for("leiden")(graph, cfg)
    found = leiden(
        graph,
        weighted=weighted,
        max_levels=cfg["maxLevels"],
        tolerance=cfg["tolerance"],
        gamma=cfg["gamma"],
        theta=cfg["theta"],
        seeds=_seed_values(graph, cfg["seedProperty"]),
        random_seed=cfg["randomSeed"],
        include_intermediate=cfg["includeIntermediateCommunities"],
    )
    return _modularity_result(graph, cfg, found)


register(
    Procedure(
        name="leiden",
        description="Leiden modularity optimisation (well-connected communities): a "
        "communityId per node (igraph on CPU, vectorised torch on CUDA).",
        category="community",
        column="communityId",
        column_type="int",
        default_orientation="UNDIRECTED",
        keys=(
            Key("maxLevels", "int", 10, "maximum number of aggregation levels", min=1),
            Key("gamma", "float", 1.0, "resolution", min=0, min_exclusive=True),
            Key("theta", "float", 0.01, "randomness of the refinement", min=0, min_exclusive=True),
            Key("tolerance", "float", 1e-4, "minimum modularity gain to go on", min=0),
            Key(
                "includeIntermediateCommunities",
                "bool",
                False,
                "also stream the community id of every level",
            ),
            Key("seedProperty", "str?", None, "node property with initial community ids"),
            Key("randomSeed", "int?", None, "seed of the random choices"),
            Key("consecutiveIds", "bool", False, "renumber communities 0..k-1"),
        ),
        property_keys=("seedProperty",),
        stats_columns=_MODULARITY_STATS,
        extra_columns={"intermediateCommunityIds": "floatList"},
        compute=_leiden,
    )
)
