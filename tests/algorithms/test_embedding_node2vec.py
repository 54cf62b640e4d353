"""node2vec: walk transition frequencies against the p/q formula, walk validity, training.

Oracles: the p/q transition formula (binomial tolerance); planted communities (two cliques, a
four-block stochastic block model) that every skip-gram back end (numba and gensim on the CPU,
torch) must separate; the shared initial vectors (a learning rate of ~0 leaves the back ends at
the same ``±bound`` uniform draw); the numba kernel against a plain Python loop of the same
updates and random numbers; gensim's recorded constructor and ``train`` arguments for the key
mapping; a child process with another ``PYTHONHASHSEED`` for reproducibility.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest
import torch

from neo4j_gml.algorithms.embedding import _skipgram_gensim, _skipgram_numba
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


BACKENDS = [
    "torch",
    "numba",
    pytest.param(
        "gensim",
        marks=pytest.mark.skipif(
            not _skipgram_gensim.available(), reason="gensim is not installed"
        ),
    ),
]


@pytest.mark.parametrize("backend", BACKENDS)
def test_skipgram_separates_two_cliques(backend: str) -> None:
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
    emb = skipgram(walks, 12, 16, random_seed=2, backend=backend, **kw)
    emb2 = skipgram(walks, 12, 16, random_seed=2, backend=backend, **kw)
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
    opts = dict(positive_sampling_factor=1.0, random_seed=1, backend="torch")
    assert torch.equal(skipgram(one, 5, 4, **opts), skipgram(full, 5, 4, **opts))
    assert torch.isfinite(skipgram(source, 5, 4, **opts)).all()


def _sbm(blocks: int, size: int, p_in: float, p_out: float, seed: int) -> tuple[Graph, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = blocks * size
    label = np.arange(n) // size
    i, j = np.triu_indices(n, 1)
    keep = rng.random(i.size) < np.where(label[i] == label[j], p_in, p_out)
    return Graph.from_edges(i[keep], j[keep], num_nodes=n, orientation="UNDIRECTED"), label


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_backend_separates_planted_blocks(backend: str) -> None:
    # 4 blocks of 30 nodes: each node's nearest other node (cosine) is in its own block
    g, label = _sbm(4, 30, 0.3, 0.01, seed=3)
    walks = walk_chunks(g, walks_per_node=10, walk_length=20, random_seed=1)
    kw = dict(window_size=10, initial_learning_rate=0.025, positive_sampling_factor=1.0)
    emb = skipgram(walks, g.num_nodes, 32, iterations=3, random_seed=1, backend=backend, **kw)
    z = torch.nn.functional.normalize(emb, dim=1)
    cos = z @ z.T
    cos.fill_diagonal_(-2.0)
    nearest = cos.argmax(1).numpy()
    assert (label[nearest] == label).mean() >= 0.95
    same = torch.as_tensor(label[:, None] == label[None, :]) & ~torch.eye(len(label), dtype=bool)
    assert cos[same].mean() > cos[~same & (cos > -2)].mean() + 0.3


@pytest.mark.skipif(not _skipgram_gensim.available(), reason="gensim is not installed")
def test_gensim_backend_is_reproducible_and_seeded() -> None:
    g, _ = _sbm(3, 20, 0.3, 0.02, seed=4)
    walks = random_walks(g, walk_length=15, walks_per_node=5, random_seed=2)
    a = skipgram(walks, g.num_nodes, 16, random_seed=7, backend="gensim")
    assert torch.equal(a, skipgram(walks, g.num_nodes, 16, random_seed=7, backend="gensim"))
    assert not torch.equal(a, skipgram(walks, g.num_nodes, 16, random_seed=8, backend="gensim"))
    # chunked sources give the same result as the tensor of all their walks
    chunks = walk_chunks(g, walks_per_node=5, chunk_walks=1000, walk_length=15, random_seed=2)
    assert torch.equal(a, skipgram(chunks, g.num_nodes, 16, random_seed=7, backend="gensim"))


@pytest.mark.skipif(not _skipgram_gensim.available(), reason="gensim is not installed")
def test_gensim_backend_does_not_depend_on_python_hash_seed() -> None:
    script = (
        "import torch, sys\n"
        "from neo4j_gml.core.graph import Graph\n"
        "from neo4j_gml.algorithms.embedding.random_walk import random_walks\n"
        "from neo4j_gml.algorithms.embedding.skipgram import skipgram\n"
        "g = Graph.from_edges([0, 1, 1, 2, 3], [1, 2, 3, 3, 4], orientation='UNDIRECTED')\n"
        "w = random_walks(g, walk_length=10, walks_per_node=20, random_seed=1)\n"
        "e = skipgram(w, 5, 8, random_seed=3, positive_sampling_factor=1.0, backend='gensim')\n"
        "print(repr(e.flatten().tolist()))\n"
    )
    outs = []
    for hash_seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
        )
        outs.append(done.stdout)
    assert outs[0] == outs[1] and outs[0].startswith("[")


@pytest.mark.skipif(not _skipgram_gensim.available(), reason="gensim is not installed")
@pytest.mark.parametrize(("initializer", "bound"), [("NORMALIZED", 0.5 / 12), ("UNIFORM", 1.0)])
def test_initializer_is_shared_by_both_backends(initializer: str, bound: float) -> None:
    # a learning rate of ~0 leaves the initial vectors: the same draw on both back ends
    proc = get("node2vec")
    g = Graph.from_edges(*EDGES, orientation="UNDIRECTED")
    cfg = proc.validate(
        {
            "embeddingDimension": 12,
            "embeddingInitializer": initializer,
            "initialLearningRate": 1e-12,
            "minLearningRate": 1e-12,
            "randomSeed": 5,
        },
        "stream",
    )
    gensim_emb = proc.compute(g, cfg).values
    assert gensim_emb.shape == (5, 12)
    assert gensim_emb.abs().max() <= bound and gensim_emb.abs().max() > 0.8 * bound
    walks = walk_chunks(g, walks_per_node=10, walk_length=80, random_seed=5)
    init = None if initializer == "NORMALIZED" else 1.0
    opts = dict(initial_learning_rate=1e-12, min_learning_rate=1e-12, random_seed=5)
    torch_emb = skipgram(walks, 5, 12, init_bound=init, backend="torch", **opts)
    assert torch.allclose(gensim_emb, torch_emb, atol=1e-6 * bound)


KEYS = {
    "embeddingDimension": 6,
    "walkLength": 12,
    "walksPerNode": 4,
    "windowSize": 7,
    "negativeSamplingRate": 3,
    "negativeSamplingExponent": 0.5,
    "positiveSamplingFactor": 0.01,
    "iterations": 2,
    "initialLearningRate": 0.05,
    "minLearningRate": 0.002,
    "randomSeed": 11,
}


def test_procedure_keys_reach_the_numba_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[dict] = []
    real = _skipgram_numba.skipgram_numba

    def recording(*args: object, **kwargs: object) -> torch.Tensor:
        seen.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(_skipgram_numba, "skipgram_numba", recording)
    proc = get("node2vec")
    g, _ = _sbm(2, 15, 0.4, 0.05, seed=5)
    assert proc.compute(g, proc.validate(KEYS, "stream")).values.shape == (30, 6)
    (kw,) = seen
    assert kw == dict(
        window_size=7,
        negative_sampling_rate=3,
        positive_sampling_factor=0.01,
        negative_sampling_exponent=0.5,
        iterations=2,
        initial_learning_rate=0.05,
        min_learning_rate=0.002,
        random_seed=kw["random_seed"],
        workers=1,
    )


@pytest.mark.skipif(not _skipgram_gensim.available(), reason="gensim is not installed")
def test_keys_reach_gensim(monkeypatch: pytest.MonkeyPatch) -> None:
    import gensim.models

    made: list[dict] = []
    trained: list[dict] = []

    class Recording(gensim.models.Word2Vec):
        def __init__(self, **kwargs: object) -> None:
            made.append(kwargs)
            super().__init__(**kwargs)

        def train(self, **kwargs: object) -> object:
            trained.append(kwargs)
            return super().train(**kwargs)

    monkeypatch.setattr(gensim.models, "Word2Vec", Recording)
    monkeypatch.setattr(_skipgram_gensim, "_FILE_TOKENS", 200)
    g, _ = _sbm(2, 15, 0.4, 0.05, seed=5)
    walks = walk_chunks(g, walks_per_node=4, walk_length=12, random_seed=11)
    emb = skipgram(
        walks,
        30,
        6,
        window_size=7,
        negative_sampling_rate=3,
        negative_sampling_exponent=0.5,
        positive_sampling_factor=0.01,
        iterations=2,
        initial_learning_rate=0.05,
        min_learning_rate=0.002,
        random_seed=11,
        backend="gensim",
    )
    assert emb.shape == (30, 6)
    (kw,) = made
    expected = dict(vector_size=6, window=3, shrink_windows=False, sg=1, hs=0, negative=3)
    expected |= dict(ns_exponent=0.5, sample=0.01, workers=1)
    assert {k: kw[k] for k in expected} == expected
    # several files per pass, two passes: one linear schedule from 0.05 to 0.002
    assert len(trained) >= 4 and len(trained) % 2 == 0
    starts = [t["start_alpha"] for t in trained]
    ends = [t["end_alpha"] for t in trained]
    assert starts[0] == pytest.approx(0.05) and ends[-1] == pytest.approx(0.002)
    assert starts[1:] == pytest.approx(ends[:-1])
    words = np.cumsum([0] + [t["total_words"] for t in trained])
    assert ends == pytest.approx(list(0.05 - 0.048 * words[1:] / words[-1]))
    assert sum(t["total_words"] for t in trained) == 2 * 30 * 4 * 12


MASK = (1 << 48) - 1


def python_block(walks, center, context, keep, table, half, negative, lr0, step, lr_min, state):
    """``_train_block`` as a plain Python loop: word2vec's LCG for subsampling and negatives, the
    window's context rows against the position's node (label 1) and its shared negatives
    (label 0), gradients summed over the window and applied after it (float64 here)."""
    center, context = center.astype(np.float64), context.astype(np.float64)
    done = 0
    for row in walks:
        lr = max(lr0 - step * done, lr_min)
        kept = []
        for node in row:
            if node < 0:
                continue
            done += 1
            state = (state * 25214903917 + 11) & MASK
            if keep[node] < 1.0 and keep[node] * 2.0**48 < state:
                continue
            kept.append(int(node))
        for i, word in enumerate(kept):
            ins = [kept[j] for j in range(max(i - half, 0), min(i + half + 1, len(kept))) if j != i]
            if not ins:
                continue
            outs, labels = [word], [1.0]
            for _ in range(negative):
                state = (state * 25214903917 + 11) & MASK
                target = int(table[(state >> 16) % len(table)])
                if target != word:
                    outs.append(target)
                    labels.append(0.0)
            u, v = center[ins], context[outs]
            f = u @ v.T
            sig = np.where(f > 6, 1.0, np.where(f < -6, 0.0, 1.0 / (1.0 + np.exp(-f))))
            g = (np.asarray(labels)[None, :] - sig) * lr
            np.add.at(center, ins, g @ v)
            np.add.at(context, outs, g.T @ u)
    return center, context, state


def test_numba_kernel_equals_a_python_loop() -> None:
    rng = np.random.default_rng(0)
    n, d = 12, 8
    walks = rng.integers(0, n, (6, 9))
    walks[2, 6:] = -1  # a walk that ended early
    center = ((rng.random((n, d)) - 0.5) / d).astype(np.float32)
    context = ((rng.random((n, d)) - 0.5) * 0.5).astype(np.float32)  # non-zero: real gradients
    freq = np.bincount(walks[walks >= 0], minlength=n)
    keep = _skipgram_numba.keep_probabilities(freq, 0.05)
    assert 0 < keep.min() < 1  # subsampling drops some occurrences here
    table = _skipgram_numba.unigram_table(freq, 0.75, 1000)
    args = (keep, table, 2, 3, 0.2, 0.001, 0.01, 12345)
    want_c, want_x, want_state = python_block(walks, center, context, *args)
    got_c, got_x = center.copy(), context.copy()
    state = _skipgram_numba._train_block(walks, np.arange(6), got_c, got_x, *args)
    assert state == want_state
    assert np.abs(want_c - center).max() > 1e-3  # the updates are not negligible
    np.testing.assert_allclose(got_c, want_c, atol=2e-6)
    np.testing.assert_allclose(got_x, want_x, atol=2e-6)


def test_unigram_table_and_keep_probabilities() -> None:
    freq = np.array([0, 1, 4, 9, 16])
    table = _skipgram_numba.unigram_table(freq, 0.5, 1000)
    share = np.bincount(table, minlength=5) / 1000
    np.testing.assert_allclose(share, np.sqrt(freq) / np.sqrt(freq).sum(), atol=1e-3)
    keep = _skipgram_numba.keep_probabilities(freq, 0.1)
    f = freq / freq.sum()
    want = np.minimum((np.sqrt(f[1:] / 0.1) + 1) * 0.1 / f[1:], 1.0)
    np.testing.assert_allclose(keep[1:], want)
    assert keep[0] == 0.0


def test_numba_backend_is_reproducible_seeded_and_chunk_independent() -> None:
    g, label = _sbm(3, 20, 0.3, 0.02, seed=4)
    walks = random_walks(g, walk_length=15, walks_per_node=5, random_seed=2)
    a = skipgram(walks, g.num_nodes, 16, random_seed=7, backend="numba")
    assert torch.equal(a, skipgram(walks, g.num_nodes, 16, random_seed=7, backend="numba"))
    assert not torch.equal(a, skipgram(walks, g.num_nodes, 16, random_seed=8, backend="numba"))
    chunks = walk_chunks(g, walks_per_node=5, chunk_walks=1000, walk_length=15, random_seed=2)
    assert torch.equal(a, skipgram(chunks, g.num_nodes, 16, random_seed=7, backend="numba"))
    # two workers train blocks at once (Hogwild): not bit-reproducible, still separates the
    # blocks of test_every_backend_separates_planted_blocks
    g, label = _sbm(4, 30, 0.3, 0.01, seed=3)
    kw = dict(window_size=10, initial_learning_rate=0.025, positive_sampling_factor=1.0)
    many = walk_chunks(g, walks_per_node=10, walk_length=20, random_seed=1)
    emb = skipgram(
        many, g.num_nodes, 32, iterations=3, random_seed=1, backend="numba", workers=2, **kw
    )
    z = torch.nn.functional.normalize(emb, dim=1)
    cos = z @ z.T
    cos.fill_diagonal_(-2.0)
    assert (label[cos.argmax(1).numpy()] == label).mean() >= 0.95


def test_backend_choice() -> None:
    walks = torch.tensor([[0, 1, 2], [2, 1, 0]])
    with pytest.raises(ValueError, match="backend"):
        skipgram(walks, 3, 4, backend="word2vec")
    if torch.cuda.is_available():
        with pytest.raises(ValueError, match="numba"):
            skipgram(walks.cuda(), 3, 4, backend="numba")
    if not _skipgram_gensim.available():
        with pytest.raises(ValueError, match="gensim"):
            skipgram(walks, 3, 4, backend="gensim")
