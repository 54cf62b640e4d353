"""Approximate maximum k-cut: GRASP with local search and optional variable neighbourhood
search."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import torch

from neo4j_gml.algorithms.embedding._hashrng import mix_seed, uniform
from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.errors import ParameterError
from neo4j_gml.core.graph import Graph

__all__ = ["KCut", "approx_max_k_cut", "cut_cost"]


@dataclass(frozen=True)
class KCut:
    """A k-cut: ``communities`` (``int64[n]``, in ``0..k-1``) and its ``cost``."""

    communities: torch.Tensor
    cost: float


def cut_cost(graph: Graph, communities: torch.Tensor, *, weighted: bool = False) -> float:
    """The cost of a k-cut as GDS counts it: the summed weight (1 unweighted) of the stored arcs
    whose ends are in different communities (an ``UNDIRECTED`` edge counts twice).

    Parameters
    ----------
    graph : Graph
        The graph, as projected.
    communities : torch.Tensor
        ``int64[n]`` community per node.
    weighted : bool
        Sum the relationship weights instead of counting arcs.

    Returns
    -------
    float
        The cut cost.

    References
    ----------
    GDS manual, Approximate Maximum k-cut (``cutCost``).

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2], [1, 2, 0], [1.0, 2.0, 4.0])
    >>> cut_cost(g, torch.tensor([0, 1, 1]), weighted=True)
    5.0
    """
    src, dst = graph.sources(), graph.indices
    c = communities.to(graph.device)
    w = graph.arc_weights() if weighted else torch.ones_like(src, dtype=torch.float64)
    return float(w[c[src] != c[dst]].sum().item())


def approx_max_k_cut(
    graph: Graph,
    *,
    k: int = 2,
    iterations: int = 8,
    vns_max_neighborhood_order: int = 0,
    weighted: bool = False,
    random_seed: int | None = None,
) -> KCut:
    """An approximate maximum k-cut, as GDS's ``gds.maxkcut``.

    GRASP: each of ``iterations`` rounds places every node in a uniformly random community and
    improves that by local search; the best cut over the rounds wins. Local search repeatedly
    moves nodes to the community they are least connected to (a node's connection to a
    community sums the weights of its arcs, in both directions, to the community's members;
    self-loops are ignored), as long as that strictly lowers it, until no node can improve.
    With ``vns_max_neighborhood_order > 0``, each round then runs variable neighbourhood search:
    it flips ``1, 2, ...`` random nodes of its best cut to other random communities,
    local-searches that, keeps it when its cost is higher (and goes back to one flip), and stops
    after ``vns_max_neighborhood_order - 1`` flips fail (GDS's loop: orders
    ``0..vnsMaxNeighborhoodOrder - 1``, order 0 being the plain local search).

    Parameters
    ----------
    graph : Graph
        The graph; its arcs are the relationships whose weight the cut counts.
    k : int
        Number of communities (``>= 2``).
    iterations : int
        GRASP rounds.
    vns_max_neighborhood_order : int
        Most nodes VNS flips at once (``0``: no VNS).
    weighted : bool
        Use the relationship weights (any finite values); else every arc weighs 1.
    random_seed : int or None
        Seed of the placements, flips and move order (``None``: a fresh one). The draws are
        counter-based hashes, so a seed gives the same result on every device.

    Returns
    -------
    KCut
        The best cut found and its cost (:func:`cut_cost`). A cut that cuts nothing of
        positive weight (no arcs) is the all-zero assignment, as in GDS.

    Notes
    -----
    GDS's local search moves nodes in parallel threads, skipping a node when a neighbour moves
    in the same pass. Here each pass computes every node's best move at once and moves an
    independent set of the improving nodes: a node moves when no neighbour that also wants to
    move has a larger gain (ties by a random draw, then the larger position). Moves of non-adjacent nodes change the cut
    by exactly their summed gains, so each pass strictly raises the cut and the search ends at a
    cut no single move improves, as GDS's does. A node's best community is the first (lowest
    id) of least connection; it stays put on a tie with its current one, as in GDS.

    A local search starts with an ``O(m + n k)`` pass; later passes update only the neighbours
    of the nodes that moved (``O(n k)`` plus their degrees), and every eighth pass recomputes
    all connections, bounding rounding drift. The number of passes depends on the graph.

    References
    ----------
    P. Festa, P. M. Pardalos, M. G. C. Resende, C. C. Ribeiro, "Randomized heuristics for the
    MAX-CUT problem", Optimization Methods and Software 17 (2002); GDS manual, Approximate
    Maximum k-cut.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2, 3], [1, 2, 3, 0], orientation="UNDIRECTED")  # a 4-cycle
    >>> cut = approx_max_k_cut(g, random_seed=3)
    >>> cut.cost, (cut.communities[0] != cut.communities[1]).item()
    (8.0, True)
    """
    if k < 2:
        raise ParameterError("k", f"must be at least 2, got {k}")
    n, dev = graph.num_nodes, graph.device
    seed = mix_seed(secrets.randbits(62) if random_seed is None else int(random_seed))
    src, dst = graph.sources(), graph.indices
    w = graph.arc_weights() if weighted else torch.ones_like(src, dtype=torch.float64)
    loop = src == dst
    if bool(loop.any()):  # self-loops never cross a cut
        src, dst, w = src[~loop], dst[~loop], w[~loop]
    search = _LocalSearch(src, dst, w, n, k)
    best = torch.zeros(n, dtype=torch.long, device=dev)
    best_cost = 0.0
    nodes = torch.arange(n, device=dev)
    for round_ in range(iterations):
        checkpoint()
        stream = _substream(seed, 1, round_)
        placed = _draw_ints(stream, nodes, k)
        candidate, cost = search.run(placed, stream)
        if vns_max_neighborhood_order > 0:
            candidate, cost = _vns(search, candidate, cost, vns_max_neighborhood_order, stream)
        if cost > best_cost:
            best, best_cost = candidate, cost
    return KCut(best, best_cost)


def _substream(stream: int, tag: int, index: int) -> int:
    """An independent seed for draw ``index`` of kind ``tag`` within ``stream``."""
    return mix_seed(stream ^ mix_seed((tag << 40) + index))


def _draw_ints(stream: int, keys: torch.Tensor, high: int) -> torch.Tensor:
    """One integer in ``0..high-1`` per key, a hash of ``(stream, key)``."""
    draw = uniform(stream, keys, 1)[:, 0]
    return (draw * high).to(torch.long).clamp_(max=high - 1)


class _LocalSearch:
    """Local search over fixed arcs (``src -> dst`` of weight ``w``, no self-loops).

    Every arc is listed at both its ends (``ends``, ``others``, ``both_w``, grouped by end in
    ``offsets``), so a pass reaches the neighbours of the nodes it moves in time proportional to
    their degrees: it updates their connections instead of recomputing all of them.
    """

    #: recompute every connection from scratch after this many incremental passes (bounds the
    #: rounding drift of weighted runs)
    REFRESH = 8

    def __init__(self, src: torch.Tensor, dst: torch.Tensor, w: torch.Tensor, n: int, k: int):
        self.src, self.dst, self.w, self.n, self.k = src, dst, w, n, k
        self.nodes = torch.arange(n, device=src.device)
        ends, order = torch.sort(torch.cat([src, dst]), stable=True)
        self.others = torch.cat([dst, src])[order]
        self.both_w = torch.cat([w, w])[order]
        self.degree = torch.bincount(ends, minlength=n)
        self.offsets = torch.cumsum(self.degree, 0) - self.degree

    def connection(self, c: torch.Tensor) -> torch.Tensor:
        """``float64[n, k]``: each node's summed arc weight (both directions) to each community."""
        weights = torch.zeros(self.n * self.k, dtype=torch.float64, device=self.src.device)
        weights.index_add_(0, self.src * self.k + c[self.dst], self.w)
        weights.index_add_(0, self.dst * self.k + c[self.src], self.w)
        return weights.view(self.n, self.k)

    def cost(self, c: torch.Tensor) -> float:
        return float(self.w[c[self.src] != c[self.dst]].sum().item())

    def incident(self, nodes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(end, entry)``: every arc entry listed at one of ``nodes``, with that node."""
        counts = self.degree[nodes]
        end = torch.repeat_interleave(nodes, counts)
        first = torch.repeat_interleave(
            self.offsets[nodes] - (torch.cumsum(counts, 0) - counts), counts
        )
        return end, first + torch.arange(end.numel(), device=nodes.device)

    def run(self, c: torch.Tensor, stream: int) -> tuple[torch.Tensor, float]:
        """``c`` improved until no single move raises the cut, and the cut's cost."""
        c = c.clone()
        conn = self.connection(c)
        passes = fresh = 0
        while True:
            checkpoint()
            current = conn.gather(1, c[:, None])[:, 0]
            least, target = _first_min(conn)
            gain = current - least
            mover = gain > 0
            if not bool(mover.any()):
                if fresh == 0:  # the end condition, on exact connections
                    return c, self.cost(c)
                conn, fresh = self.connection(c), 0
                continue
            passes += 1
            tie = uniform(_substream(stream, 2, passes), self.nodes, 1)[:, 0]
            movers = self.nodes[mover]
            a, entry = self.incident(movers)
            b = self.others[entry]
            both = mover[b]
            a, b = a[both], b[both]
            # a mover waits when a neighbouring mover beats it: larger gain, then draw, then id
            ga, gb, ta, tb = gain[a], gain[b], tie[a], tie[b]
            beaten = (gb > ga) | ((gb == ga) & ((tb > ta) | ((tb == ta) & (b > a))))
            blocked = torch.zeros(self.n, dtype=torch.bool, device=c.device)
            blocked[a[beaten]] = True
            moving = movers[~blocked[movers]]
            old, new = c[moving], target[moving]
            c[moving] = new
            fresh += 1
            if fresh >= self.REFRESH:
                conn, fresh = self.connection(c), 0
                continue
            end, entry = self.incident(moving)
            at = self.others[entry] * self.k
            slot = torch.searchsorted(moving, end)  # moving is sorted: the mover of each entry
            flat = conn.view(-1)
            flat.index_add_(0, at + old[slot], -self.both_w[entry])
            flat.index_add_(0, at + new[slot], self.both_w[entry])


def _first_min(conn: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Each row's least value and the first column holding it (as GDS scans communities)."""
    least = conn[:, 0].clone()
    target = torch.zeros(conn.shape[0], dtype=torch.long, device=conn.device)
    for j in range(1, conn.shape[1]):
        lower = conn[:, j] < least
        least = torch.where(lower, conn[:, j], least)
        target = torch.where(lower, j, target)
    return least, target


def _vns(
    search: _LocalSearch, c: torch.Tensor, cost: float, max_order: int, stream: int
) -> tuple[torch.Tensor, float]:
    """Variable neighbourhood search from the local optimum ``c`` (see
    :func:`approx_max_k_cut`)."""
    n, k = search.n, search.k
    order, tries = 1, 0
    while order < max_order and n > 0:
        checkpoint()
        tries += 1
        draws = torch.arange(order, device=c.device)
        flip = _draw_ints(_substream(stream, 3, tries), draws, n)
        shift = _draw_ints(_substream(stream, 4, tries), draws, k - 1) + 1
        moved = torch.zeros(n, dtype=torch.long, device=c.device).index_add_(0, flip, shift)
        neighbour, neighbour_cost = search.run((c + moved) % k, _substream(stream, 5, tries))
        if neighbour_cost > cost:
            c, cost, order = neighbour, neighbour_cost, 1
        else:
            order += 1
    return c, cost
