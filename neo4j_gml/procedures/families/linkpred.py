"""Link prediction procedures: topological scores, candidates, learned models, concentration.

``linkScore`` scores given node pairs with one topological ``measure`` (GDS's
``gds.alpha.linkprediction.*`` functions); the pairs come from ``pairs`` (``[[source, target],
...]``, Neo4j ids), from ``sourceNodes``/``targetNodes`` (paired element by element), or from
``pairsQuery`` (Cypher returning ``source`` and ``target``; the runner runs it with
``parameters`` before compute, see ``Procedure.pairs_query_key``). Pairs with a node outside the
projection are an error naming them, unless ``skipMissingPairs`` is set; the stats row reports
their number as ``missingPairs``.

``linkCandidates`` gives, for every node (or ``sourceNodes``), its ``topK`` best non-adjacent
nodes within two hops.

``linkPrediction.gnn.train`` (GCN/GraphSAGE encoder with the Neural Common Neighbor decoder, or
the dot-product baseline) and ``linkPrediction.train`` (Hadamard / cosine / L2 pair features
and topological scores into a logistic regression or MLP) split the relationships into
train / validation / test, report AUC-ROC, AUC-PR, HR@K and MRR on the test relationships and
store the model (``neo4j_gml.models``; metadata holds the feature properties).
``linkPrediction.predict`` (either kind of model) gives each node its ``topN`` most probable
non-adjacent nodes within two hops with probability >= ``threshold``. Message passing and
topological features at predict time use every relationship of the projection. Topological
features and message passing in training see the training relationships only; node properties
named in ``featureProperties`` are read as stored, so embeddings computed on the whole graph
(e.g. fastRP written before training) have seen the test relationships and make the reported
test metrics optimistic: compute them on a graph without the held-out relationships for an
unbiased estimate.

Write mode of ``linkCandidates`` and ``linkPrediction.predict`` first deletes every relationship
of ``writeRelationshipType`` (``Procedure.replace_relationships``), so a rerun replaces the
previous results instead of adding to them; the write row reports ``relationshipsDeleted``.
Candidates are emitted per source, so a pair can appear in both directions.

``topologicalConcentration`` writes each node's TC (exact) or ATC (approximate).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch

from neo4j_gml import models
from neo4j_gml.algorithms.linkpred import adjacency
from neo4j_gml.algorithms.linkpred.concentration import (
    approximate_concentration,
    topological_concentration,
)
from neo4j_gml.algorithms.linkpred.gnn import (
    DECODERS,
    ENCODERS,
    LinkModel,
    TrainReport,
    train_link_model,
)
from neo4j_gml.algorithms.linkpred.pipeline import (
    CLASSIFIERS,
    LINK_FEATURES,
    PairClassifier,
    pair_features,
    train_pipeline,
)
from neo4j_gml.algorithms.linkpred.predict import predict_links
from neo4j_gml.algorithms.linkpred.split import EdgeSplit, SplitError, split_edges
from neo4j_gml.algorithms.linkpred.topological import link_scores, two_hop_candidates
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures.config import REQUIRED, Key
from neo4j_gml.procedures.families.embedding import feature_matrix
from neo4j_gml.procedures.registry import (
    NodeValues,
    Procedure,
    RelationshipValues,
    Rows,
    register,
)

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


# ---------------------------------------------------------------------------- learned models
# ``linkPrediction.gnn.train`` (GCN/SAGE encoder with the NCN or dot decoder) and
# ``linkPrediction.train`` (pair features + logistic regression / MLP) both split the
# relationships, train, report test metrics and store the model; ``linkPrediction.predict`` uses
# either kind of model to write each node's most probable new links.
GNN_MODEL = "linkPrediction.gnn"
PIPELINE_MODEL = "linkPrediction.pipeline"


def _model_name_check(v: str) -> str | None:
    try:
        models.exists(v)
    except models.ModelStoreError as exc:
        return f"is invalid: {exc}"
    return None


def _features(graph: Graph, names: list[str], key: str) -> torch.Tensor | None:
    """The feature matrix, sparse COO when mostly zeros (bag-of-words features)."""
    x = feature_matrix(graph, names, key)
    if x is None or x.numel() == 0:
        return x
    if float((x != 0).float().mean()) < 0.1:
        return x.to_sparse()
    return x


def _split(graph: Graph, cfg: dict, seed: int) -> EdgeSplit:
    adj = adjacency.from_graph(graph)
    try:
        return split_edges(
            adj,
            test_fraction=cfg["testFraction"],
            validation_fraction=cfg["validationFraction"],
            negative_ratio=cfg["negativeSamplingRatio"],
            seed=seed,
        )
    except SplitError as exc:
        raise ConfigError(f"config keys 'testFraction'/'validationFraction': {exc}") from None


def _fractions_check(cfg: dict) -> None:
    if cfg["testFraction"] + cfg["validationFraction"] >= 1.0:
        raise ConfigError(
            "config keys 'testFraction' + 'validationFraction' must be below 1 "
            f"(got {cfg['testFraction']} + {cfg['validationFraction']})"
        )


def _store(name: str, state: dict, meta: dict, report: TrainReport, cfg: dict, keys) -> Rows:
    meta = models.save(
        name,
        state,
        meta
        | {
            "trainConfig": {k.name: cfg[k.name] for k in keys}
            | {"orientation": cfg["orientation"]},
            "metrics": {
                "test": report.test,
                "validation": report.validation,
                "epochsRan": report.epochs,
                "bestEpoch": report.best_epoch,
                "loss": report.loss,
            },
        },
    )
    return Rows(
        {},
        stats={"modelInfo": meta, "trainMillis": report.train_millis, "testMetrics": report.test},
    )


_SPLIT_KEYS = (
    Key(
        "testFraction",
        "float",
        0.2,
        "share of relationships held out for testing",
        min=0.0,
        max=1.0,
        min_exclusive=True,
    ),
    Key("validationFraction", "float", 0.1, "share held out for model selection", min=0.0, max=1.0),
    Key(
        "negativeSamplingRatio",
        "float",
        1.0,
        "sampled non-edges per held-out edge",
        min=0.0,
        min_exclusive=True,
    ),
    Key("hitsK", "int", 100, "K of the reported HR@K (hitsAtK)", min=1),
    Key("randomSeed", "int?", None, "seed of the split, sampling and initialisation"),
)

_GNN_TRAIN_KEYS = (
    Key("modelName", "str", REQUIRED, "name the model is stored under", check=_model_name_check),
    Key("featureProperties", "str_list", REQUIRED, "node properties used as input features"),
    Key("encoder", "str", "GCN", "GCN or SAGE", choices=ENCODERS),
    Key(
        "decoder",
        "str",
        "NCN",
        "NCN (neural common neighbours) or DOT (baseline)",
        choices=DECODERS,
    ),
    Key("hiddenDimension", "int", 256, "width of the encoder and decoder", min=1),
    Key("layers", "int", 1, "message-passing layers", min=1),
    Key("mlpLayers", "int", 3, "layers of the NCN decoder's MLP", min=1),
    Key("dropout", "float", 0.05, "dropout between layers", min=0.0, max=1.0),
    Key("inputDropout", "float", 0.7, "dropout on the input features", min=0.0, max=1.0),
    Key("epochs", "int", 100, "passes over the training relationships", min=1),
    Key("batchSize", "int", 1152, "training relationships per step", min=1),
    Key("learningRate", "float", 0.003, "Adam learning rate", min=0.0, min_exclusive=True),
    Key("evaluationInterval", "int", 5, "epochs between validation checks", min=1),
    *_SPLIT_KEYS,
)


def _gnn_train(graph: Graph, cfg: dict) -> Rows:
    name = cfg["modelName"]
    if models.exists(name):
        raise ConfigError(f"config key 'modelName': a model named '{name}' already exists")
    _fractions_check(cfg)
    x = _features(graph, cfg["featureProperties"], "featureProperties")
    if x is None:
        raise ConfigError("config key 'featureProperties' must name at least one property")
    seed = cfg["randomSeed"] if cfg["randomSeed"] is not None else secrets.randbits(31)
    split = _split(graph, cfg, seed)
    model, report = train_link_model(
        x,
        split,
        hidden=cfg["hiddenDimension"],
        layers=cfg["layers"],
        encoder=cfg["encoder"],
        decoder=cfg["decoder"],
        mlp_layers=cfg["mlpLayers"],
        dropout=cfg["dropout"],
        input_dropout=cfg["inputDropout"],
        epochs=cfg["epochs"],
        batch_size=cfg["batchSize"],
        learning_rate=cfg["learningRate"],
        eval_every=cfg["evaluationInterval"],
        k=cfg["hitsK"],
        seed=seed,
    )
    meta = {
        "modelType": GNN_MODEL,
        "featureProperties": list(cfg["featureProperties"]),
        "inputDimension": int(x.shape[1]),
        "encoder": cfg["encoder"],
        "decoder": cfg["decoder"],
        "hiddenDimension": cfg["hiddenDimension"],
        "layers": cfg["layers"],
        "mlpLayers": cfg["mlpLayers"],
    }
    cfg = cfg | {"randomSeed": seed}
    return _store(name, model.state_dict(), meta, report, cfg, _GNN_TRAIN_KEYS)


_TRAIN_STATS = {"modelInfo": "map", "trainMillis": "int", "testMetrics": "map"}

register(
    Procedure(
        name="linkPrediction.gnn.train",
        description="Train a GNN link predictor (GCN or GraphSAGE encoder over featureProperties "
        "with the Neural Common Neighbor decoder, or the dot-product baseline) on a random "
        "train/validation/test split of the relationships; reports AUC-ROC, AUC-PR, HR@K and MRR "
        "on the test relationships and stores the model under modelName.",
        category="linkpred",
        result="rows",
        modes=("stats",),
        weighted=False,
        default_orientation="UNDIRECTED",
        keys=_GNN_TRAIN_KEYS,
        property_keys=("featureProperties",),
        stats_columns=_TRAIN_STATS,
        compute=_gnn_train,
    )
)

_PIPELINE_TRAIN_KEYS = (
    Key("modelName", "str", REQUIRED, "name the model is stored under", check=_model_name_check),
    Key("featureProperties", "str_list", [], "node properties (e.g. embeddings) for pair features"),
    Key(
        "linkFeatures",
        "str_list",
        ["HADAMARD"],
        "HADAMARD, COSINE and/or L2 of the properties",
        check=lambda v: None if set(v) <= set(LINK_FEATURES) else f"must be among {LINK_FEATURES}",
    ),
    Key(
        "topologicalFeatures",
        "str_list",
        [],
        "measures used as features, e.g. ['adamicAdar']",
        check=lambda v: (
            None
            if set(v) <= set(MEASURE_NAMES) - {"sameCommunity"}
            else f"must be among {sorted(set(MEASURE_NAMES) - {'sameCommunity'})}"
        ),
    ),
    Key(
        "classifier",
        "str",
        "LOGISTIC_REGRESSION",
        "LOGISTIC_REGRESSION or MLP",
        choices=CLASSIFIERS,
    ),
    Key("hiddenDimension", "int", 64, "hidden width of the MLP", min=1),
    Key("epochs", "int", 200, "full-batch Adam steps", min=1),
    Key("learningRate", "float", 0.01, "Adam learning rate", min=0.0, min_exclusive=True),
    Key("penalty", "float", 0.0, "weight decay", min=0.0),
    *_SPLIT_KEYS,
)


def _pipeline_train(graph: Graph, cfg: dict) -> Rows:
    name = cfg["modelName"]
    if models.exists(name):
        raise ConfigError(f"config key 'modelName': a model named '{name}' already exists")
    _fractions_check(cfg)
    if not cfg["featureProperties"] and not cfg["topologicalFeatures"]:
        raise ConfigError(
            "linkPrediction.train needs 'featureProperties' or 'topologicalFeatures' (or both)"
        )
    x = feature_matrix(graph, cfg["featureProperties"], "featureProperties")
    seed = cfg["randomSeed"] if cfg["randomSeed"] is not None else secrets.randbits(31)
    split = _split(graph, cfg, seed)
    topo = [MEASURE_NAMES[m] for m in cfg["topologicalFeatures"]]
    model, report = train_pipeline(
        x,
        split,
        link_features=list(cfg["linkFeatures"]),
        topological=topo,
        classifier=cfg["classifier"],
        hidden=cfg["hiddenDimension"],
        epochs=cfg["epochs"],
        learning_rate=cfg["learningRate"],
        penalty=cfg["penalty"],
        negative_ratio=cfg["negativeSamplingRatio"],
        k=cfg["hitsK"],
        seed=seed,
    )
    meta = {
        "modelType": PIPELINE_MODEL,
        "featureProperties": list(cfg["featureProperties"]),
        "inputDimension": int(x.shape[1]) if x is not None else 0,
        "linkFeatures": list(cfg["linkFeatures"]),
        "topologicalFeatures": topo,
        "classifier": cfg["classifier"],
        "hiddenDimension": cfg["hiddenDimension"],
        "pairFeatureDimension": int(model.mean.numel()),
    }
    cfg = cfg | {"randomSeed": seed}
    return _store(name, model.state_dict(), meta, report, cfg, _PIPELINE_TRAIN_KEYS)


register(
    Procedure(
        name="linkPrediction.train",
        description="Train a link prediction pipeline: pair features from node properties "
        "(Hadamard, cosine, L2) and topological scores, a logistic regression or MLP classifier; "
        "reports AUC-ROC, AUC-PR, HR@K and MRR on held-out relationships and stores the model.",
        category="linkpred",
        result="rows",
        modes=("stats",),
        weighted=False,
        default_orientation="UNDIRECTED",
        keys=_PIPELINE_TRAIN_KEYS,
        property_keys=("featureProperties",),
        stats_columns=_TRAIN_STATS,
        compute=_pipeline_train,
    )
)


@dataclass(frozen=True)
class _PredictProcedure(Procedure):
    """Loads the feature properties named by the stored model."""

    def node_properties_needed(self, cfg: Mapping[str, Any]) -> list[str]:
        return list(_model_metadata(cfg["modelName"]).get("featureProperties", []))


def _model_metadata(name: str) -> dict:
    try:
        meta = models.metadata(name)
    except models.ModelStoreError as exc:
        raise ConfigError(f"config key 'modelName': {exc}") from None
    if meta.get("modelType") not in (GNN_MODEL, PIPELINE_MODEL):
        raise ConfigError(
            f"config key 'modelName': '{name}' is a {meta.get('modelType')} model, not a link "
            "prediction model"
        )
    return meta


def _scorer(graph: Graph, cfg: dict, adj: adjacency.Adjacency):
    """``(a, b) -> probability`` for the stored model named in ``cfg``."""
    meta = _model_metadata(cfg["modelName"])
    wanted = cfg["featureProperties"]
    if isinstance(wanted, str):
        wanted = [wanted]
    if wanted is not None and list(wanted) != list(meta["featureProperties"]):
        raise ConfigError(
            f"config key 'featureProperties': model '{cfg['modelName']}' was trained on "
            f"{meta['featureProperties']}, not on {list(wanted)}"
        )
    state, _ = models.load(cfg["modelName"], graph.device)
    if meta["modelType"] == GNN_MODEL:
        x = _features(graph, meta["featureProperties"], "modelName")
    else:
        x = feature_matrix(graph, meta["featureProperties"], "modelName")
    got = int(x.shape[1]) if x is not None else 0
    if got != meta["inputDimension"]:
        raise ConfigError(
            f"config key 'modelName': model '{cfg['modelName']}' expects {meta['inputDimension']} "
            f"feature values per node from {meta['featureProperties']}, the graph has {got}"
        )
    if meta["modelType"] == GNN_MODEL:
        model = LinkModel(
            meta["inputDimension"],
            hidden=meta["hiddenDimension"],
            layers=meta["layers"],
            encoder=meta["encoder"],
            decoder=meta["decoder"],
            mlp_layers=meta["mlpLayers"],
        ).to(graph.device)
        model.load_state_dict(state)
        model.eval()
        with torch.no_grad():
            h = model.encode(x, adj)

        def gnn_probability(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
            with torch.no_grad():
                return torch.sigmoid(model.score(h, adj, a, b))

        return gnn_probability
    clf = PairClassifier(meta["pairFeatureDimension"], meta["classifier"], meta["hiddenDimension"])
    clf.load_state_dict(state)
    clf = clf.to(graph.device).eval()

    def pipeline_probability(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        feats = pair_features(x, adj, a, b, meta["linkFeatures"], meta["topologicalFeatures"])
        with torch.no_grad():
            return torch.sigmoid(clf(feats))

    return pipeline_probability


def _predict(graph: Graph, cfg: dict) -> RelationshipValues:
    adj = adjacency.from_graph(graph)
    probability = _scorer(graph, cfg, adj)
    sources = None
    if cfg["sourceNodes"]:
        try:
            sources = torch.unique(graph.positions_of(cfg["sourceNodes"]).to(graph.device))
        except KeyError:
            raise ConfigError("config key 'sourceNodes': a node id is not in the graph") from None
    s, t, p = predict_links(
        probability, adj, top_n=cfg["topN"], threshold=cfg["threshold"], sources=sources
    )
    return RelationshipValues(s, t, p, stats={"predictedLinks": int(s.numel())})


register(
    _PredictProcedure(
        name="linkPrediction.predict",
        description="Predict new links with a model from linkPrediction.train or "
        "linkPrediction.gnn.train: for each node its topN most probable non-adjacent nodes "
        "within two hops with probability >= threshold; write mode replaces the earlier "
        "relationships of writeRelationshipType.",
        category="linkpred",
        result="relationship",
        column="probability",
        weighted=False,
        default_orientation="UNDIRECTED",
        replace_relationships=True,
        keys=(
            Key("modelName", "str", REQUIRED, "a link prediction model", check=_model_name_check),
            Key("topN", "int", 10, "predicted links per node at most", min=1),
            Key("threshold", "float", 0.0, "minimum probability", min=0.0, max=1.0),
            Key("sourceNodes", "int_list", [], "predict for these nodes only (default: all)"),
            Key(
                "featureProperties",
                "any",
                None,
                "optional check: must equal the model's feature properties",
            ),
        ),
        stats_columns={"predictedLinks": "int"},
        compute=_predict,
    )
)


# ---------------------------------------------------------------------------- concentration
def _concentration(graph: Graph, cfg: dict) -> NodeValues:
    adj = adjacency.from_graph(graph)
    if cfg["method"] == "TC":
        values = topological_concentration(adj, hops=cfg["hops"], beta=cfg["beta"])
    else:
        seed = cfg["randomSeed"] if cfg["randomSeed"] is not None else 0
        values = approximate_concentration(
            adj, hops=cfg["hops"], dimension=cfg["embeddingDimension"], seed=seed
        )
    return NodeValues(values, stats={"nodeCount": graph.num_nodes})


register(
    Procedure(
        name="topologicalConcentration",
        description="Topological Concentration per node (Wang et al. 2023): how much a node's "
        "K-hop neighbourhood overlaps its neighbours' (TC, exact) or the random-projection "
        "approximation ATC for large graphs; low values flag nodes where link prediction is weak.",
        category="linkpred",
        column="concentration",
        weighted=False,
        default_orientation="UNDIRECTED",
        keys=(
            Key(
                "method",
                "str",
                "TC",
                "TC (exact) or ATC (approximate, scalable)",
                choices=("TC", "ATC"),
            ),
            Key(
                "hops",
                "int",
                1,
                "K: neighbourhood layers (TC) or propagation steps (ATC)",
                min=1,
                max=10,
            ),
            Key("beta", "float", 0.5, "TC decay per extra hop", min=0.0),
            Key("embeddingDimension", "int", 256, "ATC random dimensions", min=1),
            Key("randomSeed", "int?", None, "ATC seed (default 0)"),
        ),
        stats_columns={"nodeCount": "int"},
        compute=_concentration,
    )
)
