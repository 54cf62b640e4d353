"""GNN link prediction: the models, their training and scoring.

Every model is a :class:`~neo4j_gml.algorithms.linkpred.layers.LinkPredictor` (``encode`` the
nodes once, then ``score`` pairs), built by name with :func:`build_link_model`:

- ``NCN`` (Wang, Yang and Zhang, "Neural Common Neighbor with Completion for Link Prediction",
  ICLR 2024): a GCN or GraphSAGE encoder, then ``MLP([h_i * h_j || sum over k in N(i) & N(j) of
  h_k])``: the element-wise product of the ends next to the sum of the common neighbours'
  representations;
- ``NCNC`` (same paper): NCN whose common-neighbour sum also counts the *probable* common
  neighbours: each ``k`` in ``N(i) - N(j)`` weighted by NCN's own predicted probability of the
  missing link ``j -- k``, and each ``k`` in ``N(j) - N(i)`` by that of ``i -- k``
  (:class:`NCNCDecoder`);
- ``GAE``: the same encoder and ``h_i . h_j`` (the plain graph auto-encoder, the baseline);
- ``SEAL`` (:mod:`~neo4j_gml.algorithms.linkpred.seal`) and ``PSGNN``
  (:mod:`~neo4j_gml.algorithms.linkpred.psgnn`).

Training follows the NCN recipe for all of them: binary cross-entropy on the training edges
against uniformly sampled pairs, and the batch's own edges removed from the message-passing
graph while they are its targets ("target link removal"), so the model never sees an edge while
predicting it.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Any, cast

import torch
from torch import nn
from torch.nn import functional as F

from neo4j_gml.algorithms.linkpred import adjacency
from neo4j_gml.algorithms.linkpred.adjacency import (
    Adjacency,
    common_neighbors,
    residual_neighbors,
)
from neo4j_gml.algorithms.linkpred.layers import Encoder, LinkPredictor, propagation_matrix
from neo4j_gml.algorithms.linkpred.metrics import evaluate, hits_at_k
from neo4j_gml.algorithms.linkpred.psgnn import PsgnnModel
from neo4j_gml.algorithms.linkpred.seal import SealModel
from neo4j_gml.algorithms.linkpred.split import EdgeSplit
from neo4j_gml.core.cancellation import checkpoint

__all__ = [
    "DECODERS",
    "DEFAULTS",
    "ENCODERS",
    "MODELS",
    "MODEL_DEFAULTS",
    "DotDecoder",
    "Encoder",
    "LinkModel",
    "LinkPredictor",
    "CommonNeighborDecoder",
    "NCNCDecoder",
    "NCNDecoder",
    "TrainReport",
    "build_link_model",
    "predict_logits",
    "propagation_matrix",
    "train_link_model",
]

ENCODERS = ("GCN", "SAGE")
DECODERS = ("NCN", "NCNC", "DOT")
MODELS = ("NCN", "NCNC", "GAE", "SEAL", "PSGNN")
# The training settings of linkPrediction.gnn.train when not given (keys: the config's
# attribute names), and where a model's own defaults differ: SEAL's GNN reads small subgraphs
# (the authors' 32-64 wide, 3 layers) in small batches.
DEFAULTS: dict[str, Any] = {
    "hidden_dimension": 256,
    "layers": 1,
    "dropout": 0.05,
    "input_dropout": 0.7,
    "epochs": 100,
    "batch_size": 1152,
    "learning_rate": 0.003,
    "output_dropout": 0.0,
}
MODEL_DEFAULTS: dict[str, dict[str, Any]] = {
    # the NCNC authors' Cora setting (their tdp)
    "NCNC": {"output_dropout": 0.3},
    "SEAL": {
        "hidden_dimension": 64,
        "layers": 3,
        "dropout": 0.5,
        "input_dropout": 0.5,
        "epochs": 50,
        "batch_size": 128,
        "learning_rate": 0.002,
        "output_dropout": 0.0,
    },
}


def _mlp(dims: list[int], dropout: float) -> nn.Sequential:
    """Linear layers through ``dims``, with LayerNorm, ReLU and dropout between them."""
    blocks: list[nn.Module] = []
    for i in range(len(dims) - 2):
        blocks += [
            nn.Linear(dims[i], dims[i + 1]),
            nn.LayerNorm(dims[i + 1]),
            nn.ReLU(),
            nn.Dropout(dropout),
        ]
    blocks.append(nn.Linear(dims[-2], dims[-1]))
    return nn.Sequential(*blocks)


def _tail_relu_mlp(hidden: int, layers: int, dropout: float) -> nn.Sequential:
    """``layers`` square linear layers, each followed by dropout and ReLU (LayerNorm before the
    last ReLU): the branch MLPs of the NCNC authors' predictor (``tailact``)."""
    blocks: list[nn.Module] = []
    for i in range(layers):
        blocks.append(nn.Linear(hidden, hidden))
        if i == layers - 1:
            blocks.append(nn.LayerNorm(hidden))
        blocks += [nn.Dropout(dropout), nn.ReLU()]
    return nn.Sequential(*blocks)


