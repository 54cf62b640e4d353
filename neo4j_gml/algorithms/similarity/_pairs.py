"""Selecting the best pairs per source, and overall, from a flat list of scored pairs."""

from __future__ import annotations

import torch

__all__ = ["gds_queue_ties", "top_overall", "top_per_source"]


def top_per_source(
    src: torch.Tensor, dst: torch.Tensor, sim: torch.Tensor, k: int, *, largest: bool = True
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Keep each source's ``k`` highest (``largest``) or lowest scores, choosing among equal
    scores at the ``k``-th place as GDS's nodeSimilarity does.

    GDS offers a node's pairs to a bounded priority queue (``BoundedLongPriorityQueue``, in
    ``TopKMap``) in ascending target order; :func:`gds_queue_ties` reproduces which of several
    equal scores at the ``k``-th place that queue keeps. Where no tie crosses the ``k``-th place
    the kept pairs are simply the ``k`` best.

    The result is grouped by source (ascending), best first within a source; equal scores keep
    ascending target order. ``O(p log p)`` for ``p`` pairs, plus ``O(k)`` vectorised rounds over
    the sources whose ``k``-th place is tied.
    """
    if src.numel() == 0:
        return src, dst, sim
    # offer order: by source, then target (GDS's order of offers to a node's queue)
    order = torch.argsort(dst, stable=True)
    order = order[torch.argsort(src[order], stable=True)]
    src, dst, sim = src[order], dst[order], sim[order]
    # rank of each pair within its source, best first, equal scores by ascending target
    by_score = torch.argsort(sim, descending=largest, stable=True)
    by_score = by_score[torch.argsort(src[by_score], stable=True)]
    score_rank = _rank_in_runs(src[by_score])
    rank = torch.empty_like(by_score)
    rank[by_score] = score_rank
    keep = rank < k
    # the sources whose k-th and (k+1)-th best scores are equal: GDS's queue decides which of
    # the equal scores stay
    kth_pair = by_score[score_rank == k - 1]
    next_pair = by_score[score_rank == k]
    n_src = int(src.max().item()) + 1
    kth = torch.full((n_src,), torch.nan, dtype=sim.dtype, device=sim.device)
    kth[src[kth_pair]] = sim[kth_pair]
    tied = torch.zeros(n_src, dtype=torch.bool, device=sim.device)
    tied[src[next_pair]] = sim[next_pair] == kth[src[next_pair]]
    if bool(tied.any()):
        mine = tied[src]
        idx = torch.nonzero(mine).squeeze(1)
        boundary = kth[src[idx]]
        better = sim[idx] > boundary if largest else sim[idx] < boundary
        cls = torch.where(
            better,
            torch.zeros_like(idx),
            torch.where(sim[idx] == boundary, torch.ones_like(idx), torch.full_like(idx, 2)),
        )
        kept = gds_queue_ties(src[idx], cls, k)
        keep[idx] = kept
    src, dst, sim = src[keep], dst[keep], sim[keep]
    order = torch.argsort(sim, descending=largest, stable=True)  # dst order kept among equals
    order = order[torch.argsort(src[order], stable=True)]
    return src[order], dst[order], sim[order]


def _rank_in_runs(keys: torch.Tensor) -> torch.Tensor:
    """Position of each entry within its run of equal values in ``keys`` (grouped)."""
    _, counts = torch.unique_consecutive(keys, return_counts=True)
    starts = torch.repeat_interleave(torch.cumsum(counts, 0) - counts, counts)
    return torch.arange(keys.numel(), device=keys.device) - starts


def gds_queue_ties(groups: torch.Tensor, cls: torch.Tensor, bound: int) -> torch.Tensor:
    """Which offers GDS's ``BoundedLongPriorityQueue`` keeps, for queues whose boundary is tied.

    Each group (``groups``, ascending; offers in offer order within a group) is one queue of
    capacity ``bound``; ``cls`` says how each offer compares with the group's ``bound``-th best
    score ``v``: ``0`` better, ``1`` equal, ``2`` worse. The queue keeps its entries in a
    sorted array; an offer is taken while the queue has room, or when it is strictly better
    than the last (worst) entry, which then drops out; it goes where Java's
    ``Arrays.binarySearch`` finds its score, i.e. before the equal entry the search happens to
    probe, or after all better entries when there is none. So which of the equal scores stay
    depends on the offer order and the array's shape. Only the class of each score matters for
    that: better entries always fill the front, worse ones the back, and the search's probes
    depend on the counts alone. Returns ``bool[len(groups)]``: every better offer and the equal
    offers the queue ends with.

    Runs the queues side by side, one offer per round: the first ``bound`` offers (the queue
    fills), then only the better offers and the first ``bound`` equal ones (a worse offer
    cannot change a full queue's classes, and once the worse entries are gone an equal offer
    is refused). ``O(bound log bound)`` rounds of vectorised work over the groups.

    References: GDS ``org.neo4j.gds.core.utils.queue.BoundedLongPriorityQueue#add`` (used by
    ``org.neo4j.gds.similarity.nodesim.TopKMap``).
    """
    dev = groups.device
    kept = cls == 0
    if groups.numel() == 0:
        return kept
    _, group_of, counts = torch.unique_consecutive(groups, return_inverse=True, return_counts=True)
    g = counts.numel()
    late = _rank_in_runs(groups) >= bound  # offered to a full queue
    late_equal = late & (cls == 1)
    relevant = ~late | (cls == 0) | late_equal
    # only the first `bound` late equal offers of a group matter: by then the worse entries are
    # gone, and a queue without them refuses equal offers
    relevant &= ~(late_equal & (_count_before_in_group(late_equal, group_of, counts) >= bound))
    offers = torch.nonzero(relevant).squeeze(1)
    step = _count_before_in_group(relevant, group_of, counts)[offers]
    rounds = int(step.max().item()) + 1
    table_cls = torch.full((g, rounds), -1, dtype=torch.long, device=dev)
    table_idx = torch.full((g, rounds), -1, dtype=torch.long, device=dev)
    table_cls[group_of[offers], step] = cls[offers]
    table_idx[group_of[offers], step] = offers
    better = torch.zeros(g, dtype=torch.long, device=dev)
    worse = torch.zeros(g, dtype=torch.long, device=dev)
    n_equal = torch.zeros(g, dtype=torch.long, device=dev)
    equal = torch.full((g, bound), -1, dtype=torch.long, device=dev)  # the equal run, in order
    cols = torch.arange(bound, device=dev)[None, :]
    for r in range(rounds):
        c, e = table_cls[:, r], table_idx[:, r]
        count = better + n_equal + worse
        full = count >= bound
        is_better, is_equal, is_worse = c == 0, c == 1, c == 2
        # a better offer is always taken; a full queue drops its last entry (worse first)
        drop_worse = is_better & full & (worse > 0)
        drop_equal = is_better & full & (worse == 0)
        better = better + is_better.long()
        worse = worse - drop_worse.long()
        n_equal = n_equal - drop_equal.long()
        # a worse offer only changes the classes while the queue has room
        worse = worse + (is_worse & ~full).long()
        # an equal offer is taken while there is room or a worse entry to drop
        take = is_equal & (~full | (worse > 0))
        if bool(take.any()):
            at = _java_binary_search(better, n_equal, count, take)
            pos = torch.where(at >= 0, at - better, torch.zeros_like(at))[:, None]
            shifted = torch.cat([equal[:, :1], equal[:, :-1]], dim=1)
            inserted = torch.where(cols < pos, equal, torch.where(cols == pos, e[:, None], shifted))
            equal = torch.where(take[:, None], inserted, equal)
            worse = worse - (take & full).long()
            n_equal = n_equal + take.long()
    final = equal[cols < n_equal[:, None]]
    kept[final] = True
    return kept


def _count_before_in_group(
    mask: torch.Tensor, group_of: torch.Tensor, counts: torch.Tensor
) -> torch.Tensor:
    """For each entry, how many entries of its group before it are ``mask``-ed."""
    total = torch.cumsum(mask.long(), 0) - mask.long()
    starts = torch.cumsum(counts, 0) - counts
    return total - total[starts][group_of]


def _java_binary_search(
    better: torch.Tensor, n_equal: torch.Tensor, count: torch.Tensor, active: torch.Tensor
) -> torch.Tensor:
    """Where ``java.util.Arrays.binarySearch`` finds a key in sorted arrays of ``count``
    entries: ``better`` entries below the key, then ``n_equal`` equal to it, then the rest above.
    Returns the index found, or ``-1`` where no entry equals the key (or not ``active``)."""
    low = torch.zeros_like(count)
    high = count - 1
    found = torch.full_like(count, -1)
    searching = active.clone()
    while bool(searching.any()):
        mid = (low + high) // 2
        below = mid < better
        above = mid >= better + n_equal
        low = torch.where(searching & below, mid + 1, low)
        high = torch.where(searching & above, mid - 1, high)
        found = torch.where(searching & ~below & ~above, mid, found)
        searching = searching & (found < 0) & (low <= high)
    return found


def top_overall(
    src: torch.Tensor, dst: torch.Tensor, sim: torch.Tensor, n: int, *, largest: bool = True
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Keep the ``n`` highest (``largest``) or lowest scoring pairs, in that order."""
    if n <= 0 or src.numel() <= n:
        order = torch.argsort(sim, descending=largest, stable=True)
    else:
        order = torch.argsort(sim, descending=largest, stable=True)[:n]
    return src[order], dst[order], sim[order]
