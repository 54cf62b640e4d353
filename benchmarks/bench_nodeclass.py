"""Node classification on the Planetoid citation graphs: our GNNs beside PyG's reference GCN.

    python -m benchmarks.bench_nodeclass --datasets cora,citeseer,pubmed --repeat 3

For each data set (public split of :mod:`benchmarks.planetoid`, row-normalised features, the
undirected graph) and seeds ``0..repeat-1``:

* **PyG reference GCN**: a two-layer ``torch_geometric.nn.GCNConv`` model written here as PyG's
  ``examples/gcn.py`` writes it (``cached=True``, weight decay on the first layer only) with
  Kipf and Welling's settings (hidden 16, dropout 0.5, Adam lr 0.01, weight decay 5e-4,
  200 epochs);
* **ours, GCN**: :func:`neo4j_gml.algorithms.nodepred.gnn.train_node_gnn` with the same settings
  (weight decay on every parameter);
* **ours, GAT** (Cora only): Velickovic et al.'s settings (8 heads of 8 units, dropout 0.6,
  lr 0.005, weight decay 5e-4, at most 1000 epochs, patience 100).

Every model keeps the weights of its best validation accuracy (GCN: over all 200 epochs, no early
stop) and is scored once on the test nodes. Reported: test accuracy mean ± standard deviation over
the seeds, validation accuracy, epochs (and the best one) and training seconds per run, wall
clock and this process's CPU time (the better measure on a shared machine; torch's threads as
``--threads`` sets them).

PubMed's ``allx`` is absent from ``../shared/data/planetoid``: all but the 60 training and the
1000 test nodes have zero features here, so its accuracies sit below the published ~79 %
(both models see the same data).

Writes ``benchmarks/results/<date>-<host>-nodeclass.md``. Not a pass/fail test.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from torch.nn import functional as F

from benchmarks import planetoid
from benchmarks import run as bench
from neo4j_gml.algorithms.nodepred.gnn import train_node_gnn

KIPF: dict[str, Any] = {
    "hidden": 16,
    "dropout": 0.5,
    "learning_rate": 0.01,
    "weight_decay": 5e-4,
    "epochs": 200,
}
VELICKOVIC: dict[str, Any] = {
    "hidden": 8,
    "heads": 8,
    "dropout": 0.6,
    "learning_rate": 0.005,
    "weight_decay": 5e-4,
    "epochs": 1000,
}


class ReferenceGCN(torch.nn.Module):
    """PyG's ``examples/gcn.py`` model: dropout, GCNConv, ReLU, dropout, GCNConv."""

    def __init__(self, in_dim: int, hidden: int, out_dim: int) -> None:
        from torch_geometric.nn import GCNConv

        super().__init__()
        self.conv1 = GCNConv(in_dim, hidden, cached=True, normalize=True)
        self.conv2 = GCNConv(hidden, out_dim, cached=True, normalize=True)

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor) -> torch.Tensor:
        x = F.dropout(x, p=0.5, training=self.training)
        x = self.conv1(x, edge_index).relu()
        x = F.dropout(x, p=0.5, training=self.training)
        return self.conv2(x, edge_index)


def _accuracy(out: torch.Tensor, y: torch.Tensor, idx: torch.Tensor) -> float:
    return float((out[idx].argmax(1) == y[idx]).double().mean())


def reference_gcn(data: planetoid.Planetoid, seed: int) -> dict[str, float]:
    """Train PyG's reference GCN with Kipf's settings; the best validation epoch's accuracies."""
    x = torch.from_numpy(data.features)
    y = torch.from_numpy(data.labels)
    edge_index = planetoid.to_graph(data).edge_index()
    train, val, test = (torch.from_numpy(a) for a in (data.train, data.val, data.test))
    start, cpu = time.perf_counter(), time.process_time()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = ReferenceGCN(x.shape[1], KIPF["hidden"], data.num_classes)
        optimiser = torch.optim.Adam(
            [
                {"params": model.conv1.parameters(), "weight_decay": KIPF["weight_decay"]},
                {"params": model.conv2.parameters(), "weight_decay": 0.0},
            ],
            lr=KIPF["learning_rate"],
        )
        best, best_state, best_epoch = -1.0, copy.deepcopy(model.state_dict()), 0
        for epoch in range(1, KIPF["epochs"] + 1):
            model.train()
            optimiser.zero_grad()
            F.cross_entropy(model(x, edge_index)[train], y[train]).backward()
            optimiser.step()
            model.eval()
            with torch.no_grad():
                score = _accuracy(model(x, edge_index), y, val)
            if score > best:
                best, best_state, best_epoch = score, copy.deepcopy(model.state_dict()), epoch
        model.load_state_dict(best_state)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    with torch.no_grad():
        out = model.eval()(x, edge_index)
    return {
        "test": _accuracy(out, y, test),
        "validation": best,
        "epochs": float(KIPF["epochs"]),
        "best_epoch": float(best_epoch),
        "seconds": seconds,
        "cpu_seconds": cpu,
    }


