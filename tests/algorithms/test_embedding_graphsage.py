"""GraphSAGE: neighbour sampling, a numpy forward-pass oracle, training, the model store.

Training at the defaults is checked against planted labels: on planted-partition graphs whose
features carry a weak class signal, a nearest-centroid classifier on the default embeddings
must recover the planted classes (the oracle is the planted partition itself).
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch

import neo4j_gml
from neo4j_gml import models
from neo4j_gml.algorithms.embedding.graphsage import (
    build_model,
    graphsage_embed,
    sample_neighbours,
    train_graphsage,
)
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures.families.embedding import GraphSageTrainConfig


@pytest.fixture(autouse=True)
def _store(tmp_path, monkeypatch):  # noqa: ANN001, ANN202
    monkeypatch.setenv("GML_MODEL_DIR", str(tmp_path / "models"))


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _ring(n: int, feats_seed: int = 0) -> tuple[Graph, torch.Tensor]:
    src = list(range(n)) + [0, 0, 0]
    dst = [(i + 1) % n for i in range(n)] + [3, 5, 7]
    g = Graph.from_edges(src, dst, num_nodes=n, orientation="UNDIRECTED")
    x = torch.as_tensor(np.random.default_rng(feats_seed).normal(size=(n, 4)))
    return g, x


def test_sample_neighbours_keeps_k_real_arcs() -> None:
    g, _ = _ring(10)  # node 0 has degree 5, others 2 or 3
    ei = sample_neighbours(g, 2, seed=1)
    arcs = set(zip(g.sources().tolist(), g.indices.tolist(), strict=True))
    pairs = list(zip(ei[1].tolist(), ei[0].tolist(), strict=True))  # (node, neighbour)
    assert set(pairs) <= arcs and len(set(pairs)) == len(pairs)
    per_node = np.bincount(ei[1].numpy(), minlength=10)
    assert per_node.tolist() == np.minimum(g.out_degree().numpy(), 2).tolist()
    assert torch.equal(ei, sample_neighbours(g, 2, seed=1))
    # every neighbour of node 0 is picked sometimes (5 choose 2 over 200 seeds)
    seen = set()
    for s in range(200):
        e = sample_neighbours(g, 2, seed=s)
        seen |= set(e[0][e[1] == 0].tolist())
    assert seen == {1, 3, 5, 7, 9}


def _normalize_rows(h: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(h, axis=1, keepdims=True)
    return h / np.where(n > 0, n, 1)


def test_forward_matches_numpy_mean_aggregator() -> None:
    # two layers, sample size above every degree:
    # h1 = normalize(sigmoid(W_l mean_j x_j + b + W_r x_i)), z = normalize(same on h1, no activation)
    g, x = _ring(8)
    model = build_model(4, 3, 2, "MEAN", "SIGMOID", seed=5)
    z = graphsage_embed(model, g, x, [100, 100]).numpy()
    sd = {k: v.double().numpy() for k, v in model.state_dict().items()}
    nbrs = [g.indices[g.indptr[i] : g.indptr[i + 1]].numpy() for i in range(8)]

    def layer(h: np.ndarray, i: int) -> np.ndarray:
        agg = np.stack([h[nb].mean(0) for nb in nbrs])
        return (
            agg @ sd[f"convs.{i}.lin_l.weight"].T
            + sd[f"convs.{i}.lin_l.bias"]
            + h @ sd[f"convs.{i}.lin_r.weight"].T
        )

    h1 = _normalize_rows(1 / (1 + np.exp(-layer(x.numpy(), 0))))
    np.testing.assert_allclose(z, _normalize_rows(layer(h1, 1)), atol=1e-5)


def test_pool_forward_matches_numpy() -> None:
    g, x = _ring(8)
    model = build_model(4, 3, 1, "POOL", "RELU", seed=6)
    z = graphsage_embed(model, g, x, [100]).numpy()
    sd = {k: v.double().numpy() for k, v in model.state_dict().items()}
    xn = x.numpy()
    for i in range(8):
        nb = g.indices[g.indptr[i] : g.indptr[i + 1]].numpy()
        proj = np.maximum(xn[nb] @ sd["convs.0.lin.weight"].T + sd["convs.0.lin.bias"], 0)
        h = sd["convs.0.lin_l.weight"] @ proj.max(0) + sd["convs.0.lin_l.bias"]
        h = h + sd["convs.0.lin_r.weight"] @ xn[i]  # one layer = the last: no activation
        n = np.linalg.norm(h)
        np.testing.assert_allclose(z[i], h / n if n > 0 else h, atol=1e-5)


def test_training_is_deterministic_and_lowers_loss() -> None:
    g, x = _ring(30)
    kw = dict(embedding_dimension=8, sample_sizes=[5, 5], batch_size=10, random_seed=3)
    m1, r1 = train_graphsage(g, x, epochs=1, max_iterations=1, learning_rate=0.01, **kw)
    m2, _ = train_graphsage(g, x, epochs=1, max_iterations=1, learning_rate=0.01, **kw)
    for a, b in zip(m1.state_dict().values(), m2.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    _, r3 = train_graphsage(g, x, epochs=5, max_iterations=10, learning_rate=0.01, **kw)
    assert r3.loss < r1.loss
    z = graphsage_embed(m1, g, x, [5, 5])
    assert z.shape == (30, 8)
    torch.testing.assert_close(z.norm(dim=1), torch.ones(30), atol=1e-5, rtol=0)


def test_model_store_roundtrip() -> None:
    meta = models.save("m1", {"w": torch.ones(2)}, {"modelType": "x"})
    assert meta["modelName"] == "m1" and "creationTime" in meta
    state, meta2 = models.load("m1")
    assert torch.equal(state["w"], torch.ones(2)) and meta2 == meta
    with pytest.raises(models.ModelStoreError, match="already exists"):
        models.save("m1", {}, {})
    with pytest.raises(models.ModelStoreError, match="invalid model name"):
        models.save("../evil", {}, {})
    assert [m["modelName"] for m in models.list_models()] == ["m1"]
    models.drop("m1")
    assert models.list_models() == []
    with pytest.raises(models.ModelStoreError):
        models.drop("m1")


def test_procedures_end_to_end_inductive() -> None:
    g, x = _ring(20)
    props = {"f": x[:, :2], "h": x[:, 2]}
    g = Graph.from_edges(
        g.sources(), g.indices, num_nodes=20, orientation="UNDIRECTED", node_properties=props
    )
    # from_edges(UNDIRECTED) doubles the arcs again; harmless for this test
    row = neo4j_gml.run(
        "graphSage.train",
        "stats",
        {
            "modelName": "sage",
            "featureProperties": ["f", "h"],
            "embeddingDimension": 6,
            "sampleSizes": [4, 4],
            "randomSeed": 1,
        },
        graph=g,
    )
    assert row["modelInfo"]["modelName"] == "sage" and row["modelInfo"]["inputDimension"] == 3
    with pytest.raises(ConfigError, match="modelName"):
        neo4j_gml.run(
            "graphSage.train", "stats", {"modelName": "sage", "featureProperties": ["f"]}, graph=g
        )
    # a larger graph with new nodes: inductive embedding
    big, xb = _ring(35, feats_seed=9)
    big = Graph.from_edges(
        big.sources(),
        big.indices,
        num_nodes=35,
        node_ids=np.arange(100, 135),
        node_properties={"f": xb[:, :2], "h": xb[:, 2]},
    )
    frame = neo4j_gml.run("graphSage", "stream", {"modelName": "sage"}, graph=big)
    assert frame["nodeId"].tolist() == list(range(100, 135))
    emb = np.stack(frame["embedding"].to_list())
    assert emb.shape == (35, 6) and np.allclose(np.linalg.norm(emb, axis=1), 1, atol=1e-5)
    listed = neo4j_gml.run("model.list", "stream", {})
    assert listed["modelName"].tolist() == ["sage"]
    wrong = Graph.from_edges(
        [0], [1], num_nodes=2, node_properties={"f": [[1.0], [2.0]], "h": [0, 1]}
    )
    with pytest.raises(ConfigError, match="modelName"):
        neo4j_gml.run("graphSage", "stream", {"modelName": "sage"}, graph=wrong)
    dropped = neo4j_gml.run("model.drop", "stream", {"modelName": "sage"})
    assert dropped["modelName"].tolist() == ["sage"]
    with pytest.raises(ConfigError, match="modelName"):
        neo4j_gml.run("graphSage", "stream", {"modelName": "sage"}, graph=big)
    assert neo4j_gml.run(
        "model.drop", "stream", {"modelName": "sage", "failIfMissing": False}
    ).empty


def test_bad_input() -> None:
    g = Graph.from_edges([0], [1], num_nodes=2, node_properties={"f": [1.0, float("nan")]})
    with pytest.raises(ConfigError, match="featureProperties"):
        neo4j_gml.run(
            "graphSage.train", "stats", {"modelName": "a", "featureProperties": ["f"]}, graph=g
        )
    with pytest.raises(ConfigError, match="embeddingDimension"):
        neo4j_gml.run(
            "graphSage.train",
            "stats",
            {"modelName": "a", "featureProperties": ["f"], "embeddingDimension": 0},
            graph=g,
        )


def _planted(seed: int, k: int = 4, size: int = 50) -> tuple[Graph, np.ndarray, np.ndarray]:
    """``k`` blocks of ``size`` nodes (edge probability 0.2 inside, 0.01 across) and 16
    features: a class centre scaled by 0.3 plus standard normal noise, so that the features
    alone classify only ~0.57 of the nodes."""
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(k), size)
    p = np.where(y[:, None] == y[None, :], 0.2, 0.01)
    src, dst = np.nonzero(np.triu(rng.random((len(y), len(y))) < p, 1))
    x = 0.3 * rng.normal(size=(k, 16))[y] + rng.normal(size=(len(y), 16))
    g = Graph.from_edges(
        src, dst, num_nodes=len(y), orientation="UNDIRECTED", node_properties={"f": x}
    )
    return g, x, y


def _centroid_accuracy(z: np.ndarray, y: np.ndarray) -> float:
    """Nearest class centroid (centroids from half of each class), accuracy on the other half."""
    train = np.zeros(len(y), dtype=bool)
    for c in np.unique(y):
        train[np.flatnonzero(y == c)[::2]] = True
    centres = np.stack([z[train & (y == c)].mean(0) for c in np.unique(y)])
    dist = ((z[~train][:, None, :] - centres[None]) ** 2).sum(-1)
    return float((dist.argmin(1) == y[~train]).mean())


def _train_and_embed(g: Graph, name: str, seed: int, **keys: object) -> np.ndarray:
    config = {"modelName": name, "featureProperties": ["f"], "randomSeed": seed, **keys}
    neo4j_gml.run("graphSage.train", "stats", config, graph=g)
    frame = neo4j_gml.run("graphSage", "stream", {"modelName": name}, graph=g)
    return np.stack(frame["embedding"].to_list())


def test_default_embeddings_separate_planted_classes() -> None:
    # measured: features alone 0.50-0.61, defaults 0.99-1.0 on every seed; GDS's defaults set
    # explicitly 0.47-0.93 (mean 0.65), so the bar is one that GDS's settings miss
    gds = {"epochs": 1, "batchSize": 100, "learningRate": 0.1, "negativeSampleWeight": 20.0}
    ours, theirs = [], []
    for seed in range(3):
        g, x, y = _planted(seed)
        raw = _centroid_accuracy(x, y)
        ours.append(_centroid_accuracy(_train_and_embed(g, f"d{seed}", seed), y))
        theirs.append(_centroid_accuracy(_train_and_embed(g, f"g{seed}", seed, **gds), y))
        assert raw < 0.7 and ours[-1] >= 0.95, (seed, raw, ours[-1])
    assert np.mean(theirs) < 0.9, theirs
    assert models.load("d0")[1]["trainConfig"]["batchSize"] is None  # default: all in one
    assert models.load("g0")[1]["trainConfig"]["batchSize"] == 100  # an explicit key as given


def test_procedure_defaults_are_the_functions() -> None:
    params = inspect.signature(train_graphsage).parameters
    keys = {k.name: k.default for k in GraphSageTrainConfig.keys_of()}
    pairs = {
        "embeddingDimension": "embedding_dimension",
        "aggregator": "aggregator",
        "activationFunction": "activation",
        "epochs": "epochs",
        "maxIterations": "max_iterations",
        "batchSize": "batch_size",
        "learningRate": "learning_rate",
        "tolerance": "tolerance",
        "negativeSampleWeight": "negative_sample_weight",
        "searchDepth": "search_depth",
    }
    for key, param in pairs.items():
        assert keys[key] == params[param].default, key
    assert list(keys["sampleSizes"]) == list(params["sample_sizes"].default)
