"""Model selection of the node pipelines: candidate models with parameter ranges, random search,
k-fold validation, the winner retrained on the whole training set and tested once.

A candidate is ``{"method": <name>, <parameter>: <value or {"range": [low, high]}>, ...}`` (GDS's
``modelCandidates``; GDS's pipeline builders ``addLogisticRegression``, ``addRandomForest`` and
``addMLP`` add exactly such maps). Candidates without ranges are all tried first, as GDS does;
further trials, up to ``number_of_trials``, draw every ranged parameter of a randomly chosen
ranged candidate: integers uniformly, floats log-uniformly when the range is positive (uniformly
otherwise). Every trial is scored on each validation fold while trained on the other folds; the
trial with the best mean of the first metric wins (ties: the earlier trial), is trained on all
training nodes and scored on the test nodes.

Methods: ``LogisticRegression`` (classification), ``LinearRegression`` (regression), ``MLP``,
``RandomForest`` (both), and the graph neural networks ``GCN``, ``GraphSAGE`` and ``GAT`` (both),
which see the whole graph while they learn from the training nodes' targets (transductive, as in
Kipf and Welling).

References
----------
J. Bergstra and Y. Bengio, "Random search for hyper-parameter optimization", JMLR 13 (2012)
281-305; T. N. Kipf and M. Welling, "Semi-supervised classification with graph convolutional
networks", ICLR 2017; Neo4j Graph Data Science manual, "Configuring the model parameters" and
"Training the pipeline" of the node classification pipelines.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from neo4j_gml.algorithms.nodepred.dense import DenseModel, fit_dense
from neo4j_gml.algorithms.nodepred.metrics import higher_is_better, score
from neo4j_gml.algorithms.nodepred.split import NodeSplit
from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.errors import ParameterError
from neo4j_gml.core.graph import Graph

__all__ = [
    "DEFAULTS",
    "GNN_METHODS",
    "METHODS",
    "Fitted",
    "Selection",
    "fit",
    "forest_arguments",
    "model_from_state",
    "select",
    "trials",
]

GNN_METHODS = {"GCN": "GCN", "GraphSAGE": "SAGE", "GAT": "GAT"}

#: GDS's defaults of the models trained with Adam on mini-batches
_ADAM: dict[str, Any] = {
    "penalty": 0.0,
    "learningRate": 0.001,
    "maxEpochs": 100,
    "minEpochs": 1,
    "batchSize": 100,
    "patience": 1,
    "tolerance": 0.001,
}

#: method -> (tasks, parameter defaults); a candidate's keys must be among its method's
DEFAULTS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "LogisticRegression": (("classification",), dict(_ADAM)),
    "LinearRegression": (("regression",), dict(_ADAM)),
    "MLP": (("classification", "regression"), {"hiddenLayerSizes": [100], **_ADAM}),
    "RandomForest": (
        ("classification", "regression"),
        {
            "numberOfDecisionTrees": 100,
            "maxDepth": None,
            "minSplitSize": 2,
            "minLeafSize": 1,
            "maxFeaturesRatio": None,
            "numberOfSamplesRatio": 1.0,
            "criterion": "GINI",
        },
    ),
    **{
        name: (
            ("classification", "regression"),
            {
                "hiddenDimension": 8 if name == "GAT" else 16,
                "layers": 2,
                "heads": 8,
                "dropout": 0.6 if name == "GAT" else 0.5,
                "learningRate": 0.005 if name == "GAT" else 0.01,
                "weightDecay": 5e-4,
                "epochs": 200,
                "patience": 100,
            },
        )
        for name in GNN_METHODS
    },
}
METHODS = tuple(DEFAULTS)


@dataclass
class Fitted:
    """A trained model of ``method`` with its parameters: :meth:`predict` gives class
    probabilities ``[n, classes]`` or values ``[n]`` for every node of the graph."""

    method: str
    parameters: dict[str, Any]
    model: torch.nn.Module
    task: str
    oob_error: float = float("nan")

    def predict(self, features: torch.Tensor, graph: Graph) -> torch.Tensor:
        """Outputs for all nodes (``features`` row ``i`` is graph position ``i``)."""
        with torch.no_grad():
            if self.method in GNN_METHODS:
                self.model.eval()
                out: torch.Tensor = self.model(features.to(torch.float32), graph.edge_index())
                if self.task == "regression":
                    return out.reshape(-1).to(torch.float64)
                return torch.softmax(out.to(torch.float64), dim=1)
            out = torch.as_tensor(self.model(features))
            if self.task == "classification" and self.method != "RandomForest":
                return torch.softmax(out, dim=1)
            return out.to(torch.float64)

    def metadata(self) -> dict[str, Any]:
        """What :func:`model_from_state` needs besides the weights."""
        meta = getattr(self.model, "metadata")()  # noqa: B009 - every model type has one
        return {"method": self.method, "parameters": self.parameters, "model": meta}


def model_from_state(meta: dict[str, Any], state: dict[str, torch.Tensor], task: str) -> Fitted:
    """A stored :class:`Fitted`.

    Parameters
    ----------
    meta : dict
        :meth:`Fitted.metadata` of the model.
    state : dict[str, torch.Tensor]
        Its ``state_dict``.
    task : str
        ``'classification'`` or ``'regression'``.

    Returns
    -------
    Fitted
        The model in evaluation mode.

    References
    ----------
    PyTorch, ``torch.nn.Module.load_state_dict``.

    Examples
    --------
    >>> m = fit("LogisticRegression", {}, torch.zeros(4, 1), torch.tensor([0, 1, 0, 1]),
    ...         np.arange(4), Graph.from_edges([0], [1], num_nodes=4),
    ...         task="classification", num_classes=2, random_seed=0)
    >>> again = model_from_state(m.metadata(), m.model.state_dict(), "classification")
    >>> again.method, again.model.out_dim
    ('LogisticRegression', 2)
    """
    method = meta["method"]
    model: torch.nn.Module
    if method in GNN_METHODS:
        from neo4j_gml.algorithms.nodepred.gnn import NodeGNN

        model = NodeGNN.from_state(meta["model"], state)
    elif method == "RandomForest":
        from neo4j_gml.algorithms.nodepred.forest import RandomForest

        model = RandomForest.from_state(meta["model"], state)
    else:
        model = DenseModel.from_state(meta["model"], state)
    return Fitted(method, dict(meta["parameters"]), model.eval(), task)


# ---------------------------------------------------------------------------- candidates
#: parameter -> (integer?, low, high, low excluded?, high excluded?, may be null?): what every
#: method's value
#: #: of it must be; checked (both ends of a range too) before anything is read or trained
_BOUNDS: dict[str, tuple[bool, float, float, bool, bool, bool]] = {
    "penalty": (False, 0.0, math.inf, False, False, False),
    "weightDecay": (False, 0.0, math.inf, False, False, False),
    "learningRate": (False, 0.0, math.inf, True, False, False),
    "tolerance": (False, 0.0, math.inf, False, False, False),
    "dropout": (False, 0.0, 1.0, False, True, False),
    "maxFeaturesRatio": (False, 0.0, 1.0, True, False, True),
    "numberOfSamplesRatio": (False, 0.0, 1.0, False, False, False),
    "maxDepth": (True, 1, math.inf, False, False, True),
    "minSplitSize": (True, 2, math.inf, False, False, False),
    **{
        key: (True, 1, math.inf, False, False, False)
        for key in (
            "maxEpochs",
            "minEpochs",
            "epochs",
            "batchSize",
            "patience",
            "numberOfDecisionTrees",
            "minLeafSize",
            "hiddenDimension",
            "layers",
            "heads",
        )
    },
}


def _value_problem(key: str, value: Any) -> str | None:
    """What is wrong with ``value`` as parameter ``key`` (``None`` when it is fine)."""
    if key == "criterion":
        ok = isinstance(value, str) and value.upper() in ("GINI", "ENTROPY")
        return None if ok else f"must be 'GINI' or 'ENTROPY', got {value!r}"
    if key == "hiddenLayerSizes":
        ok = isinstance(value, Sequence) and not isinstance(value, str)
        ok = ok and all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in value)
        return None if ok else f"must be a list of positive integers, got {value!r}"
    if key not in _BOUNDS:
        return None
    integer, low, high, open_low, open_high, nullable = _BOUNDS[key]
    if value is None:
        return None if nullable else "must not be null"
    kind = int if integer else int | float
    if isinstance(value, bool) or not isinstance(value, kind):
        return f"must be {'an integer' if integer else 'a number'}, got {value!r}"
    if value < low or value > high or (open_low and value == low) or (open_high and value == high):
        lower = f"{'above' if open_low else 'at least'} {low}"
        upper = "" if math.isinf(high) else f" and {'below' if open_high else 'at most'} {high}"
        return f"must be {lower}{upper}, got {value!r}"
    return None


def _is_range(value: Any) -> bool:
    return isinstance(value, Mapping) and set(value) == {"range"}


def _check_candidate(
    candidate: Mapping[str, Any],
    task: str,
    table: Mapping[str, tuple[tuple[str, ...], dict[str, Any]]],
) -> tuple[str, dict[str, Any]]:
    method = str(candidate.get("method"))
    if method not in table:
        raise ParameterError(
            "candidates", f"method {method!r} is unknown; use one of {', '.join(table)}"
        )
    tasks, defaults = table[method]
    if task not in tasks:
        raise ParameterError("candidates", f"method {method} does not do {task}")
    params = {k: v for k, v in candidate.items() if k != "method"}
    unknown = sorted(set(params) - set(defaults))
    if unknown:
        raise ParameterError(
            "candidates", f"{method} has no parameter {unknown[0]!r}; its are {sorted(defaults)}"
        )
    for key, value in params.items():
        if _is_range(value):
            low_high = value["range"]
            if (
                not isinstance(low_high, Sequence)
                or len(low_high) != 2
                or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in low_high)
                or low_high[0] > low_high[1]
            ):
                raise ParameterError(
                    "candidates", f"{method}.{key}: a range is {{range: [low, high]}}, low <= high"
                )
        for one in value["range"] if _is_range(value) else [value]:
            problem = _value_problem(key, one)
            if problem is not None:
                raise ParameterError("candidates", f"{method}.{key} {problem}")
    return method, params


def trials(
    candidates: Sequence[Mapping[str, Any]],
    task: str,
    number_of_trials: int,
    random_seed: int,
    *,
    methods: Mapping[str, tuple[tuple[str, ...], dict[str, Any]]] | None = None,
) -> list[tuple[str, dict[str, Any]]]:
    """The (method, concrete parameters) of every trial: each candidate without ranges, then
    random draws from the ranged ones up to ``number_of_trials`` in all.

    Parameters
    ----------
    candidates : Sequence[Mapping[str, Any]]
        Model candidates (see the module notes).
    task : str
        ``'classification'`` or ``'regression'``.
    number_of_trials : int
        Trials at most (every concrete candidate is tried in any case).
    random_seed : int
        Seed of the draws.
    methods : Mapping or None
        Method -> (tasks, parameter defaults) (default :data:`DEFAULTS`; link prediction has
        its own).

    Returns
    -------
    list[tuple[str, dict[str, Any]]]
        Method and parameters of each trial, in order.

    Raises
    ------
    ParameterError
        No candidate, an unknown method or parameter, a method that does not do ``task``, or a
        malformed range.

    References
    ----------
    J. Bergstra and Y. Bengio, "Random search for hyper-parameter optimization", JMLR 2012.

    Examples
    --------
    >>> cands = [{"method": "LogisticRegression"},
    ...          {"method": "RandomForest", "numberOfDecisionTrees": {"range": [5, 50]}}]
    >>> [(m, p.get("numberOfDecisionTrees")) for m, p in trials(cands, "classification", 3, 1)]
    [('LogisticRegression', None), ('RandomForest', 26), ('RandomForest', 28)]
    """
    checked = [
        _check_candidate(c, task, DEFAULTS if methods is None else methods) for c in candidates
    ]
    if not checked:
        raise ParameterError("candidates", "at least one model candidate is needed")
    concrete = [(m, p) for m, p in checked if not any(_is_range(v) for v in p.values())]
    ranged = [(m, p) for m, p in checked if any(_is_range(v) for v in p.values())]
    out = list(concrete)
    rng = np.random.default_rng(random_seed)
    while ranged and len(out) < max(number_of_trials, len(concrete)):
        method, params = ranged[int(rng.integers(len(ranged)))]
        drawn = {}
        for key, value in params.items():
            if not _is_range(value):
                drawn[key] = value
                continue
            low, high = value["range"]
            if isinstance(low, int) and isinstance(high, int):
                drawn[key] = int(rng.integers(low, high + 1))
            elif low > 0:
                drawn[key] = float(math.exp(rng.uniform(math.log(low), math.log(high))))
            else:
                drawn[key] = float(rng.uniform(low, high))
        out.append((method, drawn))
    return out


# ---------------------------------------------------------------------------- fitting
def forest_arguments(parameters: Mapping[str, Any]) -> dict[str, Any]:
    """GDS's random forest keys (defaults filled in) as
    :meth:`~neo4j_gml.algorithms.nodepred.forest.RandomForest.fit` arguments.

    Parameters
    ----------
    parameters : Mapping[str, Any]
        ``numberOfDecisionTrees``, ``maxDepth``, ``minSplitSize``, ``minLeafSize``,
        ``maxFeaturesRatio``, ``numberOfSamplesRatio``, ``criterion`` (any may be missing).

    Returns
    -------
    dict[str, Any]
        Keyword arguments of ``RandomForest.fit``.

    References
    ----------
    Neo4j Graph Data Science manual, "Random forest" training method.

    Examples
    --------
    >>> forest_arguments({"numberOfDecisionTrees": 10})["trees"]
    10
    """
    params = DEFAULTS["RandomForest"][1] | dict(parameters)
    return {
        "trees": int(params["numberOfDecisionTrees"]),
        "max_depth": None if params["maxDepth"] is None else int(params["maxDepth"]),
        "min_split_size": int(params["minSplitSize"]),
        "min_leaf_size": int(params["minLeafSize"]),
        "max_features_ratio": params["maxFeaturesRatio"],
        "samples_ratio": float(params["numberOfSamplesRatio"]),
        "criterion": str(params["criterion"]),
    }


def fit(
    method: str,
    parameters: Mapping[str, Any],
    features: torch.Tensor,
    targets: torch.Tensor,
    train: np.ndarray,
    graph: Graph,
    *,
    task: str,
    num_classes: int | None,
    random_seed: int,
    validation: np.ndarray | None = None,
) -> Fitted:
    """Train ``method`` with ``parameters`` (defaults filled in) on the nodes ``train``.

    Parameters
    ----------
    method : str
        One of :data:`METHODS`.
    parameters : Mapping[str, Any]
        Concrete parameters (no ranges).
    features : torch.Tensor
        ``[n, d]``, a row per graph node.
    targets : torch.Tensor
        A target per graph node, read at ``train`` (and ``validation``) only.
    train : numpy.ndarray
        Graph positions to learn from.
    graph : Graph
        The graph (the GNN methods run on it).
    task : str
        ``'classification'`` or ``'regression'``.
    num_classes : int or None
        Classes (classification).
    random_seed : int
        Seed of the model.
    validation : numpy.ndarray or None
        Graph positions a GNN watches to stop early.

    Returns
    -------
    Fitted
        The trained model.

    Raises
    ------
    ParameterError
        A parameter out of its range.

    References
    ----------
    T. N. Kipf and M. Welling, "Semi-supervised classification with graph convolutional
    networks", ICLR 2017; L. Breiman, "Random forests", Machine Learning 45 (2001) 5-32.

    Examples
    --------
    >>> m = fit("MLP", {"hiddenLayerSizes": [4], "learningRate": 0.05, "maxEpochs": 200,
    ...                 "patience": 50}, torch.tensor([[0.0], [1.0], [2.0], [3.0]]),
    ...         torch.tensor([0, 0, 1, 1]), np.arange(4), Graph.from_edges([0], [1], num_nodes=4),
    ...         task="classification", num_classes=2, random_seed=0)
    >>> m.predict(torch.tensor([[0.0], [3.0]]), Graph.from_edges([0], [1], num_nodes=2)).argmax(1).tolist()
    [0, 1]
    """
    params = DEFAULTS[method][1] | dict(parameters)
    x = features
    if method in GNN_METHODS:
        from neo4j_gml.algorithms.nodepred.gnn import train_node_gnn

        watched = None  # train_node_gnn takes node positions as well as masks
        if validation is not None and len(validation):
            watched = torch.as_tensor(validation, device=x.device)
        done = train_node_gnn(
            graph,
            x.to(torch.float32),
            targets,
            torch.as_tensor(train, device=x.device),
            watched,
            task=task,
            num_classes=num_classes,
            kind=GNN_METHODS[method],
            hidden=int(params["hiddenDimension"]),
            layers=int(params["layers"]),
            heads=int(params["heads"]),
            dropout=float(params["dropout"]),
            learning_rate=float(params["learningRate"]),
            weight_decay=float(params["weightDecay"]),
            epochs=int(params["epochs"]),
            patience=None if watched is None else int(params["patience"]),
            random_seed=random_seed,
        )
        return Fitted(method, dict(parameters), done.model, task)
    rows = torch.as_tensor(train, device=x.device)
    if method == "RandomForest":
        from neo4j_gml.algorithms.nodepred.forest import RandomForest

        forest = RandomForest.fit(
            x[rows].to(torch.float64),
            targets[rows],
            task=task,
            num_classes=num_classes,
            random_seed=random_seed,
            **forest_arguments(params),
        )
        return Fitted(method, dict(parameters), forest, task, float(forest.oob_error))
    model = fit_dense(
        x[rows],
        targets[rows],
        task=task,
        num_classes=num_classes,
        hidden=list(params["hiddenLayerSizes"]) if method == "MLP" else [],
        penalty=float(params["penalty"]),
        learning_rate=float(params["learningRate"]),
        max_epochs=int(params["maxEpochs"]),
        min_epochs=int(params["minEpochs"]),
        batch_size=int(params["batchSize"]),
        patience=int(params["patience"]),
        tolerance=float(params["tolerance"]),
        random_seed=random_seed,
    )
    return Fitted(method, dict(parameters), model, task)


def _outputs_to_labels(out: torch.Tensor, task: str) -> np.ndarray:
    if task == "classification":
        return out.argmax(dim=1).cpu().numpy()
    return out.cpu().numpy()


def _scores(
    fitted: Fitted, out: torch.Tensor, targets: np.ndarray, nodes: np.ndarray, metrics: list[str]
) -> dict[str, float]:
    predicted = _outputs_to_labels(out[torch.as_tensor(nodes, device=out.device)], fitted.task)
    return {
        m: fitted.oob_error if m == "OUT_OF_BAG_ERROR" else score(m, targets[nodes], predicted)
        for m in metrics
    }


@dataclass
class Selection:
    """What :func:`select` found: the winner trained on all training nodes, every trial's
    scores (GDS's ``modelSelectionStats``), and the winner's train and test scores."""

    best: Fitted
    best_trial: int
    trial_stats: list[dict[str, Any]]
    train_scores: dict[str, float]
    test_scores: dict[str, float]
    extra: dict[str, Any] = field(default_factory=dict)


def _summary(values: list[float]) -> dict[str, float]:
    arr = np.asarray(values, dtype=np.float64)
    return {"avg": float(arr.mean()), "min": float(arr.min()), "max": float(arr.max())}


def select(
    features: torch.Tensor,
    targets: torch.Tensor,
    labelled: np.ndarray,
    split: NodeSplit,
    graph: Graph,
    *,
    task: str,
    num_classes: int | None,
    candidates: Sequence[Mapping[str, Any]],
    metrics: list[str],
    number_of_trials: int = 10,
    random_seed: int = 0,
    early_stopping: np.ndarray | None = None,
) -> Selection:
    """Random search with validation folds, then the winner trained on every training node.

    Parameters
    ----------
    features : torch.Tensor
        ``[n, d]``, one row per graph node.
    targets : torch.Tensor
        One target per graph node (only ``labelled`` ones are read): class indices or values.
    labelled : numpy.ndarray
        Graph positions of the labelled nodes; ``split`` indexes into it.
    split : NodeSplit
        Training and test positions (into ``labelled``) and the folds of the training ones.
    graph : Graph
        The graph (the GNN methods run on it).
    task : str
        ``'classification'`` or ``'regression'``.
    num_classes : int or None
        Classes (classification).
    candidates : Sequence[Mapping[str, Any]]
        Model candidates (see the module notes).
    metrics : list[str]
        Canonical metric names; the first chooses the winner.
    number_of_trials : int
        Trials at most (the concrete candidates are all tried in any case).
    random_seed : int
        Seed of the draws and of every model.
    early_stopping : numpy.ndarray or None
        Graph positions whose targets a GNN may watch to stop early when trained on all the
        training nodes (an explicit validation set); ``None``: a fixed number of epochs.

    Returns
    -------
    Selection
        The winner and every trial's scores.

    Raises
    ------
    ParameterError
        Unknown methods or parameters, or no candidate.

    References
    ----------
    J. Bergstra and Y. Bengio, "Random search for hyper-parameter optimization", JMLR 2012.

    Examples
    --------
    >>> from neo4j_gml.algorithms.nodepred.split import split_nodes
    >>> g = Graph.from_edges([0, 1, 2, 3], [1, 0, 3, 2], num_nodes=8)
    >>> x = torch.arange(8.0).reshape(8, 1)
    >>> y = torch.tensor([0, 0, 0, 0, 1, 1, 1, 1])
    >>> s = split_nodes(8, labels=y.numpy(), test_fraction=0.25, validation_folds=2)
    >>> found = select(x, y, np.arange(8), s, g, task="classification", num_classes=2,
    ...                candidates=[{"method": "LogisticRegression", "learningRate": 0.1,
    ...                             "maxEpochs": 300, "patience": 100}], metrics=["ACCURACY"])
    >>> found.best.method, found.test_scores["ACCURACY"]
    ('LogisticRegression', 1.0)
    """
    chosen = trials(candidates, task, number_of_trials, random_seed)
    truth = targets.cpu().numpy()
    main = metrics[0]
    stats: list[dict[str, Any]] = []
    best_index, best_value = 0, None
    for index, (method, params) in enumerate(chosen):
        per_fold: dict[str, dict[str, list[float]]] = {
            m: {"train": [], "validation": []} for m in metrics
        }
        for k, fold in enumerate(split.folds):
            checkpoint()
            rest = np.setdiff1d(split.train, fold)
            fitted = fit(
                method,
                params,
                features,
                targets,
                labelled[rest],
                graph,
                task=task,
                num_classes=num_classes,
                random_seed=random_seed + k,
            )
            out = fitted.predict(features, graph)
            for m, v in _scores(fitted, out, truth, labelled[fold], metrics).items():
                per_fold[m]["validation"].append(v)
            for m, v in _scores(fitted, out, truth, labelled[rest], metrics).items():
                per_fold[m]["train"].append(v)
        summaries = {
            m: {part: _summary(vals) for part, vals in parts.items()}
            for m, parts in per_fold.items()
        }
        stats.append({"method": method, "parameters": params, "metrics": summaries})
        value = summaries[main]["validation"]["avg"]
        better = (
            best_value is None
            or (not math.isnan(value) and math.isnan(best_value))
            or (value > best_value if higher_is_better(main) else value < best_value)
        )
        if better:
            best_index, best_value = index, value
    method, params = chosen[best_index]
    best = fit(
        method,
        params,
        features,
        targets,
        labelled[split.train],
        graph,
        task=task,
        num_classes=num_classes,
        random_seed=random_seed,
        validation=early_stopping,
    )
    out = best.predict(features, graph)
    return Selection(
        best,
        best_index,
        stats,
        _scores(best, out, truth, labelled[split.train], metrics),
        _scores(best, out, truth, labelled[split.test], metrics),
    )
