"""The simple undirected adjacency that link prediction works on, and neighbour expansion."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from neo4j_gml.core.graph import Graph


@dataclass(frozen=True)
class Adjacency:
    """A symmetric CSR without self-loops or parallel arcs.

    ``keys`` (``int64[arcs]``) are ``u * n + v`` per arc and sorted, so membership of a pair is
    one :func:`torch.searchsorted`. ``degree`` counts distinct neighbours.
    """

    indptr: torch.Tensor
    indices: torch.Tensor
    keys: torch.Tensor
    degree: torch.Tensor
    num_nodes: int

    @property
    def device(self) -> torch.device:
        return self.indices.device

    def has_arc(self, u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """``bool[p]``: whether ``u[i]`` and ``v[i]`` are neighbours."""
        if self.keys.numel() == 0 or u.numel() == 0:
            return torch.zeros(u.shape, dtype=torch.bool, device=u.device)
        key = u * self.num_nodes + v
        pos = torch.searchsorted(self.keys, key).clamp_(max=self.keys.numel() - 1)
        return self.keys[pos] == key


def from_edges(src: torch.Tensor, dst: torch.Tensor, num_nodes: int) -> Adjacency:
    """The :class:`Adjacency` of the undirected simple graph with edges ``src[i] -- dst[i]``.

    Both directions are added, self-loops dropped and duplicates merged; ``O(m log m)``.
    """
    device = src.device
    n = int(num_nodes)
    a = torch.cat([src, dst]).to(torch.int64)
    b = torch.cat([dst, src]).to(torch.int64)
    keep = a != b
    keys = torch.unique(a[keep] * n + b[keep])  # sorted
    rows = torch.div(keys, max(n, 1), rounding_mode="floor")
    indices = keys - rows * n
    degree = torch.bincount(rows, minlength=n)
    indptr = torch.zeros(n + 1, dtype=torch.int64, device=device)
    indptr[1:] = torch.cumsum(degree, 0)
    return Adjacency(indptr, indices, keys, degree, n)


def from_graph(graph: Graph) -> Adjacency:
    """The simple undirected adjacency of ``graph``: each relationship in both directions."""
    return from_edges(graph.sources(), graph.indices, graph.num_nodes)


def expand(adj: Adjacency, rows: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``(owner, neighbour)``: every neighbour of each ``rows[i]``, ``owner`` = ``i``."""
    counts = adj.degree[rows]
    owner = torch.repeat_interleave(torch.arange(rows.numel(), device=rows.device), counts)
    if owner.numel() == 0:
        return owner, owner.clone()
    starts = torch.cumsum(counts, 0) - counts
    offset = torch.arange(owner.numel(), device=rows.device) - starts[owner]
    return owner, adj.indices[adj.indptr[rows][owner] + offset]


def common_neighbors(
    adj: Adjacency, a: torch.Tensor, b: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(pair, node)``: every common neighbour ``node`` of ``a[pair]`` and ``b[pair]``.

    Expands the lower-degree end of each pair and tests membership in the other end's
    neighbourhood by binary search: ``O(sum_i min(deg a_i, deg b_i) * log m)``.
    """
    swap = adj.degree[a] > adj.degree[b]
    small = torch.where(swap, b, a)
    large = torch.where(swap, a, b)
    pair, node = expand(adj, small)
    hit = adj.has_arc(large[pair], node)
    return pair[hit], node[hit]
