"""HashGNN against three oracles: the GDS manual's hand-worked "virtual example" (hash values
given, result worked out by hand), a brute-force pure-Python loop over the definition (sets and
``min``, sharing only the hash *values* with the implementation: the scale of the self hashes
is recomputed here from GDS's formula), and the closed form of the chance that a neighbour's
feature wins on a regular graph; plus the invariants of GDS's documented examples (its
``persons`` graph: output lengths, binary values, at most ``embeddingDensity`` features,
``nodePropertiesWritten``), k-hop locality, identical neighbourhoods, the heterogeneous
example of the manual, seed reproducibility, the refused configurations, and class
separability on a planted partition."""

from __future__ import annotations

import math
from collections import deque

import networkx as nx
import numpy as np
import pytest
import torch

from neo4j_gml.algorithms.embedding.hashgnn import (
    HashTables,
    binarize_features,
    densify,
    generate_features,
    hash_gnn,
    hash_tables,
    min_hash_step,
)
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.core.graph_store import GraphStore
from neo4j_gml.procedures import runner
from neo4j_gml.procedures.catalog import CatalogEntry
from neo4j_gml.procedures.jobs import Job
from neo4j_gml.procedures.registry import get


# ---------------------------------------------------------------------------- oracles
def _scale(total: int, n: int, arcs: int, d: int, influence: float) -> float:
    """GDS's HashGNN.compute: scaled neighbour influence, clamped as in HashTask."""
    if arcs == 0:
        return 1.0
    upper = d * (1 - (1 - 1 / d) ** (arcs / n))
    return min(1e4, max(1e-4, total / n * influence / upper))


def _brute_force(
    n: int,
    out_arcs: list[list[tuple[int, int]]],
    features: list[set[int]],
    d: int,
    *,
    iterations: int,
    density: int,
    seed: int,
    influence: float = 1.0,
    types: int = 1,
) -> np.ndarray:
    """The definition, one node and one sampling round at a time."""
    arcs = sum(len(a) for a in out_arcs)
    cur = [set(s) for s in features]
    for it in range(iterations):
        scale = _scale(sum(len(s) for s in cur), n, arcs, d, influence)
        tab = hash_tables(seed, it, density, d, types, self_scale=scale)
        sh, nh, ph = (t.tolist() for t in tab)
        new: list[set[int]] = [set() for _ in range(n)]
        for u in range(n):
            for k in range(density):
                own = min(cur[u], key=lambda f, k=k: sh[k][f]) if cur[u] else None
                offered = {
                    min(cur[v], key=lambda f, k=k, t=t: ph[k][t][f])
                    for v, t in out_arcs[u]
                    if cur[v]
                }
                best = min(offered, key=lambda f, k=k: nh[k][f]) if offered else None
                if best is not None and (own is None or nh[k][best] < sh[k][own]):
                    new[u].add(best)
                elif own is not None:
                    new[u].add(own)
        cur = new
    out = np.zeros((n, d))
    for u, s in enumerate(cur):
        out[u, sorted(s)] = 1.0
    return out


def _random_case(seed: int, n: int = 40, d: int = 12, m: int = 90):
    rng = np.random.default_rng(seed)
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    kind = rng.integers(0, 2, m)
    x = (rng.random((n, d)) < 0.2).astype(np.float64)
    x[rng.integers(0, n, 5)] = 0.0  # some nodes without any feature
    return src, dst, kind, x


