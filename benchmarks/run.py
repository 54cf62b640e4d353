"""neo4j_gml beside Open GDS on the same local Neo4j: end-to-end times, phases, agreement.

    python -m benchmarks.run                       # 100k and 1M relationships
    python -m benchmarks.run --sizes 100k          # one size
    python -m benchmarks.run --sizes 100k,1M,5M    # 5M: loading alone takes many minutes here
    python -m benchmarks.run --sizes snap          # the SNAP graphs in ../shared/data/snap
    python -m benchmarks.run --uri bolt://...      # a Neo4j that already has GDS (NEO4J_PASSWORD)

Without ``--uri`` it starts (or reuses) a local Neo4j 5.26 with Open GDS 2.13 in
``.neo4j-home/bench-gds`` on a free port (``neo4j_gml.local_neo4j.start(with_gds=True)``); it is
left running for the next run (``--stop`` stops it at the end).

For each size it loads a generated power-law graph (:func:`benchmarks.graphs.power_law_edges`,
10 relationships per node) or, for ``snap`` / ``snap:<file>``, each SNAP edge list found in
``../shared/data/snap`` (skipped with a message when the folder is absent), plus a
16-dimensional clustered ``vec`` property per node for knn, reusing it when the database already
holds exactly that graph (a ``(:BenchGraph {name})`` node records which). Above 1M
relationships nodeSimilarity is skipped unless named in ``--algos`` explicitly (GDS took over
9 minutes for it at 1M here). Then, for pageRank, wcc,
louvain, fastRP, nodeSimilarity and knn, it times end to end:

* **neo4j_gml**: ``neo4j_gml.run(name, 'write', cfg, driver=...)`` (read the projection over
  Bolt, compute on torch, write back over Bolt), phases from its ``preProcessingMillis``
  (the read), ``computeMillis`` and ``writeMillis``;
* **GDS**: ``gds.graph.project`` + ``gds.<algo>.write`` + ``gds.graph.drop`` at concurrency 4
  (GDS Community's maximum), phases from ``projectMillis``, ``computeMillis`` and
  ``writeMillis``.

It then checks that the written results agree (scores: largest relative difference; partitions:
NMI and both modularities; similarity relationships: per-node sorted score lists, which is robust
to ties; knn: recall of both against the exact neighbours of sampled nodes; fastRP: the correlation
of the cosine similarities of node pairs under the two embeddings, as two random projections
of the same propagation preserve the same geometry only up to noise) and times compute-only
NetworkX and igraph runs where they are cheap. The raw Bolt throughput of a trivial
``collect()`` query on the same relationships is measured as the practical read limit.

Writes ``benchmarks/results/<date>-<host>.md`` (tables), ``.json`` (raw numbers) and ``.png``
(stacked phase bars).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import neo4j
import numpy as np

import neo4j_gml
from benchmarks import gds
from benchmarks.graphs import clear, load_into_neo4j, power_law_edges

LABEL, REL = "Bench", "LINKS"
RESULTS = Path(__file__).resolve().parent / "results"
SIZES = {"100k": 100_000, "1M": 1_000_000, "5M": 5_000_000}
SNAP = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "snap"
ALGOS = ("pageRank", "wcc", "louvain", "fastRP", "nodeSimilarity", "knn")
CONCURRENCY = 4
TOP_K = 5
DIM = 128
VEC_DIM = 16


# ------------------------------------------------------------------------------ what each runs


def _specs() -> dict[str, dict[str, Any]]:
    """Per algorithm: our config, GDS's config, GDS's projection and what is written."""
    base = {"nodeLabels": [LABEL], "relationshipTypes": [REL], "concurrency": CONCURRENCY}
    return {
        "pageRank": {
            "gml": {**base, "writeProperty": "gml_pageRank"},
            "gds": {"writeProperty": "gds_pageRank"},
            "orientation": "NATURAL",
            "kind": "score",
        },
        "wcc": {
            "gml": {**base, "writeProperty": "gml_wcc"},
            "gds": {"writeProperty": "gds_wcc"},
            "orientation": "NATURAL",
            "kind": "partition",
        },
        "louvain": {
            "gml": {**base, "orientation": "UNDIRECTED", "writeProperty": "gml_louvain"},
            "gds": {"writeProperty": "gds_louvain"},
            "orientation": "UNDIRECTED",
            "kind": "partition",
        },
        "fastRP": {
            "gml": {
                **base,
                "orientation": "UNDIRECTED",
                "embeddingDimension": DIM,
                "randomSeed": 42,
                "writeProperty": "gml_fastRP",
            },
            "gds": {"embeddingDimension": DIM, "randomSeed": 42, "writeProperty": "gds_fastRP"},
            "orientation": "UNDIRECTED",
            "kind": "embedding",
        },
        "nodeSimilarity": {
            "gml": {
                **base,
                "topK": TOP_K,
                "writeRelationshipType": "GML_NS",
                "writeProperty": "score",
            },
            "gds": {"topK": TOP_K, "writeRelationshipType": "GDS_NS", "writeProperty": "score"},
            "orientation": "NATURAL",
            "kind": "pairs",
        },
        "knn": {
            "gml": {
                **base,
                "nodeProperties": ["vec"],
                "topK": TOP_K,
                "writeRelationshipType": "GML_KNN",
                "writeProperty": "score",
            },
            "gds": {
                "nodeProperties": ["vec"],
                "topK": TOP_K,
                "writeRelationshipType": "GDS_KNN",
                "writeProperty": "score",
            },
            "orientation": "NATURAL",
            "node_properties": ["vec"],
            "kind": "knn",
        },
    }


# ---------------------------------------------------------------------------------- the graph


def _clustered_vectors(n: int, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(32, VEC_DIM))
    return centres[rng.integers(0, 32, size=n)] + 0.5 * rng.normal(size=(n, VEC_DIM))


def snap_graphs(spec: str) -> list[str]:
    """``snap`` -> every SNAP edge list present (smallest first); ``snap:<stem>`` -> that one."""
    if not SNAP.is_dir():
        return []
    files = sorted(SNAP.glob("*.txt"), key=lambda f: f.stat().st_size)
    files = [f for f in files if "labels" not in f.name]
    if spec != "snap":
        files = [f for f in files if f.stem == spec.split(":", 1)[1]]
    return [f"snap:{f.stem}" for f in files]


def _edges_of(name: str) -> tuple[np.ndarray, np.ndarray, int]:
    """Positions ``(src, dst)`` and the node count of a size (``1M``) or ``snap:<stem>``."""
    if name.startswith("snap:"):
        raw = np.loadtxt(SNAP / f"{name[5:]}.txt", comments="#", dtype=np.int64, ndmin=2)
        uniq, inverse = np.unique(raw[:, :2], return_inverse=True)
        inverse = inverse.reshape(-1, 2)
        return inverse[:, 0], inverse[:, 1], int(uniq.size)
    relationships = SIZES[name]
    n = max(relationships // 10, 10)
    src, dst = power_law_edges(n, relationships)
    return src, dst, n


def ensure_graph(driver: neo4j.Driver, name: str) -> dict[str, Any]:
    """Load the graph ``name`` (a size or ``snap:<stem>``) unless it is already there."""
    src, dst, n = _edges_of(name)
    loaded = driver.execute_query(
        "OPTIONAL MATCH (g:BenchGraph) RETURN collect(g.name) AS names"
    ).records[0]["names"]
    if loaded == [name]:
        return {"name": name, "nodes": n, "relationships": int(src.size), "load_s": None}
    print(f"loading {name}: {n:,} nodes and {src.size:,} relationships ...", flush=True)
    clear(driver)
    driver.execute_query("MATCH (g:BenchGraph) DELETE g")
    node_ids, seconds = load_into_neo4j(driver, src, dst, n, label=LABEL, rel=REL)
    started = time.perf_counter()
    vec = _clustered_vectors(n)
    for lo in range(0, n, 20_000):
        hi = min(lo + 20_000, n)
        driver.execute_query(
            "UNWIND range(0, size($ids) - 1) AS i MATCH (n) WHERE id(n) = $ids[i] "
            "SET n.vec = $v[i]",
            ids=node_ids[lo:hi].tolist(),
            v=vec[lo:hi].tolist(),
        )
    driver.execute_query("CREATE (:BenchGraph {name: $name})", name=name)
    seconds += time.perf_counter() - started
    print(f"loaded in {seconds:.0f} s", flush=True)
    return {"name": name, "nodes": n, "relationships": int(src.size), "load_s": round(seconds, 1)}


def _delete_written(driver: neo4j.Driver) -> None:
    """Remove relationships written by earlier runs (untimed, so that neither side pays)."""
    for rel_type in ("GML_NS", "GDS_NS", "GML_KNN", "GDS_KNN"):
        with driver.session() as session:
            session.run(
                f"MATCH ()-[r:{rel_type}]->() CALL {{ WITH r DELETE r }} "
                "IN TRANSACTIONS OF 50000 ROWS"
            ).consume()


# -------------------------------------------------------------------------------- agreement


def _node_columns(driver: neo4j.Driver, a: str, b: str) -> tuple[np.ndarray, np.ndarray]:
    rec = driver.execute_query(
        f"MATCH (n:{LABEL}) RETURN collect(n.{a}) AS a, collect(n.{b}) AS b"
    ).records[0]
    return np.asarray(rec["a"], dtype=np.float64), np.asarray(rec["b"], dtype=np.float64)


def _pairs(driver: neo4j.Driver, rel_type: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rec = driver.execute_query(
        f"MATCH (a)-[r:{rel_type}]->(b) "
        "RETURN collect(id(a)) AS s, collect(id(b)) AS t, collect(r.score) AS w"
    ).records[0]
    return (
        np.asarray(rec["s"], dtype=np.int64),
        np.asarray(rec["t"], dtype=np.int64),
        np.asarray(rec["w"], dtype=np.float64),
    )


def _sorted_score_lists(s: np.ndarray, w: np.ndarray) -> dict[int, np.ndarray]:
    order = np.lexsort((-w, s))
    s, w = s[order], w[order]
    cuts = np.flatnonzero(np.diff(s)) + 1
    return {
        int(g[0]): ws for g, ws in zip(np.split(s, cuts), np.split(w, cuts), strict=True) if g.size
    }


def _exact_knn_sample(driver: neo4j.Driver, sample: int = 2_000) -> dict[int, set[int]]:
    """Exact cosine top-``TOP_K`` neighbours (Neo4j ids) of ``sample`` random nodes."""
    rec = driver.execute_query(
        f"MATCH (n:{LABEL}) RETURN collect(id(n)) AS ids, collect(n.vec) AS v"
    ).records[0]
    ids = np.asarray(rec["ids"], dtype=np.int64)
    vec = np.asarray(rec["v"], dtype=np.float64)
    vec /= np.maximum(np.linalg.norm(vec, axis=1, keepdims=True), 1e-300)
    rows = np.random.default_rng(0).choice(ids.size, min(sample, ids.size), replace=False)
    out: dict[int, set[int]] = {}
    step = max(1, 20_000_000 // ids.size)  # rows per block: about 160 MB of similarities
    for lo in range(0, rows.size, step):
        block = rows[lo : lo + step]
        sims = vec[block] @ vec.T
        sims[np.arange(block.size), block] = -np.inf
        top = np.argpartition(-sims, TOP_K, axis=1)[:, :TOP_K]
        out.update({int(ids[r]): set(ids[t].tolist()) for r, t in zip(block, top, strict=True)})
    return out


def _recall(exact: dict[int, set[int]], src: np.ndarray, dst: np.ndarray) -> float:
    """Share of the exact neighbours of the sampled nodes that a written result found."""
    found: dict[int, set[int]] = {}
    for s, t in zip(src.tolist(), dst.tolist(), strict=True):
        if s in exact:
            found.setdefault(s, set()).add(t)
    hits = sum(len(want & found.get(node, set())) for node, want in exact.items())
    return hits / max(sum(len(want) for want in exact.values()), 1)


def agreement(
    driver: neo4j.Driver, algo: str, spec: dict[str, Any], ours: dict, theirs: dict
) -> str:
    """A one-line verdict on whether the two written results agree."""
    from neo4j_gml.algorithms.community.metrics import nmi

    kind = spec["kind"]
    if kind == "score":
        a, b = _node_columns(driver, f"gml_{algo}", f"gds_{algo}")
        rel = float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-12)))
        return f"max rel. diff {rel:.1e} ({'ok' if rel < 1e-4 else 'DIFFERS'})"
    if kind == "partition":
        a, b = _node_columns(driver, f"gml_{algo}", f"gds_{algo}")
        score = nmi(a.astype(np.int64).tolist(), b.astype(np.int64).tolist())
        text = f"NMI {score:.3f}; communities {len(np.unique(a))} vs {len(np.unique(b))}"
        if algo == "louvain":
            text += f"; modularity {ours.get('modularity', float('nan')):.4f}"
            text += f" vs {theirs.get('modularity', float('nan')):.4f}"
        return text
    if kind == "embedding":
        # A sample of nodes: collecting every embedding would outgrow the transaction memory
        # pool at 5M (500k x 2 x 128 numbers in one row).
        every = driver.execute_query(f"MATCH (n:{LABEL}) RETURN collect(id(n)) AS ids").records[0]
        sample = np.random.default_rng(1).permutation(np.asarray(every["ids"], np.int64))[:5_000]
        rec = driver.execute_query(
            f"UNWIND $ids AS i MATCH (n:{LABEL}) WHERE id(n) = i "
            f"RETURN collect(i) AS ids, collect(n.gml_{algo}) AS a, collect(n.gds_{algo}) AS b",
            ids=sample.tolist(),
        ).records[0]
        ea, eb = np.asarray(rec["a"], np.float64), np.asarray(rec["b"], np.float64)
        # The yardstick: our own embedding with another seed (random-projection noise only).
        cfg = {k: v for k, v in spec["gml"].items() if k != "writeProperty"}
        other = neo4j_gml.run(algo, "stream", {**cfg, "randomSeed": 43}, driver=driver)
        pos = {int(i): k for k, i in enumerate(rec["ids"])}
        ec = np.zeros_like(ea)
        for node, emb in zip(other["nodeId"].tolist(), other["embedding"], strict=True):
            if int(node) in pos:
                ec[pos[int(node)]] = emb
        rng = np.random.default_rng(0)
        n = ea.shape[0]
        i, j = rng.integers(0, n, 20_000), rng.integers(0, n, 20_000)

        def cos(e: np.ndarray) -> np.ndarray:
            num = (e[i] * e[j]).sum(1)
            den = np.linalg.norm(e[i], axis=1) * np.linalg.norm(e[j], axis=1)
            return num / np.maximum(den, 1e-12)

        ca, cb, cc = cos(ea), cos(eb), cos(ec)
        r = float(np.corrcoef(ca, cb)[0, 1])
        r_seed = float(np.corrcoef(ca, cc)[0, 1])
        return (
            f"pair-cosine corr. with GDS {r:.3f}, with our other seed {r_seed:.3f} "
            f"(mean cos {ca.mean():.3f} vs GDS {cb.mean():.3f})"
        )
    if kind == "pairs":
        sa, _, wa = _pairs(driver, "GML_NS")
        sb, _, wb = _pairs(driver, "GDS_NS")
        la, lb = _sorted_score_lists(sa, wa), _sorted_score_lists(sb, wb)
        same = sum(
            1
            for k, v in lb.items()
            if k in la and la[k].size == v.size and np.allclose(la[k], v, atol=1e-6)
        )
        return (
            f"{len(sa):,} vs {len(sb):,} pairs; per-node top-{TOP_K} scores equal for "
            f"{same / max(len(lb), 1):.1%} of nodes"
        )
    if kind == "knn":
        sa, ta, wa = _pairs(driver, "GML_KNN")
        sb, tb, wb = _pairs(driver, "GDS_KNN")
        exact = _exact_knn_sample(driver)
        return (
            f"recall vs exact top-{TOP_K} ({len(exact):,} sampled nodes): "
            f"{_recall(exact, sa, ta):.1%} vs GDS {_recall(exact, sb, tb):.1%}; mean sim. "
            f"{wa.mean():.4f} vs {wb.mean():.4f}"
        )
    return ""


# ---------------------------------------------------------------------------- compute-only


def _timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def compute_only(driver: neo4j.Driver, relationships: int) -> dict[str, dict[str, float]]:
    """Seconds of NetworkX and igraph on the same graph (conversion not counted), and the raw
    Bolt and ``read_graph`` rates."""
    import igraph
    import networkx as nx

    from neo4j_gml.io.read import Projection, read_graph

    out: dict[str, dict[str, float]] = {"io": {}}
    t = _timed(
        lambda: driver.execute_query(
            f"MATCH (a:{LABEL})-[r:{REL}]->(b) RETURN collect(id(a)) AS s, collect(id(b)) AS t"
        )
    )
    out["io"]["raw Bolt collect() rel/s"] = relationships / t
    started = time.perf_counter()
    graph, report = read_graph(driver, Projection((LABEL,), (REL,)), concurrency=CONCURRENCY)
    out["io"]["read_graph rel/s"] = report.relationship_count / (time.perf_counter() - started)

    src, dst = graph.edge_index()
    src, dst = src.cpu().numpy(), dst.cpu().numpy()
    n = graph.num_nodes
    ig_d = igraph.Graph(n=n, edges=np.column_stack([src, dst]).tolist(), directed=True)
    ig_u = ig_d.as_undirected(mode="each")
    ig_u.simplify(multiple=True, loops=True)
    nx_d = nx.DiGraph()
    nx_d.add_nodes_from(range(n))
    nx_d.add_edges_from(zip(src.tolist(), dst.tolist(), strict=True))
    out["pageRank"] = {
        "networkx": _timed(lambda: nx.pagerank(nx_d, alpha=0.85, max_iter=100, tol=1e-7)),
        "igraph": _timed(lambda: ig_d.pagerank(damping=0.85)),
    }
    out["wcc"] = {
        "networkx": _timed(lambda: list(nx.weakly_connected_components(nx_d))),
        "igraph": _timed(lambda: ig_d.connected_components(mode="weak")),
    }
    out["louvain"] = {"igraph": _timed(lambda: ig_u.community_multilevel())}
    if relationships <= 200_000:
        nx_u = nx_d.to_undirected()
        out["louvain"]["networkx"] = _timed(lambda: nx.community.louvain_communities(nx_u, seed=1))
    return out


# ------------------------------------------------------------------------------------- runs


def run_pair(driver: neo4j.Driver, algo: str, spec: dict[str, Any]) -> dict[str, Any]:
    """Both sides of one algorithm, end to end, and their agreement."""
    _delete_written(driver)
    started = time.perf_counter()
    ours = neo4j_gml.run(algo, "write", spec["gml"], driver=driver)
    gml_total = time.perf_counter() - started
    theirs = gds.run_write(
        driver,
        algo,
        spec["gds"],
        label=LABEL,
        rel=REL,
        orientation=spec["orientation"],
        node_properties=spec.get("node_properties"),
        concurrency=CONCURRENCY,
    )
    verdict = agreement(driver, algo, spec, ours, theirs.row)
    return {
        "algo": algo,
        "gml": {
            "total_s": gml_total,
            "read_ms": float(ours.get("preProcessingMillis", 0)),
            "compute_ms": float(ours.get("computeMillis", 0)),
            "write_ms": float(ours.get("writeMillis", 0)),
            "written": int(
                ours.get("nodePropertiesWritten") or ours.get("relationshipsWritten") or 0
            ),
        },
        "gds": {
            "total_s": theirs.total_s,
            "project_ms": theirs.project_ms,
            "compute_ms": theirs.compute_ms + theirs.pre_ms,
            "write_ms": theirs.write_ms + theirs.post_ms,
            "written": int(
                theirs.row.get("nodePropertiesWritten")
                or theirs.row.get("relationshipsWritten")
                or 0
            ),
        },
        "agreement": verdict,
    }


def run_repeated(
    driver: neo4j.Driver, algo: str, spec: dict[str, Any], repeat: int
) -> dict[str, Any]:
    """:func:`run_pair` up to ``repeat`` times (fewer when one pair takes over two minutes: the
    noise that repeating averages out matters for short runs); each side keeps the run with
    its median total, the agreement is that of the last run."""
    runs = []
    for _ in range(max(1, repeat)):
        runs.append(run_pair(driver, algo, spec))
        if runs[-1]["gml"]["total_s"] + runs[-1]["gds"]["total_s"] > 120:
            break
    out = dict(runs[-1])
    for side in ("gml", "gds"):
        by_total = sorted((r[side] for r in runs), key=lambda s: s["total_s"])
        out[side] = by_total[(len(by_total) - 1) // 2]
    out["runs"] = len(runs)
    return out


def _warm_up(driver: neo4j.Driver) -> None:
    """Touch the store, load GDS's and torch's code paths once (untimed)."""
    driver.execute_query(f"MATCH (a:{LABEL})-[r:{REL}]->(b) RETURN count(*) AS c")
    neo4j_gml.run(
        "pageRank", "stats", {"nodeLabels": [LABEL], "relationshipTypes": [REL]}, driver=driver
    )
    gds.project(driver, "warm", LABEL, REL)
    driver.execute_query("CALL gds.pageRank.stats('warm') YIELD ranIterations")
    gds.drop(driver, "warm")


# ---------------------------------------------------------------------------------- reporting


def save_results(name: str, text: str, payload: Any) -> Path:
    """Write ``<date>-<host>-<name>.md`` (``text``) and ``.json`` (``payload``) into
    :data:`RESULTS`, print the text, and return the path without its suffix."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = RESULTS / f"{dt.date.today().isoformat()}-{socket.gethostname()}-{name}"
    Path(f"{stem}.md").write_text(text)
    Path(f"{stem}.json").write_text(json.dumps(payload, indent=1, default=str))
    print(text)
    print(f"saved {stem}.md and .json")
    return stem


