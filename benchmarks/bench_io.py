"""Read and write throughput against the practical limit, on a generated graph in Neo4j.

    python -m benchmarks.bench_io [--relationships 5000000] [--nodes 500000]

Loads a power-law graph into the Neo4j at ``NEO4J_URI`` (``make bench`` starts one), then
measures, side by side on the same data:

* the raw Bolt limit: a trivial query returning the same relationship ids ``collect()``-ed, as
  one stream of rows, and as ``collect()``-ed lists;
* ``read_graph`` (our projection read, with and without weights) in relationships/s, through
  the plugin's ``gml.io`` bulk procedures and through plain Cypher;
* ``write_node_properties`` of one float per node, in properties/s, at several batch sizes and
  writer counts, and of a 128-dimensional embedding, both paths;
* ``write_relationships`` of one score per relationship (``topK``-style output), both paths.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from benchmarks.graphs import clear, load_into_neo4j, power_law_edges
from neo4j_gml.io.connection import Connection
from neo4j_gml.io.read import Projection, read_graph
from neo4j_gml.io.write import delete_relationships, write_node_properties, write_relationships


def _timed(fn):  # noqa: ANN001, ANN202
    started = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--relationships", type=int, default=5_000_000)
    parser.add_argument("--nodes", type=int, default=500_000)
    parser.add_argument("--keep", action="store_true", help="reuse an already loaded graph")
    args = parser.parse_args()

    connection = Connection.from_env()
    with connection.driver() as driver:
        count = driver.execute_query("MATCH (n:Bench) RETURN count(n) AS c").records[0]["c"]
        if not (args.keep and count == args.nodes):
            clear(driver)
            src, dst = power_law_edges(args.nodes, args.relationships)
            _, seconds = load_into_neo4j(driver, src, dst, args.nodes)
            print(f"loaded {args.nodes:,} nodes and {src.size:,} relationships in {seconds:.1f} s")
        rels = driver.execute_query("MATCH (:Bench)-[r:LINKS]->() RETURN count(r) AS c").records[0][
            "c"
        ]

        rows = []

        # practical limit 1: every relationship as one row
        def row_stream() -> int:
            with driver.session() as s:
                return sum(1 for _ in s.run("MATCH (a:Bench)-[r:LINKS]->(b) RETURN id(a), id(b)"))

        _, t = _timed(row_stream)
        rows.append(("raw Bolt, one row per relationship", rels / t, t))

        def collected() -> int:
            rec = driver.execute_query(
                "MATCH (a:Bench)-[r:LINKS]->(b) RETURN collect(id(a)) AS s, collect(id(b)) AS t"
            ).records[0]
            return len(rec["s"])

        _, t = _timed(collected)
        rows.append(("raw Bolt, collect()-ed in one row", rels / t, t))

        for path, bulk in (("bulk", True), ("Cypher", False)):
            for conc in (1, 2, 4):
                (g, report), t = _timed(
                    lambda c=conc, b=bulk: read_graph(
                        driver, Projection(("Bench",), ("LINKS",)), concurrency=c, use_bulk=b
                    )
                )
                rows.append(
                    (
                        f"read_graph, {path}, {conc} session(s), unweighted",
                        report.relationship_count / t,
                        t,
                    )
                )
            (g, report), t = _timed(
                lambda b=bulk: read_graph(
                    driver,
                    Projection(("Bench",), ("LINKS",), weight_property="weight"),
                    use_bulk=b,
                )
            )
            rows.append(
                (f"read_graph, {path}, 4 sessions, weighted", report.relationship_count / t, t)
            )

        print(f"\n## Read path: {rels:,} relationships, {args.nodes:,} nodes\n")
        print("| what | relationships/s | seconds |\n|---|---:|---:|")
        for name, rate, t in rows:
            print(f"| {name} | {rate:,.0f} | {t:.2f} |")

        rng = np.random.default_rng(1)
        values = rng.random(g.num_nodes)
        print(f"\n## Write path: one float property on {g.num_nodes:,} nodes\n")
        print("| path | batch size | writers | properties/s | seconds |\n|---|---:|---:|---:|---:|")
        for bulk, batch, writers in (
            (True, 10_000, 1),
            (True, 10_000, 4),
            (False, 10_000, 1),
            (False, 10_000, 2),
            (False, 10_000, 4),
            (False, 50_000, 2),
        ):
            report, t = _timed(
                lambda b=batch, w=writers, u=bulk: write_node_properties(
                    driver,
                    g.node_ids,
                    {"benchScore": values},
                    batch_size=b,
                    concurrency=w,
                    use_bulk=u,
                )
            )
            path = "bulk" if bulk else "Cypher"
            print(f"| {path} | {batch:,} | {writers} | {report.properties / t:,.0f} | {t:.2f} |")

        embedding = rng.random((g.num_nodes, 128), dtype=np.float32)
        print(f"\n## Write path: a 128-dimensional embedding on {g.num_nodes:,} nodes\n")
        print("| path | batch size | writers | nodes/s | seconds |\n|---|---:|---:|---:|---:|")
        for bulk, batch, writers in ((True, 2_000, 4), (True, 5_000, 2), (False, 2_000, 4)):
            report, t = _timed(
                lambda b=batch, w=writers, u=bulk: write_node_properties(
                    driver,
                    g.node_ids,
                    {"benchEmbedding": embedding},
                    batch_size=b,
                    concurrency=w,
                    use_bulk=u,
                )
            )
            path = "bulk" if bulk else "Cypher"
            print(f"| {path} | {batch:,} | {writers} | {report.rows / t:,.0f} | {t:.2f} |")

        pairs = min(g.num_nodes * 5, 500_000)
        sources = g.node_ids[rng.integers(0, g.num_nodes, pairs)]
        targets = g.node_ids[rng.integers(0, g.num_nodes, pairs)]
        scores = rng.random(pairs)
        print(f"\n## Write path: {pairs:,} new relationships with one score\n")
        print("| path | writers | relationships/s | seconds |\n|---|---:|---:|---:|")
        for bulk, writers in ((True, 1), (True, 2), (False, 1)):
            delete_relationships(driver, "BENCH_SIMILAR")
            report, t = _timed(
                lambda w=writers, u=bulk: write_relationships(
                    driver,
                    sources,
                    targets,
                    "BENCH_SIMILAR",
                    {"score": scores},
                    concurrency=w,
                    use_bulk=u,
                )
            )
            path = "bulk" if bulk else "Cypher"
            print(f"| {path} | {writers} | {report.rows / t:,.0f} | {t:.2f} |")
        delete_relationships(driver, "BENCH_SIMILAR")


if __name__ == "__main__":
    main()