# ---------------------------------------------------------------------------- hand case
def test_the_manuals_virtual_example_by_hand() -> None:
    # GDS manual, "Virtual example": a(f1) -- b(f2) -- c(f1, f3), one iteration, K = 2, the
    # manual's made-up hash values (self "one", neighbour "two", pre-aggregation "three").
    # k=0: a: f1 self 7 < f2 neighbour 11 -> f1; b: a offers f1, c offers f3 (three: 1 < 3),
    #      two(f1) 5 < two(f3) 6 and 5 < one(f2) 8 -> f1; c: one(f1) 7 < two(f2) 11 -> f1.
    # k=1: a: two(f2) 2 < one(f1) 4 -> f2; b: two(f1) 5 < one(f2) 9 -> f1 again;
    #      c: two(f2) 2 < one(f1) 4 -> f2.
    g = Graph.from_edges([0, 1], [1, 2], num_nodes=3, orientation="UNDIRECTED")
    x = torch.tensor([[1, 0, 0], [0, 1, 0], [1, 0, 1]], dtype=torch.bool)
    tables = HashTables(
        torch.tensor([[7.0, 8.0, 9.0], [4.0, 9.0, 9.0]], dtype=torch.float64),
        torch.tensor([[5.0, 11.0, 6.0], [5.0, 2.0, 9.0]], dtype=torch.float64),
        torch.tensor([[[3.0, 3.0, 1.0]], [[3.0, 3.0, 1.0]]], dtype=torch.float64),
    )
    out = min_hash_step(g, x, tables)
    assert out.int().tolist() == [[1, 1, 0], [1, 0, 0], [1, 1, 0]]


def test_a_tie_goes_to_the_nodes_own_feature_and_types_use_their_own_hash() -> None:
    # 0 -> 1 (type 0), 0 -> 2 (type 1); node 0 has f0; 1 and 2 both have {f1, f2}
    g = Graph.from_edges([0, 0], [1, 2], num_nodes=3)
    x = torch.tensor([[1, 0, 0], [0, 1, 1], [0, 1, 1]], dtype=torch.bool)
    self_h = torch.tensor([[2.0, 9.0, 9.0]], dtype=torch.float64)
    pre = torch.tensor([[[0.0, 1.0, 2.0], [0.0, 2.0, 1.0]]], dtype=torch.float64)
    # neighbour hash of f1 equals node 0's self hash 2: the tie keeps f0
    tie = HashTables(self_h, torch.tensor([[0.0, 2.0, 3.0]], dtype=torch.float64), pre)
    assert min_hash_step(g, x, tie)[0].int().tolist() == [1, 0, 0]
    # type 0 offers f1, type 1 offers f2 (the lesser neighbour hash, 1.5 < 2): typed -> f2
    typed = HashTables(self_h, torch.tensor([[0.0, 3.0, 1.5]], dtype=torch.float64), pre)
    assert min_hash_step(g, x, typed, torch.tensor([0, 1]))[0].int().tolist() == [0, 0, 1]
    # untyped (both use type 0's table): both offer f1, whose hash 3 loses to the self hash 2
    assert min_hash_step(g, x, typed)[0].int().tolist() == [1, 0, 0]


# ---------------------------------------------------------------------------- brute force
@pytest.mark.parametrize(
    ("seed", "orientation", "iterations", "density", "influence"),
    [
        (0, "UNDIRECTED", 1, 3, 1.0),
        (1, "NATURAL", 2, 4, 1.0),
        (2, "UNDIRECTED", 3, 2, 0.2),
        (3, "REVERSE", 2, 5, 7.5),
    ],
)
def test_matches_the_brute_force_definition(
    seed: int, orientation: str, iterations: int, density: int, influence: float
) -> None:
    src, dst, _, x = _random_case(seed)
    n, d = x.shape
    g = Graph.from_edges(src, dst, num_nodes=n, orientation=orientation)
    out = hash_gnn(
        g,
        iterations=iterations,
        embedding_density=density,
        features=torch.as_tensor(x),
        neighbor_influence=influence,
        random_seed=seed + 10,
    )
    arcs: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for s, t in zip(src.tolist(), dst.tolist(), strict=True):
        if orientation in ("NATURAL", "UNDIRECTED"):
            arcs[s].append((t, 0))
        if orientation in ("REVERSE", "UNDIRECTED"):
            arcs[t].append((s, 0))
    feats = [set(np.flatnonzero(row).tolist()) for row in x]
    expected = _brute_force(
        n, arcs, feats, d, iterations=iterations, density=density, seed=seed + 10,
        influence=influence,
    )  # fmt: skip
    np.testing.assert_array_equal(out.numpy(), expected)


