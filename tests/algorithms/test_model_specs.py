"""Typed configs of the embedding, link prediction and model procedures.

Oracles: the cross-key rules (split fractions, pairing of linkScore's node lists, a free name for
training, an existing model of the right kind for using one) are refused by
``registry.get(name).validate(config, mode)`` alone, and through the runner before the driver is
touched; the node properties read for a stored model are the ones in its metadata; the stored
``trainConfig`` holds exactly the trainer's own keys (as before the configs were typed).
"""

from __future__ import annotations

import pytest
import torch

import neo4j_gml
from neo4j_gml import models
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.procedures import model_store, registry
from neo4j_gml.procedures.families._training import ModelTrainConfig, TrainConfig
from neo4j_gml.procedures.registry import Procedure
from neo4j_gml.procedures.spec import ProcedureConfig, RunConfig

FAMILY_PROCEDURES = [
    p.name for p in registry.procedures() if p.category in ("embedding", "linkpred", "model")
]


@pytest.fixture(autouse=True)
def _store(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("GML_MODEL_DIR", str(tmp_path / "models"))


def _link_model(name: str = "lp", features: list[str] | None = None) -> None:
    """A stored (fake) GNN link model: only its metadata matters to the checks."""
    models.save(
        name,
        {"w": torch.zeros(1)},
        {"modelType": model_store.GNN_MODEL, "featureProperties": features or ["f", "g"]},
    )


class _NoReads:
    """A driver that fails the test if anything uses it."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"the driver was used ({name}) before the config was refused")


def _refused(name: str, mode: str, config: dict, match: str) -> None:
    """``config`` is refused by validate alone, and by the runner before any read."""
    proc = registry.get(name)
    with pytest.raises(ConfigError, match=match):
        proc.validate(config, mode)
    with pytest.raises(ConfigError, match=match):
        neo4j_gml.run(name, mode, config, driver=_NoReads())


def test_every_procedure_is_a_plain_procedure_with_a_typed_config() -> None:
    for name in FAMILY_PROCEDURES:
        proc = registry.get(name)
        assert type(proc) is Procedure, name
        if proc.arguments:  # GDS's positional form (gml.model.exists('m')): no projection keys
            assert issubclass(proc.config, RunConfig) and not proc.reads_graph, name
            continue
        assert proc.config is not ProcedureConfig and issubclass(proc.config, ProcedureConfig), name
        assert not hasattr(proc, "keys"), name  # every key comes from the config class


def test_trainers_share_one_base() -> None:
    trainers = ["graphSage.train", "linkPrediction.train", "linkPrediction.gnn.train", "irwe.train"]
    for name in trainers:
        config = registry.get(name).config
        base = ModelTrainConfig if name == "irwe.train" else TrainConfig  # IRWE reads no property
        assert config is not None and issubclass(config, base), name
        keys = {k.name: k for k in config.keys_of()}
        assert keys["modelName"].check is model_store.model_name_check
        assert keys["randomSeed"].kind == "int?"


def test_train_config_keys_are_the_trainers_own() -> None:
    """The keys stored as ``trainConfig``: the trainer's own ones (``batchSize`` only where the
    trainer redefines it as a training batch), as before the configs were typed."""
    own = {
        "graphSage.train": {
            "activationFunction",
            "aggregator",
            "batchSize",
            "embeddingDimension",
            "epochs",
            "featureProperties",
            "learningRate",
            "maxIterations",
            "modelName",
            "negativeSampleWeight",
            "randomSeed",
            "sampleSizes",
            "searchDepth",
            "tolerance",
        },
        "linkPrediction.gnn.train": {
            "anchorTemperature",
            "anchors",
            "batchSize",
            "completionAlpha",
            "completionOffset",
            "completionPt",
            "completionScale",
            "decoder",
            "hops",
            "model",
            "residualSamples",
            "residualSamplesPredict",
            "dropout",
            "encoder",
            "encoderDropout",
            "epochs",
            "evaluationInterval",
            "featureProperties",
            "hiddenDimension",
            "hitsK",
            "inputDropout",
            "outputDropout",
            "layers",
            "learningRate",
            "maxDistance",
            "mlpLayers",
            "modelName",
            "negativeSamplingRatio",
            "randomSeed",
            "testFraction",
            "validationFraction",
        },
        "linkPrediction.train": {
            "classifier",
            "epochs",
            "featureProperties",
            "hiddenDimension",
            "hitsK",
            "learningRate",
            "linkFeatures",
            "modelCandidates",
            "modelName",
            "negativeSamplingRatio",
            "nodePropertySteps",
            "numberOfTrials",
            "penalty",
            "pipeline",
            "randomSeed",
            "testFraction",
            "topologicalFeatures",
            "validationFraction",
        },
    }
    for name, keys in own.items():
        config = registry.get(name).config
        assert set(config.training_keys()) == keys, name


def test_training_rules_fail_before_any_read() -> None:
    _refused(
        "linkPrediction.train",
        "stats",
        {
            "modelName": "m",
            "topologicalFeatures": ["adamicAdar"],
            "testFraction": 0.6,
            "validationFraction": 0.4,
        },
        r"'testFraction' \+ 'validationFraction' must be below 1 \(got 0.6 \+ 0.4\)",
    )
    _refused(
        "linkPrediction.gnn.train",
        "stats",
        {"modelName": "m", "featureProperties": ["f"], "testFraction": 0.9},
        "must be below 1",
    )
    _refused(
        "linkPrediction.train",
        "stats",
        {"modelName": "m"},
        "featureProperties' or 'topologicalFeatures",
    )
    _refused(
        "linkPrediction.gnn.train",
        "stats",
        {"modelName": "m", "featureProperties": []},
        "featureProperties' must not be empty",
    )
    _refused(
        "fastRP",
        "stream",
        {"embeddingDimension": 4, "propertyRatio": 0.5},
        "'propertyRatio' is positive but 'featureProperties' names no property",
    )
    _link_model("taken")
    for name, config in [
        ("linkPrediction.gnn.train", {"featureProperties": ["f"]}),
        ("linkPrediction.train", {"topologicalFeatures": ["adamicAdar"]}),
        ("graphSage.train", {"featureProperties": ["f"]}),
    ]:
        _refused(name, "stats", {"modelName": "taken", **config}, "'taken' already exists")


def test_predict_needs_an_existing_link_model_before_any_read() -> None:
    _refused("linkPrediction.predict", "stream", {"modelName": "nope"}, "no model named 'nope'")
    models.save("sage", {"w": torch.zeros(1)}, {"modelType": model_store.GRAPHSAGE_MODEL})
    _refused(
        "linkPrediction.predict",
        "stream",
        {"modelName": "sage"},
        "'sage' is a graphSage model, not a link prediction model",
    )
    _link_model("lp", ["f", "g"])
    _refused(
        "linkPrediction.predict",
        "stream",
        {"modelName": "lp", "featureProperties": ["g"]},
        r"model 'lp' was trained on \['f', 'g'\], not on \['g'\]",
    )
    _refused(
        "linkPrediction.predict",
        "stream",
        {"modelName": "lp", "featureProperties": 3},
        "'featureProperties' must be a property name or a list of names",
    )
    _refused("graphSage", "stream", {"modelName": "lp"}, "'lp' is a linkPrediction.gnn model")
    _refused("graphSage", "stream", {"modelName": "nope"}, "no model named 'nope'")
    _refused("model.drop", "stream", {"modelName": "nope"}, "no model named 'nope'")
    _refused("model.list", "stream", {"modelName": "../x"}, "invalid model name")


def test_model_feature_properties_are_read() -> None:
    _link_model("lp", ["f", "g"])
    proc = registry.get("linkPrediction.predict")
    cfg = proc.validate({"modelName": "lp", "featureProperties": ["f", "g"]}, "stream")
    assert proc.node_properties_needed(cfg) == ["f", "g"]
    models.save(
        "sage",
        {"w": torch.zeros(1)},
        {"modelType": model_store.GRAPHSAGE_MODEL, "featureProperties": ["h"]},
    )
    proc = registry.get("graphSage")
    assert proc.node_properties_needed(proc.validate({"modelName": "sage"}, "stream")) == ["h"]


def test_store_checks_can_be_deferred() -> None:
    """A pipeline validates a predict step before the step that trains its model has run."""
    proc = registry.get("linkPrediction.predict")
    with model_store.deferred_store_checks():
        cfg = proc.validate({"modelName": "later"}, "stream")
        train = registry.get("linkPrediction.train")
        _link_model("taken")
        train.validate({"modelName": "taken", "topologicalFeatures": ["adamicAdar"]}, "stats")
        with pytest.raises(ConfigError, match="invalid model name"):
            proc.validate({"modelName": "../x"}, "stream")
    with pytest.raises(ConfigError, match="no model named 'later'"):
        proc.node_properties_needed(cfg)
    with pytest.raises(ConfigError, match="no model named 'later'"):
        proc.validate({"modelName": "later"}, "stream")


def test_link_score_pairing_fails_before_any_read() -> None:
    _refused(
        "linkScore",
        "stream",
        {"sourceNodes": [1, 2], "targetNodes": [3]},
        r"'sourceNodes' \(2 ids\) and 'targetNodes' \(1 ids\) must have the same length",
    )
    _refused(
        "linkScore",
        "stream",
        {"pairs": [[1, 2]], "sourceNodes": [1], "targetNodes": [2]},
        "not both",
    )
    _refused("linkScore", "stream", {"pairsQuery": "RETURN 1", "sourceNodes": [1]}, "not both")
    _refused("linkScore", "stream", {"pairs": [[1, 2, 3]]}, "list of \\[source, target\\]")
    _refused("linkScore", "stream", {"pairs": [["a", 2]]}, "list of \\[source, target\\]")
    _refused("linkScore", "stream", {}, "linkScore needs 'pairs', 'pairsQuery'")


def test_same_community_reads_the_community_property_only_when_needed() -> None:
    for name in ("linkScore", "linkCandidates"):
        proc = registry.get(name)
        pairs = {"pairs": [[1, 2]]} if name == "linkScore" else {}
        cfg = proc.validate(
            {"measure": "sameCommunity", "communityProperty": "team", **pairs}, "stream"
        )
        assert proc.node_properties_needed(cfg) == ["team"]
        cfg = proc.validate({"measure": "adamicAdar", **pairs}, "stream")
        assert proc.node_properties_needed(cfg) == []


def test_pairs_and_pairs_query_cannot_be_combined() -> None:
    with pytest.raises(ConfigError, match="'pairs' and 'pairsQuery' cannot be combined"):
        registry.get("linkScore").validate(
            {
                "pairs": [[1, 2]],
                "pairsQuery": "MATCH (a), (b) RETURN id(a) AS source, id(b) AS target",
            },
            "stream",
        )
