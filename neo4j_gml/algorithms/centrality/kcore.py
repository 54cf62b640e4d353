"""K-core decomposition: the core number of every node."""

from __future__ import annotations

import torch

from neo4j_gml.algorithms.centrality._undirected import arcs_of, undirected_csr
from neo4j_gml.core.graph import Graph

__all__ = ["core_numbers"]


def core_numbers(graph: Graph) -> torch.Tensor:
    """Core number of every node, as ``gds.kcore``'s ``coreValue``.

    The core number is the largest ``k`` such that the node belongs to a subgraph in which every
    node has degree at least ``k``.

    Parameters
    ----------
    graph : Graph
        The graph; directions are ignored (a directed graph is read as undirected) and parallel
        relationships count in the degree (multigraph degree).

    Returns
    -------
    torch.Tensor
        ``int64[n]`` core number of every node.

    Notes
    -----
    Parallel peeling (Batagelj-Zaversnik by rounds): with ``k`` the smallest remaining degree,
    all remaining nodes of degree ``<= k`` are removed at once, their neighbours' degrees drop,
    and this repeats; a removed node's core number is the ``k`` of its round. As in GDS, a
    self-loop adds 2 to its node's starting degree (its two arcs) but is never peeled off, so it
    can raise that node's core value; ``nx.core_number`` refuses self-loops. Equals
    ``nx.core_number`` on simple graphs.

    Time ``O(rounds * n + m)``, memory ``O(n + m)``.

    References
    ----------
    V. Batagelj and M. Zaversnik, "An O(m) algorithm for cores decomposition of networks"
    (2003); GDS manual, K-Core Decomposition.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2, 2], [1, 2, 0, 3], orientation="UNDIRECTED")
    >>> core_numbers(g).tolist()  # a triangle with a pendant node
    [2, 2, 2, 1]
    """
    n, dev = graph.num_nodes, graph.device
    indptr, _, dst = undirected_csr(graph)
    degree = indptr[1:] - indptr[:-1]
    # GDS starts from graph.degree, which counts self-loop arcs (twice when undirected)
    src_all = graph.sources()
    loops = src_all[src_all == graph.indices]
    per_loop = 1 if graph.orientation == "UNDIRECTED" else 2
    degree = degree + torch.bincount(loops, minlength=n) * per_loop
    core = torch.zeros(n, dtype=torch.long, device=dev)
    alive = torch.ones(n, dtype=torch.bool, device=dev)
    k = 0
    remaining = n
    while remaining:
        k = max(k, int(degree[alive].min()))
        while True:
            peel = torch.nonzero(alive & (degree <= k)).reshape(-1)
            if peel.numel() == 0:
                break
            core[peel] = k
            alive[peel] = False
            remaining -= peel.numel()
            targets = dst[arcs_of(indptr, peel)]
            degree.index_add_(0, targets, torch.full_like(targets, -1))
    return core