def test_heterogeneous_matches_the_brute_force_definition_on_a_named_graph_view() -> None:
    src, dst, kind, x = _random_case(7)
    n, d = x.shape
    rels = {
        name: (torch.as_tensor(src[kind == t]), torch.as_tensor(dst[kind == t]), {})
        for t, name in enumerate(["KNOWS", "LIKES"])
    }
    store = GraphStore.from_relationships(
        torch.arange(n),
        rels,
        node_properties={"x": torch.as_tensor(x)},
        orientations={"KNOWS": "UNDIRECTED", "LIKES": "NATURAL"},
    )
    g = store.view(relationship_types=["LIKES", "KNOWS"], node_properties=["x"])
    assert g.arc_type_names == ("LIKES", "KNOWS") and g.arc_types is not None
    proc = get("hashgnn")
    cfg = proc.validate(
        {"iterations": 2, "embeddingDensity": 4, "featureProperties": ["x"],
         "heterogeneous": True, "randomSeed": 5},
        "stream",
    )  # fmt: skip
    out = proc.compute(g, cfg).values
    arcs: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for s, t, k in zip(src.tolist(), dst.tolist(), kind.tolist(), strict=True):
        if k == 0:  # KNOWS, undirected: index 1 in the view's order
            arcs[s].append((t, 1))
            arcs[t].append((s, 1))
        else:  # LIKES, natural: index 0
            arcs[s].append((t, 0))
    feats = [set(np.flatnonzero(row).tolist()) for row in x]
    expected = _brute_force(n, arcs, feats, d, iterations=2, density=4, seed=5, types=2)
    np.testing.assert_array_equal(out.numpy(), expected)
    # homogeneous: the same arcs, one pre-aggregation hash
    homo = proc.compute(g, cfg.replace(heterogeneous=False)).values
    merged = [[(v, 0) for v, _ in a] for a in arcs]
    expected = _brute_force(n, merged, feats, d, iterations=2, density=4, seed=5)
    np.testing.assert_array_equal(homo.numpy(), expected)


# ---------------------------------------------------------------------------- neighbour influence
@pytest.mark.parametrize("influence", [0.0, 0.3, 1.0, 3.0, 100.0])
def test_the_chance_a_neighbours_feature_wins_follows_gds_scaling(influence: float) -> None:
    # one-hot features on a D-regular graph, K = 1: a node's own feature has self hash
    # U(0, s) (s from GDS's formula), its D neighbours offer D distinct features, the least of
    # D uniforms wins if below: P = 1 - (1 - (1 - min(s, 1))^(D + 1)) / (s (D + 1)).
    n, deg = 2000, 6
    nxg = nx.random_regular_graph(deg, n, seed=1)
    s, t = zip(*nxg.edges(), strict=True)
    g = Graph.from_edges(list(s), list(t), num_nodes=n, orientation="UNDIRECTED")
    scale = _scale(n, n, g.num_arcs, n, influence)
    p = 1 - (1 - (1 - min(scale, 1.0)) ** (deg + 1)) / (scale * (deg + 1))
    e = hash_gnn(
        g, iterations=1, embedding_density=1, features=torch.eye(n, dtype=torch.float64),
        neighbor_influence=influence, random_seed=3,
    )  # fmt: skip
    assert bool((e.sum(1) == 1).all())
    from_neighbours = 1.0 - e.diagonal().double().mean().item()
    sd = math.sqrt(p * (1 - p) / n)
    assert abs(from_neighbours - p) <= 4 * sd + 1e-3, (from_neighbours, p)


# ---------------------------------------------------------------------------- invariants
def _hops(g: Graph, source: int) -> dict[int, int]:
    dist = {source: 0}
    queue = deque([source])
    indptr, indices = g.indptr.tolist(), g.indices.tolist()
    while queue:
        u = queue.popleft()
        for v in indices[indptr[u] : indptr[u + 1]]:
            if v not in dist:
                dist[v] = dist[u] + 1
                queue.append(v)
    return dist


