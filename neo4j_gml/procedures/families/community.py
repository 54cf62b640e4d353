"""Community procedures: a community (component) id per node."""

from __future__ import annotations

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
from neo4j_gml.procedures.config import REQUIRED, Key
from neo4j_gml.procedures.registry import NodeValues, Procedure, Rows, register


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
        compute=_wcc,
    )
)


# ---------------------------------------------------------------------------- shared helpers
def _weights(graph: Graph, cfg: dict, procedure: str) -> bool:
    """Whether the run is weighted; NaN, infinite or negative weights raise a ConfigError that
    names ``relationshipWeightProperty``."""
    if cfg.get("relationshipWeightProperty") is None or graph.weights is None:
        return False
    problem = check_weights(graph.weights)
    if problem:
        raise ConfigError(
            f"config key 'relationshipWeightProperty': relationship weights {problem} "
            f"for gml.{procedure}"
        )
    return True


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
    weighted = _weights(graph, cfg, "louvain")
    found = louvain(
        graph,
        weighted=weighted,
        max_levels=cfg["maxLevels"],
        max_iterations=cfg["maxIterations"],
        tolerance=cfg["tolerance"],
        seeds=_seed_values(graph, cfg["seedProperty"]),
    )
    return _modularity_result(graph, cfg, found)


# keys shared by the multi-level modularity optimisers (louvain, leiden)
_LEVEL_KEYS = (
    Key("maxLevels", "int", 10, "maximum number of aggregation levels", min=1),
    Key("tolerance", "float", 1e-4, "minimum modularity gain to go on", min=0),
    Key(
        "includeIntermediateCommunities",
        "bool",
        False,
        "also stream the community id of every level",
    ),
    Key("seedProperty", "str?", None, "node property with initial community ids"),
    Key("consecutiveIds", "bool", False, "renumber communities 0..k-1"),
)


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
            *_LEVEL_KEYS,
            Key("maxIterations", "int", 10, "maximum local-moving passes per level", min=1),
        ),
        property_keys=("seedProperty",),
        stats_columns=_MODULARITY_STATS,
        extra_columns={"intermediateCommunityIds": "floatList"},
        compute=_louvain,
    )
)


def _leiden(graph: Graph, cfg: dict) -> NodeValues:
    weighted = _weights(graph, cfg, "leiden")
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
            *_LEVEL_KEYS,
            Key("gamma", "float", 1.0, "resolution", min=0, min_exclusive=True),
            Key("theta", "float", 0.01, "randomness of the refinement", min=0, min_exclusive=True),
            Key("randomSeed", "int?", None, "seed of the random choices"),
        ),
        property_keys=("seedProperty",),
        stats_columns=_MODULARITY_STATS,
        extra_columns={"intermediateCommunityIds": "floatList"},
        compute=_leiden,
    )
)


# ---------------------------------------------------------------------------- scc, lpa
def _consecutive(ids: torch.Tensor, cfg: dict) -> torch.Tensor:
    return torch.unique(ids, return_inverse=True)[1] if cfg["consecutiveIds"] else ids


register(
    Procedure(
        name="scc",
        description="Strongly connected components: nodes that reach each other along "
        "relationship directions share a componentId.",
        category="community",
        column="componentId",
        column_type="int",
        weighted=False,
        keys=(Key("consecutiveIds", "bool", False, "renumber components 0..k-1"),),
        compute=lambda g, c: NodeValues(_consecutive(strongly_connected_components(g), c)),
    )
)


def _label_propagation(graph: Graph, cfg: dict) -> NodeValues:
    weighted = _weights(graph, cfg, "labelPropagation")
    node_weights = _seed_values(graph, cfg["nodeWeightProperty"])
    if node_weights is not None:
        problem = check_weights(node_weights)
        if problem:
            raise ConfigError(f"config key 'nodeWeightProperty': node weights {problem}")
    labels, ran, converged = label_propagation(
        graph,
        weighted=weighted,
        max_iterations=cfg["maxIterations"],
        seeds=_seed_values(graph, cfg["seedProperty"]),
        node_weights=node_weights,
    )
    return NodeValues(
        _consecutive(labels, cfg), stats={"ranIterations": ran, "didConverge": converged}
    )


register(
    Procedure(
        name="labelPropagation",
        description="Label propagation: every node repeatedly adopts the label with the largest "
        "(weighted) vote among its neighbours; a communityId per node.",
        category="community",
        column="communityId",
        column_type="int",
        keys=(
            Key("maxIterations", "int", 10, "maximum number of iterations", min=1),
            Key("nodeWeightProperty", "str?", None, "node property weighting a node's vote"),
            Key("seedProperty", "str?", None, "node property with initial labels"),
            Key("consecutiveIds", "bool", False, "renumber communities 0..k-1"),
        ),
        property_keys=("seedProperty", "nodeWeightProperty"),
        stats_columns={"ranIterations": "int", "didConverge": "bool"},
        compute=_label_propagation,
    )
)


