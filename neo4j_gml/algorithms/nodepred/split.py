"""Train/test splits and validation folds of labelled nodes, as GDS's node pipelines make them.

GDS shuffles the labelled nodes with the seed, keeps ``testFraction`` of them apart for the test
and cuts the rest into ``validationFolds`` folds; both splits are stratified for classification
(every class keeps its share in the test set and in every fold). Regression splits are shuffled
only.

References
----------
Neo4j Graph Data Science manual, "Configuring the node splits" of the node classification and
regression pipelines; R. Kohavi, "A study of cross-validation and bootstrap for accuracy
estimation and model selection", IJCAI 1995 (stratified k-fold).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neo4j_gml.core.errors import ParameterError

__all__ = ["NodeSplit", "split_nodes"]


@dataclass(frozen=True)
class NodeSplit:
    """Positions (into the labelled nodes given) of the test set, the training set and the
    training set's validation folds (``folds[i]`` is validated on while the others train)."""

    train: np.ndarray
    test: np.ndarray
    folds: list[np.ndarray]


def _quotas(sizes: np.ndarray, total: int) -> np.ndarray:
    """``total`` shared out in proportion to ``sizes`` (largest remainders get the rest)."""
    exact = sizes * total / max(int(sizes.sum()), 1)
    quota = np.floor(exact).astype(np.int64)
    rest = total - int(quota.sum())
    quota[np.argsort(-(exact - quota), kind="stable")[:rest]] += 1
    return quota


def split_nodes(
    n: int,
    *,
    labels: np.ndarray | None = None,
    test_fraction: float = 0.3,
    validation_folds: int = 3,
    random_seed: int = 0,
) -> NodeSplit:
    """Split ``n`` labelled nodes into a test set and validation folds of the rest.

    Parameters
    ----------
    n : int
        Number of labelled nodes.
    labels : numpy.ndarray or None
        Class of each node (stratifies both splits); None for regression.
    test_fraction : float
        Share of the nodes kept for the test, in ``[0, 1)``.
    validation_folds : int
        Folds of the training nodes, at least 2.
    random_seed : int
        Seed of the shuffle.

    Returns
    -------
    NodeSplit
        Test and training positions and the folds (each sorted).

    Raises
    ------
    ParameterError
        A fraction outside ``[0, 1)``, fewer than 2 folds, or too few nodes for them.

    References
    ----------
    R. Kohavi, "A study of cross-validation and bootstrap for accuracy estimation and model
    selection", IJCAI 1995.

    Examples
    --------
    >>> s = split_nodes(10, labels=np.array([0] * 5 + [1] * 5), test_fraction=0.2,
    ...                 validation_folds=2, random_seed=1)
    >>> len(s.test), len(s.train), [len(f) for f in s.folds]
    (2, 8, [4, 4])
    """
    if not 0 <= test_fraction < 1:
        raise ParameterError("test_fraction", f"must be in [0, 1), got {test_fraction}")
    if validation_folds < 2:
        raise ParameterError("validation_folds", f"must be at least 2, got {validation_folds}")
    if labels is not None and len(labels) != n:
        raise ParameterError("labels", f"has {len(labels)} entries for {n} nodes")
    rng = np.random.default_rng(random_seed)
    groups = (
        np.zeros(n, dtype=np.int64) if labels is None else np.unique(labels, return_inverse=True)[1]
    )
    members = [
        rng.permutation(np.flatnonzero(groups == g)) for g in range(int(groups.max(initial=-1)) + 1)
    ]
    test_size = int(round(test_fraction * n))
    if n - test_size < validation_folds:
        raise ParameterError(
            "validation_folds",
            f"{validation_folds} folds need at least as many training nodes, but there are "
            f"{n - test_size} of {n} labelled nodes left after the test split",
        )
    quota = _quotas(np.array([m.size for m in members], dtype=np.int64), test_size)
    test = np.concatenate(
        [m[:q] for m, q in zip(members, quota, strict=True)] or [np.zeros(0, np.int64)]
    )
    rest = [m[q:] for m, q in zip(members, quota, strict=True)]
    train = np.concatenate(rest or [np.zeros(0, np.int64)]).astype(np.int64)
    # round robin over the classes one after another: each class spreads over the folds
    # evenly (within one node), and the folds' sizes differ by at most one
    fold_of = np.arange(train.size) % validation_folds
    folds = [np.sort(train[fold_of == f]) for f in range(validation_folds)]
    return NodeSplit(np.sort(train), np.sort(test), folds)
