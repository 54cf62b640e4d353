"""Overhead of calling a procedure from Cypher (plugin -> service) over calling it from Python.

``python -m neo4j_gml.server.overhead [--relationships 100000] [--runs 5]`` loads a random graph
(label ``GmlBench``, ``relationships / 5`` nodes) into the Neo4j at ``NEO4J_URI`` (which must have
the plugin and a running service), then times, median of ``--runs`` after one warm-up each:

- ``python``: ``neo4j_gml.run('degree', 'stream', ...)`` in this process (a DataFrame);
- ``cypher_rows``: ``CALL gml.degree.stream(...) YIELD nodeId, score RETURN nodeId, score``, every
  row fetched by this Bolt client;
- ``cypher_count``: the same call, ``RETURN count(*)`` (the rows stay in Neo4j);
- ``bolt_rows``: the baseline for ``cypher_rows``: as many rows of an id and a float from a plain
  ``MATCH`` (what fetching the rows over Bolt costs without the plugin).

The bench nodes are deleted at the end.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np

from neo4j_gml.io.connection import Connection
from neo4j_gml.procedures.runner import run

LABEL = "GmlBench"


def _load(driver, relationships: int, seed: int = 0) -> int:  # noqa: ANN001
    nodes = max(relationships // 5, 2)
    rng = np.random.default_rng(seed)
    src = rng.integers(0, nodes, relationships).tolist()
    dst = rng.integers(0, nodes, relationships).tolist()
    driver.execute_query(f"MATCH (n:{LABEL}) DETACH DELETE n")
    driver.execute_query(f"UNWIND range(0, $n - 1) AS i CREATE (:{LABEL} {{i: i}})", n=nodes)
    driver.execute_query(f"CREATE INDEX gml_bench_i IF NOT EXISTS FOR (n:{LABEL}) ON (n.i)")
    driver.execute_query("CALL db.awaitIndexes(300)")
    for start in range(0, relationships, 20000):
        pairs = [
            [a, b]
            for a, b in zip(src[start : start + 20000], dst[start : start + 20000], strict=True)
        ]
        driver.execute_query(
            f"UNWIND $pairs AS p MATCH (a:{LABEL} {{i: p[0]}}), (b:{LABEL} {{i: p[1]}}) "
            "CREATE (a)-[:BENCH]->(b)",
            pairs=pairs,
        )
    return nodes


def _median_seconds(fn, runs: int) -> float:  # noqa: ANN001
    fn()  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m neo4j_gml.server.overhead")
    parser.add_argument("--relationships", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    connection = Connection.from_env()
    driver = connection.driver()
    config = {"nodeLabels": [LABEL], "relationshipTypes": ["BENCH"]}
    try:
        nodes = _load(driver, args.relationships)
        python = _median_seconds(lambda: run("degree", "stream", config, driver=driver), args.runs)
        rows_query = "CALL gml.degree.stream($c) YIELD nodeId, score RETURN nodeId, score"
        count_query = "CALL gml.degree.stream($c) YIELD nodeId, score RETURN count(*) AS n"
        rows = _median_seconds(lambda: driver.execute_query(rows_query, c=config), args.runs)
        count = _median_seconds(lambda: driver.execute_query(count_query, c=config), args.runs)
        bolt_query = f"MATCH (n:{LABEL}) RETURN elementId(n) AS nodeId, 1.0 AS score"
        bolt = _median_seconds(lambda: driver.execute_query(bolt_query), args.runs)
        report = {
            "nodes": nodes,
            "relationships": args.relationships,
            "runs": args.runs,
            "python_s": round(python, 3),
            "cypher_rows_s": round(rows, 3),
            "cypher_count_s": round(count, 3),
            "bolt_rows_s": round(bolt, 3),
            "overhead_rows_s": round(rows - python, 3),
            "overhead_count_s": round(count - python, 3),
            "overhead_rows_beyond_bolt_s": round(rows - python - bolt, 3),
        }
        print(json.dumps(report, indent=2))
    finally:
        driver.execute_query(f"MATCH (n:{LABEL}) DETACH DELETE n")
        driver.execute_query("DROP INDEX gml_bench_i IF EXISTS")
        driver.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
