"""The CPU back end of :func:`~neo4j_gml.algorithms.embedding.skipgram.skipgram`: word2vec's
sequential skip-gram with negative sampling, compiled with numba.

word2vec's loop as gensim's C code runs it (``sg=1``): walk by walk, subsampled occurrences are
dropped first; then at every position ``i`` the context vectors ("syn1neg") of the node at ``i``
(label 1) and of ``negative`` nodes drawn from a unigram table (label 0) are trained against the
center vectors ("syn0") of the nodes within ``half`` positions, plain SGD with the learning rate
decaying linearly over all passes. One departure, from Ji et al.'s parallel word2vec: the
negatives of position ``i`` are drawn once and shared by its whole window, and the window's
gradients are summed before they are applied (a small matrix product on rows gathered once,
instead of one scattered row update per pair). It gives the same embeddings' quality (Cora, see
``benchmarks/bench_embeddings.py``) at ~2.7x the speed of the pair-by-pair loop, which waits on
memory. Walks reach it as the ``int64`` arrays the walkers make, with no text file, vocabulary
or Python list per walk.

With ``workers == 1`` a run is sequential and reproducible for a seed. With more workers the
walks of a slice are split into that many blocks trained at once without locks (word2vec's
Hogwild updates; faster, not reproducible). Each compiled call trains one slice of about
``2**18`` walk positions and releases the GIL; the cancel checkpoint runs between slices.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numba
import numpy as np
import torch

from neo4j_gml.core.cancellation import checkpoint

__all__ = ["skipgram_numba", "unigram_table"]

_SLICE_POSITIONS = 1 << 18  # walk positions per compiled call (a cancellation point each)
_TABLE_MIN = 1 << 20  # unigram table entries, at least ...
_TABLE_PER_NODE = 16  # ... and this many per node, up to _TABLE_MAX
_TABLE_MAX = 1 << 26
_MAX_EXP = np.float32(6.0)  # |score| beyond which sigmoid is taken as 0 or 1 (word2vec)


def unigram_table(freq: np.ndarray, exponent: float, size: int) -> np.ndarray:
    """``int32[size]``: node ``i`` fills a share ``freq[i]**exponent / sum`` of the entries
    (word2vec's negative-sampling table); nodes that never occur get no entry."""
    weight = np.where(freq > 0, freq.astype(np.float64) ** exponent, 0.0)
    bounds = np.cumsum(weight)
    bounds *= size / bounds[-1]
    # entry j holds the first node whose cumulative share passes j + 0.5
    return np.searchsorted(bounds, np.arange(size) + 0.5, side="right").astype(np.int32)


@numba.njit(nogil=True, fastmath=True, cache=True)
def _train_block(
    walks: np.ndarray,
    rows: np.ndarray,
    center: np.ndarray,
    context: np.ndarray,
    keep: np.ndarray,
    table: np.ndarray,
    half: int,
    negative: int,
    lr_start: float,
    lr_step: float,
    lr_min: float,
    state: int,
) -> int:  # pragma: no cover - compiled
    d = center.shape[1]
    length = walks.shape[1]
    width = 2 * half
    kept = np.empty(length, dtype=np.int64)
    ins = np.empty(width, dtype=np.int64)
    outs = np.empty(negative + 1, dtype=np.int64)
    label = np.empty(negative + 1, dtype=np.float32)
    u = np.empty((width, d), dtype=np.float32)
    v = np.empty((negative + 1, d), dtype=np.float32)
    grad = np.empty((width, negative + 1), dtype=np.float32)
    gu = np.empty((width, d), dtype=np.float32)
    gv = np.empty((negative + 1, d), dtype=np.float32)
    one = np.float32(1.0)
    done = 0
    for r in rows:
        lr = np.float32(max(lr_start - lr_step * done, lr_min))
        nk = 0
        for p in range(length):
            node = walks[r, p]
            if node < 0:
                continue
            done += 1
            state = (state * 25214903917 + 11) & 0xFFFFFFFFFFFF
            if keep[node] < 1.0 and keep[node] * 281474976710656.0 < state:
                continue
            kept[nk] = node
            nk += 1
        for i in range(nk):
            word = kept[i]
            n_in = 0
            for j in range(max(i - half, 0), min(i + half + 1, nk)):
                if j != i:
                    ins[n_in] = kept[j]
                    n_in += 1
            if n_in == 0:
                continue
            outs[0] = word
            label[0] = one
            n_out = 1
            for _ in range(negative):
                state = (state * 25214903917 + 11) & 0xFFFFFFFFFFFF
                target = table[(state >> 16) % table.shape[0]]
                if target != word:
                    outs[n_out] = target
                    label[n_out] = 0.0
                    n_out += 1
            # the window's context rows and the targets' rows, gathered once
            for a in range(n_in):
                for x in range(d):
                    u[a, x] = center[ins[a], x]
            for b in range(n_out):
                for x in range(d):
                    v[b, x] = context[outs[b], x]
            for a in range(n_in):
                for b in range(n_out):
                    f = np.float32(0.0)
                    for x in range(d):
                        f += u[a, x] * v[b, x]
                    if f > _MAX_EXP:
                        grad[a, b] = (label[b] - one) * lr
                    elif f < -_MAX_EXP:
                        grad[a, b] = label[b] * lr
                    else:
                        grad[a, b] = (label[b] - one / (one + np.exp(-f))) * lr
            for a in range(n_in):
                for x in range(d):
                    gu[a, x] = 0.0
                for b in range(n_out):
                    g = grad[a, b]
                    for x in range(d):
                        gu[a, x] += g * v[b, x]
            for b in range(n_out):
                for x in range(d):
                    gv[b, x] = 0.0
                for a in range(n_in):
                    g = grad[a, b]
                    for x in range(d):
                        gv[b, x] += g * u[a, x]
            for a in range(n_in):
                for x in range(d):
                    center[ins[a], x] += gu[a, x]
            for b in range(n_out):
                for x in range(d):
                    context[outs[b], x] += gv[b, x]
    return state


@numba.njit(nogil=True, parallel=True, cache=True)
def _train_blocks(
    walks: np.ndarray,
    blocks: np.ndarray,
    center: np.ndarray,
    context: np.ndarray,
    keep: np.ndarray,
    table: np.ndarray,
    half: int,
    negative: int,
    lr_start: float,
    lr_step: float,
    lr_min: float,
    states: np.ndarray,
) -> None:  # pragma: no cover - compiled
    for b in numba.prange(blocks.shape[0] - 1):
        rows = np.arange(blocks[b], blocks[b + 1])
        states[b] = _train_block(
            walks,
            rows,
            center,
            context,
            keep,
            table,
            half,
            negative,
            lr_start,
            lr_step,
            lr_min,
            states[b],
        )


def keep_probabilities(freq: np.ndarray, factor: float) -> np.ndarray:
    """word2vec's subsampling: a node of corpus frequency ``f`` keeps an occurrence with
    probability ``min(1, (sqrt(f / s) + 1) * s / f)``, ``s = factor``."""
    total = float(freq.sum())
    f = freq / max(total, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = (np.sqrt(f / factor) + 1.0) * factor / f
    return np.where(f > 0, np.minimum(p, 1.0), 0.0)


def skipgram_numba(
    chunks: Callable[[], Iterable[torch.Tensor]],
    order: Callable[[int, int, int], torch.Tensor],
    initial: torch.Tensor,
    *,
    window_size: int,
    negative_sampling_rate: int,
    positive_sampling_factor: float,
    negative_sampling_exponent: float,
    iterations: int,
    initial_learning_rate: float,
    min_learning_rate: float,
    random_seed: int,
    workers: int = 1,
) -> torch.Tensor:
    """Skip-gram with negative sampling on the CPU; ``float32[n, d]`` center vectors.

    Parameters are those of :func:`~neo4j_gml.algorithms.embedding.skipgram.skipgram`;
    ``chunks`` is called ``iterations + 1`` times (frequencies first) and must give the same
    walks each time; ``order(iteration, chunk_index, count)`` is the order in which a pass
    trains a chunk's walks; ``initial`` holds the ``float32[n, d]`` initial center vectors.
    """
    num_nodes, d = initial.shape
    center = initial.detach().cpu().numpy().astype(np.float32, copy=True)
    context = np.zeros((num_nodes, d), dtype=np.float32)
    freq = np.zeros(num_nodes, dtype=np.int64)
    for gen in chunks():
        checkpoint()
        walks = gen.detach().cpu().numpy()
        freq += np.bincount(walks[walks >= 0], minlength=num_nodes)
    total = int(freq.sum()) * iterations
    if total == 0 or num_nodes == 0:
        return torch.from_numpy(center)
    size = min(max(_TABLE_MIN, _TABLE_PER_NODE * num_nodes), _TABLE_MAX)
    table = unigram_table(freq, negative_sampling_exponent, size)
    keep = (
        keep_probabilities(freq, positive_sampling_factor)
        if positive_sampling_factor < 1.0
        else np.ones(num_nodes)
    )
    half = max(window_size // 2, 1)
    span = initial_learning_rate - min_learning_rate
    step = span / total
    workers = max(1, workers)
    states = (np.arange(workers, dtype=np.int64) * 0x9E3779B9 + (random_seed & 0xFFFFFFFF)) & (
        0xFFFFFFFFFFFF
    )
    done = 0
    for it in range(iterations):
        for gi, gen in enumerate(chunks()):
            walks = gen.detach().cpu().numpy().astype(np.int64, copy=False)
            walks = walks[order(it, gi, walks.shape[0]).numpy()]
            per_call = max(1, _SLICE_POSITIONS // max(walks.shape[1], 1))
            for r0 in range(0, walks.shape[0], per_call):
                checkpoint()
                part = np.ascontiguousarray(walks[r0 : r0 + per_call])
                positions = int((part >= 0).sum())
                lr = initial_learning_rate - step * done
                if workers == 1:
                    states[0] = _train_block(
                        part,
                        np.arange(part.shape[0]),
                        center,
                        context,
                        keep,
                        table,
                        half,
                        negative_sampling_rate,
                        lr,
                        step,
                        min_learning_rate,
                        int(states[0]),
                    )
                else:
                    blocks = np.linspace(0, part.shape[0], workers + 1).astype(np.int64)
                    # each block decays from this slice's rate by its own positions
                    _train_blocks(
                        part,
                        blocks,
                        center,
                        context,
                        keep,
                        table,
                        half,
                        negative_sampling_rate,
                        lr,
                        step * workers,
                        min_learning_rate,
                        states,
                    )
                done += positions
    return torch.from_numpy(center)