class CommonNeighborDecoder(nn.Module):
    """A decoder that reads a pair's ends and the sum of its common neighbours' ``h``.

    Subclasses define :meth:`head`, the logit of ``(h_a, h_b, neighbour sum)``.
    """

    def common_sum(
        self, h: torch.Tensor, adj: Adjacency, a: torch.Tensor, b: torch.Tensor
    ) -> torch.Tensor:
        """``float32[p, hidden]``: the sum of ``h`` over the common neighbours of each pair."""
        pair, node = common_neighbors(adj, a, b)
        cn = torch.zeros(a.numel(), h.shape[1], dtype=h.dtype, device=h.device)
        return cn.index_add(0, pair, h[node])

    def head(
        self, h: torch.Tensor, a: torch.Tensor, b: torch.Tensor, cn: torch.Tensor
    ) -> torch.Tensor:
        """``float32[p]``: the logit of each pair from its ends and its neighbour sum ``cn``."""
        raise NotImplementedError

    def forward(
        self, h: torch.Tensor, adj: Adjacency, a: torch.Tensor, b: torch.Tensor
    ) -> torch.Tensor:
        """``float32[p]``: the logit of each pair ``(a[i], b[i])`` from the representations ``h``;
        common neighbours are taken in ``adj``.
        """
        return self.head(h, a, b, self.common_sum(h, adj, a, b))


class NCNDecoder(CommonNeighborDecoder):
    """``MLP([h_i * h_j || sum of common neighbours' h])`` with ``mlp_layers`` layers.

    Parameters
    ----------
    hidden : int
        Width of the node representations (the MLP takes ``2 * hidden`` inputs).
    mlp_layers : int
        Linear layers of the MLP (LayerNorm, ReLU and dropout between them).
    dropout : float
        Dropout between the MLP's layers.
    """

    def __init__(self, hidden: int, mlp_layers: int, dropout: float) -> None:
        super().__init__()
        self.mlp = _mlp([2 * hidden] + [hidden] * (mlp_layers - 1) + [1], dropout)

    def head(
        self, h: torch.Tensor, a: torch.Tensor, b: torch.Tensor, cn: torch.Tensor
    ) -> torch.Tensor:
        """``float32[p]``: the MLP's logit of ``[h_a * h_b || cn]``."""
        return cast(torch.Tensor, self.mlp(torch.cat([h[a] * h[b], cn], dim=1))).squeeze(-1)


def _sample_per_pair(
    pair: torch.Tensor, limit: int, generator: torch.Generator | None
) -> torch.Tensor:
    """``bool`` mask keeping at most ``limit`` uniformly chosen entries of each ``pair`` value."""
    if pair.numel() == 0:
        return torch.ones(0, dtype=torch.bool, device=pair.device)
    counts = torch.bincount(pair)
    if int(counts.max()) <= limit:
        return torch.ones(pair.numel(), dtype=torch.bool, device=pair.device)
    noise = torch.rand(pair.numel(), generator=generator, device=pair.device, dtype=torch.float64)
    order = torch.argsort(pair.to(torch.float64) + noise)
    sorted_pair = pair[order]
    starts = torch.cumsum(counts, 0) - counts
    rank = torch.arange(pair.numel(), device=pair.device) - starts[sorted_pair]
    keep = torch.zeros(pair.numel(), dtype=torch.bool, device=pair.device)
    keep[order[rank < limit]] = True
    return keep