# ---------------------------------------------------------------------------- triangles
def _triangle_count(graph: Graph, cfg: dict) -> NodeValues:
    counts, total = triangle_count(graph, max_degree=cfg["maxDegree"])
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
        keys=(
            Key("maxDegree", "int?", None, "nodes of higher degree get -1 and are left out", min=0),
        ),
        stats_columns={"globalTriangleCount": "int"},
        compute=_triangle_count,
    )
)


def _local_clustering(graph: Graph, cfg: dict) -> NodeValues:
    given = _seed_values(graph, cfg["triangleCountProperty"])
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
        keys=(
            Key(
                "triangleCountProperty",
                "str?",
                None,
                "node property holding precomputed triangle counts",
            ),
        ),
        property_keys=("triangleCountProperty",),
        stats_columns={"averageClusteringCoefficient": "float"},
        compute=_local_clustering,
    )
)


# ---------------------------------------------------------------------------- partition quality
def _community_values(graph: Graph, cfg: dict) -> torch.Tensor:
    values = graph.node_properties[cfg["communityProperty"]]
    if values.ndim != 1:
        raise ConfigError("config key 'communityProperty' must name a number property")
    return values


def _modularity(graph: Graph, cfg: dict) -> Rows:
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
        keys=(Key("communityProperty", "str", REQUIRED, "node property holding community ids"),),
        property_keys=("communityProperty",),
        stats_columns={"modularity": "float", "communityCount": "int"},
        modes=("stream", "stats"),
        compute=_modularity,
    )
)


def _conductance(graph: Graph, cfg: dict) -> Rows:
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
        keys=(Key("communityProperty", "str", REQUIRED, "node property holding community ids"),),
        property_keys=("communityProperty",),
        stats_columns={"averageConductance": "float", "communityCount": "int"},
        modes=("stream", "stats"),
        compute=_conductance,
    )
)


# ---------------------------------------------------------------------------- kmeans
def _kmeans(graph: Graph, cfg: dict) -> NodeValues:
    x = graph.node_properties[cfg["nodeProperty"]]
    if bool(torch.isnan(x).any()):
        raise ConfigError("config key 'nodeProperty': the property has missing (NaN) values")
    found = kmeans(
        x,
        k=cfg["k"],
        max_iterations=cfg["maxIterations"],
        delta_threshold=cfg["deltaThreshold"],
        number_of_restarts=cfg["numberOfRestarts"],
        sampler=cfg["initialSampler"],
        random_seed=cfg["randomSeed"],
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
        keys=(
            Key("nodeProperty", "str", REQUIRED, "node property (list of numbers) to cluster"),
            Key("k", "int", 10, "number of clusters", min=1),
            Key("maxIterations", "int", 10, "maximum iterations per restart", min=1),
            Key(
                "deltaThreshold",
                "float",
                0.05,
                "stop when at most this share of nodes changed cluster",
                min=0,
                max=1,
            ),
            Key("numberOfRestarts", "int", 1, "independent runs; the best is kept", min=1),
            Key("randomSeed", "int?", None, "seed of the initial centroids"),
            Key(
                "initialSampler",
                "str",
                "uniform",
                "uniform or kmeans++",
                choices=("uniform", "kmeans++"),
            ),
        ),
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
def _local_clustering_proc(graph: Graph, cfg: dict) -> NodeValues:
    weighted = _weights(graph, cfg, "localClustering")
    try:
        sources = graph.positions_of(cfg["sourceNodes"], what="source node")
    except KeyError as exc:
        raise ConfigError(f"config key 'sourceNodes': {exc.args[0]}") from None
    if graph.num_nodes and sources.numel() == 0:
        raise ConfigError("config key 'sourceNodes' must name at least one node")
    found = local_clustering(
        graph,
        sources,
        method=cfg["method"],
        alpha=cfg["alpha"],
        epsilon=cfg["epsilon"],
        source_mass=cfg["sourceMass"],
        labels=_seed_values(graph, cfg["labelProperty"]),
        label_weight=cfg["labelWeight"],
        weighted=weighted,
        max_iterations=cfg["maxIterations"],
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
        keys=(
            Key("sourceNodes", "int_list", REQUIRED, "Neo4j ids of the seed nodes"),
            Key(
                "method",
                "str",
                "PPR",
                "PPR (Andersen-Chung-Lang push) or FLOW (l2 flow diffusion)",
                choices=("PPR", "FLOW"),
            ),
            Key(
                "alpha", "float", 0.15, "PPR teleport probability", min=0, max=1, min_exclusive=True
            ),
            Key(
                "epsilon",
                "float",
                1e-4,
                "PPR residual / FLOW excess allowed per unit degree",
                min=0,
                min_exclusive=True,
            ),
            Key(
                "sourceMass",
                "float?",
                None,
                "FLOW: total mass on the seeds (default 100 x their summed degree)",
                min=0,
                min_exclusive=True,
            ),
            Key(
                "labelProperty",
                "str?",
                None,
                "node property with noisy labels; relationships "
                "between nodes of the seeds' label are weighted up",
            ),
            Key(
                "labelWeight",
                "float",
                2.0,
                "weight factor for relationships between nodes of the seeds' label",
                min=0,
                min_exclusive=True,
            ),
            Key("maxIterations", "int", 1000, "maximum diffusion rounds", min=1),
        ),
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
