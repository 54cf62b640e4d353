"""Generated benchmark graphs and loading them into Neo4j."""

from __future__ import annotations

import time

import neo4j
import numpy as np


def power_law_edges(
    num_nodes: int, num_edges: int, *, exponent: float = 2.1, seed: int = 42
) -> tuple[np.ndarray, np.ndarray]:
    """A Chung-Lu style directed graph: endpoints drawn with power-law expected degrees.

    Self-loops are removed; parallel arcs may remain (as in real data). ``O(m)``.
    """
    rng = np.random.default_rng(seed)
    ranks = np.arange(1, num_nodes + 1, dtype=np.float64)
    weights = ranks ** (-1.0 / (exponent - 1.0))
    p = weights / weights.sum()
    src = rng.choice(num_nodes, size=num_edges, p=p)
    dst = rng.integers(0, num_nodes, size=num_edges)
    keep = src != dst
    return src[keep], dst[keep]


def load_into_neo4j(
    driver: neo4j.Driver,
    src: np.ndarray,
    dst: np.ndarray,
    num_nodes: int,
    *,
    label: str = "Bench",
    rel: str = "LINKS",
    batch: int = 50_000,
    database: str | None = None,
) -> tuple[np.ndarray, float]:
    """Create ``num_nodes`` ``label`` nodes and the arcs as ``rel`` relationships (with a
    ``weight``); returns the Neo4j ids by position and the seconds it took."""
    started = time.perf_counter()
    ids: list[int] = []
    for lo in range(0, num_nodes, 100_000):
        hi = min(lo + 100_000, num_nodes)
        records, _, _ = driver.execute_query(
            f"UNWIND range($lo, $hi - 1) AS i CREATE (n:{label} {{i: i}}) RETURN id(n) AS id",
            lo=lo,
            hi=hi,
            database_=database,
        )
        ids.extend(r["id"] for r in records)
    node_ids = np.asarray(ids, dtype=np.int64)
    rng = np.random.default_rng(0)
    weights = rng.random(src.size)
    query = (
        "UNWIND range(0, size($s) - 1) AS i MATCH (a) WHERE id(a) = $s[i] "
        f"MATCH (b) WHERE id(b) = $t[i] CREATE (a)-[:{rel} {{weight: $w[i]}}]->(b)"
    )
    for lo in range(0, src.size, batch):
        hi = min(lo + batch, src.size)
        driver.execute_query(
            query,
            s=node_ids[src[lo:hi]].tolist(),
            t=node_ids[dst[lo:hi]].tolist(),
            w=weights[lo:hi].tolist(),
            database_=database,
        )
    return node_ids, time.perf_counter() - started


def clear(driver: neo4j.Driver, label: str = "Bench", database: str | None = None) -> None:
    """Delete the benchmark nodes and relationships in batches: relationships first (a
    power-law hub's DETACH DELETE alone can outgrow the transaction memory pool)."""
    with driver.session(database=database) as session:
        session.run(
            f"MATCH (:{label})-[r]->() CALL {{ WITH r DELETE r }} IN TRANSACTIONS OF 50000 ROWS"
        ).consume()
        session.run(
            f"MATCH (n:{label}) CALL {{ WITH n DETACH DELETE n }} IN TRANSACTIONS OF 10000 ROWS"
        ).consume()
