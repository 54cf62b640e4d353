"""Strongly connected components."""

from __future__ import annotations

import torch

from neo4j_gml.core.graph import Graph

__all__ = ["BACKENDS", "strongly_connected_components"]

BACKENDS = ("auto", "torch", "scipy")


def strongly_connected_components(graph: Graph, *, backend: str = "auto") -> torch.Tensor:
    """Strongly connected component id of every node, following arcs in their stored direction.

    ``backend='auto'`` uses SciPy's linear-time ``csgraph.connected_components(connection=
    'strong')`` for a graph on the CPU and the torch path on CUDA (never a silent CPU fallback).

    Parameters
    ----------
    graph : Graph
        The graph; arcs are followed in its orientation.
    backend : str
        ``'auto'``, ``'torch'`` or ``'scipy'`` (CPU only).

    Returns
    -------
    torch.Tensor
        ``int64[n]``: on the torch path the id of a component is its largest position, with
        SciPy the label SciPy gives (ids are arbitrary in GDS too).

    Raises
    ------
    ValueError
        An unknown ``backend``, or ``'scipy'`` for a graph that is not on the CPU.

    Notes
    -----
    The torch path is forward-backward colouring: each round first trims nodes that have no
    remaining in- or out-arc (singleton components), then propagates the largest node position
    forward to a fixpoint, so every colour class is the set of nodes reachable from its root; a
    backward propagation from each root inside its class finds the root's component, which is
    removed. A round costs ``O(m * diameter)``; the number of rounds is at most the number of
    components left after trimming.

    References
    ----------
    S. Orzan, "On distributed verification and verified distribution", PhD thesis (2004);
    G. M. Slota, S. Rajamanickam, K. Madduri, "BFS and coloring-based parallel algorithms for
    strongly connected components", IPDPS 2014; GDS manual, Strongly Connected Components.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2, 2], [1, 0, 3, 4])  # 0 <-> 1, then 2 -> 3 and 2 -> 4
    >>> strongly_connected_components(g, backend="torch").tolist()
    [1, 1, 2, 3, 4]
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    n = graph.num_nodes
    if n == 0:
        return torch.zeros(0, dtype=torch.long, device=graph.device)
    if backend == "scipy" or (backend == "auto" and graph.device.type == "cpu"):
        if graph.device.type != "cpu":
            raise ValueError("backend 'scipy' needs the graph on the CPU")
        return _scc_scipy(graph)
    return _scc_torch(graph)


def _scc_scipy(graph: Graph) -> torch.Tensor:
    import numpy as np
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    n = graph.num_nodes
    mat = sp.csr_matrix(
        (np.ones(graph.num_arcs), graph.indices.numpy(), graph.indptr.numpy()), shape=(n, n)
    )
    mat.sum_duplicates()  # SciPy 1.17's strong components can loop forever on duplicates
    _, labels = connected_components(mat, directed=True, connection="strong")
    return torch.as_tensor(labels, dtype=torch.long)


def _scc_torch(graph: Graph) -> torch.Tensor:
    n = graph.num_nodes
    dev = graph.device
    src, dst = graph.sources(), graph.indices
    keep = src != dst
    src, dst = src[keep], dst[keep]
    comp = torch.full((n,), -1, dtype=torch.long, device=dev)
    pos = torch.arange(n, device=dev)
    while True:
        alive = comp < 0
        if not bool(alive.any()):
            return comp
        live = alive[src] & alive[dst]
        src, dst = src[live], dst[live]
        # trim: a node without a live in- or out-arc is a component of its own
        outs = torch.bincount(src, minlength=n)
        ins = torch.bincount(dst, minlength=n)
        trivial = alive & ((outs == 0) | (ins == 0))
        if bool(trivial.any()):
            comp[trivial] = pos[trivial]
            continue
        # forward colouring: the largest position that reaches a node
        colour = torch.where(alive, pos, -1)
        while True:
            nxt = colour.scatter_reduce(0, dst, colour[src], reduce="amax")
            if torch.equal(nxt, colour):
                break
            colour = nxt
        # backward reach from each root (colour == position) within its colour class
        found = alive & (colour == pos)
        same = colour[src] == colour[dst]
        s, d = src[same], dst[same]
        while True:
            nxt = found.clone()
            nxt[s[found[d]]] = True
            if torch.equal(nxt, found):
                break
            found = nxt
        comp[found] = colour[found]
