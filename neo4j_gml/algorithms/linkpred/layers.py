"""Building blocks shared by the GNN link predictors: message-passing layers and the
interface every link model implements (:class:`LinkPredictor`)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import cast

import torch
from torch import nn
from torch.nn import functional as F

from neo4j_gml.algorithms.linkpred.adjacency import Adjacency

__all__ = ["Encoder", "LinkPredictor", "feature_dropout", "linear", "propagation_matrix"]


class LinkPredictor(nn.Module, ABC):
    """A link model: :meth:`encode` node representations once, then :meth:`score` pairs.

    Training (:func:`neo4j_gml.algorithms.linkpred.gnn.train_link_model`) and prediction call
    only these two methods, so every model (NCN, NCNC, GAE, SEAL, PSGNN) trains, is stored and
    predicts through the same code.
    """

    @abstractmethod
    def encode(self, x: torch.Tensor, adj: Adjacency) -> torch.Tensor:
        """Node representations from the features ``x`` (dense or sparse COO) over ``adj``."""

    @abstractmethod
    def score(
        self, h: torch.Tensor, adj: Adjacency, a: torch.Tensor, b: torch.Tensor
    ) -> torch.Tensor:
        """``float32[p]``: the logit that ``a[i]`` and ``b[i]`` are linked, for each pair."""


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


def linear(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """``x @ weight.T`` for a dense or sparse COO ``x``.

    Parameters
    ----------
    x : torch.Tensor
        ``float[n, in]``, dense or sparse COO (bag-of-words features stay sparse).
    weight : torch.Tensor
        ``float[out, in]``, as ``nn.Linear`` stores it.

    Returns
    -------
    torch.Tensor
        Dense ``float[n, out]``.

    References
    ----------
    PyTorch, ``torch.sparse.mm``.

    Examples
    --------
    >>> linear(torch.eye(2).to_sparse(), torch.ones(3, 2)).tolist()
    [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]
    """
    if x.is_sparse:
        return cast(torch.Tensor, torch.sparse.mm(x, weight.t()))
    return x @ weight.t()


def feature_dropout(x: torch.Tensor, p: float, training: bool) -> torch.Tensor:
    """Dropout of a dense or sparse COO ``x`` (a sparse one drops stored values only).

    Parameters
    ----------
    x : torch.Tensor
        Features, dense or sparse COO.
    p : float
        Probability of zeroing each (stored) value; the others are scaled by ``1 / (1 - p)``.
    training : bool
        Without training, ``x`` is returned as it is.

    Returns
    -------
    torch.Tensor
        Of the layout of ``x``.

    References
    ----------
    N. Srivastava et al., "Dropout: a simple way to prevent neural networks from overfitting",
    JMLR 15 (2014).

    Examples
    --------
    >>> feature_dropout(torch.ones(2, 2), 0.5, training=False).tolist()
    [[1.0, 1.0], [1.0, 1.0]]
    """
    if not training or p == 0.0:
        return x
    if x.is_sparse:
        x = x.coalesce()
        return torch.sparse_coo_tensor(
            x.indices(), F.dropout(x.values(), p, True), x.shape, check_invariants=False
        )
    return F.dropout(x, p, True)


class Encoder(nn.Module):
    """``layers`` GCN or GraphSAGE (mean) layers; LayerNorm and ReLU between them.

    In training, dropout hits the input features (``input_dropout``) and each layer's
    transformed features ``x W`` before they are propagated (``dropout``): with one layer this
    is the NCN authors' encoder (a linear map, dropout, then parameter-free GCN propagation;
    their ``gnndp``), and on CiteSeer it decides the result (NCN test HR@100 85 without it, 92-94
    with 0.75).

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
        Dropout on each layer's transformed features, before propagation.
    input_dropout : float
        Dropout on the input features.
    output_dropout : float
        Dropout on the output representations (the NCN authors' ``tdp``).
    """

    def __init__(
        self,
        in_dim: int,
        hidden: int,
        layers: int,
        conv: str,
        dropout: float,
        input_dropout: float,
        output_dropout: float = 0.0,
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
        self.output_dropout = output_dropout

    def forward(self, x: torch.Tensor, prop: torch.Tensor) -> torch.Tensor:
        """Node representations ``float32[n, hidden]`` of the features ``x`` (dense or sparse COO)
        with messages passed by ``prop`` (:func:`propagation_matrix`).
        """
        x = feature_dropout(x, self.input_dropout, self.training)
        for i, lin in enumerate(self.weights):
            weight = cast(torch.Tensor, lin.weight)
            xw = F.dropout(linear(x, weight), self.dropout, self.training)
            if self.conv == "GCN":
                out = torch.sparse.mm(prop, xw) + self.biases[i]
            else:
                root = linear(x, cast(torch.Tensor, self.roots[i].weight))
                out = torch.sparse.mm(prop, xw) + self.biases[i] + root
            x = out
            if i < len(self.norms):
                x = F.relu(self.norms[i](x))
        return F.dropout(x, self.output_dropout, self.training)
