"""Skip-gram with negative sampling over walks (word2vec): word2vec's sequential loop compiled
with numba on the CPU, batched torch on a GPU, and gensim's C code on request.

``backend='auto'`` trains with the numba loop (:mod:`._skipgram_numba`) when the walks are on
the CPU (about 4x faster there than gensim fed the same walks, and ~10x the torch path), and
with torch otherwise; a CUDA run never falls back to the CPU. ``backend='torch'``, ``'numba'`` or
``'gensim'`` (:mod:`._skipgram_gensim`) forces one (the tests check all three on the CPU).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import torch

from neo4j_gml.algorithms.embedding import _skipgram_gensim, _skipgram_numba
from neo4j_gml.algorithms.embedding._hashrng import mix_seed, uniform
from neo4j_gml.core.cancellation import checkpoint

__all__ = ["BACKENDS", "skipgram"]

BACKENDS = ("auto", "torch", "numba", "gensim")

_BATCH_PAIRS = 1 << 14
_ROW_CAP = 8.0  # occurrences of one row per batch whose gradients are summed in full


def _pairs(walks: torch.Tensor, half_window: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``(center, context)`` for every two walk positions at most ``half_window`` apart."""
    cs, xs = [], []
    for off in range(1, min(half_window, walks.shape[1] - 1) + 1):
        a, b = walks[:, :-off].reshape(-1), walks[:, off:].reshape(-1)
        ok = (a >= 0) & (b >= 0)
        a, b = a[ok], b[ok]
        cs += [a, b]
        xs += [b, a]
    if not cs:
        empty = torch.zeros(0, dtype=torch.long, device=walks.device)
        return empty, empty.clone()
    return torch.cat(cs), torch.cat(xs)


