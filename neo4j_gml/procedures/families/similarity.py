"""Similarity procedures: a similarity per node pair (``node1``, ``node2``, ``similarity``).

Each procedure has a typed config class (:mod:`neo4j_gml.procedures.spec`); ``compute``
receives an instance of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch

from neo4j_gml.algorithms.similarity.knn import METRICS as KNN_METRICS
from neo4j_gml.algorithms.similarity.knn import knn
from neo4j_gml.algorithms.similarity.knn_descent import (
    AUTO_EXACT_MAX_NODES as KNN_AUTO_EXACT_MAX_NODES,
)
from neo4j_gml.algorithms.similarity.knn_descent import knn_descent
from neo4j_gml.algorithms.similarity.knn_filtered import filtered_knn
from neo4j_gml.algorithms.similarity.node_similarity import METRICS as NS_METRICS
from neo4j_gml.algorithms.similarity.node_similarity import node_similarity
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures.registry import Procedure, RelationshipValues, register
from neo4j_gml.procedures.spec import RelationshipConfig, option

spec = dataclass(frozen=True, kw_only=True, eq=False)


def _at_least_one(v: int | None) -> str | None:
    return None if v is None or v >= 1 else f"must be at least 1, got {v}"


def knn_properties(graph: Graph, spec: object) -> list[tuple[torch.Tensor, str]]:
    """``(values, metric)`` per property named by the ``nodeProperties`` config value.

    ``spec`` is a name, a list of names, or a map ``name -> metric`` (GDS style; a map value
    that is itself a map, as in a projection's ``{defaultValue: v}``, means the default metric).
    NaN values or unknown metrics raise :class:`ConfigError` naming ``nodeProperties``.
    """
    if isinstance(spec, str):
        pairs = [(spec, "DEFAULT")]
    elif isinstance(spec, Mapping):
        pairs = [(k, v if isinstance(v, str) else "DEFAULT") for k, v in spec.items()]
    elif isinstance(spec, list | tuple):
        pairs = [(k, "DEFAULT") for k in spec]
    else:
        pairs = []
    if not pairs or not all(isinstance(k, str) for k, _ in pairs):
        raise ConfigError(
            "config key 'nodeProperties' must name the properties to compare (a name, a list "
            "of names, or a map name -> metric)"
        )
    out = []
    for name, metric in pairs:
        metric = metric.upper()
        if metric not in KNN_METRICS:
            raise ConfigError(
                f"config key 'nodeProperties': unknown metric {metric!r} for '{name}'; "
                f"valid metrics are {list(KNN_METRICS)}"
            )
        if name not in graph.node_properties:
            raise ConfigError(f"config key 'nodeProperties': node property '{name}' was not loaded")
        values = graph.node_properties[name]
        if torch.isnan(values).any():
            raise ConfigError(f"config key 'nodeProperties': node property '{name}' contains NaN")
        out.append((values, metric))
    return out


_NND = "NN-Descent only: "


@spec
class KnnConfig(RelationshipConfig):
    top_k: int = option(
        "topK", 10, "neighbours per node (more than n - 1 gives n - 1)", check=_at_least_one
    )
    similarity_cutoff: float = option(
        "similarityCutoff", 0.0, "drop pairs less similar than this", min=0.0, max=1.0
    )
    method: str = option(
        "method",
        "AUTO",
        f"AUTO: EXACT up to {KNN_AUTO_EXACT_MAX_NODES:,} nodes, NN_DESCENT above; EXACT: "
        "all pairs, O(n^2 d); NN_DESCENT: GDS's approximate algorithm (Dong et al. 2011)",
        choices=("AUTO", "EXACT", "NN_DESCENT"),
    )
    sample_rate: float = option(
        "sampleRate",
        0.5,
        _NND + "share of a node's k neighbours (and reverse neighbours) sampled per "
        "iteration for the local join",
        min=0.0,
        max=1.0,
        min_exclusive=True,
    )
    delta_threshold: float = option(
        "deltaThreshold",
        0.001,
        _NND + "stop when an iteration changes fewer than deltaThreshold * topK * n "
        "neighbour entries",
        min=0.0,
        max=1.0,
    )
    max_iterations: int = option("maxIterations", 100, _NND + "iterations at most", min=1)
    random_joins: int = option(
        "randomJoins", 10, _NND + "random nodes compared with each node per iteration", min=0
    )
    perturbation_rate: float = option(
        "perturbationRate",
        0.0,
        _NND + "probability that an equally similar node replaces the least similar neighbour",
        min=0.0,
        max=1.0,
    )
    initial_sampler: str = option(
        "initialSampler",
        "UNIFORM",
        _NND + "initial neighbours: UNIFORM random nodes, or RANDOMWALK (nodes met on a "
        "random walk over the projected relationships, then uniform)",
        choices=("UNIFORM", "RANDOMWALK"),
    )
    random_seed: int | None = option(
        "randomSeed",
        None,
        _NND + "seed of the random choices (same seed and device: same result)",
    )


def _knn(
    graph: Graph,
    cfg: KnnConfig,
    filters: tuple[torch.Tensor | None, torch.Tensor | None, bool] | None = None,
) -> RelationshipValues:
    props = knn_properties(graph, cfg.node_properties)
    n = graph.num_nodes
    source_mask, target_mask, seed = filters or (None, None, False)
    method = cfg.method
    if method == "AUTO":
        method = "EXACT" if n <= KNN_AUTO_EXACT_MAX_NODES else "NN_DESCENT"
    if method == "EXACT":
        if filters is None:
            src, dst, sim = knn(props, cfg.top_k, similarity_cutoff=cfg.similarity_cutoff)
            pairs = n * (n - 1)
        else:
            src, dst, sim, pairs = filtered_knn(
                props,
                cfg.top_k,
                source_mask=source_mask,
                target_mask=target_mask,
                seed_target_nodes=seed,
                similarity_cutoff=cfg.similarity_cutoff,
            )
        stats = {
            "nodesCompared": n,
            "nodePairsConsidered": pairs,
            "ranIterations": 1 if n > 1 else 0,
            "didConverge": True,
        }
    else:
        src, dst, sim, stats = knn_descent(
            props,
            cfg.top_k,
            similarity_cutoff=cfg.similarity_cutoff,
            sample_rate=cfg.sample_rate,
            delta_threshold=cfg.delta_threshold,
            max_iterations=cfg.max_iterations,
            random_joins=cfg.random_joins,
            perturbation_rate=cfg.perturbation_rate,
            initial_sampler=cfg.initial_sampler,
            graph_csr=(graph.indptr, graph.indices),
            random_seed=cfg.random_seed,
            source_mask=source_mask,
            target_mask=target_mask,
            seed_target_nodes=seed,
        )
    return RelationshipValues(src, dst, sim, stats=stats)


_KNN_STATS = {
    "nodesCompared": "int",
    "nodePairsConsidered": "int",
    "ranIterations": "int",
    "didConverge": "bool",
}


register(
    Procedure(
        name="knn",
        description="K-nearest neighbours by node-property similarity (GDS metrics: scalar "
        "1/(1+|a-b|), COSINE, EUCLIDEAN, PEARSON, JACCARD, OVERLAP; several averaged). "
        "Properties and metrics come from 'nodeProperties' (names or a map name -> metric). "
        f"'method' AUTO (default) computes the exact result up to {KNN_AUTO_EXACT_MAX_NODES:,} "
        "nodes and runs GDS's approximate NN-Descent above; EXACT or NN_DESCENT force one.",
        category="similarity",
        result="relationship",
        column="similarity",
        column_type="float",
        relationship_columns=("node1", "node2"),
        weighted=False,
        config=KnnConfig,
        stats_columns=_KNN_STATS,
        compute=_knn,
    )
)


@spec
class NodeSimilarityConfig(RelationshipConfig):
    similarity_metric: str = option(
        "similarityMetric", "JACCARD", "JACCARD, OVERLAP or COSINE", choices=NS_METRICS
    )
    top_k: int = option("topK", 10, "best pairs kept per node", check=_at_least_one)
    bottom_k: int | None = option(
        "bottomK", None, "keep each node's worst pairs instead", check=_at_least_one
    )
    top_n: int = option("topN", 0, "best pairs kept overall (0 = all)", min=0)
    bottom_n: int | None = option("bottomN", None, "keep the worst pairs overall instead", min=0)
    degree_cutoff: int = option("degreeCutoff", 1, "least out-degree of a compared node", min=1)
    upper_degree_cutoff: int | None = option(
        "upperDegreeCutoff", None, "greatest out-degree of a compared node", min=1
    )
    similarity_cutoff: float = option(
        "similarityCutoff", 1e-42, "drop pairs less similar than this", min=0.0, max=1.0
    )

    def check(self, mode: str) -> None:
        super().check(mode)
        if self.bottom_k is not None and self.top_k != 10:
            raise ConfigError("config keys 'topK' and 'bottomK' cannot be given together")
        if self.bottom_n is not None and self.top_n != 0:
            raise ConfigError("config keys 'topN' and 'bottomN' cannot be given together")
        udc = self.upper_degree_cutoff
        if udc is not None and udc < self.degree_cutoff:
            raise ConfigError("config key 'upperDegreeCutoff' must not be below 'degreeCutoff'")


def _node_similarity(
    graph: Graph,
    cfg: NodeSimilarityConfig,
    filters: tuple[torch.Tensor | None, torch.Tensor | None] = (None, None),
) -> RelationshipValues:
    weighted = cfg.relationship_weight_property is not None
    if weighted and graph.weights is not None and bool((graph.weights < 0).any()):
        raise ConfigError("config key 'relationshipWeightProperty': negative weights")
    src, dst, sim, compared = node_similarity(
        graph,
        metric=cfg.similarity_metric,
        weighted=weighted,
        top_k=cfg.top_k,
        bottom_k=cfg.bottom_k,
        top_n=cfg.top_n,
        bottom_n=cfg.bottom_n,
        degree_cutoff=cfg.degree_cutoff,
        upper_degree_cutoff=cfg.upper_degree_cutoff,
        similarity_cutoff=cfg.similarity_cutoff,
        source_mask=filters[0],
        target_mask=filters[1],
    )
    return RelationshipValues(src, dst, sim, stats={"nodesCompared": compared})


register(
    Procedure(
        name="nodeSimilarity",
        description="Similarity of out-neighbour sets (JACCARD, OVERLAP or COSINE; weighted "
        "sum-min/sum-max), each pair in both directions, topK per node.",
        category="similarity",
        result="relationship",
        column="similarity",
        column_type="float",
        relationship_columns=("node1", "node2"),
        config=NodeSimilarityConfig,
        stats_columns={"nodesCompared": "int"},
        compute=_node_similarity,
    )
)


# ---------------------------------------------------------------------------- node filters
_FILTER_DOC = (
    "a node id, a list of node ids (or nodes), or a node label of the graph; an empty list "
    "filters nothing"
)


def _is_id(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _filter_value(value: Any) -> str | None:
    """GDS's ``NodeFilterSpecFactory`` kinds: a label, a node id, a list of node ids (the
    plugin sends nodes as their ids)."""
    if value is None or isinstance(value, str) or _is_id(value):
        return None
    if isinstance(value, list | tuple):
        bad = sorted({type(v).__name__ for v in value if not _is_id(v)})
        return f"must hold node ids or nodes only, found {bad}" if bad else None
    return f"must be {_FILTER_DOC}, got {type(value).__name__} {value!r}"[:200]


def node_filter(graph: Graph, value: Any, key: str) -> torch.Tensor | None:
    """``bool[n]`` of the nodes the filter ``value`` of config ``key`` lets through, or
    ``None`` for no filter (``None`` or an empty list, as GDS).

    A label must be one of the graph's node labels (a named graph's view knows every label of
    the graph, as GDS checks them); node ids must all be in the graph. Otherwise
    :class:`ConfigError` naming ``key``.
    """
    if value is None or (isinstance(value, list | tuple) and not value):
        return None
    if isinstance(value, str):
        if value not in graph.node_labels:
            raise ConfigError(
                f"config key '{key}': the node label '{value}' is missing from the graph; its "
                f"labels: {sorted(graph.node_labels) or 'none known (a named graph has them)'}"
            )
        return graph.node_labels[value].to(graph.device)
    ids = [value] if _is_id(value) else list(value)
    wanted = torch.as_tensor(ids, dtype=torch.long)
    known = torch.isin(wanted, graph.node_ids.cpu())
    if not bool(known.all()):
        missing = sorted(set(wanted[~known].tolist()))[:10]
        raise ConfigError(f"config key '{key}': nodes missing from the graph: {missing}")
    mask = torch.zeros(graph.num_nodes, dtype=torch.bool, device=graph.device)
    mask[graph.positions_of(ids)] = True
    return mask


def _filter_option(key: str, what: str) -> Any:
    return option(key, None, f"{what}: {_FILTER_DOC}", kind="any", check=_filter_value)


@spec
class FilteredKnnConfig(KnnConfig):
    source_node_filter: Any = _filter_option("sourceNodeFilter", "the nodes that get neighbours")
    target_node_filter: Any = _filter_option("targetNodeFilter", "the nodes that may be neighbours")
    seed_target_nodes: bool = option(
        "seedTargetNodes",
        False,
        "with targetNodeFilter: start every node's list with the first topK + 1 target nodes "
        "and ignore similarityCutoff, so that each node gets topK neighbours where there are",
    )


def _filtered_knn(graph: Graph, cfg: FilteredKnnConfig) -> RelationshipValues:
    sources = node_filter(graph, cfg.source_node_filter, "sourceNodeFilter")
    targets = node_filter(graph, cfg.target_node_filter, "targetNodeFilter")
    return _knn(graph, cfg, (sources, targets, cfg.seed_target_nodes))


register(
    Procedure(
        name="knn.filtered",
        description="kNN (as knn) with node filters, as GDS's knn.filtered: only nodes of "
        "'sourceNodeFilter' get neighbours, only nodes of 'targetNodeFilter' can be one (a "
        "label, node ids or nodes); 'seedTargetNodes' fills every list to topK.",
        category="similarity",
        result="relationship",
        column="similarity",
        column_type="float",
        relationship_columns=("node1", "node2"),
        weighted=False,
        config=FilteredKnnConfig,
        stats_columns=_KNN_STATS,
        compute=_filtered_knn,
    )
)


@spec
class FilteredNodeSimilarityConfig(NodeSimilarityConfig):
    source_node_filter: Any = _filter_option("sourceNodeFilter", "the nodes that get results")
    target_node_filter: Any = _filter_option(
        "targetNodeFilter", "the nodes that may be a result's node2"
    )


def _filtered_node_similarity(
    graph: Graph, cfg: FilteredNodeSimilarityConfig
) -> RelationshipValues:
    sources = node_filter(graph, cfg.source_node_filter, "sourceNodeFilter")
    targets = node_filter(graph, cfg.target_node_filter, "targetNodeFilter")
    return _node_similarity(graph, cfg, (sources, targets))


register(
    Procedure(
        name="nodeSimilarity.filtered",
        description="Node similarity (as nodeSimilarity) with node filters, as GDS's "
        "nodeSimilarity.filtered: pairs from nodes of 'sourceNodeFilter' to nodes of "
        "'targetNodeFilter' (a label, node ids or nodes), topK per source node.",
        category="similarity",
        result="relationship",
        column="similarity",
        column_type="float",
        relationship_columns=("node1", "node2"),
        config=FilteredNodeSimilarityConfig,
        stats_columns={"nodesCompared": "int"},
        compute=_filtered_node_similarity,
    )
)
