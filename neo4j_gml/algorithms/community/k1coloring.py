"""K-1 colouring: GDS's iterative speculative greedy colouring, vectorised on torch.

GDS (``gds.k1coloring``, after Çatalyürek et al.) repeats two steps over the nodes still to
colour: *colouring* gives every such node the smallest colour none of its neighbours has (the
nodes are split among threads, each walking its share in node order, so most nodes already see
the colours given a moment before); *validation* sends back a node that has a neighbour of the
same colour, one node of each conflicting pair. It stops when no node is sent back or after
``maxIterations`` rounds.

Here a colouring step walks the nodes to colour largest degree first (ties by position) in
``B`` batches of consecutive nodes of about equal arc volume, so a hub is coloured nearly alone
and low-degree nodes in large groups, and colours a whole batch at once against the colours
given before it; validation sends back the node that comes later in the walk. Up to 256 nodes
every node is its own batch: the sequential greedy colouring in that order (GDS's documented
example comes out as GDS prints it). Two differences from GDS, both for fewer colours: GDS walks
in node-id order and sends back the lower id; on the benchmark's power-law graph the walk by
degree gives NetworkX's ``largest_first`` count. A batch is a handful of kernels (a gather of
the neighbours' colours, a scatter into a ``batch x colours`` table and an ``argmin``), the same
on CPU and CUDA; a step is ``O(m + n c)`` work for ``c`` colours, validation one pass over the
arcs. On the CPU the same step and validation run compiled with numba (``O(m)`` a round, the
same colours: every batch is decided from the colours before it, then written).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import torch

from neo4j_gml.algorithms.community.metrics import undirected_arcs
from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.graph import Graph

__all__ = ["BACKENDS", "Coloring", "color_arcs", "k1_coloring"]

#: most cells of one batch's ``nodes x colours`` table; larger batches are split
_TABLE_CELLS = 1 << 24


@dataclass
class Coloring:
    """Result of :func:`k1_coloring`.

    Attributes
    ----------
    colors : torch.Tensor
        ``int64[n]`` colour per node, ``0..k-1``-ish (smallest colours first, gaps possible when
        a conflict was recoloured).
    ran_iterations : int
        Colouring rounds run (GDS's ``ranIterations``).
    did_converge : bool
        ``ran_iterations < max_iterations`` as GDS computes it: ``True`` when the colouring is
        valid before the last allowed round (see :func:`k1_coloring`).
    """

    colors: torch.Tensor
    ran_iterations: int
    did_converge: bool

    @property
    def color_count(self) -> int:
        """Number of distinct colours used (GDS's ``colorCount``)."""
        return int(torch.unique(self.colors).numel())


def _batches(k: int) -> int:
    """Batches per colouring step for ``k`` nodes to colour: one node a batch up to 256 nodes
    (the sequential greedy walk), then about one per 64 nodes, 256 to 1024 (a batch's fixed cost
    is a dozen kernel launches; fewer, larger batches speculate more)."""
    return k if k <= 256 else min(1024, max(256, k // 64))


def _csr(src: torch.Tensor, dst: torch.Tensor, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``(indptr, targets)`` of the arcs, self-loops dropped (a node never conflicts with
    itself, as GDS skips ``s == t``); no sort when the arcs come in source order already (a
    graph's CSR)."""
    keep = src != dst
    src, dst = src[keep], dst[keep]
    if src.numel() > 1 and not bool((src[1:] >= src[:-1]).all()):
        order = torch.argsort(src, stable=True)
        src, dst = src[order], dst[order]
    indptr = torch.zeros(n + 1, dtype=torch.long, device=src.device)
    indptr[1:] = torch.cumsum(torch.bincount(src, minlength=n), 0)
    return indptr, dst


def _arcs_of(
    nodes: torch.Tensor, indptr: torch.Tensor, targets: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(slot, target)`` of every arc leaving ``nodes``; ``slot`` is the node's index in
    ``nodes``."""
    starts, degree = indptr[nodes], indptr[nodes + 1] - indptr[nodes]
    slot = torch.repeat_interleave(torch.arange(nodes.numel(), device=nodes.device), degree)
    first = torch.cumsum(degree, 0) - degree
    arc = starts[slot] + torch.arange(slot.numel(), device=nodes.device) - first[slot]
    return slot, targets[arc]


def _color_batch(
    nodes: torch.Tensor, slot: torch.Tensor, target: torch.Tensor, colors: torch.Tensor
) -> None:
    """Give each of ``nodes`` the smallest colour none of its targets has now (in place);
    ``slot`` is the index in ``nodes`` of each arc's source."""
    k = nodes.numel()
    seen = colors[target]
    # the answer is at most the largest colour seen + 1: columns 0..width-1 hold the answer,
    # column ``width`` soaks up the neighbours without a colour yet
    width = int(seen.max()) + 2 if seen.numel() else 1
    column = torch.where(seen < 0, width, seen)
    step = max(1, _TABLE_CELLS // (width + 1))
    for lo in range(0, k, step):  # one chunk unless the table would be huge
        hi = min(k, lo + step)
        if lo == 0 and hi == k:
            cells = slot * (width + 1) + column
        else:
            part = (slot >= lo) & (slot < hi)
            cells = (slot[part] - lo) * (width + 1) + column[part]
        taken = torch.zeros((hi - lo) * (width + 1), dtype=torch.uint8, device=nodes.device)
        taken[cells] = 1
        colors[nodes[lo:hi]] = torch.argmin(taken.view(hi - lo, width + 1)[:, :width], dim=1)


def _split(degree: torch.Tensor, n_batches: int) -> torch.Tensor:
    """Batch of each node of a walk: consecutive runs of about equal arc volume (degree + 1), so a
    hub is coloured nearly alone and low-degree nodes in large groups; ``n_batches`` equal to
    the walk's length is one node a batch."""
    k = degree.numel()
    if n_batches >= k:
        return torch.arange(k, device=degree.device)
    volume = (degree + 1).to(torch.float64)
    before = torch.cumsum(volume, 0) - volume
    return (before * (n_batches / float(volume.sum()))).to(torch.long).clamp(max=n_batches - 1)


def _color_step(
    todo: torch.Tensor,
    indptr: torch.Tensor,
    targets: torch.Tensor,
    colors: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Colour ``todo`` (in walk order) batch after batch; returns its arcs ``(source, target)``."""
    dev = todo.device
    k = todo.numel()
    degree = indptr[todo + 1] - indptr[todo]
    n_batches = _batches(k)
    batch = _split(degree, n_batches)  # non-decreasing along the walk
    counts = torch.bincount(batch, minlength=n_batches)
    node_bounds = torch.cumsum(counts, 0)
    local = torch.arange(k, device=dev) - (node_bounds - counts)[batch]
    slot, target = _arcs_of(todo, indptr, targets)  # arcs in walk order: batches consecutive
    arc_bounds = torch.cumsum(torch.bincount(batch[slot], minlength=n_batches), 0)
    arc_local = local[slot]
    b0 = a0 = 0
    for b1, a1 in zip(node_bounds.tolist(), arc_bounds.tolist(), strict=True):
        if b1 > b0:
            checkpoint()
            _color_batch(todo[b0:b1], arc_local[a0:a1], target[a0:a1], colors)
        b0, a0 = b1, a1
    return todo[slot], target


BACKENDS = ("auto", "torch", "numba")


def _pick_backend(device: torch.device, backend: str) -> str:
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    if backend == "numba" and device.type != "cpu":
        raise ValueError("backend 'numba' needs the graph on the CPU")
    if backend == "auto":
        return "numba" if device.type == "cpu" else "torch"
    return backend


@numba.njit(nogil=True, cache=True)
def _color_batches(
    todo: np.ndarray,
    node_bounds: np.ndarray,
    indptr: np.ndarray,
    targets: np.ndarray,
    colors: np.ndarray,
    forbid: np.ndarray,
    buffer: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """The torch colouring step, compiled: each batch decided from the colours before it."""
    b0 = 0
    for b in range(node_bounds.shape[0]):
        b1 = node_bounds[b]
        for i in range(b0, b1):
            v = todo[i]
            mark = i + 1  # forbid[c] == mark: a neighbour of v has colour c
            for p in range(indptr[v], indptr[v + 1]):
                c = colors[targets[p]]
                if c >= 0:
                    forbid[c] = mark
            c = 0
            while forbid[c] == mark:
                c += 1
            buffer[i] = c
        for i in range(b0, b1):
            colors[todo[i]] = buffer[i]
        b0 = b1


@numba.njit(nogil=True, cache=True)
def _validate(
    todo: np.ndarray,
    indptr: np.ndarray,
    targets: np.ndarray,
    colors: np.ndarray,
    rank: np.ndarray,
    again: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Mark the nodes of ``todo`` with a same-coloured neighbour earlier in the walk."""
    for i in range(todo.shape[0]):
        v = todo[i]
        for p in range(indptr[v], indptr[v + 1]):
            u = targets[p]
            if colors[u] == colors[v] and rank[v] > rank[u]:
                again[v] = True
                break


def _rounds_numba(
    walk: torch.Tensor,
    rank: torch.Tensor,
    indptr: torch.Tensor,
    targets: torch.Tensor,
    colors: torch.Tensor,
    max_iterations: int,
) -> int:
    """The rounds of :func:`color_arcs` with the compiled step (CPU); fills ``colors`` and
    returns the rounds run."""
    n = walk.numel()
    ip, tg, rk, out = indptr.numpy(), targets.numpy(), rank.numpy(), colors.numpy()
    walk_np = walk.numpy()
    forbid = np.zeros(n + 2, dtype=np.int64)
    buffer = np.zeros(n, dtype=np.int64)
    todo = walk_np
    ran = 0
    while ran < max_iterations and todo.size > 0:
        checkpoint()
        degree = torch.from_numpy(ip[todo + 1] - ip[todo])
        batch = _split(degree, _batches(todo.size))
        bounds = torch.cumsum(torch.bincount(batch, minlength=_batches(todo.size)), 0).numpy()
        forbid[:] = 0
        _color_batches(todo, bounds, ip, tg, out, forbid, buffer)
        again = np.zeros(n, dtype=np.bool_)
        _validate(todo, ip, tg, out, rk, again)
        todo = walk_np[again[walk_np]]
        ran += 1
    return ran


def color_arcs(
    src: torch.Tensor,
    dst: torch.Tensor,
    n: int,
    *,
    max_iterations: int = 10,
    backend: str = "auto",
) -> Coloring:
    """K-1 colouring of the graph of a symmetric arc list (both directions of every edge).

    The engine of :func:`k1_coloring`, for callers that hold arcs already (modularity
    optimisation colours its graph with it).

    Parameters
    ----------
    src, dst : torch.Tensor
        ``int64[a]`` arcs, both directions present; self-loops are ignored.
    n : int
        Number of nodes.
    max_iterations : int
        Most colouring rounds (at least 1).
    backend : str
        ``'auto'`` (numba on the CPU, torch elsewhere), ``'torch'`` or ``'numba'``; both give
        the same colours.

    Returns
    -------
    Coloring
        Colours and run facts.

    Raises
    ------
    ValueError
        ``max_iterations`` below 1, an unknown ``backend``, or ``'numba'`` off the CPU.

    References
    ----------
    Ü. V. Çatalyürek, J. Feo, A. H. Gebremedhin, M. Halappanavar, A. Pothen, "Graph coloring
    algorithms for multi-core and massively multithreaded architectures", Parallel Computing
    38 (2012) 576-594; GDS manual, K-1 Coloring.

    Examples
    --------
    >>> src = torch.tensor([0, 1, 1, 2, 0, 2])
    >>> dst = torch.tensor([1, 0, 2, 1, 2, 0])  # a triangle
    >>> color_arcs(src, dst, 3).colors.tolist()
    [0, 1, 2]
    """
    if max_iterations < 1:
        raise ValueError(f"max_iterations must be at least 1, got {max_iterations}")
    dev = src.device
    colors = torch.full((n,), -1, dtype=torch.long, device=dev)
    if n == 0:
        return Coloring(colors, 0, True)
    indptr, targets = _csr(src, dst, n)
    # the walk: largest degree first, ties by position; rank = place in the walk
    walk = torch.argsort(indptr[:-1] - indptr[1:], stable=True)
    rank = torch.empty_like(walk)
    rank[walk] = torch.arange(n, device=dev)
    if _pick_backend(dev, backend) == "numba":
        ran = _rounds_numba(walk, rank, indptr, targets, colors, max_iterations)
        return Coloring(colors, ran, ran < max_iterations)
    todo = walk
    ran = 0
    while ran < max_iterations and todo.numel() > 0:
        checkpoint()
        source, target = _color_step(todo, indptr, targets, colors)
        # validation: of two neighbours with one colour, the later in the walk goes back
        clash = (colors[source] == colors[target]) & (rank[source] > rank[target])
        again = torch.zeros(n, dtype=torch.bool, device=dev)
        again[source[clash]] = True
        todo = walk[again[walk]]
        ran += 1
    return Coloring(colors, ran, ran < max_iterations)


def k1_coloring(graph: Graph, *, max_iterations: int = 10, backend: str = "auto") -> Coloring:
    """K-1 colouring, as GDS's ``gds.k1coloring``: few colours, no two neighbours alike.

    Colours the undirected view of ``graph`` (a ``NATURAL``/``REVERSE`` graph's arcs count in
    both directions, which is where GDS's out-arc colouring and validation also end up: a
    conflict along an arc is seen by its source). Each round colours the nodes still to colour
    greedily with the smallest colour their neighbours lack, then sends back, of every edge
    whose two ends got the same colour, the end later in the walk (see the module docstring
    for the walk, its batches and how they differ from GDS's threads). Self-loops are ignored,
    as in GDS.

    Parameters
    ----------
    graph : Graph
        Any orientation; weights are ignored.
    max_iterations : int
        Most rounds (GDS's ``maxIterations``, default 10).
    backend : str
        ``'auto'`` (numba on the CPU, torch elsewhere), ``'torch'`` or ``'numba'``; both give
        the same colours (module docstring).

    Returns
    -------
    Coloring
        ``colors``, ``ran_iterations``, ``did_converge`` and ``color_count``.

    Raises
    ------
    ValueError
        ``max_iterations`` below 1, an unknown ``backend``, or ``'numba'`` off the CPU.

    Notes
    -----
    As in GDS, ``did_converge`` is ``ran_iterations < max_iterations``: a colouring that needed
    exactly ``max_iterations`` rounds is valid but reported as not converged; when it is
    ``False`` some edges may still join equal colours. At most ``max degree + 1`` colours.
    Time ``O(m + n c)`` per round for ``c`` colours (torch; ``O(m)`` with numba), plus one
    ``O(m log m)`` sort of the arcs of a graph not stored by source.

    References
    ----------
    Ü. V. Çatalyürek, J. Feo, A. H. Gebremedhin, M. Halappanavar, A. Pothen, "Graph coloring
    algorithms for multi-core and massively multithreaded architectures", Parallel Computing
    38 (2012) 576-594; GDS manual, K-1 Coloring.

    Examples
    --------
    >>> g = Graph.from_edges([0, 0, 0, 1], [1, 2, 3, 2], orientation="UNDIRECTED")
    >>> r = k1_coloring(g)  # GDS's documentation example
    >>> r.colors.tolist(), r.color_count, r.ran_iterations, r.did_converge
    ([0, 1, 2, 1], 3, 1, True)
    """
    src, dst, _ = undirected_arcs(graph, weighted=False)
    return color_arcs(src, dst, graph.num_nodes, max_iterations=max_iterations, backend=backend)
