"""HITS: hub and authority scores."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from neo4j_gml.algorithms.centrality._common import Propagator
from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.graph import Graph

__all__ = ["HitsResult", "hits"]


@dataclass
class HitsResult:
    """Authority and hub scores and the Pregel supersteps GDS would report.

    Attributes
    ----------
    auth : torch.Tensor
        ``float64[n]`` authority scores, unit L2 norm.
    hub : torch.Tensor
        ``float64[n]`` hub scores, unit L2 norm.
    ran_iterations : int
        Pregel supersteps, four per HITS iteration.
    """

    auth: torch.Tensor
    hub: torch.Tensor
    ran_iterations: int


def _unit(x: torch.Tensor) -> torch.Tensor:
    norm = torch.linalg.vector_norm(x)
    return x / norm if float(norm) > 0 else x


def hits(graph: Graph, *, iterations: int = 20) -> HitsResult:
    """Kleinberg's hubs and authorities, as GDS's ``gds.hits`` (``hitsIterations`` rounds).

    Parameters
    ----------
    graph : Graph
        The graph; arcs in its orientation. Parallel arcs count with their multiplicity; weights
        are not used.
    iterations : int
        HITS rounds (GDS's ``hitsIterations``).

    Returns
    -------
    HitsResult
        ``auth`` and ``hub`` (each ``float64[n]`` with unit L2 norm) and ``ran_iterations``.

    Notes
    -----
    Starting from ``hub = auth = 1``, each round sets ``auth(v) = sum of hub(u) over arcs
    u -> v``, normalises ``auth`` to unit L2 norm, then sets ``hub(u) = sum of auth(v) over arcs
    u -> v`` and normalises ``hub``. The scores approach the principal singular vectors of the
    adjacency matrix (equal to ``nx.hits`` up to normalisation).

    GDS runs this as a Pregel program of four supersteps per iteration (compute and normalise
    authorities, then hubs), so ``ran_iterations`` is ``4 * iterations``.

    Time ``O(iterations * (n + m))``, memory ``O(n + m)``.

    References
    ----------
    J. M. Kleinberg, "Authoritative sources in a hyperlinked environment", Journal of the ACM 46
    (1999); GDS manual, HITS.

    Examples
    --------
    >>> g = Graph.from_edges([0, 0, 1], [1, 2, 2])
    >>> r = hits(g, iterations=20)
    >>> r.auth.round(decimals=3).tolist(), r.hub.round(decimals=3).tolist(), r.ran_iterations
    ([0.0, 0.526, 0.851], [0.851, 0.526, 0.0], 80)
    """
    n = graph.num_nodes
    dev = graph.device
    ones = torch.ones(graph.num_arcs, dtype=torch.float64, device=dev)
    propagate = Propagator(graph, ones)
    hub = torch.ones(n, dtype=torch.float64, device=dev)
    auth = torch.ones(n, dtype=torch.float64, device=dev)
    for _ in range(iterations):
        checkpoint()
        auth = _unit(propagate.into(hub))
        hub = _unit(propagate.out_of(auth))
    return HitsResult(auth, hub, 4 * iterations)
