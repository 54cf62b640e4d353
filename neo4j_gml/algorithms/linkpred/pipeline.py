"""The classical link prediction pipeline: pair features from node properties and topology,
and a logistic regression or MLP classifier (GDS's link prediction pipeline, in torch).

Pair features (GDS's link feature types): ``HADAMARD`` ``x_a * x_b``; ``COSINE``
``cos(x_a, x_b)``; ``L2`` ``(x_a - x_b)^2`` element-wise; plus ``log(1 + score)`` of each chosen
topological measure, computed on the training graph with the pair's own edge treated as absent
(so a feature never reveals whether the pair is an edge). Features are standardised with the
training mean and deviation, stored with the model.
"""

from __future__ import annotations

import copy
import time
from typing import cast

import torch
from torch import nn
from torch.nn import functional as F

from neo4j_gml.algorithms.linkpred import adjacency
from neo4j_gml.algorithms.linkpred.adjacency import Adjacency
from neo4j_gml.algorithms.linkpred.gnn import TrainReport
from neo4j_gml.algorithms.linkpred.metrics import evaluate, hits_at_k
from neo4j_gml.algorithms.linkpred.split import EdgeSplit, sample_non_edges
from neo4j_gml.algorithms.linkpred.topological import link_scores
from neo4j_gml.core.cancellation import checkpoint

__all__ = [
    "CLASSIFIERS",
    "LINK_FEATURES",
    "ForestPairClassifier",
    "PairClassifier",
    "pair_features",
    "train_pipeline",
]

LINK_FEATURES = ("HADAMARD", "COSINE", "L2")
CLASSIFIERS = ("LOGISTIC_REGRESSION", "MLP", "RANDOM_FOREST")


def pair_features(
    x: torch.Tensor | None,
    adj: Adjacency,
    a: torch.Tensor,
    b: torch.Tensor,
    link_features: list[str],
    topological: list[str],
) -> torch.Tensor:
    """The pipeline's features of the pairs ``(a[i], b[i])``.

    Node-property features first (one block per entry of ``link_features``: ``HADAMARD``
    ``x_a * x_b``, ``COSINE`` ``cos(x_a, x_b)``, ``L2`` ``(x_a - x_b)^2``), then
    ``log(1 + score)`` of each topological measure, computed with the pair's own edge treated as
    absent.

    Parameters
    ----------
    x : torch.Tensor or None
        ``float[n, d]`` node features, or ``None`` for topological features only.
    adj : Adjacency
        The graph the topological measures are computed on.
    a, b : torch.Tensor
        ``int64[p]`` node positions of the pairs.
    link_features : list of str
        Entries of :data:`LINK_FEATURES`.
    topological : list of str
        Measures of :data:`~neo4j_gml.algorithms.linkpred.topological.MEASURES`.

    Returns
    -------
    torch.Tensor
        ``float32[p, f]``.

    Raises
    ------
    ValueError
        An unknown link feature, or no feature at all.

    References
    ----------
    GDS manual, Link prediction pipelines (link features ``HADAMARD``, ``COSINE``, ``L2``;
    logistic regression and MLP classifiers).

    Examples
    --------
    >>> from neo4j_gml.algorithms.linkpred.adjacency import from_edges
    >>> adj = from_edges(torch.tensor([0, 0, 1, 2]), torch.tensor([1, 2, 2, 3]), 4)
    >>> x = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, 0.0]])
    >>> f = pair_features(x, adj, torch.tensor([0, 1]), torch.tensor([3, 3]),
    ...                   ["HADAMARD", "COSINE"], ["COMMON_NEIGHBORS"])
    >>> f.shape, f[:, :3].tolist()  # x_a * x_b, then the cosine
    (torch.Size([2, 4]), [[1.0, 0.0, 1.0], [0.0, 0.0, 0.0]])
    """
    cols: list[torch.Tensor] = []
    if x is not None:
        xa, xb = x[a], x[b]
        for kind in link_features:
            if kind == "HADAMARD":
                cols.append(xa * xb)
            elif kind == "COSINE":
                cols.append(F.cosine_similarity(xa, xb, dim=1, eps=1e-12)[:, None])
            elif kind == "L2":
                cols.append((xa - xb) ** 2)
            else:
                raise ValueError(f"unknown link feature {kind!r}; known: {LINK_FEATURES}")
    for measure in topological:
        score = link_scores(adj, a, b, measure, without_pair_edge=True)
        cols.append(torch.log1p(score.clamp(min=0)).to(torch.float32)[:, None])
    if not cols:
        raise ValueError("no pair features: give node properties or topological features")
    return torch.cat(cols, dim=1).to(torch.float32)


