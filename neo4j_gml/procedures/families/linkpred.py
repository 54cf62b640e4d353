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

``linkPrediction.gnn.train`` (``model``: NCN, NCNC, GAE, SEAL or PSGNN; see
:mod:`neo4j_gml.algorithms.linkpred.gnn`) and ``linkPrediction.train`` (Hadamard / cosine / L2
pair features and topological scores into a logistic regression or MLP) split the relationships into
train / validation / test, report AUC-ROC, AUC-PR, HR@K and MRR on the test relationships and
store the model (``neo4j_gml.models`` through :mod:`neo4j_gml.procedures.model_store`; metadata
holds the feature properties).
``linkPrediction.predict`` (either kind of model) gives each node its ``topN`` most probable
non-adjacent nodes within two hops with probability >= ``threshold``. Message passing and
topological features at predict time use every relationship of the projection. Topological
features and message passing in training see the training relationships only. So do the
``nodePropertySteps`` of ``linkPrediction.train`` (e.g. ``{procedure: 'fastRP', config:
{mutateProperty: 'emb', ...}}``): they run in memory on the graph of the training relationships,
and again on the whole graph when predicting, so an embedding used as a feature has not seen
the test relationships. Node properties read as stored (an embedding written before training)
have seen them, and make the reported test metrics optimistic.

Write mode of ``linkCandidates`` and ``linkPrediction.predict`` first deletes every relationship
of ``writeRelationshipType`` (``Procedure.replace_relationships``), so a rerun replaces the
previous results instead of adding to them; the write row reports ``relationshipsDeleted``.
Candidates are emitted per source, so a pair can appear in both directions.

``topologicalConcentration`` writes each node's TC (exact) or ATC (approximate).

Each procedure has a typed config class (:mod:`neo4j_gml.procedures.spec`); ``compute`` receives
an instance of it. The rules that need only the config and the model store run in the configs'
``check`` before anything is read: the pairing of ``pairs`` / ``pairsQuery`` /
``sourceNodes``-``targetNodes``, the split fractions, a training ``modelName`` that is free, a
``linkPrediction.predict`` model that exists, is a link prediction model and was trained on the
given ``featureProperties``. Measure ``sameCommunity`` scores 0 for a pair with a node whose
community value is NaN (no community), as GDS's ``sameCommunity`` does for a node without the
property; a read from Neo4j still refuses a node without ``communityProperty`` (a config cannot
yet ask for a property of its own to be read with missing values as NaN).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from neo4j_gml.algorithms.linkpred import adjacency
from neo4j_gml.algorithms.linkpred.concentration import (
    approximate_concentration,
    topological_concentration,
)
from neo4j_gml.algorithms.linkpred.gnn import (
    DECODERS,
    DEFAULTS,
    ENCODERS,
    MODEL_DEFAULTS,
    MODELS,
    TrainReport,
    train_link_model,
)
from neo4j_gml.algorithms.linkpred.pipeline import (
    CLASSIFIERS,
    LINK_FEATURES,
    pair_features,
    train_pipeline,
)
from neo4j_gml.algorithms.linkpred.predict import predict_links
from neo4j_gml.algorithms.linkpred.split import EdgeSplit, SplitError, split_edges
from neo4j_gml.algorithms.linkpred.topological import link_scores, two_hop_candidates
from neo4j_gml.algorithms.nodepred.selection import DEFAULTS as NODE_METHODS
from neo4j_gml.algorithms.nodepred.selection import forest_arguments, trials
from neo4j_gml.core.errors import ConfigError, ParameterError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures import model_store
from neo4j_gml.procedures.config import REQUIRED
from neo4j_gml.procedures.families._steps import (
    properties_to_read,
    run_steps,
    step_procedure,
    steps_check,
)
from neo4j_gml.procedures.families._training import (
    BuiltPipelineConfig,
    TrainConfig,
    epochs_option,
    learning_rate_option,
)
from neo4j_gml.procedures.families.embedding import feature_matrix
from neo4j_gml.procedures.registry import (
    NodeValues,
    Procedure,
    RelationshipValues,
    Rows,
    register,
)
from neo4j_gml.procedures.spec import NodeConfig, RelationshipConfig, option

spec = dataclass(frozen=True, kw_only=True, eq=False)

# user-facing measure name -> algorithm constant
MEASURE_NAMES = {
    "adamicAdar": "ADAMIC_ADAR",
    "commonNeighbors": "COMMON_NEIGHBORS",
    "preferentialAttachment": "PREFERENTIAL_ATTACHMENT",
    "resourceAllocation": "RESOURCE_ALLOCATION",
    "sameCommunity": "SAME_COMMUNITY",
    "totalNeighbors": "TOTAL_NEIGHBORS",
}


