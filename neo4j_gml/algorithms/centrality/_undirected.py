"""Undirected arc lists for the algorithms that ignore directions (k-core, bridges, ...)."""

from __future__ import annotations

import torch

from neo4j_gml.core.graph import Graph

__all__ = ["arcs_of", "undirected_csr"]


def undirected_csr(graph: Graph) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(indptr, src, dst)`` of the graph's arcs in both directions, self-loops dropped.

    An ``UNDIRECTED`` graph already stores both directions; a directed one gets every arc
    mirrored. Parallel relationships stay (as parallel arcs). Arcs are sorted by source.
    """
    n = graph.num_nodes
    src, dst = graph.sources(), graph.indices
    if graph.orientation != "UNDIRECTED":
        src, dst = torch.cat([src, dst]), torch.cat([dst, src])
    keep = src != dst
    src, dst = src[keep], dst[keep]
    order = torch.sort(src * max(n, 1) + dst, stable=True).indices
    src, dst = src[order], dst[order]
    indptr = torch.zeros(n + 1, dtype=torch.long, device=graph.device)
    if src.numel():
        indptr[1:] = torch.cumsum(torch.bincount(src, minlength=n), 0)
    return indptr, src, dst


def arcs_of(indptr: torch.Tensor, nodes: torch.Tensor) -> torch.Tensor:
    """Arc positions of the CSR rows ``nodes``, concatenated. ``O(len(nodes) + arcs)``."""
    starts = indptr[nodes]
    counts = indptr[nodes + 1] - starts
    total = int(counts.sum()) if counts.numel() else 0
    if total == 0:
        return torch.zeros(0, dtype=torch.long, device=indptr.device)
    offsets = torch.cumsum(counts, 0) - counts
    return torch.arange(total, device=indptr.device) + torch.repeat_interleave(
        starts - offsets, counts
    )
