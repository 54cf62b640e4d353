"""Graphlet procedures: where every node sits in the small induced subgraphs around it.

``graphletOrbits``: per node, the counts of the 15 orbits of the 2- to 4-node graphlets (its
graphlet degree vector, :func:`~neo4j_gml.algorithms.graphlets.orbits.graphlet_orbits`), as a
list property (``orbitCounts``), with the number of each graphlet in the stats.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from neo4j_gml.algorithms.graphlets.orbits import (
    GRAPHLET_OF_ORBIT,
    ORBIT_SIZES,
    graphlet_orbits,
)
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures.registry import NodeValues, Procedure, register
from neo4j_gml.procedures.spec import EmbeddingConfig, option

spec = dataclass(frozen=True, kw_only=True, eq=False)


@spec
class GraphletOrbitsConfig(EmbeddingConfig):
    graphlet_size: int = option(
        "graphletSize", 4, "largest graphlet: 3 (orbits 0-3) or 4 (orbits 0-14)", min=3, max=4
    )


def _graphlet_orbits(graph: Graph, cfg: GraphletOrbitsConfig) -> NodeValues:
    counts = graphlet_orbits(graph, graphlet_size=cfg.graphlet_size)
    totals: dict[str, int] = {}
    for orbit in range(counts.shape[1]):
        name = f"G{GRAPHLET_OF_ORBIT[orbit]}"
        if name not in totals:  # each graphlet once, from its first orbit
            totals[name] = int(counts[:, orbit].sum().item()) // ORBIT_SIZES[orbit]
    return NodeValues(counts.to(torch.float64), stats={"graphletCounts": totals})


register(
    Procedure(
        name="graphletOrbits",
        description="Per node, how often it touches each of the 15 orbits of the 2- to 4-node "
        "graphlets (its graphlet degree vector, orbits numbered as Przulj's), on the undirected "
        "simple graph; graphletCounts in the stats.",
        category="graphlets",
        column="orbitCounts",
        column_type="floatList",
        default_orientation="UNDIRECTED",
        weighted=False,
        config=GraphletOrbitsConfig,
        stats_columns={"graphletCounts": "map"},
        compute=_graphlet_orbits,
    )
)