# ---------------------------------------------------------------------------- topological
@spec
class TopologicalConfig(RelationshipConfig):
    """A topological ``measure``; ``sameCommunity`` also reads ``communityProperty``."""

    measure: str = option(
        "measure",
        "adamicAdar",
        "adamicAdar, commonNeighbors, preferentialAttachment, resourceAllocation, sameCommunity "
        "or totalNeighbors",
        choices=tuple(MEASURE_NAMES),
    )
    community_property: str = option(
        "communityProperty", "community", "node property read by measure sameCommunity"
    )

    def extra_node_properties(self) -> list[str]:
        return [self.community_property] if self.measure == "sameCommunity" else []

    def optional_node_properties(self) -> list[str]:
        # GDS: a node without a community is in the same community as no node (score 0)
        return self.extra_node_properties()


def _community(graph: Graph, cfg: TopologicalConfig) -> torch.Tensor | None:
    """The community values for ``sameCommunity`` (NaN: no community, equal to none)."""
    if cfg.measure != "sameCommunity":
        return None
    name = cfg.community_property
    if name not in graph.node_properties:
        raise ConfigError(f"config key 'communityProperty': node property '{name}' was not loaded")
    values = graph.node_properties[name]
    if values.ndim != 1:
        raise ConfigError(f"config key 'communityProperty': '{name}' must be a scalar property")
    return values


def _pair_ids(pairs: Any) -> tuple[list[int], list[int]]:
    """The Neo4j ids of ``pairs`` (``[[source, target], ...]``) as two lists."""
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


@spec
class LinkScoreConfig(TopologicalConfig):
    """Pairs come from ``pairs``, from ``pairsQuery`` (the runner puts its rows into ``pairs``
    after the checks) or from ``sourceNodes``/``targetNodes`` paired element by element."""

    pairs: Any = option("pairs", None, "node pairs as [[source, target], ...] (Neo4j ids)")
    pairs_query: str | None = option(
        "pairsQuery",
        None,
        "Cypher returning source and target (Neo4j ids); run with 'parameters'",
    )
    source_nodes: list[int] = option(
        "sourceNodes", [], "first node of each pair (with targetNodes)"
    )
    target_nodes: list[int] = option(
        "targetNodes", [], "second node of each pair (with sourceNodes)"
    )
    skip_missing_pairs: bool = option(
        "skipMissingPairs",
        False,
        "leave out pairs with a node outside the projection instead of failing",
    )

    def check(self, mode: str) -> None:
        super().check(mode)
        sources, targets = self.source_nodes, self.target_nodes
        if self.pairs is not None and self.pairs_query:
            raise ConfigError("config keys 'pairs' and 'pairsQuery' cannot be combined; give one")
        if self.pairs is not None or self.pairs_query:  # the runner runs a non-empty query
            if sources or targets:
                raise ConfigError(
                    "give pairs either as 'pairs' / 'pairsQuery' or as 'sourceNodes' and "
                    "'targetNodes', not both"
                )
            if not self.pairs_query:  # else the query's rows replace 'pairs'
                _pair_ids(self.pairs)
            return
        if len(sources) != len(targets):
            raise ConfigError(
                f"config keys 'sourceNodes' ({len(sources)} ids) and 'targetNodes' "
                f"({len(targets)} ids) must have the same length: they are paired element by "
                "element"
            )
        if not sources and self.pairs_query is None:
            raise ConfigError(
                "linkScore needs 'pairs', 'pairsQuery' or 'sourceNodes'/'targetNodes'"
            )

    def pair_ids(self) -> tuple[list[int], list[int]]:
        """The Neo4j ids of the requested pairs, from ``pairs`` or the node lists."""
        if self.pairs is not None:
            return _pair_ids(self.pairs)
        return list(self.source_nodes), list(self.target_nodes)


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


def _link_score(graph: Graph, cfg: LinkScoreConfig) -> RelationshipValues:
    a_ids, b_ids = cfg.pair_ids()
    a, found_a = _positions(graph, a_ids)
    b, found_b = _positions(graph, b_ids)
    found = found_a & found_b
    missing = int((~found).sum())
    if missing and not cfg.skip_missing_pairs:
        bad = [(a_ids[i], b_ids[i]) for i in torch.nonzero(~found).flatten()[:5].tolist()]
        raise ConfigError(
            f"{missing} pair(s) name nodes that are not in the projection, e.g. {bad}; "
            "set 'skipMissingPairs: true' to leave them out"
        )
    a, b = a[found], b[found]
    adj = adjacency.from_graph(graph)
    scores = link_scores(adj, a, b, MEASURE_NAMES[cfg.measure], community=_community(graph, cfg))
    return RelationshipValues(
        a, b, scores, stats={"pairCount": int(a.numel()), "missingPairs": missing}
    )


