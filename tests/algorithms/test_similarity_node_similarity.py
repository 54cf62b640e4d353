"""nodeSimilarity against brute force over Python sets / dicts (tolerance 1e-12)."""

from __future__ import annotations

import math
import random

import pytest
import torch

import neo4j_gml.algorithms.similarity.node_similarity as ns_mod
from neo4j_gml.algorithms.similarity.node_similarity import node_similarity
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures.registry import get


def _random_graph(n: int, m: int, seed: int, weighted: bool = False) -> tuple[Graph, dict]:
    rnd = random.Random(seed)
    arcs: dict[tuple[int, int], float] = {}
    src, dst, w = [], [], []
    for _ in range(m):
        u, v = rnd.randrange(n), rnd.randrange(n)
        x = rnd.choice([0.5, 1.0, 2.0, 3.0])
        src.append(u)
        dst.append(v)
        w.append(x)
        arcs[(u, v)] = arcs.get((u, v), 0.0) + x  # parallel arcs: weights summed
    g = Graph.from_edges(src, dst, w if weighted else None, num_nodes=n)
    return g, arcs


def _oracle(arcs: dict, n: int, metric: str, weighted: bool, k: int, cutoff: int = 1) -> dict:
    nb: dict[int, dict[int, float]] = {u: {} for u in range(n)}
    for (u, v), x in arcs.items():
        if u != v:  # a node is not its own neighbour (GDS)
            nb[u][v] = x if weighted else 1.0
    ok = [u for u in range(n) if len(nb[u]) >= cutoff]
    out = {}
    for a in ok:
        sims = []
        for b in ok:
            if a == b:
                continue
            A, B = nb[a], nb[b]
            common = set(A) & set(B)
            if not common:
                continue
            if metric == "JACCARD":
                mn = sum(min(A.get(t, 0), B.get(t, 0)) for t in set(A) | set(B))
                mx = sum(max(A.get(t, 0), B.get(t, 0)) for t in set(A) | set(B))
                s = mn / mx
            elif metric == "OVERLAP":
                s = sum(min(A[t], B[t]) for t in common) / min(sum(A.values()), sum(B.values()))
            else:
                dot = sum(A[t] * B[t] for t in common)
                s = dot / math.sqrt(sum(x * x for x in A.values()) * sum(x * x for x in B.values()))
            sims.append((s, b))
        sims.sort(key=lambda p: (-p[0], p[1]))
        if sims[:k]:
            out[a] = sims[:k]
    return out


def _as_dict(src: torch.Tensor, dst: torch.Tensor, sim: torch.Tensor) -> dict:
    out: dict = {}
    for s, t, v in zip(src.tolist(), dst.tolist(), sim.tolist(), strict=True):
        out.setdefault(s, []).append((v, t))
    return out


def _same(got: dict, expect: dict) -> None:
    assert sorted(got) == sorted(expect)
    for a in expect:
        assert [round(v, 12) for v, _ in got[a]] == [round(v, 12) for v, _ in expect[a]], a
        # the k-th best may tie with others: compare the set only above the last value
        last = expect[a][-1][0]
        assert {t for v, t in got[a] if v > last + 1e-12} == {
            t for v, t in expect[a] if v > last + 1e-12
        }


@pytest.mark.parametrize("metric", ["JACCARD", "OVERLAP", "COSINE"])
@pytest.mark.parametrize("weighted", [False, True])
def test_matches_brute_force(metric: str, weighted: bool) -> None:
    g, arcs = _random_graph(25, 120, seed=3, weighted=weighted)
    src, dst, sim, compared = node_similarity(g, metric=metric, weighted=weighted, top_k=3)
    _same(_as_dict(src, dst, sim), _oracle(arcs, 25, metric, weighted, 3))
    assert compared == len({u for u, _ in arcs})


def test_small_blocks_give_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    g, arcs = _random_graph(30, 150, seed=5)
    monkeypatch.setattr(ns_mod, "_WEDGE_BUDGET", 7)
    src, dst, sim, _ = node_similarity(g, top_k=4)
    _same(_as_dict(src, dst, sim), _oracle(arcs, 30, "JACCARD", False, 4))


def test_hand_checked_and_both_directions() -> None:
    # 0 -> {2, 3}, 1 -> {3, 4}: Jaccard 1/3 both ways; 2, 3, 4 have no out-neighbours
    g = Graph.from_edges([0, 0, 1, 1], [2, 3, 3, 4], num_nodes=5)
    src, dst, sim, compared = node_similarity(g)
    assert sorted(zip(src.tolist(), dst.tolist(), strict=True)) == [(0, 1), (1, 0)]
    assert sim.tolist() == pytest.approx([1 / 3, 1 / 3])
    assert compared == 2