class NCNCDecoder(CommonNeighborDecoder):
    """NCN with common-neighbour completion (NCNC), with the authors' predictor.

    A pair's neighbour sum adds, over its common neighbours ``k``, ``g(h_k)`` with
    ``g(h) = h + MLP(h)`` (the authors' ``xlin``), and over each residual neighbour ``k`` of one
    end (``k`` in ``N(i) - N(j)`` or ``N(j) - N(i)``) ``w * g(h_k)``, ``w`` of the probability
    that the missing link from ``k`` to the other end exists, as this decoder without
    completion predicts it from the same representations (under ``torch.no_grad``):
    ``p0 = sigmoid(scale * (logit - offset))``, ``w = alpha * pt * p0 / (pt * p0 + 1 - p0)``.
    The pair's logit is ``MLP(beta * MLP_cn(sum) + MLP_ij(h_i * h_j))``, the two branch MLPs
    ending in ReLU and ``beta`` learned (the authors' ``incn1cn1`` predictor with ``use_xlin``
    and ``tailact``). On large graphs at most ``train_residuals`` (training) or
    ``test_residuals`` (evaluation) residual neighbours per end can be sampled, uniformly
    (``None``: all, the paper's setting for the Planetoid graphs). ``completing = False`` turns
    the completion off (NCN with this decoder's weights), for a warm start.

    Parameters
    ----------
    hidden : int
        Width of the node representations.
    mlp_layers : int
        Linear layers from ``h_i * h_j`` to the logit: one in the pair branch, the rest in the
        final MLP (at least one).
    dropout : float
        Dropout in the MLPs.
    pt, scale, offset, alpha : float
        The completion weight above (the paper's ``pt``, ``probscale``, ``proboffset``,
        ``alpha``).
    train_residuals, test_residuals : int or None
        Residual neighbours sampled per end of a pair in training and in evaluation (``None``:
        all).

    References
    ----------
    X. Wang, H. Yang, M. Zhang, "Neural common neighbor with completion for link prediction",
    ICLR 2024, section 5 (equation 8).
    """

    def __init__(
        self,
        hidden: int,
        mlp_layers: int,
        dropout: float,
        *,
        pt: float = 0.75,
        scale: float = 4.3,
        offset: float = 2.8,
        alpha: float = 1.0,
        train_residuals: int | None = None,
        test_residuals: int | None = None,
    ) -> None:
        super().__init__()
        self.neighbor_lin = _tail_relu_mlp(hidden, 2, dropout)
        self.neighbor_mlp = _tail_relu_mlp(hidden, 2, dropout)
        self.pair_mlp = _tail_relu_mlp(hidden, 1, dropout)
        self.mlp = _mlp([hidden] * max(mlp_layers - 1, 1) + [1], dropout)
        self.beta = nn.Parameter(torch.ones(1))
        self.completing = True
        self.pt, self.scale, self.offset, self.alpha = pt, scale, offset, alpha
        self.train_residuals, self.test_residuals = train_residuals, test_residuals

    def neighbor_features(self, h: torch.Tensor) -> torch.Tensor:
        """``g(h) = h + MLP(h)``: what a neighbour contributes to a pair's sum."""
        return h + cast(torch.Tensor, self.neighbor_lin(h))

    def head(
        self, h: torch.Tensor, a: torch.Tensor, b: torch.Tensor, cn: torch.Tensor
    ) -> torch.Tensor:
        """``float32[p]``: ``MLP(beta * MLP_cn(cn) + MLP_ij(h_a * h_b))``."""
        mixed = self.neighbor_mlp(cn) * self.beta + self.pair_mlp(h[a] * h[b])
        return cast(torch.Tensor, self.mlp(mixed)).squeeze(-1)

    def completion_weight(self, logit: torch.Tensor) -> torch.Tensor:
        """``w`` of the predicted logits of the missing links (see the class docstring)."""
        p0 = torch.sigmoid(self.scale * (logit - self.offset))
        return self.alpha * self.pt * p0 / (self.pt * p0 + 1.0 - p0)

    def forward(
        self, h: torch.Tensor, adj: Adjacency, a: torch.Tensor, b: torch.Tensor
    ) -> torch.Tensor:
        """``float32[p]``: the NCNC logit of each pair ``(a[i], b[i])`` (the logit without
        completion while :attr:`completing` is off)."""
        g = self.neighbor_features(h)
        cn = self.common_sum(g, adj, a, b)
        if not self.completing:
            return self.head(h, a, b, cn)
        limit = self.train_residuals if self.training else self.test_residuals
        # evaluation samples with a fixed seed, so that a prediction is reproducible
        gen = None
        if not self.training and limit is not None:
            gen = torch.Generator(device=h.device).manual_seed(0)
        for near, far in ((a, b), (b, a)):
            pair, node = residual_neighbors(adj, near, far)
            if limit is not None:
                keep = _sample_per_pair(pair, limit, gen)
                pair, node = pair[keep], node[keep]
            with torch.no_grad():  # the missing link's logit without completion
                other, known = far[pair], node
                logit = self.head(h, other, known, self.common_sum(g, adj, other, known))
                w = self.completion_weight(logit)
            cn = cn.index_add(0, pair, w.unsqueeze(1) * g[node])
        return self.head(h, a, b, cn)


