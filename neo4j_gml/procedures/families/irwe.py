"""IRWE procedures: ``irwe.train`` stores a model, ``irwe`` embeds nodes with it.

IRWE (:mod:`neo4j_gml.algorithms.embedding.irwe`) needs no node properties: a model trained on
one graph embeds the nodes of any graph, new nodes included, with an identity embedding
(structural role), a position embedding (community and proximity) or both side by side
(``embeddingType``). The model is stored in the model store (:mod:`neo4j_gml.models`) with
``modelType`` :data:`IRWE_MODEL`; :func:`rebuild_irwe` turns a stored one back into a network.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from neo4j_gml.algorithms.embedding.irwe import (
    EMBEDDING_TYPES,
    MAX_ANONYMOUS_WALK_LENGTH,
    IrweNet,
    build_irwe,
    irwe_embed,
    train_irwe,
)
from neo4j_gml.core.errors import ConfigError, ParameterError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures import model_store
from neo4j_gml.procedures.config import REQUIRED
from neo4j_gml.procedures.families._training import (
    ModelTrainConfig,
    batch_size_option,
    epochs_option,
    learning_rate_option,
)
from neo4j_gml.procedures.registry import NodeValues, Procedure, Rows, register
from neo4j_gml.procedures.spec import EmbeddingConfig, option

spec = dataclass(frozen=True, kw_only=True, eq=False)

#: ``modelType`` of the models ``irwe.train`` stores
IRWE_MODEL = "irwe"

#: algorithm parameter -> the config key it comes from (for the errors of the algorithm layer)
_KEYS = {
    "anonymous_walk_length": "anonymousWalkLength",
    "walks_per_node": "walksPerNode",
    "walk_length": "walkLength",
    "embedding_dimension": "embeddingDimension",
    "projection_dimension": "projectionDimension",
    "epochs": "epochs",
    "batch_size": "batchSize",
    "negative_sampling_rate": "negativeSamplingRate",
    "embedding_type": "embeddingType",
}


def _config_error(exc: ParameterError) -> ConfigError:
    key = _KEYS.get(exc.parameter, exc.parameter)
    return ConfigError(f"config key '{key}' {exc.problem}")


def rebuild_irwe(meta: dict[str, Any], state: dict[str, torch.Tensor]) -> IrweNet:
    """The network of a stored ``irwe`` model (on the CPU, in evaluation mode)."""
    model = build_irwe(
        meta["featureDimension"],
        meta["embeddingDimension"],
        anonymous_walk_length=meta["anonymousWalkLength"],
        walk_length=meta["walkLength"],
        projection_dimension=meta["projectionDimension"],
    )
    model.load_state_dict(state)
    return model.eval()


# ---------------------------------------------------------------------------- train
@spec
class IrweTrainConfig(ModelTrainConfig):
    """The keys of ``irwe.train``: a trainer without ``featureProperties`` (IRWE reads none).
    A name already in the store is refused before anything is read."""

    embedding_dimension: int = option(
        "embeddingDimension", 64, "length of each of the two embeddings", min=1
    )
    anonymous_walk_length: int = option(
        "anonymousWalkLength",
        5,
        "nodes per anonymous walk of the identity statistics (Bell(L) walk shapes)",
        min=2,
        max=MAX_ANONYMOUS_WALK_LENGTH,
    )
    walks_per_node: int = option(
        "walksPerNode", 100, "random walks per node for the identity statistics", min=1
    )
    walk_length: int = option(
        "walkLength", 10, "nodes per position walk (and step tokens of the position encoder)", min=2
    )
    projection_dimension: int = option(
        "projectionDimension",
        128,
        "width of the random projection the position encoder reads",
        min=1,
    )
    epochs: int = epochs_option(30, "passes over the nodes")
    batch_size: int = batch_size_option(512, "nodes per training step")
    learning_rate: float = learning_rate_option(0.005)
    negative_sampling_rate: int = option(
        "negativeSamplingRate", 5, "negatives per positive pair of the position loss", min=1
    )
    random_seed: int | None = option(
        "randomSeed", None, "seed of the weights, walks and projections"
    )

    def train_config(self, seed: int) -> dict[str, Any]:
        """The stored ``trainConfig`` (:class:`ModelTrainConfig`'s) and the weight property."""
        weight = self.relationship_weight_property
        return super().train_config(seed) | {"relationshipWeightProperty": weight}


def _irwe_train(graph: Graph, cfg: IrweTrainConfig) -> Rows:
    if graph.num_arcs == 0:
        raise ConfigError("irwe.train needs a graph with relationships: the projection has none")
    seed = cfg.seed(62)
    try:
        model, report = train_irwe(
            graph,
            embedding_dimension=cfg.embedding_dimension,
            anonymous_walk_length=cfg.anonymous_walk_length,
            walks_per_node=cfg.walks_per_node,
            walk_length=cfg.walk_length,
            projection_dimension=cfg.projection_dimension,
            epochs=cfg.epochs,
            batch_size=cfg.batch_size,
            learning_rate=cfg.learning_rate,
            negative_sampling_rate=cfg.negative_sampling_rate,
            weighted=cfg.relationship_weight_property is not None,
            random_seed=seed,
        )
    except ParameterError as exc:
        raise _config_error(exc) from None
    meta = model_store.save_trained(
        cfg.model_name,
        model.state_dict(),
        {
            "modelType": IRWE_MODEL,
            "featureProperties": [],
            "featureDimension": int(model.feature_mean.numel()),
            "embeddingDimension": cfg.embedding_dimension,
            "anonymousWalkLength": cfg.anonymous_walk_length,
            "walkLength": cfg.walk_length,
            "projectionDimension": cfg.projection_dimension,
            "walksPerNode": cfg.walks_per_node,
        },
        train_config=cfg.train_config(seed),
        metrics={
            "epochsRan": report.epochs,
            "loss": report.loss,
            "identityLoss": report.identity_loss,
            "positionLoss": report.position_loss,
        },
    )
    return Rows(
        {},
        stats={
            "modelInfo": meta,
            "trainMillis": report.train_millis,
            "loss": report.loss,
            "identityLoss": report.identity_loss,
            "positionLoss": report.position_loss,
        },
    )


register(
    Procedure(
        name="irwe.train",
        description="Train an IRWE model (inductive identity and position embeddings from "
        "random-walk statistics, no node properties) and store it under modelName.",
        category="embedding",
        result="rows",
        modes=("stats",),
        default_orientation="UNDIRECTED",
        config=IrweTrainConfig,
        stats_columns={
            "modelInfo": "map",
            "trainMillis": "int",
            "loss": "float",
            "identityLoss": "float",
            "positionLoss": "float",
        },
        compute=_irwe_train,
    )
)


# ---------------------------------------------------------------------------- embed
@spec
class IrweConfig(EmbeddingConfig):
    """Embedding with a stored irwe model: the model must exist and be an irwe model (checked
    before any read)."""

    model_name: str = option(
        "modelName", REQUIRED, "a model trained by irwe.train", check=model_store.model_name_check
    )
    embedding_type: str = option(
        "embeddingType",
        "BOTH",
        "IDENTITY (structural role), POSITION (community) or BOTH (identity, then position: "
        "2 x embeddingDimension values)",
        choices=EMBEDDING_TYPES,
    )
    walks_per_node: int | None = option(
        "walksPerNode",
        None,
        "walks per node for the identity statistics (default: the model's)",
        min=1,
    )
    random_seed: int | None = option(
        "randomSeed", None, "seed of the walks and the projection (default: the model's)"
    )

    def check(self, mode: str) -> None:
        super().check(mode)
        if not model_store.store_checks_deferred():
            self._model()

    def _model(self) -> dict[str, Any]:
        return model_store.require_model(self.model_name, (IRWE_MODEL,), "an irwe model")


def _irwe_embed(graph: Graph, cfg: IrweConfig) -> NodeValues:
    state, meta = model_store.load_state(cfg.model_name, "cpu")
    if meta.get("modelType") != IRWE_MODEL:  # replaced since the check
        raise ConfigError(f"config key 'modelName': '{cfg.model_name}' is not an irwe model")
    model = rebuild_irwe(meta, state)
    seed = cfg.random_seed if cfg.random_seed is not None else meta["trainConfig"]["randomSeed"]
    walks = cfg.walks_per_node if cfg.walks_per_node is not None else meta["walksPerNode"]
    try:
        emb = irwe_embed(
            model,
            graph,
            embedding_type=cfg.embedding_type,
            walks_per_node=walks,
            weighted=cfg.relationship_weight_property is not None,
            random_seed=seed,
        )
    except ParameterError as exc:
        raise _config_error(exc) from None
    return NodeValues(emb, stats={"nodeCount": graph.num_nodes})


register(
    Procedure(
        name="irwe",
        description="Embed nodes with a trained IRWE model: identity (structural role), "
        "position (community) or both; inductive, so nodes and graphs unseen in training work.",
        category="embedding",
        column="embedding",
        column_type="floatList",
        default_orientation="UNDIRECTED",
        config=IrweConfig,
        stats_columns={"nodeCount": "int"},
        compute=_irwe_embed,
    )
)
