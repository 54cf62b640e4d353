"""Embedding procedures: a float vector per node (``embedding``, ``floatList``)."""

from __future__ import annotations

import secrets

import torch

from neo4j_gml.algorithms.embedding.fastrp import fast_rp
from neo4j_gml.algorithms.embedding.random_walk import random_walks
from neo4j_gml.algorithms.embedding.skipgram import skipgram
from neo4j_gml.graph import Graph
from neo4j_gml.procedures.config import REQUIRED, ConfigError, Key
from neo4j_gml.procedures.registry import NodeValues, Procedure, register


def feature_matrix(graph: Graph, names: list[str] | None, key: str) -> torch.Tensor | None:
    """``float32[n, f]``: the named node properties side by side (scalars as one column).

    ``None`` when no names are given. A missing property or a NaN value raises
    :class:`ConfigError` naming ``key``.
    """
    if not names:
        return None
    cols = []
    for name in names:
        if name not in graph.node_properties:
            raise ConfigError(f"config key '{key}': node property '{name}' was not loaded")
        values = graph.node_properties[name].reshape(graph.num_nodes, -1)
        if torch.isnan(values).any():
            raise ConfigError(f"config key '{key}': node property '{name}' contains NaN")
        cols.append(values.to(torch.float32))
    return torch.cat(cols, dim=1)


def _positive_dimension(v: int) -> str | None:
    return None if v >= 1 else "must be at least 1"


def _non_empty(v: list) -> str | None:
    return None if len(v) > 0 else "must not be empty"


def _fastrp(graph: Graph, cfg: dict) -> NodeValues:
    features = feature_matrix(graph, cfg["featureProperties"], "featureProperties")
    if cfg["propertyRatio"] > 0 and features is None:
        raise ConfigError(
            "config key 'propertyRatio' is positive but 'featureProperties' names no property"
        )
    emb = fast_rp(
        graph,
        cfg["embeddingDimension"],
        iteration_weights=cfg["iterationWeights"],
        normalization_strength=cfg["normalizationStrength"],
        node_self_influence=cfg["nodeSelfInfluence"],
        weighted=cfg["relationshipWeightProperty"] is not None,
        features=features,
        property_ratio=cfg["propertyRatio"],
        random_seed=cfg["randomSeed"],
    )
    return NodeValues(emb, stats={"nodeCount": graph.num_nodes})


register(
    Procedure(
        name="fastRP",
        description="FastRP node embeddings: very sparse random projection propagated over "
        "neighbourhoods (GDS semantics; NATURAL orientation by default, UNDIRECTED is usual).",
        category="embedding",
        column="embedding",
        column_type="floatList",
        keys=(
            Key(
                "embeddingDimension",
                "int",
                REQUIRED,
                "length of each embedding",
                check=_positive_dimension,
            ),
            Key(
                "iterationWeights",
                "float_list",
                [0.0, 1.0, 1.0],
                "weight of each propagation step",
                check=_non_empty,
            ),
            Key("normalizationStrength", "float", 0.0, "exponent of the degree scaling"),
            Key("nodeSelfInfluence", "float", 0.0, "weight of each node's own initial vector"),
            Key(
                "featureProperties",
                "str_list",
                [],
                "node properties projected into the "
                "last int(embeddingDimension * propertyRatio) columns",
            ),
            Key(
                "propertyRatio",
                "float",
                0.0,
                "share of the dimensions fed by features",
                min=0.0,
                max=1.0,
            ),
            Key("randomSeed", "int?", None, "seed; same seed => same embeddings on any device"),
        ),
        property_keys=("featureProperties",),
        stats_columns={"nodeCount": "int"},
        compute=_fastrp,
    )
)


def _node2vec(graph: Graph, cfg: dict) -> NodeValues:
    weighted = cfg["relationshipWeightProperty"] is not None and graph.weights is not None
    if weighted:
        w = graph.weights
        if bool(torch.isnan(w).any()) or bool((w < 0).any()):
            raise ConfigError(
                "config key 'relationshipWeightProperty': node2vec needs non-negative weights"
            )
    seed = cfg["randomSeed"] if cfg["randomSeed"] is not None else secrets.randbits(62)
    walks = random_walks(
        graph,
        walk_length=cfg["walkLength"],
        walks_per_node=cfg["walksPerNode"],
        return_factor=cfg["returnFactor"],
        in_out_factor=cfg["inOutFactor"],
        weighted=weighted,
        random_seed=seed,
    )
    emb = skipgram(
        walks,
        graph.num_nodes,
        cfg["embeddingDimension"],
        window_size=cfg["windowSize"],
        negative_sampling_rate=cfg["negativeSamplingRate"],
        positive_sampling_factor=cfg["positiveSamplingFactor"],
        negative_sampling_exponent=cfg["negativeSamplingExponent"],
        iterations=cfg["iterations"],
        initial_learning_rate=cfg["initialLearningRate"],
        min_learning_rate=cfg["minLearningRate"],
        walk_buffer_size=cfg["walkBufferSize"],
        random_seed=seed,
    )
    return NodeValues(emb, stats={"nodeCount": graph.num_nodes})


register(
    Procedure(
        name="node2vec",
        description="node2vec embeddings: second-order biased random walks (DeepWalk when "
        "returnFactor = inOutFactor = 1) and skip-gram with negative sampling.",
        category="embedding",
        column="embedding",
        column_type="floatList",
        keys=(
            Key("walkLength", "int", 80, "nodes per walk", min=2),
            Key("walksPerNode", "int", 10, "walks started at each node", min=1),
            Key(
                "inOutFactor",
                "float",
                1.0,
                "q: high keeps walks local",
                min=0.0,
                min_exclusive=True,
            ),
            Key(
                "returnFactor",
                "float",
                1.0,
                "p: high makes returning unlikely",
                min=0.0,
                min_exclusive=True,
            ),
            Key("windowSize", "int", 10, "context window (window // 2 nodes each side)", min=2),
            Key("negativeSamplingRate", "int", 5, "negatives per positive pair", min=1),
            Key(
                "positiveSamplingFactor",
                "float",
                0.001,
                "subsampling of frequent nodes",
                min=0.0,
                max=1.0,
                min_exclusive=True,
            ),
            Key(
                "negativeSamplingExponent",
                "float",
                0.75,
                "exponent of the negative distribution",
                min=0.0,
                max=1.0,
            ),
            Key(
                "embeddingDimension",
                "int",
                128,
                "length of each embedding",
                check=_positive_dimension,
            ),
            Key("iterations", "int", 1, "passes over the walks", min=1),
            Key(
                "initialLearningRate",
                "float",
                0.01,
                "SGD rate at the start",
                min=0.0,
                min_exclusive=True,
            ),
            Key(
                "minLearningRate",
                "float",
                0.0001,
                "SGD rate at the end",
                min=0.0,
                min_exclusive=True,
            ),
            Key("walkBufferSize", "int", 1000, "walks trained on at a time", min=1),
            Key("randomSeed", "int?", None, "seed; same seed => same walks on any device"),
        ),
        stats_columns={"nodeCount": "int"},
        compute=_node2vec,
    )
)
