"""Orbit adjacencies beside random walks for node-label prediction (Windels et al. 2024's
experiment), on the labelled networks we ship: email-Eu-core (42 departments) and Cora
(7 subjects, its citation graph only: no word features).

    python -m benchmarks.bench_orbit_embedding                 # both
    python -m benchmarks.bench_orbit_embedding --data email    # one

For each network: the 28 orbit adjacency matrices (time beside the paper's "minutes for
~20,000 nodes"), a PPMI-SVD embedding of each (GOPMI, ``embeddingDimension`` 64) and of the
random-walk co-occurrence matrices of windows 1 to 5 (RWPMI, the same factorisation), then the
same classifier for all (scikit-learn's logistic regression, 5 stratified folds; accuracy and
macro F1, mean over folds). The paper's finding is that the best orbit adjacency beats the best
random-walk matrix, often with an adjacency random walks cannot see. Writes
``benchmarks/results/<date>-<host>-orbit-embedding.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from benchmarks.run import save_results
from neo4j_gml.algorithms.graphlets.orbit_adjacency import KEYS, orbit_adjacency
from neo4j_gml.algorithms.graphlets.orbit_embedding import ppmi_embedding, random_walk_matrix
from neo4j_gml.core.graph import Graph

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
DIM = 64
#: keys random walks of up to 4 nodes can produce (the paper: walks see pairs at walk distance
#: only, never a pair's position in a denser graphlet); used to mark the "unseen" ones
WALK_SEEN = {(1, 0, 0), (2, 1, 1), (3, 4, 4)}


def email() -> tuple[Graph, np.ndarray]:
    raw = np.loadtxt(DATA / "snap" / "email-Eu-core.txt", dtype=np.int64)
    labels = np.loadtxt(DATA / "snap" / "email-Eu-core-department-labels.txt", dtype=np.int64)
    n = int(labels[:, 0].max()) + 1
    y = np.zeros(n, dtype=np.int64)
    y[labels[:, 0]] = labels[:, 1]
    return Graph.from_edges(raw[:, 0], raw[:, 1], num_nodes=n), y


def cora() -> tuple[Graph, np.ndarray]:
    from benchmarks.planetoid import load_planetoid, to_graph

    data = load_planetoid("cora", DATA / "planetoid")
    return to_graph(data), data.labels


def scores(x: np.ndarray, y: np.ndarray, seed: int = 0) -> tuple[float, float]:
    """Mean accuracy and macro F1 of logistic regression over 5 stratified folds (classes
    with fewer than 5 members are kept in training only)."""
    counts = np.bincount(y)
    usable = counts[y] >= 5
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    acc, f1 = [], []
    scale = x / (np.linalg.norm(x, axis=1, keepdims=True) + 1e-12)
    for train, test in folds.split(scale[usable], y[usable]):
        idx = np.flatnonzero(usable)
        model = LogisticRegression(max_iter=2000, C=10.0)
        model.fit(scale[idx[train]], y[idx[train]])
        pred = model.predict(scale[idx[test]])
        acc.append(float((pred == y[idx[test]]).mean()))
        f1.append(float(f1_score(y[idx[test]], pred, average="macro")))
    return float(np.mean(acc)), float(np.mean(f1))


def run(name: str, graph: Graph, y: np.ndarray) -> dict[str, Any]:
    started = time.perf_counter()
    matrices = orbit_adjacency(graph)
    adjacency_s = time.perf_counter() - started
    rows = []
    for key in KEYS:
        m = matrices[key]
        if m.values().numel() == 0:
            rows.append({"matrix": f"A{key}", "kind": "orbit", "acc": None, "f1": None})
            continue
        acc, f1 = scores(ppmi_embedding(m, DIM).numpy(), y)
        seen = "seen by walks" if key in WALK_SEEN else "unseen by walks"
        rows.append({"matrix": f"A{key}", "kind": f"orbit ({seen})", "acc": acc, "f1": f1})
    for window in range(1, 6):
        walks = random_walk_matrix(graph, window).to_sparse()
        acc, f1 = scores(ppmi_embedding(walks, DIM).numpy(), y)
        rows.append({"matrix": f"RW T={window}", "kind": "random walk", "acc": acc, "f1": f1})
    done = [r for r in rows if r["acc"] is not None]
    best_orbit = max((r for r in done if r["kind"].startswith("orbit")), key=lambda r: r["f1"])
    best_walk = max((r for r in done if r["kind"] == "random walk"), key=lambda r: r["f1"])
    return {
        "data": name,
        "nodes": graph.num_nodes,
        "adjacency_s": adjacency_s,
        "rows": rows,
        "best_orbit": best_orbit,
        "best_walk": best_walk,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="email,cora")
    args = parser.parse_args()
    torch.manual_seed(0)
    loaders = {"email": ("email-Eu-core (departments)", email), "cora": ("Cora (subjects)", cora)}
    results, lines = [], [f"# Orbit adjacency vs random-walk embeddings (PPMI-SVD, d={DIM})", ""]
    for key in [k for k in args.data.split(",") if k]:
        label, load = loaders[key]
        if not (DATA / "snap").is_dir():
            print(f"{label}: no ../shared/data; skipped")
            continue
        graph, y = load()
        found = run(label, graph, y)
        results.append(found)
        bo, bw = found["best_orbit"], found["best_walk"]
        lines += [
            f"## {label}: {found['nodes']:,} nodes; the 28 orbit adjacencies in "
            f"{found['adjacency_s']:.2f} s",
            "",
            f"Best orbit adjacency {bo['matrix']} ({bo['kind']}): accuracy {bo['acc']:.3f}, "
            f"macro F1 {bo['f1']:.3f}; best random walk {bw['matrix']}: accuracy "
            f"{bw['acc']:.3f}, macro F1 {bw['f1']:.3f}.",
            "",
            "| matrix | kind | accuracy | macro F1 |",
            "|---|---|---|---|",
        ]
        for r in found["rows"]:
            acc = "-" if r["acc"] is None else f"{r['acc']:.3f}"
            f1 = "-" if r["f1"] is None else f"{r['f1']:.3f}"
            lines.append(f"| {r['matrix']} | {r['kind']} | {acc} | {f1} |")
        lines.append("")
        print("\n".join(lines[-len(found["rows"]) - 6 :]), flush=True)
    save_results("orbit-embedding", "\n".join(lines) + "\n", results)


if __name__ == "__main__":
    main()
