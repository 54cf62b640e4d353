"""What the model-training procedures share (``graphSage.train``, ``linkPrediction.train``,
``linkPrediction.gnn.train``, ``irwe.train``...): the config bases :class:`ModelTrainConfig` and
:class:`TrainConfig` and the definitions of the
keys they all take with defaults of their own (``epochs``, ``learningRate``, ``batchSize``).

No procedure is registered here.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from neo4j_gml.procedures import model_store
from neo4j_gml.procedures.config import REQUIRED
from neo4j_gml.procedures.pipeline_store import with_pipeline
from neo4j_gml.procedures.spec import NodeConfig, option

spec = dataclass(frozen=True, kw_only=True, eq=False)


def non_empty(v: list) -> str | None:
    """A key check: the list must not be empty."""
    return None if len(v) > 0 else "must not be empty"


def epochs_option(default: int, doc: str) -> Any:
    """``epochs``: at least 1; its default and meaning are the trainer's."""
    return option("epochs", default, doc, min=1)


def learning_rate_option(default: float) -> Any:
    """``learningRate`` of the Adam optimiser: positive."""
    return option("learningRate", default, "Adam learning rate", min=0.0, min_exclusive=True)


def batch_size_option(default: int, doc: str) -> Any:
    """``batchSize`` as a training batch (it replaces the write batch size of
    :class:`~neo4j_gml.procedures.spec.ProcedureConfig`, and has no upper bound)."""
    return option("batchSize", default, doc, min=1)


@spec
class ModelTrainConfig(NodeConfig):
    """A procedure that trains a model and stores it under ``modelName``.

    :meth:`check` refuses a name already in the store before anything is read. Every key a
    subclass declares (or redeclares, like ``batchSize``) is part of the stored model's
    ``trainConfig`` (:meth:`train_config`). :class:`TrainConfig` adds the input
    ``featureProperties``; a trainer that reads no node property (``irwe.train``) uses this one.
    """

    model_name: str = option(
        "modelName",
        REQUIRED,
        "name the model is stored under",
        check=model_store.model_name_check,
    )
    random_seed: int | None = option(
        "randomSeed", None, "seed of initialisation and sampling (and of the split, if any)"
    )

    def check(self, mode: str) -> None:
        super().check(mode)
        if not model_store.store_checks_deferred():
            model_store.require_absent(self.model_name)

    def seed(self, bits: int) -> int:
        """``randomSeed``, or a fresh random seed of ``bits`` bits when it is unset."""
        return self.random_seed if self.random_seed is not None else secrets.randbits(bits)

    @classmethod
    def training_keys(cls) -> list[str]:
        """The keys declared by :class:`ModelTrainConfig` and its subclasses (not the projection
        and run keys, unless redeclared), in declaration order."""
        own: set[str] = set()
        for klass in cls.__mro__:
            if isinstance(klass, type) and issubclass(klass, ModelTrainConfig):
                own |= set(vars(klass).get("__annotations__", {}))
        return [f.metadata["key"] for f in fields(cls) if f.name in own]

    def train_config(self, seed: int) -> dict[str, Any]:
        """The ``trainConfig`` stored with the model: the training keys, the seed used and the
        orientation."""
        out = {key: self[key] for key in self.training_keys()}
        return out | {"randomSeed": seed, "orientation": self.orientation}


@spec
class TrainConfig(ModelTrainConfig):
    """A trainer whose model reads node properties (``featureProperties``, at least one)."""

    feature_properties: list[str] = option(
        "featureProperties", REQUIRED, "node properties used as input features", check=non_empty
    )


@spec
class BuiltPipelineConfig(TrainConfig):
    """A trainer whose training keys can come from a pipeline built step by step
    (``pipeline.<type>.create``, ``addNodeProperty``...): ``pipeline`` names it, and its keys
    join the configuration before it is checked
    (:func:`~neo4j_gml.procedures.pipeline_store.with_pipeline`)."""

    pipeline: str | None = option(
        "pipeline", None, "a pipeline built with the pipeline.* calls; its keys join this config"
    )

    #: the pipeline type (``nodeClassification``...) this trainer's pipelines are built as
    PIPELINE_TYPE = ""

    @classmethod
    def parse(cls, config: Mapping[str, Any] | None, mode: str, *, what: str = "") -> Any:
        return super().parse(with_pipeline(config, cls.PIPELINE_TYPE), mode, what=what)
