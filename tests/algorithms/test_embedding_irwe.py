"""IRWE: anonymous-walk statistics, identity and position embeddings, inductive use, procedures.

Oracles: anonymous forms against a plain Python relabelling; the anonymous-walk distribution
against the exact one from enumerating every walk with NetworkX (sampling error below 0.015 at
20,000 walks per node); the expected log-degree columns against the same enumeration (1e-5);
automorphic nodes (a ring of identical cliques) get identical exact statistics and near-identical
identity embeddings, farther apart between roles; position embeddings recover planted
communities (k-means ARI), also on a second, unseen graph; role classes learned on one graph
are recognised on another; the procedures store a model whose stream output equals the model
rebuilt by hand from the store, and refuse bad configurations before any read.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter

import networkx as nx
import numpy as np
import pytest
import torch

import neo4j_gml
from neo4j_gml import models
from neo4j_gml.algorithms.embedding.irwe import (
    anonymous_walk_count,
    anonymous_walk_distribution,
    anonymous_walks,
    irwe_embed,
    irwe_features,
    train_irwe,
)
from neo4j_gml.algorithms.embedding.random_walk import random_walks
from neo4j_gml.core.errors import ConfigError, ParameterError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures import model_store, registry
from neo4j_gml.procedures.families.irwe import IRWE_MODEL, rebuild_irwe

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(autouse=True)
def _store(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("GML_MODEL_DIR", str(tmp_path / "models"))


def _graph(g: nx.Graph, directed: bool = False) -> Graph:
    nodes = sorted(g.nodes())
    at = {v: i for i, v in enumerate(nodes)}
    src = [at[a] for a, _ in g.edges()]
    dst = [at[b] for _, b in g.edges()]
    return Graph.from_edges(
        src, dst, num_nodes=len(nodes), orientation="NATURAL" if directed else "UNDIRECTED"
    )


def _python_anonymous(walk: list[int]) -> tuple[int, ...]:
    seen: dict[int, int] = {}
    out = []
    last = walk[0]
    for v in walk:
        v = last if v < 0 else v
        last = v
        seen.setdefault(v, len(seen))
        out.append(seen[v])
    return tuple(out)


def _exact(g: nx.Graph | nx.DiGraph, length: int) -> tuple[list[Counter], list[list[float]]]:
    """Per node: the exact anonymous-walk distribution (walks stay at a node without
    out-neighbours) and the expected log(1 + out-degree) after 0 .. length - 1 steps."""
    nodes = sorted(g.nodes())
    succ = g.successors if g.is_directed() else g.neighbors
    deg = {v: len(list(succ(v))) for v in nodes}
    dists, logs = [], []
    for v in nodes:
        dist: Counter = Counter()
        expected = [0.0] * length
        stack = [([v], 1.0)]
        while stack:
            walk, p = stack.pop()
            if len(walk) == length:
                dist[_python_anonymous(walk)] += p
                for k, u in enumerate(walk):
                    expected[k] += p * math.log1p(deg[u])
                continue
            nbrs = sorted(succ(walk[-1]))
            if not nbrs:
                stack.append((walk + [walk[-1]], p))
            for u in nbrs:
                stack.append((walk + [u], p / len(nbrs)))
        dists.append(dist)
        logs.append(expected)
    return dists, logs


def _all_anonymous(length: int) -> list[tuple[int, ...]]:
    """Every anonymous walk of ``length`` nodes in lexicographic order (brute force)."""
    out = []
    for labels in itertools.product(range(length), repeat=length):
        if _python_anonymous(list(labels)) == labels:
            out.append(labels)
    return out


def test_anonymous_walks_and_their_enumeration() -> None:
    g = _graph(nx.les_miserables_graph())
    walks = random_walks(g, walk_length=6, walks_per_node=3, random_seed=4)
    anon = anonymous_walks(walks)
    assert [tuple(a) for a in anon.tolist()] == [_python_anonymous(w) for w in walks.tolist()]
    stopped = anonymous_walks(torch.tensor([[3, 8, -1, -1], [5, -1, -1, -1]]))
    assert stopped.tolist() == [[0, 1, 1, 1], [0, 0, 0, 0]]
    assert [anonymous_walk_count(k) for k in range(1, 9)] == [1, 2, 5, 15, 52, 203, 877, 4140]
    assert len(_all_anonymous(5)) == anonymous_walk_count(5)
    with pytest.raises(ParameterError, match="anonymous_walk_length"):
        anonymous_walk_count(9)


@pytest.mark.parametrize("directed", [False, True])
def test_statistics_match_exact_enumeration(directed: bool) -> None:
    rng = np.random.default_rng(3)
    if directed:  # node 5 has no out-arcs: walks stay there
        g: nx.Graph = nx.DiGraph([(0, 1), (1, 2), (2, 0), (2, 3), (3, 4), (4, 2), (4, 5), (1, 5)])
    else:  # a house with a tail and a chord: several roles
        g = nx.house_graph()
        g.add_edges_from([(4, 5), (5, 6), (6, 7), (1, 4)])
    length = 4
    graph = _graph(g, directed=directed)
    seed = int(rng.integers(1 << 30))
    x = irwe_features(graph, anonymous_walk_length=length, walks_per_node=20_000, random_seed=seed)
    dists, logs = _exact(g, length)
    shapes = _all_anonymous(length)
    exact = torch.tensor([[d.get(s, 0.0) for s in shapes] for d in dists], dtype=torch.float32)
    width = anonymous_walk_count(length)
    sampled = x[:, :width]
    assert torch.allclose(sampled.sum(1), torch.ones(graph.num_nodes))
    assert (sampled - exact).abs().max() < 0.015, (sampled - exact).abs().max()
    assert torch.allclose(x[:, width:], torch.tensor(logs, dtype=torch.float32), atol=1e-5)
    # the same seed gives the same walks; another seed other ones
    again = anonymous_walk_distribution(
        graph, anonymous_walk_length=length, walks_per_node=20_000, random_seed=seed
    )
    assert torch.equal(again, sampled)


def _ring_of_cliques(cliques: int, size: int, pendants: int) -> tuple[Graph, np.ndarray]:
    """A ring of equal cliques: in each, node 0 links to the next clique's node 1, node 2 holds
    ``pendants`` leaves. Roles: 0 interior, 1 bridge end (nodes 0 and 1: a reflection of the
    ring swaps them), 2 pendant holder, 3 leaf. Any two nodes of a role are automorphic."""
    edges, role = [], []
    n = 0
    starts = []
    for _ in range(cliques):
        base = n
        starts.append(base)
        role += [1, 1, 2] + [0] * (size - 3)
        edges += [(base + i, base + j) for i in range(size) for j in range(i + 1, size)]
        n += size
        for _ in range(pendants):
            edges.append((base + 2, n))
            role.append(3)
            n += 1
    edges += [(starts[q], starts[(q + 1) % cliques] + 1) for q in range(cliques)]
    src, dst = zip(*edges, strict=True)
    return Graph.from_edges(src, dst, num_nodes=n, orientation="UNDIRECTED"), np.array(role)


def test_automorphic_nodes_share_their_identity() -> None:
    graph, role = _ring_of_cliques(cliques=6, size=5, pendants=2)
    x = irwe_features(graph, anonymous_walk_length=4, walks_per_node=50, random_seed=1)
    width = anonymous_walk_count(4)
    for r in range(4):  # the exact columns are equal within a role
        block = x[torch.as_tensor(role == r), width:]
        assert torch.allclose(block, block[:1].expand_as(block), atol=1e-5)
    model, report = train_irwe(
        graph,
        embedding_dimension=16,
        anonymous_walk_length=4,
        walks_per_node=200,
        walk_length=4,
        projection_dimension=16,
        epochs=60,
        learning_rate=0.01,
        random_seed=2,
    )
    assert report.epochs == 60 and report.identity_loss < 0.2
    z = irwe_embed(model, graph, embedding_type="IDENTITY", walks_per_node=20_000, random_seed=3)
    dist = torch.cdist(z, z)
    same = torch.as_tensor(role[:, None] == role[None, :])
    assert dist[same].max() < 0.1, dist[same].max()  # automorphic: near-identical
    assert dist[~same].min() > 2 * dist[same].max()  # other roles: clearly apart


def _planted(groups: int, size: int, seed: int) -> tuple[Graph, np.ndarray]:
    g = nx.planted_partition_graph(groups, size, 0.3, 0.01, seed=seed)
    return _graph(g), np.repeat(np.arange(groups), size)


def _ari(z: torch.Tensor, y: np.ndarray) -> float:
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    k = int(y.max()) + 1
    return float(adjusted_rand_score(y, KMeans(k, n_init=10, random_state=0).fit_predict(z)))


def test_position_finds_communities_on_the_training_and_an_unseen_graph() -> None:
    graph, y = _planted(4, 30, seed=1)
    model, _ = train_irwe(
        graph,
        embedding_dimension=16,
        walks_per_node=20,
        walk_length=5,
        projection_dimension=32,
        epochs=20,
        batch_size=64,
        random_seed=5,
    )
    pos = irwe_embed(model, graph, embedding_type="POSITION", walks_per_node=20)
    assert _ari(pos, y) > 0.9
    ident = irwe_embed(model, graph, embedding_type="IDENTITY", walks_per_node=20)
    assert _ari(ident, y) < _ari(pos, y) - 0.3  # roles, not communities
    both = irwe_embed(model, graph, embedding_type="BOTH", walks_per_node=20)
    assert both.shape == (120, 32) and torch.allclose(both[:, 16:], pos)
    # a graph the model never saw: other size, other number of communities
    unseen, y2 = _planted(3, 50, seed=9)
    assert _ari(irwe_embed(model, unseen, embedding_type="POSITION", walks_per_node=20), y2) > 0.9


def test_roles_learned_on_one_graph_are_recognised_on_another() -> None:
    """A classifier fitted to one graph's identity embeddings (nearest role centroid) labels
    the nodes of a larger graph the model never saw."""
    train_graph, train_role = _ring_of_cliques(cliques=5, size=6, pendants=2)
    test_graph, test_role = _ring_of_cliques(cliques=9, size=6, pendants=2)
    model, _ = train_irwe(
        train_graph,
        embedding_dimension=16,
        anonymous_walk_length=4,
        walks_per_node=300,
        walk_length=3,
        projection_dimension=16,
        epochs=60,
        learning_rate=0.01,
        random_seed=1,
    )
    za = irwe_embed(model, train_graph, embedding_type="IDENTITY", walks_per_node=300)
    zb = irwe_embed(model, test_graph, embedding_type="IDENTITY", walks_per_node=300)
    centroids = torch.stack([za[torch.as_tensor(train_role == r)].mean(0) for r in range(4)])
    predicted = torch.cdist(zb, centroids).argmin(1).numpy()
    assert (predicted == test_role).mean() > 0.9


def test_training_is_deterministic() -> None:
    graph, _ = _planted(2, 12, seed=3)
    kw = {
        "embedding_dimension": 8,
        "walks_per_node": 10,
        "walk_length": 3,
        "projection_dimension": 8,
        "epochs": 2,
        "random_seed": 11,
    }
    a, ra = train_irwe(graph, **kw)
    b, rb = train_irwe(graph, **kw)
    assert ra.loss == rb.loss
    pairs = zip(a.state_dict().values(), b.state_dict().values(), strict=True)
    assert all(torch.equal(p, q) for p, q in pairs)
    z1 = irwe_embed(a, graph, walks_per_node=10, random_seed=4)
    assert torch.equal(z1, irwe_embed(b, graph, walks_per_node=10, random_seed=4))
    with pytest.raises(ParameterError, match="walk_length"):
        train_irwe(graph, walk_length=1)
    with pytest.raises(ParameterError, match="embedding_type"):
        irwe_embed(a, graph, embedding_type="ROLE")


# ---------------------------------------------------------------------------- procedures
TRAIN = {
    "modelName": "roles",
    "embeddingDimension": 8,
    "walksPerNode": 20,
    "walkLength": 3,
    "projectionDimension": 8,
    "epochs": 2,
    "randomSeed": 7,
}


def test_train_then_embed_round_trips_through_the_store() -> None:
    graph, _ = _planted(3, 10, seed=2)
    graph = Graph.from_edges(
        graph.sources(), graph.indices, num_nodes=30, node_ids=np.arange(30) + 500
    )  # NATURAL arcs both ways, Neo4j ids from 500
    row = neo4j_gml.run("irwe.train", "stats", TRAIN, graph=graph)
    info = row["modelInfo"]
    assert info["modelType"] == IRWE_MODEL and info["featureProperties"] == []
    assert info["trainConfig"]["orientation"] == "UNDIRECTED"
    assert set(info["metrics"]) == {"epochsRan", "loss", "identityLoss", "positionLoss"}
    assert row["loss"] == pytest.approx(row["identityLoss"] + row["positionLoss"], rel=1e-5)
    frame = neo4j_gml.run(
        "irwe", "stream", {"modelName": "roles", "embeddingType": "POSITION"}, graph=graph
    )
    assert frame["nodeId"].tolist() == list(range(500, 530))
    state, meta = models.load("roles")
    expected = irwe_embed(
        rebuild_irwe(meta, state),
        graph,
        embedding_type="POSITION",
        walks_per_node=20,
        random_seed=7,
    )
    np.testing.assert_allclose(np.stack(frame["embedding"]), expected.numpy(), atol=1e-6)
    both = neo4j_gml.run("irwe", "stream", {"modelName": "roles"}, graph=graph)
    assert len(both["embedding"][0]) == 16
    stats = neo4j_gml.run("irwe", "stats", {"modelName": "roles"}, graph=graph)
    assert stats["nodeCount"] == 30


class _NoReads:
    """A driver that fails the test if anything uses it."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"the driver was used ({name}) before the config was refused")


