"""Filtered Node Similarity and filtered kNN (GDS ``nodeSimilarity.filtered``, ``knn.filtered``).

Oracles: brute force over all pairs (filter, score in float64 numpy/Python, sort, take topK with
GDS's tie rule: for filtered kNN with a target filter GDS's ``TreeSet`` keeps, at equal
similarity, the larger node id, and lists it first), compared exactly (similarities to 1e-12);
NN-Descent with filters against the exact result by recall (>= 0.9 on clustered vectors);
the GDS manual's example rows for both procedures; bad filter values raise a ConfigError naming
the key.
"""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
import torch

import neo4j_gml.algorithms.similarity.knn_filtered as knn_filtered_mod
from neo4j_gml.algorithms.similarity.knn_descent import knn_descent
from neo4j_gml.algorithms.similarity.knn_filtered import filtered_knn
from neo4j_gml.algorithms.similarity.node_similarity import node_similarity
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.core.graph_store import GraphStore
from neo4j_gml.procedures import runner
from neo4j_gml.procedures.catalog import CatalogEntry
from neo4j_gml.procedures.registry import get

pytestmark = pytest.mark.usefixtures("one_torch_thread")


# ---------------------------------------------------------------------------- kNN oracle
def _knn_oracle(
    x: np.ndarray,
    k: int,
    sources: set[int],
    targets: set[int] | None,
    cutoff: float,
    seeded: bool = False,
    euclidean: bool = False,
) -> list[tuple[int, int, float]]:
    """Brute force, one scalar (1 / (1 + |a - b|)), COSINE ((cos + 1) / 2) or EUCLIDEAN
    (1 / (1 + ||a - b||)) property."""
    n = x.shape[0]
    rows = []
    for a in sorted(sources):
        cands = []
        for b in range(n):
            if b == a or (targets is not None and b not in targets):
                continue
            if x.ndim == 1:
                s = 1.0 / (1.0 + abs(x[a] - x[b]))
            elif euclidean:
                s = 1.0 / (1.0 + np.linalg.norm(x[a] - x[b]))
            else:
                s = (x[a] @ x[b] / (np.linalg.norm(x[a]) * np.linalg.norm(x[b])) + 1) / 2
            cands.append((s, b))
        # GDS: with a target filter, equal similarities keep (and list) the larger id first;
        # without one, the plain kNN result (ours: the smaller id)
        sign = -1 if targets is not None else 1
        cands.sort(key=lambda p: (-p[0], sign * p[1]))
        kept = cands[: min(k, n - 1)]
        if not (seeded and targets is not None):
            kept = [p for p in kept if p[0] >= cutoff]
        rows += [(a, b, s) for s, b in kept]
    return rows


def _rows(src: torch.Tensor, dst: torch.Tensor, sim: torch.Tensor) -> list:
    return list(zip(src.tolist(), dst.tolist(), sim.tolist(), strict=True))


def _same_rows(got: list, want: list) -> None:
    assert [(a, b) for a, b, _ in got] == [(a, b) for a, b, _ in want]
    assert [s for *_, s in got] == pytest.approx([s for *_, s in want], abs=1e-12)


