"""node2vec random walks, vectorised over all walkers, with counter-based randomness."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import torch

from neo4j_gml.algorithms.embedding._hashrng import mix_seed, uniform
from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.graph import Graph

__all__ = ["random_walks", "walk_chunks"]

_MAX_ATTEMPTS = 100  # rejection rounds before the remaining walkers take their last draw


def _step_seed(seed: int, step: int, attempt: int) -> int:
    return mix_seed(mix_seed(seed ^ (step * 1_000_003)) ^ (attempt + 1))


class _Sampler:
    """First-order neighbour draws and 'is x a neighbour of y' tests on one graph."""

    def __init__(self, graph: Graph, weighted: bool) -> None:
        self.indptr, self.indices = graph.indptr, graph.indices
        self.deg = graph.out_degree()
        n = graph.num_nodes
        # CSR rows are sorted by (source, target), so source * n + target is globally sorted
        self.keys = graph.sources() * n + graph.indices
        self.n = n
        self.cum = None
        if weighted and graph.weights is not None:
            w = graph.weights.to(torch.float64)
            self.cum = torch.cumsum(w, 0)
            self.row_base = torch.cat([torch.zeros(1, dtype=w.dtype, device=w.device), self.cum])

    def draw(self, cur: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
        """A neighbour of each ``cur`` (all have degree > 0): uniform, or weight-proportional."""
        lo, hi = self.indptr[cur], self.indptr[cur + 1]
        if self.cum is None:
            pos = lo + (u * (hi - lo).to(torch.float64)).to(torch.long)
        else:
            start, stop = self.row_base[lo], self.row_base[hi]
            target = start + u * (stop - start)
            pos = torch.searchsorted(self.cum, target, right=True)
        pos = torch.minimum(torch.maximum(pos, lo), hi - 1)
        return self.indices[pos]

    def is_neighbour(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """Whether ``a -> b`` is an arc, for each pair (batched binary search)."""
        if self.keys.numel() == 0:
            return torch.zeros_like(a, dtype=torch.bool)
        q = a * self.n + b
        at = torch.searchsorted(self.keys, q).clamp(max=self.keys.numel() - 1)
        return self.keys[at] == q


def random_walks(
    graph: Graph,
    *,
    walk_length: int = 80,
    walks_per_node: int = 10,
    return_factor: float = 1.0,
    in_out_factor: float = 1.0,
    weighted: bool = False,
    random_seed: int = 0,
    start_nodes: torch.Tensor | None = None,
    walker_ids: torch.Tensor | None = None,
) -> torch.Tensor:
    """node2vec's second-order random walks (DeepWalk's when ``p = q = 1``).

    Every start node (all nodes by default) begins ``walks_per_node`` walks of up to
    ``walk_length`` nodes. From ``cur`` reached from ``prev``, the next node ``x`` is drawn with
    probability proportional to ``w(cur, x) * a(prev, x)`` where ``a = 1 / returnFactor`` if
    ``x == prev``, ``1`` if ``prev -> x`` is an arc, else ``1 / inOutFactor`` (``w = 1``
    unweighted; the first step is first-order). A walk that reaches a node without out-arcs stops
    there (the rest of its row is ``-1``).

    Parameters
    ----------
    graph : Graph
        The graph; walks follow its arcs in its orientation.
    walk_length : int
        Nodes per walk, ``>= 1``.
    walks_per_node : int
        Walks started at every start node, ``>= 1``.
    return_factor : float
        node2vec's ``p`` (positive).
    in_out_factor : float
        node2vec's ``q`` (positive).
    weighted : bool
        Draw neighbours in proportion to the relationship weights.
    random_seed : int
        Seed of the counter-based random numbers.
    start_nodes : torch.Tensor or None
        ``int64`` start positions (default: every node).
    walker_ids : torch.Tensor or None
        ``int64`` key of every walk's random stream (default: its row index).

    Returns
    -------
    torch.Tensor
        ``int64[W, walk_length]`` with ``W = len(starts) * walks_per_node``, ordered walk-round
        major, ``-1`` after a walk stopped.

    Raises
    ------
    ValueError
        ``walk_length`` or ``walks_per_node`` below 1, or a non-positive factor.

    Notes
    -----
    Sampling is by rejection: draw ``x`` first-order, accept with probability ``a / max(a)``, all
    walkers in parallel; "is ``prev -> x`` an arc" is a batched binary search over the sorted CSR
    keys. Randomness is counter-based (a hash of seed, step, attempt and walker id), so the walks
    are identical on every device and a walk does not depend on which other walks are generated
    with it. Time ``O(W * walk_length * log m * expected rejections)``, memory
    ``O(W * walk_length)``.

    References
    ----------
    A. Grover and J. Leskovec, "node2vec: scalable feature learning for networks", KDD 2016;
    GDS manual, Random Walk and Node2Vec.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1], [1, 2])  # a directed path: walks stop at node 2
    >>> random_walks(g, walk_length=4, walks_per_node=1).tolist()
    [[0, 1, 2, -1], [1, 2, -1, -1], [2, -1, -1, -1]]
    >>> g = Graph.from_edges([0, 1, 2, 3], [1, 2, 3, 0], orientation="UNDIRECTED")  # a 4-cycle
    >>> random_walks(g, walk_length=5, walks_per_node=2, return_factor=0.5).shape
    torch.Size([8, 5])
    """
    if walk_length < 1 or walks_per_node < 1:
        raise ValueError("walk_length and walks_per_node must be at least 1")
    if return_factor <= 0 or in_out_factor <= 0:
        raise ValueError("return_factor and in_out_factor must be positive")
    device = graph.device
    starts = torch.arange(graph.num_nodes, device=device) if start_nodes is None else start_nodes
    starts = starts.to(device=device, dtype=torch.long).repeat(walks_per_node)
    w_count = starts.numel()
    walks = torch.full((w_count, walk_length), -1, dtype=torch.long, device=device)
    if w_count == 0:
        return walks
    walks[:, 0] = starts
    sampler = _Sampler(graph, weighted)
    walker = torch.arange(w_count, device=device)
    keys = walker if walker_ids is None else walker_ids.to(device=device, dtype=torch.long)
    cur = starts.clone()
    prev = torch.full_like(cur, -1)
    alive = sampler.deg[cur] > 0
    second_order = return_factor != 1.0 or in_out_factor != 1.0
    a_ret, a_out = 1.0 / return_factor, 1.0 / in_out_factor
    a_max = max(a_ret, 1.0, a_out)
    tries = max(1, min(8, math.ceil(a_max / min(a_ret, 1.0, a_out))))
    for step in range(1, walk_length):
        checkpoint()
        idx = walker[alive]
        if idx.numel() == 0:
            break
        if step == 1 or not second_order:
            u = uniform(_step_seed(random_seed, step, 0), keys[idx], 1)[:, 0]
            nxt = sampler.draw(cur[idx], u)
        else:
            nxt = torch.empty_like(idx)
            pending = torch.arange(idx.numel(), device=device)
            for attempt in range(_MAX_ATTEMPTS):
                who = idx[pending]
                # `tries` candidates per walker at once; the first accepted one is taken, which
                # is the same law as drawing them one by one
                u = uniform(_step_seed(random_seed, step, attempt), keys[who], 2 * tries)
                u = u.reshape(-1, tries, 2)
                x = sampler.draw(cur[who].repeat_interleave(tries), u[:, :, 0].reshape(-1))
                x = x.reshape(-1, tries)
                p_node = prev[who][:, None].expand(-1, tries)
                a = torch.where(
                    x == p_node,
                    torch.full_like(u[:, :, 1], a_ret),
                    torch.where(
                        sampler.is_neighbour(p_node.reshape(-1), x.reshape(-1)).reshape(x.shape),
                        torch.ones_like(u[:, :, 1]),
                        torch.full_like(u[:, :, 1], a_out),
                    ),
                )
                ok = u[:, :, 1] * a_max < a
                if attempt == _MAX_ATTEMPTS - 1:
                    ok[:, -1] = True
                hit = ok.any(dim=1)
                first = ok.to(torch.int8).argmax(dim=1)
                nxt[pending[hit]] = x[hit, first[hit]]
                pending = pending[~hit]
                if pending.numel() == 0:
                    break
        walks[idx, step] = nxt
        prev[idx] = cur[idx]
        cur[idx] = nxt
        alive[idx] = sampler.deg[nxt] > 0
    return walks


def walk_chunks(
    graph: Graph,
    *,
    walks_per_node: int = 10,
    chunk_walks: int = 1 << 16,
    **walk_options: Any,
) -> Callable[[], Iterator[torch.Tensor]]:
    """A re-callable source of :func:`random_walks` in chunks of ``chunk_walks`` walks.

    Walk ``w`` starts at node ``w % n`` (round-major, as :func:`random_walks`) and is keyed by
    ``w``, so every call yields the same walks, identical to the rows of one big
    :func:`random_walks` call, while holding only one chunk at a time.

    Parameters
    ----------
    graph : Graph
        The graph.
    walks_per_node : int
        Walks started at every node.
    chunk_walks : int
        Walks per chunk.
    **walk_options
        Further keyword arguments of :func:`random_walks` (``walk_length``, ``random_seed``, ...).

    Returns
    -------
    callable
        A function without arguments that returns an iterator over ``int64[<= chunk_walks, L]``
        chunks (what :func:`~neo4j_gml.algorithms.embedding.skipgram.skipgram` takes).

    References
    ----------
    A. Grover and J. Leskovec, "node2vec: scalable feature learning for networks", KDD 2016;
    GDS manual, Random Walk and Node2Vec.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2, 3], [1, 2, 3, 0], orientation="UNDIRECTED")  # a 4-cycle
    >>> source = walk_chunks(g, walks_per_node=2, chunk_walks=3, walk_length=5, random_seed=42)
    >>> chunks = list(source())
    >>> [c.shape[0] for c in chunks]
    [3, 3, 2]
    >>> all_at_once = random_walks(g, walk_length=5, walks_per_node=2, random_seed=42)
    >>> torch.equal(torch.cat(chunks), all_at_once)
    True
    """
    n = graph.num_nodes
    total = n * walks_per_node

    def chunks() -> Iterator[torch.Tensor]:
        for a in range(0, total, chunk_walks):
            checkpoint()
            ids = torch.arange(a, min(a + chunk_walks, total), device=graph.device)
            yield random_walks(
                graph, walks_per_node=1, start_nodes=ids % n, walker_ids=ids, **walk_options
            )

    return chunks
