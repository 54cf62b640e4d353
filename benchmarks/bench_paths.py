"""Single-source shortest paths and BFS beside GDS, NetworkX and igraph on the same graph.

    python -m benchmarks.bench_paths --uri bolt://127.0.0.1:7688 --sizes 1M

The power-law graph of :mod:`benchmarks.run` (``(:Bench)-[:LINKS]->(:Bench)``) with a random
weight ``w`` in [1, 10) on every relationship (set once, untimed). For one source (the node of
highest out-degree), median of ``--repeat`` runs:

* end to end, streaming every path: ``neo4j_gml.run('allShortestPaths.dijkstra', 'stream')``
  and ``allShortestPaths.delta`` (read, compute, rows) beside GDS's project +
  ``gds.allShortestPaths.delta.stream`` (and ``.dijkstra.stream``) + drop, every row consumed;
  ``bfs.stream`` beside GDS's project + ``gds.bfs.stream`` + drop;
* from Cypher through the plugin and the service (``neo4j-gml serve`` must run beside the
  Neo4j, else these rows are skipped): ``gml.allShortestPaths.dijkstra.stream`` (every row
  to the client) and ``gml.shortestPath.dijkstra.stream`` to the farthest node (with ``path``)
  beside GDS's project + ``gds.shortestPath.dijkstra.stream`` + drop;
* compute only, on the graph already in memory: our Dijkstra beside NetworkX's
  ``single_source_dijkstra`` (paths and lengths), and our BFS beside igraph's ``bfs``.

Writes ``benchmarks/results/<date>-<host>-paths.md`` and ``.json``. Not a pass/fail test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
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
from neo4j_gml.algorithms.paths.dijkstra import dijkstra
from neo4j_gml.algorithms.paths.traverse import bfs
from neo4j_gml.io.read import Projection, read_graph

LABEL, REL = bench.LABEL, bench.REL


def _median(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _ensure_weights(driver: neo4j.Driver) -> None:
    with driver.session() as session:
        session.run(
            f"MATCH ()-[r:{REL}]->() WHERE r.w IS NULL "
            "CALL { WITH r SET r.w = 1.0 + 9.0 * rand() } IN TRANSACTIONS OF 50000 ROWS"
        ).consume()


def measure(driver: neo4j.Driver, repeat: int) -> dict[str, float]:
    _ensure_weights(driver)
    graph, _ = read_graph(driver, Projection((LABEL,), (REL,), weight_property="w"), concurrency=4)
    degrees = (graph.indptr[1:] - graph.indptr[:-1]).numpy()
    source = int(np.argmax(degrees))
    source_id = int(graph.node_ids[source])
    out: dict[str, float] = {}
    config = {
        "nodeLabels": [LABEL],
        "relationshipTypes": [REL],
        "relationshipWeightProperty": "w",
        "sourceNode": source_id,
        "concurrency": 4,
    }
    rows = neo4j_gml.run("allShortestPaths.dijkstra", "stream", config, driver=driver)
    out["paths streamed"] = float(len(rows))
    out["ours: allShortestPaths.dijkstra.stream, end to end"] = _median(
        lambda: neo4j_gml.run("allShortestPaths.dijkstra", "stream", config, driver=driver),
        repeat,
    )
    delta = dict(config, delta=2.0)
    out["ours: allShortestPaths.delta.stream, end to end"] = _median(
        lambda: neo4j_gml.run("allShortestPaths.delta", "stream", delta, driver=driver), repeat
    )
    walk = {k: v for k, v in config.items() if k != "relationshipWeightProperty"}
    out["ours: bfs.stream, end to end"] = _median(
        lambda: neo4j_gml.run("bfs", "stream", walk, driver=driver), repeat
    )
    found = dijkstra(graph, source)
    target_id = int(graph.node_ids[int(found.settled[-1])])  # the farthest node reached
    cypher = {
        "allShortestPaths.dijkstra": "YIELD index, totalCost, nodeIds RETURN count(*) AS c",
        "shortestPath.dijkstra": "YIELD index, totalCost, nodeIds, path RETURN count(*) AS c",
    }
    for algo, tail in cypher.items():
        target = ", targetNode: $t" if algo.startswith("shortestPath") else ""
        query = (
            f"CALL gml.{algo}.stream({{nodeLabels: ['{LABEL}'], relationshipTypes: ['{REL}'], "
            f"relationshipWeightProperty: 'w', sourceNode: $s{target}}}) {tail}"
        )
        try:
            out[f"ours from Cypher: gml.{algo}.stream"] = _median(
                lambda query=query: driver.execute_query(query, s=source_id, t=target_id), repeat
            )
        except neo4j.exceptions.Neo4jError as exc:  # no plugin or no service: say so, go on
            print(f"skipped gml.{algo} from Cypher: {exc.message}", file=sys.stderr)

    def gds_one() -> None:
        with driver.session() as session:
            session.run(
                "CALL gds.graph.project('bench_one', $label, {LINKS: {properties: 'w'}}, "
                "{readConcurrency: 4}) YIELD nodeCount RETURN nodeCount",
                label=LABEL,
            ).consume()
            session.run(
                "CALL gds.shortestPath.dijkstra.stream('bench_one', {sourceNode: $s, "
                "targetNode: $t, relationshipWeightProperty: 'w'}) "
                "YIELD index, totalCost, nodeIds, path RETURN count(*) AS c",
                s=source_id,
                t=target_id,
            ).consume()
        gds.drop(driver, "bench_one")

    out["GDS: project + shortestPath.dijkstra.stream (one target) + drop"] = _median(
        gds_one, repeat
    )
    for algo in ("allShortestPaths.delta", "allShortestPaths.dijkstra", "bfs"):

        def gds_run(algo: str = algo) -> None:
            name = "bench_paths"
            with driver.session() as session:
                session.run(
                    "CALL gds.graph.project($g, $label, {LINKS: {properties: 'w'}}, "
                    "{readConcurrency: 4}) YIELD nodeCount RETURN nodeCount",
                    g=name,
                    label=LABEL,
                ).consume()
                weight = "" if algo == "bfs" else "relationshipWeightProperty: 'w', "
                session.run(
                    f"CALL gds.{algo}.stream($g, {{sourceNode: $s, {weight}concurrency: 4}}) "
                    "YIELD nodeIds RETURN count(*) AS c",
                    g=name,
                    s=source_id,
                ).consume()
            gds.drop(driver, name)

        out[f"GDS: project + {algo}.stream + drop"] = _median(gds_run, repeat)
    out["ours: dijkstra compute (graph in memory)"] = _median(
        lambda: dijkstra(graph, source), repeat
    )
    import igraph
    import networkx as nx

    src, dst = (t.numpy() for t in graph.edge_index())
    weights = graph.arc_weights().numpy()
    oracle = nx.DiGraph()
    oracle.add_weighted_edges_from(zip(src.tolist(), dst.tolist(), weights.tolist(), strict=True))
    out["NetworkX: single_source_dijkstra"] = _median(
        lambda: nx.single_source_dijkstra(oracle, source, weight="weight"), 1
    )
    out["ours: bfs compute"] = _median(lambda: bfs(graph, source), repeat)
    ig = igraph.Graph(
        n=graph.num_nodes, edges=list(zip(src.tolist(), dst.tolist(), strict=True)), directed=True
    )
    out["igraph: bfs"] = _median(lambda: ig.bfs(source), repeat)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--uri", default=os.environ.get("NEO4J_BENCH_URI", "bolt://127.0.0.1:7687"))
    parser.add_argument("--sizes", default="1M")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    results = []
    with neo4j.GraphDatabase.driver(
        args.uri,
        auth=("neo4j", os.environ.get("NEO4J_PASSWORD", "")),
        notifications_min_severity="OFF",
    ) as driver:
        version = gds.version(driver)
        for size in [s.strip() for s in args.sizes.split(",") if s.strip()]:
            info = bench.ensure_graph(driver, size)
            numbers = measure(driver, args.repeat)
            print(json.dumps(numbers, indent=1), flush=True)
            results.append({"size": size, "graph": info, "seconds": numbers})
    machine = bench._machine()
    lines = [
        "# Single-source shortest paths and BFS beside GDS, NetworkX and igraph",
        "",
        f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC; {machine['host']}, "
        f"{machine['cores']} cores; GDS {version}; median of {args.repeat} (NetworkX: 1 run).",
        "",
    ]
    for r in results:
        g = r["graph"]
        lines += [
            f"## {r['size']}: {g['nodes']:,} nodes, {g['relationships']:,} relationships",
            "",
            "| what | seconds |",
            "|---|---:|",
        ]
        lines += [f"| {k} | {v:.3f} |" for k, v in r["seconds"].items() if k != "paths streamed"]
        lines += ["", f"Paths streamed: {int(r['seconds']['paths streamed']):,}.", ""]
    bench.save_results("paths", "\n".join(lines), results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
