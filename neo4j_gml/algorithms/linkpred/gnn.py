"""GNN link prediction: a GCN or GraphSAGE encoder with a Neural Common Neighbor decoder.

The encoder maps node features to ``h`` by message passing (GCN or GraphSAGE-mean layers, the
functions of PyTorch Geometric's ``GCNConv`` and ``SAGEConv``, on sparse products). The decoder scores a pair ``(i, j)``:

- ``NCN`` (Wang, Yang and Zhang 2023, "Neural Common Neighbor with Completion for Link
  Prediction", ICLR 2024): ``MLP([h_i * h_j  ||  sum over k in N(i) & N(j) of h_k])``: the
  element-wise product of the ends next to the sum of the common neighbours' representations;
- ``DOT``: ``h_i . h_j`` (the plain GAE decoder, the baseline).

Training follows the NCN recipe: binary cross-entropy on the training edges against uniformly
sampled pairs, and the batch's own edges removed from the message-passing graph while they are
its targets ("target link removal"), so the model never sees an edge while predicting it.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import cast

import torch
from torch import nn
from torch.nn import functional as F

from neo4j_gml.algorithms.linkpred import adjacency
from neo4j_gml.algorithms.linkpred.adjacency import Adjacency, common_neighbors
from neo4j_gml.algorithms.linkpred.metrics import evaluate, hits_at_k
from neo4j_gml.algorithms.linkpred.split import EdgeSplit
from neo4j_gml.core.cancellation import checkpoint

__all__ = [
    "DECODERS",
    "ENCODERS",
    "DotDecoder",
    "Encoder",
    "LinkModel",
    "NCNDecoder",
    "TrainReport",
    "predict_logits",
    "propagation_matrix",
    "train_link_model",
]

ENCODERS = ("GCN", "SAGE")
DECODERS = ("NCN", "DOT")


def propagation_matrix(adj: Adjacency, conv: str) -> torch.Tensor:
    """The sparse ``[n, n]`` operator of one message-passing layer.

    ``GCN``: ``D^-1/2 (A + I) D^-1/2``; ``SAGE``: ``D^-1 A`` (mean over neighbours).

    Parameters
    ----------
    adj : Adjacency
        The simple undirected adjacency messages pass over.
    conv : str
        ``'GCN'`` or ``'SAGE'``.

    Returns
    -------
    torch.Tensor
        A coalesced ``float32`` sparse COO ``[n, n]`` tensor.

    References
    ----------
    T. N. Kipf and M. Welling, "Semi-supervised classification with graph convolutional
    networks", ICLR 2017; W. L. Hamilton, R. Ying, J. Leskovec, "Inductive representation learning
    on large graphs", NeurIPS 2017.

    Examples
    --------
    >>> from neo4j_gml.algorithms.linkpred.adjacency import from_edges
    >>> adj = from_edges(torch.tensor([0, 0, 1, 2]), torch.tensor([1, 2, 2, 3]), 4)
    >>> propagation_matrix(adj, "SAGE").to_dense()[3].tolist()  # node 3 averages its neighbour 2
    [0.0, 0.0, 1.0, 0.0]
    >>> propagation_matrix(adj, "GCN").shape
    torch.Size([4, 4])
    """
    n, device = adj.num_nodes, adj.device
    rows = torch.repeat_interleave(torch.arange(n, device=device), adj.degree)
    cols = adj.indices
    if conv == "GCN":
        loops = torch.arange(n, device=device)
        rows, cols = torch.cat([rows, loops]), torch.cat([cols, loops])
        inv = (adj.degree.to(torch.float32) + 1.0).rsqrt()
        vals = inv[rows] * inv[cols]
    else:
        vals = 1.0 / adj.degree.to(torch.float32)[rows]
    return torch.sparse_coo_tensor(
        torch.stack([rows, cols]), vals, (n, n), check_invariants=False
    ).coalesce()


def _linear(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """``x @ weight.T`` for a dense or sparse COO ``x``."""
    if x.is_sparse:
        return cast(torch.Tensor, torch.sparse.mm(x, weight.t()))
    return x @ weight.t()


def _dropout(x: torch.Tensor, p: float, training: bool) -> torch.Tensor:
    if not training or p == 0.0:
        return x
    if x.is_sparse:
        x = x.coalesce()
        return torch.sparse_coo_tensor(
            x.indices(), F.dropout(x.values(), p, True), x.shape, check_invariants=False
        )
    return F.dropout(x, p, True)


class Encoder(nn.Module):
    """``layers`` GCN or GraphSAGE (mean) layers; LayerNorm, ReLU and dropout between them.

    A GCN layer is ``P (x W) + b`` and a SAGE layer ``P x W_l + b + x W_r`` with ``P`` from
    :func:`propagation_matrix`: the same functions as PyTorch Geometric's ``GCNConv`` and
    ``SAGEConv`` (the tests compare them), computed here with sparse products so that sparse
    bag-of-words features (``x`` as a sparse COO tensor) stay cheap.

    Parameters
    ----------
    in_dim : int
        Number of input features.
    hidden : int
        Width of every layer.
    layers : int
        Number of layers.
    conv : str
        ``'GCN'`` or ``'SAGE'``.
    dropout : float
        Dropout between layers.
    input_dropout : float
        Dropout on the input features.
    """

    def __init__(
        self, in_dim: int, hidden: int, layers: int, conv: str, dropout: float, input_dropout: float
    ) -> None:
        super().__init__()
        dims = [in_dim] + [hidden] * layers
        self.conv = conv
        self.weights = nn.ModuleList(
            [nn.Linear(dims[i], dims[i + 1], bias=False) for i in range(layers)]
        )
        self.roots = nn.ModuleList(
            [nn.Linear(dims[i], dims[i + 1], bias=False) for i in range(layers)]
            if conv == "SAGE"
            else []
        )
        self.biases = nn.ParameterList([nn.Parameter(torch.zeros(hidden)) for _ in range(layers)])
        self.norms = nn.ModuleList([nn.LayerNorm(hidden) for _ in range(layers - 1)])
        self.dropout = dropout
        self.input_dropout = input_dropout

    def forward(self, x: torch.Tensor, prop: torch.Tensor) -> torch.Tensor:
        """Node representations ``float32[n, hidden]`` of the features ``x`` (dense or sparse COO)
        with messages passed by ``prop`` (:func:`propagation_matrix`).
        """
        x = _dropout(x, self.input_dropout, self.training)
        for i, lin in enumerate(self.weights):
            weight = cast(torch.Tensor, lin.weight)
            if self.conv == "GCN":
                out = torch.sparse.mm(prop, _linear(x, weight)) + self.biases[i]
            else:
                agg = torch.sparse.mm(prop, _linear(x, weight))
                out = agg + self.biases[i] + _linear(x, cast(torch.Tensor, self.roots[i].weight))
            x = out
            if i < len(self.norms):
                x = F.dropout(F.relu(self.norms[i](x)), self.dropout, self.training)
        return x


class NCNDecoder(nn.Module):
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
        dims = [2 * hidden] + [hidden] * (mlp_layers - 1)
        blocks: list[nn.Module] = []
        for i in range(mlp_layers - 1):
            blocks += [
                nn.Linear(dims[i], dims[i + 1]),
                nn.LayerNorm(dims[i + 1]),
                nn.ReLU(),
                nn.Dropout(dropout),
            ]
        blocks.append(nn.Linear(dims[-1], 1))
        self.mlp = nn.Sequential(*blocks)

    def forward(
        self, h: torch.Tensor, adj: Adjacency, a: torch.Tensor, b: torch.Tensor
    ) -> torch.Tensor:
        """``float32[p]``: the logit of each pair ``(a[i], b[i])`` from the representations ``h``;
        common neighbours are taken in ``adj``.
        """
        pair, node = common_neighbors(adj, a, b)
        cn = torch.zeros(a.numel(), h.shape[1], dtype=h.dtype, device=h.device)
        cn = cn.index_add(0, pair, h[node])
        return cast(torch.Tensor, self.mlp(torch.cat([h[a] * h[b], cn], dim=1))).squeeze(-1)


class DotDecoder(nn.Module):
    """The plain graph auto-encoder decoder: the logit of a pair is ``h_i . h_j``."""

    def forward(
        self, h: torch.Tensor, adj: Adjacency, a: torch.Tensor, b: torch.Tensor
    ) -> torch.Tensor:
        """``float32[p]``: ``h[a[i]] . h[b[i]]`` for each pair (``adj`` is not used)."""
        return (h[a] * h[b]).sum(-1)


class LinkModel(nn.Module):
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
        Dropout between layers.
    input_dropout : float
        Dropout on the input features.

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
    ) -> None:
        super().__init__()
        if encoder not in ENCODERS or decoder not in DECODERS:
            raise ValueError(f"encoder must be one of {ENCODERS}, decoder one of {DECODERS}")
        self.encoder = Encoder(in_dim, hidden, layers, encoder, dropout, input_dropout)
        self.decoder = NCNDecoder(hidden, mlp_layers, dropout) if decoder == "NCN" else DotDecoder()

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


@torch.no_grad()
def predict_logits(
    model: LinkModel,
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
    model : LinkModel
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
        Node representations from :meth:`LinkModel.encode`, to skip encoding again.

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
    hidden: int = 256,
    layers: int = 1,
    encoder: str = "GCN",
    decoder: str = "NCN",
    mlp_layers: int = 3,
    dropout: float = 0.05,
    input_dropout: float = 0.7,
    epochs: int = 100,
    batch_size: int = 1152,
    learning_rate: float = 0.003,
    eval_every: int = 5,
    k: int = 100,
    seed: int = 0,
) -> tuple[LinkModel, TrainReport]:
    """Train a :class:`LinkModel` on ``split.train`` and report validation and test metrics.

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
    hidden, layers, encoder, decoder, mlp_layers, dropout, input_dropout
        The :class:`LinkModel`'s architecture.
    epochs : int
        Passes over the training edges.
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
        ``(model, report)``: the kept :class:`LinkModel` (eval mode) and a :class:`TrainReport`.

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
    model = LinkModel(
        x.shape[1],
        hidden=hidden,
        layers=layers,
        encoder=encoder,
        decoder=decoder,
        mlp_layers=mlp_layers,
        dropout=dropout,
        input_dropout=input_dropout,
    ).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=learning_rate)
    train = split.train.to(device)
    m = train.shape[1]
    full_adj = adjacency.from_edges(train[0], train[1], n)
    report = TrainReport()
    best_hits, best_state = -1.0, None
    for epoch in range(1, epochs + 1):
        checkpoint()
        model.train()
        perm = torch.randperm(m, generator=gen).to(device)
        total = 0.0
        for lo in range(0, m, batch_size):
            batch = perm[lo : lo + batch_size]
            keep = torch.ones(m, dtype=torch.bool, device=device)
            keep[batch] = False
            adj = adjacency.from_edges(train[0, keep], train[1, keep], n)
            h = model.encode(x, adj)
            pos = model.score(h, adj, train[0, batch], train[1, batch])
            neg_a = torch.randint(0, n, (batch.numel(),), generator=gen).to(device)
            neg_b = torch.randint(0, n, (batch.numel(),), generator=gen).to(device)
            neg = model.score(h, adj, neg_a, neg_b)
            loss = F.softplus(-pos).mean() + F.softplus(neg).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * batch.numel()
        report.loss = total / max(m, 1)
        report.epochs = epoch
        if split.valid.shape[1] and (epoch % eval_every == 0 or epoch == epochs):
            v_pos = predict_logits(model, x, full_adj, *split.valid.to(device))
            v_neg = predict_logits(model, x, full_adj, *split.valid_neg.to(device))
            hits = hits_at_k(v_pos.cpu(), v_neg.cpu(), k)
            if hits > best_hits:
                best_hits, report.best_epoch = hits, epoch
                best_state = copy.deepcopy(model.state_dict())
    if best_state is not None:
        model.load_state_dict(best_state)
    else:
        report.best_epoch = report.epochs
    model.eval()
    if split.valid.shape[1]:
        report.validation = evaluate(
            predict_logits(model, x, full_adj, *split.valid.to(device)),
            predict_logits(model, x, full_adj, *split.valid_neg.to(device)),
            k,
        )
    report.test = evaluate(
        predict_logits(model, x, full_adj, *split.test.to(device)),
        predict_logits(model, x, full_adj, *split.test_neg.to(device)),
        k,
    )
    report.train_millis = int((time.perf_counter() - started) * 1000)
    return model, report
