"""The CPU back end of :func:`~neo4j_gml.algorithms.embedding.skipgram.skipgram`: gensim's word2vec.

gensim (C, GIL released) trains skip-gram with negative sampling ~2.5x faster on a CPU than the
batched torch path. Walks reach it without a Python list per walk: each chunk of walks is
written with numpy as a text file of fixed-width node ids (``corpus_file``), which gensim reads
and trains on in C++. The vocabulary comes from the walks' node counts
(``build_vocab_from_freq``, no scan of the corpus), and the initial center vectors are the torch
path's (counter-based), reordered to gensim's vocabulary.

Training runs one ``train`` call per file of about ``max(2**16, 4 n)`` walk positions, each
with its slice of the linear learning-rate schedule (so the schedule is the one of a single
call), with a cancellation checkpoint between files (a call takes ~1 s at 2**16 positions and
``d = 128`` on one core; each call re-reads the vocabulary, a few us per node, hence the ``4 n``).
"""

from __future__ import annotations

import os
import tempfile
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import torch

from neo4j_gml.algorithms.embedding._hashrng import mix_seed
from neo4j_gml.core.cancellation import checkpoint

__all__ = ["available", "skipgram_gensim"]

_FILE_TOKENS = 1 << 16  # walk positions per train() call, at least (a cancellation point each)
_TOKENS_PER_NODE = 4  # ... and at least this many per node (each call re-reads the vocabulary)


def available() -> bool:
    """Whether gensim's compiled word2vec can be imported."""
    try:
        from gensim.models.word2vec_inner import (  # type: ignore[import-untyped]  # noqa: F401
            FAST_VERSION,
        )
    except ImportError:
        return False
    return True


def _stable_hash(token: str) -> int:
    """A hash that does not depend on ``PYTHONHASHSEED`` (gensim's ``hashfxn``)."""
    return zlib.crc32(token.encode())


def _token_table(num_nodes: int) -> np.ndarray:
    """``uint8[n + 1, width + 1]``: node ``i`` as right-aligned decimal digits and a space;
    the last row (for ``-1`` pads) is all spaces."""
    width = len(str(max(num_nodes - 1, 0)))
    ids = np.arange(num_nodes, dtype=np.int64)
    table = np.full((num_nodes + 1, width + 1), ord(" "), dtype=np.uint8)
    for k in range(width):  # column width - 1 - k holds the digit of 10**k
        digit = (ids // 10**k) % 10 + ord("0")
        shown = (ids >= 10**k) | (k == 0)
        table[:num_nodes, width - 1 - k] = np.where(shown, digit, ord(" "))
    return table


def _write_walks(walks: np.ndarray, table: np.ndarray, path: Path) -> None:
    """One line of space-separated node ids per walk (``-1`` pads become blanks)."""
    if walks.size == 0:
        path.write_bytes(b"")
        return
    text = table[np.where(walks >= 0, walks, table.shape[0] - 1)]  # [W, L, width + 1]
    text = text.reshape(walks.shape[0], -1)
    text[:, -1] = ord("\n")
    text.tofile(path)


def skipgram_gensim(
    chunks: Callable[[], Iterable[torch.Tensor]],
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
    """Skip-gram with negative sampling by gensim's ``Word2Vec``; ``float32[n, d]`` on the CPU.

    Parameters are those of :func:`~neo4j_gml.algorithms.embedding.skipgram.skipgram` (which
    documents how they map to gensim's); ``chunks`` is called once, each chunk's walks in the
    order to train them (written to the files in that order); ``initial`` holds the
    ``float32[n, d]`` initial center vectors. ``workers`` > 1 trains in that many threads
    (faster, not reproducible).
    """
    from gensim.models import Word2Vec  # type: ignore[import-untyped]

    num_nodes, d = initial.shape
    seed = mix_seed(random_seed)
    center = initial.detach().cpu().numpy().astype(np.float32, copy=True)
    table = _token_table(num_nodes)
    freq = np.zeros(num_nodes, dtype=np.int64)
    per_file = max(_FILE_TOKENS, _TOKENS_PER_NODE * num_nodes)
    with tempfile.TemporaryDirectory(prefix="gml-walks-") as tmp:
        files: list[tuple[Path, int]] = []  # (file, walk positions in it)
        for gen in chunks():
            checkpoint()
            walks = gen.detach().cpu().numpy()
            if walks.shape[0] == 0:
                continue
            freq += np.bincount(walks[walks >= 0], minlength=num_nodes)
            rows = max(1, per_file // max(walks.shape[1], 1))
            for r0 in range(0, walks.shape[0], rows):
                part = walks[r0 : r0 + rows]
                tokens = int((part >= 0).sum())
                if tokens == 0:
                    continue
                path = Path(tmp) / f"walks-{len(files):06d}.txt"
                _write_walks(part, table, path)
                files.append((path, tokens))
        total = sum(t for _, t in files) * iterations
        if total == 0 or num_nodes == 0:
            return torch.from_numpy(center)
        model = Word2Vec(
            vector_size=d,
            window=max(window_size // 2, 1),
            shrink_windows=False,
            min_count=1,
            sg=1,
            hs=0,
            negative=negative_sampling_rate,
            ns_exponent=negative_sampling_exponent,
            # gensim reads sample >= 1 as a count; a factor of 1 keeps every occurrence
            sample=positive_sampling_factor if positive_sampling_factor < 1.0 else 0.0,
            alpha=initial_learning_rate,
            min_alpha=min_learning_rate,
            seed=seed % (1 << 32),
            workers=max(1, workers),
            hashfxn=_stable_hash,
            sorted_vocab=True,
        )
        seen = np.flatnonzero(freq)
        model.build_vocab_from_freq({str(i): int(freq[i]) for i in seen.tolist()})
        node_of_row = np.asarray(model.wv.index_to_key, dtype=np.int64)
        model.wv.vectors[:] = center[node_of_row]
        done = 0
        span = initial_learning_rate - min_learning_rate
        for _ in range(iterations):
            for path, tokens in files:
                checkpoint()
                start = initial_learning_rate - span * done / total
                done += tokens
                end = initial_learning_rate - span * done / total
                model.train(
                    corpus_file=os.fspath(path),
                    total_words=tokens,
                    epochs=1,
                    start_alpha=start,
                    end_alpha=max(end, min_learning_rate),
                )
        center[node_of_row] = model.wv.vectors
    return torch.from_numpy(center)
