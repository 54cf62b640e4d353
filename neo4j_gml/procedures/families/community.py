"""Community procedures: a community (component) id per node.

Each procedure has a typed config class (:mod:`neo4j_gml.procedures.spec`); ``compute``
receives an instance of it.

``seedProperty`` follows GDS: a node without a seed value starts unseeded (alone in its
community or component); the procedures declare it in ``optional_property_keys``, so the
projection reads a missing value as ``NaN`` instead of refusing it.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from neo4j_gml.algorithms.community.kmeans import kmeans
from neo4j_gml.algorithms.community.label_propagation import label_propagation
from neo4j_gml.algorithms.community.local_clustering import local_clustering
from neo4j_gml.algorithms.community.louvain import Communities, apply_seeds, leiden, louvain
from neo4j_gml.algorithms.community.metrics import check_weights
from neo4j_gml.algorithms.community.partition_quality import (
    conductance_per_community,
    modularity_per_community,
)
from neo4j_gml.algorithms.community.scc import strongly_connected_components
from neo4j_gml.algorithms.community.triangles import (
    local_clustering_coefficient,
    triangle_count,
)
from neo4j_gml.algorithms.community.wcc import weakly_connected_components
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures.config import REQUIRED
from neo4j_gml.procedures.estimate import igraph_memory, linear_memory, louvain_memory
from neo4j_gml.procedures.registry import NodeValues, Procedure, Rows, register
from neo4j_gml.procedures.spec import NodeConfig, ProcedureConfig, option

spec = dataclass(frozen=True, kw_only=True, eq=False)


# ---------------------------------------------------------------------------- shared helpers
def _node_values(graph: Graph, name: str | None) -> torch.Tensor | None:
    """The loaded node property ``name`` (``None`` when no property is named)."""
    return None if name is None else graph.node_properties[name]


def _weights(graph: Graph, cfg: ProcedureConfig, procedure: str) -> bool:
    """Whether the run is weighted; NaN, infinite or negative weights raise a ConfigError that
    names ``relationshipWeightProperty``."""
    if cfg.relationship_weight_property is None or graph.weights is None:
        return False
    problem = check_weights(graph.weights)
    if problem:
        raise ConfigError(
            f"config key 'relationshipWeightProperty': relationship weights {problem} "
            f"for gml.{procedure}"
        )
    return True


def _consecutive(ids: torch.Tensor, consecutive_ids: bool) -> torch.Tensor:
    """``ids`` renumbered ``0..k-1`` (in the order of the ids) when ``consecutive_ids``."""
    return torch.unique(ids, return_inverse=True)[1] if consecutive_ids else ids


# ---------------------------------------------------------------------------- wcc
@spec
class WccConfig(NodeConfig):
    threshold: float | None = option(
        "threshold", None, "only relationships heavier than this connect"
    )
    seed_property: str | None = option(
        "seedProperty", None, "node property with initial component ids"
    )
    consecutive_ids: bool = option("consecutiveIds", False, "renumber components 0..k-1")

    def check(self, mode: str) -> None:
        super().check(mode)
        if self.consecutive_ids and self.seed_property is not None:
            raise ConfigError("config keys 'consecutiveIds' and 'seedProperty' cannot be combined")


def _wcc(graph: Graph, cfg: WccConfig) -> NodeValues:
    ids = weakly_connected_components(
        graph, threshold=cfg.threshold, seeds=_node_values(graph, cfg.seed_property)
    )
    return NodeValues(_consecutive(ids, cfg.consecutive_ids))


register(
    Procedure(
        name="wcc",
        description="Weakly connected components: nodes joined by relationships in either "
        "direction share a componentId.",
        category="community",
        working_memory=linear_memory(4),
        column="componentId",
        column_type="int",
        config=WccConfig,
        property_keys=("seedProperty",),
        optional_property_keys=("seedProperty",),
        compute=_wcc,
    )
)


# ---------------------------------------------------------------------------- louvain, leiden
@spec
class LevelsConfig(NodeConfig):
    """Keys shared by the multi-level modularity optimisers (louvain, leiden)."""

    max_levels: int = option("maxLevels", 10, "maximum number of aggregation levels", min=1)
    tolerance: float = option("tolerance", 1e-4, "minimum modularity gain to go on", min=0)
    include_intermediate_communities: bool = option(
        "includeIntermediateCommunities", False, "also stream the community id of every level"
    )
    seed_property: str | None = option(
        "seedProperty", None, "node property with initial community ids"
    )
    consecutive_ids: bool = option("consecutiveIds", False, "renumber communities 0..k-1")

    def check(self, mode: str) -> None:
        super().check(mode)
        if self.consecutive_ids and self.include_intermediate_communities:
            raise ConfigError(
                "config keys 'consecutiveIds' and 'includeIntermediateCommunities' cannot be "
                "combined"
            )


def _levels_column(levels: list[torch.Tensor], n: int, device: torch.device) -> torch.Tensor:
    if not levels:
        return torch.zeros((n, 0), dtype=torch.long, device=device)
    return torch.stack(levels, dim=1)


def _modularity_result(graph: Graph, cfg: LevelsConfig, found: Communities) -> NodeValues:
    ids = apply_seeds(found.communities, _node_values(graph, cfg.seed_property))
    extra = {}
    if cfg.include_intermediate_communities:
        extra["intermediateCommunityIds"] = _levels_column(
            found.levels, graph.num_nodes, graph.device
        )
    return NodeValues(
        _consecutive(ids, cfg.consecutive_ids),
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


@spec
class LouvainConfig(LevelsConfig):
    max_iterations: int = option(
        "maxIterations", 10, "maximum local-moving passes per level", min=1
    )


def _louvain(graph: Graph, cfg: LouvainConfig) -> NodeValues:
    weighted = _weights(graph, cfg, "louvain")
    found = louvain(
        graph,
        weighted=weighted,
        max_levels=cfg.max_levels,
        max_iterations=cfg.max_iterations,
        tolerance=cfg.tolerance,
        seeds=_node_values(graph, cfg.seed_property),
    )
    return _modularity_result(graph, cfg, found)


register(
    Procedure(
        name="louvain",
        description="Louvain modularity optimisation: a communityId per node (sequential local "
        "moving compiled with numba on CPU, "
        "vectorised torch local moving on CUDA).",
        category="community",
        working_memory=louvain_memory,
        column="communityId",
        column_type="int",
        default_orientation="UNDIRECTED",
        config=LouvainConfig,
        property_keys=("seedProperty",),
        optional_property_keys=("seedProperty",),
        stats_columns=_MODULARITY_STATS,
        extra_columns={"intermediateCommunityIds": "floatList"},
        compute=_louvain,
    )
)


@spec
class LeidenConfig(LevelsConfig):
    gamma: float = option("gamma", 1.0, "resolution", min=0, min_exclusive=True)
    theta: float = option("theta", 0.01, "randomness of the refinement", min=0, min_exclusive=True)
    random_seed: int | None = option("randomSeed", None, "seed of the random choices")


def _leiden(graph: Graph, cfg: LeidenConfig) -> NodeValues:
    weighted = _weights(graph, cfg, "leiden")
    found = leiden(
        graph,
        weighted=weighted,
        max_levels=cfg.max_levels,
        tolerance=cfg.tolerance,
        gamma=cfg.gamma,
        theta=cfg.theta,
        seeds=_node_values(graph, cfg.seed_property),
        random_seed=cfg.random_seed,
        include_intermediate=cfg.include_intermediate_communities,
    )
    return _modularity_result(graph, cfg, found)


register(
    Procedure(
        name="leiden",
        description="Leiden modularity optimisation (well-connected communities): a "
        "communityId per node (igraph on CPU, vectorised torch on CUDA).",
        category="community",
        working_memory=igraph_memory,
        column="communityId",
        column_type="int",
        default_orientation="UNDIRECTED",
        config=LeidenConfig,
        property_keys=("seedProperty",),
        optional_property_keys=("seedProperty",),
        stats_columns=_MODULARITY_STATS,
        extra_columns={"intermediateCommunityIds": "floatList"},
        compute=_leiden,
    )
)


# ---------------------------------------------------------------------------- scc, lpa
@spec
class SccConfig(NodeConfig):
    consecutive_ids: bool = option("consecutiveIds", False, "renumber components 0..k-1")


register(
    Procedure(
        name="scc",
        description="Strongly connected components: nodes that reach each other along "
        "relationship directions share a componentId.",
        category="community",
        column="componentId",
        column_type="int",
        weighted=False,
        config=SccConfig,
        compute=lambda g, c: NodeValues(
            _consecutive(strongly_connected_components(g), c.consecutive_ids)
        ),
    )
)


@spec
class LabelPropagationConfig(NodeConfig):
    max_iterations: int = option("maxIterations", 10, "maximum number of iterations", min=1)
    node_weight_property: str | None = option(
        "nodeWeightProperty", None, "node property weighting a node's vote"
    )
    seed_property: str | None = option("seedProperty", None, "node property with initial labels")
    consecutive_ids: bool = option("consecutiveIds", False, "renumber communities 0..k-1")


def _label_propagation(graph: Graph, cfg: LabelPropagationConfig) -> NodeValues:
    weighted = _weights(graph, cfg, "labelPropagation")
    node_weights = _node_values(graph, cfg.node_weight_property)
    if node_weights is not None:
        problem = check_weights(node_weights)
        if problem:
            raise ConfigError(f"config key 'nodeWeightProperty': node weights {problem}")
    labels, ran, converged = label_propagation(
        graph,
        weighted=weighted,
        max_iterations=cfg.max_iterations,
        seeds=_node_values(graph, cfg.seed_property),
        node_weights=node_weights,
    )
    return NodeValues(
        _consecutive(labels, cfg.consecutive_ids),
        stats={"ranIterations": ran, "didConverge": converged},
    )


register(
    Procedure(
        name="labelPropagation",
        description="Label propagation: every node repeatedly adopts the label with the largest "
        "(weighted) vote among its neighbours; a communityId per node.",
        category="community",
        column="communityId",
        column_type="int",
        config=LabelPropagationConfig,
        property_keys=("seedProperty", "nodeWeightProperty"),
        optional_property_keys=("seedProperty",),
        stats_columns={"ranIterations": "int", "didConverge": "bool"},
        compute=_label_propagation,
    )
)


# ---------------------------------------------------------------------------- triangles
@spec
class TriangleCountConfig(NodeConfig):
    max_degree: int | None = option(
        "maxDegree", None, "nodes of higher degree get -1 and are left out", min=0
    )


def _triangle_count(graph: Graph, cfg: TriangleCountConfig) -> NodeValues:
    counts, total = triangle_count(graph, max_degree=cfg.max_degree)
    return NodeValues(counts, stats={"globalTriangleCount": total})


register(
    Procedure(
        name="triangleCount",
        description="Triangles through every node of the undirected graph; nodes above "
        "maxDegree get -1 and are left out.",
        category="community",
        column="triangleCount",
        column_type="int",
        default_orientation="UNDIRECTED",
        weighted=False,
        config=TriangleCountConfig,
        stats_columns={"globalTriangleCount": "int"},
        compute=_triangle_count,
    )
)


@spec
class LocalClusteringCoefficientConfig(NodeConfig):
    triangle_count_property: str | None = option(
        "triangleCountProperty", None, "node property holding precomputed triangle counts"
    )


def _local_clustering(graph: Graph, cfg: LocalClusteringCoefficientConfig) -> NodeValues:
    given = _node_values(graph, cfg.triangle_count_property)
    coef, average = local_clustering_coefficient(
        graph, triangles=None if given is None else given.to(torch.long)
    )
    return NodeValues(coef, stats={"averageClusteringCoefficient": average})


register(
    Procedure(
        name="localClusteringCoefficient",
        description="Local clustering coefficient of every node of the undirected graph: the "
        "share of its neighbour pairs that are linked.",
        category="community",
        column="localClusteringCoefficient",
        default_orientation="UNDIRECTED",
        weighted=False,
        config=LocalClusteringCoefficientConfig,
        property_keys=("triangleCountProperty",),
        stats_columns={"averageClusteringCoefficient": "float"},
        compute=_local_clustering,
    )
)


# ---------------------------------------------------------------------------- partition quality
@spec
class PartitionConfig(NodeConfig):
    """modularity and conductance: the quality of a given partition."""

    community_property: str = option(
        "communityProperty", REQUIRED, "node property holding community ids"
    )


def _community_values(graph: Graph, cfg: PartitionConfig) -> torch.Tensor:
    values = graph.node_properties[cfg.community_property]
    if values.ndim != 1:
        raise ConfigError("config key 'communityProperty' must name a number property")
    return values


def _modularity(graph: Graph, cfg: PartitionConfig) -> Rows:
    weighted = _weights(graph, cfg, "modularity")
    ids, terms, total = modularity_per_community(
        graph, _community_values(graph, cfg), weighted=weighted
    )
    return Rows(
        {"communityId": ids.cpu().tolist(), "modularity": terms.cpu().tolist()},
        stats={"modularity": total, "communityCount": ids.numel()},
    )


register(
    Procedure(
        name="modularity",
        description="Modularity of a given partition (communityProperty), per community.",
        category="community",
        result="rows",
        rows_columns={"communityId": "int", "modularity": "float"},
        default_orientation="UNDIRECTED",
        config=PartitionConfig,
        property_keys=("communityProperty",),
        stats_columns={"modularity": "float", "communityCount": "int"},
        modes=("stream", "stats"),
        compute=_modularity,
    )
)


def _conductance(graph: Graph, cfg: PartitionConfig) -> Rows:
    weighted = _weights(graph, cfg, "conductance")
    ids, values = conductance_per_community(graph, _community_values(graph, cfg), weighted=weighted)
    keep = ~torch.isnan(values)
    ids, values = ids[keep], values[keep]
    average = float(values.mean().item()) if values.numel() else 0.0
    return Rows(
        {"community": ids.cpu().tolist(), "conductance": values.cpu().tolist()},
        stats={"averageConductance": average, "communityCount": ids.numel()},
    )


register(
    Procedure(
        name="conductance",
        description="Conductance of every community of a given partition (communityProperty): "
        "the share of its relationship weight that leaves it.",
        category="community",
        result="rows",
        rows_columns={"community": "int", "conductance": "float"},
        config=PartitionConfig,
        property_keys=("communityProperty",),
        stats_columns={"averageConductance": "float", "communityCount": "int"},
        modes=("stream", "stats"),
        compute=_conductance,
    )
)


# ---------------------------------------------------------------------------- kmeans
@spec
class KmeansConfig(NodeConfig):
    node_property: str = option(
        "nodeProperty", REQUIRED, "node property (list of numbers) to cluster"
    )
    k: int = option("k", 10, "number of clusters", min=1)
    max_iterations: int = option("maxIterations", 10, "maximum iterations per restart", min=1)
    delta_threshold: float = option(
        "deltaThreshold",
        0.05,
        "stop when at most this share of nodes changed cluster",
        min=0,
        max=1,
    )
    number_of_restarts: int = option(
        "numberOfRestarts", 1, "independent runs; the best is kept", min=1
    )
    random_seed: int | None = option("randomSeed", None, "seed of the initial centroids")
    initial_sampler: str = option(
        "initialSampler", "uniform", "uniform or kmeans++", choices=("uniform", "kmeans++")
    )


def _kmeans(graph: Graph, cfg: KmeansConfig) -> NodeValues:
    x = graph.node_properties[cfg.node_property]
    if bool(torch.isnan(x).any()):
        raise ConfigError("config key 'nodeProperty': the property has missing (NaN) values")
    found = kmeans(
        x,
        k=cfg.k,
        max_iterations=cfg.max_iterations,
        delta_threshold=cfg.delta_threshold,
        number_of_restarts=cfg.number_of_restarts,
        sampler=cfg.initial_sampler,
        random_seed=cfg.random_seed,
    )
    average = float(found.distances.mean().item()) if found.distances.numel() else 0.0
    return NodeValues(
        found.communities,
        extra={"distanceFromCentroid": found.distances},
        stats={
            "centroids": found.centroids.cpu().tolist(),
            "averageDistanceToCentroid": average,
            "ranIterations": found.ran_iterations,
            "didConverge": found.did_converge,
        },
    )


register(
    Procedure(
        name="kmeans",
        description="K-means clustering of a list-valued node property: a communityId per node "
        "and its distance to the centroid.",
        category="community",
        column="communityId",
        column_type="int",
        weighted=False,
        config=KmeansConfig,
        property_keys=("nodeProperty",),
        extra_columns={"distanceFromCentroid": "float"},
        stats_columns={
            "centroids": "list",
            "averageDistanceToCentroid": "float",
            "ranIterations": "int",
            "didConverge": "bool",
        },
        compute=_kmeans,
    )
)


# ---------------------------------------------------------------------------- local clustering
@spec
class LocalClusteringConfig(NodeConfig):
    source_nodes: list[int] = option("sourceNodes", REQUIRED, "Neo4j ids of the seed nodes")
    method: str = option(
        "method",
        "PPR",
        "PPR (Andersen-Chung-Lang push) or FLOW (l2 flow diffusion)",
        choices=("PPR", "FLOW"),
    )
    alpha: float = option(
        "alpha", 0.15, "PPR teleport probability", min=0, max=1, min_exclusive=True
    )
    epsilon: float = option(
        "epsilon",
        1e-4,
        "PPR residual / FLOW excess allowed per unit degree",
        min=0,
        min_exclusive=True,
    )
    source_mass: float | None = option(
        "sourceMass",
        None,
        "FLOW: total mass on the seeds (default 100 x their summed degree)",
        min=0,
        min_exclusive=True,
    )
    label_property: str | None = option(
        "labelProperty",
        None,
        "node property with noisy labels; relationships "
        "between nodes of the seeds' label are weighted up",
    )
    label_weight: float = option(
        "labelWeight",
        2.0,
        "weight factor for relationships between nodes of the seeds' label",
        min=0,
        min_exclusive=True,
    )
    max_iterations: int = option("maxIterations", 1000, "maximum diffusion rounds", min=1)


def _local_clustering_proc(graph: Graph, cfg: LocalClusteringConfig) -> NodeValues:
    weighted = _weights(graph, cfg, "localClustering")
    try:
        sources = graph.positions_of(cfg.source_nodes, what="source node")
    except KeyError as exc:
        raise ConfigError(f"config key 'sourceNodes': {exc.args[0]}") from None
    if graph.num_nodes and sources.numel() == 0:
        raise ConfigError("config key 'sourceNodes' must name at least one node")
    found = local_clustering(
        graph,
        sources,
        method=cfg.method,
        alpha=cfg.alpha,
        epsilon=cfg.epsilon,
        source_mass=cfg.source_mass,
        labels=_node_values(graph, cfg.label_property),
        label_weight=cfg.label_weight,
        weighted=weighted,
        max_iterations=cfg.max_iterations,
    )
    return NodeValues(
        found.scores,
        extra={"inCluster": found.in_cluster.to(torch.long)},
        stats={
            "conductance": found.conductance,
            "clusterSize": found.size,
            "ranIterations": found.ran_iterations,
            "didConverge": found.did_converge,
        },
        mask=(found.scores > 0) | found.in_cluster,
    )


register(
    Procedure(
        name="localClustering",
        description="Seeded local community detection: a personalised-PageRank push or l2 flow "
        "diffusion from sourceNodes, then the sweep cut of least conductance. Streams the nodes "
        "the diffusion reached.",
        category="community",
        default_orientation="UNDIRECTED",
        config=LocalClusteringConfig,
        property_keys=("labelProperty",),
        extra_columns={"inCluster": "int"},
        stats_columns={
            "conductance": "float",
            "clusterSize": "int",
            "ranIterations": "int",
            "didConverge": "bool",
        },
        compute=_local_clustering_proc,
    )
)
