"""Writing results back: types, idempotence, hostile names, Neo4j going away mid-write."""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path

import neo4j
import numpy as np
import pytest
import torch

from neo4j_gml import local_neo4j
from neo4j_gml.io.connection import Connection
from neo4j_gml.io.write import WriteError, write_node_properties, write_relationships

pytestmark = pytest.mark.neo4j


def _make_nodes(db: neo4j.Driver, count: int) -> list[int]:
    records, _, _ = db.execute_query(
        "UNWIND range(0, $n - 1) AS i CREATE (n:W {i: i}) RETURN id(n) AS id ORDER BY i", n=count
    )
    return [r["id"] for r in records]


@pytest.mark.usefixtures("io_path")
def test_node_properties_of_each_type_and_rerun(db: neo4j.Driver) -> None:
    ids = _make_nodes(db, 25)
    score = torch.linspace(0, 1, 25, dtype=torch.float64)
    comp = torch.arange(25) % 3
    emb = torch.arange(50, dtype=torch.float32).reshape(25, 2)
    for _ in range(2):  # the second run must leave the same graph
        report = write_node_properties(
            db, ids, {"score": score, "comp": comp, "emb": emb}, batch_size=7, concurrency=3
        )
        assert report.rows == 25 and report.properties == 75
    records, _, _ = db.execute_query(
        "MATCH (n:W) RETURN n.i AS i, n.score AS s, n.comp AS c, n.emb AS e ORDER BY i"
    )
    assert [r["s"] for r in records] == pytest.approx(score.tolist(), abs=0)
    assert [r["c"] for r in records] == comp.tolist()
    assert all(isinstance(r["c"], int) for r in records)
    assert [r["e"] for r in records] == emb.to(torch.float64).tolist()


@pytest.mark.usefixtures("io_path")
def test_relationships_merge_never_duplicate(db: neo4j.Driver) -> None:
    ids = _make_nodes(db, 4)
    src, dst = np.array(ids[:3]), np.array(ids[1:])
    write_relationships(db, src, dst, "SIMILAR", {"score": [0.1, 0.2, 0.3]}, batch_size=2)
    write_relationships(db, src, dst, "SIMILAR", {"score": [0.5, 0.6, 0.7]}, batch_size=2)
    records, _, _ = db.execute_query("MATCH ()-[r:SIMILAR]->() RETURN r.score AS s ORDER BY s")
    assert [r["s"] for r in records] == [0.5, 0.6, 0.7]


@pytest.mark.usefixtures("io_path")
def test_hostile_names_are_quoted_not_executed(db: neo4j.Driver) -> None:
    ids = _make_nodes(db, 2)
    hostile = "x` = 1 WITH n MATCH (m) DETACH DELETE m //"
    write_node_properties(db, ids, {hostile: [1.0, 2.0]})
    write_relationships(db, ids[:1], ids[1:], "T`]->() DELETE r //", {hostile: [3.0]})
    records, _, _ = db.execute_query("MATCH (n:W) RETURN n[$p] AS v ORDER BY v", p=hostile)
    assert [r["v"] for r in records] == [1.0, 2.0]
    records, _, _ = db.execute_query("MATCH ()-[r]->() RETURN type(r) AS t")
    assert [r["t"] for r in records] == ["T`]->() DELETE r //"]


def test_neo4j_stopped_mid_write_keeps_whole_batches() -> None:
    home = Path(tempfile.mkdtemp(prefix="gml-midwrite-"))
    uri = local_neo4j.start(home=home, port=0, timeout=300)
    conn = Connection(uri=uri, password=local_neo4j.DEFAULT_PASSWORD)
    batch = 200
    try:
        with conn.driver() as drv:
            ids = _make_nodes(drv, 60_000)
            stopper = threading.Timer(1.0, lambda: local_neo4j.stop(home=home))
            stopper.start()
            started = time.perf_counter()
            with pytest.raises(WriteError) as caught:
                for _ in range(50):  # keep writing until the server is gone
                    write_node_properties(drv, ids, {"p": np.ones(len(ids))}, batch_size=batch)
            stopper.join()
            assert time.perf_counter() - started < 120
            assert "running the write again completes it" in str(caught.value)
        local_neo4j.start(home=home, port=0, timeout=300)
        uri = local_neo4j.status(home=home)["uri"]
        with Connection(uri=uri, password=local_neo4j.DEFAULT_PASSWORD).driver() as drv:
            records, _, _ = drv.execute_query("MATCH (n:W) WHERE n.p = 1.0 RETURN count(n) AS c")
            written = records[0]["c"]
            assert written % batch == 0 or written == len(ids)  # no half-written batch
            # rerunning completes the write
            write_node_properties(drv, ids, {"p": np.ones(len(ids))}, batch_size=5000)
            records, _, _ = drv.execute_query("MATCH (n:W) WHERE n.p = 1.0 RETURN count(n) AS c")
            assert records[0]["c"] == len(ids)
    finally:
        local_neo4j.stop(home=home)
