"""Embedding procedures: a float vector per node (``embedding``, ``floatList``).

Each procedure has a typed config class (:mod:`neo4j_gml.procedures.spec`); ``compute``
receives an instance of it. ``graphSage.train`` shares its config base with the link prediction
trainers (:mod:`neo4j_gml.procedures.families._training`); the stored models are handled by
:mod:`neo4j_gml.procedures.model_store`.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass

import torch

from neo4j_gml.algorithms.embedding.fastrp import fast_rp
from neo4j_gml.algorithms.embedding.graphsage import (
    ACTIVATIONS,
    AGGREGATORS,
    graphsage_embed,
    train_graphsage,
)
from neo4j_gml.algorithms.embedding.random_walk import walk_chunks
from neo4j_gml.algorithms.embedding.skipgram import skipgram
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures import model_store
from neo4j_gml.procedures.config import REQUIRED
from neo4j_gml.procedures.families._training import (
    TrainConfig,
    epochs_option,
    learning_rate_option,
    non_empty,
)
from neo4j_gml.procedures.registry import NodeValues, Procedure, Rows, register
from neo4j_gml.procedures.spec import EmbeddingConfig, option

spec = dataclass(frozen=True, kw_only=True, eq=False)


def feature_matrix(
    graph: Graph, names: list[str] | None, key: str, dtype: torch.dtype = torch.float32
) -> torch.Tensor | None:
    """``float32[n, f]`` (or ``dtype``): the named node properties side by side (scalars as
    one column).

    ``None`` when no names are given. A missing property or a NaN value raises
    :class:`ConfigError` naming ``key``.
    """
    if not names:
        return None
    if graph.num_nodes == 0:
        return torch.zeros(0, len(names), dtype=dtype, device=graph.device)
    cols = []
    for name in names:
        if name not in graph.node_properties:
            raise ConfigError(f"config key '{key}': node property '{name}' was not loaded")
        values = graph.node_properties[name].reshape(graph.num_nodes, -1)
        if torch.isnan(values).any():
            raise ConfigError(f"config key '{key}': node property '{name}' contains NaN")
        cols.append(values.to(dtype))
    return torch.cat(cols, dim=1)


def _positive_dimension(v: int) -> str | None:
    return None if v >= 1 else "must be at least 1"


# ---------------------------------------------------------------------------- FastRP
@spec
class FastRPConfig(EmbeddingConfig):
    embedding_dimension: int = option(
        "embeddingDimension", REQUIRED, "length of each embedding", check=_positive_dimension
    )
    iteration_weights: list[float] = option(
        "iterationWeights", [0.0, 1.0, 1.0], "weight of each propagation step", check=non_empty
    )
    normalization_strength: float = option(
        "normalizationStrength", 0.0, "exponent of the degree scaling"
    )
    node_self_influence: float = option(
        "nodeSelfInfluence", 0.0, "weight of each node's own initial vector"
    )
    feature_properties: list[str] = option(
        "featureProperties",
        [],
        "node properties projected into the last int(embeddingDimension * propertyRatio) columns",
    )
    property_ratio: float = option(
        "propertyRatio", 0.0, "share of the dimensions fed by features", min=0.0, max=1.0
    )
    random_seed: int | None = option(
        "randomSeed", None, "seed; same seed => same embeddings on any device"
    )

    def check(self, mode: str) -> None:
        super().check(mode)
        if self.property_ratio > 0 and not self.feature_properties:
            raise ConfigError(
                "config key 'propertyRatio' is positive but 'featureProperties' names no property"
            )


def _fastrp(graph: Graph, cfg: FastRPConfig) -> NodeValues:
    emb = fast_rp(
        graph,
        cfg.embedding_dimension,
        iteration_weights=cfg.iteration_weights,
        normalization_strength=cfg.normalization_strength,
        node_self_influence=cfg.node_self_influence,
        weighted=cfg.relationship_weight_property is not None,
        features=feature_matrix(graph, cfg.feature_properties, "featureProperties"),
        property_ratio=cfg.property_ratio,
        random_seed=cfg.random_seed,
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
        config=FastRPConfig,
        property_keys=("featureProperties",),
        stats_columns={"nodeCount": "int"},
        compute=_fastrp,
    )
)


# ---------------------------------------------------------------------------- node2vec
@spec
class Node2VecConfig(EmbeddingConfig):
    walk_length: int = option("walkLength", 80, "nodes per walk", min=2)
    walks_per_node: int = option("walksPerNode", 10, "walks started at each node", min=1)
    in_out_factor: float = option(
        "inOutFactor", 1.0, "q: high keeps walks local", min=0.0, min_exclusive=True
    )
    return_factor: float = option(
        "returnFactor", 1.0, "p: high makes returning unlikely", min=0.0, min_exclusive=True
    )
    window_size: int = option(
        "windowSize", 10, "context window (window // 2 nodes each side)", min=2
    )
    negative_sampling_rate: int = option(
        "negativeSamplingRate", 5, "negatives per positive pair", min=1
    )
    positive_sampling_factor: float = option(
        "positiveSamplingFactor",
        0.001,
        "subsampling of frequent nodes",
        min=0.0,
        max=1.0,
        min_exclusive=True,
    )
    negative_sampling_exponent: float = option(
        "negativeSamplingExponent",
        0.75,
        "exponent of the negative distribution",
        min=0.0,
        max=1.0,
    )
    embedding_dimension: int = option(
        "embeddingDimension", 128, "length of each embedding", check=_positive_dimension
    )
    iterations: int = option("iterations", 1, "passes over the walks", min=1)
    initial_learning_rate: float = option(
        "initialLearningRate", 0.01, "SGD rate at the start", min=0.0, min_exclusive=True
    )
    min_learning_rate: float = option(
        "minLearningRate", 0.0001, "SGD rate at the end", min=0.0, min_exclusive=True
    )
    walk_buffer_size: int = option(
        "walkBufferSize",
        1000,
        "walks trained on at a time (torch path; no effect on the CPU back ends)",
        min=1,
    )
    embedding_initializer: str = option(
        "embeddingInitializer",
        "NORMALIZED",
        "initial vectors: NORMALIZED (uniform in +-0.5/d) or UNIFORM (uniform in +-1)",
        choices=("NORMALIZED", "UNIFORM"),
    )
    random_seed: int | None = option(
        "randomSeed",
        None,
        "seed; same seed => same walks on any device and the same embeddings on the CPU "
        "(trained in one thread)",
    )


def _node2vec(graph: Graph, cfg: Node2VecConfig) -> NodeValues:
    w = graph.weights if cfg.relationship_weight_property is not None else None
    weighted = w is not None
    if w is not None and (bool(torch.isnan(w).any()) or bool((w < 0).any())):
        raise ConfigError(
            "config key 'relationshipWeightProperty': node2vec needs non-negative weights"
        )
    seed = cfg.random_seed if cfg.random_seed is not None else secrets.randbits(62)
    walks = walk_chunks(
        graph,
        walk_length=cfg.walk_length,
        walks_per_node=cfg.walks_per_node,
        return_factor=cfg.return_factor,
        in_out_factor=cfg.in_out_factor,
        weighted=weighted,
        random_seed=seed,
    )
    emb = skipgram(
        walks,
        graph.num_nodes,
        cfg.embedding_dimension,
        window_size=cfg.window_size,
        negative_sampling_rate=cfg.negative_sampling_rate,
        positive_sampling_factor=cfg.positive_sampling_factor,
        negative_sampling_exponent=cfg.negative_sampling_exponent,
        iterations=cfg.iterations,
        initial_learning_rate=cfg.initial_learning_rate,
        min_learning_rate=cfg.min_learning_rate,
        walk_buffer_size=cfg.walk_buffer_size,
        random_seed=seed,
        init_bound=1.0 if cfg.embedding_initializer == "UNIFORM" else None,
        # numba on the CPU (several threads only when no seed asks for reproducible output)
        workers=1 if cfg.random_seed is not None else min(cfg.concurrency, os.cpu_count() or 1),
    )
    return NodeValues(emb, stats={"nodeCount": graph.num_nodes})


register(
    Procedure(
        name="node2vec",
        description="node2vec embeddings: second-order biased random walks (DeepWalk when "
        "returnFactor = inOutFactor = 1) and skip-gram with negative sampling (word2vec's "
        "loop compiled with numba on the CPU, batched torch on a GPU).",
        category="embedding",
        column="embedding",
        column_type="floatList",
        config=Node2VecConfig,
        stats_columns={"nodeCount": "int"},
        compute=_node2vec,
    )
)


# ---------------------------------------------------------------------------- GraphSAGE
def _sample_sizes_check(v: list[int]) -> str | None:
    if not v or any(k < 1 for k in v):
        return "must be a non-empty list of positive integers"
    return None


@spec
class GraphSageTrainConfig(TrainConfig):
    """GDS's ``gds.beta.graphSage.train`` keys. Four defaults depart from GDS's, which give
    Cora embeddings worse than the raw features (see
    :func:`~neo4j_gml.algorithms.embedding.graphsage.train_graphsage`): ``batchSize`` all nodes
    (GDS 100), ``epochs`` 10 (GDS 1), ``learningRate`` 0.01 (GDS 0.1) and
    ``negativeSampleWeight`` 1 (GDS 20). A key set explicitly is used as given."""

    embedding_dimension: int = option(
        "embeddingDimension", 64, "length of each embedding", check=_positive_dimension
    )
    aggregator: str = option("aggregator", "MEAN", "MEAN or POOL", choices=AGGREGATORS)
    activation_function: str = option(
        "activationFunction", "SIGMOID", "SIGMOID or RELU", choices=ACTIVATIONS
    )
    sample_sizes: list[int] = option(
        "sampleSizes",
        [25, 10],
        "neighbours sampled per node, one per layer",
        check=_sample_sizes_check,
    )
    epochs: int = epochs_option(10, "passes over the nodes (GDS: 1)")
    max_iterations: int = option("maxIterations", 10, "Adam steps per batch at most", min=1)
    # a training batch, all nodes by default (the base's is the write batch size)
    batch_size: int | None = option(  # type: ignore[assignment]
        "batchSize", None, "nodes per training batch (default: all; GDS: 100)", min=1
    )
    learning_rate: float = learning_rate_option(0.01)
    tolerance: float = option("tolerance", 1e-4, "loss change below which training stops", min=0.0)
    negative_sample_weight: float = option(
        "negativeSampleWeight", 1.0, "weight of the negative term (GDS: 20)", min=0.0
    )
    search_depth: int = option("searchDepth", 5, "longest walk to a positive example", min=1)


def _graphsage_train(graph: Graph, cfg: GraphSageTrainConfig) -> Rows:
    features = feature_matrix(graph, cfg.feature_properties, "featureProperties")
    if features is None:  # not reached: the key check refuses an empty featureProperties
        raise ConfigError("config key 'featureProperties' must name at least one property")
    seed = cfg.seed(62)
    model, report = train_graphsage(
        graph,
        features,
        embedding_dimension=cfg.embedding_dimension,
        aggregator=cfg.aggregator,
        activation=cfg.activation_function,
        sample_sizes=cfg.sample_sizes,
        epochs=cfg.epochs,
        max_iterations=cfg.max_iterations,
        batch_size=cfg.batch_size,
        learning_rate=cfg.learning_rate,
        tolerance=cfg.tolerance,
        negative_sample_weight=cfg.negative_sample_weight,
        search_depth=cfg.search_depth,
        random_seed=seed,
    )
    meta = model_store.save_trained(
        cfg.model_name,
        model.state_dict(),
        {
            "modelType": model_store.GRAPHSAGE_MODEL,
            "featureProperties": list(cfg.feature_properties),
            "inputDimension": int(features.shape[1]),
            "embeddingDimension": cfg.embedding_dimension,
            "aggregator": cfg.aggregator,
            "activationFunction": cfg.activation_function,
            "sampleSizes": list(cfg.sample_sizes),
        },
        train_config=cfg.train_config(seed),
        metrics={
            "epochsRan": report.epochs,
            "loss": report.loss,
            "didConverge": report.did_converge,
        },
    )
    return Rows(
        {},
        stats={"modelInfo": meta, "trainMillis": report.train_millis, "loss": report.loss},
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
        config=GraphSageTrainConfig,
        property_keys=("featureProperties",),
        stats_columns={"modelInfo": "map", "trainMillis": "int", "loss": "float"},
        compute=_graphsage_train,
    )
)


@spec
class GraphSageConfig(EmbeddingConfig):
    """Embedding with a stored graphSage model: the model must exist (checked before any read);
    the graph is read with the feature properties the model was trained on."""

    model_name: str = option(
        "modelName",
        REQUIRED,
        "a model trained by graphSage.train",
        check=model_store.model_name_check,
    )
    random_seed: int | None = option(
        "randomSeed", None, "neighbour sampling seed (default: the model's)"
    )

    def check(self, mode: str) -> None:
        super().check(mode)
        if not model_store.store_checks_deferred():
            self._model()

    def _model(self) -> dict:
        return model_store.require_model(
            self.model_name, (model_store.GRAPHSAGE_MODEL,), "a graphSage model"
        )

    def extra_node_properties(self) -> list[str]:
        return list(self._model().get("featureProperties", []))


def _graphsage_embed(graph: Graph, cfg: GraphSageConfig) -> NodeValues:
    state, meta = model_store.load_state(cfg.model_name, graph.device)
    if meta.get("modelType") != model_store.GRAPHSAGE_MODEL:  # replaced since the check
        raise ConfigError(f"config key 'modelName': '{cfg.model_name}' is not a graphSage model")
    if graph.num_nodes == 0:
        return NodeValues(torch.zeros(0, meta["embeddingDimension"], device=graph.device))
    features = feature_matrix(graph, meta["featureProperties"], "modelName")
    width = int(features.shape[1]) if features is not None else 0
    if features is None or width != meta["inputDimension"]:
        raise ConfigError(
            f"config key 'modelName': the model expects {meta['inputDimension']} feature values "
            f"per node, the graph has {width}"
        )
    model = model_store.rebuild_graphsage(meta, state)
    seed = cfg.random_seed if cfg.random_seed is not None else meta["trainConfig"]["randomSeed"]
    emb = graphsage_embed(model, graph, features, meta["sampleSizes"], seed)
    return NodeValues(emb, stats={"nodeCount": graph.num_nodes})


register(
    Procedure(
        name="graphSage",
        description="Embed nodes with a trained GraphSAGE model (inductive: nodes unseen in "
        "training get embeddings from their features and neighbourhoods).",
        category="embedding",
        column="embedding",
        column_type="floatList",
        modes=("stream", "write"),
        weighted=False,
        config=GraphSageConfig,
        stats_columns={"nodeCount": "int"},
        compute=_graphsage_embed,
    )
)
