"""HITS: hub and authority scores."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from neo4j_gml.algorithms.centrality._common import Propagator
from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.graph import Graph


@dataclass
class HitsResult:
    """Authority and hub scores (each with unit L2 norm) and the Pregel supersteps GDS would
    report (four per HITS iteration)."""

    auth: torch.Tensor
    hub: torch.Tensor
    ran_iterations: int


def _unit(x: torch.Tensor) -> torch.Tensor:
    norm = torch.linalg.vector_norm(x)
    return x / norm if float(norm) > 0 else x


def hits(graph: Graph, *, iterations: int = 20) -> HitsResult:
    """Kleinberg's hubs and authorities, as GDS's ``gds.hits`` (``hitsIterations`` rounds).

    Starting from ``hub = auth = 1``, each round sets ``auth(v) = sum of hub(u) over arcs
    u -> v``, normalises ``auth`` to unit L2 norm, then sets ``hub(u) = sum of auth(v) over arcs
    u -> v`` and normalises ``hub``. Parallel arcs count with their multiplicity; weights are
    not used. The scores approach the principal singular vectors of the adjacency matrix (equal
    to ``nx.hits`` up to normalisation).

    GDS runs this as a Pregel program of four supersteps per iteration (compute and normalise
    authorities, then hubs), so ``ran_iterations`` is ``4 * iterations``.

    Time ``O(iterations * (n + m))``, memory ``O(n + m)``. Reference: Kleinberg (1999),
    "Authoritative sources in a hyperlinked environment"; GDS manual, HITS.
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