def ours(data: planetoid.Planetoid, seed: int, kind: str) -> dict[str, float]:
    """Train :func:`train_node_gnn` (``kind`` with its paper's settings) on ``data``."""
    graph = planetoid.to_graph(data)
    x = torch.from_numpy(data.features)
    y = torch.from_numpy(data.labels)
    settings: dict[str, Any] = (
        {**KIPF, "patience": None} if kind == "GCN" else {**VELICKOVIC, "patience": 100}
    )
    start, cpu = time.perf_counter(), time.process_time()
    fit = train_node_gnn(
        graph,
        x,
        y,
        torch.from_numpy(data.train),
        torch.from_numpy(data.val),
        task="classification",
        num_classes=data.num_classes,
        kind=kind,
        random_seed=seed,
        **settings,
    )
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    with torch.no_grad():
        out = fit.model(x, graph.edge_index())
    best_epoch = min(h["epoch"] for h in fit.history if h["validation"] == fit.best_validation)
    return {
        "test": _accuracy(out, y, torch.from_numpy(data.test)),
        "validation": float(fit.best_validation or 0.0),
        "epochs": float(fit.epochs_run),
        "best_epoch": float(best_epoch),
        "seconds": seconds,
        "cpu_seconds": cpu,
    }


def pipeline_rows(data: planetoid.Planetoid, repeat: int) -> list[dict[str, Any]]:
    """The same split trained through Neo4j (``gml.beta.pipeline.nodeClassification.*``).

    Placeholder: filled when the nodeClassification procedures land. Each row is a dict with
    ``model`` (a label for the table) and ``runs`` (a list of :func:`ours`-shaped results).
    """
    return []


def _summary(runs: list[dict[str, float]]) -> dict[str, float]:
    def mean(key: str) -> float:
        return statistics.fmean(r[key] for r in runs)

    tests = [r["test"] for r in runs]
    return {
        "test_mean": statistics.fmean(tests),
        "test_std": statistics.stdev(tests) if len(tests) > 1 else 0.0,
        "validation": mean("validation"),
        "epochs": mean("epochs"),
        "best_epoch": mean("best_epoch"),
        "seconds": mean("seconds"),
        "cpu_seconds": mean("cpu_seconds"),
    }


def measure(data: planetoid.Planetoid, repeat: int) -> list[dict[str, Any]]:
    """Every model of the module's list on ``data``, ``repeat`` seeds each."""
    models: list[tuple[str, Callable[[planetoid.Planetoid, int], dict[str, float]]]] = [
        ("PyG reference GCN (Kipf)", reference_gcn),
        ("ours, GCN (Kipf)", lambda d, s: ours(d, s, "GCN")),
    ]
    if data.name == "cora":
        models.append(("ours, GAT (Velickovic)", lambda d, s: ours(d, s, "GAT")))
    rows = []
    for label, train in models:
        runs = []
        for seed in range(repeat):
            result = train(data, seed)
            print(f"  {data.name} {label} seed {seed}: {result}", flush=True)
            runs.append(result)
        rows.append({"model": label, "runs": runs, **_summary(runs)})
    for row in pipeline_rows(data, repeat):
        rows.append({**row, **_summary(row["runs"])})
    return rows


def table(name: str, data: planetoid.Planetoid, rows: list[dict[str, Any]]) -> list[str]:
    """The markdown table of one data set."""
    lines = [
        f"## {name}: {data.num_nodes:,} nodes, {len(data.edges):,} edges, "
        f"{data.features.shape[1]:,} features, {data.num_classes} classes; split "
        f"{len(data.train)} / {len(data.val)} / {len(data.test)}",
        "",
        "| model | test accuracy | validation accuracy | epochs (best) | seconds per run "
        "(CPU seconds) |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['model']} | {r['test_mean']:.3f} ± {r['test_std']:.3f} | {r['validation']:.3f} | "
        f"{r['epochs']:.0f} ({r['best_epoch']:.0f}) | {r['seconds']:.1f} "
        f"({r['cpu_seconds']:.1f}) |"
        for r in rows
    ]
    return [*lines, ""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", default="cora,citeseer,pubmed")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--root", type=Path, default=planetoid.DEFAULT_ROOT)
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    names = [s.strip().lower() for s in args.datasets.split(",") if s.strip()]
    started = time.perf_counter()
    sections: list[str] = []
    for name in names:
        if not planetoid.available(args.root, name):
            print(f"skipping {name}: its files are not in {args.root}", flush=True)
            continue
        data = planetoid.load_planetoid(name, args.root)
        rows = measure(data, args.repeat)
        sections += table(name, data, rows)
        print("\n".join(table(name, data, rows)), flush=True)
    machine = bench._machine()
    lines = [
        "# Node classification on Planetoid: ours beside PyG's reference GCN",
        "",
        f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC; {machine['host']}, "
        f"{machine['cores']} cores, {torch.get_num_threads()} torch threads, "
        f"{machine['device']}; torch {machine['torch']}; "
        f"`python -m benchmarks.bench_nodeclass --datasets {','.join(names)} "
        f"--repeat {args.repeat}{f' --threads {args.threads}' if args.threads else ''}` "
        f"({time.perf_counter() - started:.0f} s in all).",
        "",
        f"Public Planetoid split, seeds 0..{args.repeat - 1}, test accuracy mean ± standard "
        "deviation at the best validation epoch. GCN: hidden 16, dropout 0.5, lr 0.01, weight "
        "decay 5e-4, 200 epochs (the reference decays the first layer only, ours every "
        "parameter). GAT: 8 heads x 8, dropout 0.6, lr 0.005, weight decay 5e-4, patience 100. "
        "PubMed without `allx`: only 1,060 of 19,717 nodes have features, so its accuracies "
        "are not the published ones.",
        "",
        *sections,
    ]
    text = "\n".join(lines)
    stem = f"{dt.date.today().isoformat()}-{machine['host']}-nodeclass"
    bench.RESULTS.mkdir(parents=True, exist_ok=True)
    (bench.RESULTS / f"{stem}.md").write_text(text)
    print(text)
    print(f"saved {bench.RESULTS / stem}.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
