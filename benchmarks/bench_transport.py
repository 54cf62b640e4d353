"""The three transport paths beside GDS on the same Neo4j: reads, writes and end to end.

    python -m benchmarks.bench_transport --uri bolt://127.0.0.1:7688 --sizes 1M,5M

For each size (the power-law graph of :mod:`benchmarks.run`, ``(:Bench)-[:LINKS]->(:Bench)``)
it times, median of ``--repeat`` runs:

* **read**: ``read_graph`` of ``Bench``/``LINKS`` (concurrency 4) through the shared-memory
  transport (``GML_TRANSPORT=shm``, following chains and scanning the store), packed bytes and
  Arrow IPC streams over Bolt (``GML_TRANSPORT=bolt``, ``GML_BOLT_FORMAT``, chains and scan)
  and plain Cypher; the plugin's
  ``gml.io.projectToFile`` call alone; GDS's ``gds.graph.project`` (readConcurrency 4). Raw
  limits: one ``collect()`` of the ids over Bolt, and a memory copy of the bytes the projection
  moves.
* **write**: a float property, a 128-dimensional float32 embedding (all nodes) and
  relationships with one score (``--rel-writes`` of them) through shm and Bolt, beside GDS's
  ``gds.graph.nodeProperties.write`` of a mutated pageRank / fastRP (d = 128) and
  ``gds.graph.relationship.write`` of a projected copy of as many relationships; raw limit: a
  memory copy of the bytes.
* **end to end** (write mode, concurrency 4): pageRank, wcc, louvain, fastRP through
  ``neo4j_gml.run`` on each path (shm with the plugin's choice of chains or scan; Bolt bytes
  following chains: each path's default), after one untimed warm-up run per path, beside GDS's
  project + write + drop (:func:`benchmarks.run.run_pair`).

Each section starts with :func:`benchmarks.run._warm_up` (store, GDS and torch code paths).

Writes ``benchmarks/results/<date>-<host>-transport.md`` and ``.json``. Not a pass/fail test.
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
from neo4j_gml.io import transport
from neo4j_gml.io.read import Projection, read_graph
from neo4j_gml.io.write import write_node_properties, write_relationships

LABEL, REL = bench.LABEL, bench.REL
READ_PATHS = {  # name: (NEO4J_GML_BULK_IO, GML_TRANSPORT, NEO4J_GML_SCAN, GML_BOLT_FORMAT)
    "shm, chains": ("1", "shm", "0", "packed"),
    "shm, store scan": ("1", "shm", "1", "packed"),
    "Bolt packed bytes, chains": ("1", "bolt", "0", "packed"),
    "Bolt Arrow IPC, chains": ("1", "bolt", "0", "arrow"),
    "Bolt packed bytes, store scan": ("1", "bolt", "1", "packed"),
    "Bolt Arrow IPC, store scan": ("1", "bolt", "1", "arrow"),
    "plain Cypher": ("0", "bolt", "0", "packed"),
}
WRITE_PATHS = ("shm", "bolt")
ALGOS = ("pageRank", "wcc", "louvain", "fastRP")


def _use(path: tuple[str, str, str, str]) -> None:
    keys = ("NEO4J_GML_BULK_IO", "GML_TRANSPORT", "NEO4J_GML_SCAN", "GML_BOLT_FORMAT")
    os.environ.update(dict(zip(keys, path, strict=True)))


def _median(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _memcpy(nbytes: int, repeat: int) -> float:
    block = np.ones(nbytes // 8, dtype=np.int64)
    return _median(lambda: block.copy(), repeat)


def reads(driver: neo4j.Driver, info: dict[str, Any], repeat: int) -> dict[str, float]:
    m, n = info["relationships"], info["nodes"]
    projection = Projection((LABEL,), (REL,))
    bench._warm_up(driver)
    for path in READ_PATHS.values():  # each path's code once, untimed
        _use(path)
        read_graph(driver, projection, concurrency=4)
    out: dict[str, float] = {}
    out["raw: Bolt collect() of the ids"] = _median(
        lambda: driver.execute_query(
            f"MATCH (a:{LABEL})-[:{REL}]->(b) RETURN collect(id(a)) AS s, collect(id(b)) AS t"
        ),
        repeat,
    )
    out["raw: memory copy of the projection's bytes"] = _memcpy(8 * (n + 2 * m), repeat)

    def gds_project() -> None:
        gds.project(driver, "transport", LABEL, REL, concurrency=4)
        gds.drop(driver, "transport")

    out["GDS gds.graph.project"] = _median(gds_project, repeat)
    _use(READ_PATHS["shm, chains"])
    shared = transport.shared_directory(driver, None)
    assert shared is not None
    for scan in (False, True):
        out[f"plugin projectToFile alone ({'scan' if scan else 'chains'})"] = _median(
            lambda scan=scan: transport.read_projection(
                driver,
                None,
                shared,
                labels=[LABEL],
                types=[REL],
                weight=None,
                default=float("nan"),
                concurrency=4,
                scan=scan,
            ),
            repeat,
        )
    for name, path in READ_PATHS.items():
        _use(path)
        out[f"read_graph, {name}"] = _median(
            lambda: read_graph(driver, projection, concurrency=4),
            repeat if "Cypher" not in name else 1,
        )
    return out


def _ids(driver: neo4j.Driver) -> np.ndarray:
    rows = driver.execute_query(f"MATCH (n:{LABEL}) RETURN collect(id(n)) AS ids").records
    return np.sort(np.asarray(rows[0]["ids"], dtype=np.int64))


def _gds_write(driver: neo4j.Driver, mutate: str, write: str) -> float:
    """Seconds of GDS's write step alone: project, ``mutate`` (untimed), ``write`` (timed)."""
    gds.project(driver, "transport", LABEL, REL, concurrency=4)
    try:
        driver.execute_query(mutate, g="transport")
        started = time.perf_counter()
        driver.execute_query(write, g="transport")
        return time.perf_counter() - started
    finally:
        gds.drop(driver, "transport")