class DotDecoder(nn.Module):
    """The plain graph auto-encoder decoder: the logit of a pair is ``h_i . h_j``."""

    def forward(
        self, h: torch.Tensor, adj: Adjacency, a: torch.Tensor, b: torch.Tensor
    ) -> torch.Tensor:
        """``float32[p]``: ``h[a[i]] . h[b[i]]`` for each pair (``adj`` is not used)."""
        return (h[a] * h[b]).sum(-1)


class LinkModel(LinkPredictor):
    """Encoder plus decoder: :meth:`encode` then :meth:`score` give a logit per pair.

    Parameters
    ----------
    in_dim : int
        Number of input features.
    hidden : int
        Width of the encoder's layers.
    layers : int
        Encoder layers.
    encoder : str
        One of :data:`ENCODERS`.
    decoder : str
        One of :data:`DECODERS`.
    mlp_layers : int
        Layers of the NCN decoder's MLP.
    dropout : float
        Dropout in the decoder's MLP, and in the encoder unless ``encoder_dropout`` is given.
    input_dropout : float
        Dropout on the input features.
    encoder_dropout : float or None
        Dropout on the encoder's transformed features before propagation
        (:class:`~neo4j_gml.algorithms.linkpred.layers.Encoder`); ``None``: ``dropout``.
    output_dropout : float
        Dropout on the encoder's output (the authors' ``tdp``).
    **completion
        Keyword arguments of :class:`NCNCDecoder` (``pt``, ``scale``, ``offset``, ``alpha``,
        ``train_residuals``, ``test_residuals``) for the ``NCNC`` decoder.

    Raises
    ------
    ValueError
        An unknown encoder or decoder.

    Examples
    --------
    >>> from neo4j_gml.algorithms.linkpred.adjacency import from_edges
    >>> adj = from_edges(torch.tensor([0, 0, 1, 2]), torch.tensor([1, 2, 2, 3]), 4)
    >>> model = LinkModel(2, hidden=8, encoder="SAGE", decoder="DOT").eval()
    >>> h = model.encode(torch.ones(4, 2), adj)
    >>> h.shape, model.score(h, adj, torch.tensor([0, 1]), torch.tensor([3, 3])).shape
    (torch.Size([4, 8]), torch.Size([2]))
    """

    def __init__(
        self,
        in_dim: int,
        *,
        hidden: int = 256,
        layers: int = 1,
        encoder: str = "GCN",
        decoder: str = "NCN",
        mlp_layers: int = 3,
        dropout: float = 0.05,
        input_dropout: float = 0.7,
        encoder_dropout: float | None = None,
        output_dropout: float = 0.0,
        **completion: Any,
    ) -> None:
        super().__init__()
        if encoder not in ENCODERS or decoder not in DECODERS:
            raise ValueError(f"encoder must be one of {ENCODERS}, decoder one of {DECODERS}")
        enc_dropout = dropout if encoder_dropout is None else encoder_dropout
        self.encoder = Encoder(
            in_dim, hidden, layers, encoder, enc_dropout, input_dropout, output_dropout
        )
        self.decoder: nn.Module
        if decoder == "NCNC":
            self.decoder = NCNCDecoder(hidden, mlp_layers, dropout, **completion)
        elif decoder == "NCN":
            self.decoder = NCNDecoder(hidden, mlp_layers, dropout)
        else:
            self.decoder = DotDecoder()

    def encode(self, x: torch.Tensor, adj: Adjacency) -> torch.Tensor:
        """Node representations ``float32[n, hidden]``: the encoder applied to the features ``x``
        (``float[n, in_dim]``, dense or sparse COO) with messages passed over ``adj``.

        For a prediction, ``adj`` is the graph the model may see (the training edges while
        training, with the batch's own target edges removed).
        """
        return cast(torch.Tensor, self.encoder(x, propagation_matrix(adj, self.encoder.conv)))

    def score(
        self, h: torch.Tensor, adj: Adjacency, a: torch.Tensor, b: torch.Tensor
    ) -> torch.Tensor:
        """``float32[p]``: the logit that ``a[i]`` and ``b[i]`` are linked, for each pair.

        ``h`` comes from :meth:`encode`; ``adj`` gives the NCN decoder the common neighbours (the
        DOT decoder does not use it). ``torch.sigmoid`` of a logit is the link probability.
        """
        return cast(torch.Tensor, self.decoder(h, adj, a, b))