def skipgram(
    walks: torch.Tensor | Callable[[], Iterable[torch.Tensor]],
    num_nodes: int,
    embedding_dimension: int = 128,
    *,
    window_size: int = 10,
    negative_sampling_rate: int = 5,
    positive_sampling_factor: float = 0.001,
    negative_sampling_exponent: float = 0.75,
    iterations: int = 1,
    initial_learning_rate: float = 0.01,
    min_learning_rate: float = 0.0001,
    walk_buffer_size: int = 1000,
    random_seed: int = 0,
    init_bound: float | None = None,
    backend: str = "auto",
    workers: int = 1,
) -> torch.Tensor:
    """Train word2vec's skip-gram with negative sampling on ``walks``; ``float32[n, d]``.

    Pairs: every two nodes of a walk at most ``window_size // 2`` positions apart, both ways.
    A pair is dropped when its center or context occurrence is subsampled: a node of corpus
    frequency ``f`` is kept with probability ``min(1, (sqrt(f / s) + 1) * s / f)``,
    ``s = positive_sampling_factor`` (word2vec's rule). Each pair gets
    ``negative_sampling_rate`` negatives drawn from frequencies ``** negative_sampling_exponent``.
    Loss ``-log σ(u_c · v_o) - Σ log σ(-u_c · v_neg)``, optimised by plain SGD on summed
    per-pair gradients (word2vec's update, in batches of ``min(2**14, max(64, 4n))`` pairs; a
    node met more than 8 times in a batch gets 8 occurrences' worth of its summed gradient)
    with the learning rate decaying linearly from ``initial_learning_rate`` to
    ``min_learning_rate`` over all ``iterations``.

    Parameters
    ----------
    walks : torch.Tensor or callable
        An ``int64[W, L]`` tensor (``-1`` pads), or a function returning the walks in chunks,
        called ``iterations + 1`` times and returning the same chunks each time (so that walks
        need not all be held at once, e.g.
        :func:`~neo4j_gml.algorithms.embedding.random_walk.walk_chunks`); walks are shuffled
        within each chunk.
    num_nodes : int
        ``n``; node ids in the walks are ``0..n-1``.
    embedding_dimension : int
        ``d``.
    window_size : int
        Context window; pairs are at most ``window_size // 2`` apart.
    negative_sampling_rate : int
        Negatives per pair.
    positive_sampling_factor : float
        word2vec's subsampling threshold ``s``.
    negative_sampling_exponent : float
        Exponent of the frequencies negatives are drawn from.
    iterations : int
        Passes over the walks.
    initial_learning_rate : float
        Learning rate at the start.
    min_learning_rate : float
        Learning rate at the end (and its floor).
    walk_buffer_size : int
        Walks consumed at a time.
    random_seed : int
        Seed of the counter-based random numbers.
    init_bound : float or None
        Center vectors start uniform in ``±init_bound``; default ``0.5 / d`` (GDS's
        ``NORMALIZED`` initializer; its ``UNIFORM`` is ``1.0``).
    backend : str
        ``'auto'``, ``'numba'``, ``'torch'`` or ``'gensim'`` (module docstring).
    workers : int
        numba's or gensim's training threads; more than 1 is faster but not reproducible
        (torch uses its
        own thread setting).

    Returns
    -------
    torch.Tensor
        ``float32[n, d]`` on the walks' device: the center vectors.

    Raises
    ------
    ValueError
        An unknown ``backend``, ``'numba'`` or ``'gensim'`` for walks that are not on the CPU,
        or gensim missing.

    Notes
    -----
    Center vectors start uniform in ``±init_bound``, context vectors at 0, on both back ends
    (the same vectors for the same seed). Randomness is counter-based (device independent), but on
    CUDA the scattered updates are atomic adds, so the last bits can differ between runs there.

    The numba back end runs word2vec's sequential loop with the gensim back end's mapping below
    (subsampled occurrences dropped before windowing, a fixed window of ``window_size // 2``),
    except that a position's negatives are shared by its window (Ji et al. 2016; module
    docstring of :mod:`._skipgram_numba`); its unigram table has ``16 n`` entries (at least
    ``2**20``, at most ``2**26``). Like the torch path it calls ``walks`` ``iterations + 1``
    times and shuffles each chunk's walks anew on every pass.

    The gensim back end (``Word2Vec(sg=1, hs=0)``, fed a text file of walks per chunk) maps the
    parameters as: ``embedding_dimension`` -> ``vector_size``; ``window_size // 2`` ->
    ``window`` with ``shrink_windows=False`` (a fixed window, as GDS's; GDS takes
    ``ceil((w - 1) / 2)`` before and ``(w - 1) // 2`` after the center, we take ``w // 2`` on
    both sides, as the torch path); ``negative_sampling_rate`` -> ``negative``;
    ``negative_sampling_exponent`` -> ``ns_exponent``; ``positive_sampling_factor`` ->
    ``sample`` (the same keep probability; ``0``, i.e. off, for a factor of 1; gensim drops
    subsampled *occurrences* from the walk before windowing, as GDS and word2vec do, where the
    torch path drops the pairs that touch them); ``initial_learning_rate`` / ``min_learning_rate`` -> ``alpha`` / ``min_alpha``,
    decayed linearly over all ``iterations`` on both back ends (GDS instead keeps one rate per
    iteration, stepping down by ``(initial - min) / iterations``); ``iterations`` -> passes
    over the walk files; ``random_seed`` -> ``seed`` (negatives, subsampling; the initial
    vectors are ours). ``walk_buffer_size`` has no gensim equivalent (gensim trains jobs of
    10,000 walk positions) and is ignored there. Results are reproducible with ``workers=1``,
    independent of ``PYTHONHASHSEED``. Walks are shuffled per chunk on both back ends; gensim
    reads them in that order on every pass.

    Time ``O(iterations * pairs * (1 + negatives) * d)``, memory
    ``O(n d + chunk + buffer pairs)``.

    References
    ----------
    T. Mikolov, I. Sutskever, K. Chen, G. Corrado, J. Dean, "Distributed representations of
    words and phrases and their compositionality", NIPS 2013; S. Ji, N. Satish, S. Li, P. Dubey,
    "Parallelizing Word2Vec in shared and distributed memory", arXiv:1604.04661 (2016);
    GDS manual, Node2Vec.

    Examples
    --------
    >>> walks = torch.tensor([[0, 1, 2, 3], [3, 2, 1, 0], [1, 2, -1, -1]])
    >>> e = skipgram(walks, num_nodes=4, embedding_dimension=8, window_size=4, iterations=2)
    >>> e.shape, e.dtype
    (torch.Size([4, 8]), torch.float32)
    >>> t = skipgram(walks, num_nodes=4, embedding_dimension=8, window_size=4, backend="torch")
    >>> t.shape
    torch.Size([4, 8])
    """
    chunks: Callable[[], Iterable[torch.Tensor]]
    first: torch.Tensor | None
    if isinstance(walks, torch.Tensor):
        chunks, first = (lambda: [walks]), walks
    else:
        chunks = replay = _Replay(walks)
        first = None if backend == "torch" else replay.peek()
    seed = mix_seed(random_seed)
    cpu = torch.device("cpu")
    chosen = _pick_backend(first, backend)
    if chosen in ("numba", "gensim"):  # the two CPU back ends take the same settings
        initial = _initial_vectors(seed, num_nodes, embedding_dimension, init_bound, cpu)
        settings: dict[str, Any] = dict(
            window_size=window_size,
            negative_sampling_rate=negative_sampling_rate,
            positive_sampling_factor=positive_sampling_factor,
            negative_sampling_exponent=negative_sampling_exponent,
            iterations=iterations,
            initial_learning_rate=initial_learning_rate,
            min_learning_rate=min_learning_rate,
            random_seed=random_seed,
            workers=workers,
        )
        if chosen == "numba":

            def pass_order(it: int, gi: int, count: int) -> torch.Tensor:
                return _walk_order(seed, it, gi, count, cpu)

            return _skipgram_numba.skipgram_numba(chunks, pass_order, initial, **settings)
        return _skipgram_gensim.skipgram_gensim(
            _first_pass_order(chunks, seed), initial, **settings
        )
    d = embedding_dimension
    # pass 1: corpus frequencies (a callable source regenerates the same walks later)
    freq = None
    n_walks = 0
    device = None
    for chunk in chunks():
        device = chunk.device
        counts = torch.bincount(chunk[chunk >= 0], minlength=num_nodes).to(torch.float64)
        freq = counts if freq is None else freq + counts
        n_walks += chunk.shape[0]
    device = device or torch.device("cpu")
    center = _initial_vectors(seed, num_nodes, d, init_bound, device)
    context = torch.zeros(num_nodes, d, dtype=torch.float32, device=device)
    if freq is None or num_nodes == 0 or freq.sum() == 0:
        return center
    f = freq / freq.sum()
    s = positive_sampling_factor
    keep_prob = torch.where(
        f > 0, ((f / s).sqrt() + 1) * s / f.clamp(min=1e-300), torch.zeros_like(f)
    ).clamp(max=1.0)
    neg_cum = torch.cumsum(freq**negative_sampling_exponent, 0)
    neg_cum = neg_cum / neg_cum[-1]
    half = max(window_size // 2, 1)
    batch = min(_BATCH_PAIRS, max(64, 4 * num_nodes))
    buffer = max(walk_buffer_size, 1)
    total = iterations * n_walks
    done = 0
    counter = 0
    for it in range(iterations):
        checkpoint()
        for gi, gen in enumerate(chunks()):
            order = _walk_order(seed, it, gi, gen.shape[0], gen.device)
            for b_start in range(0, gen.shape[0], buffer):
                chunk = gen[order[b_start : b_start + buffer]]
                c, o = _pairs(chunk, half)
                key = torch.arange(c.numel(), device=device) + counter
                counter += c.numel()
                r = uniform(seed ^ 0x51, key, 2)
                ok = (r[:, 0] < keep_prob[c]) & (r[:, 1] < keep_prob[o])
                c, o, key = c[ok], o[ok], key[ok]
                perm = torch.argsort(uniform(seed ^ 0x52, key, 1)[:, 0])
                c, o, key = c[perm], o[perm], key[perm]
                n_pairs = c.numel()
                for b0 in range(0, n_pairs, batch):
                    progress = (done + chunk.shape[0] * b0 / max(n_pairs, 1)) / total
                    lr = (
                        initial_learning_rate
                        - (initial_learning_rate - min_learning_rate) * progress
                    )
                    lr = max(lr, min_learning_rate)
                    kb = key[b0 : b0 + batch]
                    neg = torch.searchsorted(
                        neg_cum, uniform(seed ^ 0x53, kb, negative_sampling_rate).to(neg_cum.dtype)
                    ).clamp(max=num_nodes - 1)
                    _sgd_step(center, context, c[b0 : b0 + batch], o[b0 : b0 + batch], neg, lr)
                done += chunk.shape[0]
    return center


def _walk_order(
    seed: int, iteration: int, chunk_index: int, count: int, device: torch.device
) -> torch.Tensor:
    """The order in which pass ``iteration`` trains the ``count`` walks of chunk
    ``chunk_index``: a counter-based permutation, the same on every device."""
    rows = torch.arange(count, device=device)
    return torch.argsort(uniform(seed ^ (iteration + 1) ^ (chunk_index << 20), rows, 1)[:, 0])


def _first_pass_order(
    chunks: Callable[[], Iterable[torch.Tensor]], seed: int
) -> Callable[[], Iterator[torch.Tensor]]:
    """``chunks`` with each chunk's walks in the torch path's first-pass order (gensim reads
    its files in one order on every pass)."""

    def ordered() -> Iterator[torch.Tensor]:
        for gi, gen in enumerate(chunks()):
            yield gen[_walk_order(seed, 0, gi, gen.shape[0], gen.device)]

    return ordered


def _initial_vectors(
    seed: int, num_nodes: int, d: int, init_bound: float | None, device: torch.device
) -> torch.Tensor:
    """``float32[n, d]`` uniform in ``±init_bound`` (``±0.5 / d`` by default)."""
    u = uniform(seed, torch.arange(num_nodes, device=device), d) - 0.5
    return (u / d if init_bound is None else u * (2.0 * init_bound)).float()


class _Replay:
    """A chunk source whose first chunk can be looked at without computing it twice."""

    def __init__(self, source: Callable[[], Iterable[torch.Tensor]]) -> None:
        self.source = source
        self.started: Iterator[torch.Tensor] | None = None
        self.first: list[torch.Tensor] = []

    def peek(self) -> torch.Tensor | None:
        """The first chunk (``None`` for an empty source)."""
        if self.started is None:
            self.started = iter(self.source())
            self.first = list(itertools.islice(self.started, 1))
        return self.first[0] if self.first else None

    def __call__(self) -> Iterable[torch.Tensor]:
        if self.started is not None:  # the peeked pass goes on where peek() stopped
            started, self.started = self.started, None
            return itertools.chain(self.first, started)
        return self.source()


def _pick_backend(first: torch.Tensor | None, backend: str) -> str:
    """``'numba'``, ``'gensim'`` or ``'torch'`` for ``backend`` and the device of the (first)
    walks."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    if backend == "torch":
        return backend
    on_cpu = first is None or first.device.type == "cpu"
    if backend == "numba":
        if not on_cpu:
            raise ValueError("backend 'numba' needs the walks on the CPU")
        return backend
    if backend == "gensim":
        if not on_cpu:
            raise ValueError("backend 'gensim' needs the walks on the CPU")
        if not _skipgram_gensim.available():
            raise ValueError("backend 'gensim' needs the gensim package")
        return backend
    return "numba" if on_cpu else "torch"


def _crowding(index: torch.Tensor, num_nodes: int) -> torch.Tensor:
    """Per-occurrence factor ``1 / max(1, count / _ROW_CAP)`` of each row in ``index``."""
    counts = torch.bincount(index, minlength=num_nodes)[index].to(torch.float32)
    return 1.0 / (counts / _ROW_CAP).clamp(min=1.0)


def _sgd_step(
    center: torch.Tensor,
    context: torch.Tensor,
    c: torch.Tensor,
    o: torch.Tensor,
    neg: torch.Tensor,
    lr: float,
) -> None:
    """One batched word2vec update (gradients of the summed negative-sampling loss).

    A row met more than ``_ROW_CAP`` times in the batch gets ``_ROW_CAP`` occurrences' worth of
    its summed gradient (sequential word2vec would see each step's effect before the next).
    """
    n = center.shape[0]
    u = center[c]  # [B, d]
    v = context[o]  # [B, d]
    vn = context[neg]  # [B, k, d]
    g_pos = torch.sigmoid((u * v).sum(-1)) - 1.0  # [B]
    g_neg = torch.sigmoid(torch.einsum("bd,bkd->bk", u, vn))  # [B, k]
    grad_u = g_pos[:, None] * v + torch.einsum("bk,bkd->bd", g_neg, vn)
    ctx_index = torch.cat([o, neg.reshape(-1)])
    ctx_grad = torch.cat(
        [g_pos[:, None] * u, (g_neg[:, :, None] * u[:, None, :]).reshape(-1, u.shape[1])]
    )
    context.index_add_(0, ctx_index, ctx_grad * _crowding(ctx_index, n)[:, None], alpha=-lr)
    center.index_add_(0, c, grad_u * _crowding(c, n)[:, None], alpha=-lr)
