"""Graphlet procedures: where every node sits in the small induced subgraphs around it.

* ``graphletOrbits``: per node, the counts of the 15 orbits of the 2- to 4-node graphlets (its
  graphlet degree vector, :func:`~neo4j_gml.algorithms.graphlets.orbits.graphlet_orbits`), as a
  list property (``orbitCounts``), with the number of each graphlet in the stats;
* ``subgraphCount``: per node, the copies of a ``pattern`` (triangle, 4-cycle, 4-clique, paths,
  star, paw, diamond) that contain it, as ``SUBGRAPH``, ``INDUCED`` or ``HOMOMORPHISM`` counts
  (:mod:`~neo4j_gml.algorithms.graphlets.subgraphs`);
* ``subgraphCount.relationships``: the same per relationship of the simple undirected graph
  (``SUBGRAPH`` or ``INDUCED``), streamed as ``node1, node2, count`` or written as new
  relationships.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from neo4j_gml.algorithms.graphlets.orbits import (
    GRAPHLET_OF_ORBIT,
    ORBIT_SIZES,
    graphlet_orbits,
)
from neo4j_gml.algorithms.graphlets.subgraphs import (
    COUNT_TYPES,
    PATTERNS,
    relationship_subgraph_counts,
    subgraph_counts,
)
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures.config import REQUIRED
from neo4j_gml.procedures.registry import NodeValues, Procedure, RelationshipValues, register
from neo4j_gml.procedures.spec import EmbeddingConfig, NodeConfig, RelationshipConfig, option

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


# ---------------------------------------------------------------------------- subgraph counts
def _pattern_option() -> Any:
    return option("pattern", REQUIRED, "the pattern to count", choices=tuple(PATTERNS))


@spec
class SubgraphCountConfig(NodeConfig):
    pattern: str = _pattern_option()
    count_type: str = option(
        "countType", "SUBGRAPH", "SUBGRAPH, INDUCED or HOMOMORPHISM", choices=COUNT_TYPES
    )


def _subgraph_count(graph: Graph, cfg: SubgraphCountConfig) -> NodeValues:
    counts = subgraph_counts(graph, cfg.pattern, cfg.count_type)
    nodes = PATTERNS[cfg.pattern][2]
    total = int(counts.sum().item())
    stats = {"globalCount": total // nodes if cfg.count_type != "HOMOMORPHISM" else total}
    return NodeValues(counts, stats=stats)


@spec
class RelationshipSubgraphCountConfig(RelationshipConfig):
    pattern: str = _pattern_option()
    count_type: str = option(
        "countType", "SUBGRAPH", "SUBGRAPH or INDUCED", choices=COUNT_TYPES[:2]
    )


def _relationship_count(graph: Graph, cfg: RelationshipSubgraphCountConfig) -> RelationshipValues:
    u, v, counts = relationship_subgraph_counts(graph, cfg.pattern, cfg.count_type)
    edges = PATTERNS[cfg.pattern][3]
    stats = {"globalCount": int(counts.sum().item()) // edges}
    return RelationshipValues(u, v, counts.to(torch.float64), stats=stats)


register(
    Procedure(
        name="subgraphCount",
        description="Per node, the copies of a small pattern (PATH3, TRIANGLE, PATH4, STAR3, "
        "CYCLE4, PAW, DIAMOND, CLIQUE4) containing it, counted as subgraphs, induced subgraphs "
        "or rooted homomorphisms (countType), on the undirected simple graph.",
        category="graphlets",
        column="count",
        column_type="int",
        default_orientation="UNDIRECTED",
        weighted=False,
        config=SubgraphCountConfig,
        stats_columns={"globalCount": "int"},
        compute=_subgraph_count,
    )
)
register(
    Procedure(
        name="subgraphCount.relationships",
        description="Per relationship of the undirected simple graph, the copies of a small "
        "pattern containing it as an edge (SUBGRAPH or INDUCED); each pair once.",
        category="graphlets",
        result="relationship",
        column="count",
        column_type="float",
        default_orientation="UNDIRECTED",
        weighted=False,
        config=RelationshipSubgraphCountConfig,
        stats_columns={"globalCount": "int"},
        compute=_relationship_count,
    )
)