register(
    Procedure(
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
        config=LinkScoreConfig,
        stats_columns={"pairCount": "int", "missingPairs": "int"},
        compute=_link_score,
    )
)


@spec
class LinkCandidatesConfig(TopologicalConfig):
    top_k: int = option("topK", 10, "candidates per source node", min=1)
    source_nodes: list[int] = option(
        "sourceNodes", [], "generate for these nodes only (default: all)"
    )


def _link_candidates(graph: Graph, cfg: LinkCandidatesConfig) -> RelationshipValues:
    sources = None
    if cfg.source_nodes:
        try:
            sources = graph.positions_of(cfg.source_nodes)
        except KeyError as exc:
            raise ConfigError(
                f"config key 'sourceNodes': node id {exc.args[0] if exc.args else ''} is not in "
                "the graph"
            ) from None
        sources = torch.unique(sources.to(graph.device))
    adj = adjacency.from_graph(graph)
    s, t, v = two_hop_candidates(
        adj,
        MEASURE_NAMES[cfg.measure],
        cfg.top_k,
        sources=sources,
        community=_community(graph, cfg),
    )
    return RelationshipValues(s, t, v, stats={"candidateCount": int(s.numel())})


register(
    Procedure(
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
        config=LinkCandidatesConfig,
        stats_columns={"candidateCount": "int"},
        compute=_link_candidates,
    )
)


# ---------------------------------------------------------------------------- learned models
# ``linkPrediction.gnn.train`` (NCN, NCNC, GAE, SEAL or PSGNN) and
# ``linkPrediction.train`` (pair features + logistic regression / MLP) both split the
# relationships, train, report test metrics and store the model; ``linkPrediction.predict`` uses
# either kind of model to write each node's most probable new links.
def _features(graph: Graph, names: list[str], key: str) -> torch.Tensor | None:
    """The feature matrix, sparse COO when mostly zeros (bag-of-words features)."""
    x = feature_matrix(graph, names, key)
    if x is None or x.numel() == 0:
        return x
    if float((x != 0).float().mean()) < 0.1:
        return x.to_sparse()
    return x


@spec
class SplitTrainConfig(TrainConfig):
    """A link prediction trainer: the relationships are split into train / validation / test;
    the fractions must leave relationships to train on (checked before any read)."""

    test_fraction: float = option(
        "testFraction",
        0.2,
        "share of relationships held out for testing",
        min=0.0,
        max=1.0,
        min_exclusive=True,
    )
    validation_fraction: float = option(
        "validationFraction", 0.1, "share held out for model selection", min=0.0, max=1.0
    )
    negative_sampling_ratio: float = option(
        "negativeSamplingRatio",
        1.0,
        "sampled non-edges per held-out edge",
        min=0.0,
        min_exclusive=True,
    )
    hits_k: int = option("hitsK", 100, "K of the reported HR@K (hitsAtK)", min=1)

    def check(self, mode: str) -> None:
        super().check(mode)
        if self.test_fraction + self.validation_fraction >= 1.0:
            raise ConfigError(
                "config keys 'testFraction' + 'validationFraction' must be below 1 "
                f"(got {self.test_fraction} + {self.validation_fraction})"
            )

    def split(self, graph: Graph, seed: int) -> EdgeSplit:
        """The train / validation / test split of the graph's relationships."""
        try:
            return split_edges(
                adjacency.from_graph(graph),
                test_fraction=self.test_fraction,
                validation_fraction=self.validation_fraction,
                negative_ratio=self.negative_sampling_ratio,
                seed=seed,
            )
        except SplitError as exc:
            raise ConfigError(f"config keys 'testFraction'/'validationFraction': {exc}") from None


def _stored(cfg: SplitTrainConfig, seed: int, state: dict, meta: dict, report: TrainReport) -> Rows:
    """Store the trained model; the stats row of a link prediction trainer."""
    info = model_store.save_trained(
        cfg.model_name,
        state,
        meta,
        train_config=cfg.train_config(seed),
        metrics={
            "test": report.test,
            "validation": report.validation,
            "epochsRan": report.epochs,
            "bestEpoch": report.best_epoch,
            "loss": report.loss,
        },
    )
    return Rows(
        {},
        stats={"modelInfo": info, "trainMillis": report.train_millis, "testMetrics": report.test},
    )


