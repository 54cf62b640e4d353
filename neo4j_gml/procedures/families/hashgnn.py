"""HashGNN (``hashgnn``): GDS's min-hash message passing over binary node features.

The keys are GDS's (``iterations``, ``embeddingDensity``, ``heterogeneous``,
``neighborInfluence``, ``featureProperties``, ``binarizeFeatures``, ``generateFeatures``,
``outputDimension``, ``randomSeed``), checked before anything is read; the algorithm is
:func:`neo4j_gml.algorithms.embedding.hashgnn.hash_gnn`. ``heterogeneous: true`` needs to tell
relationship types apart: a named graph's view carries each arc's type; a projection read
straight from Neo4j merges its types, so there it is refused unless ``relationshipTypes``
names a single type (where it equals the homogeneous run with another hash).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from neo4j_gml.algorithms.embedding.hashgnn import hash_gnn
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures.config import REQUIRED
from neo4j_gml.procedures.estimate import BYTES
from neo4j_gml.procedures.families.embedding import feature_matrix
from neo4j_gml.procedures.registry import NodeValues, Procedure, register
from neo4j_gml.procedures.spec import EmbeddingConfig, option

spec = dataclass(frozen=True, kw_only=True, eq=False)


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _binarize_check(value: dict[str, Any] | None) -> str | None:
    if value is None:
        return None
    unknown = sorted(set(value) - {"dimension", "threshold"})
    if unknown:
        return f"has unknown keys {unknown}: it takes 'dimension' and 'threshold'"
    if not _positive_int(value.get("dimension")):
        return f"needs 'dimension', an integer of at least 1, got {value.get('dimension')!r}"
    threshold = value.get("threshold", 0.0)
    if not isinstance(threshold, int | float) or isinstance(threshold, bool):
        return f"needs 'threshold' to be a number, got {threshold!r}"
    return None


def _generate_check(value: dict[str, Any] | None) -> str | None:
    if value is None:
        return None
    unknown = sorted(set(value) - {"dimension", "densityLevel"})
    if unknown:
        return f"has unknown keys {unknown}: it takes 'dimension' and 'densityLevel'"
    for key in ("dimension", "densityLevel"):
        if not _positive_int(value.get(key)):
            return f"needs '{key}', an integer of at least 1, got {value.get(key)!r}"
    if value["densityLevel"] > value["dimension"]:
        return (
            f"needs 'densityLevel' to be at most 'dimension', got {value['densityLevel']} > "
            f"{value['dimension']}"
        )
    return None


@spec
class HashGNNConfig(EmbeddingConfig):
    """GDS's HashGNN keys; exactly one of ``featureProperties`` and ``generateFeatures``."""

    feature_properties: list[str] = option(
        "featureProperties",
        [],
        "node properties (numbers or lists) forming the input: values 0 or 1, or any numbers "
        "with binarizeFeatures",
    )
    iterations: int = option(
        "iterations", REQUIRED, "rounds of message passing (hops that shape an embedding)", min=1
    )
    embedding_density: int = option(
        "embeddingDensity",
        REQUIRED,
        "features sampled per node and iteration (K of the paper)",
        min=1,
    )
    heterogeneous: bool = option(
        "heterogeneous", False, "a separate neighbour hash per relationship type"
    )
    neighbor_influence: float = option(
        "neighborInfluence",
        1.0,
        "how often neighbours' features are sampled rather than the node's own",
        min=0.0,
    )
    binarize_features: dict[str, Any] | None = option(
        "binarizeFeatures",
        None,
        "{dimension, threshold (default 0)}: hyperplane rounding of featureProperties into "
        "dimension binary features",
        check=_binarize_check,
    )
    generate_features: dict[str, Any] | None = option(
        "generateFeatures",
        None,
        "{dimension, densityLevel}: random binary features (about densityLevel per node) "
        "instead of featureProperties",
        check=_generate_check,
    )
    output_dimension: int | None = option(
        "outputDimension",
        None,
        "densify the binary embeddings by a random projection to this many floats",
        min=1,
    )
    random_seed: int | None = option(
        "randomSeed", None, "seed; same seed => same embeddings on any device"
    )

    def check(self, mode: str) -> None:
        super().check(mode)
        if self.generate_features is not None and self.feature_properties:
            raise ConfigError(
                "config key 'generateFeatures' cannot be used with a non-empty "
                "'featureProperties': give one of them"
            )
        if self.generate_features is None and not self.feature_properties:
            raise ConfigError(
                "config key 'featureProperties' must name at least one node property when "
                "'generateFeatures' is not given"
            )
        if self.generate_features is not None and self.binarize_features is not None:
            raise ConfigError(
                "config key 'binarizeFeatures' rounds featureProperties; with "
                "'generateFeatures' there are none to round"
            )
        if self.heterogeneous and self.node_query is not None:
            raise ConfigError(
                "config key 'heterogeneous': a Cypher projection (nodeQuery, "
                "relationshipQuery) carries no relationship types; project a named graph with "
                "gml.graph.project and run on it"
            )

    def binary_dimension(self) -> int | None:
        """The binary dimension when the config fixes it (binarize or generate)."""
        given = self.generate_features or self.binarize_features
        return None if given is None else int(given["dimension"])


