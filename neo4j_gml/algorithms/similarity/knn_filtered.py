"""Exact k-nearest neighbours with source and target node filters (GDS ``gds.knn.filtered``)."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from neo4j_gml.algorithms.similarity.knn import (
    _BLOCK_ELEMENTS_32,
    _BLOCK_ELEMENTS_32_OTHER,
    _Property,
    _select_top,
    _unit_roundoff,
    knn,
    prepare,
    similarity_of_blocks,
)
from neo4j_gml.core.cancellation import checkpoint

__all__ = ["filtered_knn"]

_BLOCK_ELEMENTS = 1 << 24  # entries of one float64 (sources x targets) similarity block


def filtered_knn(
    properties: Sequence[tuple[torch.Tensor, str]],
    top_k: int = 10,
    *,
    source_mask: torch.Tensor | None = None,
    target_mask: torch.Tensor | None = None,
    seed_target_nodes: bool = False,
    similarity_cutoff: float = 0.0,
    block_rows: int | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, int]:
    """Exact k-nearest neighbours of the source nodes among the target nodes, as GDS's
    ``gds.knn.filtered`` gives them with ``sampleRate: 1, deltaThreshold: 0``.

    Properties and metrics as :func:`neo4j_gml.algorithms.similarity.knn.knn`. Every node of
    ``source_mask`` gets its ``min(top_k, n - 1)`` most similar other nodes of ``target_mask``
    (fewer where there are fewer targets). Without a target mask this is :func:`knn`'s result
    restricted to the sources (GDS filters the plain kNN result the same way); with one, GDS
    keeps each source's best targets in a ``TreeSet`` of ``(similarity, node)`` in reverse
    order, so at equal similarity the larger position (Neo4j id) is kept and listed first, as
    here. ``seed_target_nodes`` (only with a target mask) is GDS's ``seedTargetNodes``: every
    source starts with the first ``k + 1`` targets and the similarity cutoff no longer applies,
    so every source gets ``k`` targets where there are as many.

    Parameters
    ----------
    properties : sequence of (torch.Tensor, str)
        ``(values, metric)`` per property, as :func:`knn` takes them.
    top_k : int
        Neighbours per source, ``>= 1``.
    source_mask : torch.Tensor or None
        ``bool[n]``, the nodes that get neighbours (``None``: every node).
    target_mask : torch.Tensor or None
        ``bool[n]``, the nodes that may be neighbours (``None``: every node).
    seed_target_nodes : bool
        GDS's ``seedTargetNodes``: ignore ``similarity_cutoff`` when there is a target mask.
    similarity_cutoff : float
        Smallest similarity kept.
    block_rows : int or None
        Source rows per similarity block (default: ``2**24`` entries per block).

    Returns
    -------
    tuple
        ``(source, target, similarity, pairs_considered)``: positions and ``float64`` values
        grouped by source, most similar first; and the number of pairs scored.

    Raises
    ------
    ValueError
        ``top_k < 1`` or no property.

    Notes
    -----
    With a target mask, blocks of source rows are scored against the ``t`` targets only:
    ``O(s t d)`` time for ``s`` sources, ``O(block)`` memory. One COSINE, PEARSON or EUCLIDEAN
    property takes :func:`~neo4j_gml.algorithms.similarity.knn.knn`'s float32 candidate
    search with float64 rescoring and verification (similarities float64-exact); others
    float64 blocks. Without a target mask, the sources are scored against every node by the
    float32 search (one such property), or :func:`knn` runs on every node and its rows of the
    sources are kept (``O(n^2 d)``; its scalar path is ``O(n log n)``).

    References
    ----------
    GDS manual, Filtered K-Nearest Neighbors.

    Examples
    --------
    >>> age = torch.tensor([24.0, 73.0, 24.0, 48.0, 67.0])  # GDS's example: Alice .. Eve
    >>> vegan = torch.tensor([True, True, False, True, True])  # Carol is not vegan
    >>> src, dst, sim, _ = filtered_knn([(age, "DEFAULT")], 1, target_mask=vegan,
    ...                                  seed_target_nodes=True, similarity_cutoff=0.3)
    >>> src.tolist(), dst.tolist(), sim.round(decimals=4).tolist()
    ([0, 1, 2, 3, 4], [3, 4, 0, 4, 1], [0.04, 0.1429, 1.0, 0.05, 0.1429])
    """
    if top_k < 1:
        raise ValueError("top_k must be at least 1")
    n = properties[0][0].shape[0] if properties else 0
    device = properties[0][0].device if properties else torch.device("cpu")
    empty = torch.zeros(0, dtype=torch.long, device=device)
    props = prepare(properties)
    linear = len(props) == 1 and props[0].linear
    if target_mask is None and (source_mask is None or not linear):
        src, dst, sim = knn(properties, top_k, similarity_cutoff=similarity_cutoff)
        if source_mask is not None:
            keep = source_mask.to(device)[src]
            src, dst, sim = src[keep], dst[keep], sim[keep]
        return src, dst, sim, n * (n - 1)
    every = torch.ones(n, dtype=torch.bool, device=device)
    sources = torch.nonzero(every if source_mask is None else source_mask.to(device)).view(-1)
    targets = torch.nonzero(every if target_mask is None else target_mask.to(device)).view(-1)
    s, t = sources.numel(), targets.numel()
    k = min(top_k, n - 1, t)
    if s == 0 or k < 1:
        return empty, empty.clone(), torch.zeros(0, dtype=torch.float64, device=device), 0
    seeded = seed_target_nodes and target_mask is not None
    cutoff = -torch.inf if seeded else similarity_cutoff
    # GDS's TreeSet keeps the larger node among equally similar targets; without a target
    # filter GDS cuts the plain kNN result, whose ties keep the smaller node (as knn does)
    rank = (n - 1 - targets) if target_mask is not None else targets
    if linear:
        val, tgt = _linear(props[0], k, sources, targets, rank, block_rows)
    else:
        val, tgt = _blocks(props, k, sources, targets, rank, block_rows)
    src = sources[:, None].expand_as(tgt)
    keep = (val > -torch.inf) & (val >= cutoff)
    return src[keep], tgt[keep], val[keep], s * t


def _blocks(
    props: list[_Property],
    k: int,
    sources: torch.Tensor,
    targets: torch.Tensor,
    rank: torch.Tensor,
    block_rows: int | None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(similarity, target)`` ``[s, k]`` (``-inf`` where a source has fewer targets) from
    float64 blocks of sources against every target; ties keep the targets of smaller
    ``rank`` (distinct per target)."""
    rows = block_rows or max(1, _BLOCK_ELEMENTS // targets.numel())
    vals, tgts = [], []
    for lo in range(0, sources.numel(), rows):
        checkpoint()
        block = sources[lo : lo + rows]
        sim = similarity_of_blocks(props, block[None, :], targets[None, :])[0]
        sim = sim.masked_fill(block[:, None] == targets[None, :], -torch.inf)
        val, col = _select_top(sim, k, rank[None, :].expand(block.numel(), -1))
        vals.append(val)
        tgts.append(targets[col])
    return torch.cat(vals), torch.cat(tgts)


def _linear(
    prop: _Property,
    k: int,
    sources: torch.Tensor,
    targets: torch.Tensor,
    rank: torch.Tensor,
    block_rows: int | None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """One COSINE, PEARSON or EUCLIDEAN property: float32 candidate search among the targets,
    float64 rescoring, and a float64 block for the rows float32 rounding could have changed
    (the scheme of :func:`neo4j_gml.algorithms.similarity.knn._exact_linear`)."""
    x = prop.x
    n, d = x.shape
    dev = x.device
    t = targets.numel()
    c = min(t, k + max(8, k // 2))
    if prop.kind == "EUCLIDEAN":
        xc = x - x.mean(dim=0, keepdim=True)
        sq = (xc * xc).sum(dim=1)
        norm = sq.sqrt()
        bound = 2.0 * (d + 4) * _unit_roundoff() * (2.0 * norm * norm.max() + sq.max())
        sq32 = sq[targets].to(torch.float32)
    else:
        xc = x
        bound = torch.full((n,), 2.0 * (d + 4) * _unit_roundoff(), dtype=torch.float64, device=dev)
    xt32 = xc[targets].to(torch.float32)
    elements = _BLOCK_ELEMENTS_32.get(dev.type, _BLOCK_ELEMENTS_32_OTHER)
    rows = block_rows or max(1, min(sources.numel(), elements // t))
    vals, tgts, redo = [], [], []
    for lo in range(0, sources.numel(), rows):
        checkpoint()
        block = sources[lo : lo + rows]
        xb = xc[block].to(torch.float32)
        if prop.kind == "EUCLIDEAN":
            score = torch.addmm(sq32[None, :], xb, xt32.T, beta=-1.0, alpha=2.0)
        else:
            score = xb @ xt32.T
        # a source among the targets is no candidate of its own
        at = torch.searchsorted(targets, block).clamp(max=t - 1)
        own = targets[at] == block
        local = torch.arange(block.numel(), device=dev)
        score[local[own], at[own]] = -torch.inf
        s32, col = torch.topk(score, c, dim=1)
        cand = targets[col]
        node = block[:, None].expand_as(cand)
        invalid = s32 == -torch.inf
        raw = (xc[node] * xc[cand]).sum(dim=2)
        if prop.kind == "EUCLIDEAN":
            raw = 2.0 * raw - sq[cand]
        raw = raw.masked_fill(invalid, -torch.inf)
        kth = torch.topk(raw, k, dim=1).values[:, -1]
        ok = (s32[:, -1].to(torch.float64) + bound[block] < kth) | (c == t)
        sim = prop.pairs(node, cand).masked_fill(invalid, -torch.inf)
        val, j = _select_top(sim, k, rank[col])
        vals.append(val)
        tgts.append(cand.gather(1, j))
        redo.append(lo + local[~ok])
    val, tgt = torch.cat(vals), torch.cat(tgts)
    again = torch.cat(redo)
    if again.numel():
        val[again], tgt[again] = _blocks([prop], k, sources[again], targets, rank, None)
    return val, tgt