# Keys that only one model reads: config key -> (model, keyword argument of the model).
_MODEL_OPTIONS: dict[str, tuple[str, str]] = {
    "completionPt": ("NCNC", "pt"),
    "completionScale": ("NCNC", "scale"),
    "completionOffset": ("NCNC", "offset"),
    "completionAlpha": ("NCNC", "alpha"),
    "residualSamples": ("NCNC", "train_residuals"),
    "residualSamplesPredict": ("NCNC", "test_residuals"),
    "hops": ("SEAL", "hops"),
    "anchors": ("PSGNN", "anchors"),
    "maxDistance": ("PSGNN", "max_distance"),
    "anchorTemperature": ("PSGNN", "temperature"),
}
_LEGACY_DECODERS = {"NCN": "NCN", "NCNC": "NCNC", "DOT": "GAE"}


@spec
class GnnTrainConfig(SplitTrainConfig):
    model: str | None = option(
        "model",
        None,
        "NCN (default), NCNC (NCN with common-neighbour completion), GAE (dot-product "
        "baseline), SEAL (enclosing subgraphs) or PSGNN (learned anchors)",
        choices=MODELS,
    )
    encoder: str = option("encoder", "GCN", "GCN or SAGE (NCN, NCNC, GAE)", choices=ENCODERS)
    decoder: str | None = option(
        "decoder",
        None,
        "older name of the model: NCN, NCNC or DOT (= model GAE)",
        choices=DECODERS,
    )
    hidden_dimension: int | None = option(
        "hiddenDimension", None, "width of the layers (default 256; SEAL 64)", min=1
    )
    layers: int | None = option("layers", None, "message-passing layers (default 1; SEAL 3)", min=1)
    mlp_layers: int = option("mlpLayers", 3, "layers of the NCN/NCNC decoder's MLP", min=1)
    dropout: float | None = option(
        "dropout", None, "dropout between layers (default 0.05; SEAL 0.5)", min=0.0, max=1.0
    )
    input_dropout: float | None = option(
        "inputDropout",
        None,
        "dropout on the input features (default 0.7; SEAL 0.5)",
        min=0.0,
        max=1.0,
    )
    output_dropout: float | None = option(
        "outputDropout",
        None,
        "dropout on the encoder's output (default 0; NCNC 0.3; NCN, NCNC, GAE, PSGNN)",
        min=0.0,
        max=1.0,
    )
    encoder_dropout: float | None = option(
        "encoderDropout",
        None,
        "dropout on the encoder's transformed features before propagation (default: dropout; "
        "NCN, NCNC, GAE, PSGNN)",
        min=0.0,
        max=1.0,
    )
    hops: int | None = option(
        "hops", None, "SEAL: radius of the enclosing subgraphs (default 2)", min=1, max=4
    )
    anchors: int | None = option(
        "anchors", None, "PSGNN: number of learned anchors (default floor(log2 n)^2)", min=1
    )
    max_distance: int | None = option(
        "maxDistance",
        None,
        "PSGNN: hop distances to anchors are capped here (default 8)",
        min=1,
        max=64,
    )
    anchor_temperature: float | None = option(
        "anchorTemperature",
        None,
        "PSGNN: 0 picks the top-scoring anchors (default); above 0 "
        "samples them with Gumbel noise of this scale",
        min=0.0,
    )
    completion_pt: float | None = option(
        "completionPt", None, "NCNC: pt of the completion weight (default 0.75)", min=0.0, max=1.0
    )
    completion_scale: float | None = option(
        "completionScale", None, "NCNC: scale of the completion logit (default 4.3)", min=0.0
    )
    completion_offset: float | None = option(
        "completionOffset", None, "NCNC: offset of the completion logit (default 2.8)"
    )
    completion_alpha: float | None = option(
        "completionAlpha", None, "NCNC: weight of the completed neighbours (default 1.0)", min=0.0
    )
    residual_samples: int | None = option(
        "residualSamples",
        None,
        "NCNC: residual neighbours sampled per end in training (default: all)",
        min=1,
    )
    residual_samples_predict: int | None = option(
        "residualSamplesPredict",
        None,
        "NCNC: residual neighbours per end when evaluating and predicting (default: all)",
        min=1,
    )
    epochs: int | None = option(
        "epochs", None, "passes over the training relationships (default 100; SEAL 50)", min=1
    )
    # a training batch whose default depends on the model (the base's is the write batch size)
    batch_size: int | None = option(  # type: ignore[assignment]
        "batchSize", None, "training relationships per step (default 1152; SEAL 128)", min=1
    )
    learning_rate: float | None = option(
        "learningRate",
        None,
        "Adam learning rate (default 0.003; SEAL 0.002)",
        min=0.0,
        min_exclusive=True,
    )
    evaluation_interval: int = option(
        "evaluationInterval", 5, "epochs between validation checks", min=1
    )

    def check(self, mode: str) -> None:
        super().check(mode)
        legacy = _LEGACY_DECODERS.get(self.decoder or "")
        if legacy is not None and self.model is not None and legacy != self.model:
            raise ConfigError(
                f"config keys 'model' and 'decoder' disagree ('{self.model}' and "
                f"'{self.decoder}'); give only 'model'"
            )
        chosen = self.link_model()
        for key in ("encoderDropout", "outputDropout"):
            if self[key] is not None and chosen == "SEAL":
                raise ConfigError(
                    f"config key '{key}' applies to models with a GNN encoder (NCN, NCNC, GAE, "
                    "PSGNN), not to 'SEAL': set 'dropout'"
                )
        for key, (owner, _) in _MODEL_OPTIONS.items():
            if self[key] is not None and owner != chosen:
                raise ConfigError(
                    f"config key '{key}' applies to model '{owner}' only, not to '{chosen}'"
                )

    def link_model(self) -> str:
        """The model to train: ``model``, else the one the older ``decoder`` key names."""
        if self.model is not None:
            return self.model
        return _LEGACY_DECODERS[self.decoder] if self.decoder is not None else "NCN"

    def train_config(self, seed: int) -> dict[str, Any]:
        """The stored ``trainConfig``, with the model and the defaults it trained with."""
        out = super().train_config(seed)
        keys = {name: key for key, name in self._names().items()}
        resolved = {keys[attr]: self.setting(attr) for attr in DEFAULTS}
        if self.link_model() == "SEAL":
            del resolved["outputDropout"]
        else:
            resolved["encoderDropout"] = self.encoder_dropout_setting()
        return out | resolved | {"model": self.link_model()}

    def encoder_dropout_setting(self) -> float:
        """``encoderDropout`` as given, else the resolved ``dropout``."""
        if self.encoder_dropout is not None:
            return self.encoder_dropout
        return float(self.setting("dropout"))

    def setting(self, attr: str) -> Any:
        """A shared training key: as given, else the chosen model's default
        (:data:`~neo4j_gml.algorithms.linkpred.gnn.MODEL_DEFAULTS`)."""
        value = getattr(self, attr)
        if value is not None:
            return value
        return MODEL_DEFAULTS.get(self.link_model(), {}).get(attr, DEFAULTS[attr])

    def model_options(self) -> dict[str, Any]:
        """The chosen model's own keyword arguments that were given."""
        chosen = self.link_model()
        return {
            kwarg: self[key]
            for key, (owner, kwarg) in _MODEL_OPTIONS.items()
            if owner == chosen and self[key] is not None
        }


