"""Node classification and regression: splits, metrics, the dense models and model selection
against scikit-learn, and the procedures end to end on in-memory graphs (no Neo4j)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, mean_absolute_error, mean_squared_error

import neo4j_gml
from neo4j_gml.algorithms.nodepred.dense import fit_dense
from neo4j_gml.algorithms.nodepred.metrics import parse_metric, score
from neo4j_gml.algorithms.nodepred.selection import trials
from neo4j_gml.algorithms.nodepred.split import split_nodes
from neo4j_gml.core.errors import ConfigError, ParameterError
from neo4j_gml.core.graph import Graph


# ---------------------------------------------------------------------------- split
@pytest.mark.parametrize("seed", range(4))
def test_splits_are_disjoint_stratified_and_seeded(seed: int) -> None:
    rng = np.random.default_rng(seed)
    labels = rng.choice(3, size=301, p=[0.6, 0.3, 0.1])
    s = split_nodes(301, labels=labels, test_fraction=0.2, validation_folds=4, random_seed=seed)
    assert len(s.test) == 60 and len(s.train) == 241
    assert np.array_equal(np.sort(np.concatenate([s.train, s.test])), np.arange(301))
    assert np.array_equal(np.sort(np.concatenate(s.folds)), s.train)
    for part in [s.test, *s.folds]:  # each class within one node of its share
        for c in range(3):
            share = np.mean(labels == c) * len(part)
            assert abs(np.sum(labels[part] == c) - share) <= 1.5, (c, part.size)
    again = split_nodes(301, labels=labels, test_fraction=0.2, validation_folds=4, random_seed=seed)
    assert np.array_equal(again.test, s.test)
    with pytest.raises(ParameterError, match="validation_folds"):
        split_nodes(3, test_fraction=0.5, validation_folds=3)


# ---------------------------------------------------------------------------- metrics
@pytest.mark.parametrize("seed", range(5))
def test_metrics_equal_scikit_learn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    true, pred = rng.integers(0, 4, 200), rng.integers(0, 5, 200)  # a class never true
    assert score("ACCURACY", true, pred) == pytest.approx(np.mean(true == pred))
    for ours, avg in (("F1_WEIGHTED", "weighted"), ("F1_MACRO", "macro")):
        labels = np.union1d(true, pred)
        expected = f1_score(true, pred, average=avg, labels=labels, zero_division=0)
        assert score(ours, true, pred) == pytest.approx(expected, abs=1e-12)
    assert score("F1(class=2)", true, pred) == pytest.approx(
        f1_score(true == 2, pred == 2, zero_division=0), abs=1e-12
    )
    a, b = rng.normal(size=50), rng.normal(size=50)
    assert score("MEAN_SQUARED_ERROR", a, b) == pytest.approx(mean_squared_error(a, b))
    assert score("ROOT_MEAN_SQUARED_ERROR", a, b) == pytest.approx(mean_squared_error(a, b) ** 0.5)
    assert score("MEAN_ABSOLUTE_ERROR", a, b) == pytest.approx(mean_absolute_error(a, b))


def test_metric_names() -> None:
    assert parse_metric("accuracy", "classification") == "ACCURACY"
    assert parse_metric("F1(class=-1)", "classification") == "F1(class=-1)"
    with pytest.raises(ParameterError, match="not a regression metric"):
        parse_metric("ACCURACY", "regression")


# ---------------------------------------------------------------------------- dense models
def test_logistic_regression_is_as_good_as_scikit_learns() -> None:
    rng = np.random.default_rng(3)
    centres = rng.normal(scale=1.5, size=(4, 10))
    y = rng.integers(0, 4, 1200)
    x = centres[y] + rng.normal(size=(1200, 10))
    train, test = np.arange(800), np.arange(800, 1200)
    ours = fit_dense(
        torch.as_tensor(x[train]),
        torch.as_tensor(y[train]),
        task="classification",
        num_classes=4,
        learning_rate=0.01,
        max_epochs=200,
        patience=5,
        random_seed=1,
    )
    ours_acc = np.mean(ours(torch.as_tensor(x[test])).argmax(1).numpy() == y[test])
    sk = LogisticRegression(max_iter=2000).fit(x[train], y[train])
    assert ours_acc >= sk.score(x[test], y[test]) - 0.02, (ours_acc, sk.score(x[test], y[test]))


def test_linear_regression_recovers_a_linear_target() -> None:
    rng = np.random.default_rng(4)
    x = rng.normal(size=(500, 3))
    y = x @ np.array([2.0, -1.0, 0.5]) + 3.0 + rng.normal(scale=0.1, size=500)
    model = fit_dense(
        torch.as_tensor(x),
        torch.as_tensor(y),
        task="regression",
        learning_rate=0.05,
        max_epochs=300,
        patience=10,
        random_seed=0,
    )
    mse = float(np.mean((model(torch.as_tensor(x)).detach().numpy() - y) ** 2))
    assert mse < 0.02  # the noise is 0.01


# ---------------------------------------------------------------------------- selection
def test_trials_try_concrete_candidates_then_draw_ranges() -> None:
    cands = [
        {"method": "LogisticRegression", "penalty": 0.1},
        {"method": "MLP", "learningRate": {"range": [0.0001, 0.1]}, "hiddenLayerSizes": [8]},
        {"method": "RandomForest", "numberOfDecisionTrees": {"range": [5, 9]}},
    ]
    drawn = trials(cands, "classification", 40, random_seed=2)
    assert drawn[0] == ("LogisticRegression", {"penalty": 0.1}) and len(drawn) == 40
    rates = [p["learningRate"] for m, p in drawn if m == "MLP"]
    trees = [p["numberOfDecisionTrees"] for m, p in drawn if m == "RandomForest"]
    assert rates and trees and all(1e-4 <= r <= 0.1 for r in rates)
    assert set(trees) <= set(range(5, 10)) and all(isinstance(t, int) for t in trees)
    assert min(rates) < 0.003  # log-uniform: small rates are drawn
    assert len(trials(cands[:1], "classification", 40, 0)) == 1  # nothing to draw
    with pytest.raises(ParameterError, match="LinearRegression does not do classification"):
        trials([{"method": "LinearRegression"}], "classification", 1, 0)
    with pytest.raises(ParameterError, match="has no parameter 'trees'"):
        trials([{"method": "RandomForest", "trees": 3}], "classification", 1, 0)


# ---------------------------------------------------------------------------- procedures
def _planted(n: int = 240, seed: int = 0) -> tuple[Graph, np.ndarray]:
    """Three classes: links mostly inside a class, one weakly informative feature."""
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(3), n // 3)
    src, dst = [], []
    for i in range(n):
        same = np.flatnonzero(y == y[i])
        src += [i] * 5
        dst += rng.choice(same, 4).tolist() + [int(rng.integers(n))]
    x = rng.normal(size=(n, 4))
    x[:, 0] += 0.8 * y
    split = np.where(np.arange(n) % 10 < 6, 0, np.where(np.arange(n) % 10 < 8, 1, 2))
    graph = Graph.from_edges(
        src,
        dst,
        num_nodes=n,
        orientation="UNDIRECTED",
        node_ids=np.arange(n) + 500,
        node_properties={
            "x": x,
            "cls": y.astype(np.float64),
            "value": x[:, 1] * 2.0 + 1.0,
            "part": split.astype(np.float64),
        },
    )
    return graph, y


@pytest.fixture(autouse=True)
def _model_dir(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("GML_MODEL_DIR", str(tmp_path))


def test_classification_trains_predicts_and_stores_its_pipeline() -> None:
    graph, y = _planted()
    config = {
        "modelName": "planted",
        "featureProperties": ["x", "emb"],
        "targetProperty": "cls",
        "nodePropertySteps": [
            {
                "procedure": "fastRP",
                "config": {"mutateProperty": "emb", "embeddingDimension": 32, "randomSeed": 7},
            }
        ],
        "modelCandidates": [
            {"method": "LogisticRegression", "learningRate": 0.05, "maxEpochs": 200, "patience": 5},
            {"method": "RandomForest", "numberOfDecisionTrees": {"range": [5, 20]}},
        ],
        "numberOfTrials": 3,
        "metrics": ["F1_WEIGHTED", "ACCURACY"],
        "randomSeed": 3,
    }
    row = neo4j_gml.run("nodeClassification.train", "stats", config, graph=graph)
    stats = row["modelSelectionStats"]
    assert len(stats["modelCandidates"]) == 3
    assert {"avg", "min", "max"} <= set(
        stats["modelCandidates"][0]["metrics"]["ACCURACY"]["validation"]
    )
    assert row["testMetrics"]["ACCURACY"] >= 0.9  # the fastRP embedding separates the classes
    info = neo4j_gml.run("model.list", "stream", {"modelName": "planted"}).iloc[0]
    assert info["modelType"] == "nodeClassification"
    assert info["modelInfo"]["pipeline"]["nodePropertySteps"][0]["procedure"] == "fastRP"
    frame = neo4j_gml.run(
        "nodeClassification.predict",
        "stream",
        {"modelName": "planted", "includePredictedProbabilities": True},
        graph=graph,
    )
    assert list(frame.columns) == ["nodeId", "predictedClass", "predictedProbabilities"]
    assert np.mean(frame["predictedClass"].to_numpy() == y) >= 0.9
    probs = np.stack(frame["predictedProbabilities"].to_numpy())
    assert np.allclose(probs.sum(1), 1.0) and np.array_equal(
        probs.argmax(1), frame["predictedClass"]
    )
    exists = neo4j_gml.run("model.exists", "stream", {"modelName": "planted"})
    assert exists.to_dict("records") == [
        {"modelName": "planted", "modelType": "nodeClassification", "exists": True}
    ]


def test_an_explicit_split_and_a_gnn(monkeypatch: pytest.MonkeyPatch) -> None:
    """With ``splitProperty`` the models learn from the training nodes only: the validation
    nodes score the trials and let the GNN stop early, the test nodes only test."""
    from neo4j_gml.algorithms.nodepred import selection

    graph, y = _planted(seed=1)
    fits: list[tuple[np.ndarray, np.ndarray | None]] = []
    original = selection.fit

    def spy(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        fits.append((np.sort(args[4]), kwargs.get("validation")))
        return original(*args, **kwargs)

    monkeypatch.setattr(selection, "fit", spy)
    row = neo4j_gml.run(
        "nodeClassification.train",
        "stats",
        {
            "modelName": "gcn",
            "featureProperties": ["x"],
            "targetProperty": "cls",
            "splitProperty": "part",
            "modelCandidates": [{"method": "GCN", "epochs": 100, "patience": 20}],
            "randomSeed": 1,
        },
        graph=graph,
    )
    assert row["testMetrics"]["ACCURACY"] >= 0.85  # the graph's communities are the classes
    candidates = row["modelSelectionStats"]["modelCandidates"]
    assert len(candidates) == 1 and candidates[0]["method"] == "GCN"
    part = graph.node_properties["part"].numpy()
    train, validation = np.flatnonzero(part == 0), np.flatnonzero(part == 1)
    (trial, none), (final, watched) = fits
    assert np.array_equal(trial, train) and none is None
    assert np.array_equal(final, train) and np.array_equal(np.sort(watched), validation)


def test_regression_trains_and_predicts() -> None:
    graph, _ = _planted()
    row = neo4j_gml.run(
        "nodeRegression.train",
        "stats",
        {
            "modelName": "value",
            "featureProperties": ["x"],
            "targetProperty": "value",
            "modelCandidates": [
                {
                    "method": "LinearRegression",
                    "learningRate": 0.05,
                    "maxEpochs": 300,
                    "patience": 10,
                },
                {"method": "RandomForest", "numberOfDecisionTrees": 10},
            ],
            "metrics": ["MEAN_SQUARED_ERROR", "MEAN_ABSOLUTE_ERROR"],
            "randomSeed": 1,
        },
        graph=graph,
    )
    assert row["modelSelectionStats"]["bestParameters"]["method"] == "LinearRegression"
    assert row["testMetrics"]["MEAN_SQUARED_ERROR"] < 0.01  # an exactly linear target
    frame = neo4j_gml.run("nodeRegression.predict", "stream", {"modelName": "value"}, graph=graph)
    expected = graph.node_properties["value"].numpy()
    assert np.abs(frame["predictedValue"].to_numpy() - expected).max() < 0.5


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"modelCandidates": [{"method": "SVM"}]}, "modelCandidates"),
        ({"metrics": ["RMSE"]}, "metrics"),
        ({"featureProperties": ["x", "cls"]}, "featureProperties"),
        ({"nodePropertySteps": [{"procedure": "wcc"}]}, "nodePropertySteps"),
        ({"nodePropertySteps": [{"procedure": "nope", "config": {}}]}, "nodePropertySteps"),
        ({"nodePropertySteps": [{"procedure": "fastRP", "config": {}}]}, "nodePropertySteps"),
        ({"testFraction": 1.0}, "testFraction"),
        ({"targetProperty": "missing"}, "missing"),
    ],
)
def test_bad_configurations_name_the_key(change: dict, message: str) -> None:
    graph, _ = _planted()
    config = {"modelName": "bad", "featureProperties": ["x"], "targetProperty": "cls", **change}
    with pytest.raises(ConfigError, match=message):
        neo4j_gml.run("nodeClassification.train", "stats", config, graph=graph)


def test_predicting_with_the_wrong_kind_of_model_is_refused() -> None:
    graph, _ = _planted()
    neo4j_gml.run(
        "nodeRegression.train",
        "stats",
        {"modelName": "r", "featureProperties": ["x"], "targetProperty": "value"},
        graph=graph,
    )
    with pytest.raises(ConfigError, match="modelName.*not a nodeClassification model"):
        neo4j_gml.run("nodeClassification.predict", "stream", {"modelName": "r"}, graph=graph)
