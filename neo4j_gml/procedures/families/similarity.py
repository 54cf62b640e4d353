"""Similarity procedures: a similarity per node pair (``node1``, ``node2``, ``similarity``)."""

from __future__ import annotations

from collections.abc import Mapping

import torch

from neo4j_gml.algorithms.similarity.knn import METRICS as KNN_METRICS
from neo4j_gml.algorithms.similarity.knn import knn
from neo4j_gml.algorithms.similarity.node_similarity import METRICS as NS_METRICS
from neo4j_gml.algorithms.similarity.node_similarity import node_similarity
from neo4j_gml.graph import Graph
from neo4j_gml.procedures.config import ConfigError, Key
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
    src, dst, sim = knn(props, cfg["topK"], similarity_cutoff=cfg["similarityCutoff"])
    n = graph.num_nodes
    return RelationshipValues(
        src,
        dst,
        sim,
        stats={
            "nodesCompared": n,
            "nodePairsConsidered": n * (n - 1),
            "ranIterations": 1,
            "didConverge": True,
        },
    )


register(
    Procedure(
        name="knn",
        description="K-nearest neighbours by node-property similarity (exact; GDS metrics: "
        "scalar 1/(1+|a-b|), COSINE, EUCLIDEAN, PEARSON, JACCARD, OVERLAP; several averaged). "
        "Properties and metrics come from 'nodeProperties' (names or a map name -> metric).",
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
                "sampleRate",
                "float",
                0.5,
                "accepted for GDS compatibility; the result is exact anyway",
                min=0.0,
                max=1.0,
                min_exclusive=True,
            ),
            Key(
                "deltaThreshold",
                "float",
                0.001,
                "accepted; the result is exact anyway",
                min=0.0,
                max=1.0,
            ),
            Key("maxIterations", "int", 100, "accepted; the result is exact anyway", min=1),
            Key("randomJoins", "int", 10, "accepted; the result is exact anyway", min=0),
            Key(
                "perturbationRate",
                "float",
                0.0,
                "accepted; the result is exact anyway",
                min=0.0,
                max=1.0,
            ),
            Key(
                "initialSampler",
                "str",
                "UNIFORM",
                "accepted; the result is exact anyway",
                choices=("UNIFORM", "RANDOMWALK"),
            ),
            Key("randomSeed", "int?", None, "accepted; the exact result does not depend on it"),
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
