"""Node classification and regression through Neo4j on the public Planetoid splits, beside the
PyG reference model and scikit-learn on the same features, in one run.

    python -m benchmarks.bench_nodepred --uri bolt://127.0.0.1:7688 --datasets cora,citeseer,pubmed

Each data set is loaded into Neo4j as ``(:PlanetoidPaper {features, subject, part})-[:CITES]->``
(``part``: 0 train, 1 validation, 2 test, the standard 140/500/1000 split of Kipf and Welling for
Cora) and read back by the procedures, so the figures include the trip through the database:

* **GCN**: ``nodeClassification.train`` with one ``GCN`` candidate (Kipf's settings: 16 hidden,
  dropout 0.5, learning rate 0.01, weight decay 5e-4, 200 epochs, the best validation epoch kept)
  and ``splitProperty: 'part'``; beside the PyG GCN trained directly on the same arrays
  (``benchmarks.bench_nodeclass.reference_gcn``). Targets 0.80 / 0.69 / 0.78 (Kipf and Welling
  report 81.5 / 70.3 / 79.0).
* **Random forest on fastRP + bag of words** (Cora): a ``fastRP`` node-property step (computed in
  memory, nothing written) and the word features into a ``RandomForest`` candidate, GDS's
  random split (``testFraction`` 0.2, 3 folds); beside scikit-learn's random forest on the same
  features and split. Target 0.70.
* **Regression** (Cora): each paper's PageRank (``gml.pageRank.write`` first) learned from its
  degree and a fastRP embedding (both steps); RMSE beside scikit-learn's random forest on the
  same features and split, and the mean predictor. ``--parts regression`` runs this alone.

Writes ``benchmarks/results/<date>-<host>-nodepred.md`` and ``.json``. Not a pass/fail test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from typing import Any

import neo4j
import numpy as np

import neo4j_gml
from benchmarks import planetoid
from benchmarks import run as bench

LABEL, REL = "PlanetoidPaper", "CITES"
GCN = {
    "method": "GCN",
    "hiddenDimension": 16,
    "dropout": 0.5,
    "learningRate": 0.01,
    "weightDecay": 5e-4,
    "epochs": 200,
    "patience": 200,
}
PROJECTION = {"nodeLabels": [LABEL], "relationshipTypes": [REL], "orientation": "UNDIRECTED"}


def load(driver: neo4j.Driver, data: planetoid.Planetoid) -> float:
    """(Re)load ``data`` into Neo4j; seconds taken."""
    started = time.perf_counter()
    with driver.session() as session:  # IN TRANSACTIONS needs an implicit transaction
        session.run(
            f"MATCH (p:{LABEL}) CALL {{ WITH p DETACH DELETE p }} IN TRANSACTIONS OF 5000 ROWS"
        ).consume()
    part = np.full(data.num_nodes, -1)
    part[data.train], part[data.val], part[data.test] = 0, 1, 2
    rows = [
        {
            "i": i,
            "f": data.features[i].tolist(),
            "s": int(data.labels[i]) if data.labels[i] >= 0 else None,
            "p": int(part[i]),
        }
        for i in range(data.num_nodes)
    ]
    for lo in range(0, len(rows), 2000):
        driver.execute_query(
            f"UNWIND $rows AS r CREATE (:{LABEL} {{i: r.i, features: r.f, subject: r.s, part: r.p}})",
            rows=rows[lo : lo + 2000],
        )
    driver.execute_query(f"CREATE INDEX planetoid_i IF NOT EXISTS FOR (p:{LABEL}) ON (p.i)")
    driver.execute_query("CALL db.awaitIndexes(300)")
    pairs = data.edges.tolist()
    for lo in range(0, len(pairs), 20000):
        driver.execute_query(
            f"UNWIND $pairs AS e MATCH (a:{LABEL} {{i: e[0]}}) MATCH (b:{LABEL} {{i: e[1]}}) "
            f"CREATE (a)-[:{REL}]->(b)",
            pairs=pairs[lo : lo + 20000],
        )
    return time.perf_counter() - started


def _drop(driver: neo4j.Driver, name: str) -> None:
    neo4j_gml.run(
        "model.drop", "stream", {"modelName": name, "failIfMissing": False}, driver=driver
    )


def gcn_through_neo4j(driver: neo4j.Driver, seed: int) -> dict[str, float]:
    _drop(driver, "bench-gcn")
    started = time.perf_counter()
    row = neo4j_gml.run(
        "nodeClassification.train",
        "stats",
        {
            **PROJECTION,
            "modelName": "bench-gcn",
            "featureProperties": ["features"],
            "targetProperty": "subject",
            "splitProperty": "part",
            "modelCandidates": [GCN],
            "randomSeed": seed,
        },
        driver=driver,
    )
    _drop(driver, "bench-gcn")
    return {"test": row["testMetrics"]["ACCURACY"], "seconds": time.perf_counter() - started}


def forest_through_neo4j(
    driver: neo4j.Driver, data: planetoid.Planetoid, seed: int
) -> dict[str, Any]:
    """RF on fastRP + words through Neo4j, and scikit-learn's on the same features and split."""
    from sklearn.ensemble import RandomForestClassifier

    from neo4j_gml.algorithms.nodepred.split import split_nodes

    step = {
        "procedure": "fastRP",
        "config": {
            "mutateProperty": "embedding",
            "embeddingDimension": 128,
            "iterationWeights": [0.0, 1.0, 1.0, 1.0],
            "randomSeed": seed,
        },
    }
    forest = {"method": "RandomForest", "numberOfDecisionTrees": 100, "maxFeaturesRatio": 0.1}
    _drop(driver, "bench-rf")
    started = time.perf_counter()
    row = neo4j_gml.run(
        "nodeClassification.train",
        "stats",
        {
            **PROJECTION,
            "modelName": "bench-rf",
            "featureProperties": ["features", "embedding"],
            "targetProperty": "subject",
            "nodePropertySteps": [step],
            "modelCandidates": [forest],
            "testFraction": 0.2,
            "validationFolds": 3,
            "metrics": ["ACCURACY", "F1_MACRO", "OUT_OF_BAG_ERROR"],
            "randomSeed": seed,
        },
        driver=driver,
    )
    seconds = time.perf_counter() - started
    _drop(driver, "bench-rf")
    # the same features in memory: the fastRP step on the graph as read, the same split
    frame = neo4j_gml.run(
        "fastRP", "stream", {**PROJECTION, **step["config"], "mutateProperty": None}, driver=driver
    )
    ids, _, _ = driver.execute_query(f"MATCH (p:{LABEL}) RETURN id(p) AS id, p.i AS i")
    position = {r["id"]: r["i"] for r in ids}
    emb = np.zeros((data.num_nodes, 128))
    for node, vector in zip(frame["nodeId"], frame["embedding"], strict=True):
        emb[position[node]] = vector
    x = np.hstack([data.features, emb])
    # the procedure splits the labelled nodes in graph order: ascending Neo4j ids
    by_id = np.array([position[i] for i in sorted(position)])
    labelled = by_id[data.labels[by_id] >= 0]
    split = split_nodes(labelled.size, labels=data.labels[labelled], test_fraction=0.2,
                        validation_folds=3, random_seed=seed)  # fmt: skip
    train, test = labelled[split.train], labelled[split.test]
    sk = RandomForestClassifier(n_estimators=100, max_features=0.1, random_state=seed, n_jobs=2)
    sk.fit(x[train], data.labels[train])
    return {
        "test": row["testMetrics"]["ACCURACY"],
        "f1Macro": row["testMetrics"]["F1_MACRO"],
        "outOfBag": row["testMetrics"]["OUT_OF_BAG_ERROR"],
        "sklearn": float(sk.score(x[test], data.labels[test])),
        "seconds": seconds,
    }


