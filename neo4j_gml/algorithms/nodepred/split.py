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


def _stratified_order(labels: np.ndarray | None, n: int, rng: np.random.Generator) -> np.ndarray:
    """A shuffled order of ``0..n-1`` in which every class is spread evenly: sorted by
    (rank within its shuffled class / class size), so any prefix holds each class in its share."""
    order = rng.permutation(n)
    if labels is None:
        return order
    shuffled = labels[order]
    rank = np.empty(n, dtype=np.float64)
    for c in np.unique(shuffled):
        members = np.flatnonzero(shuffled == c)
        rank[members] = (np.arange(members.size) + rng.random()) / members.size
    return order[np.argsort(rank, kind="stable")]


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
    order = _stratified_order(None if labels is None else np.asarray(labels), n, rng)
    test_size = int(round(test_fraction * n))
    if n - test_size < validation_folds:
        raise ParameterError(
            "validation_folds",
            f"{validation_folds} folds need at least as many training nodes, but there are "
            f"{n - test_size} of {n} labelled nodes left after the test split",
        )
    # every k-th node of the stratified order goes to the test set: stratified by construction
    if test_size:
        picks = np.floor(np.arange(test_size) * n / test_size).astype(np.int64)
    else:
        picks = np.zeros(0, dtype=np.int64)
    is_test = np.zeros(n, dtype=bool)
    is_test[picks] = True
    test, train = order[is_test], order[~is_test]
    fold_of = np.arange(train.size) % validation_folds  # round robin: stratified as well
    folds = [np.sort(train[fold_of == f]) for f in range(validation_folds)]
    return NodeSplit(np.sort(train), np.sort(test), folds)
