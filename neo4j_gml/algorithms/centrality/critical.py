"""Attack-aware critical nodes: the nodes an attacker who may perturb the features of only
``budget`` nodes would pick against a graph neural network (Ma, Ding and Mei, "Towards more
practical adversarial attacks on graph neural networks", NeurIPS 2020).

A GNN of ``L`` layers mixes every node's input with those of the nodes an ``L``-step random
walk reaches; ``M = P^L`` with ``P = D^-1 (A + I)`` (the walk that may stay) says how much node
``j``'s features reach node ``i``. Two scores:

* **RWCS**, the random-walk column sum ``sum_i M[i, j]``: how much of the graph ``j`` reaches;
  its top ``budget`` nodes;
* **GC-RWCS**, greedily corrected for diminishing returns: ``i`` counts as influenced by ``j``
  when ``j`` is among the ``top`` strongest entries of row ``i`` of ``M``; nodes are picked one
  at a time, each maximising the number of nodes it influences that fewer than ``coverage``
  earlier picks influence (greedy maximum coverage), so another node in an already attacked
  neighbourhood adds little.

``M`` is built row block by row block (``rows x n`` dense per block), so memory stays bounded;
the column sums need only ``L`` vector products.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from neo4j_gml.algorithms.community.triangles import simple_edges
from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.errors import ParameterError
from neo4j_gml.core.graph import Graph

__all__ = ["METHODS", "CriticalNodes", "critical_nodes"]

METHODS = ("GC_RWCS", "RWCS")
_BLOCK = 1 << 24  # entries of M held at once


@dataclass
class CriticalNodes:
    """The chosen node positions in order, and each one's score when chosen (RWCS: its column
    sum; GC-RWCS: the nodes it newly influences)."""

    nodes: torch.Tensor
    scores: torch.Tensor


def _walk_matrix(graph: Graph) -> torch.Tensor:
    """``P^T`` as a sparse matrix: ``P = D^-1 (A + I)`` on the simple undirected graph."""
    n = graph.num_nodes
    u, v = simple_edges(graph)
    loops = torch.arange(n, device=u.device)
    src = torch.cat([u, v, loops])
    dst = torch.cat([v, u, loops])
    degree = torch.bincount(src, minlength=n).to(torch.float32)
    values = 1.0 / degree[src]
    return torch.sparse_coo_tensor(
        torch.stack([dst, src]), values, (n, n), check_invariants=False
    ).coalesce()


def _tie_broken(rows: torch.Tensor) -> torch.Tensor:
    """Row entries rounded to 2^-20 (equal walk probabilities summed in another order stay
    equal) with ties broken towards the smaller position: a deterministic top-``k``."""
    n = rows.shape[1]
    order = torch.arange(n - 1, -1, -1, dtype=torch.float64, device=rows.device)
    return torch.round(rows.to(torch.float64) * 2.0**20) * n + order


def critical_nodes(
    graph: Graph,
    budget: int,
    *,
    method: str = "GC_RWCS",
    steps: int = 2,
    top: int = 10,
    coverage: int = 1,
) -> CriticalNodes:
    """The ``budget`` nodes whose feature perturbation would reach a GNN's predictions most.

    Parameters
    ----------
    graph : Graph
        Any orientation; read as the simple undirected graph.
    budget : int
        Nodes to pick (at most ``n``).
    method : str
        ``GC_RWCS`` (default) or ``RWCS``.
    steps : int
        ``L``, the random walk's length (the GNN's layers).
    top : int
        GC-RWCS: a node counts as influenced by the ``top`` strongest entries of its row.
    coverage : int
        GC-RWCS: picks that may influence a node before it stops counting (1: plain maximum
        coverage).

    Returns
    -------
    CriticalNodes
        Positions in the order chosen, with their scores.

    Raises
    ------
    ParameterError
        An unknown method, or a budget, steps or top below 1.

    References
    ----------
    J. Ma, S. Ding and Q. Mei, "Towards more practical adversarial attacks on graph neural
    networks", NeurIPS 2020 (RWCS, GC-RWCS).

    Examples
    --------
    >>> # two stars joined at their centres (0 and 5): the centres reach the most
    >>> g = Graph.from_edges([0, 0, 0, 0, 5, 5, 5, 5, 0], [1, 2, 3, 4, 6, 7, 8, 9, 5])
    >>> sorted(critical_nodes(g, 2, method="RWCS").nodes.tolist())
    [0, 5]
    >>> sorted(critical_nodes(g, 2, top=3).nodes.tolist())  # one per star
    [0, 5]
    """
    method = str(method).upper()
    if method not in METHODS:
        raise ParameterError("method", f"must be one of {', '.join(METHODS)}, got {method!r}")
    for name, value in (("budget", budget), ("steps", steps), ("top", top), ("coverage", coverage)):
        if value < 1:
            raise ParameterError(name, f"must be at least 1, got {value}")
    n = graph.num_nodes
    budget = min(budget, n)
    dev = graph.device
    if n == 0:
        empty = torch.zeros(0, dtype=torch.long, device=dev)
        return CriticalNodes(empty, empty.to(torch.float64))
    pt = _walk_matrix(graph)  # P^T
    if method == "RWCS":
        column = torch.ones(n, 1, dtype=torch.float32, device=dev)
        for _ in range(steps):  # 1^T P^L, one product per step: (P^T)^L 1
            checkpoint()
            column = torch.sparse.mm(pt, column)
        scores = column.reshape(-1).to(torch.float64)
        best = torch.topk(scores, budget)
        return CriticalNodes(best.indices, best.values)
    # rows i of M = P^L in blocks: e_i^T P^L, i.e. (P^T)^L e_i as columns
    width = min(top, n)
    tops = torch.empty((n, width), dtype=torch.long, device=dev)
    rows = max(1, _BLOCK // n)
    for lo in range(0, n, rows):
        checkpoint()  # a cancelled call stops between row blocks
        hi = min(lo + rows, n)
        block = torch.zeros((n, hi - lo), dtype=torch.float32, device=dev)
        block[torch.arange(lo, hi, device=dev), torch.arange(hi - lo, device=dev)] = 1.0
        for _ in range(steps):
            block = torch.sparse.mm(pt, block)
        tops[lo:hi] = torch.topk(_tie_broken(block.t()), width, dim=1).indices
    # greedy maximum coverage: count[j] = uncovered rows with j among their top entries
    count = torch.bincount(tops.reshape(-1), minlength=n).to(torch.float64)
    times = torch.zeros(n, dtype=torch.long, device=dev)  # picks among each row's top entries
    chosen, gains = [], []
    taken = torch.zeros(n, dtype=torch.bool, device=dev)
    for _ in range(budget):
        checkpoint()
        masked = count.masked_fill(taken, -1.0)
        j = int(torch.argmax(masked).item())
        chosen.append(j)
        gains.append(float(masked[j].item()))
        taken[j] = True
        hit = (tops == j).any(dim=1) & (times < coverage)
        times += hit.to(torch.long)
        saturated = hit & (times >= coverage)  # rows that stop counting
        if saturated.any():
            count -= torch.bincount(tops[saturated].reshape(-1), minlength=n).to(torch.float64)
    return CriticalNodes(
        torch.tensor(chosen, dtype=torch.long, device=dev),
        torch.tensor(gains, dtype=torch.float64, device=dev),
    )
