"""The read paths give the same graph: over Bolt, following each node's relationships
(``gml.io.relationships``) or scanning the relationship store (``gml.io.relationshipScan``, in
one part or several); through the shared-memory transport (``gml.io.projectToFile``, chains or a
partitioned store scan, on one thread or several); and plain Cypher, on random graphs with weights, missing weights,
self-loops, parallel relationships, two types and a label filter, in every orientation and
aggregation. Parallel arcs may come in another order: arcs are compared as sorted
(source, target, weight) triples."""

from __future__ import annotations

import math

import neo4j
import numpy as np
import pytest

from neo4j_gml.io.read import Projection, read_graph

pytestmark = pytest.mark.neo4j

PATHS = {  # name: environment
    "chains": {"GML_TRANSPORT": "bolt", "NEO4J_GML_SCAN": "0", "concurrency": 2},
    "chains, Arrow IPC": {"GML_TRANSPORT": "bolt", "GML_BOLT_FORMAT": "arrow", "concurrency": 2},
    "scan": {"GML_TRANSPORT": "bolt", "NEO4J_GML_SCAN": "1", "concurrency": 1},
    "scan in 3 parts": {"GML_TRANSPORT": "bolt", "NEO4J_GML_SCAN": "1", "concurrency": 3},
    "scan in 3 parts, Arrow IPC": {
        "GML_TRANSPORT": "bolt",
        "NEO4J_GML_SCAN": "1",
        "GML_BOLT_FORMAT": "arrow",
        "concurrency": 3,
    },
    "shm chains, 1 thread": {"GML_TRANSPORT": "shm", "NEO4J_GML_SCAN": "0", "concurrency": 1},
    "shm chains, 3 threads": {"GML_TRANSPORT": "shm", "NEO4J_GML_SCAN": "0", "concurrency": 3},
    "shm scan, 3 threads": {"GML_TRANSPORT": "shm", "NEO4J_GML_SCAN": "1", "concurrency": 3},
    "shm, plugin's choice": {"GML_TRANSPORT": "shm", "NEO4J_GML_SCAN": "auto", "concurrency": 4},
    "cypher": {"GML_TRANSPORT": "bolt", "NEO4J_GML_BULK_IO": "0", "concurrency": 2},
}


def _load(db: neo4j.Driver, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = 60, 400
    db.execute_query(
        "UNWIND range(0, $n - 1) AS i CREATE (x:N {i: i}) WITH x, i WHERE i % 3 = 0 SET x:Third",
        n=n,
    )
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    src[:10] = dst[:10]  # self-loops
    src[10:30], dst[10:30] = src[30:50], dst[30:50]  # parallel relationships
    rows = [
        {
            "s": int(a),
            "t": int(b),
            "w": None if k % 7 == 0 else float(rng.integers(1, 9)),
            "type": "A" if k % 3 else "B",
        }
        for k, (a, b) in enumerate(zip(src, dst, strict=True))
    ]
    for rtype in ("A", "B"):
        db.execute_query(
            "UNWIND $rows AS r MATCH (a:N {i: r.s}), (b:N {i: r.t}) "
            f"CREATE (a)-[:{rtype} {{w: r.w}}]->(b)",
            rows=[r for r in rows if r["type"] == rtype],
        )


def _triples(graph) -> list[tuple[int, int, float]]:  # noqa: ANN001
    ids = graph.node_ids.tolist()
    src, dst = graph.edge_index().tolist()
    w = graph.arc_weights().tolist()
    return sorted((ids[s], ids[t], round(x, 9)) for s, t, x in zip(src, dst, w, strict=True))


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize(
    ("orientation", "aggregation"),
    [("NATURAL", "NONE"), ("REVERSE", "SUM"), ("UNDIRECTED", "NONE"), ("UNDIRECTED", "MAX")],
)
def test_every_read_path_gives_the_same_graph(
    db: neo4j.Driver,
    monkeypatch: pytest.MonkeyPatch,
    seed: int,
    orientation: str,
    aggregation: str,
) -> None:
    _load(db, seed)
    projections = [
        Projection(
            relationship_types=("A", "B"),
            orientation=orientation,
            aggregation=aggregation,
            weight_property="w",
            default_weight=0.5,
        ),
        Projection(node_labels=("Third",), relationship_types=("A",), orientation=orientation),
    ]
    for projection in projections:
        seen = {}
        for name, env in PATHS.items():
            settings = {
                "NEO4J_GML_BULK_IO": "1",
                "NEO4J_GML_SCAN": "0",
                "GML_BOLT_FORMAT": "packed",
            }
            settings.update({k: v for k, v in env.items() if k != "concurrency"})
            for key, value in settings.items():
                monkeypatch.setenv(key, str(value))
            graph, report = read_graph(db, projection, concurrency=int(env["concurrency"]))
            seen[name] = (_triples(graph), graph.node_ids.tolist(), report.dropped_relationships)
        first = seen["chains"]
        assert first[0] and not any(math.isnan(t[2]) for t in first[0])
        for name, got in seen.items():
            assert got == first, (name, projection)
