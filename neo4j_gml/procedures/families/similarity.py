"""Similarity procedures: a similarity per node pair (``node1``, ``node2``, ``similarity``)."""

from __future__ import annotations

from collections.abc import Mapping

import torch

from neo4j_gml.algorithms.similarity.knn import METRICS as KNN_METRICS
from neo4j_gml.algorithms.similarity.knn import knn
from neo4j_gml.algorithms.similarity.knn_descent import (
    AUTO_EXACT_MAX_NODES as KNN_AUTO_EXACT_MAX_NODES,
)
from neo4j_gml.algorithms.similarity.knn_descent import knn_descent
from neo4j_gml.algorithms.similarity.node_similarity import METRICS as NS_METRICS
from neo4j_gml.algorithms.similarity.node_similarity import node_similarity
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures.config import Key
from neo4j_gml.procedures.registry import Procedure, RelationshipValues, register


def _at_least_one(v: int | None) -> str | None:
    return None if v is None or v >= 1 else f"must be at least 1, got {v}"


def knn_properties(graph: Graph, spec: object) -> list[tuple[torch.Tensor, str]]:
    """``(values, metric)`` per property named by the ``nodeProperties`` config value.

    ``spec`` is a name, a list of names, or a map ``name -> metric`` (GDS style; a map value
    that is itself a map, as in a projection's ``{defaultValue: v}``, means the default metric).
    NaN values or unknown metrics raise :class:`ConfigError` naming ``nodeProperties``.
    """
    if isinstance(spec, str):
        pairs = [(spec, "DEFAULT")]
    elif isinstance(spec, Mapping):
        pairs = [(k, v if isinstance(v, str) else "DEFAULT") for k, v in spec.items()]
    elif isinstance(spec, list | tuple):
        pairs = [(k, "DEFAULT") for k in spec]
    else:
        pairs = []
    if not pairs or not all(isinstance(k, str) for k, _ in pairs):
        raise ConfigError(
            "config key 'nodeProperties' must name the properties to compare (a name, a list "
            "of names, or a map name -> metric)"
        )
    out = []
    for name, metric in pairs:
        metric = metric.upper()
        if metric not in KNN_METRICS:
            raise ConfigError(
                f"config key 'nodeProperties': unknown metric {metric!r} for '{name}'; "
                f"valid metrics are {list(KNN_METRICS)}"
            )
        if name not in graph.node_properties:
            raise ConfigError(f"config key 'nodeProperties': node property '{name}' was not loaded")
        values = graph.node_properties[name]
        if torch.isnan(values).any():
            raise ConfigError(f"config key 'nodeProperties': node property '{name}' contains NaN")
        out.append((values, metric))
    return out


def _knn(graph: Graph, cfg: dict) -> RelationshipValues:
    props = knn_properties(graph, cfg["nodeProperties"])
    n = graph.num_nodes
    method = cfg["method"]
    if method == "AUTO":
        method = "EXACT" if n <= KNN_AUTO_EXACT_MAX_NODES else "NN_DESCENT"
    if method == "EXACT":
        src, dst, sim = knn(props, cfg["topK"], similarity_cutoff=cfg["similarityCutoff"])
        stats = {
            "nodesCompared": n,
            "nodePairsConsidered": n * (n - 1),
            "ranIterations": 1 if n > 1 else 0,
            "didConverge": True,
        }
    else:
        src, dst, sim, stats = knn_descent(
            props,
            cfg["topK"],
            similarity_cutoff=cfg["similarityCutoff"],
            sample_rate=cfg["sampleRate"],
            delta_threshold=cfg["deltaThreshold"],
            max_iterations=cfg["maxIterations"],
            random_joins=cfg["randomJoins"],
            perturbation_rate=cfg["perturbationRate"],
            initial_sampler=cfg["initialSampler"],
            graph_csr=(graph.indptr, graph.indices),
            random_seed=cfg["randomSeed"],
        )
    return RelationshipValues(src, dst, sim, stats=stats)


_NND = "NN-Descent only: "

