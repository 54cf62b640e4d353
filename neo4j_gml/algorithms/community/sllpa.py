"""Speaker-listener label propagation (SLPA): overlapping communities."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import torch

from neo4j_gml.algorithms.embedding._hashrng import mix_seed, uniform
from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.graph import Graph

__all__ = ["OverlappingCommunities", "speaker_listener_lpa"]


@dataclass(frozen=True)
class OverlappingCommunities:
    """Every node's communities, in CSR layout.

    Attributes
    ----------
    offsets : torch.Tensor
        ``int64[n + 1]``: node ``i``'s community ids are ``community_ids[offsets[i]:offsets[i+1]]``.
    community_ids : torch.Tensor
        ``int64[total]``: the ids (Neo4j ids of the nodes whose labels spread), ascending per node.
    ran_iterations : int
        Supersteps run (``max_iterations``, as GDS reports it).
    did_converge : bool
        Always ``False``, as in GDS: no node ever votes to halt.
    """

    offsets: torch.Tensor
    community_ids: torch.Tensor
    ran_iterations: int
    did_converge: bool

    def lists(self) -> list[list[int]]:
        """The community ids of every node, as Python lists."""
        bounds = self.offsets.tolist()
        ids = self.community_ids.tolist()
        return [ids[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def speaker_listener_lpa(
    graph: Graph,
    *,
    max_iterations: int,
    min_association_strength: float = 0.2,
    random_seed: int | None = None,
) -> OverlappingCommunities:
    """Speaker-listener label propagation, as GDS's ``gds.sllpa``.

    Every node keeps a memory of ``max_iterations`` labels, all first its own id. Superstep 0:
    every node speaks its id along its arcs (out-arcs in the projection's orientation; both
    directions when ``UNDIRECTED``). Each later superstep ``s``: every node that heard anything
    *listens*, writing the label it heard most often into memory slot ``s`` (ties: the smallest
    id; a node that heard nothing keeps its own id there), then *speaks*: along each of its arcs
    it sends the label in a uniformly drawn slot of ``0..s``, i.e. each label with probability
    proportional to its frequency in the memory so far. In the last superstep
    (``max_iterations - 1``) nodes listen and then keep the labels whose share of the whole
    memory (``max_iterations`` slots) is *greater than* ``min_association_strength``.

    Parameters
    ----------
    graph : Graph
        The graph; labels travel along its arcs.
    max_iterations : int
        Supersteps, and the memory length (GDS's ``maxIterations``). ``0`` gives every node an
        empty list; ``1`` gives every node its own id (no pruning, as in GDS).
    min_association_strength : float
        Keep a label when its share of the memory exceeds this.
    random_seed : int or None
        Seed of the speakers' draws (``None``: a fresh one). The draws are counter-based
        hashes of ``(seed, superstep, arc)``, so a seed gives the same result on every device.

    Returns
    -------
    OverlappingCommunities
        Each node's community ids (Neo4j ids), ascending, and the run's counts.

    Notes
    -----
    GDS runs this as an *asynchronous* Pregel computation, so which superstep's message a node
    hears depends on thread scheduling, and it has no seed. Here message passing is synchronous
    (a listener hears what its neighbours spoke in the previous superstep), which makes a seeded
    run repeat exactly (on cliques of 5 or more nodes each node ends with its clique's label; a
    4-clique's two smallest ids can both survive). Community ids are Neo4j ids where GDS yields internal ids (the same
    numbers on a fresh database); ties go to the smallest id, as in GDS. Relationship weights
    are ignored, as in GDS.

    Each superstep is ``O(m log m)`` (one sort of the ``(listener, label)`` messages); memory
    is ``O(n * max_iterations + m)``.

    References
    ----------
    J. Xie, B. K. Szymanski, X. Liu, "SLPA: Uncovering overlapping communities in social
    networks via a speaker-listener interaction dynamic process", ICDM Workshops (2011);
    GDS manual, Speaker-Listener Label Propagation.

    Examples
    --------
    >>> g = Graph.from_edges([0, 0, 1, 3, 3, 4], [1, 2, 2, 4, 5, 5],
    ...                      orientation="UNDIRECTED")  # two disjoint triangles
    >>> speaker_listener_lpa(g, max_iterations=20, random_seed=1).lists()
    [[0], [0], [0], [3], [3], [3]]
    """
    n, dev = graph.num_nodes, graph.device
    steps = int(max_iterations)
    seed = secrets.randbits(62) if random_seed is None else int(random_seed)
    ids = graph.node_ids.to(dev, torch.long)
    order = torch.argsort(ids)  # label = rank of the Neo4j id: "smallest label" = smallest id
    rank = torch.empty_like(order)
    rank[order] = torch.arange(n, device=dev)
    if steps == 0:
        empty = torch.zeros(0, dtype=torch.long, device=dev)
        return OverlappingCommunities(
            torch.zeros(n + 1, dtype=torch.long, device=dev), empty, 0, False
        )
    memory = rank[:, None].repeat(1, steps)
    src, dst = graph.sources(), graph.indices
    spoken = rank[src]  # superstep 0: every node speaks its own label
    for step in range(1, steps):
        checkpoint()
        heard, winner = _listen(dst, spoken, n)
        memory[heard, step] = winner
        if step < steps - 1:
            spoken = _speak(memory, src, step, seed)
    if steps == 1:
        keep_rows = torch.arange(n, device=dev)
        keep_labels = rank
    else:
        keep_rows, keep_labels = _prune(memory, min_association_strength)
    offsets = torch.zeros(n + 1, dtype=torch.long, device=dev)
    offsets[1:] = torch.cumsum(torch.bincount(keep_rows, minlength=n), 0)
    return OverlappingCommunities(offsets, ids[order][keep_labels], steps, False)


def _listen(dst: torch.Tensor, spoken: torch.Tensor, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The listeners that heard a message, and the label each heard most often (ties: the
    smallest label). ``spoken[a]`` is the label arc ``a`` carried to ``dst[a]``."""
    if dst.numel() == 0:
        empty = torch.zeros(0, dtype=torch.long, device=dst.device)
        return empty, empty
    pairs, counts = torch.unique(dst * n + spoken, return_counts=True)  # sorted
    node, label = pairs // n, pairs % n
    best = torch.zeros(n, dtype=counts.dtype, device=dst.device)
    best = best.scatter_reduce(0, node, counts, reduce="amax")
    top = counts == best[node]
    winner = torch.full((n,), n, dtype=torch.long, device=dst.device)
    winner = winner.scatter_reduce(0, node[top], label[top], reduce="amin")
    heard = torch.unique_consecutive(node)
    return heard, winner[heard]


def _speak(memory: torch.Tensor, src: torch.Tensor, step: int, seed: int) -> torch.Tensor:
    """The label each arc carries after superstep ``step``: its source's memory at a slot drawn
    uniformly from ``0..step`` (one draw per arc, a hash of ``(seed, step, arc)``)."""
    arcs = torch.arange(src.numel(), device=src.device)
    draw = uniform(mix_seed(seed) ^ step, arcs, 1)[:, 0]
    slot = (draw * (step + 1)).to(torch.long).clamp_(max=step)
    return memory[src, slot]


def _prune(memory: torch.Tensor, threshold: float) -> tuple[torch.Tensor, torch.Tensor]:
    """``(row, label)`` of every label whose share of its row exceeds ``threshold``, sorted."""
    n, steps = memory.shape
    rows = torch.arange(n, device=memory.device)[:, None].expand(n, steps)
    pairs, counts = torch.unique(rows * n + memory, return_counts=True)
    keep = counts.to(torch.float64) / steps > threshold
    pairs = pairs[keep]
    return pairs // n, pairs % n
