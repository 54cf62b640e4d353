"""Feature-vector models of the node pipelines: logistic regression, linear regression and a
multilayer perceptron, trained with Adam on mini-batches as GDS trains them.

One :class:`DenseModel` covers the three: no hidden layer is logistic (classification) or linear
(regression) regression; hidden layers make an MLP with ReLU. Features are standardised with the
training set's mean and deviation, which the model keeps (so a stored model predicts from raw
features). The loss is cross-entropy or mean squared error plus ``penalty`` times the squared L2
norm of the weights (biases unpenalised). Training stops after ``max_epochs``, or once the
training loss has not improved by a ``tolerance`` share for ``patience`` epochs in a row after
``min_epochs`` (GDS's stopping rule). The output bias starts at the prior (the targets' mean, or
the log class frequencies), so a short training starts from the best constant model.

References
----------
D. P. Kingma and J. Ba, "Adam: a method for stochastic optimization", ICLR 2015; Neo4j Graph Data
Science manual, "Logistic regression", "Linear regression" and "Multilayer perceptron" training
methods of the node pipelines.
"""

from __future__ import annotations

from typing import Any

import torch

from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.errors import ParameterError

__all__ = ["DenseModel", "fit_dense"]


class DenseModel(torch.nn.Module):
    """Standardisation, then linear layers with ReLU between them.

    ``forward`` returns class logits ``[n, classes]`` (classification) or values ``[n]``
    (regression); :meth:`metadata` and :meth:`from_state` store and rebuild it.
    """

    mean: torch.Tensor
    scale: torch.Tensor

    def __init__(self, in_dim: int, out_dim: int, hidden: list[int], task: str) -> None:
        super().__init__()
        self.task, self.in_dim, self.out_dim, self.hidden = task, in_dim, out_dim, list(hidden)
        sizes = [in_dim, *hidden, out_dim]
        self.layers = torch.nn.ModuleList(
            torch.nn.Linear(a, b, dtype=torch.float64)
            for a, b in zip(sizes, sizes[1:], strict=False)
        )
        self.register_buffer("mean", torch.zeros(in_dim, dtype=torch.float64))
        self.register_buffer("scale", torch.ones(in_dim, dtype=torch.float64))

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """Logits ``[n, classes]`` or values ``[n]`` of raw ``features`` ``[n, d]``."""
        h = (features.to(torch.float64) - self.mean) / self.scale
        for i, layer in enumerate(self.layers):
            h = layer(h)
            if i < len(self.layers) - 1:
                h = torch.relu(h)
        return h.squeeze(1) if self.task == "regression" else h

    def metadata(self) -> dict[str, Any]:
        """What :meth:`from_state` needs besides the weights."""
        return {
            "family": "dense",
            "task": self.task,
            "inputDimension": self.in_dim,
            "outputDimension": self.out_dim,
            "hiddenLayerSizes": self.hidden,
        }

    @classmethod
    def from_state(cls, metadata: dict[str, Any], state: dict[str, torch.Tensor]) -> DenseModel:
        """The model of :meth:`metadata` with the weights ``state``."""
        model = cls(
            metadata["inputDimension"],
            metadata["outputDimension"],
            list(metadata["hiddenLayerSizes"]),
            metadata["task"],
        )
        model.load_state_dict(state)
        return model.eval()


