"""Delta-stepping shortest paths from one or many sources, in device-agnostic torch (the same
code runs on CPU and CUDA tensors), as GDS's ``gds.allShortestPaths.delta`` computes them.

Nodes sit in buckets of width ``delta`` by tentative distance (bucket ``floor(d / delta)``, as
GDS's ``(int) (newDist / delta)``). The smallest bucket holding a node whose distance improved
since it was last relaxed is processed as a frontier tensor: all its such nodes relax all
their arcs at once, every target takes its cheapest candidate (``scatter_reduce`` with
``amin``) when strictly cheaper than its distance, and the targets that improved join the
pending set; the bucket is repeated until it has no pending node. With several sources the
``[s, n]`` state is processed together, each source at its own bucket.

Costs equal Dijkstra's **exactly** (not just within a tolerance): with non-negative weights
any label-correcting order converges to the same float64 fixed point, the least over paths of
the left-to-right sums of the weights (float addition is monotone), which is what Dijkstra
computes. Predecessors: a node keeps the source of the strict improvement that gave it its
final distance; among arcs giving the same candidate in one step, the smallest position. GDS
relaxes on ``concurrency`` threads, so which of equal-cost predecessors it keeps is not fixed
there; on its documented example both agree (``D`` via ``B``).

Rows (``DeltaStepping.pathResults``): one per node with a predecessor, i.e. every reached
node, the source included (``[source]``, ``[0.0]``), in ascending node order; ``index``
counts them from 0 with ``concurrency = 1`` (with more, partitions of the node range are
streamed in parallel: the order between partitions varies and each partition's indices start
at the number of nodes, not rows, before it). Each row's path is read back along the
predecessors with the nodes' distances as ``costs``. :func:`delta_stepping` returns that as a
:class:`~neo4j_gml.algorithms.paths.dijkstra.ShortestPaths` whose ``settled`` is the row
order, so :func:`~neo4j_gml.algorithms.paths.dijkstra.path_to` rebuilds each row.

Time ``O(n m)`` at worst, about ``O(m + n * rounds)`` on graphs with a good ``delta``;
memory ``O(s (n + m))`` for ``s`` sources.

References
----------
U. Meyer, P. Sanders, "Delta-stepping: a parallelizable shortest path algorithm", Journal of
Algorithms 49 (2003) 114-152.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from neo4j_gml.algorithms.paths.dijkstra import ShortestPaths
from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.graph import Graph

__all__ = ["delta_stepping", "multi_source_delta_stepping"]


def delta_stepping(graph: Graph, source: int, *, delta: float = 2.0) -> ShortestPaths:
    """Shortest paths from ``source`` by delta-stepping (GDS's ``allShortestPaths.delta``).

    Parameters
    ----------
    graph : Graph
        The graph; its weights (or 1 per arc) must be finite and non-negative.
    source : int
        Position of the start node.
    delta : float
        Bucket width, greater than 0 (GDS's default 2.0). It changes the work done and which
        of equal-cost predecessors is kept, never the costs.

    Returns
    -------
    ShortestPaths
        Costs (``inf``: unreached), predecessors (``-1`` for the source and unreached nodes),
        and as ``settled`` the reached nodes in GDS's row order (ascending positions), as
        numpy arrays on the CPU.

    Raises
    ------
    ValueError
        ``source`` outside ``0..n-1``, ``delta <= 0``, or a negative or non-finite weight.

    References
    ----------
    U. Meyer, P. Sanders, "Delta-stepping: a parallelizable shortest path algorithm",
    Journal of Algorithms 49 (2003) 114-152.

    Examples
    --------
    GDS's documented example (A..F):

    >>> from neo4j_gml.algorithms.paths.dijkstra import path_to
    >>> g = Graph.from_edges([0, 0, 0, 1, 2, 2, 3, 3, 4], [1, 2, 3, 3, 3, 4, 4, 5, 5],
    ...                      [50, 50, 100, 40, 40, 80, 30, 80, 40])
    >>> found = delta_stepping(g, 0)
    >>> found.cost.tolist(), path_to(found, 5)
    ([0.0, 50.0, 50.0, 90.0, 120.0, 160.0], ([0, 1, 3, 4, 5], [0.0, 50.0, 90.0, 120.0, 160.0]))
    """
    cost, predecessor = multi_source_delta_stepping(graph, [source], delta=delta)
    cost_np = cost[0].cpu().numpy()
    reached = np.flatnonzero(np.isfinite(cost_np)).astype(np.int64)
    return ShortestPaths(source, cost_np, predecessor[0].cpu().numpy(), reached)


def multi_source_delta_stepping(
    graph: Graph, sources: Sequence[int] | torch.Tensor, *, delta: float = 2.0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Delta-stepping from several sources at once, on the graph's device.

    Parameters
    ----------
    graph : Graph
        The graph (CPU or CUDA); weights (or 1 per arc) finite and non-negative.
    sources : Sequence[int] or torch.Tensor
        ``s`` start positions (repeats allowed).
    delta : float
        Bucket width, greater than 0.

    Returns
    -------
    tuple[torch.Tensor, torch.Tensor]
        ``float64[s, n]`` costs (``inf``: unreached) and ``int64[s, n]`` predecessors (``-1``
        for each source and unreached nodes), row ``i`` for ``sources[i]``, each equal to
        :func:`delta_stepping` from that source.

    Raises
    ------
    ValueError
        A source outside ``0..n-1``, ``delta <= 0``, or a negative or non-finite weight.

    References
    ----------
    U. Meyer, P. Sanders, "Delta-stepping: a parallelizable shortest path algorithm",
    Journal of Algorithms 49 (2003) 114-152.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2], [1, 2, 0], [1.0, 2.0, 4.0])
    >>> cost, pred = multi_source_delta_stepping(g, [0, 2], delta=1.0)
    >>> cost.tolist(), pred.tolist()
    ([[0.0, 1.0, 3.0], [4.0, 5.0, 0.0]], [[-1, 0, 1], [2, 0, -1]])
    """
    n = graph.num_nodes
    if not delta > 0:
        raise ValueError(f"delta must be greater than 0, got {delta}")
    device = graph.indptr.device
    src = torch.as_tensor(sources, dtype=torch.long).reshape(-1).to(device)
    if src.numel() and (int(src.min()) < 0 or int(src.max()) >= n):
        raise ValueError(f"sources must be node positions in [0, {n})")
    indptr, indices = graph.indptr.to(torch.long), graph.indices.to(torch.long)
    if graph.weights is None:
        weights = torch.ones(indices.numel(), dtype=torch.float64, device=device)
    else:
        weights = graph.weights.to(torch.float64)
        if weights.numel() and (
            not bool(torch.isfinite(weights).all()) or float(weights.min()) < 0
        ):
            raise ValueError("delta-stepping needs finite, non-negative relationship weights")
    s = src.numel()
    rows = torch.arange(s, device=device)
    cost = torch.full((s, n), float("inf"), dtype=torch.float64, device=device)
    predecessor = torch.full((s, n), -1, dtype=torch.long, device=device)
    pending = torch.zeros((s, n), dtype=torch.bool, device=device)
    cost[rows, src] = 0.0
    pending[rows, src] = True
    degree = indptr[1:] - indptr[:-1]
    flat_cost, flat_pred = cost.view(-1), predecessor.view(-1)
    while True:
        checkpoint()
        # each source's current bucket: the smallest bucket of its pending nodes
        bucket = torch.where(pending, torch.floor(cost / delta), float("inf"))
        current = bucket.min(dim=1, keepdim=True).values
        frontier = pending & (bucket == current)
        if not bool(frontier.any()):
            break
        pending &= ~frontier
        row, node = frontier.nonzero(as_tuple=True)
        counts = degree[node]
        total = int(counts.sum())
        if total == 0:
            continue
        first_arc = indptr[node] - torch.cumsum(counts, 0) + counts
        arcs = torch.repeat_interleave(first_arc, counts) + torch.arange(total, device=device)
        from_flat = torch.repeat_interleave(row * n + node, counts)
        to_flat = torch.repeat_interleave(row, counts) * n + indices[arcs]
        candidate = flat_cost[from_flat] + weights[arcs]
        best = torch.full_like(flat_cost, float("inf"))
        best.scatter_reduce_(0, to_flat, candidate, reduce="amin")
        wins = (candidate == best[to_flat]) & (candidate < flat_cost[to_flat])
        if not bool(wins.any()):
            continue
        from_node = torch.remainder(from_flat[wins], n)
        chosen = torch.full_like(flat_pred, n)
        chosen.scatter_reduce_(0, to_flat[wins], from_node, reduce="amin")
        improved = chosen < n
        flat_cost[improved] = best[improved]
        flat_pred[improved] = chosen[improved]
        pending.view(-1)[improved] = True
    return cost, predecessor
