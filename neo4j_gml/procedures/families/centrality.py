"""Centrality procedures: a score per node."""

from __future__ import annotations

from typing import Any

import torch

from neo4j_gml.algorithms.centrality.betweenness import betweenness_centrality
from neo4j_gml.algorithms.centrality.biconnected import articulation_points, bridges
from neo4j_gml.algorithms.centrality.celf import celf
from neo4j_gml.algorithms.centrality.closeness import closeness_centrality, harmonic_centrality
from neo4j_gml.algorithms.centrality.degree import degree_centrality
from neo4j_gml.algorithms.centrality.eigenvector import eigenvector_centrality
from neo4j_gml.algorithms.centrality.hits import hits
from neo4j_gml.algorithms.centrality.kcore import core_numbers
from neo4j_gml.algorithms.centrality.pagerank import RankResult, article_rank, page_rank
from neo4j_gml.algorithms.centrality.scalers import SCALERS, scale
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures.config import REQUIRED, Key
from neo4j_gml.procedures.registry import NodeValues, Procedure, Rows, register

register(
    Procedure(
        name="degree",
        description="Degree centrality: number (or positive weight sum) of relationships per node "
        "in the projection's orientation (NATURAL = outgoing).",
        category="centrality",
        compute=lambda g, c: NodeValues(
            degree_centrality(g, weighted=c["relationshipWeightProperty"] is not None)
        ),
    )
)


# ---------------------------------------------------------------------------- shared pieces
def _weighted(cfg: dict[str, Any]) -> bool:
    return cfg["relationshipWeightProperty"] is not None


def _sources(graph: Graph, cfg: dict[str, Any], key: str = "sourceNodes") -> torch.Tensor | None:
    ids = cfg.get(key) or []
    if not ids:
        return None
    try:
        return graph.positions_of(ids)
    except KeyError as exc:
        raise ConfigError(f"config key '{key}': {exc.args[0]}") from None


def _scaled(result: RankResult, cfg: dict[str, Any]) -> NodeValues:
    return NodeValues(
        scale(result.scores, cfg["scaler"]),
        stats={"ranIterations": result.ran_iterations, "didConverge": result.did_converge},
    )


def _scaler_key() -> Key:
    return Key("scaler", "str", "NONE", "scale the scores: " + ", ".join(SCALERS), choices=SCALERS)


_ITERATION_STATS = {"ranIterations": "int", "didConverge": "bool"}


def _rank_keys(max_iterations: int = 20) -> tuple[Key, ...]:
    return (
        Key(
            "dampingFactor",
            "float",
            0.85,
            "probability of following a relationship",
            min=0.0,
            max=1.0,
            check=lambda v: "must be below 1" if v >= 1 else None,
        ),
        Key("maxIterations", "int", max_iterations, "supersteps, the first one included", min=1),
        Key(
            "tolerance",
            "float",
            1e-7,
            "a node stops sending once its change is at most this",
            min=0.0,
        ),
        Key("sourceNodes", "int_list", [], "Neo4j ids of the nodes to personalise on"),
        _scaler_key(),
    )


# ---------------------------------------------------------------------------- PageRank family
def _damped_rank(algorithm):  # noqa: ANN001, ANN202
    """The compute of a damped rank procedure (pageRank, articleRank): config -> kwargs, scaled."""
    return lambda g, c: _scaled(
        algorithm(
            g,
            damping_factor=c["dampingFactor"],
            max_iterations=c["maxIterations"],
            tolerance=c["tolerance"],
            weighted=_weighted(c),
            sources=_sources(g, c),
        ),
        c,
    )


register(
    Procedure(
        name="pageRank",
        description="PageRank, unnormalised and computed Pregel-style as GDS does (per-node "
        "halting, maxIterations supersteps); personalised with sourceNodes.",
        category="centrality",
        keys=_rank_keys(),
        stats_columns=_ITERATION_STATS,
        compute=_damped_rank(page_rank),
    )
)

register(
    Procedure(
        name="articleRank",
        description="ArticleRank: PageRank with messages divided by outDegree + average "
        "outDegree, which lowers the influence of low-degree nodes.",
        category="centrality",
        keys=_rank_keys(),
        stats_columns=_ITERATION_STATS,
        compute=_damped_rank(article_rank),
    )
)

register(
    Procedure(
        name="eigenvector",
        description="Eigenvector centrality by power iteration on A + I, L2-normalised each "
        "superstep, as GDS computes it.",
        category="centrality",
        keys=tuple(k for k in _rank_keys() if k.name != "dampingFactor"),
        stats_columns=_ITERATION_STATS,
        compute=lambda g, c: _scaled(
            eigenvector_centrality(
                g,
                max_iterations=c["maxIterations"],
                tolerance=c["tolerance"],
                weighted=_weighted(c),
                sources=_sources(g, c),
            ),
            c,
        ),
    )
)


def _hits(graph: Graph, cfg: dict[str, Any]) -> NodeValues:
    if cfg["authProperty"] == cfg["hubProperty"]:
        raise ConfigError("config keys 'authProperty' and 'hubProperty' must differ")
    result = hits(graph, iterations=cfg["hitsIterations"])
    return NodeValues(
        result.auth,
        extra={"auth": result.auth, "hub": result.hub},
        stats={"ranIterations": result.ran_iterations, "didConverge": False},
    )


