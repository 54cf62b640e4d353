"""Articulation points and bridges from one BFS spanning forest (Tarjan-Vishkin style)."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from neo4j_gml.algorithms.centrality._undirected import arcs_of, undirected_csr
from neo4j_gml.algorithms.community.wcc import weakly_connected_components
from neo4j_gml.core.graph import Graph

__all__ = ["articulation_points", "bridges"]


@dataclass
class _Forest:
    src: torch.Tensor  # arcs, both directions, no self-loops
    dst: torch.Tensor
    indptr: torch.Tensor
    parent: torch.Tensor  # -1 for roots
    levels: list[torch.Tensor]  # nodes by BFS depth
    pre: torch.Tensor  # preorder-like number: each subtree is [pre, pre + size)
    size: torch.Tensor  # subtree sizes


def _forest(graph: Graph) -> _Forest:
    """A BFS spanning forest, subtree sizes and interval numbering, all level-synchronous."""
    n, dev = graph.num_nodes, graph.device
    indptr, src, dst = undirected_csr(graph)
    comp = weakly_connected_components(graph)
    roots = torch.nonzero(comp == torch.arange(n, device=dev)).reshape(-1)
    depth = torch.full((n,), -1, dtype=torch.long, device=dev)
    parent = torch.full((n,), -1, dtype=torch.long, device=dev)
    depth[roots] = 0
    levels = [roots]
    frontier = roots
    big = torch.iinfo(torch.long).max
    while frontier.numel():
        arcs = arcs_of(indptr, frontier)
        arcs = arcs[depth[dst[arcs]] < 0]
        if arcs.numel() == 0:
            break
        first = torch.full((n,), big, dtype=torch.long, device=dev)
        first.scatter_reduce_(0, dst[arcs], arcs, reduce="amin")
        new = torch.unique(dst[arcs])
        parent[new] = src[first[new]]
        depth[new] = len(levels)
        levels.append(new)
        frontier = new
    size = torch.ones(n, dtype=torch.long, device=dev)
    for level in reversed(levels[1:]):
        size.index_add_(0, parent[level], size[level])
    pre = torch.zeros(n, dtype=torch.long, device=dev)
    pre[roots] = torch.cumsum(size[roots], 0) - size[roots]
    for level in levels[1:]:
        order = torch.argsort(parent[level], stable=True)
        kids = level[order]
        before = torch.cumsum(size[kids], 0) - size[kids]
        group_start = torch.full((n,), big, dtype=torch.long, device=dev)
        group_start.scatter_reduce_(0, parent[kids], before, reduce="amin")
        pre[kids] = pre[parent[kids]] + 1 + before - group_start[parent[kids]]
    return _Forest(src, dst, indptr, parent, levels, pre, size)


def _subtree_reach(f: _Forest, skip: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Smallest and largest ``pre`` seen from each subtree over arcs not in ``skip``."""
    low, high = f.pre.clone(), f.pre.clone()
    keep = ~skip
    low.scatter_reduce_(0, f.src[keep], f.pre[f.dst[keep]], reduce="amin")
    high.scatter_reduce_(0, f.src[keep], f.pre[f.dst[keep]], reduce="amax")
    for level in reversed(f.levels[1:]):
        low.scatter_reduce_(0, f.parent[level], low[level], reduce="amin")
        high.scatter_reduce_(0, f.parent[level], high[level], reduce="amax")
    return low, high


