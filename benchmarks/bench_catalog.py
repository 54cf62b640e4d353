"""The catalog chain beside GDS on the same Neo4j: project once, run four algorithms, write once.

    python -m benchmarks.bench_catalog --uri bolt://127.0.0.1:7688 --sizes 1M,5M

Both sides are called from Cypher, as an analyst calls them (ours: the plugin forwards to the
service, which must be running; ``neo4j-gml neo4j start --with-gds`` loads both plugins). The
graph is the power-law graph of :mod:`benchmarks.run` (loaded once, reused), projected twice
over its one relationship type (``LINKS`` as stored, ``LINKS_U`` undirected), and the chain is::

    graph.project -> pageRank.mutate (LINKS; 'gml_pr' or 'gds_pr') -> wcc.stats (LINKS)
                  -> louvain.stats (LINKS_U)
                  -> fastRP.stats (LINKS_U, d = 128) -> graph.nodeProperties.write(that property)
                  -> graph.drop

Each step's wall-clock time is measured around its Cypher call; the chain runs ``--repeat``
times per side (alternating sides) and the median chain is reported, with the written page
ranks compared (largest relative difference). Writes ``benchmarks/results/<date>-<host>-
catalog.md`` and ``.json``. Not a pass/fail test.
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

from benchmarks import run as bench

GRAPH = "chain"
STEPS = (
    (
        "project",
        "CALL {p}.graph.project($g, {{Bench: {{}}}}, "
        "{{LINKS: {{orientation: 'NATURAL'}}, "
        "LINKS_U: {{type: 'LINKS', orientation: 'UNDIRECTED'}}}}, {{readConcurrency: 4}}) "
        "YIELD nodeCount, relationshipCount RETURN nodeCount, relationshipCount",
    ),
    (
        "pageRank.mutate",
        "CALL {p}.pageRank.mutate($g, {{relationshipTypes: ['LINKS'], mutateProperty: '{p}_pr', "
        "concurrency: 4}}) YIELD nodePropertiesWritten RETURN nodePropertiesWritten",
    ),
    (
        "wcc.stats",
        "CALL {p}.wcc.stats($g, {{relationshipTypes: ['LINKS'], concurrency: 4}}) "
        "YIELD componentCount RETURN componentCount",
    ),
    (
        "louvain.stats",
        "CALL {p}.louvain.stats($g, {{relationshipTypes: ['LINKS_U'], concurrency: 4}}) "
        "YIELD communityCount RETURN communityCount",
    ),
    (
        "fastRP.stats",
        "CALL {p}.fastRP.stats($g, {{relationshipTypes: ['LINKS_U'], embeddingDimension: 128, "
        "randomSeed: 42, concurrency: 4}}) YIELD nodeCount RETURN nodeCount",
    ),
    (
        "nodeProperties.write",
        "CALL {p}.graph.nodeProperties.write($g, ['{p}_pr'], ['*'], {{writeConcurrency: 4}}) "
        "YIELD propertiesWritten RETURN propertiesWritten",
    ),
    ("drop", "CALL {p}.graph.drop($g) YIELD graphName RETURN graphName"),
)


def chain(driver: neo4j.Driver, prefix: str) -> dict[str, Any]:
    """One run of the chain on side ``prefix`` (``gds`` or ``gml``): seconds per step."""
    driver.execute_query(f"CALL {prefix}.graph.drop($g, false) YIELD graphName", g=GRAPH)
    times: dict[str, float] = {}
    answers: dict[str, Any] = {}
    for name, text in STEPS:
        started = time.perf_counter()
        records = driver.execute_query(text.format(p=prefix), g=GRAPH).records
        times[name] = time.perf_counter() - started
        answers[name] = dict(records[0]) if records else {}
    return {"steps": times, "total_s": sum(times.values()), "answers": answers}


def compare(driver: neo4j.Driver) -> float:
    """Largest relative difference of the page ranks the two sides wrote."""
    rows = driver.execute_query("MATCH (n:Bench) RETURN n.gml_pr AS a, n.gds_pr AS b").records
    a = np.array([r["a"] for r in rows], dtype=float)
    b = np.array([r["b"] for r in rows], dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-12)))


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    ordered = sorted(runs, key=lambda r: r["total_s"])
    return ordered[(len(ordered) - 1) // 2]


def markdown(meta: dict[str, Any], results: list[dict[str, Any]]) -> str:
    lines = [
        "# The catalog chain: neo4j_gml beside GDS on the same Neo4j",
        "",
        f"{meta['date']}; {meta['machine']}; Neo4j {meta['neo4j']}, GDS {meta['gds']}; both "
        "sides called from Cypher (ours through the plugin and the service); median of "
        f"{meta['repeat']} chains per side, each step timed around its Cypher call.",
        "",
    ]
    for r in results:
        g = r["graph"]
        lines += [
            f"## {r['size']}: {g['nodes']:,} nodes, {g['relationships']:,} relationships",
            "",
            "| step | neo4j_gml (s) | GDS (s) | ratio GDS / ours |",
            "|---|---|---|---|",
        ]
        ours, theirs = r["gml"]["steps"], r["gds"]["steps"]
        for name, _ in STEPS:
            ratio = theirs[name] / ours[name] if ours[name] else float("nan")
            lines.append(f"| {name} | {ours[name]:.2f} | {theirs[name]:.2f} | {ratio:.2f} |")
        total_ratio = r["gds"]["total_s"] / r["gml"]["total_s"]
        lines.append(
            f"| **chain** | **{r['gml']['total_s']:.2f}** | **{r['gds']['total_s']:.2f}** | "
            f"**{total_ratio:.2f}** |"
        )
        lines += [
            "",
            f"Page ranks written by both sides: largest relative difference "
            f"{r['pagerank_max_rel_diff']:.2e}. Project: ours {ours['project']:.2f} s, GDS "
            f"{theirs['project']:.2f} s ({ours['project'] / theirs['project']:.2f}x GDS's).",
            "",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--uri", default=os.environ.get("NEO4J_BENCH_URI", "bolt://127.0.0.1:7687"))
    parser.add_argument("--sizes", default="1M")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tag", default="catalog")
    args = parser.parse_args(argv)
    password = os.environ.get("NEO4J_PASSWORD", "")
    results = []
    with neo4j.GraphDatabase.driver(
        args.uri, auth=("neo4j", password), notifications_min_severity="OFF"
    ) as driver:
        gds_version = bench.gds.version(driver)
        if gds_version is None:
            print("this Neo4j has no GDS: start it with `neo4j-gml neo4j start --with-gds`")
            return 2
        neo4j_version = driver.execute_query(
            "CALL dbms.components() YIELD versions RETURN versions[0] AS v"
        ).records[0]["v"]
        for size in [s.strip() for s in args.sizes.split(",") if s.strip()]:
            info = bench.ensure_graph(driver, size)
            runs: dict[str, list[dict[str, Any]]] = {"gml": [], "gds": []}
            for i in range(args.repeat):
                for side in ("gml", "gds") if i % 2 == 0 else ("gds", "gml"):
                    print(f"[{size}] {side} chain {i + 1} ...", flush=True)
                    runs[side].append(chain(driver, side))
                    print(f"   {json.dumps(runs[side][-1]['steps'])}", flush=True)
            results.append(
                {
                    "size": size,
                    "graph": info,
                    "gml": median_run(runs["gml"]),
                    "gds": median_run(runs["gds"]),
                    "all": runs,
                    "pagerank_max_rel_diff": compare(driver),
                    "gml_total_median": statistics.median(r["total_s"] for r in runs["gml"]),
                }
            )
    machine = bench._machine()
    meta = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{machine['host']}, {machine['cores']} cores, {machine['memory']}",
        "neo4j": neo4j_version,
        "gds": gds_version,
        "repeat": args.repeat,
    }
    bench.save_results(args.tag, markdown(meta, results), {"meta": meta, "sizes": results})
    return 0


if __name__ == "__main__":
    sys.exit(main())
