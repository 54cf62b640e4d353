"""Random forest (GDS's ``addRandomForest``) against scikit-learn's ``RandomForestClassifier`` and
``RandomForestRegressor`` with matching settings, and a brute-force best split.

The forests differ in their randomness (and ours bins features into at most 256 quantile bins,
and votes rather than averages leaf probabilities), so held-out quality is compared with a margin:
accuracy at least scikit-learn's minus 0.03, R^2 at least scikit-learn's minus 0.03, out-of-bag
error within 0.03 of ``1 - oob_score_`` (out-of-bag MSE within 10%). A single stump with every
feature and no bootstrap is exact: it takes the Gini-, entropy- or MSE-optimal split that brute
force over every threshold finds.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest
import torch
from sklearn.datasets import make_classification, make_regression  # type: ignore[import-untyped]
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor  # type: ignore[import-untyped]
from sklearn.metrics import r2_score  # type: ignore[import-untyped]

from neo4j_gml.algorithms.nodepred.forest import RandomForest
from neo4j_gml.core.cancellation import Cancelled, CancelToken, active
from neo4j_gml.core.errors import ParameterError

MARGIN = 0.03


def _t(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(a))


def _split(x: np.ndarray, y: np.ndarray, train: int) -> tuple[np.ndarray, ...]:
    return x[:train], y[:train], x[train:], y[train:]


def _classification(kind: str) -> tuple[np.ndarray, np.ndarray]:
    if kind == "binary":
        x, y = make_classification(
            n_samples=1500, n_features=20, n_informative=6, n_redundant=4, random_state=0
        )
    elif kind == "multiclass":
        x, y = make_classification(
            n_samples=1500,
            n_features=30,
            n_informative=10,
            n_classes=4,
            n_clusters_per_class=1,
            random_state=1,
        )
    else:  # "duplicates": few distinct values per feature, plus binary columns
        x, y = make_classification(
            n_samples=1500, n_features=16, n_informative=8, n_classes=3, random_state=2
        )
        x = np.round(x)
        x[:, ::4] = x[:, ::4] > 0
    return x, y


@pytest.mark.parametrize(
    ("kind", "settings"),
    [
        ("binary", {}),
        ("multiclass", {"criterion": "ENTROPY"}),
        ("multiclass", {"max_depth": 6, "min_split_size": 6, "min_leaf_size": 2}),
        ("duplicates", {"max_features_ratio": 0.5}),
    ],
)
def test_classifier_accuracy_matches_sklearn(kind: str, settings: dict[str, Any]) -> None:
    x, y = _classification(kind)
    x_train, y_train, x_test, y_test = _split(x, y, 1000)
    d = x.shape[1]
    ratio = settings.get("max_features_ratio", 1 / math.sqrt(d))
    ours = RandomForest.fit(
        _t(x_train), _t(y_train), task="classification", trees=50, random_seed=7, **settings
    )
    sk = RandomForestClassifier(
        n_estimators=50,
        criterion=settings.get("criterion", "GINI").lower(),
        max_depth=settings.get("max_depth"),
        min_samples_split=settings.get("min_split_size", 2),
        min_samples_leaf=settings.get("min_leaf_size", 1),
        max_features=math.ceil(ratio * d),
        oob_score=True,
        random_state=0,
    ).fit(x_train, y_train)
    probabilities = ours(_t(x_test))
    ours_accuracy = float((probabilities.argmax(1).numpy() == y_test).mean())
    sk_accuracy = sk.score(x_test, y_test)
    assert ours_accuracy >= sk_accuracy - MARGIN, (ours_accuracy, sk_accuracy)
    assert abs(ours.oob_error - (1 - sk.oob_score_)) <= MARGIN, (ours.oob_error, sk.oob_score_)
    torch.testing.assert_close(probabilities.sum(1), torch.ones(len(x_test), dtype=torch.float64))
    assert probabilities.dtype == torch.float64
    assert probabilities.shape == (len(x_test), int(y.max()) + 1)


@pytest.mark.parametrize(
    ("noise", "settings"),
    [
        (10.0, {"max_features_ratio": 0.5}),
        (1.0, {"max_depth": 8, "min_leaf_size": 3, "min_split_size": 5}),
    ],
)
def test_regressor_r2_matches_sklearn(noise: float, settings: dict[str, Any]) -> None:
    x, y = make_regression(
        n_samples=1500, n_features=12, n_informative=6, noise=noise, random_state=3
    )
    x_train, y_train, x_test, y_test = _split(x, y, 1000)
    d = x.shape[1]
    ratio = settings.get("max_features_ratio", 1 / math.sqrt(d))
    ours = RandomForest.fit(
        _t(x_train), _t(y_train), task="regression", trees=50, random_seed=3, **settings
    )
    sk = RandomForestRegressor(
        n_estimators=50,
        max_depth=settings.get("max_depth"),
        min_samples_split=settings.get("min_split_size", 2),
        min_samples_leaf=settings.get("min_leaf_size", 1),
        max_features=math.ceil(ratio * d),
        oob_score=True,
        random_state=0,
    ).fit(x_train, y_train)
    predicted = ours(_t(x_test))
    assert predicted.shape == (len(x_test),) and predicted.dtype == torch.float64
    ours_r2 = r2_score(y_test, predicted.numpy())
    sk_r2 = sk.score(x_test, y_test)
    assert ours_r2 >= sk_r2 - MARGIN, (ours_r2, sk_r2)
    sk_oob_mse = float(np.mean((sk.oob_prediction_ - y_train) ** 2))
    assert abs(ours.oob_error - sk_oob_mse) <= 0.1 * sk_oob_mse, (ours.oob_error, sk_oob_mse)


# --- a single stump against brute force ---------------------------------------------------------


def _impurity(labels: np.ndarray, criterion: str) -> float:
    if criterion == "MSE":
        return float(np.var(labels)) if labels.size else 0.0
    p = np.bincount(labels) / labels.size
    p = p[p > 0]
    return float(1 - (p**2).sum()) if criterion == "GINI" else float(-(p * np.log2(p)).sum())


def _brute_force_stump(x: np.ndarray, y: np.ndarray, criterion: str) -> tuple[int, float, float]:
    """The (feature, threshold) minimising the children's weighted impurity; threshold between
    consecutive distinct values, rows with ``x <= threshold`` left."""
    best = (math.inf, -1, math.nan)
    for f in range(x.shape[1]):
        values = np.unique(x[:, f])
        for lo, hi in zip(values[:-1], values[1:], strict=True):
            t = (lo + hi) / 2
            left = x[:, f] <= t
            score = (
                left.sum() * _impurity(y[left], criterion)
                + (~left).sum() * _impurity(y[~left], criterion)
            ) / len(y)
            if score < best[0] - 1e-12:
                best = (score, f, t)
    return best[1], best[2], best[0]


# Hand-made (duplicated values in every feature, 3 classes): Gini splits feature 2 at 3.5, entropy
# at 2.5, each a unique optimum; the regression targets (the class squared) have one too.
TINY_X = np.array(
    [
        [3, 2, 1],
        [0, 2, 4],
        [0, 2, 2],
        [0, 2, 3],
        [3, 4, 2],
        [2, 4, 1],
        [3, 0, 1],
        [3, 2, 0],
        [3, 2, 4],
        [3, 4, 4],
        [0, 0, 2],
        [2, 2, 3],
    ],
    dtype=np.float64,
)
TINY_Y = np.array([0, 0, 2, 1, 2, 0, 2, 2, 0, 0, 0, 1])


@pytest.mark.parametrize("criterion", ["GINI", "ENTROPY", "MSE"])
def test_stump_takes_the_optimal_split(criterion: str) -> None:
    task = "regression" if criterion == "MSE" else "classification"
    y = TINY_Y.astype(np.float64) ** 2 if task == "regression" else TINY_Y
    forest = RandomForest.fit(
        _t(TINY_X),
        _t(y),
        task=task,
        trees=1,
        max_depth=1,
        max_features_ratio=1.0,
        samples_ratio=0,
        criterion="GINI" if criterion == "MSE" else criterion,
    )
    feature, threshold, _ = _brute_force_stump(TINY_X, y, criterion)
    assert forest.feature.numel() == 3
    assert int(forest.feature[0]) == feature
    assert float(forest.threshold[0]) == pytest.approx(threshold)
    # the leaves predict the majority class / mean of their side
    left = TINY_X[:, feature] <= threshold
    predicted = forest.tree_predictions(_t(TINY_X))[:, 0].numpy()
    for side in (left, ~left):
        expected = np.bincount(y[side]).argmax() if task == "classification" else y[side].mean()
        np.testing.assert_allclose(predicted[side], expected)
    assert math.isnan(forest.oob_error)  # samples_ratio=0: every row in every bag


def test_gini_and_entropy_disagree_on_the_hand_made_data() -> None:
    # guards the hand-made data: the stump test must tell the two criteria apart
    assert (
        _brute_force_stump(TINY_X, TINY_Y, "GINI")[:2]
        != _brute_force_stump(TINY_X, TINY_Y, "ENTROPY")[:2]
    )


def test_deep_single_tree_fits_training_data_and_respects_sizes() -> None:
    x, y = _classification("multiclass")
    kwargs: dict[str, Any] = {"trees": 1, "max_features_ratio": 1.0, "samples_ratio": 0}
    full = RandomForest.fit(_t(x), _t(y), task="classification", **kwargs)
    assert (full(_t(x)).argmax(1).numpy() == y).all()
    capped = RandomForest.fit(
        _t(x),
        _t(y),
        task="classification",
        max_depth=3,
        min_leaf_size=40,
        min_split_size=100,
        **kwargs,
    )
    assert capped.depth <= 3
    leaf_of = _leaf_of(capped, x)
    assert np.bincount(leaf_of)[np.unique(leaf_of)].min() >= 40


def _leaf_of(forest: RandomForest, x: np.ndarray) -> np.ndarray:
    node = np.zeros(len(x), dtype=np.int64)
    feature, threshold = forest.feature.numpy(), forest.threshold.numpy()
    left = forest.left.numpy()
    for _ in range(forest.depth):
        node = left[node] + (x[np.arange(len(x)), feature[node]] > threshold[node])
    return node


# --- model plumbing -------------------------------------------------------------------------------


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_state_dict_round_trip(task: str) -> None:
    x, y = _classification("multiclass")
    targets = _t(y) if task == "classification" else _t(x[:, 0] * 2 + y)
    forest = RandomForest.fit(_t(x), targets, task=task, trees=7, max_depth=5, random_seed=1)
    metadata = json.loads(json.dumps(forest.metadata()))
    state = {k: v.clone() for k, v in forest.state_dict().items()}
    assert set(state) == {"feature", "threshold", "left", "value", "roots"}
    rebuilt = RandomForest.from_state(metadata, state)
    assert rebuilt.task == task and rebuilt.trees == 7
    assert torch.equal(rebuilt(_t(x)), forest(_t(x)))
    assert rebuilt.oob_error == pytest.approx(forest.oob_error)


def test_deterministic_for_a_seed() -> None:
    x, y = _classification("binary")
    fit = lambda seed: RandomForest.fit(  # noqa: E731
        _t(x), _t(y), task="classification", trees=5, random_seed=seed
    )
    a, b, c = fit(3), fit(3), fit(4)
    for name, buffer in a.state_dict().items():
        assert torch.equal(buffer, b.state_dict()[name])
    assert a.oob_error == b.oob_error
    assert not torch.equal(a.threshold, c.threshold) or a.threshold.numel() != c.threshold.numel()


def test_inputs_on_other_dtypes_and_devices() -> None:
    x, y = _classification("binary")
    forest = RandomForest.fit(_t(x).float(), _t(y).int(), task="classification", trees=3)
    assert forest(_t(x).float()).dtype == torch.float64
    if torch.cuda.is_available():
        on_gpu = forest(_t(x).cuda())
        assert on_gpu.is_cuda
        assert torch.equal(on_gpu.cpu(), forest(_t(x)))


def test_cancellation_between_trees() -> None:
    x, y = _classification("binary")
    token = CancelToken()
    token.cancel("test")
    with active(token), pytest.raises(Cancelled):
        RandomForest.fit(_t(x), _t(y), task="classification", trees=3)


def test_num_classes_beyond_the_labels_seen() -> None:
    x, y = _classification("binary")
    forest = RandomForest.fit(_t(x), _t(y), task="classification", num_classes=4, trees=3)
    probabilities = forest(_t(x))
    assert probabilities.shape == (len(x), 4)
    assert (probabilities[:, 2:] == 0).all()


X4 = torch.zeros((4, 2), dtype=torch.float64)
Y4 = torch.tensor([0, 1, 0, 1])


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"trees": 0}, "trees"),
        ({"max_depth": 0}, "max_depth"),
        ({"min_split_size": 1}, "min_split_size"),
        ({"min_leaf_size": 0}, "min_leaf_size"),
        ({"min_leaf_size": 2, "min_split_size": 2}, "min_leaf_size"),
        ({"max_features_ratio": 0.0}, "max_features_ratio"),
        ({"max_features_ratio": 1.5}, "max_features_ratio"),
        ({"samples_ratio": -0.1}, "samples_ratio"),
        ({"samples_ratio": 1.01}, "samples_ratio"),
        ({"criterion": "MSE"}, "criterion"),
        ({"task": "clustering"}, "task"),
        ({"num_classes": 1}, "targets"),
        ({"features": torch.zeros(4, dtype=torch.float64)}, "features"),
        ({"features": torch.tensor([[0.0, 1], [math.nan, 1], [0, 1], [1, 1]])}, "features"),
        ({"targets": torch.tensor([0, 1, 0])}, "targets"),
        ({"targets": torch.tensor([0, 1, 0, -1])}, "targets"),
        ({"targets": torch.tensor([0.0, 1.0, 0.0, 1.0])}, "targets"),
        ({"task": "regression", "targets": torch.tensor([0.0, 1.0, math.inf, 1.0])}, "targets"),
    ],
)
def test_parameter_errors(kwargs: dict[str, Any], parameter: str) -> None:
    arguments: dict[str, Any] = {"features": X4, "targets": Y4, "task": "classification"}
    arguments.update(kwargs)
    with pytest.raises(ParameterError) as error:
        RandomForest.fit(arguments.pop("features"), arguments.pop("targets"), **arguments)
    assert error.value.parameter == parameter


def test_forward_checks_the_feature_dimension() -> None:
    forest = RandomForest.fit(X4, Y4, task="classification", trees=1)
    with pytest.raises(ParameterError, match="features"):
        forest(torch.zeros((2, 3), dtype=torch.float64))
