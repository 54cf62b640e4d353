"""The simple undirected adjacency that link prediction works on, and neighbour expansion."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from neo4j_gml.core.graph import Graph

__all__ = [
    "Adjacency",
    "common_neighbors",
    "expand",
    "find_sorted",
    "from_edges",
    "from_graph",
    "residual_neighbors",
]


@dataclass(frozen=True)
class Adjacency:
    """A symmetric CSR without self-loops or parallel arcs.

    ``keys`` (``int64[arcs]``) are ``u * n + v`` per arc and sorted, so membership of a pair is
    one :func:`torch.searchsorted`. ``degree`` counts distinct neighbours.

    Attributes
    ----------
    indptr : torch.Tensor
        ``int64[n + 1]`` row pointers.
    indices : torch.Tensor
        ``int64[arcs]`` neighbour of each arc, sorted within a row.
    keys : torch.Tensor
        ``int64[arcs]`` sorted ``u * n + v``.
    degree : torch.Tensor
        ``int64[n]`` distinct neighbours per node.
    num_nodes : int
        ``n``.
    """

    indptr: torch.Tensor
    indices: torch.Tensor
    keys: torch.Tensor
    degree: torch.Tensor
    num_nodes: int

    @property
    def device(self) -> torch.device:
        """The device the tensors are on."""
        return self.indices.device

    def has_arc(self, u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """``bool[p]``: whether ``u[i]`` and ``v[i]`` are neighbours."""
        return find_sorted(self.keys, u * self.num_nodes + v)[0]


def find_sorted(keys: torch.Tensor, query: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Where each ``query`` value sits in the sorted ``keys``, and whether it is there.

    Parameters
    ----------
    keys : torch.Tensor
        ``int64[k]``, sorted ascending.
    query : torch.Tensor
        ``int64[q]`` values to look up.

    Returns
    -------
    tuple of torch.Tensor
        ``(found, position)``: ``bool[q]``, and ``int64[q]`` indices into ``keys`` (meaningful
        where ``found``).

    Notes
    -----
    ``O(q log k)``.

    References
    ----------
    PyTorch, ``torch.searchsorted``.

    Examples
    --------
    >>> found, pos = find_sorted(torch.tensor([2, 5, 9]), torch.tensor([5, 3, 9]))
    >>> found.tolist(), pos[found].tolist()
    ([True, False, True], [1, 2])
    """
    if keys.numel() == 0 or query.numel() == 0:
        return torch.zeros_like(query, dtype=torch.bool), torch.zeros_like(query)
    pos = torch.searchsorted(keys, query).clamp_(max=keys.numel() - 1)
    return keys[pos] == query, pos


