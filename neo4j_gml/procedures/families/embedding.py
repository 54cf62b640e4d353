"""Embedding procedures: a float vector per node (``embedding``, ``floatList``)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch

from neo4j_gml import models
from neo4j_gml.algorithms.embedding.fastrp import fast_rp
from neo4j_gml.algorithms.embedding.graphsage import (
    ACTIVATIONS,
    AGGREGATORS,
    build_model,
    graphsage_embed,
    train_graphsage,
)
from neo4j_gml.algorithms.embedding.random_walk import walk_chunks
from neo4j_gml.algorithms.embedding.skipgram import skipgram
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures.config import REQUIRED, Key
from neo4j_gml.procedures.registry import NodeValues, Procedure, Rows, register


def feature_matrix(graph: Graph, names: list[str] | None, key: str) -> torch.Tensor | None:
    """``float32[n, f]``: the named node properties side by side (scalars as one column).

    ``None`` when no names are given. A missing property or a NaN value raises
    :class:`ConfigError` naming ``key``.
    """
    if not names:
        return None
    if graph.num_nodes == 0:
        return torch.zeros(0, len(names), dtype=torch.float32, device=graph.device)
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
    walks = walk_chunks(
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


# ---------------------------------------------------------------------------- GraphSAGE
def _model_name_check(v: str) -> str | None:
    try:
        models.exists(v)
    except models.ModelStoreError as exc:
        return f"is invalid: {exc}"
    return None


def _sample_sizes_check(v: list[int]) -> str | None:
    if not v or any(k < 1 for k in v):
        return "must be a non-empty list of positive integers"
    return None


def _graphsage_train(graph: Graph, cfg: dict) -> Rows:
    name = cfg["modelName"]
    if models.exists(name):
        raise ConfigError(f"config key 'modelName': a model named '{name}' already exists")
    features = feature_matrix(graph, cfg["featureProperties"], "featureProperties")
    if features is None:
        raise ConfigError("config key 'featureProperties' must name at least one property")
    seed = cfg["randomSeed"] if cfg["randomSeed"] is not None else secrets.randbits(62)
    model, report = train_graphsage(
        graph,
        features,
        embedding_dimension=cfg["embeddingDimension"],
        aggregator=cfg["aggregator"],
        activation=cfg["activationFunction"],
        sample_sizes=cfg["sampleSizes"],
        epochs=cfg["epochs"],
        max_iterations=cfg["maxIterations"],
        batch_size=cfg["batchSize"],
        learning_rate=cfg["learningRate"],
        tolerance=cfg["tolerance"],
        negative_sample_weight=cfg["negativeSampleWeight"],
        search_depth=cfg["searchDepth"],
        random_seed=seed,
    )
    train_keys = [k.name for k in _GRAPHSAGE_TRAIN_KEYS]
    meta = models.save(
        name,
        model.state_dict(),
        {
            "modelType": "graphSage",
            "featureProperties": list(cfg["featureProperties"]),
            "inputDimension": int(features.shape[1]),
            "embeddingDimension": cfg["embeddingDimension"],
            "aggregator": cfg["aggregator"],
            "activationFunction": cfg["activationFunction"],
            "sampleSizes": list(cfg["sampleSizes"]),
            "trainConfig": {k: cfg[k] for k in train_keys if k != "randomSeed"}
            | {"randomSeed": seed, "orientation": cfg["orientation"]},
            "metrics": {
                "epochsRan": report.epochs,
                "loss": report.loss,
                "didConverge": report.did_converge,
            },
        },
    )
    return Rows(
        {},
        stats={"modelInfo": meta, "trainMillis": report.train_millis, "loss": report.loss},
    )


_GRAPHSAGE_TRAIN_KEYS = (
    Key(
        "modelName",
        "str",
        REQUIRED,
        "name the trained model is stored under",
        check=_model_name_check,
    ),
    Key(
        "featureProperties",
        "str_list",
        REQUIRED,
        "node properties used as input features",
        check=_non_empty,
    ),
    Key("embeddingDimension", "int", 64, "length of each embedding", check=_positive_dimension),
    Key("aggregator", "str", "MEAN", "MEAN or POOL", choices=AGGREGATORS),
    Key("activationFunction", "str", "SIGMOID", "SIGMOID or RELU", choices=ACTIVATIONS),
    Key(
        "sampleSizes",
        "int_list",
        [25, 10],
        "neighbours sampled per node, one per layer",
        check=_sample_sizes_check,
    ),
    Key("epochs", "int", 1, "passes over the nodes", min=1),
    Key("maxIterations", "int", 10, "Adam steps per batch at most", min=1),
    Key("batchSize", "int", 100, "nodes per training batch", min=1),
    Key("learningRate", "float", 0.1, "Adam learning rate", min=0.0, min_exclusive=True),
    Key("tolerance", "float", 1e-4, "loss change below which training stops", min=0.0),
    Key("negativeSampleWeight", "float", 20.0, "weight of the negative term", min=0.0),
    Key("searchDepth", "int", 5, "longest walk to a positive example", min=1),
    Key("randomSeed", "int?", None, "seed of initialisation and sampling"),
)

register(
    Procedure(
        name="graphSage.train",
        description="Train a GraphSAGE model (unsupervised, PyG SAGEConv) on node features and "
        "store it in the model store under modelName.",
        category="embedding",
        result="rows",
        modes=("stats",),
        weighted=False,
        keys=_GRAPHSAGE_TRAIN_KEYS,
        property_keys=("featureProperties",),
        stats_columns={"modelInfo": "map", "trainMillis": "int", "loss": "float"},
        compute=_graphsage_train,
    )
)


@dataclass(frozen=True)
class _ModelProcedure(Procedure):
    """A procedure whose feature properties are named by a stored model's metadata."""

    def node_properties_needed(self, cfg: Mapping[str, Any]) -> list[str]:
        names = list(super().node_properties_needed(cfg))
        try:
            meta = models.metadata(cfg["modelName"])
        except models.ModelStoreError as exc:
            raise ConfigError(f"config key 'modelName': {exc}") from None
        return names + [p for p in meta.get("featureProperties", []) if p not in names]