def build_link_model(model: str, in_dim: int, **params: Any) -> LinkPredictor:
    """The untrained link model named ``model`` (one of :data:`MODELS`).

    Parameters
    ----------
    model : str
        ``NCN``, ``NCNC`` or ``GAE`` (a :class:`LinkModel` with that decoder, ``GAE`` meaning the
        dot product), ``SEAL`` (:class:`~neo4j_gml.algorithms.linkpred.seal.SealModel`) or
        ``PSGNN`` (:class:`~neo4j_gml.algorithms.linkpred.psgnn.PsgnnModel`).
    in_dim : int
        Number of input features.
    **params
        The model's keyword arguments (``hidden``, ``layers``, ``dropout``, ...); ``encoder`` is
        PSGNN's backbone, and SEAL has neither it nor ``mlp_layers``.

    Returns
    -------
    LinkPredictor
        The model, in training mode.

    Raises
    ------
    ValueError
        An unknown model.

    References
    ----------
    X. Wang, H. Yang, M. Zhang, "Neural common neighbor with completion for link prediction",
    ICLR 2024; M. Zhang and Y. Chen, "Link prediction based on graph neural networks", NeurIPS
    2018; Z. Qin et al., "Position-sensing graph neural networks: proactively learning nodes
    relative positions", arXiv 2105.11346 (2021).

    Examples
    --------
    >>> type(build_link_model("GAE", 4, hidden=8)).__name__
    'LinkModel'
    """
    if model in ("NCN", "NCNC", "GAE"):
        return LinkModel(in_dim, decoder="DOT" if model == "GAE" else model, **params)
    encoder = params.pop("encoder", "GCN")
    params.pop("mlp_layers", None)
    if model == "SEAL":  # SEAL's GNN has one dropout
        params.pop("encoder_dropout", None)
        params.pop("output_dropout", None)
        return SealModel(in_dim, **params)
    if model == "PSGNN":
        return PsgnnModel(in_dim, backbone=encoder, **params)
    raise ValueError(f"model must be one of {MODELS}, not {model!r}")


@torch.no_grad()
def predict_logits(
    model: LinkPredictor,
    x: torch.Tensor,
    adj: Adjacency,
    a: torch.Tensor,
    b: torch.Tensor,
    *,
    batch_size: int = 65536,
    h: torch.Tensor | None = None,
) -> torch.Tensor:
    """Logits of the pairs ``(a[i], b[i])`` with message passing over ``adj`` (eval mode).

    Parameters
    ----------
    model : LinkPredictor
        A trained model; it is put in eval mode.
    x : torch.Tensor
        ``float[n, in_dim]`` node features.
    adj : Adjacency
        The graph messages pass over.
    a, b : torch.Tensor
        ``int64[p]`` node positions of the pairs.
    batch_size : int
        Pairs scored at once.
    h : torch.Tensor or None
        Node representations from the model's ``encode``, to skip encoding again.

    Returns
    -------
    torch.Tensor
        ``float32[p]`` logits, without gradients.

    References
    ----------
    X. Wang, H. Yang, M. Zhang, "Neural common neighbor with completion for link prediction",
    ICLR 2024.

    Examples
    --------
    >>> from neo4j_gml.algorithms.linkpred.adjacency import from_edges
    >>> adj = from_edges(torch.tensor([0, 0, 1, 2]), torch.tensor([1, 2, 2, 3]), 4)
    >>> model = LinkModel(2, hidden=8)
    >>> a, b = torch.tensor([0, 1]), torch.tensor([3, 3])
    >>> predict_logits(model, torch.ones(4, 2), adj, a, b).shape
    torch.Size([2])
    """
    model.eval()
    if h is None:
        h = model.encode(x, adj)
    out = [
        model.score(h, adj, a[i : i + batch_size], b[i : i + batch_size])
        for i in range(0, a.numel(), batch_size)
    ]
    return torch.cat(out) if out else torch.zeros(0, device=x.device)