def _gnn_train(graph: Graph, cfg: GnnTrainConfig) -> Rows:
    x = _features(graph, cfg.feature_properties, "featureProperties")
    if x is None:  # not reached: the key check refuses an empty featureProperties
        raise ConfigError("config key 'featureProperties' must name at least one property")
    seed = cfg.seed(31)
    name, options = cfg.link_model(), cfg.model_options()
    hidden, layers = cfg.setting("hidden_dimension"), cfg.setting("layers")
    model, report = train_link_model(
        x,
        cfg.split(graph, seed),
        model=name,
        hidden=hidden,
        layers=layers,
        encoder=cfg.encoder,
        mlp_layers=cfg.mlp_layers,
        dropout=cfg.setting("dropout"),
        input_dropout=cfg.setting("input_dropout"),
        encoder_dropout=cfg.encoder_dropout,
        output_dropout=cfg.setting("output_dropout"),
        options=options,
        epochs=cfg.setting("epochs"),
        batch_size=cfg.setting("batch_size"),
        learning_rate=cfg.setting("learning_rate"),
        eval_every=cfg.evaluation_interval,
        k=cfg.hits_k,
        seed=seed,
    )
    meta = {
        "modelType": model_store.GNN_MODEL,
        "featureProperties": list(cfg.feature_properties),
        "inputDimension": int(x.shape[1]),
        "model": name,
        "encoder": cfg.encoder,
        "hiddenDimension": hidden,
        "layers": layers,
        "mlpLayers": cfg.mlp_layers,
        "modelOptions": options,
    }
    return _stored(cfg, seed, model.state_dict(), meta, report)


_TRAIN_STATS = {"modelInfo": "map", "trainMillis": "int", "testMetrics": "map"}
_PIPELINE_STATS = {**_TRAIN_STATS, "modelSelectionStats": "map"}