@pytest.mark.parametrize("iterations", [1, 2, 3])
def test_features_come_only_from_the_k_hop_neighbourhood(iterations: int) -> None:
    rng = np.random.default_rng(4)
    n = 150
    src, dst = rng.integers(0, n, 200), rng.integers(0, n, 200)
    g = Graph.from_edges(src, dst, num_nodes=n)  # directed: reach follows out-arcs
    e = hash_gnn(
        g, iterations=iterations, embedding_density=16,
        features=torch.eye(n, dtype=torch.float64), neighbor_influence=50.0, random_seed=2,
    )  # fmt: skip
    reached_beyond_one = False
    for u in range(n):
        near = {v for v, h in _hops(g, u).items() if h <= iterations}
        got = set(torch.nonzero(e[u]).reshape(-1).tolist())
        assert got <= near, u
        assert len(got) <= 16
        reached_beyond_one |= any(_hops(g, u).get(v, 0) > 1 for v in got)
    assert reached_beyond_one == (iterations > 1)


def test_identical_neighbourhoods_and_features_give_identical_embeddings() -> None:
    # 0 and 1 both link to {2, 3, 4} and have the same features; 5 links to {2, 3} only
    g = Graph.from_edges(
        [0, 0, 0, 1, 1, 1, 5, 5, 2], [2, 3, 4, 2, 3, 4, 2, 3, 6], num_nodes=7,
        orientation="UNDIRECTED",
    )  # fmt: skip
    x = torch.zeros(7, 24, dtype=torch.float64)
    x[0, :3] = x[1, :3] = x[5, :3] = 1.0
    for v in (2, 3, 4, 6):
        x[v, 3 + 5 * (v - 2) // 2 : 8 + 5 * (v - 2) // 2] = 1.0
    for seed in range(5):
        e = hash_gnn(g, iterations=2, embedding_density=8, features=x, random_seed=seed)
        assert torch.equal(e[0], e[1])
    differs = [
        not torch.equal(e[0], e[5])
        for e in (
            hash_gnn(g, iterations=2, embedding_density=8, features=x, random_seed=s)
            for s in range(5)
        )
    ]
    assert any(differs)


def test_the_manuals_heterogeneous_example() -> None:
    # (a)-[:R]->(x), (b)-[:R]->(x), (c)-[:S]->(x), one iteration: a and b always agree; with
    # one hash for all types c agrees with them too, with a hash per type it need not.
    d = 40
    x = torch.zeros(4, d, dtype=torch.float64)
    x[3] = 1.0  # only x has features (all of them): a, b, c take what x offers them
    store = GraphStore.from_relationships(
        torch.tensor([10, 11, 12, 13]),
        {"R": (torch.tensor([0, 1]), torch.tensor([3, 3]), {}),
         "S": (torch.tensor([2]), torch.tensor([3]), {})},
        node_properties={"f": x},
    )  # fmt: skip
    g = store.view(node_properties=["f"])
    proc = get("hashgnn")
    base = {"iterations": 1, "embeddingDensity": 4, "featureProperties": ["f"]}
    apart = 0
    for seed in range(6):
        het = proc.compute(
            g, proc.validate(base | {"heterogeneous": True, "randomSeed": seed}, "stream")
        ).values
        homo = proc.compute(g, proc.validate(base | {"randomSeed": seed}, "stream")).values
        assert torch.equal(het[0], het[1]) and torch.equal(homo[0], homo[1])
        assert torch.equal(homo[0], homo[2])
        apart += int(not torch.equal(het[0], het[2]))
    assert apart >= 4  # 4 picks out of 40 features: equal by chance only rarely
    # one type named: the same tables as the homogeneous run
    one = store.view(relationship_types=["R"], node_properties=["f"])
    het = proc.compute(
        one, proc.validate(base | {"heterogeneous": True, "randomSeed": 1}, "stream")
    )
    homo = proc.compute(one, proc.validate(base | {"randomSeed": 1}, "stream"))
    assert torch.equal(het.values, homo.values)


def test_heterogeneous_needs_relationship_types_it_can_tell_apart() -> None:
    proc = get("hashgnn")
    g = Graph.from_edges([0, 1], [1, 2], num_nodes=3, node_properties={"f": torch.eye(3)})
    cfg = {"iterations": 1, "embeddingDensity": 2, "featureProperties": ["f"],
           "heterogeneous": True}  # fmt: skip
    with pytest.raises(ConfigError, match="'heterogeneous'.*named graph"):
        proc.compute(g, proc.validate(cfg, "stream"))  # read from Neo4j: types merged
    one = proc.validate(cfg | {"relationshipTypes": ["KNOWS"]}, "stream")
    assert proc.compute(g, one).values.shape == (3, 3)
    with pytest.raises(ConfigError, match="'heterogeneous'.*Cypher projection"):
        proc.validate(
            cfg | {"nodeQuery": "MATCH (n) RETURN id(n) AS id",
                   "relationshipQuery": "MATCH (a)-->(b) RETURN id(a) AS source, id(b) AS target"},
            "stream",
        )  # fmt: skip


# ---------------------------------------------------------------------------- GDS's examples
def _persons() -> GraphStore:
    """The GDS manual's HashGNN example graph (properties 0 where a label lacks them, and
    ``experience_scaled`` = min-max scaled experience over all 11 nodes, as its
    ``scaleProperties.mutate`` makes it)."""
    people = {"Dan": (18, 63, 0), "Annie": (12, 5, 0), "Matt": (22, 42, 0), "Jeff": (51, 12, 0),
              "Brie": (31, 6, 0), "Elsa": (65, 23, 1), "John": (4, 100, 0)}  # fmt: skip
    fruits = {"Apple": (0, 0.3, 0.6), "Banana": (1, 0.1, 0.9), "Mango": (1, 0.3, 1.0),
              "Plum": (0, 0.5, 0.8)}  # fmt: skip
    names = list(people) + list(fruits)
    at = {name: i for i, name in enumerate(names)}
    n = len(names)
    cols = {k: torch.zeros(n, dtype=torch.float64) for k in
            ("age", "experience", "hipster", "tropical", "sourness", "sweetness")}  # fmt: skip
    for name, (age, exp, hip) in people.items():
        cols["age"][at[name]], cols["experience"][at[name]] = age, exp
        cols["hipster"][at[name]] = hip
    for name, (trop, sour, sweet) in fruits.items():
        cols["tropical"][at[name]], cols["sourness"][at[name]] = trop, sour
        cols["sweetness"][at[name]] = sweet
    exp = cols["experience"]
    cols["experience_scaled"] = (exp - exp.min()) / (exp.max() - exp.min())
    likes = [("Dan", "Apple"), ("Annie", "Banana"), ("Matt", "Mango"), ("Jeff", "Mango"),
             ("Brie", "Banana"), ("Elsa", "Plum"), ("John", "Plum")]  # fmt: skip
    knows = [("Dan", "Annie"), ("Dan", "Matt"), ("Annie", "Matt"), ("Annie", "Jeff"),
             ("Annie", "Brie"), ("Matt", "Brie"), ("Brie", "Elsa"), ("Brie", "Jeff"),
             ("John", "Jeff")]  # fmt: skip

    def arcs(pairs: list[tuple[str, str]]) -> tuple[torch.Tensor, torch.Tensor, dict]:
        return (torch.tensor([at[a] for a, _ in pairs]), torch.tensor([at[b] for _, b in pairs]),
                {})  # fmt: skip

    person = torch.tensor([i < len(people) for i in range(n)])
    return GraphStore.from_relationships(
        torch.arange(n) + 100,
        {"LIKES": arcs(likes), "KNOWS": arcs(knows)},
        labels={"Person": person, "Fruit": ~person},
        node_properties=cols,
        orientations={"LIKES": "UNDIRECTED", "KNOWS": "UNDIRECTED"},
    )


@pytest.mark.parametrize(
    ("config", "labels", "width"),
    [
        ({"iterations": 1, "embeddingDensity": 2, "featureProperties": ["age", "experience"],
          "binarizeFeatures": {"dimension": 4, "threshold": 32}}, ["Person"], 4),
        ({"iterations": 1, "embeddingDensity": 2, "featureProperties": ["hipster"]},
         ["Person"], 1),
        ({"iterations": 1, "embeddingDensity": 2,
          "generateFeatures": {"dimension": 6, "densityLevel": 1}}, ["Person"], 6),
        ({"heterogeneous": True, "iterations": 2, "embeddingDensity": 4,
          "binarizeFeatures": {"dimension": 6, "threshold": 0.2},
          "featureProperties": ["experience_scaled", "sourness", "sweetness", "tropical"]},
         ["*"], 6),
    ],
)  # fmt: skip
def test_the_manuals_stream_examples_invariants(config: dict, labels: list, width: int) -> None:
    entry = CatalogEntry("persons", "neo4j", "test", _persons(), "native", {})
    done = runner.compute(
        "hashgnn", "stream", config | {"nodeLabels": labels, "randomSeed": 42}, named=entry
    )
    e = done.result.values
    assert e.shape == (7 if labels == ["Person"] else 11, width)
    assert set(e.unique().tolist()) <= {0.0, 1.0}
    density = int(config["embeddingDensity"])
    assert bool((e.sum(1) <= density).all())
    if "generateFeatures" in config:  # every node has a feature to pass on: none is empty
        assert bool((e.sum(1) >= 1).all())
    if config.get("featureProperties") == ["hipster"]:
        # one binary input feature, Elsa's: she keeps it (nothing else is offered to her), and
        # Brie, featureless, takes it from Elsa, her only neighbour with a feature: GDS's result
        names = ["Dan", "Annie", "Matt", "Jeff", "Brie", "Elsa", "John"]
        on = {names[i] for i in torch.nonzero(e[:, 0]).reshape(-1).tolist()}
        assert on == {"Elsa", "Brie"}


def test_the_manuals_densified_and_mutate_examples() -> None:
    entry = CatalogEntry("persons", "neo4j", "test", _persons(), "native", {})
    config = {
        "heterogeneous": True, "iterations": 2, "embeddingDensity": 4,
        "binarizeFeatures": {"dimension": 6, "threshold": 0.2},
        "featureProperties": ["experience_scaled", "sourness", "sweetness", "tropical"],
        "randomSeed": 42,
    }  # fmt: skip
    dense = runner.compute("hashgnn", "stream", config | {"outputDimension": 4}, named=entry)
    binary = runner.compute("hashgnn", "stream", config, named=entry)
    values = dense.result.values.double()
    entry_value = float(np.float32(math.sqrt(3)) / np.float32(2.0))  # GDS prints 0.8660253882
    steps = values / entry_value
    assert dense.result.values.shape == (11, 4)
    assert torch.allclose(steps, steps.round(), atol=1e-5)  # sums of +-sqrt(3/4)
    assert torch.equal(dense.result.values, densify(binary.result.values.bool(), 4, 42))
    done = runner.compute("hashgnn", "mutate", config | {"mutateProperty": "h"}, named=entry)
    row = runner.mutate_result(done, entry, Job("hashgnn", "mutate"))
    assert row["nodePropertiesWritten"] == 11
    assert entry.store.node_properties["h"].shape == (11, 6)


# ---------------------------------------------------------------------------- inputs, seeds
def test_seed_reproducibility_and_generated_features_keyed_by_node_id() -> None:
    g = Graph.from_edges([0, 1, 2], [1, 2, 3], num_nodes=4, node_ids=[7, 8, 9, 10],
                         orientation="UNDIRECTED")  # fmt: skip
    run = {"iterations": 2, "embedding_density": 3, "generate": (16, 3)}
    a = hash_gnn(g, **run, random_seed=11)
    assert torch.equal(a, hash_gnn(g, **run, random_seed=11))
    assert not torch.equal(a, hash_gnn(g, **run, random_seed=12))
    # the same Neo4j ids in another projection (other order, other nodes) get the same features
    other = Graph.from_edges([], [], num_nodes=3, node_ids=[10, 99, 8])
    f1, f2 = generate_features(g, 16, 3, 11), generate_features(other, 16, 3, 11)
    assert torch.equal(f1[3], f2[0]) and torch.equal(f1[1], f2[2])
    counts = generate_features(Graph.from_edges([], [], num_nodes=5000), 64, 3, 1).sum(1)
    # 3 draws with replacement out of 64: 3 distinct with probability (63 * 62) / 64**2
    assert counts.min() >= 1 and counts.max() <= 3
    assert abs((counts == 3).double().mean().item() - 63 * 62 / 64**2) < 0.02


def test_binarize_uses_hyperplanes_and_threshold() -> None:
    rng = np.random.default_rng(0)
    x = torch.as_tensor(rng.normal(size=(3000, 5)))
    low = binarize_features(x, 32, 0.0, 4)
    high = binarize_features(x, 32, 1.5, 4)
    # a Gaussian hyperplane through the origin halves Gaussian inputs; the same planes with a
    # higher threshold keep a subset: P(N(0, |x|^2) > 1.5) with |x|^2 ~ chi2(5) is ~0.27
    assert 0.47 < low.double().mean().item() < 0.53
    assert 0.22 < high.double().mean().item() < 0.32
    assert not bool((high & ~low).any())
    assert torch.equal(~binarize_features(x, 32, 0.0, 4), binarize_features(-x, 32, -1e-300, 4))
    # no arcs: the embedding samples the node's own binarized features only
    g = Graph.from_edges([], [], num_nodes=3000)
    e = hash_gnn(g, iterations=1, embedding_density=8, features=x, binarize=(32, 0.0),
                 random_seed=4)  # fmt: skip
    assert not bool(((e == 1) & ~low).any())
    assert 5.0 < e.sum(1).mean().item() <= 8.0  # 8 draws among ~16 features, some repeated


def test_empty_and_featureless() -> None:
    g = Graph.from_edges([], [], num_nodes=0)
    assert hash_gnn(g, iterations=1, embedding_density=2, generate=(4, 1)).shape == (0, 4)
    g = Graph.from_edges([0], [1], num_nodes=3)
    out = hash_gnn(g, iterations=2, embedding_density=2, features=torch.zeros(3, 5))
    assert out.shape == (3, 5) and int(out.sum()) == 0


# ---------------------------------------------------------------------------- configs
BASE = {"iterations": 2, "embeddingDensity": 4, "featureProperties": ["f"]}


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ({"embeddingDensity": 4, "featureProperties": ["f"]}, "iterations"),
        ({"iterations": 2, "featureProperties": ["f"]}, "embeddingDensity"),
        (BASE | {"iterations": 0}, "iterations"),
        (BASE | {"embeddingDensity": 0}, "embeddingDensity"),
        (BASE | {"neighborInfluence": -0.5}, "neighborInfluence"),
        (BASE | {"outputDimension": 0}, "outputDimension"),
        (BASE | {"heterogeneous": "yes"}, "heterogeneous"),
        (BASE | {"featureProperties": []}, "featureProperties"),
        (BASE | {"generateFeatures": {"dimension": 4, "densityLevel": 1}}, "generateFeatures"),
        ({"iterations": 1, "embeddingDensity": 1,
          "generateFeatures": {"dimension": 4, "densityLevel": 5}}, "generateFeatures"),
        ({"iterations": 1, "embeddingDensity": 1,
          "generateFeatures": {"dimension": 4}}, "generateFeatures"),
        ({"iterations": 1, "embeddingDensity": 1,
          "generateFeatures": {"dimension": 4, "densityLevel": 1, "x": 1}}, "generateFeatures"),
        ({"iterations": 1, "embeddingDensity": 1, "binarizeFeatures": {"dimension": 4},
          "generateFeatures": {"dimension": 4, "densityLevel": 1}}, "binarizeFeatures"),
        (BASE | {"binarizeFeatures": {"dimension": 0}}, "binarizeFeatures"),
        (BASE | {"binarizeFeatures": {"threshold": 1.0}}, "binarizeFeatures"),
        (BASE | {"binarizeFeatures": {"dimension": 4, "threshold": "high"}}, "binarizeFeatures"),
        (BASE | {"binarizeFeatures": {"dimension": 4, "treshold": 1}}, "binarizeFeatures"),
        (BASE | {"binarizeFeatures": 4}, "binarizeFeatures"),
        (BASE | {"relationshipWeightProperty": "w"}, "relationshipWeightProperty"),
        (BASE | {"embeddingDimension": 8}, "embeddingDimension"),
    ],
)  # fmt: skip
def test_bad_configs_are_refused_naming_the_key(config: dict, key: str) -> None:
    with pytest.raises(ConfigError, match=f"'{key}'"):
        get("hashgnn").validate(config, "stream")