def _remove(driver: neo4j.Driver, what: str) -> None:
    with driver.session() as session:
        session.run(
            f"MATCH (n:{LABEL}) CALL {{ WITH n REMOVE {what} }} IN TRANSACTIONS OF 20000 ROWS"
        ).consume()


def writes(driver: neo4j.Driver, rel_writes: int, repeat: int) -> dict[str, float]:
    ids = _ids(driver)
    n = ids.size
    bench._warm_up(driver)
    rng = np.random.default_rng(1)
    scalar = rng.random(n)
    embedding = rng.random((n, 128)).astype(np.float32)
    out: dict[str, float] = {}
    out["raw: memory copy of a float column"] = _memcpy(8 * n, repeat)
    out["raw: memory copy of the 128-d embeddings"] = _memcpy(4 * 128 * n, repeat)
    for path in WRITE_PATHS:
        os.environ["GML_TRANSPORT"] = path
        out[f"float property, {path}"] = _median(
            lambda: write_node_properties(driver, ids, {"t_x": scalar}), repeat
        )
        out[f"128-d embedding, {path}"] = _median(
            lambda: write_node_properties(driver, ids, {"t_emb": embedding}, batch_size=2000),
            repeat,
        )
    _remove(driver, "n.t_x, n.t_emb")
    out["float property, GDS"] = statistics.median(
        _gds_write(
            driver,
            "CALL gds.pageRank.mutate($g, {mutateProperty: 't_pr', concurrency: 4})",
            "CALL gds.graph.nodeProperties.write($g, ['t_pr'], ['*'], {writeConcurrency: 4})",
        )
        for _ in range(repeat)
    )
    out["128-d embedding, GDS"] = statistics.median(
        _gds_write(
            driver,
            "CALL gds.fastRP.mutate($g, {mutateProperty: 't_fr', embeddingDimension: 128, "
            "concurrency: 4})",
            "CALL gds.graph.nodeProperties.write($g, ['t_fr'], ['*'], {writeConcurrency: 4})",
        )
        for _ in range(repeat)
    )
    _remove(driver, "n.t_pr, n.t_fr")
    if rel_writes:
        src = ids[rng.integers(0, n, rel_writes)]
        dst = ids[rng.integers(0, n, rel_writes)]
        score = rng.random(rel_writes)
        for path in WRITE_PATHS:
            os.environ["GML_TRANSPORT"] = path
            started = time.perf_counter()
            report = write_relationships(driver, src, dst, f"T_{path.upper()}", {"s": score})
            out[f"relationships ({report.rows:,}), {path}"] = time.perf_counter() - started
        # GDS: project a copy of LINKS with a property on a node subset of about that size
        gds.drop(driver, "transport")
        share = min(
            1.0,
            rel_writes
            / max(
                1,
                driver.execute_query(f"MATCH ()-[r:{REL}]->() RETURN count(r) AS c").records[0][
                    "c"
                ],
            ),
        )
        rows = driver.execute_query(
            "CALL gds.graph.project.cypher('transport', "
            f"'MATCH (n:{LABEL}) RETURN id(n) AS id', "
            f"'MATCH (a:{LABEL})-[r:{REL}]->(b) WHERE rand() < {share} "
            "RETURN id(a) AS source, id(b) AS target, rand() AS s') YIELD relationshipCount"
        ).records
        started = time.perf_counter()
        driver.execute_query(
            "CALL gds.graph.relationship.write('transport', '__ALL__', 's') "
            "YIELD relationshipsWritten RETURN relationshipsWritten"
        )
        out[f"relationships ({rows[0]['relationshipCount']:,}), GDS"] = (
            time.perf_counter() - started
        )
        gds.drop(driver, "transport")
        for rel_type in ("T_SHM", "T_BOLT", "__ALL__"):
            with driver.session() as session:
                session.run(
                    f"MATCH ()-[r:{rel_type}]->() CALL {{ WITH r DELETE r }} "
                    "IN TRANSACTIONS OF 50000 ROWS"
                ).consume()
    return out


