"""GDS's step-by-step pipeline calls (``gds.beta.pipeline.nodeClassification.create``,
``addNodeProperty``, ``selectFeatures``, ``configureSplit``, ``addLogisticRegression``...) and
the pipeline catalog (``pipeline.list``, ``pipeline.exists``, ``pipeline.drop``).

Each builder call edits the training keys a pipeline holds (:mod:`~neo4j_gml.procedures.
pipeline_store`) and then checks them as the training procedure would, with stand-ins for what
the pipeline has not set yet (``modelName``, ``targetProperty``...); so a step the trainer
would refuse is refused when it is added, naming the key. Training with ``{pipeline: 'p'}``
reads the same keys back: ``addNodeProperty`` appends to ``nodePropertySteps``,
``selectFeatures`` to ``featureProperties``, ``addFeature`` (link prediction) to
``linkFeatures`` or ``topologicalFeatures``, ``configureSplit`` sets the split keys,
``configureAutoTuning`` sets ``numberOfTrials`` (GDS's ``maxTrials``) and ``add<Method>``
appends to ``modelCandidates``.

Example (Cypher)::

    CALL gml.pipeline.nodeClassification.create('pipe');
    CALL gml.pipeline.nodeClassification.addNodeProperty('pipe', 'fastRP',
      {mutateProperty: 'emb', embeddingDimension: 64, randomSeed: 1});
    CALL gml.pipeline.nodeClassification.selectFeatures('pipe', ['emb', 'age']);
    CALL gml.pipeline.nodeClassification.addRandomForest('pipe', {numberOfDecisionTrees: 50});
    CALL gml.nodeClassification.train({pipeline: 'pipe', modelName: 'm', targetProperty: 'class'});
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from neo4j_gml.algorithms.linkpred.pipeline import LINK_FEATURES as _LINK_FEATURES
from neo4j_gml.algorithms.nodepred.selection import DEFAULTS, trials
from neo4j_gml.core.errors import ConfigError, ParameterError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures import model_store, pipeline_store, registry
from neo4j_gml.procedures.config import REQUIRED
from neo4j_gml.procedures.families._steps import step_procedure
from neo4j_gml.procedures.families.linkpred import LINK_METHODS, TOPOLOGICAL_FEATURES
from neo4j_gml.procedures.registry import Procedure, Rows, register
from neo4j_gml.procedures.spec import RunConfig, option

spec = dataclass(frozen=True, kw_only=True, eq=False)

#: pipeline type -> the keys ``configureSplit`` may set
SPLIT_KEYS = {
    "nodeClassification": ("testFraction", "validationFolds"),
    "nodeRegression": ("testFraction", "validationFolds"),
    "linkPrediction": ("testFraction", "validationFraction", "negativeSamplingRatio"),
}

#: pipeline type -> model methods ``add<Method>`` appends
_METHODS = {
    "nodeClassification": [m for m, (tasks, _) in DEFAULTS.items() if "classification" in tasks],
    "nodeRegression": [m for m, (tasks, _) in DEFAULTS.items() if "regression" in tasks],
    "linkPrediction": list(LINK_METHODS),
}

#: pipeline type -> the task :func:`~neo4j_gml.algorithms.nodepred.selection.trials` checks for
_TASKS = {
    "nodeClassification": "classification",
    "nodeRegression": "regression",
    "linkPrediction": "link",
}

_ROW = {
    "name": "str",
    "pipelineType": "str",
    "nodePropertySteps": "list",
    "featureProperties": "list",
    "splitConfig": "map",
    "autoTuningConfig": "map",
    "parameterSpace": "map",
    "pipelineInfo": "map",
    "creationTime": "str",
}


# ---------------------------------------------------------------------------- configs
@spec
class PipelineNameConfig(RunConfig):
    pipeline_name: str = option("pipelineName", REQUIRED, "the pipeline")


@spec
class AddNodePropertyConfig(PipelineNameConfig):
    procedure_name: str = option("procedureName", REQUIRED, "a procedure that yields node values")
    procedure_configuration: dict[str, Any] = option(
        "procedureConfiguration", {}, "its configuration, with mutateProperty"
    )


@spec
class SelectFeaturesConfig(PipelineNameConfig):
    node_properties: list[str] = option(
        "nodeProperties", REQUIRED, "node properties to add to featureProperties"
    )


@spec
class AddFeatureConfig(PipelineNameConfig):
    feature_type: str = option(
        "featureType", REQUIRED, "HADAMARD, COSINE or L2 of node properties, or a topological one"
    )
    feature_configuration: dict[str, Any] = option(
        "featureConfiguration", {}, "{nodeProperties: [...]} for HADAMARD, COSINE and L2"
    )


@spec
class SplitConfig(PipelineNameConfig):
    split_configuration: dict[str, Any] = option("splitConfiguration", {}, "the split keys to set")


@spec
class AutoTuningConfig(PipelineNameConfig):
    auto_tuning_configuration: dict[str, Any] = option(
        "autoTuningConfiguration", {}, "{maxTrials: trials of the random search}"
    )


@spec
class ModelCandidateConfig(PipelineNameConfig):
    model_configuration: dict[str, Any] = option(
        "modelConfiguration", {}, "parameters: a value or {range: [low, high]} each"
    )


@spec
class PipelineListConfig(RunConfig):
    pipeline_name: str | None = option("pipelineName", None, "list only this pipeline")


@spec
class PipelineDropConfig(PipelineNameConfig):
    fail_if_missing: bool = option("failIfMissing", True, "error when there is no such pipeline")


# ---------------------------------------------------------------------------- rows
def _defaults(pipeline_type: str) -> dict[str, Any]:
    keys = registry.get(pipeline_store.PIPELINE_TYPES[pipeline_type]).all_keys()
    return {k.name: k.default for k in keys}


def _row(record: dict[str, Any]) -> dict[str, Any]:
    kind, cfg = record["pipelineType"], record["config"]
    defaults = _defaults(kind)
    space: dict[str, list[dict[str, Any]]] = {}
    for candidate in cfg.get("modelCandidates", []):
        params = {k: v for k, v in candidate.items() if k != "method"}
        space.setdefault(candidate["method"], []).append(params)
    return {
        "name": record["pipelineName"],
        "pipelineType": kind,
        "nodePropertySteps": cfg.get("nodePropertySteps", []),
        "featureProperties": cfg.get("featureProperties", []),
        "splitConfig": {k: cfg.get(k, defaults[k]) for k in SPLIT_KEYS[kind]},
        "autoTuningConfig": {"maxTrials": cfg.get("numberOfTrials", defaults["numberOfTrials"])},
        "parameterSpace": space,
        "pipelineInfo": cfg,
        "creationTime": record["creationTime"],
    }


def _rows(records: list[dict[str, Any]]) -> Rows:
    rows = [_row(r) for r in records]
    return Rows({c: [r[c] for r in rows] for c in _ROW})


# ---------------------------------------------------------------------------- checks
def _stand_ins(pipeline_type: str, cfg: dict[str, Any]) -> dict[str, Any]:
    """Values for what the trainer requires and the pipeline has not set (the call gives
    them when it trains), so the check covers only what the pipeline sets."""
    out: dict[str, Any] = {"modelName": "pipeline-check"}
    if pipeline_type == "linkPrediction":
        if not cfg.get("featureProperties") and not cfg.get("topologicalFeatures"):
            out["topologicalFeatures"] = [TOPOLOGICAL_FEATURES[0]]
    else:
        out["targetProperty"] = "__gml_target"
        if not cfg.get("featureProperties"):
            out["featureProperties"] = ["__gml_feature"]
    return out


def _checked(name: str, pipeline_type: str, cfg: dict[str, Any]) -> dict[str, Any]:
    """``cfg`` if the trainer accepts it; else :class:`ConfigError` naming the pipeline."""
    proc = registry.get(pipeline_store.PIPELINE_TYPES[pipeline_type])
    try:
        with model_store.deferred_store_checks():
            proc.validate(cfg | _stand_ins(pipeline_type, cfg), "stats")
    except ConfigError as exc:
        raise ConfigError(f"pipeline '{name}': {exc}") from None
    return cfg


Edit = Callable[[dict[str, Any], Any], dict[str, Any]]


def _builder(pipeline_type: str, edit: Edit) -> Callable[[Graph, Any], Rows]:
    def compute(_graph: Graph, call: Any) -> Rows:
        name = call.pipeline_name
        record = pipeline_store.change(
            name, pipeline_type, lambda cfg: _checked(name, pipeline_type, edit(cfg, call))
        )
        return _rows([record])

    return compute


# ---------------------------------------------------------------------------- edits
def _add_node_property(cfg: dict[str, Any], call: AddNodePropertyConfig) -> dict[str, Any]:
    step = {"procedure": call.procedure_name, "config": dict(call.procedure_configuration)}
    try:
        step_procedure(step)
    except ConfigError as exc:
        raise ConfigError(
            str(exc).replace("config key 'nodePropertySteps'", "argument 'procedureName'")
        ) from None
    return cfg | {"nodePropertySteps": [*cfg.get("nodePropertySteps", []), step]}


def _select_features(cfg: dict[str, Any], call: SelectFeaturesConfig) -> dict[str, Any]:
    have = list(cfg.get("featureProperties", []))
    return cfg | {"featureProperties": have + [p for p in call.node_properties if p not in have]}


def _add_feature(cfg: dict[str, Any], call: AddFeatureConfig) -> dict[str, Any]:
    kind = call.feature_type
    extra = set(call.feature_configuration) - {"nodeProperties"}
    if extra:
        raise ConfigError(
            f"argument 'featureConfiguration': unknown key '{sorted(extra)[0]}'; "
            "the only key is 'nodeProperties'"
        )
    if kind in TOPOLOGICAL_FEATURES:
        have = list(cfg.get("topologicalFeatures", []))
        return cfg | {"topologicalFeatures": have + ([kind] if kind not in have else [])}
    if kind.upper() not in _LINK_FEATURES:
        raise ConfigError(
            f"argument 'featureType' must be one of {', '.join(_LINK_FEATURES)} (of node "
            f"properties) or {', '.join(TOPOLOGICAL_FEATURES)}, got '{kind}'"
        )
    props = call.feature_configuration.get("nodeProperties")
    if isinstance(props, str):
        props = [props]
    if not isinstance(props, list) or not props or not all(isinstance(p, str) for p in props):
        raise ConfigError(
            "argument 'featureConfiguration' needs 'nodeProperties': a list of node properties"
        )
    have = list(cfg.get("featureProperties", []))
    if have and have != props:
        raise ConfigError(
            f"argument 'featureConfiguration': every link feature of a pipeline combines the "
            f"same node properties ({have}), got {props}"
        )
    features = list(cfg.get("linkFeatures", []))
    if kind.upper() not in features:
        features.append(kind.upper())
    return cfg | {"featureProperties": props, "linkFeatures": features}


def _configure_split(pipeline_type: str) -> Edit:
    def edit(cfg: dict[str, Any], call: SplitConfig) -> dict[str, Any]:
        allowed = SPLIT_KEYS[pipeline_type]
        for key in call.split_configuration:
            if key not in allowed:
                raise ConfigError(
                    f"argument 'splitConfiguration': unknown key '{key}'; the split keys of a "
                    f"{pipeline_type} pipeline are {', '.join(allowed)}"
                )
        return cfg | dict(call.split_configuration)

    return edit


def _configure_auto_tuning(cfg: dict[str, Any], call: AutoTuningConfig) -> dict[str, Any]:
    given = dict(call.auto_tuning_configuration)
    if set(given) - {"maxTrials"}:
        raise ConfigError(
            f"argument 'autoTuningConfiguration': unknown key '{sorted(set(given))[0]}'; "
            "the only key is 'maxTrials'"
        )
    return cfg | ({"numberOfTrials": given["maxTrials"]} if "maxTrials" in given else {})


def _add_model(pipeline_type: str, method: str) -> Edit:
    def edit(cfg: dict[str, Any], call: ModelCandidateConfig) -> dict[str, Any]:
        if "method" in call.model_configuration:
            raise ConfigError(
                f"argument 'modelConfiguration': 'method' is given by the call (add{method})"
            )
        candidate = {"method": method, **call.model_configuration}
        task = _TASKS[pipeline_type]
        try:
            trials([candidate], task, 1, 0, methods=LINK_METHODS if task == "link" else None)
        except ParameterError as exc:
            raise ConfigError(f"argument 'modelConfiguration': {exc.problem}") from None
        return cfg | {"modelCandidates": [*cfg.get("modelCandidates", []), candidate]}

    return edit


# ---------------------------------------------------------------------------- registration
def _create(pipeline_type: str) -> Callable[[Graph, Any], Rows]:
    def compute(_graph: Graph, call: PipelineNameConfig) -> Rows:
        return _rows([pipeline_store.create(call.pipeline_name, pipeline_type)])

    return compute


def _register(
    name: str, description: str, config: type[RunConfig], compute: Any, **kw: Any
) -> None:
    arguments = tuple(k.name for k in config.keys_of() if k.name not in RunConfig._names())
    register(
        Procedure(
            name=name,
            description=description,
            category="pipeline",
            result="rows",
            modes=("stream",),
            bare_mode="stream",
            arguments=arguments,
            weighted=False,
            reads_graph=False,
            config=config,
            rows_columns=kw.pop("rows_columns", _ROW),
            compute=compute,
        )
    )


for _type, _trainer in pipeline_store.PIPELINE_TYPES.items():
    _base = f"pipeline.{_type}"
    _what = f"a {_type} pipeline (for gml.{_trainer} with {{pipeline: name}})"
    _register(f"{_base}.create", f"Create {_what}.", PipelineNameConfig, _create(_type))
    _register(
        f"{_base}.addNodeProperty",
        f"Add a node-property step to {_what}: a procedure run in memory on the training graph "
        "whose mutateProperty can be a feature.",
        AddNodePropertyConfig,
        _builder(_type, _add_node_property),
    )
    if _type == "linkPrediction":
        _register(
            f"{_base}.addFeature",
            f"Add a link feature to {_what}: HADAMARD, COSINE or L2 of nodeProperties, or a "
            "topological measure of the pair.",
            AddFeatureConfig,
            _builder(_type, _add_feature),
        )
    else:
        _register(
            f"{_base}.selectFeatures",
            f"Add node properties to the features of {_what}.",
            SelectFeaturesConfig,
            _builder(_type, _select_features),
        )
    _register(
        f"{_base}.configureSplit",
        f"Set the split of {_what}: {', '.join(SPLIT_KEYS[_type])}.",
        SplitConfig,
        _builder(_type, _configure_split(_type)),
    )
    _register(
        f"{_base}.configureAutoTuning",
        f"Set maxTrials, the trials of the random search over ranges, of {_what}.",
        AutoTuningConfig,
        _builder(_type, _configure_auto_tuning),
    )
    for _method in _METHODS[_type]:
        _register(
            f"{_base}.add{_method}",
            f"Add a {_method} model candidate (parameters as values or {{range: [low, high]}}) "
            f"to {_what}.",
            ModelCandidateConfig,
            _builder(_type, _add_model(_type, _method)),
        )


def _list(_graph: Graph, call: PipelineListConfig) -> Rows:
    if call.pipeline_name is None:
        return _rows(pipeline_store.list_pipelines())
    found = pipeline_store.exists(call.pipeline_name)
    return _rows([pipeline_store.load(call.pipeline_name)] if found else [])


def _exists(_graph: Graph, call: PipelineNameConfig) -> Rows:
    found = pipeline_store.exists(call.pipeline_name)
    kind = pipeline_store.load(call.pipeline_name)["pipelineType"] if found else None
    return Rows({"pipelineName": [call.pipeline_name], "pipelineType": [kind], "exists": [found]})


def _drop(_graph: Graph, call: PipelineDropConfig) -> Rows:
    if not pipeline_store.exists(call.pipeline_name) and not call.fail_if_missing:
        return _rows([])
    return _rows([pipeline_store.drop(call.pipeline_name)])


_register(
    "pipeline.list", "Stored training pipelines (all, or the one named).", PipelineListConfig, _list
)
_register(
    "pipeline.exists",
    "Whether a training pipeline of this name is stored, and its type.",
    PipelineNameConfig,
    _exists,
    rows_columns={"pipelineName": "str", "pipelineType": "str", "exists": "bool"},
)
_register(
    "pipeline.drop",
    "Delete a training pipeline and yield it (failIfMissing: false to allow a missing one).",
    PipelineDropConfig,
    _drop,
)
