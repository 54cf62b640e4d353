"""kNN against a brute-force numpy oracle (tolerance 1e-9 on similarities)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from neo4j_gml.algorithms.similarity.knn import knn
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures.registry import get


def _oracle_sim(cols: list[tuple[np.ndarray, str]], a: int, b: int) -> float:
    total = 0.0
    for x, metric in cols:
        if x.ndim == 1:
            total += 1.0 / (1.0 + abs(x[a] - x[b]))
        elif metric in ("DEFAULT", "COSINE"):
            cos = x[a] @ x[b] / (np.linalg.norm(x[a]) * np.linalg.norm(x[b]))
            total += (cos + 1) / 2
        elif metric == "EUCLIDEAN":
            total += 1.0 / (1.0 + np.linalg.norm(x[a] - x[b]))
        elif metric == "PEARSON":
            total += max(np.corrcoef(x[a], x[b])[0, 1], 0.0)
        else:
            sa, sb = set(x[a].tolist()), set(x[b].tolist())
            inter = len(sa & sb)
            den = len(sa | sb) if metric == "JACCARD" else min(len(sa), len(sb))
            total += inter / den
    return total / len(cols)


def _oracle(cols: list[tuple[np.ndarray, str]], k: int) -> dict[int, list[tuple[int, float]]]:
    n = cols[0][0].shape[0]
    out = {}
    for a in range(n):
        sims = [(b, _oracle_sim(cols, a, b)) for b in range(n) if b != a]
        sims.sort(key=lambda p: -p[1])
        out[a] = sims[: min(k, n - 1)]
    return out


def _check(cols: list[tuple[np.ndarray, str]], k: int, block_rows: int | None = None) -> None:
    props = [(torch.as_tensor(x), m) for x, m in cols]
    src, dst, sim = knn(props, k, block_rows=block_rows)
    expect = _oracle(cols, k)
    got: dict[int, list[tuple[int, float]]] = {}
    for s, t, v in zip(src.tolist(), dst.tolist(), sim.tolist(), strict=True):
        got.setdefault(s, []).append((t, v))
    assert sorted(got) == sorted(expect)
    for a, pairs in expect.items():
        assert [t for t, _ in got[a]] == [t for t, _ in pairs], a
        np.testing.assert_allclose([v for _, v in got[a]], [v for _, v in pairs], atol=1e-9)


@pytest.mark.parametrize("metric", ["COSINE", "EUCLIDEAN", "PEARSON"])
def test_vector_metrics_match_brute_force(metric: str) -> None:
    rng = np.random.default_rng(0)
    _check([(rng.normal(size=(30, 5)), metric)], k=4, block_rows=7)


def test_scalar_and_averaged_properties() -> None:
    rng = np.random.default_rng(1)
    _check([(rng.normal(size=25), "DEFAULT"), (rng.normal(size=(25, 3)), "COSINE")], k=3)


@pytest.mark.parametrize("metric", ["JACCARD", "OVERLAP"])
def test_set_metrics(metric: str) -> None:
    # sets chosen so that top-2 has no ties
    x = np.array([[1, 2, 3, 4], [1, 2, 3, 9], [1, 2, 7, 8], [5, 6, 7, 8], [1, 1, 1, 2]], float)
    props = [(torch.as_tensor(x), metric)]
    src, dst, sim = knn(props, 1)
    for s, t, v in zip(src.tolist(), dst.tolist(), sim.tolist(), strict=True):
        best = max(_oracle_sim([(x, metric)], s, b) for b in range(5) if b != s)
        assert v == pytest.approx(best, abs=1e-12)
        assert _oracle_sim([(x, metric)], s, t) == pytest.approx(v, abs=1e-12)


def test_topk_clamps_to_n_minus_one_and_cutoff() -> None:
    x = torch.tensor([0.0, 1.0, 3.0])
    src, dst, sim = knn([(x, "DEFAULT")], 10)
    assert src.numel() == 6  # 3 nodes x 2 others
    src, dst, sim = knn([(x, "DEFAULT")], 10, similarity_cutoff=0.4)
    # 1/(1+1)=0.5 between 0-1, 1/(1+2)=0.33 between 1-3, 1/(1+3)=0.25 between 0-3
    assert sorted(zip(src.tolist(), dst.tolist(), strict=True)) == [(0, 1), (1, 0)]


def test_single_node_and_errors() -> None:
    src, _, _ = knn([(torch.tensor([1.0]), "DEFAULT")], 3)
    assert src.numel() == 0
    with pytest.raises(ValueError):
        knn([(torch.tensor([1.0, 2.0]), "DEFAULT")], 0)


def test_procedure() -> None:
    proc = get("knn")
    with pytest.raises(ConfigError, match="topK"):
        proc.validate({"nodeProperties": ["x"], "topK": 0}, "stream")
    g = Graph.from_edges(
        [], [], num_nodes=4, node_properties={"x": [0.0, 1.0, 5.0, 5.5], "v": np.eye(4)}
    )
    cfg = proc.validate({"nodeProperties": ["x"], "topK": 1}, "stream")
    res = proc.compute(g, cfg)
    pairs = sorted(zip(res.source.tolist(), res.target.tolist(), strict=True))
    assert pairs == [(0, 1), (1, 0), (2, 3), (3, 2)]
    cfg = proc.validate({"nodeProperties": {"x": "DEFAULT", "v": "EUCLIDEAN"}}, "stream")
    assert proc.compute(g, cfg).values.numel() == 12
    with pytest.raises(ConfigError, match="nodeProperties"):
        proc.compute(g, proc.validate({"nodeProperties": {"x": "MANHATTAN"}}, "stream"))
    with pytest.raises(ConfigError, match="nodeProperties"):
        proc.compute(g, proc.validate({}, "stream"))
    g_nan = Graph.from_edges([], [], num_nodes=2, node_properties={"x": [0.0, float("nan")]})
    with pytest.raises(ConfigError, match="nodeProperties"):
        proc.compute(g_nan, proc.validate({"nodeProperties": "x"}, "stream"))


def test_runner_stream_uses_neo4j_ids() -> None:
    import neo4j_gml

    g = Graph.from_edges(
        [], [], num_nodes=3, node_ids=[70, 80, 90], node_properties={"x": [0.0, 0.1, 9.0]}
    )
    frame = neo4j_gml.run("knn", "stream", {"nodeProperties": ["x"], "topK": 1}, graph=g)
    assert list(frame.columns) == ["node1", "node2", "similarity"]
    got = sorted(zip(frame["node1"], frame["node2"], strict=True))
    assert got == [(70, 80), (80, 70), (90, 80)]
    stats = neo4j_gml.run("knn", "stats", {"nodeProperties": ["x"], "topK": 1}, graph=g)
    assert stats["nodesCompared"] == 3 and stats["similarityPairs"] == 3
