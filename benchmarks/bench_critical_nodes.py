"""Attack-aware critical nodes (``criticalNodes.gnnAttack``) beside random, degree and PageRank
choices, evaluated as Ma, Ding and Mei (NeurIPS 2020) do: the misclassification rate of a
trained GCN after the features of the chosen nodes are perturbed.

    python -m benchmarks.bench_critical_nodes                  # Cora and CiteSeer, 3 seeds

The victim: PyG's 2-layer GCN (hidden 16, dropout 0.5, Adam 0.01, weight decay 5e-4, 200
epochs) on the public Planetoid split. The attacker sees the graph only (no model, no labels):
it picks ``budget`` nodes (1%, 3% and 5% of the nodes) and adds the same vector to each one's
features, ``lambda`` times the difference between the mean feature row and the feature rows
of the nodes with the fewest words (a fixed, model-free direction; our stand-in for the paper's
constant perturbation vector). The misclassification rate over all nodes, mean over seeds
(the GCN is retrained per seed; random choices drawn per seed). GC-RWCS's ``top`` (10) and
``coverage`` (1) were chosen on Cora at one seed among top 10/30/50 and coverage 1/2/4;
CiteSeer is the held-out check. Writes
``benchmarks/results/<date>-<host>-critical-nodes.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch_geometric.nn import GCNConv

from benchmarks.planetoid import available, load_planetoid, to_graph
from benchmarks.run import save_results
from neo4j_gml.algorithms.centrality.critical import critical_nodes
from neo4j_gml.algorithms.centrality.pagerank import page_rank

STRATEGIES = ("random", "degree", "pageRank", "RWCS", "GC_RWCS")


class GCN(torch.nn.Module):
    def __init__(self, features: int, classes: int) -> None:
        super().__init__()
        self.one, self.two = GCNConv(features, 16), GCNConv(16, classes)

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor) -> torch.Tensor:
        x = F.dropout(F.relu(self.one(x, edge_index)), 0.5, self.training)
        return self.two(x, edge_index)


def train(x: torch.Tensor, ei: torch.Tensor, y: torch.Tensor, train_idx: Any, seed: int) -> GCN:
    torch.manual_seed(seed)
    model = GCN(x.shape[1], int(y.max()) + 1)
    opt = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=5e-4)
    for _ in range(200):
        model.train()
        opt.zero_grad()
        F.cross_entropy(model(x, ei)[train_idx], y[train_idx]).backward()
        opt.step()
    return model.eval()


def choose(strategy: str, graph: Any, budget: int, seed: int) -> torch.Tensor:
    n = graph.num_nodes
    if strategy == "random":
        return torch.as_tensor(np.random.default_rng(seed).choice(n, budget, replace=False))
    if strategy == "degree":
        return torch.topk(graph.out_degree().to(torch.float64), budget).indices
    if strategy == "pageRank":
        return torch.topk(page_rank(graph).scores, budget).indices
    return critical_nodes(graph, budget, method=strategy, steps=2).nodes  # top 10, coverage 1


def run(name: str, seeds: tuple[int, ...], strength: float) -> dict[str, Any]:
    data = load_planetoid(name)
    graph = to_graph(data)
    x = torch.as_tensor(data.features, dtype=torch.float32)
    y = torch.as_tensor(data.labels)
    ei = torch.stack([graph.sources(), graph.indices])
    words = x.sum(1)
    # a fixed direction in feature space, computed without labels or model
    sparse_rows = torch.topk(-words, max(1, x.shape[0] // 20)).indices
    direction = strength * (x.mean(0) - x[sparse_rows].mean(0)).sign()
    labelled = y >= 0
    out: dict[str, Any] = {"data": name, "strength": strength, "rates": {}}
    for fraction in (0.01, 0.03, 0.05):
        budget = max(1, int(fraction * graph.num_nodes))
        rates: dict[str, list[float]] = {s: [] for s in ("clean", *STRATEGIES)}
        for seed in seeds:
            model = train(x, ei, y, torch.as_tensor(data.train), seed)
            with torch.no_grad():
                clean = model(x, ei).argmax(1)
            rates["clean"].append(float((clean[labelled] != y[labelled]).float().mean()))
            for strategy in STRATEGIES:
                chosen = choose(strategy, graph, budget, seed)
                attacked = x.clone()
                attacked[chosen] += direction
                with torch.no_grad():
                    pred = model(attacked, ei).argmax(1)
                rates[strategy].append(float((pred[labelled] != y[labelled]).float().mean()))
        out["rates"][f"{fraction:.0%} ({budget} nodes)"] = {
            s: (float(np.mean(v)), float(np.std(v))) for s, v in rates.items()
        }
        print(
            name, fraction, {s: round(float(np.mean(v)), 4) for s, v in rates.items()}, flush=True
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", default="cora,citeseer")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--strength", type=float, default=1.0)
    args = parser.parse_args()
    results, lines = (
        [],
        ["# Attack-aware critical nodes: GCN misclassification after the attack", ""],
    )
    for name in [d for d in args.datasets.split(",") if d]:
        if not available(name=name):
            print(f"{name}: ../shared/data/planetoid absent; skipped")
            continue
        found = run(name, tuple(range(args.seeds)), args.strength)
        results.append(found)
        lines += [
            f"## {name} (lambda {args.strength}, {args.seeds} seeds; misclassification rate, all "
            "labelled nodes, mean ± spread)",
            "",
            "| budget | clean | " + " | ".join(STRATEGIES) + " |",
            "|---|---|" + "---|" * len(STRATEGIES),
        ]
        for budget, rates in found["rates"].items():
            cells = [f"{rates[s][0]:.3f} ± {rates[s][1]:.3f}" for s in ("clean", *STRATEGIES)]
            lines.append(f"| {budget} | " + " | ".join(cells) + " |")
        lines.append("")
    save_results("critical-nodes", "\n".join(lines) + "\n", results)


if __name__ == "__main__":
    main()
