"""GNN node classification and regression (``neo4j_gml.algorithms.nodepred.gnn``).

Oracles: planted structure (a stochastic block model whose classes the features only hint at,
a smooth target on a grid seen through noise) that message passing must recover beyond what the
features alone give; the validation score of the returned model against ``best_validation``;
bit-identical outputs after a metadata/state round trip and under one seed; and, when
``../shared/data/planetoid`` is present, Kipf and Welling's GCN on Cora (published 81.5 %).
"""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path

import pytest
import torch

from neo4j_gml.algorithms.nodepred.gnn import NodeGNN, train_node_gnn
from neo4j_gml.core.cancellation import Cancelled, CancelToken, active
from neo4j_gml.core.errors import ParameterError
from neo4j_gml.core.graph import Graph

ROOT = Path(__file__).resolve().parents[2]


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _sbm(
    seed: int = 0, per_block: int = 100, blocks: int = 3, p_in: float = 0.08, p_out: float = 0.005
) -> tuple[Graph, torch.Tensor, torch.Tensor, dict[str, torch.Tensor]]:
    """A planted partition; features: class mean at a low signal-to-noise ratio plus noise columns."""
    gen = torch.Generator().manual_seed(seed)
    n = per_block * blocks
    y = torch.arange(n) // per_block
    same = y[:, None] == y[None, :]
    prob = torch.where(same, torch.tensor(p_in), torch.tensor(p_out))
    upper = torch.triu(torch.rand(n, n, generator=gen) < prob, diagonal=1)
    src, dst = upper.nonzero(as_tuple=True)
    graph = Graph.from_edges(src, dst, orientation="UNDIRECTED", num_nodes=n)
    means = torch.eye(blocks, 8) * 1.0
    x = torch.cat(
        [means[y] + torch.randn(n, 8, generator=gen), torch.randn(n, 8, generator=gen)], 1
    )
    order = torch.randperm(n, generator=gen)
    train = torch.cat([order[y[order] == c][:20] for c in range(blocks)])
    rest = order[~torch.isin(order, train)]
    split = {"train": train, "val": rest[:60], "test": rest[60:]}
    return graph, x, y, split


def _accuracy(
    model: NodeGNN, graph: Graph, x: torch.Tensor, y: torch.Tensor, idx: torch.Tensor
) -> float:
    with torch.no_grad():
        return float((model(x, graph.edge_index())[idx].argmax(1) == y[idx]).double().mean())


@pytest.mark.parametrize(
    ("kind", "settings"),
    [
        ("GCN", {"hidden": 16}),
        ("SAGE", {"hidden": 16}),
        ("GAT", {"hidden": 8, "heads": 4, "dropout": 0.6, "learning_rate": 0.005}),
    ],
)
def test_planted_classes_are_recovered(kind: str, settings: dict[str, float]) -> None:
    graph, x, y, split = _sbm()
    fit = train_node_gnn(
        graph,
        x,
        y,
        split["train"],
        split["val"],
        task="classification",
        kind=kind,
        epochs=200,
        patience=100,
        **settings,  # type: ignore[arg-type]
    )
    acc = _accuracy(fit.model, graph, x, y, split["test"])
    assert acc >= 0.9, f"{kind}: test accuracy {acc:.3f}"
    # the features alone (a linear read-out of the class-mean columns) are far weaker
    features_only = float((x[split["test"], :3].argmax(1) == y[split["test"]]).double().mean())
    assert features_only < 0.75
    assert fit.model.training is False
    assert fit.best_validation is not None and 0.0 <= fit.best_validation <= 1.0


