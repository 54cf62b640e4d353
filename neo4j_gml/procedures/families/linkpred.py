"""Link prediction procedures: topological pair scores and candidate generation.

``linkScore`` scores given node pairs with one topological ``measure`` (GDS's
``gds.alpha.linkprediction.*`` functions); the pairs come from ``pairs`` (``[[source, target],
...]``, Neo4j ids), from ``sourceNodes``/``targetNodes`` (paired element by element), or from
``pairsQuery`` (Cypher returning ``source`` and ``target``, run by the runner with
``parameters``). Pairs with a node outside the projection are an error naming them, unless
``skipMissingPairs`` is set; the stats row reports their number as ``missingPairs``.

``linkCandidates`` gives, for every node (or ``sourceNodes``), its ``topK`` best non-adjacent
nodes within two hops. In write mode the earlier relationships of ``writeRelationshipType`` are
deleted first, so a rerun replaces the previous candidates instead of adding to them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch

from neo4j_gml.algorithms.linkpred import adjacency
from neo4j_gml.algorithms.linkpred.topological import link_scores, two_hop_candidates
from neo4j_gml.graph import Graph
from neo4j_gml.procedures.config import ConfigError, Key
from neo4j_gml.procedures.registry import Procedure, RelationshipValues, register

# user-facing measure name -> algorithm constant
MEASURE_NAMES = {
    "adamicAdar": "ADAMIC_ADAR",
    "commonNeighbors": "COMMON_NEIGHBORS",
    "preferentialAttachment": "PREFERENTIAL_ATTACHMENT",
    "resourceAllocation": "RESOURCE_ALLOCATION",
    "sameCommunity": "SAME_COMMUNITY",
    "totalNeighbors": "TOTAL_NEIGHBORS",
}

_MEASURE_KEY = Key(
    "measure",
    "str",
    "adamicAdar",
    "adamicAdar, commonNeighbors, preferentialAttachment, resourceAllocation, sameCommunity "
    "or totalNeighbors",
    choices=tuple(MEASURE_NAMES),
)
_COMMUNITY_KEY = Key(
    "communityProperty", "str", "community", "node property read by measure sameCommunity"
)


@dataclass(frozen=True)
class _TopologicalProcedure(Procedure):
    """Loads the community property only for ``sameCommunity``."""

    def node_properties_needed(self, cfg: Mapping[str, Any]) -> list[str]:
        if cfg.get("measure") == "sameCommunity":
            return [cfg["communityProperty"]]
        return []


def _community(graph: Graph, cfg: dict) -> torch.Tensor | None:
    if cfg["measure"] != "sameCommunity":
        return None
    name = cfg["communityProperty"]
    if name not in graph.node_properties:
        raise ConfigError(f"config key 'communityProperty': node property '{name}' was not loaded")
    values = graph.node_properties[name]
    if values.ndim != 1:
        raise ConfigError(f"config key 'communityProperty': '{name}' must be a scalar property")
    return values


def _requested_pairs(cfg: dict) -> tuple[list[int], list[int]]:
    """The Neo4j ids of the requested pairs, from ``pairs`` or ``sourceNodes``/``targetNodes``."""
    pairs = cfg.get("pairs")
    sources, targets = cfg["sourceNodes"], cfg["targetNodes"]
    if pairs is not None:
        if sources or targets:
            raise ConfigError(
                "give pairs either as 'pairs' / 'pairsQuery' or as 'sourceNodes' and "
                "'targetNodes', not both"
            )
        try:
            a = [int(p[0]) for p in pairs]
            b = [int(p[1]) for p in pairs]
        except (TypeError, ValueError, IndexError, KeyError):
            raise ConfigError(
                "config key 'pairs' must be a list of [source, target] node ids"
            ) from None
        if any(len(p) != 2 for p in pairs):
            raise ConfigError("config key 'pairs' must be a list of [source, target] node ids")
        return a, b
    if len(sources) != len(targets):
        raise ConfigError(
            f"config keys 'sourceNodes' ({len(sources)} ids) and 'targetNodes' "
            f"({len(targets)} ids) must have the same length: they are paired element by element"
        )
    if not sources and cfg.get("pairsQuery") is None:
        raise ConfigError("linkScore needs 'pairs', 'pairsQuery' or 'sourceNodes'/'targetNodes'")
    return list(sources), list(targets)


def _positions(graph: Graph, ids: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
    """Positions of ``ids`` (``-1`` where missing) and a mask of the found ones."""
    device = graph.device
    if not ids or graph.num_nodes == 0:
        pos = torch.full((len(ids),), -1, dtype=torch.int64, device=device)
        return pos, pos >= 0
    query = torch.as_tensor(ids, dtype=torch.int64, device=device)
    order = torch.argsort(graph.node_ids)
    sorted_ids = graph.node_ids[order]
    where = torch.searchsorted(sorted_ids, query).clamp_(max=sorted_ids.numel() - 1)
    found = sorted_ids[where] == query
    pos = torch.where(found, order[where], torch.full_like(query, -1))
    return pos, found


def _link_score(graph: Graph, cfg: dict) -> RelationshipValues:
    a_ids, b_ids = _requested_pairs(cfg)
    a, found_a = _positions(graph, a_ids)
    b, found_b = _positions(graph, b_ids)
    found = found_a & found_b
    missing = int((~found).sum())
    if missing and not cfg["skipMissingPairs"]:
        bad = [(a_ids[i], b_ids[i]) for i in torch.nonzero(~found).flatten()[:5].tolist()]
        raise ConfigError(
            f"{missing} pair(s) name nodes that are not in the projection, e.g. {bad}; "
            "set 'skipMissingPairs: true' to leave them out"
        )
    a, b = a[found], b[found]
    adj = adjacency.from_graph(graph)
    scores = link_scores(adj, a, b, MEASURE_NAMES[cfg["measure"]], community=_community(graph, cfg))
    return RelationshipValues(
        a, b, scores, stats={"pairCount": int(a.numel()), "missingPairs": missing}
    )


register(
    _TopologicalProcedure(
        name="linkScore",
        description="Topological link score (GDS's gds.alpha.linkprediction functions) of given "
        "node pairs: adamicAdar, commonNeighbors, preferentialAttachment, resourceAllocation, "
        "sameCommunity, totalNeighbors; neighbours in both directions.",
        category="linkpred",
        result="relationship",
        relationship_columns=("source", "target"),
        column="score",
        modes=("stream", "stats"),
        weighted=False,
        default_orientation="UNDIRECTED",
        pairs_query_key="pairsQuery",
        keys=(
            _MEASURE_KEY,
            Key("pairs", "any", None, "node pairs as [[source, target], ...] (Neo4j ids)"),
            Key(
                "pairsQuery",
                "str?",
                None,
                "Cypher returning source and target (Neo4j ids); run with 'parameters'",
            ),
            Key("sourceNodes", "int_list", [], "first node of each pair (with targetNodes)"),
            Key("targetNodes", "int_list", [], "second node of each pair (with sourceNodes)"),
            Key(
                "skipMissingPairs",
                "bool",
                False,
                "leave out pairs with a node outside the projection instead of failing",
            ),
            _COMMUNITY_KEY,
        ),
        stats_columns={"pairCount": "int", "missingPairs": "int"},
        compute=_link_score,
    )
)


def _link_candidates(graph: Graph, cfg: dict) -> RelationshipValues:
    sources = None
    if cfg["sourceNodes"]:
        try:
            sources = graph.positions_of(cfg["sourceNodes"])
        except KeyError as exc:
            raise ConfigError(
                f"config key 'sourceNodes': node id {exc.args[0] if exc.args else ''} is not in "
                "the graph"
            ) from None
        sources = torch.unique(sources.to(graph.device))
    adj = adjacency.from_graph(graph)
    s, t, v = two_hop_candidates(
        adj,
        MEASURE_NAMES[cfg["measure"]],
        cfg["topK"],
        sources=sources,
        community=_community(graph, cfg),
    )
    return RelationshipValues(s, t, v, stats={"candidateCount": int(s.numel())})


register(
    _TopologicalProcedure(
        name="linkCandidates",
        description="Candidate links: for every node (or sourceNodes) its topK best-scoring "
        "non-adjacent nodes within two hops; write mode replaces the earlier relationships of "
        "writeRelationshipType.",
        category="linkpred",
        result="relationship",
        column="score",
        weighted=False,
        default_orientation="UNDIRECTED",
        replace_relationships=True,
        keys=(
            _MEASURE_KEY,
            Key("topK", "int", 10, "candidates per source node", min=1),
            Key("sourceNodes", "int_list", [], "generate for these nodes only (default: all)"),
            _COMMUNITY_KEY,
        ),
        stats_columns={"candidateCount": "int"},
        compute=_link_candidates,
    )
)