register(
    Procedure(
        name="linkPrediction.gnn.train",
        description="Train a GNN link predictor over featureProperties (model: NCN, NCNC, GAE, "
        "SEAL or PSGNN) on a random train/validation/test split of the relationships; reports AUC-ROC, AUC-PR, HR@K and MRR "
        "on the test relationships and stores the model under modelName.",
        category="linkpred",
        result="rows",
        modes=("stats",),
        weighted=False,
        default_orientation="UNDIRECTED",
        config=GnnTrainConfig,
        property_keys=("featureProperties",),
        stats_columns=_TRAIN_STATS,
        compute=_gnn_train,
    )
)

TOPOLOGICAL_FEATURES = sorted(set(MEASURE_NAMES) - {"sameCommunity"})


@spec
class PipelineTrainConfig(SplitTrainConfig, BuiltPipelineConfig):
    feature_properties: list[str] = option(
        "featureProperties", [], "node properties (e.g. embeddings) for pair features"
    )
    link_features: list[str] = option(
        "linkFeatures",
        ["HADAMARD"],
        "HADAMARD, COSINE and/or L2 of the properties",
        check=lambda v: None if set(v) <= set(LINK_FEATURES) else f"must be among {LINK_FEATURES}",
    )
    topological_features: list[str] = option(
        "topologicalFeatures",
        [],
        "measures used as features, e.g. ['adamicAdar']",
        check=lambda v: (
            None if set(v) <= set(TOPOLOGICAL_FEATURES) else f"must be among {TOPOLOGICAL_FEATURES}"
        ),
    )
    node_property_steps: list[Any] = option(
        "nodePropertySteps",
        [],
        "procedures run on the training graph (held-out relationships removed); their "
        "mutateProperty can be a feature",
        check=steps_check,
        kind="any",
    )
    classifier: str = option(
        "classifier",
        "LOGISTIC_REGRESSION",
        "LOGISTIC_REGRESSION, MLP or RANDOM_FOREST (without modelCandidates)",
        choices=CLASSIFIERS,
    )
    model_candidates: list[Any] = option(
        "modelCandidates",
        [],
        "models to try, chosen by validation AUC-PR: {method: LogisticRegression|MLP|"
        "RandomForest, parameter: value or {range: [low, high]}}",
        kind="any",
    )
    number_of_trials: int = option(
        "numberOfTrials", 10, "trials of the random search over ranges at most", min=1
    )
    hidden_dimension: int = option("hiddenDimension", 64, "hidden width of the MLP", min=1)
    epochs: int = epochs_option(200, "full-batch Adam steps")
    learning_rate: float = learning_rate_option(0.01)
    penalty: float = option("penalty", 0.0, "weight decay", min=0.0)

    PIPELINE_TYPE = "linkPrediction"

    def check(self, mode: str) -> None:
        super().check(mode)
        if not self.feature_properties and not self.topological_features:
            raise ConfigError(
                "linkPrediction.train needs 'featureProperties' or 'topologicalFeatures' (or both)"
            )
        for step in self.node_property_steps:
            step_procedure(step)
        if self.model_candidates:
            try:
                trials(self.model_candidates, "link", 1, 0, methods=LINK_METHODS)
            except ParameterError as exc:
                raise ConfigError(f"config key 'modelCandidates': {exc.problem}") from None

    def extra_node_properties(self) -> list[str]:
        return properties_to_read(list(self.feature_properties), list(self.node_property_steps))


def training_graph(graph: Graph, split: EdgeSplit) -> Graph:
    """The graph with only the training relationships (both directions, as the split sees
    the graph undirected): what the node-property steps may see, so no held-out relationship
    reaches a feature."""
    a, b = split.train
    return Graph.from_edges(
        torch.cat([a, b]),
        torch.cat([b, a]),
        num_nodes=graph.num_nodes,
        node_ids=graph.node_ids,
        node_properties=graph.node_properties,
    )


#: link prediction's model candidates: method -> (tasks, parameter defaults)
LINK_METHODS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "LogisticRegression": (("link",), {"penalty": 0.0, "learningRate": 0.01, "epochs": 200}),
    "MLP": (
        ("link",),
        {"penalty": 0.0, "learningRate": 0.01, "epochs": 200, "hiddenDimension": 64},
    ),
    "RandomForest": (("link",), dict(NODE_METHODS["RandomForest"][1])),
}
_CLASSIFIER_OF = {
    "LogisticRegression": "LOGISTIC_REGRESSION",
    "MLP": "MLP",
    "RandomForest": "RANDOM_FOREST",
}