def test_non_binary_features_without_binarize_are_refused_naming_the_key() -> None:
    g = Graph.from_edges([0], [1], num_nodes=2, node_ids=[5, 6],
                         node_properties={"f": [[0.0, 1.0], [0.5, 1.0]]})  # fmt: skip
    with pytest.raises(ConfigError, match="'featureProperties'.*node 6 has 0.5"):
        runner.compute("hashgnn", "stream", BASE, graph=g)
    done = runner.compute("hashgnn", "stream", BASE | {"binarizeFeatures": {"dimension": 3}},
                          graph=g)  # fmt: skip
    assert done.result.values.shape == (2, 3)


def test_runner_stream_columns() -> None:
    import neo4j_gml

    g = Graph.from_edges([0, 1], [1, 2], num_nodes=3, node_ids=[5, 6, 7],
                         orientation="UNDIRECTED", node_properties={"f": torch.eye(3)})  # fmt: skip
    frame = neo4j_gml.run("hashgnn", "stream", BASE | {"randomSeed": 2}, graph=g)
    assert frame["nodeId"].tolist() == [5, 6, 7]
    assert all(len(v) == 3 for v in frame["embedding"])
    proc = get("hashgnn")
    assert proc.column == "embedding" and proc.column_type == "floatList"
    assert {"stream", "stats", "mutate", "write"} <= set(proc.modes)