def _refused(name: str, mode: str, config: dict, match: str) -> None:
    """``config`` is refused by validate alone, and by the runner before any read."""
    with pytest.raises(ConfigError, match=match):
        registry.get(name).validate(config, mode)
    with pytest.raises(ConfigError, match=match):
        neo4j_gml.run(name, mode, config, driver=_NoReads())


def test_bad_configurations_are_refused_before_any_read() -> None:
    _refused("irwe", "stream", {"modelName": "nope"}, "no model named 'nope'")
    models.save("sage", {"w": torch.zeros(1)}, {"modelType": model_store.GRAPHSAGE_MODEL})
    _refused("irwe", "stream", {"modelName": "sage"}, "'sage' is a graphSage model, not an irwe")
    _refused("irwe.train", "stats", {"modelName": "sage"}, "'sage' already exists")
    _refused("irwe.train", "stats", {}, "'modelName' is required")
    _refused("irwe.train", "stats", {"modelName": "x", "anonymousWalkLength": 9}, r"in \[2, 8\]")
    _refused("irwe.train", "stats", {"modelName": "x", "walkLength": 1}, "walkLength")
    _refused("irwe.train", "stats", {"modelName": "x", "featureProperties": ["f"]}, "unknown")
    models.save("fake-irwe", {"w": torch.zeros(1)}, {"modelType": IRWE_MODEL})
    _refused("irwe", "stream", {"modelName": "fake-irwe", "embeddingType": "ROLE"}, "embeddingType")
    _refused("irwe", "write", {"modelName": "fake-irwe"}, "'writeProperty' is required")
    empty = Graph.from_edges([], [], num_nodes=3)
    with pytest.raises(ConfigError, match="needs a graph with relationships"):
        neo4j_gml.run("irwe.train", "stats", TRAIN, graph=empty)
