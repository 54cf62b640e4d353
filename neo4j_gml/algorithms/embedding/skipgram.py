"""Skip-gram with negative sampling over walks (word2vec), batched in torch."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch

from neo4j_gml.algorithms.embedding._hashrng import mix_seed, uniform
from neo4j_gml.core.cancellation import checkpoint

__all__ = ["skipgram"]

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

    Returns
    -------
    torch.Tensor
        ``float32[n, d]``: the center vectors.

    Notes
    -----
    Center vectors start uniform in ``±0.5 / d``, context vectors at 0. Randomness is
    counter-based (device independent), but on CUDA the scattered updates are atomic adds, so
    the last bits can differ between runs there.

    Time ``O(iterations * pairs * (1 + negatives) * d)``, memory
    ``O(n d + chunk + buffer pairs)``.

    References
    ----------
    T. Mikolov, I. Sutskever, K. Chen, G. Corrado, J. Dean, "Distributed representations of
    words and phrases and their compositionality", NIPS 2013; GDS manual, Node2Vec.

    Examples
    --------
    >>> walks = torch.tensor([[0, 1, 2, 3], [3, 2, 1, 0], [1, 2, -1, -1]])
    >>> e = skipgram(walks, num_nodes=4, embedding_dimension=8, window_size=4, iterations=2)
    >>> e.shape, e.dtype
    (torch.Size([4, 8]), torch.float32)
    """
    chunks = (lambda: [walks]) if isinstance(walks, torch.Tensor) else walks
    d = embedding_dimension
    seed = mix_seed(random_seed)
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
    center = ((uniform(seed, torch.arange(num_nodes, device=device), d) - 0.5) / d).float()
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
            rows = torch.arange(gen.shape[0], device=device)
            order = torch.argsort(uniform(seed ^ (it + 1) ^ (gi << 20), rows, 1)[:, 0])
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
