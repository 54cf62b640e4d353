"""The rest of GDS's catalogue beside GDS: K-1 Coloring, Modularity Optimization, SLLPA, Max k-cut,
triangle listing, filtered kNN and filtered Node Similarity, on the same Neo4j.

    python -m benchmarks.bench_catalogue                 # 1M relationships (starts the bench Neo4j)
    python -m benchmarks.bench_catalogue --uri bolt://... --size 100k

The power-law graph of :mod:`benchmarks.run` (``(:Bench)-[:LINKS]->(:Bench)`` with a 16-dimensional
``vec`` per node), loaded unless the database already holds it. Each side computes on a graph
already in memory, so what is compared is the algorithm: ours reads the projection once per
orientation (``neo4j_gml.io.read.read_graph``, untimed) and runs ``neo4j_gml.run(name, mode, cfg,
graph=...)``; GDS projects once per orientation (untimed) and runs ``gds.<name>.<mode>`` on it.
Stats modes report both sides' ``computeMillis``; stream modes are timed end to end with every
row counted inside the database (GDS) or built into the result frame (ours). Median of
``--repeat`` runs. Also prints what each side found (colours, modularity, cut cost, triangles,
pairs), so the agreement is visible. Writes ``benchmarks/results/<date>-<host>-catalogue.md``
and ``.json``. Not a pass/fail test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import socket
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import neo4j
import numpy as np

import neo4j_gml
from benchmarks import gds
from benchmarks import run as bench
from neo4j_gml.io.read import Projection, read_graph

LABEL, REL = bench.LABEL, bench.REL
SOURCES = 2_000  # nodes in the filtered procedures' source filter (every 50th node)


def _cases(node_ids: list[int]) -> list[dict[str, Any]]:
    """Per procedure: our name and config, GDS's candidate names (first found is used), the
    mode, the orientation and what to print of the result."""
    sources = node_ids[::50][:SOURCES]
    targets = node_ids[1::3]
    return [
        {
            "name": "k1coloring",
            "gds": ["gds.k1coloring", "gds.beta.k1coloring"],
            "mode": "stats",
            "cfg": {},
            "orientation": "UNDIRECTED",
            "show": ("colorCount", "ranIterations", "didConverge"),
        },
        {
            "name": "modularityOptimization",
            "gds": ["gds.modularityOptimization", "gds.beta.modularityOptimization"],
            "mode": "stats",
            "cfg": {},
            "orientation": "UNDIRECTED",
            "show": ("modularity", "communityCount", "ranIterations"),
        },
        {
            "name": "sllpa",
            "gds": ["gds.sllpa", "gds.alpha.sllpa"],
            "mode": "stats",
            "cfg": {"maxIterations": 10},
            "orientation": "UNDIRECTED",
            "show": ("ranIterations", "didConverge"),
        },
        {
            "name": "maxkcut",
            "gds": ["gds.maxkcut", "gds.alpha.maxkcut"],
            "mode": "stream",
            "cfg": {"k": 2, "randomSeed": 42, "concurrency": 1},
            "orientation": "UNDIRECTED",
            "show": (),
        },
        {
            "name": "triangles",
            "gds": ["gds.triangles", "gds.alpha.triangles"],
            "mode": "stream",
            "cfg": {},
            "orientation": "UNDIRECTED",
            "yield": "nodeA",
            "show": (),
        },
        {
            "name": "knn.filtered",
            "gds": ["gds.knn.filtered", "gds.alpha.knn.filtered"],
            "mode": "stats",
            "cfg": {
                "nodeProperties": ["vec"],
                "topK": 5,
                "sourceNodeFilter": sources,
                "targetNodeFilter": targets,
            },
            "orientation": "NATURAL",
            "properties": ["vec"],
            "show": ("nodesCompared", "similarityPairs", "ranIterations"),
        },
        {
            "name": "nodeSimilarity.filtered",
            "gds": ["gds.nodeSimilarity.filtered", "gds.alpha.nodeSimilarity.filtered"],
            "mode": "stats",
            "cfg": {"topK": 5, "sourceNodeFilter": sources, "targetNodeFilter": targets},
            "orientation": "NATURAL",
            "show": ("nodesCompared", "similarityPairs"),
        },
    ]


def _median(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, last = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        last = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), last


def _gds_names(driver: neo4j.Driver) -> set[str]:
    return {r["name"] for r in driver.execute_query("CALL gds.list() YIELD name").records}


def _gds_call(case: dict[str, Any], available: set[str]) -> str | None:
    """The GDS procedure to call for ``case``: ``<name>.<mode>``, or for a stream the bare name
    of a stream-only procedure (``gds.triangles``); ``None`` when GDS has none of them."""
    for name in case["gds"]:
        if f"{name}.{case['mode']}" in available:
            return f"{name}.{case['mode']}"
        if case["mode"] == "stream" and name in available:
            return name
    return None


def _ours(case: dict[str, Any], graph: Any, repeat: int) -> dict[str, Any]:
    cfg = {**case["cfg"], "concurrency": case["cfg"].get("concurrency", 4)}
    wall, result = _median(
        lambda: neo4j_gml.run(case["name"], case["mode"], cfg, graph=graph), repeat
    )
    out: dict[str, Any] = {"wall_s": round(wall, 3)}
    if case["mode"] == "stats":
        out["compute_s"] = round(result["computeMillis"] / 1000, 3)
        out |= {k: result.get(k) for k in case["show"]}
    else:
        out["rows"] = len(result)
        if case["name"] == "maxkcut":
            out["cutCost"] = _cut_cost_ours(result, graph)
    return out


def _cut_cost_ours(frame: Any, graph: Any) -> float:
    where = {int(i): int(c) for i, c in zip(frame["nodeId"], frame["communityId"], strict=True)}
    ids = graph.node_ids.numpy()
    src, dst = graph.sources().numpy(), graph.indices.numpy()
    part = np.asarray([where[int(i)] for i in ids])
    cut = part[src] != part[dst]
    return float(cut.sum() / (2 if graph.orientation == "UNDIRECTED" else 1))


def _gds(driver: neo4j.Driver, case: dict[str, Any], call: str, repeat: int) -> dict[str, Any]:
    cfg = {**case["cfg"], "concurrency": case["cfg"].get("concurrency", 4)}
    if case["mode"] == "stats":
        query = f"CALL {call}('cat', $cfg)"
    elif case["name"] == "maxkcut":
        query = (
            f"CALL {call}('cat', $cfg) YIELD nodeId, communityId "
            "WITH gds.util.asNode(nodeId) AS n, communityId SET n.gds_cut = communityId "
            "RETURN count(*) AS rows"
        )
    else:
        query = f"CALL {call}('cat', $cfg) YIELD {case['yield']} RETURN count(*) AS rows"
    wall, records = _median(lambda: driver.execute_query(query, cfg=cfg).records, repeat)
    row = dict(records[0])
    out: dict[str, Any] = {"wall_s": round(wall, 3)}
    if case["mode"] == "stats":
        out["compute_s"] = round(row["computeMillis"] / 1000, 3)
        out |= {k: row.get(k) for k in case["show"]}
    else:
        out["rows"] = row["rows"]
        if case["name"] == "maxkcut":
            out["cutCost"] = driver.execute_query(
                f"MATCH (a:{LABEL})-[:{REL}]->(b:{LABEL}) "
                "RETURN toFloat(sum(CASE WHEN a.gds_cut <> b.gds_cut THEN 1 ELSE 0 END)) AS c"
            ).records[0]["c"]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1M")
    parser.add_argument("--uri", default=None)
    parser.add_argument(
        "--home", default=str(bench.RESULTS.parent.parent / ".neo4j-home" / "bench-gds")
    )
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--only", default=None, help="comma-separated procedure names")
    args = parser.parse_args(argv)
    uri, password = bench._connect(args)
    driver = neo4j.GraphDatabase.driver(uri, auth=("neo4j", password))
    graph_meta = bench.ensure_graph(driver, args.size)
    node_ids = [
        r["id"]
        for r in driver.execute_query(f"MATCH (n:{LABEL}) RETURN id(n) AS id ORDER BY n.i").records
    ]
    available = _gds_names(driver)
    load_before = os.getloadavg()
    rows: list[dict[str, Any]] = []
    read_cache: dict[tuple[str, bool], Any] = {}
    projected: tuple[str, bool] | None = None
    only = set(args.only.split(",")) if args.only else None
    for case in _cases(node_ids):
        if only and case["name"] not in only:
            continue
        key = (case["orientation"], bool(case.get("properties")))
        if key not in read_cache:
            read_cache.clear()
            props = dict.fromkeys(case.get("properties", []))
            projection = Projection(
                (LABEL,), (REL,), orientation=case["orientation"], node_properties=props
            )
            read_cache[key] = read_graph(driver, projection)[0]
        if projected != key:
            gds.project(
                driver,
                "cat",
                LABEL,
                REL,
                orientation=case["orientation"],
                node_properties=case.get("properties"),
            )
            projected = key
        ours = _ours(case, read_cache[key], args.repeat)
        call = _gds_call(case, available)
        theirs = _gds(driver, case, call, args.repeat) if call else {"missing": case["gds"]}
        rows.append(
            {
                "name": case["name"],
                "mode": case["mode"],
                "gds": call,
                "ours": ours,
                "theirs": theirs,
            }
        )
        print(case["name"], ours, theirs, flush=True)
    gds.drop(driver, "cat")
    meta = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "host": socket.gethostname(),
        "graph": graph_meta,
        "gds": gds.version(driver),
        "load_before": [round(x, 1) for x in load_before],
        "load_after": [round(x, 1) for x in os.getloadavg()],
        "repeat": args.repeat,
    }
    driver.close()
    lines = [
        f"# GDS's remaining catalogue beside Open GDS {meta['gds']}",
        "",
        f"{meta['date']}; {meta['graph']['relationships']:,} relationships, "
        f"{meta['graph']['nodes']:,} nodes; load average before {meta['load_before']}, after "
        f"{meta['load_after']}; median of {args.repeat}; concurrency 4 both sides (maxkcut 1).",
        "",
        "| procedure | mode | ours compute | ours wall | GDS compute | GDS wall | ours | GDS |",
        "|---|---|---:|---:|---:|---:|---|---|",
    ]
    for r in rows:
        o, t = r["ours"], r["theirs"]
        rest_o = {k: v for k, v in o.items() if k not in ("wall_s", "compute_s")}
        rest_t = {k: v for k, v in t.items() if k not in ("wall_s", "compute_s")}
        lines.append(
            f"| {r['name']} | {r['mode']} | {o.get('compute_s', '')} | {o['wall_s']} | "
            f"{t.get('compute_s', '')} | {t.get('wall_s', '')} | {rest_o} | {rest_t} |"
        )
    text = "\n".join(lines) + "\n"
    bench.save_results("catalogue", text, {"meta": meta, "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