@dataclass
class TrainReport:
    """What link-model training did and how well the model ranks held-out edges.

    Attributes
    ----------
    epochs : int
        Epochs (or full-batch steps) run.
    best_epoch : int
        The epoch whose model was kept (best validation HR@k).
    loss : float
        Training loss of the last epoch.
    validation : dict of str to float
        ``aucRoc``, ``aucPr``, ``hitsAtK`` and ``mrr`` on the validation edges (empty without).
    test : dict of str to float
        The same metrics on the test edges.
    train_millis : int
        Training time in milliseconds.
    """

    epochs: int = 0
    best_epoch: int = 0
    loss: float = float("nan")
    validation: dict[str, float] = field(default_factory=dict)
    test: dict[str, float] = field(default_factory=dict)
    train_millis: int = 0


def train_link_model(
    x: torch.Tensor,
    split: EdgeSplit,
    *,
    model: str = "NCN",
    hidden: int = 256,
    layers: int = 1,
    encoder: str = "GCN",
    mlp_layers: int = 3,
    dropout: float = 0.05,
    input_dropout: float = 0.7,
    encoder_dropout: float | None = None,
    output_dropout: float = 0.0,
    options: dict[str, Any] | None = None,
    epochs: int = 100,
    warmup_epochs: int | None = None,
    batch_size: int = 1152,
    learning_rate: float = 0.003,
    eval_every: int = 5,
    k: int = 100,
    seed: int = 0,
) -> tuple[LinkPredictor, TrainReport]:
    """Train a link model on ``split.train`` and report validation and test metrics.

    Each epoch shuffles the training edges into batches; a batch's loss is the binary
    cross-entropy of its edges (positives, removed from the message-passing graph for that step)
    against as many uniform random pairs. Every ``eval_every`` epochs HR@``k`` on the validation
    edges is measured and the best model kept (the last one without validation edges). The
    returned model is in eval mode; ``report.test`` holds AUC-ROC, AUC-PR, HR@k and MRR on the
    test edges against the test negatives, with message passing over the training edges.

    Parameters
    ----------
    x : torch.Tensor
        ``float[n, f]`` node features (dense or sparse COO), on the device to train on.
    split : EdgeSplit
        Train, validation and test edges with their negatives.
    model : str
        One of :data:`MODELS` (see :func:`build_link_model`).
    hidden, layers, encoder, mlp_layers, dropout, input_dropout, encoder_dropout, output_dropout
        The architecture (``encoder``, ``mlp_layers`` and the encoder's dropouts where the
        model has them; see :class:`LinkModel`).
    options : dict or None
        The model's own keyword arguments (e.g. NCNC's ``pt``, SEAL's ``hops``).
    epochs : int
        Passes over the training edges.
    warmup_epochs : int or None
        NCNC only: the first epochs train without completion (as NCN, a warm start), and the
        kept model is chosen among the later ones; ``None`` or 0: completion from the first
        epoch, as the authors train NCNC on the Planetoid graphs. Other models ignore it.
    batch_size : int
        Training edges per step.
    learning_rate : float
        Adam's learning rate.
    eval_every : int
        Epochs between validation checks.
    k : int
        ``K`` of HR@K.
    seed : int
        Seed of the weights, the batches and the random negatives.

    Returns
    -------
    tuple
        ``(model, report)``: the kept model (eval mode) and a :class:`TrainReport`.

    Notes
    -----
    Complexity per epoch: ``O(L * m * d + m * (d^2 + c * d))`` for ``L`` layers, ``m`` training
    edges, width ``d`` and ``c`` common neighbours per pair on average.

    References
    ----------
    X. Wang, H. Yang, M. Zhang, "Neural common neighbor with completion for link prediction",
    ICLR 2024.

    Examples
    --------
    >>> from neo4j_gml.algorithms.linkpred.adjacency import from_edges
    >>> from neo4j_gml.algorithms.linkpred.split import split_edges
    >>> ring = torch.arange(10)
    >>> adj = from_edges(torch.cat([ring, torch.tensor([0, 2, 4])]),
    ...                  torch.cat([(ring + 1) % 10, torch.tensor([5, 7, 9])]), 10)
    >>> split = split_edges(adj, test_fraction=0.2, validation_fraction=0.2, seed=0)
    >>> model, report = train_link_model(torch.eye(10), split, hidden=8, epochs=2, batch_size=8,
    ...                                  k=2)
    >>> report.epochs, sorted(report.test)
    (2, ['aucPr', 'aucRoc', 'hitsAtK', 'mrr'])
    """
    started = time.perf_counter()
    device = x.device
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed + 1)
    n = split.num_nodes
    params: dict[str, Any] = {
        "hidden": hidden,
        "layers": layers,
        "dropout": dropout,
        "input_dropout": input_dropout,
        "encoder_dropout": encoder_dropout,
        "output_dropout": output_dropout,
        "encoder": encoder,
        "mlp_layers": mlp_layers,
        **(options or {}),
    }
    net = build_link_model(model, x.shape[1], **params).to(device)
    opt = torch.optim.Adam(net.parameters(), lr=learning_rate)
    train = split.train.to(device)
    m = train.shape[1]
    full_adj = adjacency.from_edges(train[0], train[1], n)
    report = TrainReport()
    best_hits, best_state = -1.0, None
    warmup = 0
    if isinstance(net, LinkModel) and isinstance(net.decoder, NCNCDecoder):
        warmup = min(warmup_epochs or 0, epochs - 1)
    for epoch in range(1, epochs + 1):
        checkpoint()
        if warmup:
            cast(NCNCDecoder, cast(LinkModel, net).decoder).completing = epoch > warmup
        net.train()
        perm = torch.randperm(m, generator=gen).to(device)
        total = 0.0
        for lo in range(0, m, batch_size):
            batch = perm[lo : lo + batch_size]
            keep = torch.ones(m, dtype=torch.bool, device=device)
            keep[batch] = False
            adj = adjacency.from_edges(train[0, keep], train[1, keep], n)
            h = net.encode(x, adj)
            pos = net.score(h, adj, train[0, batch], train[1, batch])
            neg_a = torch.randint(0, n, (batch.numel(),), generator=gen).to(device)
            neg_b = torch.randint(0, n, (batch.numel(),), generator=gen).to(device)
            neg = net.score(h, adj, neg_a, neg_b)
            loss = F.softplus(-pos).mean() + F.softplus(neg).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * batch.numel()
        report.loss = total / max(m, 1)
        report.epochs = epoch
        due = epoch % eval_every == 0 or epoch == epochs
        if split.valid.shape[1] and due and epoch > warmup:
            v_pos = predict_logits(net, x, full_adj, *split.valid.to(device))
            v_neg = predict_logits(net, x, full_adj, *split.valid_neg.to(device))
            hits = hits_at_k(v_pos.cpu(), v_neg.cpu(), k)
            if hits > best_hits:
                best_hits, report.best_epoch = hits, epoch
                best_state = copy.deepcopy(net.state_dict())
    if best_state is not None:
        net.load_state_dict(best_state)
    else:
        report.best_epoch = report.epochs
    net.eval()
    if split.valid.shape[1]:
        report.validation = evaluate(
            predict_logits(net, x, full_adj, *split.valid.to(device)),
            predict_logits(net, x, full_adj, *split.valid_neg.to(device)),
            k,
        )
    report.test = evaluate(
        predict_logits(net, x, full_adj, *split.test.to(device)),
        predict_logits(net, x, full_adj, *split.test_neg.to(device)),
        k,
    )
    report.train_millis = int((time.perf_counter() - started) * 1000)
    return net, report