def _machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    import torch

    return {
        "host": socket.gethostname(),
        "cpu": model or platform.processor(),
        "cores": os.cpu_count(),
        "memory": mem,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "device": "cuda" if torch.cuda.is_available() else "cpu",
    }


def _rate(side: dict[str, Any]) -> str:
    if not side.get("written") or not side["write_ms"]:
        return "–"
    return f"{side['written'] / (side['write_ms'] / 1e3):,.0f}"


def _ratio(r: dict[str, Any]) -> float:
    return r["gml"]["total_s"] / max(r["gds"]["total_s"], 1e-9)


def _title(graph: dict[str, Any]) -> str:
    name = graph.get("name") or ""
    return f"SNAP {name[5:]}" if name.startswith("snap:") else f"power-law {name}".strip()


def markdown(meta: dict[str, Any], sizes: list[dict[str, Any]]) -> str:
    m = meta["machine"]
    lines = [
        f"# neo4j_gml vs Open GDS {meta['gds_version']} on Neo4j {meta['neo4j_version']}",
        "",
        f"{meta['date']}; host `{m['host']}`: {m['cpu']}, {m['cores']} cores, {m['memory']}; "
        f"torch {m['torch']} on {m['device']}; Python {m['python']}; Neo4j heap "
        f"{meta.get('neo4j_heap_gib', '?')} GiB. Concurrency {CONCURRENCY} "
        "on both sides (GDS Community's maximum). Each side's median run of `runs` (the "
        "machine is shared: load averages below); times in seconds.",
        "",
    ]
    for size in sizes:
        g = size["graph"]
        lines += [
            f"## {_title(g)}: {g['relationships']:,} relationships, {g['nodes']:,} nodes",
            "",
            f"Load average (1/5/15 min) before: {size['load_before']}, after: "
            f"{size['load_after']}.",
            "",
            "| algorithm | gml total | read | compute | write | GDS total | project | compute "
            "| write | gml/GDS | runs | written/s gml vs GDS | agreement |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
        ]
        for r in size["runs"]:
            if "error" in r:
                lines.append(f"| {r['algo']} | error: {r['error']} ||||||||||")
                continue
            a, b = r["gml"], r["gds"]
            lines.append(
                f"| {r['algo']} | {a['total_s']:.2f} | {a['read_ms'] / 1e3:.2f} | "
                f"{a['compute_ms'] / 1e3:.2f} | {a['write_ms'] / 1e3:.2f} | {b['total_s']:.2f} | "
                f"{b['project_ms'] / 1e3:.2f} | {b['compute_ms'] / 1e3:.2f} | "
                f"{b['write_ms'] / 1e3:.2f} | {_ratio(r):.2f} | {r.get('runs', 1)} | "
                f"{_rate(a)} vs {_rate(b)} | "
                f"{r['agreement']} |"
            )
        co = size.get("compute_only", {})
        if co:
            lines += [
                "",
                "Compute only (graph already in memory; conversion not counted):",
                "",
                "| algorithm | neo4j_gml | GDS | NetworkX | igraph |",
                "|---|---:|---:|---:|---:|",
            ]
            by_algo = {r["algo"]: r for r in size["runs"] if "error" not in r}
            for algo in ALGOS:
                r = by_algo.get(algo)
                cells = [
                    f"{r['gml']['compute_ms'] / 1e3:.2f}" if r else "",
                    f"{r['gds']['compute_ms'] / 1e3:.2f}" if r else "",
                ]
                for lib in ("networkx", "igraph"):
                    v = co.get(algo, {}).get(lib)
                    cells.append(f"{v:.2f}" if v is not None else "–")
                lines.append(f"| {algo} | " + " | ".join(cells) + " |")
            io = co.get("io", {})
            if io:
                lines += [
                    "",
                    "Read path: raw Bolt (one `collect()` query of the relationship ids) "
                    f"{io['raw Bolt collect() rel/s']:,.0f} rel/s; `read_graph` "
                    f"({CONCURRENCY} sessions) {io['read_graph rel/s']:,.0f} rel/s.",
                ]
        lines.append("")
    lines += [
        "Phases: neo4j_gml read = `preProcessingMillis` (Bolt read + tensor building), "
        "compute = `computeMillis`, write = `writeMillis`; GDS project = `projectMillis`, "
        "compute = `preProcessingMillis + computeMillis`, write = `writeMillis + "
        "postProcessingMillis`. Totals are wall-clock seconds seen by the client, so they also "
        "hold what no phase counts (GDS: the graph drop; ours: Python overhead).",
        "",
        f"Settings: pageRank, wcc defaults; louvain on an UNDIRECTED projection; fastRP "
        f"embeddingDimension {DIM}, randomSeed 42, UNDIRECTED; nodeSimilarity topK {TOP_K} "
        f"(JACCARD); knn topK {TOP_K} on a {VEC_DIM}-dimensional clustered `vec` (COSINE), both "
        "sides at their defaults (GDS: NN-Descent, sampleRate 0.5; ours: exact up to 100,000 "
        "nodes, NN-Descent above), each scored by recall against the exact neighbours of a "
        "sample of nodes. The generated graph has no planted "
        "communities, so two good Louvain partitions can have a low NMI: compare modularity. "
        "fastRP embeddings of two implementations differ by their random bases; the pairwise "
        "cosine similarities they imply are compared, with our own second seed as the "
        "yardstick of random-projection noise. written/s: node properties (an embedding counts "
        "once) or relationships written per second of the write phase.",
        "",
    ]
    return "\n".join(lines)