def _arc_types(graph: Graph, cfg: HashGNNConfig) -> Any:
    """The per-arc type indices of a heterogeneous run (``None``: one type)."""
    if not cfg.heterogeneous:
        return None
    if graph.arc_type_names:  # a named graph's view: its types are known
        return graph.arc_types
    named = [t for t in cfg.relationship_types if t != "*"]
    if len(named) == 1 and "*" not in cfg.relationship_types:
        return None
    raise ConfigError(
        "config key 'heterogeneous': a projection read from Neo4j merges its relationship "
        "types; project a named graph with gml.graph.project (its types are kept apart) and run "
        "on it, or name a single type in 'relationshipTypes'"
    )


def _hashgnn(graph: Graph, cfg: HashGNNConfig) -> NodeValues:
    arc_types = _arc_types(graph, cfg)
    features = feature_matrix(graph, cfg.feature_properties, "featureProperties")
    binarize = None
    if cfg.binarize_features is not None:
        b = cfg.binarize_features
        binarize = (int(b["dimension"]), float(b.get("threshold", 0.0)))
    generate = None
    if cfg.generate_features is not None:
        g = cfg.generate_features
        generate = (int(g["dimension"]), int(g["densityLevel"]))
    emb = hash_gnn(
        graph,
        iterations=cfg.iterations,
        embedding_density=cfg.embedding_density,
        features=features,
        binarize=binarize,
        generate=generate,
        neighbor_influence=cfg.neighbor_influence,
        heterogeneous=cfg.heterogeneous,
        arc_types=arc_types,
        output_dimension=cfg.output_dimension,
        random_seed=cfg.random_seed,
    )
    return NodeValues(emb, stats={"nodeCount": graph.num_nodes})


def _working_memory(cfg: Any, nodes: int, arcs: int) -> int:
    """Two ``bool[n, d + 1]`` vectors and one block of at most 2**24 rank cells (a few
    ``int64`` arrays of it) per sampling round block."""
    d = cfg.binary_dimension() or 64 * max(len(cfg.feature_properties), 1)
    cells = min(1 << 24, max(nodes * (min(d, cfg.embedding_density) + 1), arcs, 1))
    return 2 * nodes * (d + 1) + 6 * BYTES * cells


register(
    Procedure(
        name="hashgnn",
        description="HashGNN node embeddings: min-hash message passing over binary features "
        "(given, hyperplane-rounded or generated), per relationship type when heterogeneous; "
        "binary vectors, or dense with outputDimension (GDS semantics, no training).",
        category="embedding",
        column="embedding",
        column_type="floatList",
        weighted=False,
        config=HashGNNConfig,
        property_keys=("featureProperties",),
        stats_columns={"nodeCount": "int"},
        working_memory=_working_memory,
        compute=_hashgnn,
    )
)