def from_edges(src: torch.Tensor, dst: torch.Tensor, num_nodes: int) -> Adjacency:
    """The :class:`Adjacency` of the undirected simple graph with edges ``src[i] -- dst[i]``.

    Both directions are added, self-loops dropped and duplicates merged.

    Parameters
    ----------
    src, dst : torch.Tensor
        ``int64[m]`` end positions of the edges.
    num_nodes : int
        ``n``; positions are ``0..n-1``.

    Returns
    -------
    Adjacency
        The simple undirected adjacency, on the device of ``src``.

    Notes
    -----
    ``O(m log m)``.

    References
    ----------
    D. Liben-Nowell and J. Kleinberg, "The link-prediction problem for social networks", JASIST
    58 (2007); GDS manual, Topological link prediction.

    Examples
    --------
    >>> adj = from_edges(torch.tensor([0, 1, 1]), torch.tensor([1, 0, 2]), 4)
    >>> adj.degree.tolist(), adj.indices.tolist()  # 0 - 1 merged, node 3 isolated
    ([1, 2, 1, 0], [1, 0, 2, 1])
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
    """The simple undirected adjacency of ``graph``: each relationship in both directions.

    Parameters
    ----------
    graph : Graph
        Any orientation; directions, self-loops and parallel relationships are dropped.

    Returns
    -------
    Adjacency
        See :func:`from_edges`.

    References
    ----------
    D. Liben-Nowell and J. Kleinberg, "The link-prediction problem for social networks", JASIST
    58 (2007); GDS manual, Topological link prediction.

    Examples
    --------
    >>> g = Graph.from_edges([0, 0, 1, 2, 0], [1, 2, 2, 3, 0])  # a triangle, a tail, a loop
    >>> adj = from_graph(g)
    >>> adj.degree.tolist(), adj.has_arc(torch.tensor([0, 0]), torch.tensor([1, 3])).tolist()
    ([2, 2, 3, 1], [True, False])
    """
    return from_edges(graph.sources(), graph.indices, graph.num_nodes)


def expand(adj: Adjacency, rows: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Every neighbour of each ``rows[i]``, with its owner ``i``.

    Parameters
    ----------
    adj : Adjacency
        The adjacency.
    rows : torch.Tensor
        ``int64[r]`` node positions (repeats allowed).

    Returns
    -------
    tuple of torch.Tensor
        ``(owner, neighbour)``: ``owner`` indexes ``rows``; neighbours in CSR order.

    References
    ----------
    D. Liben-Nowell and J. Kleinberg, "The link-prediction problem for social networks", JASIST
    58 (2007); GDS manual, Topological link prediction.

    Examples
    --------
    >>> g = Graph.from_edges([0, 0, 1, 2, 0], [1, 2, 2, 3, 0])  # a triangle, a tail, a loop
    >>> adj = from_graph(g)
    >>> owner, neighbour = expand(adj, torch.tensor([3, 0]))
    >>> owner.tolist(), neighbour.tolist()
    ([0, 1, 1], [2, 1, 2])
    """
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
    """Every common neighbour ``node`` of ``a[pair]`` and ``b[pair]``.

    Expands the lower-degree end of each pair and tests membership in the other end's
    neighbourhood by binary search.

    Parameters
    ----------
    adj : Adjacency
        The adjacency.
    a, b : torch.Tensor
        ``int64[p]`` node positions of the pairs.

    Returns
    -------
    tuple of torch.Tensor
        ``(pair, node)``: one entry per common neighbour, ``pair`` indexing ``a`` and ``b``.

    Notes
    -----
    ``O(sum_i min(deg a_i, deg b_i) * log m)``.

    References
    ----------
    D. Liben-Nowell and J. Kleinberg, "The link-prediction problem for social networks", JASIST
    58 (2007); GDS manual, Topological link prediction.

    Examples
    --------
    >>> g = Graph.from_edges([0, 0, 1, 2, 0], [1, 2, 2, 3, 0])  # a triangle, a tail, a loop
    >>> adj = from_graph(g)
    >>> pair, node = common_neighbors(adj, torch.tensor([0, 1]), torch.tensor([1, 3]))
    >>> pair.tolist(), node.tolist()
    ([0, 1], [2, 2])
    """
    swap = adj.degree[a] > adj.degree[b]
    small = torch.where(swap, b, a)
    large = torch.where(swap, a, b)
    pair, node = expand(adj, small)
    hit = adj.has_arc(large[pair], node)
    return pair[hit], node[hit]


def residual_neighbors(
    adj: Adjacency, a: torch.Tensor, b: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Every neighbour ``node`` of ``a[pair]`` that is neither ``b[pair]`` nor its neighbour.

    These are the nodes that would become common neighbours of the pair if the link
    ``b[pair] -- node`` existed: the candidates that Neural Common Neighbor with Completion
    (NCNC) weighs by the predicted probability of that missing link.

    Parameters
    ----------
    adj : Adjacency
        The adjacency.
    a, b : torch.Tensor
        ``int64[p]`` node positions of the pairs.

    Returns
    -------
    tuple of torch.Tensor
        ``(pair, node)``: one entry per residual neighbour of ``a[pair]``, in CSR order.

    Notes
    -----
    ``O(sum_i deg a_i * log m)``.

    References
    ----------
    X. Wang, H. Yang, M. Zhang, "Neural common neighbor with completion for link prediction",
    ICLR 2024, section 5 (``N(i) - N(j)``).

    Examples
    --------
    >>> g = Graph.from_edges([0, 0, 1, 2], [1, 2, 2, 3])  # a triangle 0-1-2 and a tail 2-3
    >>> adj = from_graph(g)
    >>> pair, node = residual_neighbors(adj, torch.tensor([2, 0]), torch.tensor([0, 3]))
    >>> pair.tolist(), node.tolist()  # 3 is 2's neighbour but not 0's; 1 is 0's, not 3's
    ([0, 1], [3, 1])
    """
    pair, node = expand(adj, a)
    other = b[pair]
    keep = (node != other) & ~adj.has_arc(other, node)
    return pair[keep], node[keep]
