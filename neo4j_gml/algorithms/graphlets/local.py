"""What the graphlet and subgraph counts share: the simple undirected graph with its degrees,
the triangles on every node and edge, the 4-cliques on every node and edge, the common
neighbours of the ends of every wedge, and the exact inversion of containment matrices.

Everything is torch on the graph's device, in chunks of at most
:data:`~neo4j_gml.algorithms.community.triangles.WEDGE_CHUNK` candidates.

No public function: :mod:`.orbits`, :mod:`.edge_orbits` and :mod:`.subgraphs` are the API.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import torch

from neo4j_gml.algorithms.community import triangles as tri
from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.graph import Graph

__all__: list[str] = []


@dataclass
class Local:
    """The simple undirected view of a graph: edges ``u < v`` (sorted, ``keys = u * n + v``),
    the arcs of both directions (``src``/``dst``; arc ``i`` and ``i + m`` are edge ``i``),
    degrees and the triangles (listed in chunks ``(first, mid, last)``, each once)."""

    n: int
    u: torch.Tensor
    v: torch.Tensor
    keys: torch.Tensor
    src: torch.Tensor
    dst: torch.Tensor
    degree: torch.Tensor
    t_node: torch.Tensor
    t_edge: torch.Tensor
    triangles: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = field(default_factory=list)

    @property
    def m(self) -> int:
        return int(self.u.numel())

    @property
    def t_arc(self) -> torch.Tensor:
        """Triangles on the edge of every arc."""
        return torch.cat([self.t_edge, self.t_edge])

    def edge_of(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Positions (in ``u``/``v``) of the edges ``{x, y}`` (which must exist)."""
        lo, hi = torch.minimum(x, y), torch.maximum(x, y)
        return torch.searchsorted(self.keys, lo * self.n + hi)

    def per_node(self, values: torch.Tensor) -> torch.Tensor:
        """``values`` of the arcs summed at their sources."""
        out = torch.zeros(self.n, dtype=torch.long, device=self.u.device)
        return out.index_add_(0, self.src, values)

    def per_edge(self, values: torch.Tensor) -> torch.Tensor:
        """``values`` of the arcs summed per edge (both arcs of an edge)."""
        return values[: self.m] + values[self.m :]


def local(graph: Graph) -> Local:
    """:class:`Local` of ``graph`` (directions, loops and parallel relationships dropped).

    Examples
    --------
    >>> g = local(Graph.from_edges([0, 1, 2, 2, 1], [1, 2, 0, 3, 0]))  # a triangle, a tail
    >>> g.degree.tolist(), g.t_node.tolist(), g.t_edge.tolist()
    ([2, 2, 3, 1], [1, 1, 1, 0], [1, 1, 1, 0])
    """
    n = graph.num_nodes
    u, v = tri.simple_edges(graph)
    dev = u.device
    src, dst = torch.cat([u, v]), torch.cat([v, u])
    degree = torch.bincount(src, minlength=n)
    t_node = torch.zeros(n, dtype=torch.long, device=dev)
    t_edge = torch.zeros(u.numel(), dtype=torch.long, device=dev)
    found = Local(n, u, v, u * max(n, 1) + v, src, dst, degree, t_node, t_edge)
    for first, mid, last in tri.triangle_chunks(u, v, n):
        for x in (first, mid, last):
            t_node.index_add_(0, x, torch.ones_like(x))
        for x, y in ((first, mid), (first, last), (mid, last)):
            t_edge.index_add_(0, found.edge_of(x, y), torch.ones_like(x))
        found.triangles.append((first, mid, last))
    return found


#: entries of the neighbourhood blocks multiplied at once
BLOCK_ENTRIES = 1 << 22


