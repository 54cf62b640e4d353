"""Node classification and regression metrics, as GDS names and computes them.

``ACCURACY``; ``F1_WEIGHTED`` (per-class F1 weighted by the class's true count); ``F1_MACRO``
(their plain mean over the classes present in the true or predicted labels); ``F1(class=c)``;
``OUT_OF_BAG_ERROR`` (a random forest's, reported by the model); and for regression
``MEAN_SQUARED_ERROR``, ``ROOT_MEAN_SQUARED_ERROR`` and ``MEAN_ABSOLUTE_ERROR``. Higher is better
for the classification scores and lower for the errors (:func:`higher_is_better`).

References
----------
C. J. van Rijsbergen, *Information Retrieval*, 2nd ed., Butterworths, 1979 (the F measure);
Neo4j Graph Data Science manual, "Metrics" of the node classification and regression pipelines.
"""

from __future__ import annotations

import re

import numpy as np

from neo4j_gml.core.errors import ParameterError

__all__ = [
    "CLASSIFICATION_METRICS",
    "REGRESSION_METRICS",
    "higher_is_better",
    "parse_metric",
    "score",
]

CLASSIFICATION_METRICS = ("ACCURACY", "F1_WEIGHTED", "F1_MACRO", "OUT_OF_BAG_ERROR")
REGRESSION_METRICS = ("MEAN_SQUARED_ERROR", "ROOT_MEAN_SQUARED_ERROR", "MEAN_ABSOLUTE_ERROR")
_F1_CLASS = re.compile(r"F1\(\s*class\s*=\s*(-?\d+)\s*\)", re.IGNORECASE)


def parse_metric(name: str, task: str) -> str:
    """The canonical name of metric ``name`` for ``task`` (``F1(class=c)`` with ``c`` an integer
    class).

    Parameters
    ----------
    name : str
        A metric as a user writes it (any case; ``MSE``, ``RMSE`` and ``MAE`` are accepted).
    task : str
        ``'classification'`` or ``'regression'``.

    Returns
    -------
    str
        The canonical name.

    Raises
    ------
    ParameterError
        A name the task does not know (the message lists those it knows).

    References
    ----------
    Neo4j Graph Data Science manual, "Metrics" of the node pipelines.

    Examples
    --------
    >>> parse_metric("f1( class = 3 )", "classification"), parse_metric("mae", "regression")
    ('F1(class=3)', 'MEAN_ABSOLUTE_ERROR')
    """
    text = name.strip().upper()
    text = {"MSE": "MEAN_SQUARED_ERROR", "RMSE": "ROOT_MEAN_SQUARED_ERROR"}.get(text, text)
    text = {"MAE": "MEAN_ABSOLUTE_ERROR"}.get(text, text)
    known = CLASSIFICATION_METRICS if task == "classification" else REGRESSION_METRICS
    if text in known:
        return text
    match = _F1_CLASS.fullmatch(text)
    if task == "classification" and match:
        return f"F1(class={int(match.group(1))})"
    extra = ", F1(class=<c>)" if task == "classification" else ""
    raise ParameterError(
        "metrics", f"'{name}' is not a {task} metric; use {', '.join(known)}{extra}"
    )


def higher_is_better(metric: str) -> bool:
    """Whether a larger value of ``metric`` is better (scores) or worse (errors).

    Parameters
    ----------
    metric : str
        A canonical metric name.

    Returns
    -------
    bool
        True for the scores, False for the errors.

    References
    ----------
    Neo4j Graph Data Science manual, "Metrics" of the node pipelines.

    Examples
    --------
    >>> higher_is_better("F1_MACRO"), higher_is_better("OUT_OF_BAG_ERROR")
    (True, False)
    """
    return not (metric.endswith("ERROR"))


def _f1_per_class(true: np.ndarray, pred: np.ndarray, classes: np.ndarray) -> np.ndarray:
    tp = np.array([np.sum((pred == c) & (true == c)) for c in classes], dtype=np.float64)
    predicted = np.array([np.sum(pred == c) for c in classes], dtype=np.float64)
    actual = np.array([np.sum(true == c) for c in classes], dtype=np.float64)
    denominator = predicted + actual
    return np.divide(2 * tp, denominator, out=np.zeros_like(tp), where=denominator > 0)


def score(metric: str, true: np.ndarray, predicted: np.ndarray) -> float:
    """The value of ``metric`` (a :func:`parse_metric` name, not ``OUT_OF_BAG_ERROR``) of the
    ``predicted`` classes or values against the ``true`` ones.

    Parameters
    ----------
    metric : str
        Canonical metric name.
    true, predicted : numpy.ndarray
        Class labels (classification) or values (regression), one per node.

    Returns
    -------
    float
        The metric (``nan`` for no nodes).

    Raises
    ------
    ParameterError
        An unknown metric, or arrays of different lengths.

    References
    ----------
    C. J. van Rijsbergen, *Information Retrieval*, 2nd ed., 1979.

    Examples
    --------
    >>> t, p = np.array([0, 0, 1, 1, 2]), np.array([0, 1, 1, 1, 0])
    >>> score("ACCURACY", t, p), round(score("F1_MACRO", t, p), 4), score("F1(class=1)", t, p)
    (0.6, 0.4333, 0.8)
    >>> score("ROOT_MEAN_SQUARED_ERROR", np.array([1.0, 2.0]), np.array([2.0, 4.0]))
    1.5811388300841898
    """
    true, predicted = np.asarray(true), np.asarray(predicted)
    if true.shape != predicted.shape:
        raise ParameterError("predicted", f"has shape {predicted.shape}, the truth {true.shape}")
    if true.size == 0:
        return float("nan")
    if metric == "ACCURACY":
        return float(np.mean(true == predicted))
    if metric in ("F1_WEIGHTED", "F1_MACRO"):
        classes = np.union1d(true, predicted)
        f1 = _f1_per_class(true, predicted, classes)
        if metric == "F1_MACRO":
            return float(f1.mean())
        weights = np.array([np.sum(true == c) for c in classes], dtype=np.float64)
        return float((f1 * weights).sum() / weights.sum())
    match = _F1_CLASS.fullmatch(metric)
    if match:
        return float(_f1_per_class(true, predicted, np.array([int(match.group(1))]))[0])
    error = predicted.astype(np.float64) - true.astype(np.float64)
    if metric == "MEAN_SQUARED_ERROR":
        return float(np.mean(error**2))
    if metric == "ROOT_MEAN_SQUARED_ERROR":
        return float(np.sqrt(np.mean(error**2)))
    if metric == "MEAN_ABSOLUTE_ERROR":
        return float(np.mean(np.abs(error)))
    raise ParameterError("metrics", f"'{metric}' cannot be computed from predictions")