register(
    Procedure(
        name="knn",
        description="K-nearest neighbours by node-property similarity (GDS metrics: scalar "
        "1/(1+|a-b|), COSINE, EUCLIDEAN, PEARSON, JACCARD, OVERLAP; several averaged). "
        "Properties and metrics come from 'nodeProperties' (names or a map name -> metric). "
        f"'method' AUTO (default) computes the exact result up to {KNN_AUTO_EXACT_MAX_NODES:,} "
        "nodes and runs GDS's approximate NN-Descent above; EXACT or NN_DESCENT force one.",
        category="similarity",
        result="relationship",
        column="similarity",
        column_type="float",
        relationship_columns=("node1", "node2"),
        weighted=False,
        keys=(
            Key(
                "topK",
                "int",
                10,
                "neighbours per node (more than n - 1 gives n - 1)",
                check=_at_least_one,
            ),
            Key(
                "similarityCutoff",
                "float",
                0.0,
                "drop pairs less similar than this",
                min=0.0,
                max=1.0,
            ),
            Key(
                "method",
                "str",
                "AUTO",
                f"AUTO: EXACT up to {KNN_AUTO_EXACT_MAX_NODES:,} nodes, NN_DESCENT above; EXACT: "
                "all pairs, O(n^2 d); NN_DESCENT: GDS's approximate algorithm (Dong et al. 2011)",
                choices=("AUTO", "EXACT", "NN_DESCENT"),
            ),
            Key(
                "sampleRate",
                "float",
                0.5,
                _NND + "share of a node's k neighbours (and reverse neighbours) sampled per "
                "iteration for the local join",
                min=0.0,
                max=1.0,
                min_exclusive=True,
            ),
            Key(
                "deltaThreshold",
                "float",
                0.001,
                _NND + "stop when an iteration changes fewer than deltaThreshold * topK * n "
                "neighbour entries",
                min=0.0,
                max=1.0,
            ),
            Key("maxIterations", "int", 100, _NND + "iterations at most", min=1),
            Key(
                "randomJoins",
                "int",
                10,
                _NND + "random nodes compared with each node per iteration",
                min=0,
            ),
            Key(
                "perturbationRate",
                "float",
                0.0,
                _NND + "probability that an equally similar node replaces the least similar "
                "neighbour",
                min=0.0,
                max=1.0,
            ),
            Key(
                "initialSampler",
                "str",
                "UNIFORM",
                _NND + "initial neighbours: UNIFORM random nodes, or RANDOMWALK (nodes met on a "
                "random walk over the projected relationships, then uniform)",
                choices=("UNIFORM", "RANDOMWALK"),
            ),
            Key(
                "randomSeed",
                "int?",
                None,
                _NND + "seed of the random choices (same seed and device: same result)",
            ),
        ),
        stats_columns={
            "nodesCompared": "int",
            "nodePairsConsidered": "int",
            "ranIterations": "int",
            "didConverge": "bool",
        },
        compute=_knn,
    )
)


def _node_similarity(graph: Graph, cfg: dict) -> RelationshipValues:
    if cfg["bottomK"] is not None and cfg["topK"] != 10:
        raise ConfigError("config keys 'topK' and 'bottomK' cannot be given together")
    if cfg["bottomN"] is not None and cfg["topN"] != 0:
        raise ConfigError("config keys 'topN' and 'bottomN' cannot be given together")
    udc = cfg["upperDegreeCutoff"]
    if udc is not None and udc < cfg["degreeCutoff"]:
        raise ConfigError("config key 'upperDegreeCutoff' must not be below 'degreeCutoff'")
    weighted = cfg["relationshipWeightProperty"] is not None
    if weighted and graph.weights is not None and bool((graph.weights < 0).any()):
        raise ConfigError("config key 'relationshipWeightProperty': negative weights")
    src, dst, sim, compared = node_similarity(
        graph,
        metric=cfg["similarityMetric"],
        weighted=weighted,
        top_k=cfg["topK"],
        bottom_k=cfg["bottomK"],
        top_n=cfg["topN"],
        bottom_n=cfg["bottomN"],
        degree_cutoff=cfg["degreeCutoff"],
        upper_degree_cutoff=udc,
        similarity_cutoff=cfg["similarityCutoff"],
    )
    return RelationshipValues(src, dst, sim, stats={"nodesCompared": compared})


register(
    Procedure(
        name="nodeSimilarity",
        description="Similarity of out-neighbour sets (JACCARD, OVERLAP or COSINE; weighted "
        "sum-min/sum-max), each pair in both directions, topK per node.",
        category="similarity",
        result="relationship",
        column="similarity",
        column_type="float",
        relationship_columns=("node1", "node2"),
        keys=(
            Key(
                "similarityMetric",
                "str",
                "JACCARD",
                "JACCARD, OVERLAP or COSINE",
                choices=NS_METRICS,
            ),
            Key("topK", "int", 10, "best pairs kept per node", check=_at_least_one),
            Key(
                "bottomK", "int?", None, "keep each node's worst pairs instead", check=_at_least_one
            ),
            Key("topN", "int", 0, "best pairs kept overall (0 = all)", min=0),
            Key("bottomN", "int?", None, "keep the worst pairs overall instead", min=0),
            Key("degreeCutoff", "int", 1, "least out-degree of a compared node", min=1),
            Key("upperDegreeCutoff", "int?", None, "greatest out-degree of a compared node", min=1),
            Key(
                "similarityCutoff",
                "float",
                1e-42,
                "drop pairs less similar than this",
                min=0.0,
                max=1.0,
            ),
        ),
        stats_columns={"nodesCompared": "int"},
        compute=_node_similarity,
    )
)
