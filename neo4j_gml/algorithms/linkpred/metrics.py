"""Ranking metrics of link prediction: AUC-ROC, AUC-PR, HR@K and MRR."""

from __future__ import annotations

import torch

__all__ = ["auc_pr", "auc_roc", "evaluate", "hits_at_k", "mrr"]


def auc_roc(pos: torch.Tensor, neg: torch.Tensor) -> float:
    """Area under the ROC curve: the probability that a random positive outscores a random negative.

    Ties count half.

    Parameters
    ----------
    pos : torch.Tensor
        Scores of the positive pairs (true links).
    neg : torch.Tensor
        Scores of the negative pairs.

    Returns
    -------
    float
        AUC-ROC in ``[0, 1]``.

    Notes
    -----
    Mann-Whitney U statistic from average ranks; ``O((p + q) log(p + q))``.

    References
    ----------
    J. A. Hanley and B. J. McNeil, "The meaning and use of the area under a receiver operating
    characteristic (ROC) curve", Radiology 143 (1982).

    Examples
    --------
    >>> pos, neg = torch.tensor([0.9, 0.8, 0.4]), torch.tensor([0.5, 0.1, 0.3])
    >>> round(auc_roc(pos, neg), 3)  # 8 of the 9 (positive, negative) pairs are ordered right
    0.889
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

    Parameters
    ----------
    pos : torch.Tensor
        Scores of the positive pairs (true links).
    neg : torch.Tensor
        Scores of the negative pairs.

    Returns
    -------
    float
        Average precision in ``[0, 1]``.

    References
    ----------
    J. Davis and M. Goadrich, "The relationship between precision-recall and ROC curves", ICML
    2006.

    Examples
    --------
    >>> pos, neg = torch.tensor([0.9, 0.8, 0.4]), torch.tensor([0.5, 0.1, 0.3])
    >>> round(auc_pr(pos, neg), 3)
    0.917
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

    Parameters
    ----------
    pos : torch.Tensor
        Scores of the positive pairs (true links).
    neg : torch.Tensor
        Scores of the negative pairs.
    k : int
        ``K``.

    Returns
    -------
    float
        HR@K in ``[0, 1]``.

    References
    ----------
    W. Hu, M. Fey, M. Zitnik, Y. Dong, H. Ren, B. Liu, M. Catasta, J. Leskovec, "Open Graph
    Benchmark: datasets for machine learning on graphs", NeurIPS 2020.

    Examples
    --------
    >>> pos, neg = torch.tensor([0.9, 0.8, 0.4]), torch.tensor([0.5, 0.1, 0.3])
    >>> round(hits_at_k(pos, neg, 1), 3)  # two of three positives beat the best negative
    0.667
    """
    if neg.numel() < k:
        return 1.0
    kth = torch.topk(neg, k).values[-1]
    return float((pos > kth).to(torch.float64).mean())


def mrr(pos: torch.Tensor, neg: torch.Tensor) -> float:
    """Mean reciprocal rank of each positive among all negatives (shared negatives).

    A positive's rank is ``1 + #negatives scoring at least as high`` (pessimistic on ties).

    Parameters
    ----------
    pos : torch.Tensor
        Scores of the positive pairs (true links).
    neg : torch.Tensor
        Scores of the negative pairs.

    Returns
    -------
    float
        MRR in ``(0, 1]``.

    References
    ----------
    W. Hu, M. Fey, M. Zitnik, Y. Dong, H. Ren, B. Liu, M. Catasta, J. Leskovec, "Open Graph
    Benchmark: datasets for machine learning on graphs", NeurIPS 2020.

    Examples
    --------
    >>> pos, neg = torch.tensor([0.9, 0.8, 0.4]), torch.tensor([0.5, 0.1, 0.3])
    >>> round(mrr(pos, neg), 3)  # ranks 1, 1 and 2
    0.833
    """
    sorted_neg = torch.sort(neg).values
    higher = neg.numel() - torch.searchsorted(sorted_neg, pos, right=False)
    return float((1.0 / (1.0 + higher.to(torch.float64))).mean())


def evaluate(pos: torch.Tensor, neg: torch.Tensor, k: int) -> dict[str, float]:
    """The four ranking metrics of positive and negative scores.

    Parameters
    ----------
    pos : torch.Tensor
        Scores of the positive pairs (true links).
    neg : torch.Tensor
        Scores of the negative pairs.
    k : int
        ``K`` of HR@K.

    Returns
    -------
    dict of str to float
        ``{'aucRoc', 'aucPr', 'hitsAtK', 'mrr'}`` (:func:`auc_roc`, :func:`auc_pr`,
        :func:`hits_at_k`, :func:`mrr`), computed in float64 on the CPU.

    References
    ----------
    W. Hu, M. Fey, M. Zitnik, Y. Dong, H. Ren, B. Liu, M. Catasta, J. Leskovec, "Open Graph
    Benchmark: datasets for machine learning on graphs", NeurIPS 2020.

    Examples
    --------
    >>> pos, neg = torch.tensor([0.9, 0.8, 0.4]), torch.tensor([0.5, 0.1, 0.3])
    >>> {name: round(value, 3) for name, value in evaluate(pos, neg, 2).items()}
    {'aucRoc': 0.889, 'aucPr': 0.917, 'hitsAtK': 1.0, 'mrr': 0.833}
    """
    pos, neg = pos.detach().double().cpu(), neg.detach().double().cpu()
    return {
        "aucRoc": auc_roc(pos, neg),
        "aucPr": auc_pr(pos, neg),
        "hitsAtK": hits_at_k(pos, neg, k),
        "mrr": mrr(pos, neg),
    }
