"""node2vec: walk transition frequencies against the p/q formula, walk validity, training."""

from __future__ import annotations

import math
from collections import Counter

import pytest
import torch

from neo4j_gml.algorithms.embedding.random_walk import random_walks, walk_chunks
from neo4j_gml.algorithms.embedding.skipgram import skipgram
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures.registry import get

# undirected: a triangle 1-2-3 with pendant 0 on 1 and pendant 4 on 3
EDGES = ([0, 1, 1, 2, 3], [1, 2, 3, 3, 4])


def _transitions(walks: torch.Tensor) -> Counter:
    c: Counter = Counter()
    for row in walks.tolist():
        row = [x for x in row if x >= 0]
        for a, b, x in zip(row, row[1:], row[2:], strict=False):
            c[(a, b, x)] += 1
    return c


def _expected(g: Graph, prev: int, cur: int, p: float, q: float, w: dict | None) -> dict:
    nbrs = g.indices[g.indptr[cur] : g.indptr[cur + 1]].tolist()
    prev_nbrs = set(g.indices[g.indptr[prev] : g.indptr[prev + 1]].tolist())
    bias = {}
    for x in nbrs:
        a = 1 / p if x == prev else (1.0 if x in prev_nbrs else 1 / q)
        bias[x] = bias.get(x, 0.0) + a * (1.0 if w is None else w[(cur, x)])
    total = sum(bias.values())
    return {x: b / total for x, b in bias.items()}


def _check_frequencies(g: Graph, p: float, q: float, w: dict | None = None) -> None:
    walks = random_walks(
        g,
        walk_length=12,
        walks_per_node=300,
        return_factor=p,
        in_out_factor=q,
        weighted=w is not None,
        random_seed=4,
    )
    counts = _transitions(walks)
    checked = 0
    for prev in range(g.num_nodes):
        for cur in g.indices[g.indptr[prev] : g.indptr[prev + 1]].tolist():
            n = sum(v for (a, b, _), v in counts.items() if (a, b) == (prev, cur))
            if n < 300:
                continue
            for x, prob in _expected(g, prev, cur, p, q, w).items():
                emp = counts[(prev, cur, x)] / n
                # binomial standard error; 4.5 sigma over ~40 checks keeps false alarms < 1e-3
                assert abs(emp - prob) <= 4.5 * math.sqrt(prob * (1 - prob) / n) + 1e-9, (
                    prev,
                    cur,
                    x,
                    emp,
                    prob,
                )
                checked += 1
    assert checked >= 15


@pytest.mark.parametrize(("p", "q"), [(1.0, 1.0), (0.25, 4.0), (4.0, 0.25)])
def test_transition_frequencies_match_p_q_formula(p: float, q: float) -> None:
    g = Graph.from_edges(*EDGES, orientation="UNDIRECTED")
    _check_frequencies(g, p, q)


def test_weighted_transition_frequencies() -> None:
    w_list = [1.0, 3.0, 0.5, 2.0, 1.0]
    g = Graph.from_edges(*EDGES, w_list, orientation="UNDIRECTED")
    w = {}
    for a, b, x in zip(*EDGES, w_list, strict=True):
        w[(a, b)] = w[(b, a)] = x
    _check_frequencies(g, 0.5, 2.0, w)


def test_walks_follow_arcs_and_stop_at_dead_ends() -> None:
    # directed: 0 -> 1 -> 2 -> 0, 2 -> 3, 3 has no out-arc
    g = Graph.from_edges([0, 1, 2, 2], [1, 2, 0, 3], num_nodes=4)
    arcs = {(0, 1), (1, 2), (2, 0), (2, 3)}
    walks = random_walks(g, walk_length=15, walks_per_node=20, return_factor=0.5, random_seed=1)
    assert walks.shape == (80, 15)
    assert walks[:, 0].tolist() == list(range(4)) * 20
    for row in walks.tolist():
        real = [x for x in row if x >= 0]
        assert row[: len(real)] == real  # padding only at the end
        assert all((a, b) in arcs for a, b in zip(real, real[1:], strict=False))
        if len(real) < 15:
            assert real[-1] == 3
    assert torch.all(walks[walks[:, 0] == 3, 1:] == -1)


