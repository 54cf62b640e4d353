"""Centrality procedures: a score per node.

Each procedure has a typed config class (:mod:`neo4j_gml.procedures.spec`); ``compute``
receives an instance of it.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from neo4j_gml.algorithms.centrality.betweenness import betweenness_centrality
from neo4j_gml.algorithms.centrality.biconnected import articulation_points, bridges
from neo4j_gml.algorithms.centrality.celf import celf
from neo4j_gml.algorithms.centrality.closeness import closeness_centrality, harmonic_centrality
from neo4j_gml.algorithms.centrality.critical import METHODS as CRITICAL_METHODS
from neo4j_gml.algorithms.centrality.critical import critical_nodes
from neo4j_gml.algorithms.centrality.degree import degree_centrality
from neo4j_gml.algorithms.centrality.eigenvector import eigenvector_centrality
from neo4j_gml.algorithms.centrality.hits import hits
from neo4j_gml.algorithms.centrality.katz import katz_centrality
from neo4j_gml.algorithms.centrality.kcore import core_numbers
from neo4j_gml.algorithms.centrality.pagerank import RankResult, article_rank, page_rank
from neo4j_gml.algorithms.centrality.scalers import SCALERS, scale
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures.config import REQUIRED
from neo4j_gml.procedures.estimate import linear_memory
from neo4j_gml.procedures.registry import NodeValues, Procedure, Rows, register
from neo4j_gml.procedures.spec import NodeConfig, ProcedureConfig, option

spec = dataclass(frozen=True, kw_only=True, eq=False)


# ---------------------------------------------------------------------------- shared pieces
def _weighted(cfg: ProcedureConfig) -> bool:
    return cfg.relationship_weight_property is not None


def _sources(graph: Graph, ids: list[int], key: str = "sourceNodes") -> torch.Tensor | None:
    if not ids:
        return None
    try:
        return graph.positions_of(ids)
    except KeyError as exc:
        raise ConfigError(f"config key '{key}': {exc.args[0]}") from None


_ITERATION_STATS = {"ranIterations": "int", "didConverge": "bool"}


@spec
class DegreeConfig(NodeConfig):
    """Degree centrality: no keys of its own."""


register(
    Procedure(
        name="degree",
        description="Degree centrality: number (or positive weight sum) of relationships per node "
        "in the projection's orientation (NATURAL = outgoing).",
        category="centrality",
        config=DegreeConfig,
        working_memory=linear_memory(2),
        compute=lambda g, c: NodeValues(degree_centrality(g, weighted=_weighted(c))),
    )
)


@spec
class IterativeConfig(NodeConfig):
    """Power-iteration keys shared by eigenvector, pageRank and articleRank."""

    max_iterations: int = option("maxIterations", 20, "supersteps, the first one included", min=1)
    tolerance: float = option(
        "tolerance", 1e-7, "a node stops sending once its change is at most this", min=0.0
    )
    source_nodes: list[int] = option("sourceNodes", [], "Neo4j ids of the nodes to personalise on")
    scaler: str = option(
        "scaler", "NONE", "scale the scores: " + ", ".join(SCALERS), choices=SCALERS
    )


@spec
class RankConfig(IterativeConfig):
    """pageRank and articleRank."""

    damping_factor: float = option(
        "dampingFactor",
        0.85,
        "probability of following a relationship",
        min=0.0,
        max=1.0,
        check=lambda v: "must be below 1" if v >= 1 else None,
    )


def _scaled(result: RankResult, cfg: IterativeConfig) -> NodeValues:
    return NodeValues(
        scale(result.scores, cfg.scaler),
        stats={"ranIterations": result.ran_iterations, "didConverge": result.did_converge},
    )


# ---------------------------------------------------------------------------- PageRank family
def _damped_rank(algorithm):  # noqa: ANN001, ANN202
    """The compute of a damped rank procedure (pageRank, articleRank): config -> kwargs, scaled."""

    def compute(graph: Graph, cfg: RankConfig) -> NodeValues:
        result = algorithm(
            graph,
            damping_factor=cfg.damping_factor,
            max_iterations=cfg.max_iterations,
            tolerance=cfg.tolerance,
            weighted=_weighted(cfg),
            sources=_sources(graph, cfg.source_nodes),
        )
        return _scaled(result, cfg)

    return compute


register(
    Procedure(
        name="pageRank",
        description="PageRank, unnormalised and computed Pregel-style as GDS does (per-node "
        "halting, maxIterations supersteps); personalised with sourceNodes.",
        category="centrality",
        config=RankConfig,
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
        config=RankConfig,
        stats_columns=_ITERATION_STATS,
        compute=_damped_rank(article_rank),
    )
)


def _eigenvector(graph: Graph, cfg: IterativeConfig) -> NodeValues:
    result = eigenvector_centrality(
        graph,
        max_iterations=cfg.max_iterations,
        tolerance=cfg.tolerance,
        weighted=_weighted(cfg),
        sources=_sources(graph, cfg.source_nodes),
    )
    return _scaled(result, cfg)


register(
    Procedure(
        name="eigenvector",
        description="Eigenvector centrality by power iteration on A + I, L2-normalised each "
        "superstep, as GDS computes it.",
        category="centrality",
        config=IterativeConfig,
        stats_columns=_ITERATION_STATS,
        compute=_eigenvector,
    )
)


@spec
class KatzConfig(NodeConfig):
    alpha: float = option(
        "alpha", 0.1, "attenuation of each further step of a walk", min=0.0, min_exclusive=True
    )
    beta: float = option("beta", 1.0, "every node's base score")
    max_iterations: int = option("maxIterations", 1000, "most supersteps", min=1)
    tolerance: float = option(
        "tolerance", 1e-6, "stop once the summed change is below nodeCount * tolerance", min=0.0
    )
    normalized: bool = option("normalized", True, "scale the scores to unit L2 norm")


def _katz(graph: Graph, cfg: KatzConfig) -> NodeValues:
    result = katz_centrality(
        graph,
        alpha=cfg.alpha,
        beta=cfg.beta,
        max_iterations=cfg.max_iterations,
        tolerance=cfg.tolerance,
        normalized=cfg.normalized,
        weighted=_weighted(cfg),
    )
    return NodeValues(
        result.scores,
        stats={"ranIterations": result.ran_iterations, "didConverge": result.did_converge},
    )


register(
    Procedure(
        name="katz",
        description="Katz centrality: attenuated counts of the walks ending at each node "
        "(alpha per step, beta per node), as NetworkX computes it; L2-normalised by default.",
        category="centrality",
        config=KatzConfig,
        stats_columns=_ITERATION_STATS,
        compute=_katz,
    )
)


@spec
class HitsConfig(NodeConfig):
    hits_iterations: int = option(
        "hitsIterations", 20, "rounds of authority and hub updates", min=1
    )
    auth_property: str = option(
        "authProperty", "auth", "name of the authority score column/property"
    )
    hub_property: str = option("hubProperty", "hub", "name of the hub score column/property")

    def check(self, mode: str) -> None:
        super().check(mode)
        if self.auth_property == self.hub_property:
            raise ConfigError("config keys 'authProperty' and 'hubProperty' must differ")


def _hits(graph: Graph, cfg: HitsConfig) -> NodeValues:
    result = hits(graph, iterations=cfg.hits_iterations)
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
        config=HitsConfig,
        stats_columns=_ITERATION_STATS,
        extra_columns={"auth": "float", "hub": "float"},
        write_extra={"auth": "authProperty", "hub": "hubProperty"},
        weighted=False,
        compute=_hits,
    )
)


# ---------------------------------------------------------------------------- shortest paths
@spec
class BetweennessConfig(NodeConfig):
    sampling_size: int | None = option(
        "samplingSize", None, "number of source nodes to sample (all if null)", min=0
    )
    sampling_seed: int | None = option(
        "samplingSeed", None, "seed for choosing the sampled source nodes"
    )


register(
    Procedure(
        name="betweenness",
        description="Betweenness centrality (Brandes, unnormalised): shortest paths through each "
        "node; weighted with relationshipWeightProperty; undirected counts each pair once.",
        category="centrality",
        config=BetweennessConfig,
        compute=lambda g, c: NodeValues(
            betweenness_centrality(
                g,
                weighted=_weighted(c),
                sampling_size=c.sampling_size,
                sampling_seed=c.sampling_seed,
            )
        ),
    )
)


@spec
class ClosenessConfig(NodeConfig):
    use_wasserman_faust: bool = option(
        "useWassermanFaust", False, "scale by (reachable - 1) / (N - 1)"
    )


register(
    Procedure(
        name="closeness",
        description="Closeness centrality over outgoing distances: (reachable - 1) / sum of "
        "distances, optionally with the Wasserman-Faust correction.",
        category="centrality",
        config=ClosenessConfig,
        weighted=False,
        compute=lambda g, c: NodeValues(
            closeness_centrality(g, use_wasserman_faust=c.use_wasserman_faust)
        ),
    )
)

register(
    Procedure(
        name="closeness.harmonic",
        description="Harmonic centrality: sum of 1/distance to the nodes reached along "
        "outgoing relationships, divided by N - 1.",
        category="centrality",
        config=DegreeConfig,
        working_memory=linear_memory(2),
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
        config=DegreeConfig,
        working_memory=linear_memory(2),
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
        config=DegreeConfig,
        working_memory=linear_memory(2),
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
        config=DegreeConfig,
        working_memory=linear_memory(2),
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
@spec
class CelfConfig(NodeConfig):
    seed_set_size: int = option("seedSetSize", REQUIRED, "number of seed nodes to choose", min=1)
    monte_carlo_simulations: int = option(
        "monteCarloSimulations", 100, "cascades simulated per estimate", min=1
    )
    propagation_probability: float = option(
        "propagationProbability",
        0.1,
        "chance that an active node activates a neighbour",
        min=0.0,
        max=1.0,
    )
    random_seed: int | None = option("randomSeed", None, "seed of the simulated cascades")


def _celf(graph: Graph, cfg: CelfConfig) -> NodeValues:
    result = celf(
        graph,
        seed_set_size=cfg.seed_set_size,
        monte_carlo_simulations=cfg.monte_carlo_simulations,
        propagation_probability=cfg.propagation_probability,
        random_seed=cfg.random_seed,
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
        config=CelfConfig,
        stats_columns={"totalSpread": "float"},
        weighted=False,
        compute=_celf,
    )
)


# ---------------------------------------------------------------------------- attack-aware
@spec
class CriticalNodesConfig(NodeConfig):
    budget: int = option("budget", REQUIRED, "nodes the attacker may perturb", min=1)
    method: str = option(
        "method", "GC_RWCS", "GC_RWCS (greedily corrected) or RWCS", choices=CRITICAL_METHODS
    )
    steps: int = option("steps", 2, "random-walk steps: the attacked GNN's layers", min=1)
    top: int = option(
        "top", 10, "GC_RWCS: a node is influenced by the top entries of its walk row", min=1
    )
    coverage: int = option(
        "coverage", 1, "GC_RWCS: picks that may influence a node before it stops counting", min=1
    )


def _critical_nodes(graph: Graph, cfg: CriticalNodesConfig) -> NodeValues:
    found = critical_nodes(
        graph, cfg.budget, method=cfg.method, steps=cfg.steps, top=cfg.top, coverage=cfg.coverage
    )
    n = graph.num_nodes
    score = torch.zeros(n, dtype=torch.float64, device=graph.device)
    score[found.nodes] = found.scores
    rank = torch.zeros(n, dtype=torch.long, device=graph.device)
    rank[found.nodes] = torch.arange(1, found.nodes.numel() + 1, device=graph.device)
    mask = torch.zeros(n, dtype=torch.bool, device=graph.device)
    mask[found.nodes] = True
    return NodeValues(
        score, extra={"rank": rank}, mask=mask, stats={"selectedNodes": int(found.nodes.numel())}
    )


register(
    Procedure(
        name="criticalNodes.gnnAttack",
        description="The budget nodes an attacker limited to perturbing that many nodes' "
        "features would pick against a GNN (Ma et al. 2020): random-walk column sums (RWCS) "
        "or their greedy correction for diminishing returns (GC_RWCS); rank and score.",
        category="centrality",
        config=CriticalNodesConfig,
        extra_columns={"rank": "int"},
        write_extra={},
        default_orientation="UNDIRECTED",
        weighted=False,
        stats_columns={"selectedNodes": "int"},
        compute=_critical_nodes,
    )
)