def test_self_loops_are_left_out_as_gds_does() -> None:
    # Measured on GDS 2.13.9 (gds.nodeSimilarity.stream / .stats) for a -> {a (w 5), b (w 1)},
    # c -> {b (w 1), x (w 2)}, e -> {b (w 1), x (w 1)}; positions a=0, b=1, c=2, e=3, x=4.
    g = Graph.from_edges(
        [0, 0, 2, 2, 3, 3], [0, 1, 1, 4, 1, 4], [5.0, 1.0, 1.0, 2.0, 1.0, 1.0], num_nodes=5
    )

    def pairs(**kw: object) -> dict[tuple[int, int], float]:
        src, dst, sim, _ = node_similarity(g, **kw)
        return dict(zip(zip(src.tolist(), dst.tolist(), strict=True), sim.tolist(), strict=True))

    assert pairs() == pytest.approx({(0, 2): 0.5, (0, 3): 0.5, (2, 0): 0.5, (2, 3): 1.0,
                                     (3, 0): 0.5, (3, 2): 1.0})  # fmt: skip
    weighted = pairs(weighted=True)
    assert weighted[(0, 2)] == pytest.approx(1 / 3) and weighted[(2, 3)] == pytest.approx(2 / 3)
    assert set(pairs(metric="OVERLAP").values()) == {1.0}
    assert node_similarity(g, degree_cutoff=2)[3] == 2  # a's degree is 1 without its loop
    assert node_similarity(g, upper_degree_cutoff=1)[3] == 1


def test_degree_cutoffs_topn_bottomk() -> None:
    g, arcs = _random_graph(25, 120, seed=8)
    src, dst, sim, _ = node_similarity(g, degree_cutoff=5, top_k=100)
    _same(_as_dict(src, dst, sim), _oracle(arcs, 25, "JACCARD", False, 100, cutoff=5))
    src, dst, sim, _ = node_similarity(g, top_k=100, top_n=5)
    assert sim.numel() == 5 and torch.all(sim[:-1] >= sim[1:])
    full = node_similarity(g, top_k=100)[2]
    assert sim.tolist() == sorted(full.tolist(), reverse=True)[:5]
    # bottomK: each node's least similar (non-zero) pairs
    src, dst, sim, _ = node_similarity(g, bottom_k=1)
    expect = _oracle(arcs, 25, "JACCARD", False, 100)
    for s, v in zip(src.tolist(), sim.tolist(), strict=True):
        assert v == pytest.approx(min(x for x, _ in expect[s]), abs=1e-12)
    # distinct targets other than the node itself
    deg = torch.bincount(torch.tensor([u for u, v in arcs if u != v]), minlength=25)
    src, _, _, compared = node_similarity(g, upper_degree_cutoff=4)
    assert compared == int(((deg >= 1) & (deg <= 4)).sum())
    assert torch.all(deg[src] <= 4)


def test_empty_graph() -> None:
    g = Graph.from_edges([], [], num_nodes=3)
    src, dst, sim, compared = node_similarity(g)
    assert src.numel() == 0 and compared == 0


def test_procedure() -> None:
    proc = get("nodeSimilarity")
    with pytest.raises(ConfigError, match="topK"):
        proc.validate({"topK": 0}, "stream")
    with pytest.raises(ConfigError, match="similarityMetric"):
        proc.validate({"similarityMetric": "DICE"}, "stream")
    g = Graph.from_edges([0, 0, 1, 1], [2, 3, 3, 4], [1.0, 2.0, 2.0, 1.0], num_nodes=5)
    res = proc.compute(g, proc.validate({"relationshipWeightProperty": "w"}, "stream"))
    # weighted: min sum 2 / max sum (1 + 2 + 1) = 0.5
    assert res.values.tolist() == pytest.approx([0.5, 0.5])
    assert res.stats["nodesCompared"] == 2
    neg = Graph.from_edges([0, 1], [2, 2], [-1.0, 1.0], num_nodes=3)
    with pytest.raises(ConfigError, match="relationshipWeightProperty"):
        proc.compute(neg, proc.validate({"relationshipWeightProperty": "w"}, "stream"))


@pytest.mark.parametrize(
    ("config", "match"),
    [
        ({"topK": 3, "bottomK": 2}, "bottomK"),
        ({"topN": 3, "bottomN": 2}, "bottomN"),
        ({"degreeCutoff": 3, "upperDegreeCutoff": 2}, "upperDegreeCutoff"),
    ],
)
def test_cross_key_rules_fail_before_any_read(config: dict, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        get("nodeSimilarity").validate(config, "stream")