def _trials(cfg: PipelineTrainConfig, seed: int) -> list[tuple[str, dict[str, Any]]]:
    """The (method, parameters) to train: the model candidates' trials, or the one
    ``classifier`` the config names."""
    if not cfg.model_candidates:
        method = {v: k for k, v in _CLASSIFIER_OF.items()}[cfg.classifier]
        params = {"penalty": cfg.penalty, "learningRate": cfg.learning_rate, "epochs": cfg.epochs}
        if method == "MLP":
            params["hiddenDimension"] = cfg.hidden_dimension
        return [(method, {} if method == "RandomForest" else params)]
    try:
        return trials(
            cfg.model_candidates, "link", cfg.number_of_trials, seed, methods=LINK_METHODS
        )
    except ParameterError as exc:
        raise ConfigError(f"config key 'modelCandidates': {exc.problem}") from None


def _pipeline_train(graph: Graph, cfg: PipelineTrainConfig) -> Rows:
    seed = cfg.seed(31)
    split = cfg.split(graph, seed)
    steps = list(cfg.node_property_steps)
    seen = run_steps(training_graph(graph, split), steps) if steps else graph
    x = feature_matrix(seen, cfg.feature_properties, "featureProperties")
    topo = [MEASURE_NAMES[m] for m in cfg.topological_features]
    tried: list[dict[str, Any]] = []
    best: tuple[float, str, dict[str, Any], Any, TrainReport] | None = None
    for method, params in _trials(cfg, seed):
        full = LINK_METHODS[method][1] | params
        model, report = train_pipeline(
            x,
            split,
            link_features=list(cfg.link_features),
            topological=topo,
            classifier=_CLASSIFIER_OF[method],
            hidden=int(full.get("hiddenDimension", cfg.hidden_dimension)),
            epochs=int(full.get("epochs", cfg.epochs)),
            learning_rate=float(full.get("learningRate", cfg.learning_rate)),
            penalty=float(full.get("penalty", cfg.penalty)),
            negative_ratio=cfg.negative_sampling_ratio,
            k=cfg.hits_k,
            seed=seed,
            forest=forest_arguments(params) if method == "RandomForest" else None,
        )
        score = float(report.validation.get("aucPr", float("nan")))
        tried.append({"method": method, "parameters": params, "validation": report.validation})
        if best is None or score > best[0]:  # a NaN score never replaces one
            best = (score, method, params, model, report)
    assert best is not None
    _, method, params, model, report = best
    meta = {
        "modelType": model_store.PIPELINE_MODEL,
        "featureProperties": list(cfg.feature_properties),
        "nodePropertySteps": steps,
        "inputDimension": int(x.shape[1]) if x is not None else 0,
        "linkFeatures": list(cfg.link_features),
        "topologicalFeatures": topo,
        "classifier": _CLASSIFIER_OF[method],
        "hiddenDimension": int((LINK_METHODS[method][1] | params).get("hiddenDimension", 64)),
        "pairFeatureDimension": int(
            model.forest.num_features if method == "RandomForest" else model.mean.numel()
        ),
        "bestParameters": {"method": method, **params},
    }
    if method == "RandomForest":
        meta["forest"] = model.forest.metadata()
    rows = _stored(cfg, seed, model.state_dict(), meta, report)
    rows.stats["modelSelectionStats"] = {
        "bestParameters": {"method": method, **params},
        "modelCandidates": tried,
    }
    return rows


register(
    Procedure(
        name="linkPrediction.train",
        description="Train a link prediction pipeline: pair features from node properties "
        "(Hadamard, cosine, L2) and topological scores, a logistic regression, MLP or random forest "
        "classifier (or modelCandidates searched by validation AUC-PR); "
        "reports AUC-ROC, AUC-PR, HR@K and MRR on held-out relationships and stores the model.",
        category="linkpred",
        result="rows",
        modes=("stats",),
        weighted=False,
        default_orientation="UNDIRECTED",
        config=PipelineTrainConfig,
        stats_columns=_PIPELINE_STATS,
        compute=_pipeline_train,
    )
)


