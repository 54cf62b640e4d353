"""GDS's step-by-step pipeline calls: a pipeline built call by call trains exactly the model the
same keys give in one call; every refusal names the argument or key; the catalog calls; edits
from many threads at once are all kept."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from test_nodepred import _planted

import neo4j_gml
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph


@pytest.fixture(autouse=True)
def _model_dir(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("GML_MODEL_DIR", str(tmp_path))


def call(name: str, **config: object) -> list[dict]:
    return neo4j_gml.run(name, "stream", dict(config)).to_dict("records")


STEP = {"mutateProperty": "emb", "embeddingDimension": 16, "randomSeed": 7}
FOREST = {"numberOfDecisionTrees": {"range": [5, 15]}, "maxDepth": 6}


def _build(name: str, kind: str = "nodeClassification") -> dict:
    base = f"pipeline.{kind}"
    call(f"{base}.create", pipelineName=name)
    call(f"{base}.addNodeProperty", pipelineName=name, procedureName="fastRP",
         procedureConfiguration=STEP)  # fmt: skip
    call(f"{base}.selectFeatures", pipelineName=name, nodeProperties=["x", "emb"])
    call(f"{base}.configureSplit", pipelineName=name,
         splitConfiguration={"testFraction": 0.25, "validationFolds": 2})  # fmt: skip
    call(f"{base}.addRandomForest", pipelineName=name, modelConfiguration=FOREST)
    call(f"{base}.addMLP", pipelineName=name, modelConfiguration={"maxEpochs": 30})
    return call(f"{base}.configureAutoTuning", pipelineName=name,
                autoTuningConfiguration={"maxTrials": 3})[0]  # fmt: skip


def test_a_built_pipeline_trains_as_the_same_keys_in_one_call() -> None:
    graph, y = _planted()
    row = _build("pipe")
    assert row["splitConfig"] == {"testFraction": 0.25, "validationFolds": 2}
    assert row["autoTuningConfig"] == {"maxTrials": 3}
    assert row["parameterSpace"] == {"RandomForest": [FOREST], "MLP": [{"maxEpochs": 30}]}
    assert row["nodePropertySteps"] == [{"procedure": "fastRP", "config": STEP}]
    call_keys = {"targetProperty": "cls", "randomSeed": 3}
    built = neo4j_gml.run(
        "nodeClassification.train", "stats",
        {"pipeline": "pipe", "modelName": "built", **call_keys}, graph=graph,
    )  # fmt: skip
    direct = neo4j_gml.run(
        "nodeClassification.train", "stats",
        {"modelName": "direct", **row["pipelineInfo"], **call_keys}, graph=graph,
    )  # fmt: skip
    assert built["testMetrics"] == direct["testMetrics"]
    assert built["modelSelectionStats"] == direct["modelSelectionStats"]
    assert len(built["modelSelectionStats"]["modelCandidates"]) == 3
    stored = built["modelInfo"]["trainConfig"]
    assert stored["pipeline"] == "pipe" and stored["featureProperties"] == ["x", "emb"]
    frame = neo4j_gml.run("nodeClassification.predict", "stream", {"modelName": "built"},
                          graph=graph)  # fmt: skip
    assert np.mean(frame["predictedClass"].to_numpy() == y) >= 0.9


def test_regression_and_link_prediction_pipelines() -> None:
    graph, _ = _planted()
    base = "pipeline.nodeRegression"
    call(f"{base}.create", pipelineName="reg")
    call(f"{base}.selectFeatures", pipelineName="reg", nodeProperties="x")
    call(f"{base}.addLinearRegression", pipelineName="reg",
         modelConfiguration={"learningRate": 0.05, "maxEpochs": 300, "patience": 10})  # fmt: skip
    row = neo4j_gml.run("nodeRegression.train", "stats",
                        {"pipeline": "reg", "modelName": "r", "targetProperty": "value",
                         "randomSeed": 1}, graph=graph)  # fmt: skip
    assert row["testMetrics"]["MEAN_SQUARED_ERROR"] < 0.05  # value = 2 x[:, 1] + 1 exactly

    base = "pipeline.linkPrediction"
    call(f"{base}.create", pipelineName="lp")
    call(f"{base}.addNodeProperty", pipelineName="lp", procedureName="fastRP",
         procedureConfiguration=STEP)  # fmt: skip
    call(f"{base}.addFeature", pipelineName="lp", featureType="hadamard",
         featureConfiguration={"nodeProperties": ["emb"]})  # fmt: skip
    call(f"{base}.addFeature", pipelineName="lp", featureType="adamicAdar")
    call(f"{base}.configureSplit", pipelineName="lp",
         splitConfiguration={"testFraction": 0.3, "validationFraction": 0.1})  # fmt: skip
    info = call(f"{base}.addRandomForest", pipelineName="lp",
                modelConfiguration={"numberOfDecisionTrees": 20})[0]["pipelineInfo"]  # fmt: skip
    assert info["linkFeatures"] == ["HADAMARD"] and info["topologicalFeatures"] == ["adamicAdar"]
    with pytest.raises(ConfigError, match="featureConfiguration.*same node properties"):
        call(f"{base}.addFeature", pipelineName="lp", featureType="COSINE",
             featureConfiguration={"nodeProperties": ["x"]})  # fmt: skip
    built = neo4j_gml.run("linkPrediction.train", "stats",
                          {"pipeline": "lp", "modelName": "l1", "randomSeed": 2},
                          graph=graph)  # fmt: skip
    direct = neo4j_gml.run("linkPrediction.train", "stats",
                           {**info, "modelName": "l2", "randomSeed": 2}, graph=graph)  # fmt: skip
    assert built["testMetrics"] == direct["testMetrics"]
    assert built["testMetrics"]["aucRoc"] > 0.55  # better than chance on this small graph


@pytest.mark.parametrize(
    ("name", "config", "match"),
    [
        ("nodeClassification.addNodeProperty", {"procedureName": "nope"},
         "argument 'procedureName': unknown procedure 'nope'"),
        ("nodeClassification.addNodeProperty", {"procedureName": "wcc"},
         "argument 'procedureName'.*mutateProperty"),
        ("nodeClassification.addNodeProperty",
         {"procedureName": "fastRP", "procedureConfiguration": {"mutateProperty": "e",
                                                                "embeddingDimension": 0}},
         "step 'fastRP': config key 'embeddingDimension' must be at least 1"),
        ("nodeClassification.addNodeProperty", {"procedureName": "shortestPath.dijkstra"},
         "yields no node values"),
        ("nodeClassification.addRandomForest", {"modelConfiguration": {"maxDepth": 0}},
         "argument 'modelConfiguration': RandomForest.maxDepth must be at least 1"),
        ("nodeClassification.addRandomForest",
         {"modelConfiguration": {"numberOfDecisionTrees": {"range": [0, 5]}}},
         "numberOfDecisionTrees must be at least 1"),
        ("nodeClassification.addMLP", {"modelConfiguration": {"trees": 3}},
         "MLP has no parameter 'trees'"),
        ("nodeClassification.addMLP", {"modelConfiguration": {"method": "GCN"}},
         "'method' is given by the call"),
        ("nodeClassification.addLogisticRegression", {"modelConfiguration": {"learningRate": 0}},
         "learningRate must be above 0"),
        ("nodeClassification.configureSplit", {"splitConfiguration": {"trainFraction": 0.5}},
         "unknown key 'trainFraction'; the split keys .* testFraction, validationFolds"),
        ("nodeClassification.configureSplit", {"splitConfiguration": {"testFraction": 1.5}},
         "pipeline 'p': config key 'testFraction'"),
        ("nodeClassification.configureSplit", {"splitConfiguration": {"validationFolds": 1}},
         "config key 'validationFolds' must be at least 2"),
        ("nodeClassification.configureAutoTuning", {"autoTuningConfiguration": {"trials": 3}},
         "unknown key 'trials'"),
        ("nodeClassification.configureAutoTuning", {"autoTuningConfiguration": {"maxTrials": 0}},
         "numberOfTrials"),
        ("nodeRegression.addMLP", {}, "'p' is a nodeClassification pipeline, not a nodeRegression"),
        ("nodeClassification.selectFeatures", {"nodeProperties": 3}, "nodeProperties"),
        ("nodeClassification.create", {}, "a pipeline named 'p' exists"),
        ("nodeClassification.addMLP", {"pipelineName": "../etc"}, "invalid pipeline name"),
        ("nodeClassification.addMLP", {"pipelineName": "other"}, "no pipeline named 'other'"),
    ],
)  # fmt: skip
def test_builder_refusals_name_what_is_wrong(name: str, config: dict, match: str) -> None:
    call("pipeline.nodeClassification.create", pipelineName="p")
    before = call("pipeline.list", pipelineName="p")
    with pytest.raises(ConfigError, match=match):
        call(f"pipeline.{name}", **({"pipelineName": "p"} | config))
    assert call("pipeline.list", pipelineName="p") == before  # a refused edit changes nothing


def test_training_refusals_and_model_parameter_bounds() -> None:
    graph, _ = _planted(n=30)
    call("pipeline.nodeClassification.create", pipelineName="p")
    call("pipeline.nodeClassification.selectFeatures", pipelineName="p", nodeProperties=["x"])
    train = {"pipeline": "p", "modelName": "m", "targetProperty": "cls"}
    cases = [
        ({**train, "featureProperties": ["x"]}, "'featureProperties' is set by pipeline 'p'"),
        ({**train, "pipeline": "none"}, "config key 'pipeline': no pipeline named 'none'"),
        ({**train, "pipeline": 5}, "config key 'pipeline' must be a pipeline name"),
    ]
    for config, match in cases:
        with pytest.raises(ConfigError, match=match):
            neo4j_gml.run("nodeClassification.train", "stats", config, graph=graph)
    with pytest.raises(ConfigError, match="'p' is a nodeClassification pipeline"):
        neo4j_gml.run("nodeRegression.train", "stats", train, graph=graph)
    # the same bounds hold for candidates given in one call, before anything is read
    bad = {"modelName": "m", "targetProperty": "cls", "featureProperties": ["x"],
           "modelCandidates": [{"method": "GCN", "dropout": 1.5}]}  # fmt: skip
    with pytest.raises(ConfigError, match="modelCandidates.*GCN.dropout must be at least 0.0 and"):
        neo4j_gml.run("nodeClassification.train", "stats", bad, graph=graph)


def test_catalog_calls() -> None:
    assert call("pipeline.exists", pipelineName="a") == [
        {"pipelineName": "a", "pipelineType": None, "exists": False}
    ]
    call("pipeline.nodeClassification.create", pipelineName="a")
    call("pipeline.linkPrediction.create", pipelineName="b")
    assert [r["name"] for r in call("pipeline.list")] == ["a", "b"]
    assert [r["pipelineType"] for r in call("pipeline.list", pipelineName="b")] == [
        "linkPrediction"
    ]
    assert call("pipeline.list", pipelineName="c") == []
    assert call("pipeline.exists", pipelineName="b")[0]["exists"] is True
    assert call("pipeline.drop", pipelineName="a")[0]["name"] == "a"
    with pytest.raises(ConfigError, match="no pipeline named 'a'"):
        call("pipeline.drop", pipelineName="a")
    assert call("pipeline.drop", pipelineName="a", failIfMissing=False) == []
    assert [r["name"] for r in call("pipeline.list")] == ["b"]
    # pipelines and models are separate catalogs: a model may take a pipeline's name
    assert neo4j_gml.run("model.list", "stream", {}).empty


def test_concurrent_edits_are_all_kept() -> None:
    call("pipeline.nodeClassification.create", pipelineName="busy")
    errors: list[BaseException] = []

    def add(i: int) -> None:
        try:
            call("pipeline.nodeClassification.selectFeatures", pipelineName="busy",
                 nodeProperties=[f"f{i}"])  # fmt: skip
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(i,)) for i in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    features = call("pipeline.list", pipelineName="busy")[0]["featureProperties"]
    assert sorted(features) == sorted(f"f{i}" for i in range(24))


def test_an_empty_graph_is_not_needed() -> None:
    """The builder calls read no graph: given one, they ignore it."""
    empty = Graph.from_edges([], [], num_nodes=0)
    rows = neo4j_gml.run("pipeline.nodeRegression.create", "stream", {"pipelineName": "g"},
                         graph=empty)  # fmt: skip
    assert rows.iloc[0]["pipelineType"] == "nodeRegression"