def test_walk_determinism() -> None:
    g = Graph.from_edges(*EDGES, orientation="UNDIRECTED")
    kw = dict(walk_length=10, walks_per_node=5, return_factor=0.3, in_out_factor=2.0)
    a = random_walks(g, random_seed=9, **kw)
    assert torch.equal(a, random_walks(g, random_seed=9, **kw))
    assert not torch.equal(a, random_walks(g, random_seed=10, **kw))


def test_skipgram_separates_two_cliques() -> None:
    # two 6-cliques joined by one edge: same-clique cosine > cross-clique cosine on average
    src, dst = [], []
    for base in (0, 6):
        for i in range(6):
            for j in range(i + 1, 6):
                src.append(base + i)
                dst.append(base + j)
    src.append(0)
    dst.append(6)
    g = Graph.from_edges(src, dst, orientation="UNDIRECTED")
    walks = random_walks(g, walk_length=20, walks_per_node=20, random_seed=2)
    # 12 nodes are all "frequent words": positive_sampling_factor 1 turns subsampling off
    kw = dict(window_size=6, initial_learning_rate=0.05, positive_sampling_factor=1.0)
    emb = skipgram(walks, 12, 16, random_seed=2, **kw)
    emb2 = skipgram(walks, 12, 16, random_seed=2, **kw)
    assert torch.equal(emb, emb2)
    z = torch.nn.functional.normalize(emb, dim=1)
    cos = z @ z.T
    same = torch.tensor([[(i < 6) == (j < 6) and i != j for j in range(12)] for i in range(12)])
    cross = torch.tensor([[(i < 6) != (j < 6) for j in range(12)] for i in range(12)])
    assert cos[same].mean() > cos[cross].mean() + 0.3


def test_procedure() -> None:
    proc = get("node2vec")
    with pytest.raises(ConfigError, match="embeddingDimension"):
        proc.validate({"embeddingDimension": 0}, "stream")
    with pytest.raises(ConfigError, match="returnFactor"):
        proc.validate({"returnFactor": 0}, "stream")
    g = Graph.from_edges(*EDGES, orientation="UNDIRECTED")
    cfg = proc.validate(
        {"embeddingDimension": 8, "walkLength": 5, "walksPerNode": 2, "randomSeed": 3}, "stream"
    )
    res = proc.compute(g, cfg)
    assert res.values.shape == (5, 8) and torch.isfinite(res.values).all()
    assert torch.equal(res.values, proc.compute(g, cfg).values)
    neg = Graph.from_edges([0], [1], [-1.0], num_nodes=2)
    wcfg = proc.validate({"relationshipWeightProperty": "w", "embeddingDimension": 4}, "stream")
    with pytest.raises(ConfigError, match="relationshipWeightProperty"):
        proc.compute(neg, wcfg)
    empty = Graph.from_edges([], [], num_nodes=0)
    assert proc.compute(empty, cfg).values.shape == (0, 8)


def test_walk_chunks_equal_one_big_call() -> None:
    g = Graph.from_edges(*EDGES, orientation="UNDIRECTED")
    kw = dict(walk_length=9, return_factor=0.4, in_out_factor=3.0, random_seed=5)
    full = random_walks(g, walks_per_node=3, **kw)
    source = walk_chunks(g, walks_per_node=3, chunk_walks=4, **kw)
    assert torch.equal(torch.cat(list(source())), full)
    assert torch.equal(torch.cat(list(source())), full)  # re-callable, same walks
    one = walk_chunks(g, walks_per_node=3, chunk_walks=100, **kw)
    opts = dict(positive_sampling_factor=1.0, random_seed=1)
    assert torch.equal(skipgram(one, 5, 4, **opts), skipgram(full, 5, 4, **opts))
    assert torch.isfinite(skipgram(source, 5, 4, **opts)).all()
