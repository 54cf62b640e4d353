"""IRWE: inductive identity and position embeddings from random-walk statistics, no attributes.

IRWE (Qin and Yeung) gives every node two embeddings at once, from the topology alone:

* an **identity** embedding (the node's structural role: nodes with the same role are close
  wherever they are, in this graph or another one), and
* a **position** embedding (its community and proximity: nodes that random walks connect are
  close),

with one model that is trained on one graph and then embeds any node of any graph, new nodes and
unseen graphs included, because its inputs are random-walk statistics rather than per-node
parameters or attributes.

What this module computes
-------------------------
*Identity statistics* (:func:`irwe_features`): for each node, the empirical distribution of the
**anonymous walks** of ``anonymous_walk_length`` nodes started there (:func:`anonymous_walks`: a
walk ``(a, b, c, b)`` becomes ``(0, 1, 2, 1)``, the order in which it first met each node), one
column per possible anonymous walk (:func:`anonymous_walk_count`, Bell numbers), beside the
expected ``log(1 + degree)`` of the node a walk is at after ``0 .. anonymous_walk_length - 1``
steps (exact, by powers of the transition matrix). Anonymous walks forget which nodes were met,
so the distribution depends on the rooted neighbourhood's shape only: automorphic nodes have the
same one, and long enough walks determine the neighbourhood (Micali and Zhu 2016).

*Model* (:class:`IrweNet`): an identity encoder (MLP on the standardised statistics, walk
shares as square roots) gives ``z_id``; a position encoder builds, for every node, one token per
walk step ``k = 0 .. K`` (``K = walk_length - 1``): the expected identity embedding ``P^k z_id``
of where a walk is after ``k`` steps, plus ``P^k R`` for a random sign matrix ``R`` (centred and
L2-normalised rows), plus a learned step encoding. A self-attention layer over the ``K + 1``
tokens and an attention pooling, plus a linear map of the mean of ``P^k R`` over the steps
``k >= 1`` (the FastRP-like proximity the attention refines), give ``z_pos``. ``R`` is what
tells two nodes of the same shape in different places apart; it is redrawn every epoch during
training, so the encoder learns a function that does not depend on one draw, and at embedding
time it is drawn from the seed and each node's Neo4j id (a node keeps its row when others join).

*Training* (:func:`train_irwe`), jointly, one Adam step per batch on the sum of two losses:
the identity loss reconstructs the standardised statistics from ``z_id`` (a decoder; mean
squared error, the walk-share block and the degree block weighing the same), with the encoder
fed a *fresh* estimate of the statistics every epoch (a denoising autoencoder: same-role nodes
then get near-identical embeddings despite sampling noise); the position loss is skip-gram
with negative sampling on random-walk co-occurrence, ``-log sigma(z_pos[u] . z_pos[v]) -
sum log sigma(-z_pos[u] . z_pos[w])`` for ``v`` met by a walk of ``walk_length`` nodes from
``u`` and ``w`` drawn from ``degree ** 0.75``.

Simplifications against the paper
---------------------------------
Only the paper's abstract could be consulted while writing this (its text beyond the abstract
and any reference code were out of reach here), so the design above follows the paper's stated
ideas (random-walk statistics as inductive, attribute-free features; anonymous walks for
identity; attention units over random walks; identity and position derived together and
optimised jointly) rather than its equations:

* the identity encoder reads the anonymous-walk *distribution* (an MLP), not each sampled walk
  through attention; walk-step statistics of the position encoder are expectations (sparse
  matrix powers) rather than sampled walks;
* the symmetry-breaking input of the position encoder is a random projection of the walk
  distribution (as FastRP's), redrawn per epoch, and a linear path from it;
* the position encoder reads ``z_id`` without passing its gradient back (joint training, but
  the position loss does not reshape identities: in our tests it blurred roles);
* one attention layer, 4 heads (1 when ``embedding_dimension`` is not a multiple of 4), hidden
  width ``2 * embedding_dimension``; full-batch propagation, attention on the nodes of each
  batch only.

Complexity: statistics ``O(n * walks_per_node * L^2)`` time and ``O(n * Bell(L))`` memory
(``L = anonymous_walk_length``), once per epoch in training; one training step
``O(K * m * (r + d) + b * K^2 * d)`` (``r`` projection width, ``b`` nodes touched by the batch);
embedding ``O(n * walks_per_node * L^2 + K * m * (r + d) + n * K^2 * d)``.

Measured (``python -m benchmarks.bench_irwe``, 2 CPU cores, 1 torch thread, the defaults,
``d = 64``; classifier: logistic regression, 20% of the nodes held out): position on
email-Eu-core departments accuracy 0.749 / macro F1 0.612 (node2vec 0.724 / 0.566), 0.739 /
0.593 when the held-out nodes were unseen in training, 12 s; on Cora subjects 0.780 / 0.776
(walks of 16 nodes: 0.799 / 0.788; node2vec 0.806 / 0.798), unseen held-out nodes 0.760 / 0.745,
60 s. Identity on a generated graph of planted roles 0.935 (5-fold), 0.940 on an unseen graph
(graphlet orbit counts 0.982 / 0.978, degree 0.673, node2vec 0.415), 3 s.

References
----------
M. Qin and D.-Y. Yeung, "IRWE: Inductive Random Walk for Joint Inference of Identity and
Position Network Embedding", arXiv:2401.00651; S. Ivanov and E. Burnaev, "Anonymous walk
embeddings", ICML 2018; S. Micali and Z. A. Zhu, "Reconstructing Markov processes from
independent and anonymous experiments", Discrete Applied Mathematics (2016); H. Chen et al.,
"Fast and accurate network embeddings via very sparse random projection", CIKM 2019.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import cast

import torch
from torch import nn

from neo4j_gml.algorithms.embedding._hashrng import mix_seed, uniform
from neo4j_gml.algorithms.embedding._sparse import adjacency
from neo4j_gml.algorithms.embedding.random_walk import random_walks
from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.errors import ParameterError
from neo4j_gml.core.graph import Graph

__all__ = [
    "EMBEDDING_TYPES",
    "MAX_ANONYMOUS_WALK_LENGTH",
    "IrweNet",
    "IrweReport",
    "anonymous_walk_count",
    "anonymous_walk_distribution",
    "anonymous_walks",
    "build_irwe",
    "irwe_embed",
    "irwe_features",
    "train_irwe",
]

#: What :func:`irwe_embed` returns: the identity part, the position part, or both side by side.
EMBEDDING_TYPES = ("IDENTITY", "POSITION", "BOTH")
#: Longest anonymous walk: Bell(8) = 4140 columns of statistics per node.
MAX_ANONYMOUS_WALK_LENGTH = 8

_POSITION_WALKS = 2  # walks per node and epoch that give the position loss its pairs


# ---------------------------------------------------------------------------- statistics
@cache
def _anonymous_table(length: int) -> torch.Tensor:
    """Sorted base-``length`` keys of every anonymous walk of ``length`` nodes (lexicographic)."""
    keys: list[int] = []

    def grow(prefix_key: int, size: int, top: int) -> None:
        if size == length:
            keys.append(prefix_key)
            return
        for label in range(top + 2):
            grow(prefix_key * length + label, size + 1, max(top, label))

    grow(0, 1, 0)  # every anonymous walk starts with label 0
    return torch.tensor(sorted(keys), dtype=torch.long)


def anonymous_walk_count(walk_length: int) -> int:
    """Number of distinct anonymous walks of ``walk_length`` nodes: the Bell number.

    Parameters
    ----------
    walk_length : int
        Nodes per walk, ``1 .. MAX_ANONYMOUS_WALK_LENGTH``.

    Returns
    -------
    int
        ``Bell(walk_length)``: 1, 2, 5, 15, 52, 203, 877, 4140.

    Raises
    ------
    ParameterError
        ``walk_length`` out of range.

    References
    ----------
    S. Ivanov and E. Burnaev, "Anonymous walk embeddings", ICML 2018.

    Examples
    --------
    >>> [anonymous_walk_count(k) for k in range(1, 7)]
    [1, 2, 5, 15, 52, 203]
    """
    _check_walk_length(walk_length)
    return int(_anonymous_table(walk_length).numel())


def _check_walk_length(walk_length: int) -> None:
    if not 1 <= walk_length <= MAX_ANONYMOUS_WALK_LENGTH:
        raise ParameterError(
            "anonymous_walk_length",
            f"must be in [1, {MAX_ANONYMOUS_WALK_LENGTH}], got {walk_length}",
        )


def _fill_stopped(walks: torch.Tensor) -> torch.Tensor:
    """Walks whose rest is ``-1`` (stopped at a node without out-arcs) stay at their last node."""
    out = walks.clone()
    for j in range(1, out.shape[1]):
        out[:, j] = torch.where(out[:, j] < 0, out[:, j - 1], out[:, j])
    return out


def anonymous_walks(walks: torch.Tensor) -> torch.Tensor:
    """The anonymous form of each walk: every node replaced by the rank of its first visit.

    ``(a, b, c, b, c)`` becomes ``(0, 1, 2, 1, 2)``. A ``-1`` (a walk that stopped) repeats the
    node before it, as if the walk stayed where it was.

    Parameters
    ----------
    walks : torch.Tensor
        ``int64[W, L]`` node positions, as :func:`~neo4j_gml.algorithms.embedding.random_walk.
        random_walks` returns them (the first column never ``-1``).

    Returns
    -------
    torch.Tensor
        ``int64[W, L]`` labels, ``0`` first, each at most one above the largest before it.

    Notes
    -----
    ``O(W L^2)`` time, ``O(W L)`` memory.

    References
    ----------
    S. Ivanov and E. Burnaev, "Anonymous walk embeddings", ICML 2018.

    Examples
    --------
    >>> anonymous_walks(torch.tensor([[7, 3, 9, 3, 9], [4, 5, -1, -1, -1]])).tolist()
    [[0, 1, 2, 1, 2], [0, 1, 1, 1, 1]]
    """
    w = _fill_stopped(walks.to(torch.long))
    count, length = w.shape
    anon = torch.zeros_like(w)
    distinct = torch.ones(count, dtype=torch.long, device=w.device)
    for j in range(1, length):
        same = w[:, :j] == w[:, j : j + 1]
        seen = same.any(dim=1)
        first = same.to(torch.int8).argmax(dim=1)
        earlier = anon.gather(1, first[:, None])[:, 0]
        anon[:, j] = torch.where(seen, earlier, distinct)
        distinct = distinct + (~seen).to(torch.long)
    return anon


def _anonymous_index(anon: torch.Tensor) -> torch.Tensor:
    """Column of each anonymous walk in the lexicographic enumeration of all of its length."""
    length = anon.shape[1]
    powers = length ** torch.arange(length - 1, -1, -1, device=anon.device, dtype=torch.long)
    keys = (anon * powers).sum(dim=1)
    table = _anonymous_table(length).to(anon.device)
    return torch.searchsorted(table, keys)


def _walker_keys(graph: Graph, walks_per_node: int, salt: int) -> torch.Tensor:
    """Random-stream key of walk ``r`` of every node: its Neo4j id, the round and a salt, so a
    node's walks do not depend on its position in the projection."""
    ids = graph.node_ids.to(graph.device, torch.long)
    rounds = torch.arange(walks_per_node, device=graph.device, dtype=torch.long)
    return (rounds[:, None] * 0x9E3779B1 + ids[None, :] * 8191 + salt).reshape(-1)