def _graphsage_embed(graph: Graph, cfg: dict) -> NodeValues:
    try:
        state, meta = models.load(cfg["modelName"], graph.device)
    except models.ModelStoreError as exc:
        raise ConfigError(f"config key 'modelName': {exc}") from None
    if meta.get("modelType") != "graphSage":
        raise ConfigError(f"config key 'modelName': '{cfg['modelName']}' is not a graphSage model")
    if graph.num_nodes == 0:
        return NodeValues(torch.zeros(0, meta["embeddingDimension"], device=graph.device))
    features = feature_matrix(graph, meta["featureProperties"], "modelName")
    if features.shape[1] != meta["inputDimension"]:
        raise ConfigError(
            f"config key 'modelName': the model expects {meta['inputDimension']} feature values "
            f"per node, the graph has {features.shape[1]}"
        )
    model = build_model(
        meta["inputDimension"],
        meta["embeddingDimension"],
        len(meta["sampleSizes"]),
        meta["aggregator"],
        meta["activationFunction"],
        0,
    )
    model.load_state_dict(state)
    seed = cfg["randomSeed"] if cfg["randomSeed"] is not None else meta["trainConfig"]["randomSeed"]
    emb = graphsage_embed(model, graph, features, meta["sampleSizes"], seed)
    return NodeValues(emb, stats={"nodeCount": graph.num_nodes})


register(
    _ModelProcedure(
        name="graphSage",
        description="Embed nodes with a trained GraphSAGE model (inductive: nodes unseen in "
        "training get embeddings from their features and neighbourhoods).",
        category="embedding",
        column="embedding",
        column_type="floatList",
        modes=("stream", "write"),
        weighted=False,
        keys=(
            Key(
                "modelName",
                "str",
                REQUIRED,
                "a model trained by graphSage.train",
                check=_model_name_check,
            ),
            Key("randomSeed", "int?", None, "neighbour sampling seed (default: the model's)"),
        ),
        stats_columns={"nodeCount": "int"},
        compute=_graphsage_embed,
    )
)