class PairClassifier(nn.Module):
    """Standardisation followed by a logistic regression or a one-hidden-layer MLP.

    The buffers ``mean`` and ``std`` hold the training features' mean and deviation; the
    classifier sees ``(features - mean) / std``.

    Parameters
    ----------
    in_dim : int
        Number of pair features.
    classifier : str
        One of :data:`CLASSIFIERS`.
    hidden : int
        Width of the MLP's hidden layer.

    Raises
    ------
    ValueError
        An unknown classifier.
    """

    mean: torch.Tensor  # buffers, registered in __init__
    std: torch.Tensor

    def __init__(self, in_dim: int, classifier: str = "LOGISTIC_REGRESSION", hidden: int = 64):
        super().__init__()
        if classifier not in CLASSIFIERS:
            raise ValueError(f"classifier must be one of {CLASSIFIERS}")
        self.register_buffer("mean", torch.zeros(in_dim))
        self.register_buffer("std", torch.ones(in_dim))
        if classifier == "MLP":
            self.net: nn.Module = nn.Sequential(
                nn.Linear(in_dim, hidden), nn.ReLU(), nn.Linear(hidden, 1)
            )
        else:
            self.net = nn.Linear(in_dim, 1)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """``float32[p]``: the logit that each pair (a row of ``features``) is a link."""
        return cast(torch.Tensor, self.net((features - self.mean) / self.std)).squeeze(-1)


class ForestPairClassifier(nn.Module):
    """A random forest over pair features, behind :class:`PairClassifier`'s interface: the
    output is the logit of the share of trees that vote "link" (clamped away from 0 and 1), so
    ``sigmoid`` of it is that share.

    Parameters
    ----------
    forest : RandomForest
        A trained two-class :class:`~neo4j_gml.algorithms.nodepred.forest.RandomForest`.
    """

    def __init__(self, forest: nn.Module) -> None:
        super().__init__()
        self.forest = forest

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """``float32[p]``: the logit of each pair's link vote share."""
        share = self.forest(features.to(torch.float64))[:, 1].clamp(1e-6, 1 - 1e-6)
        return torch.log(share / (1 - share)).to(torch.float32)


