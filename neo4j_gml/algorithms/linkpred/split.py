"""Splitting relationships into train / validation / test edges with sampled negatives."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from neo4j_gml.algorithms.linkpred.adjacency import Adjacency, find_sorted

__all__ = ["EdgeSplit", "SplitError", "sample_non_edges", "split_edges", "undirected_edges"]


class SplitError(ValueError):
    """The graph has too few relationships (or non-edges) for the requested split."""


@dataclass(frozen=True)
class EdgeSplit:
    """Positive edges ``int64[2, k]`` (each undirected edge once, ``u < v``) and negatives.

    ``train`` is what message passing and training see; ``valid``/``test`` positives are held
    out of it. ``valid_neg``/``test_neg`` are node pairs that are edges nowhere in the graph,
    disjoint from each other.

    Attributes
    ----------
    train, valid, test : torch.Tensor
        ``int64[2, k]`` positive edges of each part.
    valid_neg, test_neg : torch.Tensor
        ``int64[2, k]`` negative pairs for validation and test.
    num_nodes : int
        ``n``.
    """

    train: torch.Tensor
    valid: torch.Tensor
    test: torch.Tensor
    valid_neg: torch.Tensor
    test_neg: torch.Tensor
    num_nodes: int


def undirected_edges(adj: Adjacency) -> torch.Tensor:
    """Each edge of ``adj`` once, ``u < v``, in ``(u, v)`` order.

    Parameters
    ----------
    adj : Adjacency
        A simple undirected adjacency.

    Returns
    -------
    torch.Tensor
        ``int64[2, m]``.

    References
    ----------
    GDS manual, Link prediction pipelines (``configureSplit``: ``testFraction``,
    ``trainFraction``, ``negativeSamplingRatio``).

    Examples
    --------
    >>> from neo4j_gml.algorithms.linkpred.adjacency import from_edges
    >>> adj = from_edges(torch.tensor([0, 0, 1, 2]), torch.tensor([1, 2, 2, 3]), 4)
    >>> undirected_edges(adj).tolist()
    [[0, 0, 1, 2], [1, 2, 2, 3]]
    """
    rows = torch.repeat_interleave(torch.arange(adj.num_nodes, device=adj.device), adj.degree)
    keep = rows < adj.indices
    return torch.stack([rows[keep], adj.indices[keep]])


def sample_non_edges(
    adj: Adjacency, count: int, generator: torch.Generator, exclude: torch.Tensor | None = None
) -> torch.Tensor:
    """Distinct uniform pairs ``u < v`` that are not edges of ``adj``, by rejection sampling.

    Parameters
    ----------
    adj : Adjacency
        A simple undirected adjacency.
    count : int
        Pairs to draw.
    generator : torch.Generator
        A CPU generator (the draws are made on the CPU, then moved to ``adj``'s device).
    exclude : torch.Tensor or None
        ``int64[2, k]`` more pairs to avoid (``u < v``).

    Returns
    -------
    torch.Tensor
        ``int64[2, count]``.

    Raises
    ------
    SplitError
        Fewer than ``count`` such pairs exist.

    References
    ----------
    GDS manual, Link prediction pipelines (``configureSplit``: ``testFraction``,
    ``trainFraction``, ``negativeSamplingRatio``).

    Examples
    --------
    >>> from neo4j_gml.algorithms.linkpred.adjacency import from_edges
    >>> adj = from_edges(torch.tensor([0, 0, 1, 2]), torch.tensor([1, 2, 2, 3]), 4)
    >>> pairs = sample_non_edges(adj, 2, torch.Generator().manual_seed(0))
    >>> sorted(map(tuple, pairs.t().tolist()))  # the only two non-adjacent pairs
    [(0, 3), (1, 3)]
    """
    n = adj.num_nodes
    available = n * (n - 1) // 2 - adj.keys.numel() // 2
    if exclude is not None:
        available -= exclude.shape[1]
    if count > available:
        raise SplitError(f"needs {count} non-adjacent node pairs, the graph has {available}")
    device = adj.device
    taken = torch.zeros(0, dtype=torch.int64, device=device)
    if exclude is not None and exclude.numel():
        taken = torch.unique(exclude[0] * n + exclude[1])
    found = torch.zeros(0, dtype=torch.int64, device=device)
    while found.numel() < count:
        want = 2 * (count - found.numel()) + 16
        u = torch.randint(0, n, (want,), generator=generator, device="cpu").to(device)
        v = torch.randint(0, n, (want,), generator=generator, device="cpu").to(device)
        a, b = torch.minimum(u, v), torch.maximum(u, v)
        ok = (a != b) & ~adj.has_arc(a, b)
        key = a[ok] * n + b[ok]
        key = key[~find_sorted(taken, key)[0]]
        # keep first occurrences, in sampling order
        uniq, inverse = torch.unique(key, return_inverse=True)
        first = torch.full((uniq.numel(),), key.numel(), dtype=torch.int64, device=device)
        first.scatter_reduce_(0, inverse, torch.arange(key.numel(), device=device), "amin")
        new = key[torch.sort(first).values][: count - found.numel()]
        found = torch.cat([found, new])
        taken = torch.sort(torch.cat([taken, new])).values
    return torch.stack([torch.div(found, n, rounding_mode="floor"), found % n])


def split_edges(
    adj: Adjacency,
    *,
    test_fraction: float,
    validation_fraction: float,
    negative_ratio: float = 1.0,
    seed: int = 0,
) -> EdgeSplit:
    """A random split of the edges of ``adj`` into train / validation / test.

    Each undirected edge lands in exactly one part (``round(m * fraction)`` test and validation
    edges); validation and test get ``round(positives * negative_ratio)`` negatives each, drawn
    uniformly from the pairs that are edges nowhere in the graph.

    Parameters
    ----------
    adj : Adjacency
        A simple undirected adjacency.
    test_fraction : float
        Share of the edges held out for testing.
    validation_fraction : float
        Share of the edges held out for validation (``0`` for none).
    negative_ratio : float
        Negatives per validation and test edge.
    seed : int
        The same seed gives the same split.

    Returns
    -------
    EdgeSplit
        The parts and their negatives.

    Raises
    ------
    SplitError
        A part would be empty, or there are too few non-adjacent pairs.

    Notes
    -----
    ``O(m log m)``.

    References
    ----------
    GDS manual, Link prediction pipelines (``configureSplit``: ``testFraction``,
    ``trainFraction``, ``negativeSamplingRatio``).

    Examples
    --------
    >>> from neo4j_gml.algorithms.linkpred.adjacency import from_edges
    >>> ring = torch.arange(10)
    >>> adj = from_edges(ring, (ring + 1) % 10, 10)
    >>> split = split_edges(adj, test_fraction=0.2, validation_fraction=0.1, seed=0)
    >>> split.train.shape[1], split.valid.shape[1], split.test.shape[1], split.test_neg.shape[1]
    (7, 1, 2, 2)
    """
    edges = undirected_edges(adj)
    m = edges.shape[1]
    n_test = round(m * test_fraction)
    n_valid = round(m * validation_fraction)
    n_train = m - n_test - n_valid
    if n_test < 1 or n_train < 1 or (validation_fraction > 0 and n_valid < 1):
        raise SplitError(
            f"the graph has {m} relationships; testFraction {test_fraction} and "
            f"validationFraction {validation_fraction} leave an empty part (need at least one "
            "train, one test and, when requested, one validation relationship)"
        )
    gen = torch.Generator().manual_seed(seed)
    perm = torch.randperm(m, generator=gen).to(edges.device)
    test = edges[:, perm[:n_test]]
    valid = edges[:, perm[n_test : n_test + n_valid]]
    train = edges[:, perm[n_test + n_valid :]]
    n_neg_test = max(1, round(n_test * negative_ratio))
    n_neg_valid = round(n_valid * negative_ratio) if n_valid else 0
    negatives = sample_non_edges(adj, n_neg_test + n_neg_valid, gen)
    return EdgeSplit(
        train, valid, test, negatives[:, n_neg_test:], negatives[:, :n_neg_test], adj.num_nodes
    )
