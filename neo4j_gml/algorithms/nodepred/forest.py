"""Random forests for node classification and regression, as GDS's ``addRandomForest`` trains them.

A forest is ``trees`` decision trees, each grown on a bootstrap sample of the training rows
(``ceil(samples_ratio * n)`` rows drawn with replacement; ``samples_ratio=0`` uses every row
once, no bootstrap). At every node a fresh set of ``ceil(max_features_ratio * d)`` features is
drawn without replacement (GDS's default ratio is ``1 / sqrt(d)`` for classification *and*
regression) and the split minimising the weighted impurity of the two children is taken: Gini or
entropy (classification), the variance of the targets (regression, GDS's ``SplitMeanSquaredError``).
A node becomes a leaf when it holds fewer than ``min_split_size`` rows, is at depth ``max_depth``,
has no split leaving ``min_leaf_size`` rows on each side, or is pure (GDS splits pure nodes too,
which changes no prediction); rows drawn twice by the bootstrap count twice, as in GDS. A
classification leaf predicts its majority class (the lowest index on ties) and the forest's
probabilities are the trees' vote fractions; a regression leaf predicts its mean and the forest
the mean over its trees.

Split search (histograms, not exact sorting). Each feature is binned once, before the trees grow,
into at most 256 bins: a feature with at most 256 distinct training values gets one bin per value
(its thresholds are the midpoints between consecutive values, so splits are exact, as for binary
or count features); otherwise the bin edges are midpoints between the distinct values nearest the
1/256, ..., 255/256 quantiles of the training values. A node's candidate splits are the edges of
its sampled features, scored for all nodes of one depth at once from per-bin class counts (or
target sums), vectorised in numpy. A row goes left when ``x <= threshold``.

Where we differ from GDS, on purpose:

- GDS splits a node at every position of its rows sorted by the feature, ties included, and stores
  the value of the last left row as the threshold while its predictor sends ``x < threshold``
  left, so training and prediction disagree on tied values; we only split between distinct
  (binned) values.
- When every sampled feature is constant in a node, GDS still splits it (by sort order among equal
  values); we draw further untried features (twice as many each time) until one splits the node
  or all have been tried (scikit-learn, similarly, does not count constant features towards
  ``max_features``).

Out-of-bag error. Every tree votes for the training rows it did not draw; a row that got at least
one such vote is predicted by its majority out-of-bag vote, and the out-of-bag error is the share
of those rows predicted wrongly (GDS's ``OUT_OF_BAG_ERROR``); for regression it is the mean squared
error of the rows' mean out-of-bag prediction (GDS reports none). Where no row was ever out of bag
(``samples_ratio=0``, or every tree drawing every row) it is ``nan``; GDS reports 0 then, and with
``numberOfSamplesRatio: 0`` its bookkeeping leaves the first training row out of the bag (an
off-by-one), so it reports that row's training error.

References
----------
L. Breiman, "Random forests", Machine Learning 45(1), 5-32, 2001. Neo4j Graph Data Science
manual, "Random forest" training method of the node classification and regression pipelines.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import torch

from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.errors import ParameterError

__all__ = ["CRITERIA", "TASKS", "RandomForest"]

TASKS = ("classification", "regression")
CRITERIA = ("GINI", "ENTROPY")

_MAX_BINS = 256
_PREDICT_CHUNK = 1 << 16

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BinArray = npt.NDArray[np.uint8]


@dataclass
class _Tree:
    """One grown tree in breadth-first node order.

    A split node's children are ``left`` and ``left + 1``; a leaf is its own ``left``, with
    threshold ``+inf`` and split bin 256, so ``child = left + (x > threshold)`` never leaves it.
    """

    feature: IntArray
    threshold: FloatArray
    split_bin: IntArray
    left: IntArray
    value: FloatArray
    depth: int


@dataclass(frozen=True)
class _Settings:
    classification: bool
    num_classes: int
    max_depth: int | None
    min_split_size: int
    min_leaf_size: int
    max_features: int
    criterion: str


class RandomForest(torch.nn.Module):
    """A trained random forest; build one with :meth:`fit` or :meth:`from_state`.

    The trees of the forest are stored together in registered buffers (so ``state_dict()`` holds
    the whole model): for every node of every tree, breadth-first per tree, its split ``feature``
    and ``threshold`` (rows with ``x <= threshold`` go to the ``left`` child, the others to
    ``left + 1``; ``left`` indexes the same buffers), and its ``value`` (the leaf's class index or
    mean target); a leaf is its own ``left`` with threshold ``+inf``. ``roots`` holds each tree's
    first node.

    ``forward`` returns, for classification, ``float64 [n, num_classes]`` vote fractions (rows sum
    to 1) and, for regression, ``float64 [n]`` means of the trees' predictions, on the device of
    its input. ``oob_error`` is the out-of-bag error of :meth:`fit` (``nan`` for a model rebuilt
    without it or where no row was ever out of bag).
    """

    feature: torch.Tensor
    threshold: torch.Tensor
    left: torch.Tensor
    value: torch.Tensor
    roots: torch.Tensor

    def __init__(
        self,
        *,
        task: str,
        num_classes: int | None,
        num_features: int,
        depth: int,
        num_nodes: int,
        trees: int,
        params: dict[str, Any] | None = None,
        oob_error: float = math.nan,
    ) -> None:
        super().__init__()
        self.task = task
        self.num_classes = num_classes
        self.num_features = num_features
        self.depth = depth
        self.params: dict[str, Any] = dict(params or {})
        self.oob_error = oob_error
        self.register_buffer("feature", torch.zeros(num_nodes, dtype=torch.int64))
        self.register_buffer("threshold", torch.zeros(num_nodes, dtype=torch.float64))
        self.register_buffer("left", torch.zeros(num_nodes, dtype=torch.int64))
        self.register_buffer("value", torch.zeros(num_nodes, dtype=torch.float64))
        self.register_buffer("roots", torch.zeros(trees, dtype=torch.int64))

    @property
    def trees(self) -> int:
        """The number of trees."""
        return int(self.roots.numel())

    @classmethod
    def fit(
        cls,
        features: torch.Tensor,
        targets: torch.Tensor,
        *,
        task: str,
        num_classes: int | None = None,
        trees: int = 100,
        max_depth: int | None = None,
        min_split_size: int = 2,
        min_leaf_size: int = 1,
        max_features_ratio: float | None = None,
        samples_ratio: float = 1.0,
        criterion: str = "GINI",
        random_seed: int = 0,
    ) -> RandomForest:
        """Grow a random forest on ``features`` and ``targets`` (GDS's ``addRandomForest``).

        Fitting runs on the CPU (inputs on another device are copied there); the time is about
        ``trees * depth * n * ceil(max_features_ratio * d)``, vectorised per tree level.

        Parameters
        ----------
        features : torch.Tensor
            ``[n, d]`` finite feature vectors of the training rows (converted to float64).
        targets : torch.Tensor
            ``[n]`` class indices ``0 .. num_classes - 1`` (integer dtype, classification) or
            finite values (regression).
        task : str
            ``'classification'`` or ``'regression'``.
        num_classes : int, optional
            The number of classes (classification); default ``max(targets) + 1``.
        trees : int
            ``numberOfDecisionTrees``, at least 1; default 100.
        max_depth : int, optional
            ``maxDepth``: the most splits from the root to a leaf, at least 1; default unlimited.
        min_split_size : int
            ``minSplitSize``: a node with fewer rows is a leaf; at least 2, default 2.
        min_leaf_size : int
            ``minLeafSize``: the fewest rows a child may have; at least 1 and smaller than
            ``min_split_size`` (GDS's rule); default 1.
        max_features_ratio : float, optional
            ``maxFeaturesRatio`` in ``(0, 1]``: ``ceil(ratio * d)`` features are sampled per
            node; default ``1 / sqrt(d)``.
        samples_ratio : float
            ``numberOfSamplesRatio`` in ``[0, 1]``: each tree draws ``ceil(ratio * n)`` rows with
            replacement; 0 means every row once (no bootstrap, no out-of-bag rows). Default 1.
        criterion : str
            ``criterion`` of classification, ``'GINI'`` or ``'ENTROPY'`` (any case); regression
            always minimises the mean squared error and ignores it.
        random_seed : int
            Seed of the bootstrap and feature draws; the same seed gives the same forest.

        Returns
        -------
        RandomForest
            The forest, on the CPU, in eval mode, with ``oob_error`` set.

        Raises
        ------
        ParameterError
            On an unknown ``task`` or ``criterion``, a count or ratio out of its range, features
            that are not ``[n, d]`` with ``n, d >= 1`` or not finite, targets not of length ``n``,
            class indices outside ``0 .. num_classes - 1`` or non-finite regression targets.

        References
        ----------
        L. Breiman, "Random forests", Machine Learning 45(1), 5-32, 2001.

        Examples
        --------
        >>> x = torch.tensor([[0.0], [1.0], [2.0], [3.0]], dtype=torch.float64)
        >>> y = torch.tensor([0, 0, 1, 1])
        >>> forest = RandomForest.fit(x, y, task="classification", trees=5, samples_ratio=0)
        >>> forest(torch.tensor([[0.5], [2.5]], dtype=torch.float64))
        tensor([[1., 0.],
                [0., 1.]], dtype=torch.float64)
        >>> reg = RandomForest.fit(x, y.double(), task="regression", trees=3, samples_ratio=0)
        >>> reg(torch.tensor([[3.0]], dtype=torch.float64))
        tensor([1.], dtype=torch.float64)
        """
        x, y, settings = _check_fit(
            features,
            targets,
            task=task,
            num_classes=num_classes,
            trees=trees,
            max_depth=max_depth,
            min_split_size=min_split_size,
            min_leaf_size=min_leaf_size,
            max_features_ratio=max_features_ratio,
            samples_ratio=samples_ratio,
            criterion=criterion,
        )
        n, d = x.shape
        xb, edges, nbins = _bin_features(x)
        seeds = np.random.SeedSequence(int(random_seed)).spawn(trees)
        grown: list[_Tree] = []
        num_classes_ = settings.num_classes
        oob_votes = np.zeros((n, max(num_classes_, 1)), dtype=np.int64)
        oob_sum = np.zeros(n, dtype=np.float64)
        oob_count = np.zeros(n, dtype=np.int64)
        n_draw = math.ceil(samples_ratio * n)
        for seq in seeds:
            checkpoint()
            rng = np.random.Generator(np.random.PCG64(seq))
            if samples_ratio == 0:
                rows = np.arange(n, dtype=np.int64)
                in_bag = np.ones(n, dtype=bool)
            else:
                rows = rng.integers(0, n, size=n_draw, dtype=np.int64)
                in_bag = np.zeros(n, dtype=bool)
                in_bag[rows] = True
            tree = _grow_tree(xb, nbins, edges, y, rows, settings, rng)
            grown.append(tree)
            out = np.flatnonzero(~in_bag)
            if out.size:
                pred = _predict_binned(tree, xb, out)
                if settings.classification:
                    np.add.at(oob_votes, (out, pred.astype(np.int64)), 1)
                else:
                    oob_sum[out] += pred
                    oob_count[out] += 1
        oob_error = _oob_error(settings.classification, y, oob_votes, oob_sum, oob_count)
        params = {
            "maxDepth": max_depth,
            "minSplitSize": min_split_size,
            "minLeafSize": min_leaf_size,
            "maxFeaturesRatio": max_features_ratio,
            "numberOfSamplesRatio": samples_ratio,
            "criterion": settings.criterion,
            "randomSeed": int(random_seed),
            "binning": f"quantiles, at most {_MAX_BINS} bins per feature",
        }
        model = cls(
            task=task,
            num_classes=num_classes_ if settings.classification else None,
            num_features=d,
            depth=max(t.depth for t in grown),
            num_nodes=sum(t.feature.size for t in grown),
            trees=trees,
            params=params,
            oob_error=oob_error,
        )
        model._load_trees(grown)
        return model.eval()

    def _load_trees(self, grown: list[_Tree]) -> None:
        sizes = np.array([t.feature.size for t in grown], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)

        def cat(parts: list[npt.NDArray[Any]], shift: bool = False) -> torch.Tensor:
            if shift:
                parts = [p + o for p, o in zip(parts, offsets, strict=True)]
            return torch.from_numpy(np.concatenate(parts))

        with torch.no_grad():
            self.feature.copy_(cat([t.feature for t in grown]))
            self.threshold.copy_(cat([t.threshold for t in grown]))
            self.left.copy_(cat([t.left for t in grown], shift=True))
            self.value.copy_(cat([t.value for t in grown]))
            self.roots.copy_(torch.from_numpy(offsets))

    def tree_predictions(self, features: torch.Tensor) -> torch.Tensor:
        """Every tree's prediction for every row: ``[n, trees]``, float64 (class index or value).

        Parameters
        ----------
        features : torch.Tensor
            ``[n, num_features]`` feature vectors, on any device.

        Returns
        -------
        torch.Tensor
            ``float64 [n, trees]`` on the device of ``features``.

        Raises
        ------
        ParameterError
            If ``features`` is not ``[n, num_features]``.
        """
        if features.dim() != 2 or features.shape[1] != self.num_features:
            raise ParameterError(
                "features",
                f"must be [n, {self.num_features}], got {list(features.shape)}",
            )
        device = features.device
        x = features.to(torch.float64)
        feature, threshold = self.feature.to(device), self.threshold.to(device)
        left = self.left.to(device)
        value, roots = self.value.to(device), self.roots.to(device)
        chunks = []
        for start in range(0, x.shape[0], _PREDICT_CHUNK):
            xc = x[start : start + _PREDICT_CHUNK]
            node = roots.expand(xc.shape[0], -1)
            for _ in range(self.depth):
                xv = xc.gather(1, feature[node])
                node = left[node] + (xv > threshold[node])
            chunks.append(value[node])
        if not chunks:
            return torch.zeros((0, self.trees), dtype=torch.float64, device=device)
        return torch.cat(chunks)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """Vote fractions ``[n, num_classes]`` (classification) or mean predictions ``[n]``."""
        per_tree = self.tree_predictions(features)
        if self.task == "regression":
            return per_tree.mean(dim=1)
        assert self.num_classes is not None
        votes = torch.zeros(
            (per_tree.shape[0], self.num_classes), dtype=torch.float64, device=per_tree.device
        )
        votes.scatter_add_(1, per_tree.long(), torch.ones_like(per_tree))
        return votes / self.trees

    def metadata(self) -> dict[str, Any]:
        """What :meth:`from_state` needs besides the buffers (JSON-able).

        Returns
        -------
        dict
            ``family``, ``task``, ``numberOfClasses``, ``inputDimension``,
            ``numberOfDecisionTrees``, ``depth`` (the deepest tree), ``numberOfNodes``, the
            training parameters and ``outOfBagError`` (``None`` when ``nan``).
        """
        oob = None if math.isnan(self.oob_error) else float(self.oob_error)
        return {
            "family": "randomForest",
            "task": self.task,
            "numberOfClasses": self.num_classes,
            "inputDimension": self.num_features,
            "numberOfDecisionTrees": self.trees,
            "depth": self.depth,
            "numberOfNodes": int(self.feature.numel()),
            "params": dict(self.params),
            "outOfBagError": oob,
        }

    @classmethod
    def from_state(cls, metadata: dict[str, Any], state: dict[str, torch.Tensor]) -> RandomForest:
        """The forest of :meth:`metadata` with the buffers ``state`` (from ``state_dict()``).

        Parameters
        ----------
        metadata : dict
            What :meth:`metadata` returned.
        state : dict of str to torch.Tensor
            What ``state_dict()`` returned.

        Returns
        -------
        RandomForest
            The rebuilt forest, in eval mode.
        """
        oob = metadata.get("outOfBagError")
        model = cls(
            task=metadata["task"],
            num_classes=metadata["numberOfClasses"],
            num_features=int(metadata["inputDimension"]),
            depth=int(metadata["depth"]),
            num_nodes=int(metadata["numberOfNodes"]),
            trees=int(metadata["numberOfDecisionTrees"]),
            params=metadata.get("params"),
            oob_error=math.nan if oob is None else float(oob),
        )
        model.load_state_dict(state)
        return model.eval()


# --- checks ---------------------------------------------------------------------------------


def _check_fit(
    features: torch.Tensor,
    targets: torch.Tensor,
    *,
    task: str,
    num_classes: int | None,
    trees: int,
    max_depth: int | None,
    min_split_size: int,
    min_leaf_size: int,
    max_features_ratio: float | None,
    samples_ratio: float,
    criterion: str,
) -> tuple[FloatArray, npt.NDArray[Any], _Settings]:
    if task not in TASKS:
        raise ParameterError("task", f"must be one of {', '.join(TASKS)}, got {task!r}")
    classification = task == "classification"
    crit = str(criterion).upper()
    if classification and crit not in CRITERIA:
        raise ParameterError(
            "criterion", f"must be one of {', '.join(CRITERIA)}, got {criterion!r}"
        )
    if trees < 1:
        raise ParameterError("trees", f"must be at least 1, got {trees}")
    if max_depth is not None and max_depth < 1:
        raise ParameterError("max_depth", f"must be at least 1, got {max_depth}")
    if min_split_size < 2:
        raise ParameterError("min_split_size", f"must be at least 2, got {min_split_size}")
    if min_leaf_size < 1:
        raise ParameterError("min_leaf_size", f"must be at least 1, got {min_leaf_size}")
    if min_leaf_size >= min_split_size:
        raise ParameterError(
            "min_leaf_size",
            f"must be smaller than min_split_size ({min_split_size}), got {min_leaf_size}",
        )
    if max_features_ratio is not None and not 0 < max_features_ratio <= 1:
        raise ParameterError("max_features_ratio", f"must be in (0, 1], got {max_features_ratio}")
    if not 0 <= samples_ratio <= 1:
        raise ParameterError("samples_ratio", f"must be in [0, 1], got {samples_ratio}")
    if features.dim() != 2 or features.shape[0] < 1 or features.shape[1] < 1:
        raise ParameterError(
            "features", f"must be [n, d] with n, d >= 1, got {list(features.shape)}"
        )
    if features.is_complex() or features.dtype == torch.bool:
        raise ParameterError("features", f"must be real numbers, got {features.dtype}")
    x = features.detach().to("cpu", torch.float64).numpy()
    if not np.isfinite(x).all():
        raise ParameterError("features", "must be finite (no NaN or infinity)")
    n, d = x.shape
    if targets.dim() != 1 or targets.shape[0] != n:
        raise ParameterError("targets", f"must be [{n}], got {list(targets.shape)}")
    t = targets.detach().cpu()
    if classification:
        if t.is_floating_point() or t.is_complex() or t.dtype == torch.bool:
            raise ParameterError("targets", f"must be integer class indices, got {t.dtype}")
        y: npt.NDArray[Any] = t.to(torch.int64).numpy()
        lowest, highest = int(y.min()), int(y.max())
        classes = highest + 1 if num_classes is None else int(num_classes)
        if classes < 1:
            raise ParameterError("num_classes", f"must be at least 1, got {num_classes}")
        if lowest < 0 or highest >= classes:
            raise ParameterError(
                "targets", f"class indices must be in [0, {classes - 1}], got [{lowest}, {highest}]"
            )
    else:
        y = t.to(torch.float64).numpy()
        if not np.isfinite(y).all():
            raise ParameterError("targets", "must be finite (no NaN or infinity)")
        classes = 0
    ratio = 1.0 / math.sqrt(d) if max_features_ratio is None else max_features_ratio
    max_features = min(d, max(1, math.ceil(ratio * d - 1e-9)))
    settings = _Settings(
        classification=classification,
        num_classes=classes,
        max_depth=max_depth,
        min_split_size=int(min_split_size),
        min_leaf_size=int(min_leaf_size),
        max_features=max_features,
        criterion=crit if classification else "MSE",
    )
    return x, y, settings


# --- binning ----------------------------------------------------------------------------------


def _bin_features(x: FloatArray) -> tuple[BinArray, list[FloatArray], IntArray]:
    """Bin every column into at most 256 bins; bin ``b`` holds ``edges[b-1] < x <= edges[b]``."""
    n, d = x.shape
    xb = np.empty((n, d), dtype=np.uint8)
    edges: list[FloatArray] = []
    nbins = np.empty(d, dtype=np.int64)
    ordered = np.sort(x, axis=0)
    quantile_pos = (np.arange(1, _MAX_BINS) * n) // _MAX_BINS
    for j in range(d):
        col = ordered[:, j]
        distinct = np.concatenate([[True], col[1:] != col[:-1]])
        u = col[distinct]
        if u.size <= _MAX_BINS:
            lo = u[:-1]
            hi = u[1:]
        else:
            pos = np.unique(np.searchsorted(u, col[quantile_pos]))
            pos = pos[pos < u.size - 1]
            lo, hi = u[pos], u[pos + 1]
        mid = lo + (hi - lo) / 2
        e = np.where(mid >= hi, lo, mid)
        edges.append(e)
        nbins[j] = e.size + 1
        xb[:, j] = np.searchsorted(e, x[:, j], side="left")
    return xb, edges, nbins


# --- growing one tree ---------------------------------------------------------------------------


def _grow_tree(
    xb: BinArray,
    nbins: IntArray,
    edges: list[FloatArray],
    y: npt.NDArray[Any],
    rows: IntArray,
    s: _Settings,
    rng: np.random.Generator,
) -> _Tree:
    """Grow one tree on the (bootstrapped) ``rows``, one depth level at a time."""
    cap = 2 * rows.size + 1
    feature = np.zeros(cap, dtype=np.int64)
    split_bin = np.full(cap, _MAX_BINS, dtype=np.int64)
    threshold = np.full(cap, np.inf, dtype=np.float64)
    left = np.arange(cap, dtype=np.int64)
    value = np.zeros(cap, dtype=np.float64)
    node_of = np.zeros(rows.size, dtype=np.int64)
    base, n_nodes, depth, tree_depth = 0, 1, 0, 0
    C = s.num_classes
    while rows.size:
        k = n_nodes - base
        slot = node_of - base
        yr = y[rows]
        if s.classification:
            counts = np.bincount(slot * C + yr, minlength=k * C).reshape(k, C)
            size = counts.sum(axis=1)
            value[base:n_nodes] = counts.argmax(axis=1)
            pure = counts.max(axis=1) == size
            totals = counts.astype(np.float64)
        else:
            size = np.bincount(slot, minlength=k)
            sums = np.bincount(slot, weights=yr, minlength=k)
            value[base:n_nodes] = sums / size
            lo = np.full(k, np.inf)
            hi = np.full(k, -np.inf)
            np.minimum.at(lo, slot, yr)
            np.maximum.at(hi, slot, yr)
            pure = lo == hi
            totals = np.stack([size.astype(np.float64), sums], axis=1)
        can = (size >= s.min_split_size) & ~pure
        if s.max_depth is not None and depth >= s.max_depth:
            can[:] = False
        split_slots = np.flatnonzero(can)
        if split_slots.size == 0:
            break
        pos = np.full(k, -1, dtype=np.int64)
        pos[split_slots] = np.arange(split_slots.size)
        keep = pos[slot] >= 0
        rows, slot = rows[keep], pos[slot[keep]]
        feat, fbin = _find_splits(xb, nbins, y, rows, slot, totals[split_slots], s, rng)
        found = feat >= 0
        if not found.any():
            break
        ids = base + split_slots[found]
        n_split = ids.size
        feature[ids] = feat[found]
        split_bin[ids] = fbin[found]
        threshold[ids] = [edges[f][b] for f, b in zip(feat[found], fbin[found], strict=True)]
        left[ids] = n_nodes + 2 * np.arange(n_split)
        # rows of split nodes move to a child; rows of nodes left unsplit stay in their leaf
        child_pos = np.full(split_slots.size, -1, dtype=np.int64)
        child_pos[found] = np.arange(n_split)
        moving = child_pos[slot] >= 0
        rows, slot = rows[moving], slot[moving]
        node = base + split_slots[slot]
        go_left = xb[rows, feature[node]] <= split_bin[node]
        node_of = left[node] + ~go_left
        base, n_nodes = n_nodes, n_nodes + 2 * n_split
        depth += 1
        tree_depth = depth
    if s.classification:
        value[:n_nodes] = np.rint(value[:n_nodes])
    return _Tree(
        feature=feature[:n_nodes],
        threshold=threshold[:n_nodes],
        split_bin=split_bin[:n_nodes],
        left=left[:n_nodes],
        value=value[:n_nodes],
        depth=tree_depth,
    )


def _find_splits(
    xb: BinArray,
    nbins: IntArray,
    y: npt.NDArray[Any],
    rows: IntArray,
    slot: IntArray,
    totals: FloatArray,
    s: _Settings,
    rng: np.random.Generator,
) -> tuple[IntArray, IntArray]:
    """The best split (feature, bin) of each node ``0 .. len(totals) - 1``; ``-1`` where none.

    Draws ``max_features`` features per node; nodes where none of them splits (every drawn feature
    constant there, or no split leaving ``min_leaf_size`` rows per side) draw twice as many untried
    features, until one splits or all have been tried.
    """
    k = totals.shape[0]
    d = nbins.size
    best_feat = np.full(k, -1, dtype=np.int64)
    best_bin = np.full(k, -1, dtype=np.int64)
    width = s.max_features
    pending = np.arange(k, dtype=np.int64)
    tried = np.zeros((k, d), dtype=bool) if width < d else None
    while True:
        kp = pending.size
        if width >= d:
            feats = np.broadcast_to(np.arange(d, dtype=np.int64), (kp, d))
        else:
            assert tried is not None
            keys = rng.random((kp, d), dtype=np.float32)
            keys[tried[pending]] += 2.0
            feats = np.argpartition(keys, width - 1, axis=1)[:, :width].astype(np.int64)
            tried[pending[:, None], feats] = True
        f, b = _evaluate(xb, nbins, y, rows, slot, kp, totals[pending], feats, s)
        found = f >= 0
        best_feat[pending[found]] = f[found]
        best_bin[pending[found]] = b[found]
        if found.all() or width >= d:
            break
        still = np.flatnonzero(~found)
        pos = np.full(kp, -1, dtype=np.int64)
        pos[still] = np.arange(still.size)
        keep = pos[slot] >= 0
        rows, slot = rows[keep], pos[slot[keep]]
        pending = pending[still]
        width = min(2 * width, d)
    return best_feat, best_bin


def _evaluate(
    xb: BinArray,
    nbins: IntArray,
    y: npt.NDArray[Any],
    rows: IntArray,
    slot: IntArray,
    k: int,
    totals: FloatArray,
    feats: IntArray,
    s: _Settings,
) -> tuple[IntArray, IntArray]:
    """Score every bin edge of every node's features ``feats [k, w]``; the best per node.

    Cells are (node, feature, bin) with their class counts (or row count and target sum), in
    node-major order: dense (every bin of every feature) when that is not much larger than the
    number of (row, feature) entries, else only the occupied cells, found by one sort.
    """
    w = feats.shape[1]
    m = rows.size
    d = xb.shape[1]
    entries = m * w
    pairs = k * w
    flat = xb.reshape(-1)
    bins = flat[(rows * d)[:, None] + feats[slot]].reshape(-1).astype(np.int64)  # [m * w]
    pair = (slot[:, None] * w + np.arange(w, dtype=np.int64)).reshape(-1)
    widths = nbins[feats].reshape(-1)
    dense_cells = int(widths.sum())
    if dense_cells <= entries + 4096:
        # every bin of every (node, feature) pair is a cell, empty or not
        first = np.cumsum(widths) - widths
        cell = first[pair] + bins
        n_cells = dense_cells
        per_pair = widths
        cell_bin = np.arange(n_cells, dtype=np.int64) - np.repeat(first, widths)
        entry_y = np.repeat(y[rows], w)
    else:
        # only occupied cells, in (pair, bin) order, found by sorting the entries
        key = pair * _MAX_BINS + bins
        shift = max(1, int(entries - 1).bit_length())
        if int(pairs * _MAX_BINS).bit_length() + shift <= 62:
            packed = np.sort((key << shift) | np.arange(entries, dtype=np.int64))
            order = packed & ((1 << shift) - 1)
            sorted_key = packed >> shift
        else:
            order = np.argsort(key, kind="stable")
            sorted_key = key[order]
        new = np.empty(entries, dtype=bool)
        new[0] = True
        np.not_equal(sorted_key[1:], sorted_key[:-1], out=new[1:])
        cell = np.cumsum(new) - 1
        cell_key = sorted_key[new]
        n_cells = cell_key.size
        cell_bin = cell_key % _MAX_BINS
        first = np.searchsorted(cell_key, np.arange(pairs, dtype=np.int64) * _MAX_BINS)
        per_pair = np.diff(first, append=n_cells)
        entry_y = y[rows[order // w]]
    # stats: [S, n_cells], class counts (classification) or (row count, target sum)
    if s.classification:
        C = s.num_classes
        stats = np.bincount(entry_y * n_cells + cell, minlength=C * n_cells)
        stats = stats.reshape(C, n_cells).astype(np.float64)
    else:
        stats = np.stack(
            [
                np.bincount(cell, minlength=n_cells).astype(np.float64),
                np.bincount(cell, weights=entry_y, minlength=n_cells),
            ]
        )
    cum = np.cumsum(stats, axis=1)
    before = np.hstack([np.zeros((stats.shape[0], 1)), cum])[:, first]  # [S, pairs]
    left = cum - np.repeat(before, per_pair, axis=1)
    per_node = per_pair.reshape(k, w).sum(axis=1)
    right = np.repeat(totals.T, per_node, axis=1) - left
    if s.classification:
        n_left = left.sum(axis=0)
        n_right = right.sum(axis=0)
    else:
        n_left, n_right = left[0], right[0]
    valid = (n_left >= s.min_leaf_size) & (n_right >= s.min_leaf_size)
    safe_l = np.maximum(n_left, 1.0)
    safe_r = np.maximum(n_right, 1.0)
    if not s.classification:
        # n * (weighted child variance) minus a constant of the node: -(sL^2/nL + sR^2/nR)
        score = -(left[1] ** 2 / safe_l + right[1] ** 2 / safe_r)
    elif s.criterion == "GINI":
        # n * (weighted child Gini) minus n: -(sum L^2 / nL + sum R^2 / nR)
        sq_l = np.einsum("ij,ij->j", left, left)
        sq_r = np.einsum("ij,ij->j", right, right)
        score = -(sq_l / safe_l + sq_r / safe_r)
    else:
        # n * (weighted child entropy) in nats: nL ln nL - sum L ln L, plus the same for R
        def xlogx(a: FloatArray) -> FloatArray:
            out: FloatArray = a * np.log(np.maximum(a, 1.0))
            return out

        score = xlogx(n_left) - xlogx(left).sum(axis=0) + xlogx(n_right) - xlogx(right).sum(axis=0)
    score[~valid] = np.inf
    node_first = first[::w]
    best = np.minimum.reduceat(score, node_first)
    hit = np.flatnonzero(score == np.repeat(best, per_node))
    cell_node = np.repeat(np.arange(k, dtype=np.int64), per_node)[hit]
    keep = np.isfinite(score[hit])
    hit, cell_node = hit[keep], cell_node[keep]
    nodes, at = np.unique(cell_node, return_index=True)
    chosen = hit[at]
    chosen_pair = np.searchsorted(first, chosen, side="right") - 1
    feat = np.full(k, -1, dtype=np.int64)
    fbin = np.full(k, -1, dtype=np.int64)
    feat[nodes] = feats[nodes, chosen_pair % w]
    fbin[nodes] = cell_bin[chosen]
    return feat, fbin


# --- out of bag ------------------------------------------------------------------------------


def _predict_binned(tree: _Tree, xb: BinArray, rows: IntArray) -> FloatArray:
    node = np.zeros(rows.size, dtype=np.int64)
    for _ in range(tree.depth):
        node = tree.left[node] + (xb[rows, tree.feature[node]] > tree.split_bin[node])
    return tree.value[node]


def _oob_error(
    classification: bool,
    y: npt.NDArray[Any],
    votes: IntArray,
    sums: FloatArray,
    counts: IntArray,
) -> float:
    if classification:
        seen = votes.sum(axis=1) > 0
        if not seen.any():
            return math.nan
        predicted = votes[seen].argmax(axis=1)
        return float(np.mean(predicted != y[seen]))
    seen = counts > 0
    if not seen.any():
        return math.nan
    mean = sums[seen] / counts[seen]
    return float(np.mean((mean - y[seen]) ** 2))
