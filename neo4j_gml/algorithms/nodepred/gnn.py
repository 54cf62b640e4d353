"""Graph neural networks for node classification and regression, trained end to end, full batch.

One :class:`NodeGNN` covers three message-passing families, each built from PyTorch Geometric's
layer of the same name:

- ``GCN`` (Kipf and Welling 2017): ``GCNConv`` with its defaults, the propagation
  ``D^-1/2 (A + I) D^-1/2 X W`` over the graph's arcs with the missing self-loops added;
- ``SAGE`` (Hamilton, Ying and Leskovec 2017): ``SAGEConv`` with the mean aggregator,
  ``W_1 x_i + W_2 mean_{j in N(i)} x_j``;
- ``GAT`` (Velickovic et al. 2018): ``GATConv``, ``heads`` attention heads of ``hidden`` units
  each, concatenated on the hidden layers and averaged by one head on the output layer.

Every layer but the last is followed by ReLU (ELU for GAT, as the papers do); dropout is applied
to the input of every layer (and to GAT's attention coefficients). :func:`train_node_gnn` trains
on the whole graph at once (transductive, semi-supervised: every node's features take part in
message passing, the loss only counts the ``train_mask`` nodes) with Adam and cross-entropy or
mean squared error, and keeps the weights of the best validation epoch.

Messages flow along the stored arcs, from source to target: for the undirected graph of the
papers, project the graph ``UNDIRECTED`` (both arcs of every relationship). Relationship weights
are not used.

References
----------
T. N. Kipf and M. Welling, "Semi-supervised classification with graph convolutional networks",
ICLR 2017; W. L. Hamilton, R. Ying and J. Leskovec, "Inductive representation learning on large
graphs", NeurIPS 2017; P. Velickovic, G. Cucurull, A. Casanova, A. Romero, P. Lio and Y. Bengio,
"Graph attention networks", ICLR 2018; M. Fey and J. E. Lenssen, "Fast graph representation
learning with PyTorch Geometric", ICLR Workshop on Representation Learning on Graphs and
Manifolds, 2019.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any

import torch
from torch.nn import functional as F

from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.errors import ParameterError
from neo4j_gml.core.graph import Graph

__all__ = ["KINDS", "TASKS", "GnnFit", "NodeGNN", "train_node_gnn"]

KINDS = ("GCN", "SAGE", "GAT")
TASKS = ("classification", "regression")


def _check_architecture(
    in_dim: int, out_dim: int, kind: str, hidden: int, layers: int, heads: int, dropout: float
) -> None:
    if kind not in KINDS:
        raise ParameterError("kind", f"must be one of {', '.join(KINDS)}, got {kind!r}")
    for name, value in (
        ("in_dim", in_dim),
        ("out_dim", out_dim),
        ("hidden", hidden),
        ("layers", layers),
        ("heads", heads),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ParameterError(name, f"must be a positive integer, got {value!r}")
    if not (isinstance(dropout, int | float) and 0.0 <= dropout < 1.0):
        raise ParameterError("dropout", f"must be in [0, 1), got {dropout!r}")


class NodeGNN(torch.nn.Module):
    """``layers`` GCN, GraphSAGE or GAT layers from ``in_dim`` features to ``out_dim`` outputs.

    Parameters
    ----------
    in_dim : int
        Features per node.
    out_dim : int
        Outputs per node: the number of classes (logits) or of regression targets.
    kind : str
        ``'GCN'``, ``'SAGE'`` or ``'GAT'``.
    hidden : int
        Width of the hidden layers; for GAT the width of one head (a hidden layer has
        ``hidden * heads`` units).
    layers : int
        Message-passing layers (``1`` maps the features straight to the outputs).
    heads : int
        Attention heads of GAT's hidden layers (ignored by GCN and SAGE).
    dropout : float
        Dropout probability on every layer's input while training, in ``[0, 1)``.

    Raises
    ------
    ParameterError
        An unknown ``kind``, a dimension that is not a positive integer or ``dropout`` outside
        ``[0, 1)``.

    Examples
    --------
    >>> model = NodeGNN(3, 2, kind="SAGE", hidden=4)
    >>> x = torch.ones(4, 3)
    >>> edge_index = torch.tensor([[0, 1, 2], [1, 2, 3]])
    >>> model.eval()(x, edge_index).shape
    torch.Size([4, 2])
    """

    def __init__(
        self,
        in_dim: int,
        out_dim: int,
        *,
        kind: str = "GCN",
        hidden: int = 64,
        layers: int = 2,
        heads: int = 8,
        dropout: float = 0.5,
    ) -> None:
        from torch_geometric.nn import GATConv, GCNConv, SAGEConv

        _check_architecture(in_dim, out_dim, kind, hidden, layers, heads, dropout)
        super().__init__()
        self.in_dim, self.out_dim, self.kind = in_dim, out_dim, kind
        self.hidden, self.layers, self.heads, self.dropout = hidden, layers, heads, float(dropout)
        convs: list[torch.nn.Module] = []
        width = in_dim
        for i in range(layers):
            last = i == layers - 1
            if kind == "GCN":
                convs.append(GCNConv(width, out_dim if last else hidden))
                width = hidden
            elif kind == "SAGE":
                convs.append(SAGEConv(width, out_dim if last else hidden, aggr="mean"))
                width = hidden
            elif last:
                convs.append(GATConv(width, out_dim, heads=1, concat=False, dropout=dropout))
            else:
                convs.append(GATConv(width, hidden, heads=heads, dropout=dropout))
                width = hidden * heads
        self.convs = torch.nn.ModuleList(convs)

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor) -> torch.Tensor:
        """``float32[n, out_dim]``: logits (classification) or values (regression) of every node.

        ``x`` is ``[n, in_dim]``; ``edge_index`` the ``int64[2, m]`` arcs messages flow along
        (row 0 sources, row 1 targets: :meth:`Graph.edge_index`).
        """
        h = x
        last = len(self.convs) - 1
        for i, conv in enumerate(self.convs):
            h = F.dropout(h, p=self.dropout, training=self.training)
            h = conv(h, edge_index)
            if i < last:
                h = F.elu(h) if self.kind == "GAT" else F.relu(h)
        return h

    def metadata(self) -> dict[str, Any]:
        """What :meth:`from_state` needs besides the weights (JSON-able)."""
        return {
            "family": "gnn",
            "kind": self.kind,
            "inputDimension": self.in_dim,
            "outputDimension": self.out_dim,
            "hiddenDimension": self.hidden,
            "layers": self.layers,
            "heads": self.heads,
            "dropout": self.dropout,
        }

    @classmethod
    def from_state(cls, metadata: dict[str, Any], state: dict[str, torch.Tensor]) -> NodeGNN:
        """The model of :meth:`metadata` with the weights ``state`` (a ``state_dict``), in eval mode.

        Raises
        ------
        ParameterError
            ``metadata`` is not a GNN's, misses a key, or ``state`` does not fit it.
        """
        if metadata.get("family") != "gnn":
            raise ParameterError("metadata", f"is not a GNN's (family {metadata.get('family')!r})")
        try:
            model = cls(
                int(metadata["inputDimension"]),
                int(metadata["outputDimension"]),
                kind=str(metadata["kind"]),
                hidden=int(metadata["hiddenDimension"]),
                layers=int(metadata["layers"]),
                heads=int(metadata["heads"]),
                dropout=float(metadata["dropout"]),
            )
        except KeyError as exc:
            raise ParameterError("metadata", f"misses the key {exc.args[0]!r}") from None
        try:
            model.load_state_dict(state)
        except RuntimeError as exc:
            raise ParameterError("state", f"does not fit the model: {exc}") from None
        return model.eval()


@dataclass
class GnnFit:
    """A trained :class:`NodeGNN` and how training went.

    Attributes
    ----------
    model : NodeGNN
        The model (the best validation epoch's weights when a validation set was given, else the
        last epoch's), in eval mode, on the graph's device.
    epochs_run : int
        Epochs trained (fewer than ``epochs`` when early stopping ended training).
    best_validation : float or None
        The kept epoch's validation score: accuracy (classification) or mean squared error
        (regression); ``None`` without a validation set.
    history : list of dict
        One entry per epoch: ``epoch`` (from 1), ``loss`` (the training loss) and ``validation``
        (the validation score, or ``None``).
    """

    model: NodeGNN
    epochs_run: int
    best_validation: float | None
    history: list[dict[str, Any]] = field(default_factory=list)


def _as_mask(mask: torch.Tensor, n: int, name: str, device: torch.device) -> torch.Tensor:
    if not isinstance(mask, torch.Tensor):
        raise ParameterError(name, f"must be a tensor, got {type(mask).__name__}")
    if mask.dtype == torch.bool:
        if mask.shape != (n,):
            raise ParameterError(
                name, f"must have one entry per node ({n}), got {tuple(mask.shape)}"
            )
        out = mask.to(device)
    elif not mask.is_floating_point() and not mask.is_complex() and mask.dim() == 1:
        if mask.numel() and (int(mask.min()) < 0 or int(mask.max()) >= n):
            raise ParameterError(name, f"node positions must be in [0, {n})")
        out = torch.zeros(n, dtype=torch.bool, device=device)
        out[mask.to(device)] = True
    else:
        raise ParameterError(name, "must be a boolean mask or a 1-d tensor of node positions")
    if not bool(out.any()):
        raise ParameterError(name, "selects no node")
    return out


def _check_positive(name: str, value: float, *, allow_zero: bool = False) -> None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ParameterError(name, f"must be a finite number {bound}, got {value!r}")


def train_node_gnn(
    graph: Graph,
    features: torch.Tensor,
    targets: torch.Tensor,
    train_mask: torch.Tensor,
    validation_mask: torch.Tensor | None = None,
    *,
    task: str,
    num_classes: int | None = None,
    kind: str = "GCN",
    hidden: int = 64,
    layers: int = 2,
    heads: int = 8,
    dropout: float = 0.5,
    learning_rate: float = 0.01,
    weight_decay: float = 5e-4,
    epochs: int = 200,
    patience: int | None = 100,
    random_seed: int = 0,
) -> GnnFit:
    """Train a :class:`NodeGNN` on the whole graph to predict ``targets`` of the training nodes.

    Every epoch is one full-batch step of Adam on the loss over the ``train_mask`` nodes:
    cross-entropy of the logits (classification) or mean squared error (regression). With a
    ``validation_mask`` the model is then scored on the validation nodes (eval mode, no dropout):
    accuracy (classification, higher is better) or mean squared error (regression, lower is
    better); the weights of the best epoch are kept (the first one on ties), and training stops
    once ``patience`` epochs in a row have not improved on it. ``O(epochs * layers * (m * h + n *
    d * h))`` time for ``n`` nodes, ``m`` arcs, ``d`` features and width ``h``.

    Kipf and Welling's GCN settings for the Planetoid citation graphs are ``hidden=16,
    dropout=0.5, learning_rate=0.01, weight_decay=5e-4, epochs=200``; Velickovic et al.'s GAT
    settings ``hidden=8, heads=8, dropout=0.6, learning_rate=0.005, weight_decay=5e-4``. The
    weight decay (Adam's L2 term) applies to every parameter (Kipf and Welling's GCN decays the
    first layer only).

    Runs on the graph's device; the same seed on the CPU gives the same model. The global random
    state is left untouched.

    Parameters
    ----------
    graph : Graph
        The graph messages pass over (its arcs; project it ``UNDIRECTED`` for GCN as published).
    features : torch.Tensor
        ``[n, d]`` node features (cast to ``float32``).
    targets : torch.Tensor
        ``[n]`` class indices in ``0..num_classes-1`` (classification), or ``[n]`` / ``[n, k]``
        values (regression). Only the training and validation nodes' entries are read.
    train_mask : torch.Tensor
        The training nodes: a ``bool[n]`` mask or a 1-d tensor of node positions.
    validation_mask : torch.Tensor or None
        The validation nodes, as ``train_mask``; ``None`` trains all ``epochs`` and keeps the last
        weights.
    task : str
        ``'classification'`` or ``'regression'``.
    num_classes : int or None
        Classes (classification only); by default the largest training or validation class plus
        one.
    kind : str
        ``'GCN'``, ``'SAGE'`` or ``'GAT'``.
    hidden, layers, heads, dropout
        The architecture, as :class:`NodeGNN` takes it.
    learning_rate : float
        Adam's step size, ``> 0``.
    weight_decay : float
        Adam's L2 penalty, ``>= 0``.
    epochs : int
        Most epochs to train, ``>= 1``.
    patience : int or None
        Epochs without a better validation score before training stops (``>= 1``); ``None``
        never stops early. Ignored without a validation set.
    random_seed : int
        Seed of the weight initialisation and the dropout masks.

    Returns
    -------
    GnnFit
        The model in eval mode, the epochs run, the best validation score and the history.

    Raises
    ------
    ParameterError
        An unknown ``task`` or ``kind``; a hyper-parameter out of range; features, targets or
        masks whose shape does not fit the graph, an empty mask, non-finite features or training
        targets; classes outside ``0..num_classes-1``; ``num_classes`` given for regression.

    References
    ----------
    T. N. Kipf and M. Welling, "Semi-supervised classification with graph convolutional
    networks", ICLR 2017; P. Velickovic et al., "Graph attention networks", ICLR 2018;
    D. P. Kingma and J. Ba, "Adam: a method for stochastic optimization", ICLR 2015.

    Examples
    --------
    Two triangles joined by one edge, each its own class; the feature only tells the class of
    the nodes of the bridge:

    >>> g = Graph.from_edges([0, 0, 1, 2, 3, 3, 4], [1, 2, 2, 3, 4, 5, 5], orientation="UNDIRECTED")
    >>> x = torch.tensor([[0.0], [0.0], [1.0], [-1.0], [0.0], [0.0]])
    >>> y = torch.tensor([0, 0, 0, 1, 1, 1])
    >>> fit = train_node_gnn(g, x, y, torch.tensor([2, 3]), task="classification",
    ...                      hidden=8, dropout=0.0, epochs=100)
    >>> fit.model(x, g.edge_index()).argmax(1).tolist()
    [0, 0, 0, 1, 1, 1]
    >>> fit.epochs_run, fit.best_validation
    (100, None)
    """
    if task not in TASKS:
        raise ParameterError("task", f"must be one of {', '.join(TASKS)}, got {task!r}")
    for name, value, least in (("epochs", epochs, 1), ("random_seed", random_seed, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ParameterError(name, f"must be an integer >= {least}, got {value!r}")
    if patience is not None and (
        isinstance(patience, bool) or not isinstance(patience, int) or patience < 1
    ):
        raise ParameterError("patience", f"must be a positive integer or None, got {patience!r}")
    _check_positive("learning_rate", learning_rate)
    _check_positive("weight_decay", weight_decay, allow_zero=True)

    n, device = graph.num_nodes, graph.device
    if not isinstance(features, torch.Tensor) or features.dim() != 2 or features.shape[0] != n:
        shape = tuple(features.shape) if isinstance(features, torch.Tensor) else features
        raise ParameterError("features", f"must be a [{n}, d] tensor, got {shape!r}")
    x = features.to(device=device, dtype=torch.float32)
    if not bool(torch.isfinite(x).all()):
        raise ParameterError("features", "must be finite")
    if (
        not isinstance(targets, torch.Tensor)
        or targets.dim() not in (1, 2)
        or targets.shape[0] != n
    ):
        shape = tuple(targets.shape) if isinstance(targets, torch.Tensor) else targets
        raise ParameterError("targets", f"must have one row per node ({n}), got {shape!r}")
    train = _as_mask(train_mask, n, "train_mask", device)
    valid = (
        None if validation_mask is None else _as_mask(validation_mask, n, "validation_mask", device)
    )
    labelled = train if valid is None else train | valid

    y: torch.Tensor
    if task == "classification":
        if targets.dim() != 1:
            raise ParameterError("targets", "must be one class index per node for classification")
        given = targets.to(device)[labelled]
        if given.is_floating_point() and not bool((given == given.round()).all()):
            raise ParameterError("targets", "classes must be integers")
        y = targets.to(device=device, dtype=torch.long)
        seen = y[labelled]
        if num_classes is None:
            num_classes = int(seen.max()) + 1
        if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
            raise ParameterError("num_classes", f"must be an integer >= 2, got {num_classes!r}")
        if int(seen.min()) < 0 or int(seen.max()) >= num_classes:
            raise ParameterError(
                "targets", f"training and validation classes must be in 0..{num_classes - 1}"
            )
        out_dim = num_classes
    else:
        if num_classes is not None:
            raise ParameterError("num_classes", "applies to classification only")
        y = targets.to(device=device, dtype=torch.float32).reshape(n, -1)
        if not bool(torch.isfinite(y[labelled]).all()):
            raise ParameterError("targets", "must be finite on the training and validation nodes")
        out_dim = y.shape[1]
    _check_architecture(x.shape[1], out_dim, kind, hidden, layers, heads, dropout)

    edge_index = graph.edge_index()
    cuda = [device.index or 0] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=cuda):
        torch.manual_seed(random_seed)
        model = NodeGNN(
            x.shape[1],
            out_dim,
            kind=kind,
            hidden=hidden,
            layers=layers,
            heads=heads,
            dropout=dropout,
        ).to(device)
        optimiser = torch.optim.Adam(
            model.parameters(), lr=learning_rate, weight_decay=weight_decay
        )

        def loss_of(out: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            if task == "classification":
                return F.cross_entropy(out[mask], y[mask])
            return F.mse_loss(out[mask], y[mask])

        def validation_score(out: torch.Tensor, mask: torch.Tensor) -> float:
            if task == "classification":
                return float((out[mask].argmax(1) == y[mask]).to(torch.float64).mean())
            return float(F.mse_loss(out[mask].double(), y[mask].double()))

        best: float | None = None
        best_state: dict[str, torch.Tensor] | None = None
        stale = 0
        history: list[dict[str, Any]] = []
        epochs_run = 0
        for epoch in range(1, epochs + 1):
            checkpoint()
            model.train()
            optimiser.zero_grad()
            loss = loss_of(model(x, edge_index), train)
            loss.backward()
            optimiser.step()
            epochs_run = epoch
            score: float | None = None
            if valid is not None:
                model.eval()
                with torch.no_grad():
                    score = validation_score(model(x, edge_index), valid)
                better = best is None or (
                    score > best if task == "classification" else score < best
                )
                if better:
                    best, stale = score, 0
                    best_state = copy.deepcopy(model.state_dict())
                else:
                    stale += 1
            history.append({"epoch": epoch, "loss": float(loss.detach()), "validation": score})
            if patience is not None and valid is not None and stale >= patience:
                break
        if best_state is not None:
            model.load_state_dict(best_state)
    return GnnFit(model.eval(), epochs_run, best, history)
