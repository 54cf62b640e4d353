"""Ranking metrics of link prediction: AUC-ROC, AUC-PR, HR@K and MRR."""

from __future__ import annotations

import torch


def auc_roc(pos: torch.Tensor, neg: torch.Tensor) -> float:
    """Probability that a random positive outscores a random negative (ties count half).

    Mann-Whitney U statistic from average ranks; ``O((p + q) log(p + q))``.
    """
    scores = torch.cat([pos, neg]).to(torch.float64)
    order = torch.argsort(scores)
    sorted_scores = scores[order]
    ranks = torch.empty_like(scores)
    ranks[order] = torch.arange(1, scores.numel() + 1, dtype=torch.float64, device=scores.device)
    # average ranks of ties
    uniq, inverse, counts = torch.unique(sorted_scores, return_inverse=True, return_counts=True)
    sums = torch.zeros(uniq.numel(), dtype=torch.float64, device=scores.device)
    sums.index_add_(0, inverse, torch.arange(1, scores.numel() + 1, device=scores.device).double())
    ranks[order] = (sums / counts)[inverse]
    p, q = pos.numel(), neg.numel()
    return float((ranks[:p].sum() - p * (p + 1) / 2) / (p * q))


def auc_pr(pos: torch.Tensor, neg: torch.Tensor) -> float:
    """Average precision: the mean over positives of the precision at their rank.

    Pairs are ranked by descending score; a tie group is ranked as a whole (as scikit-learn's
    ``average_precision_score`` does).
    """
    scores = torch.cat([pos, neg]).to(torch.float64)
    labels = torch.cat([torch.ones_like(pos), torch.zeros_like(neg)]).to(torch.float64)
    order = torch.argsort(scores, descending=True, stable=True)
    scores, labels = scores[order], labels[order]
    tp = torch.cumsum(labels, 0)
    seen = torch.arange(1, scores.numel() + 1, dtype=torch.float64, device=scores.device)
    # evaluate only at the end of each tie group
    last = torch.ones_like(scores, dtype=torch.bool)
    last[:-1] = scores[1:] != scores[:-1]
    tp, seen = tp[last], seen[last]
    recall_gain = torch.diff(tp, prepend=torch.zeros(1, dtype=tp.dtype, device=tp.device))
    return float((recall_gain * tp / seen).sum() / labels.sum())


def hits_at_k(pos: torch.Tensor, neg: torch.Tensor, k: int) -> float:
    """HR@K (OGB's Hits@K): share of positives scoring above the ``k``-th best negative.

    With fewer than ``k`` negatives every positive is a hit.
    """
    if neg.numel() < k:
        return 1.0
    kth = torch.topk(neg, k).values[-1]
    return float((pos > kth).to(torch.float64).mean())


def mrr(pos: torch.Tensor, neg: torch.Tensor) -> float:
    """Mean reciprocal rank of each positive among all negatives (shared negatives).

    A positive's rank is ``1 + #negatives scoring at least as high`` (pessimistic on ties).
    """
    sorted_neg = torch.sort(neg).values
    higher = neg.numel() - torch.searchsorted(sorted_neg, pos, right=False)
    return float((1.0 / (1.0 + higher.to(torch.float64))).mean())


def evaluate(pos: torch.Tensor, neg: torch.Tensor, k: int) -> dict[str, float]:
    """``{'aucRoc', 'aucPr', 'hitsAtK', 'mrr'}`` of positive and negative scores."""
    pos, neg = pos.detach().double().cpu(), neg.detach().double().cpu()
    return {
        "aucRoc": auc_roc(pos, neg),
        "aucPr": auc_pr(pos, neg),
        "hitsAtK": hits_at_k(pos, neg, k),
        "mrr": mrr(pos, neg),
    }