def _masks(n: int, seed: int, ps: float, pt: float) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, generator=g) < ps, torch.rand(n, generator=g) < pt


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("kind", ["scalar", "cosine", "euclidean", "cosine-redo"])
def test_exact_filtered_knn_equals_brute_force(
    seed: int, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scalars (the float64 blocks) and COSINE/EUCLIDEAN (the float32 search with float64
    rescoring; ``cosine-redo``: a rounding bound so large that every row is recomputed in
    float64)."""
    n = 60
    rng = np.random.default_rng(seed)
    # integer scalars: many exact ties, so the tie rule is checked too
    x = rng.integers(0, 12, n).astype(float) if kind == "scalar" else rng.normal(size=(n, 5))
    if kind == "euclidean":
        x = np.round(x, 1)  # some equal distances
    values = torch.tensor(x)
    metric = {"scalar": "DEFAULT", "euclidean": "EUCLIDEAN"}.get(kind, "COSINE")
    if kind == "cosine-redo":
        monkeypatch.setattr(knn_filtered_mod, "_unit_roundoff", lambda: 1.0)
    source, target = _masks(n, seed, 0.5, 0.4)
    s_set = set(torch.nonzero(source).view(-1).tolist())
    t_set = set(torch.nonzero(target).view(-1).tolist())
    for k, cutoff, seeded in [(3, 0.0, False), (5, 0.3, False), (4, 0.9, True)]:
        for s_mask, t_mask, s_want, t_want in [
            (source, target, s_set, t_set),
            (None, target, set(range(n)), t_set),
            (source, None, s_set, None),
        ]:
            src, dst, sim, _ = filtered_knn(
                [(values, metric)],
                k,
                source_mask=s_mask,
                target_mask=t_mask,
                seed_target_nodes=seeded,
                similarity_cutoff=cutoff,
                block_rows=7,
            )
            want = _knn_oracle(x, k, s_want, t_want, cutoff, seeded, kind == "euclidean")
            _same_rows(_rows(src, dst, sim), want)


def test_procedure_with_gds_exact_settings_equals_brute_force() -> None:
    """``sampleRate: 1, deltaThreshold: 0`` (GDS's way to ask for the exact result; method AUTO
    computes it exactly at this size) equals brute force; NN-Descent forced with the same
    settings finds nearly all of it (>= 0.95 here; it offers only the pairs it scores)."""
    n = 40
    x = np.random.default_rng(7).normal(size=(n, 4))
    source, target = _masks(n, 7, 0.6, 0.5)
    s_set = set(torch.nonzero(source).view(-1).tolist())
    t_set = set(torch.nonzero(target).view(-1).tolist())
    ids = torch.arange(1000, 1000 + n)
    g = Graph(torch.zeros(n + 1, dtype=torch.long), torch.zeros(0, dtype=torch.long), None, ids,
              node_properties={"v": torch.tensor(x)})  # fmt: skip
    cfg = {"nodeProperties": {"v": "COSINE"}, "topK": 3, "sampleRate": 1.0,
           "deltaThreshold": 0.0, "randomSeed": 3,
           "sourceNodeFilter": [1000 + i for i in sorted(s_set)],
           "targetNodeFilter": [1000 + i for i in sorted(t_set)]}  # fmt: skip
    frame = runner.stream_frame(runner.compute("knn.filtered", "stream", cfg, graph=g))
    got = [(a - 1000, b - 1000, s) for a, b, s in frame.itertuples(index=False)]
    want = _knn_oracle(x, 3, s_set, t_set, 0.0)
    _same_rows(got, want)
    done = runner.compute("knn.filtered", "stream", cfg | {"method": "NN_DESCENT"}, graph=g)
    r = done.result
    found = set(zip(r.source.tolist(), r.target.tolist(), strict=True))
    assert len(found & {(a, b) for a, b, _ in want}) / len(want) >= 0.95


def test_nn_descent_filtered_recall_on_clusters() -> None:
    """5,000 vectors in 50 Gaussian clusters (d = 16, COSINE, topK 10), sources 50 %, targets
    30 % of the nodes at random: NN-Descent with GDS's defaults finds >= 0.9 of the exact
    filtered neighbours (measured 0.98), and only sources get rows, only targets are rows'."""
    g = torch.Generator().manual_seed(0)
    n, d = 5000, 16
    centres = torch.randn(50, d, generator=g, dtype=torch.float64) * 3
    x = centres[torch.randint(0, 50, (n,), generator=g)]
    x = x + torch.randn(n, d, generator=g, dtype=torch.float64)
    source, target = _masks(n, 0, 0.5, 0.3)
    es, et, _, _ = filtered_knn([(x, "COSINE")], 10, source_mask=source, target_mask=target)
    ns, nt, nv, stats = knn_descent(
        [(x, "COSINE")], 10, source_mask=source, target_mask=target, random_seed=1
    )
    exact = set(zip(es.tolist(), et.tolist(), strict=True))
    found = set(zip(ns.tolist(), nt.tolist(), strict=True))
    assert len(found & exact) / len(exact) >= 0.9
    assert bool(source[ns].all()) and bool(target[nt].all())
    assert bool((ns != nt).all())
    assert stats["nodesCompared"] == n


def test_nn_descent_seeding_fills_lists_and_ignores_cutoff() -> None:
    n = 300
    x = torch.tensor(np.random.default_rng(3).normal(size=(n, 8)))
    source, target = _masks(n, 3, 0.5, 0.2)
    src, dst, sim, _ = knn_descent(
        [(x, "COSINE")],
        5,
        similarity_cutoff=0.99,
        source_mask=source,
        target_mask=target,
        seed_target_nodes=True,
        random_seed=5,
    )
    per_source = torch.bincount(src, minlength=n)
    assert per_source[source].tolist() == [5] * int(source.sum())
    assert bool(target[dst].all())
    unseeded = knn_descent(
        [(x, "COSINE")], 5, similarity_cutoff=0.99, source_mask=source, target_mask=target
    )
    assert unseeded[0].numel() < src.numel()


def test_seeding_with_few_targets_is_exact() -> None:
    """GDS: with at most topK + 1 targets the seeds are every target (the exact answer)."""
    n = 50
    x = np.random.default_rng(4).normal(size=(n, 3))
    target = torch.zeros(n, dtype=torch.bool)
    target[[3, 9, 20]] = True
    src, dst, sim, _ = knn_descent(
        [(torch.tensor(x), "COSINE")], 2, target_mask=target, seed_target_nodes=True
    )
    _same_rows(_rows(src, dst, sim), _knn_oracle(x, 2, set(range(n)), {3, 9, 20}, 0.0, True))


# ---------------------------------------------------------------------------- node similarity
def _jaccard_oracle(
    arcs: set[tuple[int, int]], n: int, k: int, sources: set[int], targets: set[int]
) -> dict[int, list[tuple[float, int]]]:
    nb: dict[int, set[int]] = {u: set() for u in range(n)}
    for u, v in arcs:
        if u != v:
            nb[u].add(v)
    out = {}
    for a in sorted(sources):
        if not nb[a]:
            continue
        sims = [
            (len(nb[a] & nb[b]) / len(nb[a] | nb[b]), b)
            for b in sorted(targets)
            if b != a and nb[b] and nb[a] & nb[b]
        ]
        sims.sort(key=lambda p: (-p[0], p[1]))
        if sims:
            out[a] = sims[:k]
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_filtered_node_similarity_equals_brute_force(seed: int) -> None:
    rnd = random.Random(seed)
    n = 40
    pairs = [(rnd.randrange(n), rnd.randrange(n // 2)) for _ in range(200)]
    src, dst = zip(*pairs, strict=True)
    g = Graph.from_edges(list(src), list(dst), num_nodes=n)
    source, target = _masks(n, seed, 0.5, 0.5)
    s_set = set(torch.nonzero(source).view(-1).tolist())
    t_set = set(torch.nonzero(target).view(-1).tolist())
    got_s, got_t, got_v, compared = node_similarity(
        g, top_k=3, source_mask=source, target_mask=target
    )
    want = _jaccard_oracle(set(pairs), n, 3, s_set, t_set)
    got: dict = {}
    for a, b, v in zip(got_s.tolist(), got_t.tolist(), got_v.tolist(), strict=True):
        got.setdefault(a, []).append((v, b))
    assert sorted(got) == sorted(want)
    for a, rows in want.items():
        assert [v for v, _ in got[a]] == pytest.approx([v for v, _ in rows], abs=1e-12)
        last = rows[-1][0]  # a tie at the k-th place: GDS's queue picks; compare above it
        assert {b for v, b in got[a] if v > last + 1e-12} == {
            b for v, b in rows if v > last + 1e-12
        }
        assert a in s_set and all(b in t_set for _, b in got[a])
    out_deg = torch.bincount(torch.tensor(src), minlength=n)
    assert compared == int((source & (out_deg > 0)).sum())
    # topN applies to the filtered pairs
    top = node_similarity(g, top_k=3, top_n=5, source_mask=source, target_mask=target)
    best = sorted((v for rows in want.values() for v, _ in rows), reverse=True)[:5]
    assert top[2].tolist() == pytest.approx(best, abs=1e-12)


# ---------------------------------------------------------------------------- GDS examples
def _named(store: GraphStore) -> CatalogEntry:
    return CatalogEntry("myGraph", "neo4j", "test", store, "native", {})


def _singers() -> tuple[CatalogEntry, list[str]]:
    """GDS manual, Filtered Node Similarity: Person/Singer nodes LIKES instruments."""
    names = ["Alice", "Bob", "Carol", "Dave", "Eve", "Guitar", "Synthesizer", "Bongos", "Trumpet"]
    singer = torch.tensor([1, 1, 1, 0, 1, 0, 0, 0, 0], dtype=torch.bool)
    person = torch.tensor([1, 1, 1, 1, 1, 0, 0, 0, 0], dtype=torch.bool)
    likes = [(0, 5), (0, 6), (0, 7), (1, 5), (1, 6), (2, 7), (3, 5), (3, 6), (3, 7)]
    s, t = torch.tensor([a for a, _ in likes]), torch.tensor([b for _, b in likes])
    store = GraphStore.from_relationships(
        torch.arange(100, 109),
        {"LIKES": (s, t, {})},
        labels={"Person": person, "Singer": singer, "Instrument": ~person},
    )
    return _named(store), names


def test_gds_manual_filtered_node_similarity_example() -> None:
    """``sourceNodeFilter: 'Singer', targetNodeFilter: 'Singer'``: GDS prints Alice-Bob 2/3 and
    Alice-Carol 1/3, both ways, and ``nodesCompared: 3, similarityPairs: 4``."""
    entry, names = _singers()
    cfg = {"sourceNodeFilter": "Singer", "targetNodeFilter": "Singer"}
    done = runner.compute("nodeSimilarity.filtered", "stream", cfg, named=entry)
    frame = runner.stream_frame(done)
    rows = sorted(
        ((names[a - 100], names[b - 100], s) for a, b, s in frame.itertuples(index=False)),
        key=lambda r: (-r[2], r[0], r[1]),
    )
    assert [r[:2] for r in rows] == [
        ("Alice", "Bob"), ("Bob", "Alice"), ("Alice", "Carol"), ("Carol", "Alice")
    ]  # fmt: skip
    assert [r[2] for r in rows] == pytest.approx([2 / 3, 2 / 3, 1 / 3, 1 / 3], abs=1e-15)
    assert done.result.stats["nodesCompared"] == 3
    # the same with node ids (a list, or one id) in place of the label
    ids = {"sourceNodeFilter": [100, 101, 102, 104], "targetNodeFilter": [100, 101, 102, 104]}
    again = runner.stream_frame(
        runner.compute("nodeSimilarity.filtered", "stream", ids, named=entry)
    )
    assert sorted(map(tuple, again.values.tolist())) == sorted(map(tuple, frame.values.tolist()))
    one = runner.compute(
        "nodeSimilarity.filtered", "stream", {"sourceNodeFilter": 102}, named=entry
    ).result
    assert one.source.unique().tolist() == [2]


def _vegans() -> tuple[CatalogEntry, list[str]]:
    """GDS manual, Filtered K-Nearest Neighbors: five Person nodes with an age, four Vegan."""
    names = ["Alice", "Bob", "Carol", "Dave", "Eve"]
    vegan = torch.tensor([1, 1, 0, 1, 1], dtype=torch.bool)
    store = GraphStore.from_relationships(
        torch.arange(5),
        {},
        labels={"Person": torch.ones(5, dtype=torch.bool), "Vegan": vegan},
        node_properties={"age": torch.tensor([24.0, 73.0, 24.0, 48.0, 67.0])},
    )
    return _named(store), names


@pytest.mark.parametrize("method", ["EXACT", "NN_DESCENT"])
def test_gds_manual_filtered_knn_examples(method: str) -> None:
    """The manual's two stream examples (``sampleRate: 1.0, deltaThreshold: 0.0``)."""
    entry, names = _vegans()
    base = {"topK": 1, "nodeProperties": ["age"], "randomSeed": 1337, "sampleRate": 1.0,
            "deltaThreshold": 0.0, "method": method}  # fmt: skip

    def rows(cfg: dict) -> list:
        frame = runner.stream_frame(runner.compute("knn.filtered", "stream", cfg, named=entry))
        out = [(names[a], names[b], s) for a, b, s in frame.itertuples(index=False)]
        return sorted(out, key=lambda r: (-r[2], r[0], r[1]))

    got = rows(base | {"sourceNodeFilter": "Vegan"})
    assert [r[:2] for r in got] == [("Alice", "Carol"), ("Bob", "Eve"), ("Eve", "Bob"),
                                    ("Dave", "Eve")]  # fmt: skip
    assert [r[2] for r in got] == pytest.approx([1.0, 1 / 7, 1 / 7, 0.05], abs=1e-15)
    got = rows(
        base | {"targetNodeFilter": "Vegan", "seedTargetNodes": True, "similarityCutoff": 0.3}
    )
    assert [r[:2] for r in got] == [("Carol", "Alice"), ("Bob", "Eve"), ("Eve", "Bob"),
                                    ("Dave", "Eve"), ("Alice", "Dave")]  # fmt: skip
    assert [r[2] for r in got] == pytest.approx([1.0, 1 / 7, 1 / 7, 0.05, 0.04], abs=1e-15)
    stats = runner.compute(
        "knn.filtered", "stats", base | {"sourceNodeFilter": "Vegan"}, named=entry
    )
    assert stats.result.stats["nodesCompared"] == 5 and stats.result.source.numel() == 4


# ---------------------------------------------------------------------------- bad values
@pytest.mark.parametrize("name", ["knn.filtered", "nodeSimilarity.filtered"])
@pytest.mark.parametrize(
    ("value", "match"),
    [
        ("Robot", "'sourceNodeFilter': the node label 'Robot' is missing"),
        ([1, "x"], "'sourceNodeFilter' must hold node ids or nodes only"),
        (1.5, "'sourceNodeFilter' must be a node id"),
        ({"a": 1}, "'sourceNodeFilter' must be a node id"),
        ([3, 999], r"'sourceNodeFilter': nodes missing from the graph: \[999\]"),
    ],
)
def test_bad_filter_values_name_the_key(name: str, value: object, match: str) -> None:
    entry, _ = _vegans() if name == "knn.filtered" else _singers()
    if value == [3, 999]:  # a node of the graph and one that is not
        value = [int(entry.store.node_ids[3]), 999]
    cfg: dict = {"sourceNodeFilter": value}
    if name == "knn.filtered":
        cfg["nodeProperties"] = ["age"]
    with pytest.raises(ConfigError, match=match):
        runner.compute(name, "stream", cfg, named=entry)


def test_target_filter_errors_and_unfiltered_procedures_refuse_the_keys() -> None:
    entry, _ = _vegans()
    cfg = {"nodeProperties": ["age"], "targetNodeFilter": "Robot"}
    with pytest.raises(ConfigError, match="'targetNodeFilter'"):
        runner.compute("knn.filtered", "stream", cfg, named=entry)
    # a graph that was not projected by label knows no labels
    g = Graph.from_edges([0], [1])
    with pytest.raises(ConfigError, match="'sourceNodeFilter'.*none known"):
        runner.compute("nodeSimilarity.filtered", "stream", {"sourceNodeFilter": "A"}, graph=g)
    with pytest.raises(ConfigError, match="sourceNodeFilter"):
        get("knn").validate({"nodeProperties": "age", "sourceNodeFilter": "A"}, "stream")
    # an empty list filters nothing (GDS)
    both = runner.compute("knn.filtered", "stream", {"nodeProperties": ["age"],
                          "sourceNodeFilter": []}, named=entry)  # fmt: skip
    assert both.result.source.unique().numel() == 5


def test_filtered_exact_on_device(device: str) -> None:
    x = torch.tensor(np.random.default_rng(2).normal(size=(80, 6)))
    source, target = _masks(80, 2, 0.5, 0.5)
    want = filtered_knn([(x, "COSINE")], 4, source_mask=source, target_mask=target)
    got = filtered_knn(
        [(x.to(device), "COSINE")], 4, source_mask=source.to(device), target_mask=target.to(device)
    )
    assert got[0].device.type == device
    _same_rows(_rows(*[t.cpu() for t in got[:3]]), _rows(*want[:3]))
    assert math.isfinite(float(got[2].sum()))