def articulation_points(graph: Graph) -> torch.Tensor:
    """Nodes whose removal disconnects their component, as GDS's ``gds.articulationPoints``.

    Parameters
    ----------
    graph : Graph
        The graph; directions, self-loops and parallel relationships are ignored.

    Returns
    -------
    torch.Tensor
        ``bool[n]``: ``True`` for the articulation points. Same set as
        ``nx.articulation_points``.

    Notes
    -----
    Tarjan-Vishkin on a BFS spanning forest with subtree intervals ``[pre, pre + size)``: the
    tree edges (each named by its child node) are joined (1) across every non-tree relationship
    whose ends are not ancestor and descendant, and (2) child to parent edge whenever the child's
    subtree has a relationship leaving the parent's subtree. The connected components of that
    auxiliary graph are the biconnected components, and a node is an articulation point iff the
    tree edges touching it lie in two or more of them.

    Time ``O(n + m)`` work over ``O(depth)`` rounds plus one connected-components run, memory
    ``O(n + m)``.

    References
    ----------
    R. E. Tarjan and U. Vishkin, "An efficient parallel biconnectivity algorithm", SIAM Journal
    on Computing 14 (1985); GDS manual, Articulation Points.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2], [1, 2, 3], orientation="UNDIRECTED")  # a path
    >>> articulation_points(g).tolist()
    [False, True, True, False]
    """
    n, dev = graph.num_nodes, graph.device
    result = torch.zeros(n, dtype=torch.bool, device=dev)
    if n == 0:
        return result
    f = _forest(graph)
    low, high = _subtree_reach(f, torch.zeros_like(f.src, dtype=torch.bool))
    pu, pw = f.pre[f.src], f.pre[f.dst]
    unrelated = (pu < pw) & (pw >= pu + f.size[f.src])  # dst is no descendant of src
    join_a, join_b = [f.src[unrelated]], [f.dst[unrelated]]
    child = torch.nonzero(f.parent >= 0).reshape(-1)
    v = f.parent[child]
    inner = f.parent[v] >= 0
    child, v = child[inner], v[inner]
    escapes = (low[child] < f.pre[v]) | (high[child] >= f.pre[v] + f.size[v])
    join_a.append(child[escapes])
    join_b.append(v[escapes])
    aux = Graph.from_edges(torch.cat(join_a).cpu(), torch.cat(join_b).cpu(), num_nodes=n).to(dev)
    block = weakly_connected_components(aux)
    kids = torch.nonzero(f.parent >= 0).reshape(-1)
    parents = f.parent[kids]
    # a non-root node is cut when a child edge lies in another block than its own parent edge
    differs = (f.parent[parents] >= 0) & (block[kids] != block[parents])
    result[parents[differs]] = True
    # a root is cut when its child edges lie in two or more blocks
    at_root = f.parent[parents] < 0
    big = torch.iinfo(torch.long).max
    lowest = torch.full((n,), big, dtype=torch.long, device=dev)
    lowest.scatter_reduce_(0, parents[at_root], block[kids[at_root]], reduce="amin")
    highest = torch.full((n,), -1, dtype=torch.long, device=dev)
    highest.scatter_reduce_(0, parents[at_root], block[kids[at_root]], reduce="amax")
    roots = f.parent < 0
    result[roots] = (highest[roots] >= 0) & (highest[roots] != lowest[roots])
    return result


def bridges(graph: Graph) -> tuple[torch.Tensor, torch.Tensor]:
    """The bridges: relationships whose removal disconnects their component (``gds.bridges``).

    A tree edge ``(p, c)`` of the BFS forest is a bridge iff no arc other than that one tree arc
    leaves the subtree of ``c``; a parallel relationship therefore makes it no bridge.

    Parameters
    ----------
    graph : Graph
        The graph; directions and self-loops are ignored.

    Returns
    -------
    tuple of torch.Tensor
        ``(source, target)``: ``int64`` positions of each bridge, once, as ``(parent, child)`` of
        the BFS forest. Same set as ``nx.bridges`` on simple graphs.

    Notes
    -----
    Time and memory as :func:`articulation_points`.

    References
    ----------
    R. E. Tarjan and U. Vishkin, "An efficient parallel biconnectivity algorithm", SIAM Journal
    on Computing 14 (1985); GDS manual, Bridges.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2, 2], [1, 2, 0, 3], orientation="UNDIRECTED")
    >>> source, target = bridges(g)  # the triangle's edges are no bridges
    >>> source.tolist(), target.tolist()
    ([2], [3])
    """
    dev = graph.device
    none = torch.zeros(0, dtype=torch.long, device=dev)
    n = graph.num_nodes
    if n == 0:
        return none, none
    f = _forest(graph)
    m = f.src.numel()
    to_parent = f.dst == f.parent[f.src]
    tree_arc = torch.full((n,), m, dtype=torch.long, device=dev)
    arc_ids = torch.arange(m, device=dev)
    tree_arc.scatter_reduce_(0, f.src[to_parent], arc_ids[to_parent], reduce="amin")
    skip = torch.zeros(m, dtype=torch.bool, device=dev)
    has = tree_arc < m
    skip[tree_arc[has]] = True
    low, high = _subtree_reach(f, skip)
    child = torch.nonzero((f.parent >= 0) & (low >= f.pre) & (high < f.pre + f.size)).reshape(-1)
    return f.parent[child], child