register(
    Procedure(
        name="hits",
        description="HITS hubs and authorities (L2-normalised): score and auth are the authority "
        "score, hub the hub score; write mode also writes them to authProperty and hubProperty.",
        category="centrality",
        keys=(
            Key("hitsIterations", "int", 20, "rounds of authority and hub updates", min=1),
            Key("authProperty", "str", "auth", "name of the authority score column/property"),
            Key("hubProperty", "str", "hub", "name of the hub score column/property"),
        ),
        stats_columns=_ITERATION_STATS,
        extra_columns={"auth": "float", "hub": "float"},
        write_extra={"auth": "authProperty", "hub": "hubProperty"},
        weighted=False,
        compute=_hits,
    )
)


# ---------------------------------------------------------------------------- shortest paths
register(
    Procedure(
        name="betweenness",
        description="Betweenness centrality (Brandes, unnormalised): shortest paths through each "
        "node; weighted with relationshipWeightProperty; undirected counts each pair once.",
        category="centrality",
        keys=(
            Key(
                "samplingSize",
                "int?",
                None,
                "number of source nodes to sample (all if null)",
                min=0,
            ),
            Key("samplingSeed", "int?", None, "seed for choosing the sampled source nodes"),
        ),
        compute=lambda g, c: NodeValues(
            betweenness_centrality(
                g,
                weighted=_weighted(c),
                sampling_size=c["samplingSize"],
                sampling_seed=c["samplingSeed"],
            )
        ),
    )
)

register(
    Procedure(
        name="closeness",
        description="Closeness centrality over outgoing distances: (reachable - 1) / sum of "
        "distances, optionally with the Wasserman-Faust correction.",
        category="centrality",
        keys=(Key("useWassermanFaust", "bool", False, "scale by (reachable - 1) / (N - 1)"),),
        weighted=False,
        compute=lambda g, c: NodeValues(
            closeness_centrality(g, use_wasserman_faust=c["useWassermanFaust"])
        ),
    )
)

register(
    Procedure(
        name="closeness.harmonic",
        description="Harmonic centrality: sum of 1/distance to the nodes reached along "
        "outgoing relationships, divided by N - 1.",
        category="centrality",
        weighted=False,
        compute=lambda g, c: NodeValues(harmonic_centrality(g)),
    )
)


# ---------------------------------------------------------------------------- structure
register(
    Procedure(
        name="kcore",
        description="K-core decomposition: each node's core value, the largest k such that it "
        "lies in a subgraph where every node has at least k neighbours.",
        category="centrality",
        column="coreValue",
        column_type="int",
        stats_columns={"degeneracy": "int"},
        default_orientation="UNDIRECTED",
        weighted=False,
        compute=lambda g, c: _kcore(g),
    )
)


def _kcore(graph: Graph) -> NodeValues:
    core = core_numbers(graph)
    top = int(core.max()) if core.numel() else 0
    return NodeValues(core, stats={"degeneracy": top})


def _articulation_points(graph: Graph) -> NodeValues:
    cut = articulation_points(graph)
    return NodeValues(
        cut.to(torch.long), mask=cut, stats={"articulationPointCount": int(cut.sum())}
    )


register(
    Procedure(
        name="articulationPoints",
        description="Articulation points: nodes whose removal disconnects their component; "
        "stream and write cover only those nodes (articulationPoint = 1).",
        category="centrality",
        column="articulationPoint",
        column_type="int",
        stats_columns={"articulationPointCount": "int"},
        default_orientation="UNDIRECTED",
        weighted=False,
        compute=lambda g, c: _articulation_points(g),
    )
)


def _bridges(graph: Graph) -> Rows:
    source, target = bridges(graph)
    ids = graph.node_ids
    return Rows(
        {"from": ids[source].cpu().tolist(), "to": ids[target].cpu().tolist()},
        stats={"bridgeCount": int(source.numel())},
    )


register(
    Procedure(
        name="bridges",
        description="Bridges: relationships whose removal disconnects their component, "
        "streamed as from, to (Neo4j ids).",
        category="centrality",
        result="rows",
        rows_columns={"from": "int", "to": "int"},
        stats_columns={"bridgeCount": "int"},
        modes=("stream", "stats"),
        default_orientation="UNDIRECTED",
        weighted=False,
        compute=lambda g, c: _bridges(g),
    )
)


# ---------------------------------------------------------------------------- influence
def _celf(graph: Graph, cfg: dict[str, Any]) -> NodeValues:
    result = celf(
        graph,
        seed_set_size=cfg["seedSetSize"],
        monte_carlo_simulations=cfg["monteCarloSimulations"],
        propagation_probability=cfg["propagationProbability"],
        random_seed=cfg["randomSeed"],
    )
    n = graph.num_nodes
    spread = torch.zeros(n, dtype=torch.float64, device=graph.device)
    spread[result.seeds] = result.gains
    mask = torch.zeros(n, dtype=torch.bool, device=graph.device)
    mask[result.seeds] = True
    return NodeValues(spread, mask=mask, stats={"totalSpread": result.total_spread})


register(
    Procedure(
        name="influenceMaximization.celf",
        description="CELF influence maximisation under the independent cascade model: the "
        "seedSetSize nodes of greatest expected spread, each with its marginal spread.",
        category="centrality",
        column="spread",
        keys=(
            Key("seedSetSize", "int", REQUIRED, "number of seed nodes to choose", min=1),
            Key("monteCarloSimulations", "int", 100, "cascades simulated per estimate", min=1),
            Key(
                "propagationProbability",
                "float",
                0.1,
                "chance that an active node activates a neighbour",
                min=0.0,
                max=1.0,
            ),
            Key("randomSeed", "int?", None, "seed of the simulated cascades"),
        ),
        stats_columns={"totalSpread": "float"},
        weighted=False,
        compute=_celf,
    )
)