def neighbourhood_blocks(
    g: Local,
) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """For every node ``p`` whose neighbourhood holds an edge: its neighbours ``S`` (sorted),
    the adjacency ``B`` among them and ``B @ B^T`` (``[u, v]``: the ``q in S`` adjacent to both
    ``u`` and ``v``). Nodes of equal degree come batched: chunks ``(s [k, d], b [k, d, d],
    common [k, d, d])``, at most about :data:`BLOCK_ENTRIES` entries each; ``sum of d^3`` work
    in batched matrix products (BLAS, or the GPU)."""
    n, dev = g.n, g.u.device
    arc_keys, order = torch.sort(g.src * n + g.dst)
    neighbours = g.dst[order]
    indptr = torch.zeros(n + 1, dtype=torch.long, device=dev)
    indptr[1:] = torch.cumsum(torch.bincount(g.src, minlength=n), 0)
    centres = torch.nonzero(g.t_node > 0).reshape(-1)
    degree = g.degree[centres]
    for d in torch.unique(degree).tolist():
        group = centres[degree == d]
        step = max(1, BLOCK_ENTRIES // (d * d))
        span = torch.arange(d, device=dev)
        for lo in range(0, group.numel(), step):
            checkpoint()  # a cancelled call stops between batches
            chunk = group[lo : lo + step]
            s = neighbours[indptr[chunk][:, None] + span]
            b = tri.has_arcs(arc_keys, s[:, :, None] * n + s[:, None, :]).to(torch.float32)
            common = torch.bmm(b, b.transpose(1, 2)).round()
            yield s, b, common


def four_cliques(g: Local) -> tuple[torch.Tensor, torch.Tensor]:
    """4-cliques through every node and every edge. An edge ``{u, v}`` lies in as many
    4-cliques as there are edges among its common neighbours; summed over the centres ``p``,
    ``(B B^T) * B`` at ``[u, v]`` counts each such edge twice. A node's 4-cliques are its
    edges' sum over 3."""
    n, dev = g.n, g.u.device
    twice = torch.zeros(g.m, dtype=torch.long, device=dev)
    for s, b, common in neighbourhood_blocks(g):
        value = (common * b).to(torch.long)
        keep = value > 0
        u = s[:, :, None].expand_as(value)[keep]
        v = s[:, None, :].expand_as(value)[keep]
        upper = u < v  # each edge once (both orders appear)
        twice.index_add_(0, g.edge_of(u[upper], v[upper]), value[keep][upper])
    edges = twice // 2
    nodes = torch.zeros(n, dtype=torch.long, device=dev)
    nodes.index_add_(0, g.u, edges).index_add_(0, g.v, edges)
    return nodes // 3, edges


def wedges(g: Local) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """Every wedge ``x - a - y`` (``x != y``, both orders) with the common neighbours of its
    ends: chunks ``(arc, y, common)`` where ``arc`` indexes the arc ``x -> a`` (in
    ``src``/``dst``) and ``common`` counts the neighbours ``x`` and ``y`` share. Chunks hold
    every wedge of their ends ``x``, so the counts are complete."""
    n, dev = g.n, g.u.device
    order = torch.argsort(g.src * n + g.dst)
    indptr = torch.zeros(n + 1, dtype=torch.long, device=dev)
    indptr[1:] = torch.cumsum(torch.bincount(g.src, minlength=n), 0)
    neighbours = g.dst[order]  # CSR of the neighbours
    # the arcs x -> a grouped by x are ``order`` itself; the wedges of x: sum of deg(a)
    per_x = torch.zeros(n, dtype=torch.long, device=dev).index_add_(0, g.src, g.degree[g.dst])
    for start, stop, _, _ in tri.expand(per_x, tri.WEDGE_CHUNK):
        arcs = order[int(indptr[start]) : int(indptr[stop])]
        for _, _, owner, offset in tri.expand(g.degree[g.dst[arcs]], 1 << 62):
            arc = arcs[owner]
            y = neighbours[indptr[g.dst[arc]] + offset]
            keep = y != g.src[arc]
            arc, y = arc[keep], y[keep]
            _, inverse, count = torch.unique(
                g.src[arc] * n + y, return_inverse=True, return_counts=True
            )
            yield arc, y, count[inverse]


# ---------------------------------------------------------------------------- containment
def containment(
    nodes: int, orbits: range, orbit_fn: Callable[..., int | None], items: str
) -> np.ndarray:
    """``M[k, j]``: how many connected spanning subgraphs with the item (a node, or an edge)
    on orbit ``k`` the induced graphlet with it on orbit ``j`` holds, by brute force over the
    labelled graphs on ``nodes`` nodes (the same for every labelling: checked).

    ``orbit_fn(edges, nodes, item)`` classifies; ``items`` is ``'nodes'``, ``'edges'`` or
    ``'pairs'`` (ordered pairs of distinct nodes)."""
    size = len(orbits)
    found = np.full((size, size), -1, dtype=np.int64)
    pairs = list(itertools.combinations(range(nodes), 2))
    for mask in range(1 << len(pairs)):
        edges = [p for i, p in enumerate(pairs) if mask >> i & 1]
        chosen: list[int] | list[tuple[int, int]] = (
            list(range(nodes))
            if items == "nodes"
            else edges
            if items == "edges"
            else list(itertools.permutations(range(nodes), 2))
        )
        for item in chosen:
            j = orbit_fn(edges, nodes, item)
            if j is None:
                continue
            counts = np.zeros(size, dtype=np.int64)
            for r in range(1, len(edges) + 1):
                for sub in itertools.combinations(edges, r):
                    if items == "edges" and item not in sub:
                        continue
                    k = orbit_fn(list(sub), nodes, item)
                    if k is not None:
                        counts[k - orbits.start] += 1
            column = found[:, j - orbits.start]
            assert column[0] < 0 or np.array_equal(column, counts)
            found[:, j - orbits.start] = counts
    return found


def inverse(matrix: np.ndarray) -> list[list[int]]:
    """The integer inverse of a unitriangular integer matrix (checked exact)."""
    inv = np.linalg.inv(matrix.astype(np.float64))
    exact = np.rint(inv).astype(np.int64)
    assert np.array_equal(exact @ matrix, np.eye(len(matrix), dtype=np.int64))
    out: list[list[int]] = exact.tolist()
    return out


def solve(inverse_matrix: list[list[int]], counts: list[torch.Tensor]) -> list[torch.Tensor]:
    """``inverse_matrix @ counts`` with integer tensors (no integer matmul on every device)."""
    out = []
    for row in inverse_matrix:
        total = torch.zeros_like(counts[0])
        for coefficient, column in zip(row, counts, strict=True):
            if coefficient:
                total = total + coefficient * column
        out.append(total)
    return out
