"""The model store as procedures see it: checks that name a config key, saving a trained model
with its training configuration and metrics, and rebuilding a stored model.

:mod:`neo4j_gml.models` is the store itself (folders on disk, no knowledge of procedures);
this module adds what the procedures that train or use models share:

* the checks their configs run in ``check(mode)``, before anything is read from Neo4j: a valid
  name (:func:`model_name_check`, a :class:`~neo4j_gml.procedures.config.Key` check), no model of
  that name yet (:func:`require_absent`, for training), a model of the right type
  (:func:`require_model`, for using one); every failure is a :class:`ConfigError` naming
  ``modelName``;
* :func:`save_trained`: store a trained model with its ``trainConfig`` and ``metrics``;
* :func:`load_state` and the ``rebuild_*`` functions: a stored model as a module ready to run.

A caller that validates configurations long before they run (a pipeline validates every step
when it loads, and a step may use a model that an earlier step trains) wraps that validation in
:func:`deferred_store_checks`: the checks that look into the store are then skipped, and they run
when the step is validated again right before it runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import torch

from neo4j_gml import models
from neo4j_gml.algorithms.embedding.graphsage import GraphSageNet, build_model
from neo4j_gml.algorithms.linkpred.gnn import LinkPredictor, build_link_model
from neo4j_gml.algorithms.linkpred.pipeline import ForestPairClassifier, PairClassifier
from neo4j_gml.core.errors import ConfigError

__all__ = [
    "GNN_MODEL",
    "GRAPHSAGE_MODEL",
    "LINK_MODELS",
    "PIPELINE_MODEL",
    "deferred_store_checks",
    "load_state",
    "model_name_check",
    "rebuild_graphsage",
    "rebuild_link_model",
    "rebuild_pair_classifier",
    "require_absent",
    "require_model",
    "save_trained",
    "store_checks_deferred",
    "stored_metadata",
]

#: ``modelType`` of the models each trainer stores
GRAPHSAGE_MODEL = "graphSage"
GNN_MODEL = "linkPrediction.gnn"
PIPELINE_MODEL = "linkPrediction.pipeline"
LINK_MODELS = (GNN_MODEL, PIPELINE_MODEL)

_DEFERRED: ContextVar[bool] = ContextVar("neo4j_gml_store_checks_deferred", default=False)


# ---------------------------------------------------------------------------- config checks
@contextmanager
def deferred_store_checks() -> Iterator[None]:
    """Within this block, config checks that look into the store are skipped (see the module
    docs); checks of the name itself still run."""
    token = _DEFERRED.set(True)
    try:
        yield
    finally:
        _DEFERRED.reset(token)


def store_checks_deferred() -> bool:
    """Whether the store checks are skipped here (:func:`deferred_store_checks`)."""
    return _DEFERRED.get()


def model_name_check(name: str) -> str | None:
    """A :class:`~neo4j_gml.procedures.config.Key` check: ``None`` for a valid model name."""
    try:
        models.exists(name)
    except models.ModelStoreError as exc:
        return f"is invalid: {exc}"
    return None


def stored_metadata(name: str) -> dict[str, Any]:
    """The metadata of model ``name``; :class:`ConfigError` naming ``modelName`` if missing."""
    try:
        return models.metadata(name)
    except models.ModelStoreError as exc:
        raise ConfigError(f"config key 'modelName': {exc}") from None


def require_model(name: str, types: tuple[str, ...], what: str) -> dict[str, Any]:
    """The metadata of model ``name``, which must exist and be of one of ``types`` (``what``
    describes them: ``'a graphSage model'``); else :class:`ConfigError` naming ``modelName``."""
    meta = stored_metadata(name)
    if meta.get("modelType") not in types:
        raise ConfigError(
            f"config key 'modelName': '{name}' is a {meta.get('modelType')} model, not {what}"
        )
    return meta


def require_absent(name: str) -> None:
    """:class:`ConfigError` naming ``modelName`` when a model ``name`` exists already."""
    try:
        taken = models.exists(name)
    except models.ModelStoreError as exc:
        raise ConfigError(f"config key 'modelName': {exc}") from None
    if taken:
        raise ConfigError(f"config key 'modelName': a model named '{name}' already exists")


# ---------------------------------------------------------------------------- save and load
def save_trained(
    name: str,
    state: dict[str, torch.Tensor],
    metadata: dict[str, Any],
    *,
    train_config: dict[str, Any],
    metrics: dict[str, Any],
) -> dict[str, Any]:
    """Store a trained model: ``metadata`` plus its ``trainConfig`` and ``metrics``; the stored
    metadata. A model of that name stored meanwhile is a :class:`ConfigError`."""
    try:
        return models.save(
            name, state, metadata | {"trainConfig": train_config, "metrics": metrics}
        )
    except models.ModelStoreError as exc:
        raise ConfigError(f"config key 'modelName': {exc}") from None


def load_state(name: str, device: str | torch.device) -> tuple[dict[str, torch.Tensor], dict]:
    """``(state_dict, metadata)`` of model ``name`` on ``device``; :class:`ConfigError` naming
    ``modelName`` if it is missing (e.g. dropped since the config was checked)."""
    try:
        return models.load(name, device)
    except models.ModelStoreError as exc:
        raise ConfigError(f"config key 'modelName': {exc}") from None


# ---------------------------------------------------------------------------- rebuilding
def rebuild_graphsage(meta: dict[str, Any], state: dict[str, torch.Tensor]) -> GraphSageNet:
    """The GraphSAGE network of a stored ``graphSage`` model."""
    model = build_model(
        meta["inputDimension"],
        meta["embeddingDimension"],
        len(meta["sampleSizes"]),
        meta["aggregator"],
        meta["activationFunction"],
        0,
    )
    model.load_state_dict(state)
    return model


def rebuild_link_model(
    meta: dict[str, Any], state: dict[str, torch.Tensor], device: torch.device
) -> LinkPredictor:
    """The network of a stored ``linkPrediction.gnn`` model, on ``device``, in evaluation mode.

    Models stored before the ``model`` key existed name a ``decoder`` (``NCN`` or ``DOT``)."""
    name = meta.get("model") or ("GAE" if meta.get("decoder") == "DOT" else "NCN")
    params: dict[str, Any] = {
        "hidden": meta["hiddenDimension"],
        "layers": meta["layers"],
        "encoder": meta["encoder"],
        "mlp_layers": meta["mlpLayers"],
        **meta.get("modelOptions", {}),
    }
    model = build_link_model(name, meta["inputDimension"], **params).to(device)
    model.load_state_dict(state)
    return model.eval()


def rebuild_pair_classifier(
    meta: dict[str, Any], state: dict[str, torch.Tensor], device: torch.device
) -> PairClassifier | ForestPairClassifier:
    """The classifier of a stored ``linkPrediction.pipeline`` model, on ``device``, in
    evaluation mode."""
    if meta["classifier"] == "RANDOM_FOREST":
        from neo4j_gml.algorithms.nodepred.forest import RandomForest

        prefix = "forest."
        trees = {k[len(prefix) :]: v for k, v in state.items() if k.startswith(prefix)}
        return (
            ForestPairClassifier(RandomForest.from_state(meta["forest"], trees)).to(device).eval()
        )
    clf = PairClassifier(meta["pairFeatureDimension"], meta["classifier"], meta["hiddenDimension"])
    clf.load_state_dict(state)
    return clf.to(device).eval()
