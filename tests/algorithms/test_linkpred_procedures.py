"""linkPrediction.gnn.train, linkPrediction.train and linkPrediction.predict through the runner.

Oracles: the stored model's predictions equal those of the model rebuilt from the store by
hand (exact); predicted pairs are non-adjacent two-hop pairs (checked with NetworkX); the
pipeline's pair features against a direct computation (1e-6); on planted communities a trained
model must rank held-out edges well (AUC > 0.8).
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import torch

import neo4j_gml
from neo4j_gml import models
from neo4j_gml.algorithms.linkpred import adjacency
from neo4j_gml.algorithms.linkpred.pipeline import pair_features
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph


@pytest.fixture(autouse=True)
def _store(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("GML_MODEL_DIR", str(tmp_path / "models"))


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _planted(seed: int = 2) -> tuple[nx.Graph, Graph]:
    g = nx.planted_partition_graph(4, 15, 0.4, 0.01, seed=seed)
    src, dst = zip(*g.edges(), strict=True)
    gen = torch.Generator().manual_seed(0)
    x = torch.eye(4, dtype=torch.float64).repeat_interleave(15, 0)
    x = x + 0.1 * torch.randn(60, 4, generator=gen, dtype=torch.float64)
    other = torch.randn(60, 3, generator=gen, dtype=torch.float64)
    ids = list(range(1000, 1060))
    graph = Graph.from_edges(
        src,
        dst,
        num_nodes=60,
        node_ids=ids,
        orientation="UNDIRECTED",
        node_properties={"f": x, "other": other},
    )
    return g, graph


GNN = {
    "modelName": "ncn",
    "featureProperties": ["f"],
    "hiddenDimension": 16,
    "epochs": 10,
    "batchSize": 128,
    "learningRate": 0.02,
    "inputDropout": 0.0,
    "hitsK": 10,
    "randomSeed": 3,
}


def test_gnn_train_stores_model_and_predict_round_trips() -> None:
    g, graph = _planted()
    row = neo4j_gml.run("linkPrediction.gnn.train", "stats", GNN, graph=graph)
    info = row["modelInfo"]
    assert info["modelType"] == "linkPrediction.gnn" and info["featureProperties"] == ["f"]
    # one seed of a 60-node graph: seeds 0-5 give AUC 0.80-0.96 (an untrained model ~0.5)
    assert row["testMetrics"]["aucRoc"] > 0.75, row["testMetrics"]
    assert set(row["testMetrics"]) == {"aucRoc", "aucPr", "hitsAtK", "mrr"}
    assert [m["modelName"] for m in models.list_models()] == ["ncn"]

    frame = neo4j_gml.run(
        "linkPrediction.predict", "stream", {"modelName": "ncn", "topN": 3}, graph=graph
    )
    assert list(frame.columns) == ["node1", "node2", "probability"]
    assert frame.groupby("node1").size().max() <= 3
    for a, b in zip(frame["node1"] - 1000, frame["node2"] - 1000, strict=True):
        assert not g.has_edge(a, b) and a != b and set(g[a]) & set(g[b])
    assert frame["probability"].between(0, 1).all()

    # the same numbers from the model rebuilt by hand from the store
    from neo4j_gml.algorithms.linkpred.gnn import LinkModel

    state, meta = models.load("ncn")
    model = LinkModel(4, hidden=16, layers=meta["layers"], mlp_layers=meta["mlpLayers"]).eval()
    model.load_state_dict(state)
    adj = adjacency.from_graph(graph)
    x = graph.node_properties["f"].to(torch.float32)
    a = torch.tensor((frame["node1"] - 1000).tolist())
    b = torch.tensor((frame["node2"] - 1000).tolist())
    with torch.no_grad():
        expected = torch.sigmoid(model.score(model.encode(x, adj), adj, a, b))
    np.testing.assert_allclose(frame["probability"], expected.double().numpy(), atol=1e-6)

    high = neo4j_gml.run(
        "linkPrediction.predict",
        "stats",
        {"modelName": "ncn", "topN": 3, "threshold": 0.9},
        graph=graph,
    )
    assert high["predictedLinks"] == int((frame["probability"] >= 0.9).sum())


@pytest.mark.parametrize(
    ("model", "extra"),
    [
        ("NCNC", {"completionPt": 0.6, "residualSamples": 4}),
        ("SEAL", {"hops": 1, "layers": 2, "epochs": 40, "batchSize": 32}),
        ("GAE", {}),
        ("PSGNN", {"anchors": 20, "maxDistance": 4, "epochs": 40, "batchSize": 32}),
    ],
)
def test_each_model_trains_stores_and_predicts_through_the_runner(model: str, extra: dict) -> None:
    g, graph = _planted()
    config = GNN | {"modelName": f"m-{model}", "model": model} | extra
    row = neo4j_gml.run("linkPrediction.gnn.train", "stats", config, graph=graph)
    # PSGNN scores pairs from positions only, and the communities here are nearly disconnected
    # (its quality is tested where position matters, in test_linkpred_psgnn.py)
    assert row["testMetrics"]["aucRoc"] > (0.6 if model == "PSGNN" else 0.8), row["testMetrics"]
    state, meta = models.load(f"m-{model}")
    assert meta["model"] == model
    stored = meta["trainConfig"]
    assert stored["model"] == model and stored["hiddenDimension"] == 16
    frame = neo4j_gml.run(
        "linkPrediction.predict", "stream", {"modelName": f"m-{model}", "topN": 2}, graph=graph
    )
    assert len(frame) > 0 and frame["probability"].between(0, 1).all()
    # the stored probabilities are the rebuilt model's
    from neo4j_gml.algorithms.linkpred.gnn import build_link_model

    params = {"hidden": 16, "layers": meta["layers"], "encoder": "GCN", "mlp_layers": 3}
    net = build_link_model(model, 4, **params, **meta["modelOptions"]).eval()
    net.load_state_dict(state)
    adj = adjacency.from_graph(graph)
    x = graph.node_properties["f"].to(torch.float32)
    a = torch.tensor((frame["node1"] - 1000).tolist())
    b = torch.tensor((frame["node2"] - 1000).tolist())
    with torch.no_grad():
        expected = torch.sigmoid(net.score(net.encode(x, adj), adj, a, b))
    np.testing.assert_allclose(frame["probability"], expected.double().numpy(), atol=1e-6)


def test_model_keys_are_checked_before_any_read() -> None:
    _, graph = _planted()
    bad = [
        ({"model": "NOPE"}, "'model'"),
        ({"model": "NCN", "decoder": "DOT"}, "'model' and 'decoder' disagree"),
        ({"model": "SEAL", "completionPt": 0.5}, "'completionPt' applies to model 'NCNC' only"),
        ({"hops": 2}, "'hops' applies to model 'SEAL' only, not to 'NCN'"),
        ({"model": "SEAL", "anchors": 4}, "'anchors' applies to model 'PSGNN' only"),
        ({"model": "PSGNN", "maxDistance": 0}, "'maxDistance'"),
        ({"model": "SEAL", "hops": 9}, "'hops'"),
        ({"model": "NCNC", "residualSamples": 0}, "'residualSamples'"),
        ({"model": "SEAL", "encoderDropout": 0.5}, "'encoderDropout' applies to models with"),
        ({"encoderDropout": 1.5}, "'encoderDropout'"),
        ({"model": "SEAL", "outputDropout": 0.3}, "'outputDropout' applies to models with"),
        ({"outputDropout": -0.1}, "'outputDropout'"),
    ]
    for extra, message in bad:
        with pytest.raises(ConfigError, match=message):
            neo4j_gml.run("linkPrediction.gnn.train", "stats", GNN | extra, graph=graph)
    assert models.list_models() == []
    # the older decoder key still names a model
    neo4j_gml.run(
        "linkPrediction.gnn.train", "stats", GNN | {"decoder": "DOT", "epochs": 1}, graph=graph
    )
    assert models.load("ncn")[1]["model"] == "GAE"


def test_bad_input_is_reported() -> None:
    _, graph = _planted()
    neo4j_gml.run("linkPrediction.gnn.train", "stats", GNN | {"epochs": 1}, graph=graph)
    with pytest.raises(ConfigError, match="already exists"):
        neo4j_gml.run("linkPrediction.gnn.train", "stats", GNN | {"epochs": 1}, graph=graph)
    with pytest.raises(ConfigError, match=r"trained on \['f'\], not on \['other'\]"):
        neo4j_gml.run(
            "linkPrediction.predict",
            "stream",
            {"modelName": "ncn", "featureProperties": ["other"]},
            graph=graph,
        )
    # a graph whose feature property has another width than the model's input
    wide = Graph.from_edges(
        [0, 1], [1, 2], num_nodes=3, node_properties={"f": torch.zeros(3, 7, dtype=torch.float64)}
    )
    with pytest.raises(ConfigError, match="expects 4 feature values"):
        neo4j_gml.run("linkPrediction.predict", "stream", {"modelName": "ncn"}, graph=wide)
    tiny = Graph.from_edges(
        [0, 1], [1, 2], num_nodes=3, node_properties={"f": torch.zeros(3, dtype=torch.float64)}
    )
    with pytest.raises(ConfigError, match="2 relationships"):
        neo4j_gml.run("linkPrediction.gnn.train", "stats", GNN | {"modelName": "t"}, graph=tiny)
    with pytest.raises(ConfigError, match="no model named"):
        neo4j_gml.run("linkPrediction.predict", "stream", {"modelName": "nope"}, graph=graph)


def test_pipeline_features_and_train_predict() -> None:
    g, graph = _planted(seed=5)
    adj = adjacency.from_graph(graph)
    x = torch.randn(60, 3)
    a, b = torch.tensor([0, 1, 2]), torch.tensor([5, 30, 2 + 15])
    feats = pair_features(x, adj, a, b, ["HADAMARD", "COSINE", "L2"], ["COMMON_NEIGHBORS"])
    cos = torch.nn.functional.cosine_similarity(x[a], x[b])
    cn = [len(list(nx.common_neighbors(g, u, v))) for u, v in [(0, 5), (1, 30), (2, 17)]]
    expected = torch.cat(
        [x[a] * x[b], cos[:, None], (x[a] - x[b]) ** 2, torch.log1p(torch.tensor(cn))[:, None]], 1
    )
    torch.testing.assert_close(feats, expected.float(), atol=1e-6, rtol=1e-6)

    row = neo4j_gml.run(
        "linkPrediction.train",
        "stats",
        {
            "modelName": "lr",
            "featureProperties": ["f"],
            "linkFeatures": ["HADAMARD", "COSINE"],
            "topologicalFeatures": ["adamicAdar", "preferentialAttachment"],
            "hitsK": 10,
            "randomSeed": 1,
        },
        graph=graph,
    )
    assert row["testMetrics"]["aucRoc"] > 0.8, row["testMetrics"]
    frame = neo4j_gml.run(
        "linkPrediction.predict", "stream", {"modelName": "lr", "topN": 2}, graph=graph
    )
    assert len(frame) > 0 and frame.groupby("node1").size().max() <= 2
    with pytest.raises(ConfigError, match="featureProperties' or 'topologicalFeatures"):
        neo4j_gml.run("linkPrediction.train", "stats", {"modelName": "x"}, graph=graph)


def test_node_property_steps_see_no_held_out_relationship(monkeypatch: pytest.MonkeyPatch) -> None:
    """linkPrediction.train's steps run on the training relationships only: every graph a
    step computes on holds none of the validation or test relationships (the split the
    procedure makes, recomputed here with its seed), and the steps run again on the whole graph
    when predicting. A degree step shows it in the values too: each node's degree is its
    training degree."""
    from neo4j_gml.procedures.families import _steps, linkpred

    _, graph = _planted(seed=7)
    seen: list[Graph] = []
    original = _steps.run_steps

    def spy(g: Graph, steps: list) -> Graph:
        seen.append(g)
        out = original(g, steps)
        seen.append(out)
        return out

    monkeypatch.setattr(linkpred, "run_steps", spy)
    config = {
        "modelName": "steps",
        "featureProperties": ["f", "deg", "emb"],
        "nodePropertySteps": [
            {
                "procedure": "degree",
                "config": {"mutateProperty": "deg", "orientation": "UNDIRECTED"},
            },
            {
                "procedure": "fastRP",
                "config": {"mutateProperty": "emb", "embeddingDimension": 8, "randomSeed": 1},
            },
        ],
        "hitsK": 10,
        "randomSeed": 4,
    }
    row = neo4j_gml.run("linkPrediction.train", "stats", config, graph=graph)
    assert row["testMetrics"]["aucRoc"] > 0.7
    from neo4j_gml.procedures import model_store, registry

    with model_store.deferred_store_checks():  # the model exists by now
        cfg = registry.get("linkPrediction.train").validate(config, "stats")
    split = cfg.split(graph, 4)
    train_graph, with_steps = seen
    arcs = set(zip(*(t.tolist() for t in train_graph.edge_index()), strict=True))
    held_out = torch.cat([split.valid, split.test], dim=1).t().tolist()
    assert held_out and not any((a, b) in arcs or (b, a) in arcs for a, b in held_out)
    assert len(arcs) == 2 * split.train.shape[1]
    degree = np.bincount(split.train.flatten().numpy(), minlength=graph.num_nodes)
    assert np.array_equal(with_steps.node_properties["deg"].numpy(), degree)
    frame = neo4j_gml.run("linkPrediction.predict", "stream", {"modelName": "steps"}, graph=graph)
    assert len(frame) > 0 and len(seen) == 4 and seen[2] is graph  # predict: the whole graph
    meta = models.metadata("steps")
    assert [s["procedure"] for s in meta["nodePropertySteps"]] == ["degree", "fastRP"]


def test_a_random_forest_and_a_search_over_candidates() -> None:
    """modelCandidates: every trial is scored on the validation relationships (AUC-PR), the
    best one is stored and predicts; a random forest works as the pair classifier."""
    _, graph = _planted(seed=3)
    row = neo4j_gml.run(
        "linkPrediction.train",
        "stats",
        {
            "modelName": "search",
            "featureProperties": ["f"],
            "topologicalFeatures": ["adamicAdar"],
            "modelCandidates": [
                {"method": "LogisticRegression", "penalty": {"range": [0.0001, 0.1]}},
                {"method": "RandomForest", "numberOfDecisionTrees": 30, "maxDepth": 6},
            ],
            "numberOfTrials": 3,
            "hitsK": 10,
            "randomSeed": 2,
        },
        graph=graph,
    )
    stats = row["modelSelectionStats"]
    assert [c["method"] for c in stats["modelCandidates"]].count("RandomForest") == 1
    assert len(stats["modelCandidates"]) == 3
    best = max(stats["modelCandidates"], key=lambda c: c["validation"]["aucPr"])
    assert stats["bestParameters"]["method"] == best["method"]
    assert row["testMetrics"]["aucRoc"] > 0.8
    forest = neo4j_gml.run(
        "linkPrediction.train",
        "stats",
        {"modelName": "forest", "featureProperties": ["f"], "classifier": "RANDOM_FOREST",
         "hitsK": 10, "randomSeed": 2},
        graph=graph,
    )  # fmt: skip
    assert forest["testMetrics"]["aucRoc"] > 0.8
    frame = neo4j_gml.run("linkPrediction.predict", "stream", {"modelName": "forest"}, graph=graph)
    assert len(frame) > 0 and frame["probability"].between(0, 1).all()
    with pytest.raises(ConfigError, match="modelCandidates"):
        neo4j_gml.run(
            "linkPrediction.train",
            "stats",
            {
                "modelName": "bad",
                "featureProperties": ["f"],
                "modelCandidates": [{"method": "GCN"}],
            },
            graph=graph,
        )