@spec
class PredictConfig(RelationshipConfig):
    """Prediction with a stored link prediction model: the model must exist, be of a link
    prediction kind and, when ``featureProperties`` is given, have been trained on those
    properties (checked before any read); the graph is read with the model's feature
    properties."""

    model_name: str = option(
        "modelName", REQUIRED, "a link prediction model", check=model_store.model_name_check
    )
    top_n: int = option("topN", 10, "predicted links per node at most", min=1)
    threshold: float = option("threshold", 0.0, "minimum probability", min=0.0, max=1.0)
    source_nodes: list[int] = option(
        "sourceNodes", [], "predict for these nodes only (default: all)"
    )
    feature_properties: Any = option(
        "featureProperties", None, "optional check: must equal the model's feature properties"
    )

    def check(self, mode: str) -> None:
        super().check(mode)
        if model_store.store_checks_deferred():
            return
        meta = self.model()
        wanted = self.feature_properties
        if wanted is None:
            return
        if isinstance(wanted, str):
            wanted = [wanted]
        if not isinstance(wanted, list | tuple):
            raise ConfigError(
                "config key 'featureProperties' must be a property name or a list of names"
            )
        if list(wanted) != list(meta["featureProperties"]):
            raise ConfigError(
                f"config key 'featureProperties': model '{self.model_name}' was trained on "
                f"{meta['featureProperties']}, not on {list(wanted)}"
            )

    def model(self) -> dict[str, Any]:
        """The stored model's metadata; :class:`ConfigError` unless it is a link prediction
        model."""
        return model_store.require_model(
            self.model_name, model_store.LINK_MODELS, "a link prediction model"
        )

    def extra_node_properties(self) -> list[str]:
        meta = self.model()
        return properties_to_read(
            list(meta.get("featureProperties", [])), list(meta.get("nodePropertySteps", []))
        )


def _scorer(graph: Graph, cfg: PredictConfig, adj: adjacency.Adjacency):  # noqa: ANN202
    """``(a, b) -> probability`` for the stored model named in ``cfg``."""
    meta = cfg.model()
    state, _ = model_store.load_state(cfg.model_name, graph.device)
    gnn = meta["modelType"] == model_store.GNN_MODEL
    graph = run_steps(graph, list(meta.get("nodePropertySteps", [])))
    read = _features if gnn else feature_matrix
    x = read(graph, meta["featureProperties"], "modelName")
    got = int(x.shape[1]) if x is not None else 0
    if got != meta["inputDimension"] or (gnn and x is None):
        raise ConfigError(
            f"config key 'modelName': model '{cfg.model_name}' expects {meta['inputDimension']} "
            f"feature values per node from {meta['featureProperties']}, the graph has {got}"
        )
    if gnn and x is not None:  # (a GNN model always has features: see above)
        model = model_store.rebuild_link_model(meta, state, graph.device)
        with torch.no_grad():
            h = model.encode(x, adj)

        def gnn_probability(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
            with torch.no_grad():
                return torch.sigmoid(model.score(h, adj, a, b))

        return gnn_probability
    clf = model_store.rebuild_pair_classifier(meta, state, graph.device)

    def pipeline_probability(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        feats = pair_features(x, adj, a, b, meta["linkFeatures"], meta["topologicalFeatures"])
        with torch.no_grad():
            return torch.sigmoid(clf(feats))

    return pipeline_probability


def _predict(graph: Graph, cfg: PredictConfig) -> RelationshipValues:
    adj = adjacency.from_graph(graph)
    probability = _scorer(graph, cfg, adj)
    sources = None
    if cfg.source_nodes:
        try:
            sources = torch.unique(graph.positions_of(cfg.source_nodes).to(graph.device))
        except KeyError:
            raise ConfigError("config key 'sourceNodes': a node id is not in the graph") from None
    s, t, p = predict_links(
        probability, adj, top_n=cfg.top_n, threshold=cfg.threshold, sources=sources
    )
    return RelationshipValues(s, t, p, stats={"predictedLinks": int(s.numel())})


register(
    Procedure(
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
        config=PredictConfig,
        stats_columns={"predictedLinks": "int"},
        compute=_predict,
    )
)


# ---------------------------------------------------------------------------- concentration
@spec
class ConcentrationConfig(NodeConfig):
    method: str = option(
        "method", "TC", "TC (exact) or ATC (approximate, scalable)", choices=("TC", "ATC")
    )
    hops: int = option(
        "hops", 1, "K: neighbourhood layers (TC) or propagation steps (ATC)", min=1, max=10
    )
    beta: float = option("beta", 0.5, "TC decay per extra hop", min=0.0)
    embedding_dimension: int = option("embeddingDimension", 256, "ATC random dimensions", min=1)
    random_seed: int | None = option("randomSeed", None, "ATC seed (default 0)")


def _concentration(graph: Graph, cfg: ConcentrationConfig) -> NodeValues:
    adj = adjacency.from_graph(graph)
    if cfg.method == "TC":
        values = topological_concentration(adj, hops=cfg.hops, beta=cfg.beta)
    else:
        seed = cfg.random_seed if cfg.random_seed is not None else 0
        values = approximate_concentration(
            adj, hops=cfg.hops, dimension=cfg.embedding_dimension, seed=seed
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
        config=ConcentrationConfig,
        stats_columns={"nodeCount": "int"},
        compute=_concentration,
    )
)