def regression_through_neo4j(driver: neo4j.Driver, seed: int) -> dict[str, float]:
    """PageRank learned from the degree and a fastRP embedding (both node-property steps):
    RMSE beside scikit-learn's forest on the same features and split, and the mean."""
    from sklearn.ensemble import RandomForestRegressor

    from neo4j_gml.algorithms.nodepred.split import split_nodes

    neo4j_gml.run("pageRank", "write", {**PROJECTION, "writeProperty": "pagerank"}, driver=driver)
    _drop(driver, "bench-reg")
    steps = [
        {"procedure": "degree", "config": {"mutateProperty": "degree"}},
        {
            "procedure": "fastRP",
            "config": {"mutateProperty": "embedding", "embeddingDimension": 64, "randomSeed": seed},
        },
    ]
    row = neo4j_gml.run(
        "nodeRegression.train",
        "stats",
        {
            **PROJECTION,
            "modelName": "bench-reg",
            "featureProperties": ["degree", "embedding"],
            "targetProperty": "pagerank",
            "nodePropertySteps": steps,
            "modelCandidates": [
                {"method": "RandomForest", "numberOfDecisionTrees": 50},
                {"method": "LinearRegression", "learningRate": 0.01},
            ],
            "metrics": ["ROOT_MEAN_SQUARED_ERROR", "MEAN_ABSOLUTE_ERROR"],
            "testFraction": 0.2,
            "randomSeed": seed,
        },  # fmt: skip
        driver=driver,
    )
    _drop(driver, "bench-reg")
    frame = neo4j_gml.run(
        "fastRP", "stream", {**PROJECTION, **steps[1]["config"], "mutateProperty": None},
        driver=driver,
    )  # fmt: skip
    degree = neo4j_gml.run("degree", "stream", PROJECTION, driver=driver)
    ranks, _, _ = driver.execute_query(f"MATCH (p:{LABEL}) RETURN id(p) AS id, p.pagerank AS r")
    rank = {r["id"]: r["r"] for r in ranks}
    x = np.hstack([degree["score"].to_numpy()[:, None], np.stack(frame["embedding"].to_numpy())])
    y = np.array([rank[i] for i in frame["nodeId"]])
    split = split_nodes(len(y), test_fraction=0.2, validation_folds=3, random_seed=seed)
    sk = RandomForestRegressor(n_estimators=50, random_state=seed, n_jobs=2)
    sk.fit(x[split.train], y[split.train])
    sk_rmse = float(np.sqrt(np.mean((sk.predict(x[split.test]) - y[split.test]) ** 2)))
    mean_rmse = float(np.sqrt(np.mean((y[split.train].mean() - y[split.test]) ** 2)))
    return {
        "rmse": row["testMetrics"]["ROOT_MEAN_SQUARED_ERROR"],
        "mae": row["testMetrics"]["MEAN_ABSOLUTE_ERROR"],
        "best": row["modelSelectionStats"]["bestParameters"]["method"],
        "sklearnRmse": sk_rmse,
        "meanRmse": mean_rmse,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--uri", default=os.environ.get("NEO4J_BENCH_URI", "bolt://127.0.0.1:7687"))
    parser.add_argument("--datasets", default="cora,citeseer,pubmed")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--parts", default="gcn,forest,regression")
    args = parser.parse_args(argv)
    parts = {p.strip() for p in args.parts.split(",")}
    from benchmarks.bench_nodeclass import reference_gcn

    results: dict[str, Any] = {}
    with neo4j.GraphDatabase.driver(
        args.uri,
        auth=("neo4j", os.environ.get("NEO4J_PASSWORD", "")),
        notifications_min_severity="OFF",
    ) as driver:
        for name in [s.strip() for s in args.datasets.split(",") if s.strip()]:
            if not planetoid.available(name=name):
                print(f"skipped {name}: its files are absent", file=sys.stderr)
                continue
            data = planetoid.load_planetoid(name)
            out: dict[str, Any] = {"load_s": load(driver, data)}
            seeds = range(args.repeat)
            if "gcn" in parts:
                ours = [gcn_through_neo4j(driver, s) for s in seeds]
                ref = [reference_gcn(data, s) for s in seeds]
                out["gcn"] = [r["test"] for r in ours]
                out["gcn_s"] = statistics.fmean(r["seconds"] for r in ours)
                out["pyg"] = [r["test"] for r in ref]
            if name == "cora" and "forest" in parts:
                out["forest"] = forest_through_neo4j(driver, data, 0)
            if name == "cora" and "regression" in parts:
                out["regression"] = regression_through_neo4j(driver, 0)
            results[name] = out
            print(name, json.dumps(out, default=str), flush=True)
    machine = bench._machine()

    def pm(values: list[float]) -> str:
        sd = statistics.stdev(values) if len(values) > 1 else 0.0
        return f"{statistics.fmean(values):.3f} ± {sd:.3f}"

    targets = {"cora": 0.80, "citeseer": 0.69, "pubmed": 0.78}
    lines = [
        "# Node classification through Neo4j on the Planetoid splits",
        "",
        f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC; {machine['host']}, "
        f"{machine['cores']} cores, CPU; {args.repeat} seeds.",
        "",
        "| data set | GCN through Neo4j (nodeClassification.train) | PyG GCN directly | target | "
        "seconds per train |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, out in results.items():
        if "gcn" not in out:
            continue
        lines.append(
            f"| {name} | {pm(out['gcn'])} | {pm(out['pyg'])} | {targets.get(name, 0):.2f} | "
            f"{out['gcn_s']:.1f} |"
        )
    cora = results.get("cora", {})
    if "forest" in cora:
        f = cora["forest"]
        lines += [
            "",
            "Cora, random split (testFraction 0.2, 3 folds), random forest (100 trees, "
            "maxFeaturesRatio 0.1) on the words and a 128-d fastRP step: test accuracy "
            f"**{f['test']:.3f}** (F1 macro {f['f1Macro']:.3f}, out-of-bag error "
            f"{f['outOfBag']:.3f}; target 0.70), scikit-learn's forest on the same features and "
            f"split {f['sklearn']:.3f}; {f['seconds']:.1f} s through Neo4j.",
        ]
    if "regression" in cora:
        r = cora["regression"]
        lines += [
            "",
            "Cora, regression of each paper's PageRank from its degree and a 64-d fastRP "
            "embedding (both node-property steps; winner: "
            f"{r['best']}): test RMSE **{r['rmse']:.4f}** (MAE {r['mae']:.4f}), scikit-learn's "
            f"forest {r['sklearnRmse']:.4f}, the training mean {r['meanRmse']:.4f}.",
        ]
    text = "\n".join(lines) + "\n"
    suffix = "" if parts == {"gcn", "forest", "regression"} else "-" + "-".join(sorted(parts))
    bench.save_results(f"nodepred{suffix}", text, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