def _grid(side: int = 15, seed: int = 0) -> tuple[Graph, torch.Tensor, torch.Tensor, torch.Tensor]:
    """A ``side x side`` grid with a smooth target; features: the target in noise, and noise."""
    gen = torch.Generator().manual_seed(seed)
    n = side * side
    idx = torch.arange(n).reshape(side, side)
    src = torch.cat([idx[:, :-1].reshape(-1), idx[:-1, :].reshape(-1)])
    dst = torch.cat([idx[:, 1:].reshape(-1), idx[1:, :].reshape(-1)])
    graph = Graph.from_edges(src, dst, orientation="UNDIRECTED", num_nodes=n)
    u, v = (idx // side).double() / side, (idx % side).double() / side
    target = (torch.sin(2 * math.pi * u) + torch.cos(2 * math.pi * v)).reshape(-1).float()
    x = torch.stack(
        [target + 0.6 * torch.randn(n, generator=gen), torch.randn(n, generator=gen)], 1
    )
    return graph, x, target, torch.randperm(n, generator=gen)


def test_regression_denoises_a_smooth_target() -> None:
    graph, x, target, order = _grid()
    train, val, test = order[:120], order[120:160], order[160:]
    fit = train_node_gnn(
        graph,
        x,
        target,
        train,
        val,
        task="regression",
        kind="SAGE",
        hidden=32,
        dropout=0.0,
        learning_rate=0.01,
        weight_decay=0.0,
        epochs=300,
        patience=100,
    )
    with torch.no_grad():
        out = fit.model(x, graph.edge_index())
    assert out.shape == (graph.num_nodes, 1)
    mse = float(((out[test, 0] - target[test]) ** 2).mean())
    noisy_feature = float(((x[test, 0] - target[test]) ** 2).mean())  # ~0.36
    assert mse < 0.5 * noisy_feature, (mse, noisy_feature)
    assert fit.best_validation is not None and fit.best_validation < noisy_feature


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_early_stopping_keeps_the_best_validation_weights(task: str) -> None:
    graph, x, y, split = _sbm(seed=1)
    targets = y if task == "classification" else x[:, 0] + y.float()
    patience = 5
    fit = train_node_gnn(
        graph,
        x,
        targets,
        split["train"],
        split["val"],
        task=task,
        kind="GCN",
        hidden=16,
        learning_rate=0.05,
        epochs=300,
        patience=patience,
    )
    scores = [h["validation"] for h in fit.history]
    assert len(fit.history) == fit.epochs_run < 300  # stopped early
    best = max(scores) if task == "classification" else min(scores)
    assert fit.best_validation == best
    first_best = scores.index(best)  # ties keep the first
    assert fit.epochs_run == first_best + 1 + patience
    with torch.no_grad():
        out = fit.model(x, graph.edge_index())
    val = split["val"]
    if task == "classification":
        score = float((out[val].argmax(1) == y[val]).double().mean())
    else:
        score = float(torch.nn.functional.mse_loss(out[val, 0].double(), targets[val].double()))
    assert score == fit.best_validation


def test_without_validation_all_epochs_run() -> None:
    graph, x, y, split = _sbm()
    fit = train_node_gnn(graph, x, y, split["train"], task="classification", epochs=7)
    assert fit.epochs_run == 7 and fit.best_validation is None
    assert [h["epoch"] for h in fit.history] == list(range(1, 8))
    assert all(h["validation"] is None and h["loss"] > 0 for h in fit.history)


@pytest.mark.parametrize("kind", ["GCN", "SAGE", "GAT"])
def test_metadata_and_state_round_trip(kind: str) -> None:
    graph, x, y, split = _sbm()
    fit = train_node_gnn(
        graph,
        x,
        y,
        split["train"],
        task="classification",
        kind=kind,
        hidden=8,
        heads=2,
        layers=3,
        epochs=3,
    )
    meta = json.loads(json.dumps(fit.model.metadata()))
    state = {k: v.clone() for k, v in fit.model.state_dict().items()}
    rebuilt = NodeGNN.from_state(meta, state)
    assert rebuilt.training is False
    with torch.no_grad():
        assert torch.equal(rebuilt(x, graph.edge_index()), fit.model(x, graph.edge_index()))
    assert meta["kind"] == kind and meta["layers"] == 3


def test_a_seed_gives_one_model_and_global_rng_is_untouched() -> None:
    graph, x, y, split = _sbm()
    kwargs = {"task": "classification", "kind": "GAT", "hidden": 4, "heads": 2, "epochs": 10}
    state = torch.random.get_rng_state()
    a = train_node_gnn(graph, x, y, split["train"], split["val"], random_seed=3, **kwargs)  # type: ignore[arg-type]
    assert torch.equal(torch.random.get_rng_state(), state)
    b = train_node_gnn(graph, x, y, split["train"], split["val"], random_seed=3, **kwargs)  # type: ignore[arg-type]
    c = train_node_gnn(graph, x, y, split["train"], split["val"], random_seed=4, **kwargs)  # type: ignore[arg-type]
    assert a.history == b.history
    for (name, p), q in zip(
        a.model.state_dict().items(), b.model.state_dict().values(), strict=True
    ):
        assert torch.equal(p, q), name
    assert a.history != c.history


def test_boolean_masks_and_position_lists_agree() -> None:
    graph, x, y, split = _sbm()
    mask = torch.zeros(graph.num_nodes, dtype=torch.bool)
    mask[split["train"]] = True
    a = train_node_gnn(graph, x, y, mask, task="classification", epochs=5)
    b = train_node_gnn(graph, x, y, split["train"], task="classification", epochs=5)
    assert a.history == b.history


def test_each_epoch_checks_for_cancellation() -> None:
    graph, x, y, split = _sbm()
    token = CancelToken()
    token.cancel("stop")
    with active(token), pytest.raises(Cancelled):
        train_node_gnn(graph, x, y, split["train"], task="classification", epochs=5)


@pytest.mark.parametrize(
    ("change", "parameter"),
    [
        ({"task": "ranking"}, "task"),
        ({"kind": "GIN"}, "kind"),
        ({"dropout": 1.0}, "dropout"),
        ({"hidden": 0}, "hidden"),
        ({"layers": 0}, "layers"),
        ({"heads": 0}, "heads"),
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"weight_decay": -1.0}, "weight_decay"),
        ({"epochs": 0}, "epochs"),
        ({"patience": 0}, "patience"),
        ({"num_classes": 2}, "targets"),  # the planted classes are 0..2
        ({"num_classes": 1}, "num_classes"),
        ({"features": torch.zeros(5, 3)}, "features"),
        ({"features": torch.full((300, 16), math.nan)}, "features"),
        ({"targets": torch.zeros(5, dtype=torch.long)}, "targets"),
        ({"targets": torch.full((300,), 0.5)}, "targets"),
        ({"train_mask": torch.zeros(300, dtype=torch.bool)}, "train_mask"),
        ({"train_mask": torch.zeros(10, dtype=torch.bool)}, "train_mask"),
        ({"train_mask": torch.tensor([0, 300])}, "train_mask"),
        ({"validation_mask": torch.tensor([0.5])}, "validation_mask"),
    ],
)
def test_bad_arguments_raise_parameter_errors(change: dict[str, object], parameter: str) -> None:
    graph, x, y, split = _sbm()
    kwargs: dict[str, object] = {
        "features": x,
        "targets": y,
        "train_mask": split["train"],
        "validation_mask": None,
        "task": "classification",
        "epochs": 2,
    }
    kwargs.update(change)
    with pytest.raises(ParameterError) as err:
        train_node_gnn(graph, **kwargs)  # type: ignore[arg-type]
    assert err.value.parameter == parameter