def end_to_end(driver: neo4j.Driver, info: dict[str, Any], repeat: int) -> dict[str, Any]:
    specs = bench._specs()
    bench._warm_up(driver)
    out: dict[str, Any] = {}
    for algo in ALGOS:
        try:
            out[algo] = _end_to_end_one(driver, algo, specs, repeat)
        except neo4j.exceptions.Neo4jError as exc:  # one side failed: say so, go on
            print(f"{algo}: {exc}", flush=True)
            out[algo] = {"error": str(exc)[:200]}
    return out


def _end_to_end_one(
    driver: neo4j.Driver, algo: str, specs: dict[str, Any], repeat: int
) -> dict[str, float]:
    row: dict[str, float] = {}
    for path in WRITE_PATHS:
        _use(READ_PATHS["shm, chains" if path == "shm" else "Bolt packed bytes, chains"])
        if path == "shm":
            os.environ["NEO4J_GML_SCAN"] = "auto"  # its default: the plugin chooses
        neo4j_gml.run(algo, "write", specs[algo]["gml"], driver=driver)  # warm-up, untimed
        pair = bench.run_repeated(driver, algo, specs[algo], repeat)
        row[path] = pair["gml"]["total_s"]
        row[f"{path} read"] = pair["gml"]["read_ms"] / 1000
        row[f"{path} write"] = pair["gml"]["write_ms"] / 1000
        row["GDS"] = min(row.get("GDS", float("inf")), pair["gds"]["total_s"])
        row["GDS project"] = pair["gds"]["project_ms"] / 1000
        row["GDS write"] = pair["gds"]["write_ms"] / 1000
    return row


