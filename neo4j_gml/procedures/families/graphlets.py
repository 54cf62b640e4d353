"""Graphlet procedures: where every node sits in the small induced subgraphs around it.

* ``graphletOrbits``: per node, the counts of the 15 orbits of the 2- to 4-node graphlets (its
  graphlet degree vector, :func:`~neo4j_gml.algorithms.graphlets.orbits.graphlet_orbits`), as a
  list property (``orbitCounts``), with the number of each graphlet in the stats;
* ``subgraphCount``: per node, the copies of a ``pattern`` (triangle, 4-cycle, 4-clique, paths,
  star, paw, diamond) that contain it, as ``SUBGRAPH``, ``INDUCED`` or ``HOMOMORPHISM`` counts
  (:mod:`~neo4j_gml.algorithms.graphlets.subgraphs`);
* ``subgraphCount.relationships``: the same per relationship of the simple undirected graph
  (``SUBGRAPH`` or ``INDUCED``), streamed as ``node1, node2, count`` or written as new
  relationships;
* ``orbitAdjacency``: one of the 28 orbit adjacency matrices (GRADCO, Windels et al. 2024), as
  node pairs with their counts, streamed or written as relationships;
* ``orbitEmbedding``: node embeddings from chosen orbit adjacencies (GOPMI).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from neo4j_gml.algorithms.graphlets.orbit_adjacency import KEYS, orbit_adjacency
from neo4j_gml.algorithms.graphlets.orbit_embedding import ppmi_embedding
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
from neo4j_gml.core.errors import ConfigError
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


# ---------------------------------------------------------------------------- orbit adjacency
def _keys_of(orbit1: int, orbit2: int) -> list[tuple[int, int, int]]:
    return [k for k in KEYS if k[1:] == (orbit1, orbit2)]


@spec
class OrbitAdjacencyConfig(RelationshipConfig):
    orbit1: int = option("orbit1", REQUIRED, "orbit of the first node (0-14)", min=0, max=14)
    orbit2: int = option("orbit2", REQUIRED, "orbit of the second node (0-14)", min=0, max=14)
    hop: int | None = option(
        "hop", None, "their distance in the graphlet (1-3); needed where the orbits allow two"
    )

    def check(self, mode: str) -> None:
        super().check(mode)
        self.key()

    def key(self) -> tuple[int, int, int]:
        found = _keys_of(self.orbit1, self.orbit2)
        if not found:
            pairs = sorted({k[1:] for k in KEYS})
            raise ConfigError(
                f"config keys 'orbit1'/'orbit2': no graphlet holds orbits {self.orbit1} and "
                f"{self.orbit2} together; the pairs are {pairs}"
            )
        if self.hop is None:
            if len(found) > 1:
                raise ConfigError(
                    f"config key 'hop' is needed for orbits {self.orbit1} and {self.orbit2}: "
                    f"one of {[k[0] for k in found]}"
                )
            return found[0]
        for key in found:
            if key[0] == self.hop:
                return key
        raise ConfigError(
            f"config key 'hop' must be one of {[k[0] for k in found]} for orbits "
            f"{self.orbit1} and {self.orbit2}, got {self.hop}"
        )


def _orbit_adjacency(graph: Graph, cfg: OrbitAdjacencyConfig) -> RelationshipValues:
    key = cfg.key()
    matrix = orbit_adjacency(graph, [key])[key]
    rows, cols = matrix.indices()
    values = matrix.values()
    if key[1] == key[2]:  # a symmetric matrix: each pair once
        keep = rows < cols
        rows, cols, values = rows[keep], cols[keep], values[keep]
    stats = {"relationshipCount": int(values.numel()), "totalCount": int(values.sum().item())}
    return RelationshipValues(rows, cols, values, stats=stats)


register(
    Procedure(
        name="orbitAdjacency",
        description="Orbit adjacency (GRADCO): for node pairs, the induced 2- to 4-node "
        "graphlets holding the first on orbit1 and the second on orbit2 at distance hop; one "
        "of the 28 matrices per call (symmetric ones: each pair once).",
        category="graphlets",
        result="relationship",
        column="count",
        column_type="float",
        default_orientation="UNDIRECTED",
        weighted=False,
        config=OrbitAdjacencyConfig,
        stats_columns={"relationshipCount": "int", "totalCount": "int"},
        compute=_orbit_adjacency,
    )
)


#: the orbit adjacencies ``orbitEmbedding`` factorises by default: the edge, and the edge seen
#: inside 3- and 4-node paths (the best single ones on email-Eu-core and Cora, see
#: benchmarks/results/*-orbit-embedding.md)
DEFAULT_EMBEDDING_KEYS = [[1, 0, 0], [1, 1, 2], [1, 4, 5]]


def _adjacency_keys_check(value: Any) -> str | None:
    ok = (
        isinstance(value, list)
        and value
        and all(isinstance(k, list | tuple) and tuple(k) in KEYS for k in value)
    )
    return None if ok else f"must be a non-empty list of [hop, orbit1, orbit2] among {KEYS}"


@spec
class OrbitEmbeddingConfig(EmbeddingConfig):
    orbit_adjacencies: list[Any] = option(
        "orbitAdjacencies",
        DEFAULT_EMBEDDING_KEYS,
        "orbit adjacencies to factorise, as [hop, orbit1, orbit2]; their embeddings side by side",
        check=_adjacency_keys_check,
        kind="any",
    )
    embedding_dimension: int = option(
        "embeddingDimension", 64, "dimensions per orbit adjacency", min=1
    )
    random_seed: int | None = option("randomSeed", None, "seed of the randomised SVD")


def _orbit_embedding(graph: Graph, cfg: OrbitEmbeddingConfig) -> NodeValues:
    keys = [(int(h), int(a), int(b)) for h, a, b in cfg.orbit_adjacencies]
    matrices = orbit_adjacency(graph, keys)
    seed = 0 if cfg.random_seed is None else cfg.random_seed
    parts = [ppmi_embedding(matrices[k], cfg.embedding_dimension, random_seed=seed) for k in keys]
    return NodeValues(torch.cat(parts, dim=1), stats={"orbitAdjacencies": [list(k) for k in keys]})


register(
    Procedure(
        name="orbitEmbedding",
        description="Node embeddings from orbit adjacencies (GOPMI): the positive PMI of each "
        "chosen orbit adjacency matrix factorised by a truncated SVD, side by side.",
        category="graphlets",
        column="embedding",
        column_type="floatList",
        default_orientation="UNDIRECTED",
        weighted=False,
        config=OrbitEmbeddingConfig,
        stats_columns={"orbitAdjacencies": "list"},
        compute=_orbit_embedding,
    )
)
