"""Label propagation."""

from __future__ import annotations

import torch

from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.graph import Graph

__all__ = ["label_propagation"]


def label_propagation(
    graph: Graph,
    *,
    weighted: bool = False,
    max_iterations: int = 10,
    seeds: torch.Tensor | None = None,
    node_weights: torch.Tensor | None = None,
) -> tuple[torch.Tensor, int, bool]:
    """Label propagation, synchronous and deterministic, as GDS's ``gds.labelPropagation``.

    Every node starts with its own label: its Neo4j id, as in GDS, or its seed value
    (``seeds``, ``NaN`` = unseeded; an unseeded node gets the largest seed + 1 + its Neo4j id,
    as GDS's ``InitStep`` gives it). In each iteration every node, at once, adopts the label
    with the largest vote among the nodes its arcs point to (out-neighbours in the projection's
    orientation; all neighbours when ``UNDIRECTED``). A vote is the arc weight (1 unweighted) times the neighbour's
    ``node_weights`` value (1 if none).

    Parameters
    ----------
    graph : Graph
        The graph; votes come along its arcs in its orientation.
    weighted : bool
        Use the relationship weights as votes.
    max_iterations : int
        Most iterations.
    seeds : torch.Tensor or None
        ``float64[n]`` initial labels (GDS's ``seedProperty``), ``NaN`` for none.
    node_weights : torch.Tensor or None
        ``float64[n]`` weight of every node's vote (GDS's ``nodeWeightProperty``).

    Returns
    -------
    tuple
        ``(labels int64[n], ran_iterations, did_converge)``.

    Notes
    -----
    **Ties**: a node keeps its current label if that label is among the best; otherwise it
    takes the smallest tied label. A node without out-arcs keeps its label. The first iteration
    updates every node at once; later ones let a pseudo-random half of the nodes (fixed seed, so
    runs repeat) adopt their best label, which breaks the label swaps that make fully
    synchronous propagation oscillate (e.g. two nodes linked only to each other). Stops when no
    node would change its label (``did_converge``) or after ``max_iterations``.

    Each iteration is ``O(m log m)`` (one sort of the (node, label) votes).

    References
    ----------
    U. N. Raghavan, R. Albert, S. Kumara, "Near linear time algorithm to detect community
    structures in large-scale networks", Phys. Rev. E 76, 036106 (2007); GDS manual, Label
    Propagation.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2, 3, 4, 5, 2], [1, 2, 0, 4, 5, 3, 3],
    ...                      orientation="UNDIRECTED")  # two triangles joined by 2 - 3
    >>> labels, ran, converged = label_propagation(g)
    >>> labels.tolist(), converged
    ([0, 0, 0, 3, 3, 3], True)
    """
    n = graph.num_nodes
    dev = graph.device
    if seeds is None:
        labels = graph.node_ids.clone().to(torch.long)
    else:
        seeds = seeds.to(dev, torch.float64)
        seeded = ~torch.isnan(seeds)
        top = float(seeds[seeded].max().item()) if bool(seeded.any()) else -1.0
        fresh = top + 1 + graph.node_ids.to(dev, torch.float64)
        labels = torch.where(seeded, seeds, fresh).to(torch.long)
    if n == 0 or graph.num_arcs == 0:
        return labels, 0, True
    src, dst = graph.sources(), graph.indices
    vote = graph.arc_weights() if weighted else torch.ones(graph.num_arcs, device=dev).double()
    if node_weights is not None:
        vote = vote * node_weights.to(dev, torch.float64)[dst]
    gen = torch.Generator(device=dev)
    gen.manual_seed(0)
    ran = 0
    for _ in range(max_iterations):
        checkpoint()
        ran += 1
        uniq_labels, dense = torch.unique(labels, return_inverse=True)
        k = uniq_labels.numel()
        pairs, inv = torch.unique(src * k + dense[dst], return_inverse=True)
        score = torch.zeros(pairs.numel(), dtype=torch.float64, device=dev).index_add_(0, inv, vote)
        node, lab = pairs // k, pairs % k
        best = torch.full((n,), float("-inf"), dtype=torch.float64, device=dev)
        best = best.scatter_reduce(0, node, score, reduce="amax")
        is_top = score == best[node]
        keeps = torch.zeros(n, dtype=torch.bool, device=dev)
        keeps[node[is_top & (lab == dense[node])]] = True
        smallest = torch.full((n,), k, dtype=torch.long, device=dev)
        smallest = smallest.scatter_reduce(0, node[is_top], lab[is_top], reduce="amin")
        new_dense = torch.where(keeps | (smallest == k), dense, smallest)
        new = uniq_labels[new_dense]
        if torch.equal(new, labels):
            return labels, ran, True
        if ran > 1:  # after the first round only a pseudo-random half moves: no 2-cycles
            half = torch.rand(n, generator=gen, device=dev) < 0.5
            new = torch.where(half, new, labels)
        labels = new
    return labels, ran, False