def chart(meta: dict[str, Any], sizes: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(sizes), figsize=(7 * len(sizes), 5), squeeze=False)
    colors = {"read": "#4c72b0", "compute": "#dd8452", "write": "#55a868", "other": "#bbbbbb"}
    for ax, size in zip(axes[0], sizes, strict=True):
        runs = [r for r in size["runs"] if "error" not in r]
        x = np.arange(len(runs))
        for offset, side, keys in (
            (-0.2, "gml", ("read_ms", "compute_ms", "write_ms")),
            (0.2, "gds", ("project_ms", "compute_ms", "write_ms")),
        ):
            bottom = np.zeros(len(runs))
            for key, phase in zip(keys, ("read", "compute", "write"), strict=True):
                vals = np.array([r[side][key] / 1e3 for r in runs])
                ax.bar(
                    x + offset,
                    vals,
                    0.38,
                    bottom=bottom,
                    color=colors[phase],
                    label=(phase if phase != "read" else "read / project")
                    if side == "gml"
                    else None,
                    hatch="//" if side == "gds" else None,
                    edgecolor="white",
                )
                bottom += vals
            other = np.maximum(np.array([r[side]["total_s"] for r in runs]) - bottom, 0)
            ax.bar(
                x + offset,
                other,
                0.38,
                bottom=bottom,
                color=colors["other"],
                label="other" if side == "gml" else None,
                hatch="//" if side == "gds" else None,
                edgecolor="white",
            )
        totals = sorted(r[side]["total_s"] for r in runs for side in ("gml", "gds"))
        if len(totals) > 1 and totals[-1] > 3 * totals[-2]:
            # One bar dwarfs the rest: cut the axis and print its height instead.
            top = 1.25 * totals[-2]
            ax.set_ylim(0, top)
            for i, r in enumerate(runs):
                for offset, side in ((-0.2, "gml"), (0.2, "gds")):
                    if r[side]["total_s"] > top:
                        ax.text(
                            x[i] + offset,
                            0.97 * top,
                            f"{r[side]['total_s']:.0f} s ↑",
                            ha="center",
                            va="top",
                            fontsize=9,
                        )
        ax.set_xticks(x, [r["algo"] for r in runs], rotation=20)
        ax.set_ylabel("seconds, end to end")
        g = size["graph"]
        ax.set_title(f"{_title(g)}, {g['relationships']:,} rels: left gml, right GDS (hatched)")
        ax.legend()
    m = meta["machine"]
    fig.suptitle(
        f"neo4j_gml vs Open GDS {meta['gds_version']}, {meta['date']}, {m['host']} "
        f"({m['cores']} cores, {m['device']})"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ------------------------------------------------------------------------------------- main


def _connect(args: argparse.Namespace) -> tuple[str, str]:
    if args.uri:
        return args.uri, os.environ.get("NEO4J_PASSWORD", "")
    from neo4j_gml import local_neo4j

    home = Path(args.home)
    # GDS holds its projected graph and its write buffers on the heap: at 5M relationships its
    # fastRP write outgrows the transaction memory pool of the default 2 GiB heap.
    os.environ.setdefault("NEO4J_GML_HEAP", "6g")
    print(f"starting Neo4j with GDS in {home} ...", flush=True)
    uri = local_neo4j.start(home, port=0, with_gds=True, timeout=600)
    return uri, local_neo4j._password(None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="neo4j_gml vs GDS end to end", formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--sizes", default="100k,1M", help="comma list of 100k, 1M, 5M")
    parser.add_argument("--algos", default=",".join(ALGOS))
    parser.add_argument("--uri", default=os.environ.get("NEO4J_BENCH_URI"))
    parser.add_argument(
        "--home", default=str(Path(__file__).resolve().parent.parent / ".neo4j-home" / "bench-gds")
    )
    parser.add_argument("--stop", action="store_true", help="stop the started Neo4j at the end")
    parser.add_argument("--no-compute-only", action="store_true")
    parser.add_argument("--replot", default=None, help="redraw the PNG of a saved .json and exit")
    parser.add_argument("--tag", default="", help="suffix of the result file names")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each pair taking under 2 min (median)"
    )
    args = parser.parse_args(argv)
    sizes: list[str] = []
    for item in (s.strip() for s in args.sizes.split(",") if s.strip()):
        if item == "snap" or item.startswith("snap:"):
            found = snap_graphs(item)
            if not found:
                print(f"{item}: no SNAP edge list in {SNAP}; skipped", flush=True)
            sizes.extend(found)
        elif item in SIZES:
            sizes.append(item)
        else:
            parser.error(f"unknown size {item!r}; choose from {list(SIZES)}, snap, snap:<file>")
    algos = [a.strip() for a in args.algos.split(",") if a.strip()]
    explicit = set(algos) if args.algos != ",".join(ALGOS) else set()
    if args.replot:
        saved = json.loads(Path(args.replot).read_text())
        chart(saved["meta"], saved["sizes"], Path(args.replot).with_suffix(".png"))
        return 0

    uri, password = _connect(args)
    specs = _specs()
    results: list[dict[str, Any]] = []
    with neo4j.GraphDatabase.driver(
        uri, auth=("neo4j", password), notifications_min_severity="OFF"
    ) as driver:
        gds_version = gds.version(driver)
        if gds_version is None:
            print("this Neo4j has no GDS: start it with `neo4j-gml neo4j start --with-gds`")
            return 2
        neo4j_version = driver.execute_query(
            "CALL dbms.components() YIELD versions RETURN versions[0] AS v"
        ).records[0]["v"]
        heap = driver.execute_query(
            'CALL dbms.queryJmx("java.lang:type=Memory") YIELD attributes '
            "RETURN attributes.HeapMemoryUsage.value.properties.max AS m"
        ).records[0]["m"]
        for size in sizes:
            info = ensure_graph(driver, size)
            load_before = " / ".join(f"{x:.1f}" for x in os.getloadavg())
            _warm_up(driver)
            runs = []
            for algo in algos:
                big = info["relationships"] > 1_000_000
                if algo == "nodeSimilarity" and big and algo not in explicit:
                    runs.append({"algo": algo, "error": "skipped above 1M (GDS: over 9 min at 1M)"})
                    continue
                print(f"[{size}] {algo} ...", flush=True)
                try:
                    r = run_repeated(driver, algo, specs[algo], args.repeat)
                except Exception as exc:  # noqa: BLE001 - report and go on with the next one
                    r = {"algo": algo, "error": f"{type(exc).__name__}: {str(exc)[:200]}"}
                print(f"   {json.dumps(r)}", flush=True)
                runs.append(r)
            co = {} if args.no_compute_only else compute_only(driver, info["relationships"])
            _delete_written(driver)
            results.append(
                {
                    "size": size,
                    "graph": info,
                    "runs": runs,
                    "compute_only": co,
                    "load_before": load_before,
                    "load_after": " / ".join(f"{x:.1f}" for x in os.getloadavg()),
                }
            )
    meta = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": _machine(),
        "gds_version": gds_version,
        "neo4j_version": neo4j_version,
        "neo4j_heap_gib": round(heap / 2**30, 1),
        "neo4j_gml_version": neo4j_gml.__version__,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = f"{dt.date.today().isoformat()}-{meta['machine']['host']}" + (
        f"-{args.tag}" if args.tag else ""
    )
    text = markdown(meta, results)
    (RESULTS / f"{stem}.md").write_text(text)
    (RESULTS / f"{stem}.json").write_text(json.dumps({"meta": meta, "sizes": results}, indent=1))
    chart(meta, results, RESULTS / f"{stem}.png")
    print(text)
    print(f"saved {RESULTS / stem}.md, .json, .png")
    if args.stop and not args.uri:
        from neo4j_gml import local_neo4j

        local_neo4j.stop(Path(args.home))
    return 0


if __name__ == "__main__":
    sys.exit(main())
