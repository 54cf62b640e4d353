"""PSGNN (learned anchors) against the plain GNNs, where position matters and on Cora.

Every model is trained by the same trainer (:func:`~neo4j_gml.algorithms.linkpred.gnn.
train_link_model`: binary cross-entropy against uniform negatives, target-link removal, the best
validation HR@K kept) on a random 70/10/20 split of the undirected edges with one uniform
negative per validation / test edge (``split_edges(adj, test_fraction=0.2,
validation_fraction=0.1, seed=seed)``), as in ``bench_linkpred``. Models: ``GAE`` (GCN + dot
product, the plain GNN), ``NCN`` (GCN + common-neighbour MLP), ``PSGNN`` (GCN backbone, the
top-k learned anchors, P-GNN layers) and, on the generated graphs, two PSGNN ablations: anchors
sampled by Gumbel-top-k from the learned scores (``temperature = 1``) and anchors drawn
uniformly at random each step (``temperature = 1e6``: P-GNN's random anchors, single nodes).

- **Where position matters** (as in P-GNN's synthetic link-prediction graphs): a 20 x 20
  grid (P-GNN's grid) and a ring of 40 cliques of 6 nodes (P-GNN's "communities" are 20 caveman
  cliques of 20; smaller cliques keep common neighbours from deciding every pair), both with a
  constant feature, so that only a node's position can tell it from another. Width 32 (P-GNN's),
  50 epochs, batch 256, learning rate 0.01, no input dropout (it would turn the constant feature
  into random noise); test AUC and HR@20 over ``--seeds`` seeds.
- **Cora** (bag-of-words features): the NCN settings of ``bench_linkpred`` (width 256, 100
  epochs, batch 1152, learning rate 0.003, input dropout 0.7); test AUC and HR@100 over
  ``--cora-seeds`` seeds.

Run: ``python -m benchmarks.bench_psgnn [--seeds 3] [--cora-seeds 1] [--epochs 50]
[--cora-epochs 100] [--threads 1] [--skip-cora] [--skip-synthetic]``. The default run takes about
7 minutes on the shared 2-core CPU with one torch thread, most of it PSGNN on Cora (4.5 minutes a
seed).

Measured 2026-12-02 on the shared 2-core CPU (busy with other jobs; torch 1 thread; run with
``--cora-seeds 3``, 16 minutes), test AUC / HR@K in percent, mean +- std over seeds 0-2, seconds
per seed (train + evaluation)::

    graph                 model                  AUC            HR@K           s/seed
    grid 20x20            GAE                    54.92 +- 2.81   8.55 +- 4.40     0.8
    grid 20x20            NCN                    72.48 +- 1.13  34.43 +- 2.48     0.6
    grid 20x20            PSGNN                  90.11 +- 0.64  72.37 +- 2.84     4.3
    grid 20x20            PSGNN Gumbel anchors   87.85 +- 1.68  69.74 +- 2.46     3.3
    grid 20x20            PSGNN random anchors   87.85 +- 1.64  69.30 +- 2.48     2.8
    ring of 40 6-cliques  GAE                    33.75 +- 2.15   4.95 +- 0.74     0.2
    ring of 40 6-cliques  NCN                    94.81 +- 1.18  92.19 +- 1.28     0.4
    ring of 40 6-cliques  PSGNN                  96.91 +- 1.07  93.75 +- 2.30     1.2
    ring of 40 6-cliques  PSGNN Gumbel anchors   96.32 +- 0.77  91.15 +- 3.51     1.1
    ring of 40 6-cliques  PSGNN random anchors   96.28 +- 1.32  90.10 +- 4.34     1.1
    Cora                  GAE                    93.24 +- 0.23  82.58 +- 0.66    11.1
    Cora                  NCN                    95.47 +- 0.57  88.95 +- 0.32    36.5
    Cora                  PSGNN                  80.59 +- 0.75  57.95 +- 2.29   272.1

Where only position tells nodes apart, PSGNN is far ahead of the plain GNN (GAE sees degrees
only, and ranks below chance on the ring) and of NCN on the grid (the two ends of a grid edge
have no common neighbour); on the ring of cliques NCN's common neighbours do as well. Learned
top-k anchors beat Gumbel-sampled and uniformly random anchors by 2.3 AUC points on the grid and
by less than one on the ring: about 1.3 standard deviations of the difference over 3 seeds, so
not conclusive. On Cora, where the features carry the signal, the position embedding is far
behind GAE: about 17% of the nodes of the training graph are out of reach of every anchor
(isolated or in small components) and get a zero embedding, and the covered ones see the
features only through distance-weighted anchor messages; PSGNN's best epoch was 85-90 of 100, so
longer training would gain a little.

The PSGNN paper reports, on average, 18% higher link-prediction AUC than the best earlier
position-aware GNN (P-GNN) on its synthetic and real graphs (abstract; its tables were not
available to us), and P-GNN reports that plain GNNs stay near chance on grids and communities
without node features, as GAE does here.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import networkx as nx
import numpy as np
import torch

from neo4j_gml.algorithms.linkpred import adjacency
from neo4j_gml.algorithms.linkpred.adjacency import Adjacency
from neo4j_gml.algorithms.linkpred.gnn import train_link_model
from neo4j_gml.algorithms.linkpred.split import split_edges

# (graph, model, test AUCs, test HR@Ks, seconds), one entry per seed
Row = tuple[str, str, list[float], list[float], list[float]]

SYNTHETIC_TRAIN = {
    "hidden": 32,
    "batch_size": 256,
    "learning_rate": 0.01,
    "input_dropout": 0.0,
    "k": 20,
}
CORA_TRAIN = {
    "hidden": 256,
    "batch_size": 1152,
    "learning_rate": 0.003,
    "input_dropout": 0.7,
    "dropout": 0.05,
    "k": 100,
}
# printed name -> (model of train_link_model, its options)
VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    "GAE": ("GAE", {}),
    "NCN": ("NCN", {}),
    "PSGNN": ("PSGNN", {}),
    "PSGNN Gumbel anchors": ("PSGNN", {"temperature": 1.0}),
    "PSGNN random anchors": ("PSGNN", {"temperature": 1e6}),
}
CORA_VARIANTS = ("GAE", "NCN", "PSGNN")


def _adjacency(g: nx.Graph) -> Adjacency:
    g = nx.convert_node_labels_to_integers(g)
    src, dst = zip(*g.edges(), strict=True)
    return adjacency.from_edges(torch.tensor(src), torch.tensor(dst), g.number_of_nodes())


def _run(
    name: str,
    adj: Adjacency,
    x: torch.Tensor,
    variants: tuple[str, ...],
    seeds: tuple[int, ...],
    train: dict[str, Any],
    epochs: int,
) -> list[Row]:
    rows = []
    for variant in variants:
        model, options = VARIANTS[variant]
        aucs, hits, secs = [], [], []
        for seed in seeds:
            split = split_edges(adj, test_fraction=0.2, validation_fraction=0.1, seed=seed)
            started = time.perf_counter()
            _, report = train_link_model(
                x, split, model=model, options=options, epochs=epochs, seed=seed, **train
            )
            secs.append(time.perf_counter() - started)
            aucs.append(100 * report.test["aucRoc"])
            hits.append(100 * report.test["hitsAtK"])
            print(
                f"{name} {variant} seed {seed}: AUC {aucs[-1]:.2f} HR@{train['k']} "
                f"{hits[-1]:.2f} (best epoch {report.best_epoch}, {secs[-1]:.1f} s)",
                flush=True,
            )
        rows.append((name, variant, aucs, hits, secs))
    return rows


def synthetic(seeds: tuple[int, ...], epochs: int) -> list[Row]:
    graphs: dict[str, Callable[[], nx.Graph]] = {
        "grid 20x20": lambda: nx.grid_2d_graph(20, 20),
        "ring of 40 6-cliques": lambda: nx.ring_of_cliques(40, 6),
    }
    rows = []
    for name, make in graphs.items():
        adj = _adjacency(make())
        x = torch.ones(adj.num_nodes, 1)
        rows += _run(name, adj, x, tuple(VARIANTS), seeds, SYNTHETIC_TRAIN, epochs)
    return rows


def cora(seeds: tuple[int, ...], epochs: int) -> list[Row]:
    from benchmarks.bench_embeddings import load_cora

    graph, feats, _ = load_cora()
    adj = adjacency.from_graph(graph)
    x = torch.as_tensor(feats, dtype=torch.float32).to_sparse()
    return _run("Cora", adj, x, CORA_VARIANTS, seeds, CORA_TRAIN, epochs)


def _table(rows: list[Row]) -> str:
    lines = [
        f"{'graph':<22} {'model':<21} {'AUC':>14} {'HR@K':>14} {'s/seed':>7}",
    ]
    for name, variant, aucs, hits, secs in rows:
        lines.append(
            f"{name:<22} {variant:<21} {np.mean(aucs):6.2f} ± {np.std(aucs):5.2f} "
            f"{np.mean(hits):6.2f} ± {np.std(hits):5.2f} {np.mean(secs):7.1f}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=3, help="seeds on the generated graphs")
    parser.add_argument("--cora-seeds", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=50, help="epochs on the generated graphs")
    parser.add_argument("--cora-epochs", type=int, default=100)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (0: default)")
    parser.add_argument("--skip-synthetic", action="store_true")
    parser.add_argument("--skip-cora", action="store_true")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    rows = []
    if not args.skip_synthetic:
        rows += synthetic(tuple(range(args.seeds)), args.epochs)
    if not args.skip_cora:
        rows += cora(tuple(range(args.cora_seeds)), args.cora_epochs)
    print(
        f"\ntest AUC and HR@K (K = {SYNTHETIC_TRAIN['k']} generated, {CORA_TRAIN['k']} Cora), "
        "percent, mean ± std over seeds"
    )
    print(_table(rows))


if __name__ == "__main__":
    main()