def train_pipeline(
    x: torch.Tensor | None,
    split: EdgeSplit,
    *,
    link_features: list[str],
    topological: list[str],
    classifier: str = "LOGISTIC_REGRESSION",
    hidden: int = 64,
    epochs: int = 200,
    learning_rate: float = 0.01,
    penalty: float = 0.0,
    negative_ratio: float = 1.0,
    k: int = 100,
    seed: int = 0,
    forest: dict[str, object] | None = None,
) -> tuple[nn.Module, TrainReport]:
    """Train a :class:`PairClassifier` on ``split.train`` against sampled non-edges.

    Training negatives (``negative_ratio`` per training edge) are drawn uniformly from the pairs
    that are not training edges and not validation / test negatives. Full-batch Adam with weight
    decay ``penalty`` for ``epochs`` steps; the step with the best validation HR@``k`` (checked
    every 10 steps) is kept. Topological features use the training graph only.

    Parameters
    ----------
    x : torch.Tensor or None
        ``float[n, d]`` node features, or ``None`` for topological features only.
    split : EdgeSplit
        Train, validation and test edges with their negatives.
    link_features : list of str
        Entries of :data:`LINK_FEATURES`.
    topological : list of str
        Topological measures used as features.
    classifier : str
        One of :data:`CLASSIFIERS`.
    hidden : int
        Width of the MLP's hidden layer.
    epochs : int
        Full-batch steps.
    learning_rate : float
        Adam's learning rate.
    penalty : float
        Weight decay.
    negative_ratio : float
        Training negatives per training edge.
    k : int
        ``K`` of HR@K.
    seed : int
        Seed of the weights and the negatives.

    Returns
    -------
    tuple
        ``(model, report)``: the kept :class:`PairClassifier` (eval mode) and a
        :class:`~neo4j_gml.algorithms.linkpred.gnn.TrainReport` whose ``test`` holds AUC-ROC,
        AUC-PR, HR@k and MRR on the test edges.

    Notes
    -----
    ``O(epochs * p * f)`` for ``p`` training pairs and ``f`` features.

    References
    ----------
    GDS manual, Link prediction pipelines (link features ``HADAMARD``, ``COSINE``, ``L2``;
    logistic regression and MLP classifiers).

    Examples
    --------
    >>> from neo4j_gml.algorithms.linkpred.adjacency import from_edges
    >>> from neo4j_gml.algorithms.linkpred.split import split_edges
    >>> ring = torch.arange(10)
    >>> adj = from_edges(torch.cat([ring, torch.tensor([0, 2, 4])]),
    ...                  torch.cat([(ring + 1) % 10, torch.tensor([5, 7, 9])]), 10)
    >>> split = split_edges(adj, test_fraction=0.2, validation_fraction=0.2, seed=0)
    >>> model, report = train_pipeline(None, split, link_features=[],
    ...                                topological=["COMMON_NEIGHBORS"], epochs=20, k=2)
    >>> report.epochs, sorted(report.test)
    (20, ['aucPr', 'aucRoc', 'hitsAtK', 'mrr'])
    """
    started = time.perf_counter()
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed + 7)
    device = split.train.device
    n = split.num_nodes
    train_adj = adjacency.from_edges(split.train[0], split.train[1], n)
    neg = sample_non_edges(
        train_adj,
        max(1, round(split.train.shape[1] * negative_ratio)),
        gen,
        exclude=torch.cat([split.valid_neg, split.test_neg], dim=1),
    )
    a = torch.cat([split.train[0], neg[0]])
    b = torch.cat([split.train[1], neg[1]])
    y = torch.cat(
        [torch.ones(split.train.shape[1], device=device), torch.zeros(neg.shape[1], device=device)]
    )

    def feats(pairs: torch.Tensor) -> torch.Tensor:
        return pair_features(x, train_adj, pairs[0], pairs[1], link_features, topological)

    train_x = pair_features(x, train_adj, a, b, link_features, topological)
    has_valid = split.valid.shape[1] > 0
    if classifier == "RANDOM_FOREST":
        from neo4j_gml.algorithms.nodepred.forest import RandomForest

        fitted = RandomForest.fit(
            train_x.to(torch.float64),
            y.to(torch.long),
            task="classification",
            num_classes=2,
            random_seed=seed,
            **dict(forest or {}),  # type: ignore[arg-type]
        )
        model: nn.Module = ForestPairClassifier(fitted).to(device).eval()
        report = TrainReport()
        report.epochs = report.best_epoch = 1
        with torch.no_grad():
            if has_valid:
                report.validation = evaluate(
                    model(feats(split.valid)), model(feats(split.valid_neg)), k
                )
            report.test = evaluate(model(feats(split.test)), model(feats(split.test_neg)), k)
        report.train_millis = int((time.perf_counter() - started) * 1000)
        return model, report
    model = PairClassifier(train_x.shape[1], classifier, hidden).to(device)
    model.mean.copy_(train_x.mean(0))
    model.std.copy_(train_x.std(0).clamp(min=1e-6))
    opt = torch.optim.Adam(model.parameters(), lr=learning_rate, weight_decay=penalty)
    if has_valid:
        valid_pos, valid_neg = feats(split.valid), feats(split.valid_neg)
    report = TrainReport()
    best, best_state = -1.0, None
    for epoch in range(1, epochs + 1):
        checkpoint()
        model.train()
        loss = F.binary_cross_entropy_with_logits(model(train_x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        report.loss, report.epochs = loss.item(), epoch
        if has_valid and (epoch % 10 == 0 or epoch == epochs):
            model.eval()
            with torch.no_grad():
                hits = hits_at_k(model(valid_pos).cpu(), model(valid_neg).cpu(), k)
            if hits > best:
                best, report.best_epoch = hits, epoch
                best_state = copy.deepcopy(model.state_dict())
    if best_state is not None:
        model.load_state_dict(best_state)
    else:
        report.best_epoch = report.epochs
    model.eval()
    with torch.no_grad():
        if has_valid:
            report.validation = evaluate(model(valid_pos), model(valid_neg), k)
        report.test = evaluate(model(feats(split.test)), model(feats(split.test_neg)), k)
    report.train_millis = int((time.perf_counter() - started) * 1000)
    return model, report