def anonymous_walk_distribution(
    graph: Graph,
    *,
    anonymous_walk_length: int = 5,
    walks_per_node: int = 100,
    weighted: bool = False,
    random_seed: int = 0,
) -> torch.Tensor:
    """Per node, the share of its random walks that have each anonymous form.

    ``walks_per_node`` first-order random walks of ``anonymous_walk_length`` nodes start at
    every node (uniform steps, or weight-proportional when ``weighted``); a walk that reaches a
    node without out-arcs stays there. Column ``j`` is the ``j``-th anonymous walk in
    lexicographic order (``(0, 0, ...)`` first).

    Parameters
    ----------
    graph : Graph
        The graph; walks follow its arcs in its orientation.
    anonymous_walk_length : int
        Nodes per walk, ``1 .. MAX_ANONYMOUS_WALK_LENGTH``.
    walks_per_node : int
        Walks per node, ``>= 1``.
    weighted : bool
        Step in proportion to the relationship weights.
    random_seed : int
        Seed of the walks (counter-based: keyed by the node's Neo4j id).

    Returns
    -------
    torch.Tensor
        ``float32[n, Bell(anonymous_walk_length)]``, rows summing to 1.

    Raises
    ------
    ParameterError
        A length out of range or ``walks_per_node < 1``.

    Notes
    -----
    An unbiased estimate of the exact distribution (tested against enumerating every walk).
    ``O(n * walks_per_node * L^2)`` time.

    References
    ----------
    S. Ivanov and E. Burnaev, "Anonymous walk embeddings", ICML 2018; M. Qin and D.-Y. Yeung,
    "IRWE", arXiv:2401.00651.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2], [1, 2, 0], orientation="UNDIRECTED")  # a triangle
    >>> anonymous_walk_distribution(g, anonymous_walk_length=3, walks_per_node=1000).sum(1)
    tensor([1., 1., 1.])
    """
    _check_walk_length(anonymous_walk_length)
    if walks_per_node < 1:
        raise ParameterError("walks_per_node", f"must be at least 1, got {walks_per_node}")
    n, device = graph.num_nodes, graph.device
    width = anonymous_walk_count(anonymous_walk_length)
    counts = torch.zeros(n * width, dtype=torch.float32, device=device)
    if n == 0:
        return counts.reshape(0, width)
    rounds_per_chunk = max(1, (1 << 20) // max(n, 1))
    all_keys = _walker_keys(graph, walks_per_node, 0)
    for r0 in range(0, walks_per_node, rounds_per_chunk):
        checkpoint()
        rounds = min(rounds_per_chunk, walks_per_node - r0)
        keys = all_keys[r0 * n : (r0 + rounds) * n]
        walks = random_walks(
            graph,
            walk_length=anonymous_walk_length,
            walks_per_node=rounds,
            weighted=weighted,
            random_seed=random_seed,
            walker_ids=keys,
        )
        column = _anonymous_index(anonymous_walks(walks))
        flat = walks[:, 0] * width + column
        counts += torch.bincount(flat, minlength=n * width).to(torch.float32)
    return counts.reshape(n, width) / walks_per_node


def _transition(graph: Graph, weighted: bool) -> torch.Tensor:
    """Sparse ``P[u, v]``: the probability that a walk at ``u`` steps to ``v`` (float32)."""
    if weighted and graph.weights is not None:
        values = graph.weights.to(torch.float32)
    else:
        values = torch.ones(graph.num_arcs, dtype=torch.float32, device=graph.device)
    out = torch.zeros(graph.num_nodes, dtype=torch.float32, device=graph.device)
    total = out.index_add(0, graph.sources(), values)
    return adjacency(graph, values / total[graph.sources()].clamp(min=1e-30))


def _step(transition: torch.Tensor, stuck: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """``P x``, where a node without out-arcs keeps its own row (the walk stays there)."""
    return cast(torch.Tensor, torch.sparse.mm(transition, x)) + stuck[:, None] * x


def irwe_features(
    graph: Graph,
    *,
    anonymous_walk_length: int = 5,
    walks_per_node: int = 100,
    weighted: bool = False,
    random_seed: int = 0,
) -> torch.Tensor:
    """The identity statistics IRWE's identity encoder reads, one row per node.

    Columns: :func:`anonymous_walk_distribution` (``Bell(L)`` of them), then the expected
    ``log(1 + out-degree)`` of the node a walk from this node is at after ``0 .. L - 1`` steps
    (``L`` columns, exact: ``P^k log(1 + deg)``, where a node without out-arcs keeps the walk).
    Nothing here names a node, so the statistics of any graph can be fed to a trained model.

    Parameters
    ----------
    graph : Graph
        The graph (UNDIRECTED is usual).
    anonymous_walk_length : int
        ``L``, nodes per anonymous walk, ``1 .. MAX_ANONYMOUS_WALK_LENGTH``.
    walks_per_node : int
        Walks per node for the distribution.
    weighted : bool
        Step in proportion to the relationship weights.
    random_seed : int
        Seed of the walks.

    Returns
    -------
    torch.Tensor
        ``float32[n, Bell(L) + L]``.

    Raises
    ------
    ParameterError
        A length out of range or ``walks_per_node < 1``.

    Notes
    -----
    ``O(n * walks_per_node * L^2 + L * m)`` time.

    References
    ----------
    M. Qin and D.-Y. Yeung, "IRWE: Inductive Random Walk for Joint Inference of Identity and
    Position Network Embedding", arXiv:2401.00651.

    Examples
    --------
    >>> g = Graph.from_edges([0, 0, 0], [1, 2, 3], orientation="UNDIRECTED")  # a star
    >>> x = irwe_features(g, anonymous_walk_length=3, walks_per_node=10)
    >>> x.shape  # Bell(3) = 5 walk shapes, then 3 expected log-degrees
    torch.Size([4, 8])
    >>> x[:, -3:].double().round(decimals=3).tolist()[:2]  # hub: log 4, log 2, log 4
    [[1.386, 0.693, 1.386], [0.693, 1.386, 0.693]]
    """
    aw = anonymous_walk_distribution(
        graph,
        anonymous_walk_length=anonymous_walk_length,
        walks_per_node=walks_per_node,
        weighted=weighted,
        random_seed=random_seed,
    )
    deg = graph.out_degree().to(torch.float32)
    transition = _transition(graph, weighted)
    stuck = (deg == 0).to(torch.float32)
    x = torch.log1p(deg)[:, None]
    steps = [x]
    for _ in range(1, anonymous_walk_length):
        x = _step(transition, stuck, x)
        steps.append(x)
    return torch.cat([aw, *steps], dim=1)


# ---------------------------------------------------------------------------- model
class IrweNet(nn.Module):
    """IRWE's identity encoder, its decoder, and the attention-based position encoder.

    Parameters
    ----------
    feature_dimension : int
        Width of :func:`irwe_features` rows (``Bell(L) + L``).
    embedding_dimension : int
        ``d``, the width of each of the two embeddings.
    anonymous_walk_length : int
        ``L`` of the statistics the model reads.
    walk_length : int
        Nodes per position walk; the encoder reads ``walk_length`` step tokens.
    projection_dimension : int
        Width of the random sign matrix ``R``.
    """

    feature_mean: torch.Tensor
    feature_scale: torch.Tensor

    def __init__(
        self,
        feature_dimension: int,
        embedding_dimension: int,
        anonymous_walk_length: int,
        walk_length: int,
        projection_dimension: int,
    ) -> None:
        super().__init__()
        d, hidden = embedding_dimension, 2 * embedding_dimension
        self.embedding_dimension = d
        self.anonymous_walk_length = anonymous_walk_length
        self.walk_length = walk_length
        self.projection_dimension = projection_dimension
        self.register_buffer("feature_mean", torch.zeros(feature_dimension))
        self.register_buffer("feature_scale", torch.ones(feature_dimension))
        self.identity_encoder = nn.Sequential(
            nn.Linear(feature_dimension, hidden), nn.ELU(), nn.Linear(hidden, d)
        )
        self.identity_decoder = nn.Sequential(
            nn.Linear(d, hidden), nn.ELU(), nn.Linear(hidden, feature_dimension)
        )
        self.project_random = nn.Linear(projection_dimension, d, bias=False)
        self.project_identity = nn.Linear(d, d)
        self.step_encoding = nn.Parameter(0.1 * torch.randn(walk_length, d))
        heads = 4 if d % 4 == 0 else 1
        self.attention = nn.TransformerEncoderLayer(
            d, heads, dim_feedforward=hidden, dropout=0.0, batch_first=True
        )
        self.pool_query = nn.Parameter(0.1 * torch.randn(d))
        self.position_out = nn.Linear(d, d)

    def transform(self, features: torch.Tensor) -> torch.Tensor:
        """Raw statistics with the walk shares replaced by their square roots (so Euclidean
        distance between rows of that block is the Hellinger distance between distributions)."""
        width = anonymous_walk_count(self.anonymous_walk_length)
        shares = features[:, :width].clamp(min=0).sqrt()
        return torch.cat([shares, features[:, width:]], dim=1)

    def standardise(self, features: torch.Tensor) -> torch.Tensor:
        """:meth:`transform`-ed statistics, centred and scaled as on the training graph."""
        return (self.transform(features) - self.feature_mean) / self.feature_scale

    def fit_scaling(self, features: torch.Tensor) -> None:
        """Set the centring and scaling from the training graph's statistics: column means;
        one common deviation for the walk-share block (rare shapes are not blown up), and each
        degree column's own deviation."""
        x = self.transform(features)
        width = anonymous_walk_count(self.anonymous_walk_length)
        std = x.std(dim=0, unbiased=False)
        scale = std.clone()
        scale[:width] = std[:width].square().mean().sqrt()
        self.feature_mean.copy_(x.mean(dim=0))
        self.feature_scale.copy_(scale.clamp(min=1e-3))

    def identity(self, features: torch.Tensor) -> torch.Tensor:
        """``z_id`` of each row of raw :func:`irwe_features` statistics."""
        return cast(torch.Tensor, self.identity_encoder(self.standardise(features)))

    def tokens(
        self, transition: torch.Tensor, stuck: torch.Tensor, z_id: torch.Tensor, signs: torch.Tensor
    ) -> list[torch.Tensor]:
        """Per walk step ``k``: ``[P^k R (centred, unit rows), P^k z_id]`` for every node."""
        r = signs
        h = nn.functional.normalize(z_id.detach(), dim=1)
        out = []
        for k in range(self.walk_length):
            if k:
                r = _step(transition, stuck, r)
                h = _step(transition, stuck, h)
            centred = nn.functional.normalize(r - r.mean(dim=0, keepdim=True), dim=1)
            out.append(torch.cat([centred, h], dim=1))
        return out

    def position(self, tokens: Sequence[torch.Tensor], rows: torch.Tensor) -> torch.Tensor:
        """``z_pos`` of the nodes ``rows`` from the step tokens of :meth:`tokens`."""
        r = self.projection_dimension
        seq = torch.stack([t[rows] for t in tokens], dim=1)  # [b, K + 1, r + d]
        x = self.project_random(seq[..., :r]) + self.project_identity(seq[..., r:])
        x = self.attention(x + self.step_encoding)
        weights = torch.softmax(x @ self.pool_query / math.sqrt(x.shape[-1]), dim=1)
        pooled = self.position_out((weights[..., None] * x).sum(dim=1))
        # a linear path from the mean projection over the walk steps (as FastRP would embed)
        walk = self.project_random(seq[:, 1:, :r].mean(dim=1))
        return cast(torch.Tensor, walk + pooled)


def build_irwe(
    feature_dimension: int,
    embedding_dimension: int,
    *,
    anonymous_walk_length: int,
    walk_length: int,
    projection_dimension: int = 128,
    seed: int = 0,
) -> IrweNet:
    """A freshly initialised :class:`IrweNet`, identical for a seed whatever the device.

    Parameters
    ----------
    feature_dimension : int
        Width of the statistics (``anonymous_walk_count(L) + L``).
    embedding_dimension : int
        Width of each embedding.
    anonymous_walk_length : int
        ``L``.
    walk_length : int
        Nodes per position walk.
    projection_dimension : int
        Width of the random projection.
    seed : int
        Seed of the initial weights (torch's global generator is left as it was).

    Returns
    -------
    IrweNet
        The untrained network, on the CPU.

    References
    ----------
    M. Qin and D.-Y. Yeung, "IRWE", arXiv:2401.00651.

    Examples
    --------
    >>> a = build_irwe(20, 8, anonymous_walk_length=4, walk_length=3, seed=1)
    >>> b = build_irwe(20, 8, anonymous_walk_length=4, walk_length=3, seed=1)
    >>> all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    True
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed & 0x7FFF_FFFF_FFFF_FFFF)
        return IrweNet(
            feature_dimension,
            embedding_dimension,
            anonymous_walk_length,
            walk_length,
            projection_dimension,
        )


def _signs(graph: Graph, width: int, seed: int) -> torch.Tensor:
    """``float32[n, width]`` of +-1, keyed by the nodes' Neo4j ids."""
    u = uniform(seed, graph.node_ids.to(graph.device), width)
    return (u < 0.5).to(torch.float32) * 2.0 - 1.0


@dataclass
class IrweReport:
    """What training did.

    Attributes
    ----------
    epochs : int
        Epochs run.
    loss : float
        Mean total loss of the last epoch.
    identity_loss : float
        Mean identity (reconstruction) loss of the last epoch.
    position_loss : float
        Mean position (skip-gram) loss of the last epoch.
    train_millis : int
        Training time in milliseconds (statistics included).
    """

    epochs: int
    loss: float
    identity_loss: float
    position_loss: float
    train_millis: int


def _check_training(
    embedding_dimension: int,
    projection_dimension: int,
    walk_length: int,
    epochs: int,
    batch_size: int,
    negatives: int,
) -> None:
    for name, value, low in (
        ("embedding_dimension", embedding_dimension, 1),
        ("projection_dimension", projection_dimension, 1),
        ("walk_length", walk_length, 2),
        ("epochs", epochs, 1),
        ("batch_size", batch_size, 1),
        ("negative_sampling_rate", negatives, 1),
    ):
        if value < low:
            raise ParameterError(name, f"must be at least {low}, got {value}")


def train_irwe(
    graph: Graph,
    *,
    embedding_dimension: int = 64,
    anonymous_walk_length: int = 5,
    walks_per_node: int = 100,
    walk_length: int = 10,
    projection_dimension: int = 128,
    epochs: int = 30,
    batch_size: int = 512,
    learning_rate: float = 0.005,
    negative_sampling_rate: int = 5,
    weighted: bool = False,
    random_seed: int = 0,
) -> tuple[IrweNet, IrweReport]:
    """Train IRWE on ``graph``: identity and position encoders, jointly.

    The statistics (:func:`irwe_features`, ``walks_per_node`` walks per node) are computed once
    as the reconstruction target; their column means and deviations are stored in the model.
    Each epoch redraws the random projection ``R``, a second estimate of the statistics (the
    encoder's input) and ``2`` position walks of ``walk_length`` nodes per node, shuffles the
    nodes into batches of ``batch_size`` and takes one Adam step per batch on ``identity loss +
    position loss`` of the batch's nodes (module docs): the error of reconstructing their
    target statistics from the fresh estimate, and skip-gram with ``negative_sampling_rate``
    negatives (drawn from ``degree ** 0.75``) on the pairs (start, node at step ``k``) of their
    walks.

    Parameters
    ----------
    graph : Graph
        The training graph.
    embedding_dimension : int
        Width of each embedding.
    anonymous_walk_length : int
        Nodes per anonymous walk of the identity statistics.
    walks_per_node : int
        Walks per node for the identity statistics.
    walk_length : int
        Nodes per position walk, ``>= 2``; also the number of step tokens.
    projection_dimension : int
        Width of the random projection.
    epochs : int
        Passes over the nodes.
    batch_size : int
        Nodes per Adam step.
    learning_rate : float
        Adam's learning rate.
    negative_sampling_rate : int
        Negatives per positive pair.
    weighted : bool
        Walk in proportion to the relationship weights.
    random_seed : int
        Seed of the weights, walks, projections and negatives.

    Returns
    -------
    tuple
        ``(model, report)``: the trained :class:`IrweNet` (on the graph's device) and an
        :class:`IrweReport`.

    Raises
    ------
    ParameterError
        A parameter out of range.

    References
    ----------
    M. Qin and D.-Y. Yeung, "IRWE: Inductive Random Walk for Joint Inference of Identity and
    Position Network Embedding", arXiv:2401.00651.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2, 3, 4, 5], [1, 2, 0, 4, 5, 3], orientation="UNDIRECTED")
    >>> model, report = train_irwe(g, embedding_dimension=8, anonymous_walk_length=3,
    ...                            walks_per_node=20, walk_length=3, projection_dimension=8,
    ...                            epochs=2, random_seed=7)
    >>> report.epochs, irwe_embed(model, g, embedding_type="BOTH").shape
    (2, torch.Size([6, 16]))
    """
    started = time.perf_counter()
    _check_training(
        embedding_dimension,
        projection_dimension,
        walk_length,
        epochs,
        batch_size,
        negative_sampling_rate,
    )
    n, device = graph.num_nodes, graph.device
    features = irwe_features(
        graph,
        anonymous_walk_length=anonymous_walk_length,
        walks_per_node=walks_per_node,
        weighted=weighted,
        random_seed=random_seed,
    )
    model = build_irwe(
        features.shape[1],
        embedding_dimension,
        anonymous_walk_length=anonymous_walk_length,
        walk_length=walk_length,
        projection_dimension=projection_dimension,
        seed=random_seed,
    ).to(device)
    if n == 0:
        return model, IrweReport(0, 0.0, 0.0, 0.0, 0)
    model.fit_scaling(features)
    target = model.standardise(features)
    aw_width = anonymous_walk_count(anonymous_walk_length)
    opt = torch.optim.Adam(model.parameters(), lr=learning_rate)
    deg = graph.out_degree().to(torch.float64)
    neg_cum = torch.cumsum((deg + 1e-12) ** 0.75, 0)
    neg_cum = neg_cum / neg_cum[-1]
    transition = _transition(graph, weighted)
    stuck = (deg == 0).to(torch.float32)
    ids = torch.arange(n, device=device)
    totals = (0.0, 0.0, 0.0)
    ran = 0
    for epoch in range(epochs):
        checkpoint()
        ran = epoch + 1
        es = mix_seed(random_seed ^ (104729 * (epoch + 1)))
        signs = _signs(graph, projection_dimension, es)
        # a fresh estimate of the statistics as input, the first one as target: the encoder
        # learns to ignore their sampling noise (a denoising autoencoder)
        noisy = irwe_features(
            graph,
            anonymous_walk_length=anonymous_walk_length,
            walks_per_node=walks_per_node,
            weighted=weighted,
            random_seed=mix_seed(es ^ 0xA5),
        )
        walks = _fill_stopped(
            random_walks(
                graph,
                walk_length=walk_length,
                walks_per_node=_POSITION_WALKS,
                weighted=weighted,
                random_seed=es,
                walker_ids=_walker_keys(graph, _POSITION_WALKS, 1),
            )
        ).reshape(_POSITION_WALKS, n, walk_length)
        order = torch.argsort(uniform(es ^ 3, ids, 1)[:, 0])
        sums = [0.0, 0.0, 0.0]
        batches = 0
        for b0 in range(0, n, batch_size):
            checkpoint()
            batch = order[b0 : b0 + batch_size]
            pairs = walks[:, batch, :]  # [walks, b, L]
            src = pairs[:, :, :1].expand(-1, -1, walk_length - 1).reshape(-1)
            pos = pairs[:, :, 1:].reshape(-1)
            key = torch.arange(src.numel(), device=device) + b0 * 1_000_003
            u = uniform(es ^ 5, key, negative_sampling_rate).to(neg_cum.dtype)
            neg = torch.searchsorted(neg_cum, u).clamp(max=n - 1)
            rows, inverse = torch.unique(
                torch.cat([batch, src, pos, neg.reshape(-1)]), return_inverse=True
            )
            z_id = model.identity(noisy)
            z_pos = model.position(model.tokens(transition, stuck, z_id, signs), rows)
            at = inverse[batch.numel() :]
            zs = z_pos[at[: src.numel()]]
            zp = z_pos[at[src.numel() : 2 * src.numel()]]
            zn = z_pos[at[2 * src.numel() :]].reshape(src.numel(), negative_sampling_rate, -1)
            pos_score = (zs * zp).sum(-1)
            neg_score = torch.einsum("pd,pkd->pk", zs, zn)
            position_loss = (
                -nn.functional.logsigmoid(pos_score) - nn.functional.logsigmoid(-neg_score).sum(-1)
            ).mean()
            error = (model.identity_decoder(z_id[batch]) - target[batch]) ** 2
            # the two blocks weigh the same, however many walk shapes there are
            identity_loss = error[:, :aw_width].mean() + error[:, aw_width:].mean()
            loss = identity_loss + position_loss
            opt.zero_grad()
            loss.backward()
            opt.step()
            sums[0] += float(loss.detach())
            sums[1] += float(identity_loss.detach())
            sums[2] += float(position_loss.detach())
            batches += 1
        totals = (sums[0] / batches, sums[1] / batches, sums[2] / batches)
    millis = int((time.perf_counter() - started) * 1000)
    return model.eval(), IrweReport(ran, totals[0], totals[1], totals[2], millis)


@torch.no_grad()
def irwe_embed(
    model: IrweNet,
    graph: Graph,
    *,
    embedding_type: str = "BOTH",
    walks_per_node: int = 100,
    weighted: bool = False,
    random_seed: int = 0,
) -> torch.Tensor:
    """Embed every node of ``graph`` (any graph: IRWE is inductive) with a trained model.

    The identity statistics are recomputed on ``graph`` (:func:`irwe_features` with the model's
    anonymous walk length) and the random projection is drawn from ``random_seed`` and each
    node's Neo4j id, so a node keeps its ``R`` row when other nodes join the projection. Each
    embedding is L2-normalised.

    Parameters
    ----------
    model : IrweNet
        A trained (or freshly built) model; it is moved to the graph's device.
    graph : Graph
        The graph to embed, which need not be the training graph.
    embedding_type : str
        ``'IDENTITY'`` (``d`` columns), ``'POSITION'`` (``d``) or ``'BOTH'`` (``2d``: identity,
        then position).
    walks_per_node : int
        Walks per node for the identity statistics.
    weighted : bool
        Walk in proportion to the relationship weights.
    random_seed : int
        Seed of the walks and of the random projection.

    Returns
    -------
    torch.Tensor
        ``float32[n, d]`` or ``float32[n, 2d]``.

    Raises
    ------
    ParameterError
        An unknown ``embedding_type`` or ``walks_per_node < 1``.

    References
    ----------
    M. Qin and D.-Y. Yeung, "IRWE: Inductive Random Walk for Joint Inference of Identity and
    Position Network Embedding", arXiv:2401.00651.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2, 3], [1, 2, 3, 0], orientation="UNDIRECTED")  # a 4-cycle
    >>> model = build_irwe(anonymous_walk_count(3) + 3, 8, anonymous_walk_length=3,
    ...                    walk_length=3, projection_dimension=8)
    >>> z = irwe_embed(model, g, embedding_type="IDENTITY", walks_per_node=4000)
    >>> z.shape, bool(torch.cdist(z, z).max() < 0.05)  # every node of a cycle: one role
    (torch.Size([4, 8]), True)
    """
    if embedding_type not in EMBEDDING_TYPES:
        raise ParameterError("embedding_type", f"must be one of {EMBEDDING_TYPES}")
    model = model.to(graph.device).eval()
    d = model.embedding_dimension
    n = graph.num_nodes
    width = 2 * d if embedding_type == "BOTH" else d
    if n == 0:
        return torch.zeros(0, width, device=graph.device)
    features = irwe_features(
        graph,
        anonymous_walk_length=model.anonymous_walk_length,
        walks_per_node=walks_per_node,
        weighted=weighted,
        random_seed=random_seed,
    )
    z_id = model.identity(features)
    parts = []
    if embedding_type in ("IDENTITY", "BOTH"):
        parts.append(nn.functional.normalize(z_id, dim=1))
    if embedding_type in ("POSITION", "BOTH"):
        transition = _transition(graph, weighted)
        stuck = (graph.out_degree() == 0).to(torch.float32)
        signs = _signs(graph, model.projection_dimension, mix_seed(random_seed ^ 0x1D))
        tokens = model.tokens(transition, stuck, z_id, signs)
        z_pos = torch.cat(
            [
                model.position(tokens, torch.arange(s, min(s + 4096, n), device=graph.device))
                for s in range(0, n, 4096)
            ]
        )
        parts.append(nn.functional.normalize(z_pos, dim=1))
    return torch.cat(parts, dim=1).detach()