def test_regression_rejects_num_classes_and_non_finite_targets() -> None:
    graph, x, _, split = _sbm()
    target = x[:, 0].clone()
    with pytest.raises(ParameterError, match="num_classes"):
        train_node_gnn(graph, x, target, split["train"], task="regression", num_classes=3)
    target[split["train"][0]] = math.inf
    with pytest.raises(ParameterError, match="targets"):
        train_node_gnn(graph, x, target, split["train"], task="regression")


def test_from_state_rejects_foreign_metadata_and_state() -> None:
    model = NodeGNN(4, 2, kind="GCN", hidden=8)
    meta = model.metadata()
    with pytest.raises(ParameterError, match="metadata"):
        NodeGNN.from_state({**meta, "family": "dense"}, model.state_dict())
    with pytest.raises(ParameterError, match="hiddenDimension"):
        NodeGNN.from_state({k: v for k, v in meta.items() if k != "hiddenDimension"}, {})
    with pytest.raises(ParameterError, match="state"):
        NodeGNN.from_state({**meta, "hiddenDimension": 9}, model.state_dict())


# ------------------------------------------------------------------ Cora (shared data)


def _planetoid_module():  # noqa: ANN202 - a module loaded from benchmarks/
    spec = importlib.util.spec_from_file_location(
        "_planetoid", ROOT / "benchmarks" / "planetoid.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass resolves annotations through sys.modules
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_gcn_with_kipf_settings_on_cora() -> None:
    planetoid = _planetoid_module()
    if not planetoid.available(planetoid.DEFAULT_ROOT, "cora"):
        pytest.skip(f"Planetoid Cora is absent from {planetoid.DEFAULT_ROOT} (../shared/data)")
    data = planetoid.load_planetoid("cora")
    graph = planetoid.to_graph(data)
    assert (graph.num_nodes, graph.num_relationships) == (2708, 5278)
    x, y = torch.from_numpy(data.features), torch.from_numpy(data.labels)
    test = torch.from_numpy(data.test)
    accuracies = []
    for seed in (0, 1):  # Kipf and Welling report 81.5 %; a second seed only if the first is low
        fit = train_node_gnn(
            graph,
            x,
            y,
            torch.from_numpy(data.train),
            torch.from_numpy(data.val),
            task="classification",
            kind="GCN",
            hidden=16,
            dropout=0.5,
            learning_rate=0.01,
            weight_decay=5e-4,
            epochs=200,
            patience=None,
            random_seed=seed,
        )
        accuracies.append(_accuracy(fit.model, graph, x, y, test))
        if sum(accuracies) / len(accuracies) >= 0.80:
            break
    assert sum(accuracies) / len(accuracies) >= 0.80, accuracies