def markdown(meta: dict[str, Any], results: list[dict[str, Any]]) -> str:
    lines = [
        "# Transport paths beside GDS on the same Neo4j",
        "",
        f"{meta['date']}; {meta['machine']}; Neo4j {meta['neo4j']}, GDS {meta['gds']}; "
        f"median of {meta['repeat']} runs; concurrency 4 on both sides. "
        "`python -m benchmarks.bench_transport`.",
        "",
    ]
    for r in results:
        g = r["graph"]
        lines += [f"## {r['size']}: {g['nodes']:,} nodes, {g['relationships']:,} relationships", ""]
        gds_read = r["reads"]["GDS gds.graph.project"]
        lines += ["### Read", "", "| what | seconds | x GDS's projection |", "|---|---:|---:|"]
        for name, seconds in r["reads"].items():
            lines.append(f"| {name} | {seconds:.3f} | {seconds / gds_read:.2f} |")
        lines += ["", "### Write", "", "| what | seconds |", "|---|---:|"]
        for name, seconds in r["writes"].items():
            lines.append(f"| {name} | {seconds:.3f} |")
        if r.get("end_to_end"):
            lines += [
                "",
                "### End to end, write mode",
                "",
                "| algorithm | shm (s) | Bolt (s) | GDS (s) | shm x GDS | read shm / Bolt / GDS "
                "project (s) | write shm / Bolt / GDS (s) |",
                "|---|---:|---:|---:|---:|---|---|",
            ]
            for algo, row in r["end_to_end"].items():
                if "error" in row:
                    lines.append(f"| {algo} | failed: {row['error']} | | | | | |")
                    continue
                lines.append(
                    f"| {algo} | {row['shm']:.2f} | {row['bolt']:.2f} | {row['GDS']:.2f} | "
                    f"{row['shm'] / row['GDS']:.2f} | {row['shm read']:.2f} / "
                    f"{row['bolt read']:.2f} / {row['GDS project']:.2f} | "
                    f"{row['shm write']:.2f} / {row['bolt write']:.2f} / {row['GDS write']:.2f} |"
                )
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--uri", default=os.environ.get("NEO4J_BENCH_URI", "bolt://127.0.0.1:7687"))
    parser.add_argument("--sizes", default="1M")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rel-writes", type=int, default=200_000)
    parser.add_argument("--e2e-repeat", type=int, default=None, help="default: --repeat")
    parser.add_argument("--skip", default="", help="comma-separated: reads, writes, end_to_end")
    parser.add_argument("--tag", default="transport")
    args = parser.parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    password = os.environ.get("NEO4J_PASSWORD", "")
    results = []
    with neo4j.GraphDatabase.driver(
        args.uri, auth=("neo4j", password), notifications_min_severity="OFF"
    ) as driver:
        gds_version = gds.version(driver)
        if gds_version is None:
            print("this Neo4j has no GDS: start it with `neo4j-gml neo4j start --with-gds`")
            return 2
        neo4j_version = driver.execute_query(
            "CALL dbms.components() YIELD versions RETURN versions[0] AS v"
        ).records[0]["v"]
        for size in [s.strip() for s in args.sizes.split(",") if s.strip()]:
            info = bench.ensure_graph(driver, size)
            result: dict[str, Any] = {"size": size, "graph": info}
            for part, fn in (
                ("reads", lambda info=info: reads(driver, info, args.repeat)),
                ("writes", lambda: writes(driver, args.rel_writes, args.repeat)),
                (
                    "end_to_end",
                    lambda info=info: end_to_end(driver, info, args.e2e_repeat or args.repeat),
                ),
            ):
                if part in skip:
                    continue
                print(f"[{size}] {part} ...", flush=True)
                result[part] = fn()
                print(json.dumps(result[part], indent=1), flush=True)
            results.append(result)
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
