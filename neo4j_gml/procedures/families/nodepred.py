"""Node classification and regression: GDS's node pipelines, each trained in one call.

``nodeClassification.train`` / ``nodeRegression.train`` take the pipeline as configuration:

* ``nodePropertySteps``: ``[{procedure: 'fastRP', config: {mutateProperty: 'emb', ...}}, ...]``,
  any registry procedure that yields node values, run in memory on the projected graph when
  training and again when predicting (nothing is written to Neo4j); their ``mutateProperty``
  may then be named among
* ``featureProperties``: node properties (numbers or lists of numbers, from Neo4j or from the
  steps), side by side;
* ``targetProperty``: the class (an integer) or value to learn; nodes without it are not
  trained or tested on, and are predicted like any other;
* ``modelCandidates``: ``[{method: 'LogisticRegression', penalty: {range: [1e-4, 1]}}, ...]``
  (methods ``LogisticRegression`` / ``LinearRegression``, ``MLP``, ``RandomForest``, ``GCN``,
  ``GraphSAGE``, ``GAT``), ``numberOfTrials`` for the random search over ranges;
* the split: ``testFraction`` and ``validationFolds`` (stratified for classes), or an explicit
  ``splitProperty`` (0 train, 1 validation, 2 test; other values or none: not used), as the
  public Planetoid splits come;
* ``metrics``: the first chooses the winner (``ACCURACY``, ``F1_WEIGHTED``, ``F1_MACRO``,
  ``F1(class=c)``, ``OUT_OF_BAG_ERROR``; ``MEAN_SQUARED_ERROR``, ``ROOT_MEAN_SQUARED_ERROR``,
  ``MEAN_ABSOLUTE_ERROR``).

The winner is stored under ``modelName`` with its pipeline, classes, metrics and every trial's
scores. ``nodeClassification.predict`` (stream ``nodeId, predictedClass,
predictedProbabilities``; write ``writeProperty`` and ``predictedProbabilityProperty``;
mutate) and ``nodeRegression.predict`` (``nodeId, predictedValue``) rerun the steps and apply it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from neo4j_gml.algorithms.nodepred.metrics import (
    parse_metric,
)
from neo4j_gml.algorithms.nodepred.selection import (
    METHODS,
    model_from_state,
    select,
    trials,
)
from neo4j_gml.algorithms.nodepred.split import NodeSplit, split_nodes
from neo4j_gml.core.errors import ConfigError, ParameterError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures import model_store
from neo4j_gml.procedures.config import REQUIRED
from neo4j_gml.procedures.families._steps import (
    properties_to_read,
    run_steps,
    step_procedure,
    steps_check,
)
from neo4j_gml.procedures.families._training import BuiltPipelineConfig
from neo4j_gml.procedures.families.embedding import feature_matrix
from neo4j_gml.procedures.registry import NodeValues, Procedure, Rows, register
from neo4j_gml.procedures.spec import NodeConfig, option

spec = dataclass(frozen=True, kw_only=True, eq=False)

#: ``modelType`` of the stored models, per task
MODEL_TYPES = {"classification": "nodeClassification", "regression": "nodeRegression"}


def _features(graph: Graph, names: list[str]) -> torch.Tensor:
    """``float64[n, f]``: the named properties side by side (``featureProperties`` is never
    empty: :class:`TrainConfig` requires names)."""
    x = feature_matrix(graph, names, "featureProperties", dtype=torch.float64)
    assert x is not None
    return x


# ---------------------------------------------------------------------------- train
def _candidates_check(value: Any) -> str | None:
    if not isinstance(value, list) or not value:
        return "must be a non-empty list of maps, each with a 'method'"
    for c in value:
        if not isinstance(c, Mapping) or c.get("method") not in METHODS:
            return f"must be maps whose 'method' is one of {', '.join(METHODS)}"
    return None


@spec
class NodeTrainConfig(BuiltPipelineConfig):
    """The keys of ``nodeClassification.train`` and ``nodeRegression.train``."""

    target_property: str = option("targetProperty", REQUIRED, "node property to learn")
    node_property_steps: list[Any] = option(
        "nodePropertySteps",
        [],
        "procedures run on the graph first; their mutateProperty can be a feature",
        check=steps_check,
        kind="any",
    )
    model_candidates: list[Any] = option(
        "modelCandidates",
        [{"method": "LogisticRegression"}],
        "models to try: {method, parameter: value or {range: [low, high]}}",
        check=_candidates_check,
        kind="any",
    )
    number_of_trials: int = option(
        "numberOfTrials", 10, "trials of the random search over ranges at most", min=1
    )
    metrics: list[str] = option("metrics", [], "scores to report; the first chooses the model")
    test_fraction: float = option(
        "testFraction", 0.3, "share of labelled nodes held out for the test", min=0.0, max=1.0
    )
    validation_folds: int = option(
        "validationFolds", 3, "folds of the training nodes for model selection", min=2
    )
    split_property: str | None = option(
        "splitProperty",
        None,
        "an explicit split instead: 0 train, 1 validation, 2 test (else unused)",
    )

    TASK = "classification"
    PIPELINE_TYPE = "nodeClassification"

    def check(self, mode: str) -> None:
        super().check(mode)
        if self.test_fraction >= 1.0:
            raise ConfigError("config key 'testFraction' must be below 1")
        for step in self.node_property_steps:
            step_procedure(step)
        try:
            self.metric_names()
            trials(self.model_candidates, self.TASK, self.number_of_trials, 0)
        except ParameterError as exc:
            key = "metrics" if exc.parameter == "metrics" else "modelCandidates"
            raise ConfigError(f"config key '{key}': {exc.problem}") from None
        if self.target_property in self.feature_properties:
            raise ConfigError(
                f"config key 'featureProperties' must not hold the target '{self.target_property}'"
            )

    def metric_names(self) -> list[str]:
        names = list(self.metrics) or (
            ["ACCURACY"] if self.TASK == "classification" else ["MEAN_SQUARED_ERROR"]
        )
        out = [parse_metric(m, self.TASK) for m in names]
        if out[0] == "OUT_OF_BAG_ERROR" and any(
            c.get("method") != "RandomForest" for c in self.model_candidates
        ):
            raise ParameterError(
                "metrics", "OUT_OF_BAG_ERROR can choose the model only among RandomForest ones"
            )
        return out

    def extra_node_properties(self) -> list[str]:
        own = properties_to_read(list(self.feature_properties), self.node_property_steps)
        return list(dict.fromkeys(own + self.optional_node_properties()))

    def optional_node_properties(self) -> list[str]:
        return [self.target_property] + ([self.split_property] if self.split_property else [])


@spec
class NodeRegressionTrainConfig(NodeTrainConfig):
    model_candidates: list[Any] = option(
        "modelCandidates",
        [{"method": "LinearRegression"}],
        "models to try: {method, parameter: value or {range: [low, high]}}",
        check=_candidates_check,
        kind="any",
    )
    TASK = "regression"
    PIPELINE_TYPE = "nodeRegression"


def _split(
    graph: Graph, cfg: NodeTrainConfig, labelled: np.ndarray, classes: np.ndarray | None, seed: int
) -> tuple[NodeSplit, np.ndarray | None]:
    """The split (positions into ``labelled``) and, for an explicit split, the validation
    nodes a GNN watches to stop early (graph positions)."""
    if cfg.split_property is None:
        try:
            return split_nodes(
                labelled.size,
                labels=classes,
                test_fraction=cfg.test_fraction,
                validation_folds=cfg.validation_folds,
                random_seed=seed,
            ), None
        except ParameterError as exc:
            raise ConfigError(f"config key 'validationFolds': {exc.problem}") from None
    part = graph.node_properties[cfg.split_property].reshape(-1).cpu().numpy()[labelled]
    train, validation, test = (np.flatnonzero(part == v) for v in (0, 1, 2))
    if train.size == 0 or validation.size == 0:
        raise ConfigError(
            f"config key 'splitProperty': '{cfg.split_property}' must mark training (0) and "
            "validation (1) nodes among those with the target"
        )
    # the validation nodes are the one fold: trials train on the training nodes and are scored
    # on them; the winner trains on the training nodes again, watching them to stop early
    return NodeSplit(train, test, [validation]), labelled[validation]


def _train(graph: Graph, cfg: NodeTrainConfig) -> Rows:
    started = time.perf_counter()
    task = cfg.TASK
    seed = cfg.seed(31)
    graph = run_steps(graph, cfg.node_property_steps)
    x = _features(graph, list(cfg.feature_properties))
    for key, name in (
        ("targetProperty", cfg.target_property),
        ("splitProperty", cfg.split_property),
    ):
        if name is not None and name not in graph.node_properties:
            raise ConfigError(f"config key '{key}': no node has the property '{name}'")
    raw = graph.node_properties[cfg.target_property].reshape(graph.num_nodes, -1)
    if raw.shape[1] != 1:
        raise ConfigError(f"config key 'targetProperty': '{cfg.target_property}' is a list")
    target = raw[:, 0].cpu().numpy()
    labelled = np.flatnonzero(~np.isnan(target))
    if labelled.size == 0:
        raise ConfigError(f"config key 'targetProperty': no node has '{cfg.target_property}'")
    metrics = cfg.metric_names()
    classes: np.ndarray | None = None
    if task == "classification":
        values = target[labelled]
        if not np.all(values == np.round(values)):
            raise ConfigError(
                f"config key 'targetProperty': '{cfg.target_property}' must hold integer classes"
            )
        classes = np.unique(values).astype(np.int64)
        index = np.full(graph.num_nodes, -1, dtype=np.int64)
        index[labelled] = np.searchsorted(classes, values)
        y = torch.as_tensor(index, device=graph.device)
    else:
        y = torch.as_tensor(np.nan_to_num(target), dtype=torch.float64, device=graph.device)
    stratify = None if classes is None else y.cpu().numpy()[labelled]
    split, early = _split(graph, cfg, labelled, stratify, seed)
    try:
        found = select(
            x,
            y,
            labelled,
            split,
            graph,
            task=task,
            num_classes=None if classes is None else int(classes.size),
            candidates=cfg.model_candidates,
            metrics=metrics,
            number_of_trials=cfg.number_of_trials,
            random_seed=seed,
            early_stopping=early,
        )
    except ParameterError as exc:
        raise ConfigError(f"config key 'modelCandidates': {exc.problem}") from None
    meta = {
        "modelType": MODEL_TYPES[task],
        "pipeline": {
            "nodePropertySteps": list(cfg.node_property_steps),
            "featureProperties": list(cfg.feature_properties),
        },
        "featureProperties": list(cfg.feature_properties),
        "targetProperty": cfg.target_property,
        "classes": None if classes is None else classes.tolist(),
        "inputDimension": int(x.shape[1]),
        "bestModel": found.best.metadata(),
    }
    winner = found.trial_stats[found.best_trial]
    scores = {
        m: {
            "train": found.train_scores[m],
            "test": found.test_scores[m],
            "validation": winner["metrics"][m]["validation"],
            "outerTrain": found.train_scores[m],
        }
        for m in metrics
    }
    selection = {
        "bestParameters": {"method": found.best.method, **found.best.parameters},
        "modelCandidates": found.trial_stats,
    }
    info = model_store.save_trained(
        cfg.model_name,
        found.best.model.state_dict(),
        meta,
        train_config=cfg.train_config(seed),
        metrics=scores,
    )
    info = info | {"modelSelectionStats": selection}
    return Rows(
        {},
        stats={
            "modelInfo": info,
            "modelSelectionStats": selection,
            "trainMillis": int((time.perf_counter() - started) * 1000),
            "testMetrics": found.test_scores,
        },
    )


_TRAIN_STATS = {
    "modelInfo": "map",
    "modelSelectionStats": "map",
    "trainMillis": "int",
    "testMetrics": "map",
}

for _task, _config, _what in (
    ("classification", NodeTrainConfig, "classes (an integer targetProperty)"),
    ("regression", NodeRegressionTrainConfig, "values (a numeric targetProperty)"),
):
    register(
        Procedure(
            name=f"{MODEL_TYPES[_task]}.train",
            description=f"Train a node {_task} pipeline predicting {_what}: node-property "
            "steps run in memory, featureProperties, model candidates (logistic/linear "
            "regression, MLP, random forest, GCN, GraphSAGE, GAT) chosen by random search with "
            "validation folds; stores the winner under modelName with its metrics.",
            category="nodepred",
            result="rows",
            modes=("stats",),
            config=_config,
            stats_columns=_TRAIN_STATS,
            compute=_train,
        )
    )


# ---------------------------------------------------------------------------- predict
@spec
class NodePredictConfig(NodeConfig):
    model_name: str = option(
        "modelName", REQUIRED, "a trained node model", check=model_store.model_name_check
    )
    predicted_probability_property: str | None = option(
        "predictedProbabilityProperty", None, "write/mutate: also the class probabilities"
    )
    include_predicted_probabilities: bool = option(
        "includePredictedProbabilities", False, "stream: also the class probabilities"
    )

    TASK = "classification"

    def check(self, mode: str) -> None:
        super().check(mode)
        if not model_store.store_checks_deferred():
            self.model()

    def model(self) -> dict[str, Any]:
        kind = MODEL_TYPES[self.TASK]
        return model_store.require_model(self.model_name, (kind,), f"a {kind} model")

    def extra_node_properties(self) -> list[str]:
        pipeline = self.model()["pipeline"]
        return properties_to_read(
            list(pipeline["featureProperties"]), list(pipeline["nodePropertySteps"])
        )


@spec
class NodeRegressionPredictConfig(NodePredictConfig):
    TASK = "regression"


def _predict(graph: Graph, cfg: NodePredictConfig) -> NodeValues:
    meta = cfg.model()
    state, _ = model_store.load_state(cfg.model_name, graph.device)
    fitted = model_from_state(meta["bestModel"], state, cfg.TASK)
    fitted.model.to(graph.device)
    pipeline = meta["pipeline"]
    graph = run_steps(graph, list(pipeline["nodePropertySteps"]))
    x = _features(graph, list(pipeline["featureProperties"]))
    if x.shape[1] != meta["inputDimension"]:
        raise ConfigError(
            f"config key 'modelName': model '{cfg.model_name}' takes {meta['inputDimension']} "
            f"features, the graph gives {x.shape[1]}"
        )
    out = fitted.predict(x, graph)
    if cfg.TASK == "regression":
        return NodeValues(out.to(torch.float64), stats={"nodeCount": graph.num_nodes})
    classes = torch.as_tensor(meta["classes"], dtype=torch.long, device=out.device)
    extra = {}
    if cfg.include_predicted_probabilities or cfg.predicted_probability_property:
        extra["predictedProbabilities"] = out.to(torch.float64)
    return NodeValues(classes[out.argmax(dim=1)], extra=extra, stats={"nodeCount": graph.num_nodes})


register(
    Procedure(
        name="nodeClassification.predict",
        description="Predict each node's class with a nodeClassification model (its node-"
        "property steps rerun first): nodeId, predictedClass, predictedProbabilities (with "
        "includePredictedProbabilities); write/mutate writeProperty and "
        "predictedProbabilityProperty.",
        category="nodepred",
        config=NodePredictConfig,
        column="predictedClass",
        column_type="int",
        extra_columns={"predictedProbabilities": "floatList"},
        write_extra={"predictedProbabilities": "predictedProbabilityProperty"},
        weighted=False,
        compute=_predict,
    )
)
register(
    Procedure(
        name="nodeRegression.predict",
        description="Predict each node's value with a nodeRegression model (its node-property "
        "steps rerun first): nodeId, predictedValue.",
        category="nodepred",
        config=NodeRegressionPredictConfig,
        column="predictedValue",
        column_type="float",
        weighted=False,
        compute=_predict,
    )
)