def fit_dense(
    features: torch.Tensor,
    targets: torch.Tensor,
    *,
    task: str,
    num_classes: int | None = None,
    hidden: list[int] | None = None,
    penalty: float = 0.0,
    learning_rate: float = 0.001,
    max_epochs: int = 100,
    min_epochs: int = 1,
    batch_size: int = 100,
    patience: int = 1,
    tolerance: float = 0.001,
    random_seed: int = 0,
) -> DenseModel:
    """Train a :class:`DenseModel` on ``features`` and ``targets``.

    Parameters
    ----------
    features : torch.Tensor
        ``[n, d]`` numbers.
    targets : torch.Tensor
        ``int64[n]`` classes ``0..num_classes-1`` or ``float64[n]`` values.
    task : str
        ``'classification'`` or ``'regression'``.
    num_classes : int or None
        Classes (classification).
    hidden : list[int] or None
        Hidden layer sizes (none: logistic or linear regression).
    penalty : float
        L2 weight of the weights, ``>= 0``.
    learning_rate : float
        Adam's step size.
    max_epochs, min_epochs, patience : int
        Stopping: at most ``max_epochs``; after ``min_epochs``, stop when the loss failed to
        improve by ``tolerance`` (relative) ``patience`` epochs in a row.
    batch_size : int
        Nodes per Adam step.
    tolerance : float
        Relative improvement that counts.
    random_seed : int
        Seed of the initial weights and the batch order (the global RNG is left as it was).

    Returns
    -------
    DenseModel
        The trained model in evaluation mode, on ``features``' device.

    Raises
    ------
    ParameterError
        Bad shapes, classes out of range, NaN features, or a parameter out of its range.

    References
    ----------
    D. P. Kingma and J. Ba, "Adam: a method for stochastic optimization", ICLR 2015.

    Examples
    --------
    >>> x = torch.tensor([[0.0], [1.0], [2.0], [3.0]])
    >>> m = fit_dense(x, torch.tensor([0, 0, 1, 1]), task="classification", num_classes=2,
    ...               learning_rate=0.1, max_epochs=200, patience=50)
    >>> m(x).argmax(1).tolist()
    [0, 0, 1, 1]
    """
    if task not in ("classification", "regression"):
        raise ParameterError("task", f"must be 'classification' or 'regression', got {task!r}")
    if features.ndim != 2 or targets.ndim != 1 or features.shape[0] != targets.shape[0]:
        raise ParameterError(
            "features", f"must be [n, d] with one target each, got {tuple(features.shape)}"
        )
    if bool(torch.isnan(features).any()):
        raise ParameterError("features", "contain NaN")
    for name, value, low in (("penalty", penalty, 0.0), ("tolerance", tolerance, 0.0)):
        if value < low:
            raise ParameterError(name, f"must be at least {low}, got {value}")
    if learning_rate <= 0 or max_epochs < 1 or batch_size < 1 or patience < 1:
        raise ParameterError(
            "learning_rate", "learning rate must be > 0, epochs, batch size and patience >= 1"
        )
    x = features.to(torch.float64)
    n, d = x.shape
    if task == "classification":
        if num_classes is None or num_classes < 1:
            raise ParameterError("num_classes", "is required for classification")
        y = targets.to(torch.long)
        if n and (int(y.min()) < 0 or int(y.max()) >= num_classes):
            raise ParameterError("targets", f"classes must be in 0..{num_classes - 1}")
        out = num_classes
    else:
        y = targets.to(torch.float64)
        out = 1
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(random_seed)
        model = DenseModel(d, out, list(hidden or []), task).to(x.device)
        if n:
            mean = x.mean(0)
            scale = x.std(0, unbiased=False)
            model.mean.copy_(mean)
            model.scale.copy_(torch.where(scale > 0, scale, torch.ones_like(scale)))
            with torch.no_grad():  # start from the prior: the mean, or the class frequencies
                last = model.layers[-1]
                assert isinstance(last, torch.nn.Linear)
                if task == "regression":
                    last.bias.fill_(float(y.mean()))
                else:
                    counts = torch.bincount(y, minlength=out).to(torch.float64) + 1.0
                    last.bias.copy_(torch.log(counts / counts.sum()))
        weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
        optimiser = torch.optim.Adam(model.parameters(), lr=learning_rate)
        best, stale = float("inf"), 0
        for epoch in range(max_epochs):
            checkpoint()
            model.train()
            for batch in torch.randperm(n, device=x.device).split(batch_size):
                optimiser.zero_grad()
                loss = _loss(model(x[batch]), y[batch], task)
                if penalty:
                    loss = loss + penalty * sum((w**2).sum() for w in weights) * batch.numel() / n
                loss.backward()
                optimiser.step()
            with torch.no_grad():
                total = float(_loss(model(x), y, task)) if n else 0.0
                if penalty:
                    total += penalty * float(sum((w**2).sum() for w in weights))
            if total < best - tolerance * abs(best) or best == float("inf"):
                best, stale = total, 0
            else:
                stale += 1
                if stale >= patience and epoch + 1 >= min_epochs:
                    break
    return model.eval()


def _loss(output: torch.Tensor, target: torch.Tensor, task: str) -> torch.Tensor:
    if task == "classification":
        return torch.nn.functional.cross_entropy(output, target)
    return torch.nn.functional.mse_loss(output, target)
