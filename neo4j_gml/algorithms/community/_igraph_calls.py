"""The igraph calls of Louvain and Leiden, importable without torch.

They run in the computing thread for small graphs and in a child process for large ones
(:func:`neo4j_gml.core.isolated.call_isolated`), because igraph holds the GIL for the whole
call. Both ways give the same result: each call seeds igraph's random generator itself and
restores the default after.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np

__all__ = ["leiden_membership", "multilevel_levels"]


def _graph(edges: np.ndarray, weights: np.ndarray, n: int) -> tuple[Any, str | None]:
    """The igraph graph and the name of its weight attribute (``None`` when every weight is 1:
    igraph's unweighted code path gives the same result without the 8-byte-per-edge list)."""
    import igraph as ig

    # pairs as tuples zipped from two flat lists: 3.5x faster to make than edges.tolist()'s
    # lists (5M edges: 0.8 s against 2.8 s) and igraph reads them as fast
    pairs = list(zip(edges[:, 0].tolist(), edges[:, 1].tolist(), strict=True))
    g = ig.Graph(n=n, edges=pairs, directed=False)
    if weights.size and bool(np.all(weights == 1.0)):
        return g, None
    g.es["weight"] = weights.tolist()
    return g, "weight"


class _SeededRng:
    """igraph with ``random.Random(seed)``, the default generator restored after."""

    def __init__(self, seed: int | None) -> None:
        self.seed = seed

    def __enter__(self) -> None:
        import igraph as ig

        ig.set_random_number_generator(random.Random(self.seed))

    def __exit__(self, *exc: object) -> None:
        import igraph as ig

        ig.set_random_number_generator(random)


def multilevel_levels(
    edges: np.ndarray, weights: np.ndarray, n: int, gamma: float, seed: int | None
) -> tuple[list[np.ndarray], list[float]]:
    """The membership (``int64[n]``) and modularity of every level of igraph's
    ``community_multilevel``; igraph's modularity is the one
    :func:`neo4j_gml.algorithms.community.metrics.modularity` computes (self-loops passed at
    half weight, see ``louvain._igraph_input``), to rounding."""
    g, weight = _graph(edges, weights, n)
    with _SeededRng(seed):
        levels = g.community_multilevel(weights=weight, return_levels=True, resolution=gamma)
    members = [np.asarray(level.membership, dtype=np.int64) for level in levels]
    return members, [float(level.modularity) for level in levels]


def leiden_membership(
    edges: np.ndarray,
    weights: np.ndarray,
    n: int,
    gamma: float,
    theta: float,
    initial: list[int] | None,
    seed: int | None,
    checkpoint: Any = None,
) -> list[int]:
    """igraph's ``community_leiden`` (modularity) from ``initial``, one iteration per call
    until an iteration changes nothing (what ``n_iterations=-1`` does inside igraph);
    ``checkpoint`` is called between iterations."""
    g, weight = _graph(edges, weights, n)
    membership = initial
    with _SeededRng(seed):
        while True:
            if checkpoint is not None:
                checkpoint()
            cl = g.community_leiden(
                objective_function="modularity",
                weights=weight,
                resolution=gamma,
                beta=theta,
                initial_membership=membership,
                n_iterations=1,
            )
            if membership is not None and cl.membership == membership:
                return list(cl.membership)
            membership = cl.membership