# ---------------------------------------------------------------------------- quality
def _planted(n: int = 600, classes: int = 4, seed: int = 0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % classes
    p = np.where(y[:, None] == y[None, :], 0.03, 0.003)
    s, t = np.nonzero(np.triu(rng.random((n, n)) < p, 1))
    f = rng.random((n, 64)) < 0.04  # noise bits
    width = 64 // classes
    for i in range(n):  # class-informative bits, each on with probability 0.15
        f[i, y[i] * width : (y[i] + 1) * width] |= rng.random(width) < 0.15
    g = Graph.from_edges(s, t, num_nodes=n, orientation="UNDIRECTED")
    return g, torch.as_tensor(f, dtype=torch.float64), y


def _nearest_centroid_accuracy(x: np.ndarray, y: np.ndarray) -> float:
    idx = np.random.default_rng(0).permutation(len(y))
    train, test = idx[: len(y) // 2], idx[len(y) // 2 :]
    unit = x / (np.linalg.norm(x, axis=1, keepdims=True) + 1e-12)
    cent = np.stack([unit[train][y[train] == c].mean(0) for c in np.unique(y)])
    return float(((unit[test] @ cent.T).argmax(1) == y[test]).mean())


def test_classes_of_a_planted_partition_become_separable() -> None:
    # raw features alone: ~0.80 (sparse, noisy bits); HashGNN pools the neighbourhood's bits
    g, f, y = _planted()
    raw = _nearest_centroid_accuracy(f.numpy(), y)
    e = hash_gnn(g, iterations=1, embedding_density=64, features=f, random_seed=3)
    ours = _nearest_centroid_accuracy(e.numpy(), y)
    assert ours >= 0.88 and ours >= raw + 0.05, (ours, raw)
