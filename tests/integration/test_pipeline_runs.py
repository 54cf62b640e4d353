"""Pipelines against the real Neo4j: shared reads, run records, failures, idempotent reruns."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import neo4j_gml
from neo4j_gml.cli import main
from neo4j_gml.pipeline import load_text, run_pipeline
from neo4j_gml.pipeline.lock import PipelineLock
from neo4j_gml.pipeline.records import load_run

pytestmark = pytest.mark.neo4j

PIPELINE = """\
name: lesmis
projections:
  chars:
    nodeLabels: [Character]
    relationshipTypes: [APPEARS_WITH]
    orientation: UNDIRECTED
    relationshipWeightProperty: weight
defaults: {logProgress: false, concurrency: 2}
steps:
  - name: rank
    procedure: pageRank
    projection: chars
    config: {writeProperty: pagerank}
  - name: degree
    procedure: degree
    projection: chars
    config: {writeProperty: wdegree}
  - name: components
    procedure: wcc
    config: {writeProperty: component}
"""


def load_les_miserables(driver) -> nx.Graph:  # noqa: ANN001
    graph = nx.les_miserables_graph()
    driver.execute_query("UNWIND $names AS n CREATE (:Character {name: n})", names=list(graph))
    driver.execute_query(
        "UNWIND $rows AS r MATCH (a:Character {name: r.a}), (b:Character {name: r.b}) "
        "CREATE (a)-[:APPEARS_WITH {weight: r.w}]->(b)",
        rows=[{"a": a, "b": b, "w": float(d["weight"])} for a, b, d in graph.edges(data=True)],
    )
    return graph


def props(driver, name: str) -> dict:  # noqa: ANN001
    records, _, _ = driver.execute_query(
        f"MATCH (c:Character) RETURN c.name AS name, c.{name} AS v"
    )
    return {r["name"]: r["v"] for r in records}


def test_pipeline_run_is_recorded_and_idempotent(db, tmp_path: Path) -> None:  # noqa: ANN001
    graph = load_les_miserables(db)
    pipeline = load_text(PIPELINE, "lesmis.yaml")
    messages: list[str] = []
    run = run_pipeline(pipeline, driver=db, progress=messages.append)
    assert run.status == "succeeded", run.error
    assert "(2 projection read(s))" in messages[-1]  # rank and degree share one read
    # oracle: weighted degree = NetworkX's weighted degree; pageRank's top node as NetworkX's
    wdegree = props(db, "wdegree")
    assert wdegree == {n: pytest.approx(d) for n, d in graph.degree(weight="weight")}
    pagerank = props(db, "pagerank")
    nx_rank = nx.pagerank(graph, weight="weight")
    assert max(pagerank, key=pagerank.get) == max(nx_rank, key=nx_rank.get) == "Valjean"
    assert (
        set(props(db, "component").values()) == {0}
        or len(set(props(db, "component").values())) == 1
    )

    saved = load_run(db, None, run.runId)
    assert saved.status == "succeeded" and saved.fileHash == pipeline.file_hash
    assert [s.status for s in saved.steps] == ["succeeded"] * 3
    assert [s.nodePropertiesWritten for s in saved.steps] == [77, 77, 77]
    assert saved.steps[0].config["writeProperty"] == "pagerank"
    assert saved.steps[2].nodeCount == 77  # '*' does not read the run records
    records, _, _ = db.execute_query(
        "MATCH (r:GmlRun {runId: $id})-[:HAS_STEP]->(s:GmlStep) RETURN count(s) AS n",
        id=run.runId,
    )
    assert records[0]["n"] == 3

    again = run_pipeline(pipeline, driver=db, progress=None)
    assert again.status == "succeeded"
    assert props(db, "pagerank") == pytest.approx(pagerank)
    assert again.steps[2].nodeCount == 77  # the first run's records are still not read
    counts, _, _ = db.execute_query(
        "MATCH (c:Character) WITH count(c) AS n "
        "MATCH (:Character)-[r]->(:Character) RETURN n, count(r) AS m"
    )
    assert (counts[0]["n"], counts[0]["m"]) == (77, 254)
    runs, _, _ = db.execute_query("MATCH (r:GmlRun) RETURN count(r) AS n")
    assert runs[0]["n"] == 2


def test_failed_step_keeps_earlier_results_and_names_the_step(db) -> None:  # noqa: ANN001
    load_les_miserables(db)
    text = PIPELINE.replace(
        "  - name: components\n    procedure: wcc",
        "  - name: broken\n    procedure: wcc\n    projection: nowhere\n    config: {writeProperty: c}\n"
        "  - name: components\n    procedure: wcc",
    ).replace("projections:\n", "projections:\n  nowhere:\n    nodeLabels: [NoSuchLabel]\n")
    pipeline = load_text(text, "broken.yaml")
    run = run_pipeline(pipeline, driver=db, progress=None)
    assert run.status == "failed"
    assert "step 'broken' (wcc) failed" in run.error and "NoSuchLabel" in run.error
    assert [s.status for s in run.steps] == ["succeeded", "succeeded", "failed", "skipped"]
    assert all(v is not None for v in props(db, "wdegree").values())
    saved = load_run(db, None, run.runId)
    assert saved.status == "failed" and saved.steps[2].error and saved.steps[3].status == "skipped"


def test_unreachable_run_is_spooled_then_saved(db, neo4j_connection, tmp_path: Path) -> None:  # noqa: ANN001
    load_les_miserables(db)
    pipeline = load_text(PIPELINE, "lesmis.yaml")
    spool = tmp_path / "spool.jsonl"
    failed = run_pipeline(pipeline, uri="bolt://127.0.0.1:1", spool_file=spool, progress=None)
    assert failed.status == "failed" and "unreachable" in failed.error
    assert json.loads(spool.read_text())["runId"] == failed.runId
    later = run_pipeline(pipeline, driver=db, spool_file=spool, progress=None)
    assert later.status == "succeeded" and not spool.exists()
    saved = load_run(db, None, failed.runId)
    assert saved.status == "failed" and "unreachable" in saved.error
    assert [s.status for s in saved.steps] == ["skipped"] * 3


def test_enrich_command_streams_to_csv_and_respects_the_lock(
    db, neo4j_connection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # noqa: ANN001
    load_les_miserables(db)
    monkeypatch.setenv("NEO4J_URI", neo4j_connection.uri)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_connection.password)
    file = tmp_path / "p.yaml"
    file.write_text(
        "name: csv\nsteps:\n  - procedure: degree\n    mode: stream\n    output: out/deg.csv\n"
        "    config: {nodeLabels: [Character], logProgress: false}\n"
    )
    args = ["enrich", str(file), "--state-dir", str(tmp_path), "--json"]
    assert main(args) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["status"] == "succeeded" and record["steps"][0]["rowCount"] == 77
    lines = (tmp_path / "out" / "deg.csv").read_text().splitlines()
    assert lines[0] == "nodeId,score" and len(lines) == 78
    with PipelineLock(tmp_path / "csv.lock"):
        assert main(args) == 3
    assert "already running" in capsys.readouterr().err


def test_relationship_steps_replace_their_earlier_relationships(db) -> None:  # noqa: ANN001
    load_les_miserables(db)
    db.execute_query(  # a stale prediction of an earlier run, between two far-apart characters
        "MATCH (a:Character {name: 'Napoleon'}), (b:Character {name: 'Brujon'}) "
        "CREATE (a)-[:SIMILAR {score: 1.0}]->(b)"
    )
    text = (
        "name: sim\nsteps:\n  - procedure: nodeSimilarity\n    config:\n"
        "      nodeLabels: [Character]\n      relationshipTypes: [APPEARS_WITH]\n"
        "      orientation: UNDIRECTED\n      topK: 3\n      logProgress: false\n"
        "      writeRelationshipType: SIMILAR\n      writeProperty: score\n"
    )
    pipeline = load_text(text, "sim.yaml")
    first = run_pipeline(pipeline, driver=db, progress=None)
    assert first.status == "succeeded" and first.steps[0].summary["relationshipsDeleted"] == 1
    stale = "MATCH (:Character {name: 'Napoleon'})-[r:SIMILAR]->(:Character {name: 'Brujon'}) "
    assert db.execute_query(stale + "RETURN count(r)").records[0][0] == 0
    count = "MATCH ()-[r:SIMILAR]->() RETURN count(r)"
    written = db.execute_query(count).records[0][0]
    assert written == first.steps[0].relationshipsWritten > 0
    again = run_pipeline(pipeline, driver=db, progress=None)
    assert again.steps[0].summary["relationshipsDeleted"] == written
    assert db.execute_query(count).records[0][0] == written
    keep = load_text(text + "    replace: false\n", "sim.yaml")
    assert run_pipeline(keep, driver=db, progress=None).steps[0].summary.get(
        "relationshipsDeleted"
    ) is None  # fmt: skip


def test_one_read_carries_the_properties_of_later_steps(db) -> None:  # noqa: ANN001
    load_les_miserables(db)
    db.execute_query("MATCH (c:Character) SET c.seed = 5")
    text = (
        "name: seeds\nprojections:\n  chars: {nodeLabels: [Character], orientation: UNDIRECTED}\n"
        "defaults: {logProgress: false}\nsteps:\n"
        "  - {procedure: pageRank, projection: chars, config: {writeProperty: pr}}\n"
        "  - {procedure: wcc, projection: chars, mode: stats, config: {seedProperty: seed}}\n"
    )
    messages: list[str] = []
    run = run_pipeline(load_text(text, "seeds.yaml"), driver=db, progress=messages.append)
    assert run.status == "succeeded", run.error
    assert messages[-1].endswith("(1 projection read(s))")  # pageRank's read had 'seed' too
    assert run.steps[1].summary["componentCount"] == 1


def test_mutate_steps_keep_values_in_memory_for_later_steps(db, tmp_path: Path) -> None:  # noqa: ANN001
    """A pipeline's projection is its in-memory graph for the run: fastRP mutates embeddings
    into it, kNN reads them without a write to Neo4j, pageRank's mutated scores seed nothing
    in the database, and a write after a relationship write (which drops the cached read) still
    sees the mutated values."""
    load_les_miserables(db)
    text = (
        "name: chain\nprojections:\n  chars: {nodeLabels: [Character], orientation: UNDIRECTED}\n"
        "defaults: {logProgress: false, concurrency: 1}\nsteps:\n"
        "  - {procedure: fastRP, projection: chars, mode: mutate,"
        " config: {mutateProperty: emb, embeddingDimension: 16, randomSeed: 3}}\n"
        "  - {procedure: knn, projection: chars, mode: write, config: {nodeProperties: [emb],"
        " topK: 1, randomSeed: 3, writeRelationshipType: SIMILAR, writeProperty: score}}\n"
        "  - {procedure: knn, name: knn2, projection: chars, mode: stream, output: knn.csv,"
        " config: {nodeProperties: [emb], topK: 1, randomSeed: 3}}\n"
    )
    (tmp_path / "chain.yaml").write_text(text)
    run = run_pipeline(load_text(text, str(tmp_path / "chain.yaml"), base=tmp_path), driver=db)
    assert run.status == "succeeded", run.error
    assert run.steps[0].summary["nodePropertiesWritten"] == 77
    assert set(props(db, "emb").values()) == {None}  # never written to Neo4j
    written = db.execute_query("MATCH ()-[r:SIMILAR]->() RETURN count(r) AS c").records[0]["c"]
    assert written == 77
    # kNN ran on fastRP's embeddings: the same fastRP run's exact nearest neighbours (on the
    # graph before kNN wrote its SIMILAR relationships, which the projection's '*' now reads)
    emb = neo4j_gml.run(
        "fastRP",
        "stream",
        {
            "nodeLabels": ["Character"],
            "relationshipTypes": ["APPEARS_WITH"],
            "orientation": "UNDIRECTED",
            "embeddingDimension": 16,
            "randomSeed": 3,
            "concurrency": 1,
        },
        driver=db,
    )
    ids = emb["nodeId"].to_numpy()
    vectors = np.stack(emb["embedding"].to_list())
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    cosine = unit @ unit.T
    np.fill_diagonal(cosine, -np.inf)
    best = {int(ids[i]): float(cosine[i].max()) for i in range(len(ids))}
    found = pd.read_csv(tmp_path / "knn.csv")
    assert len(found) == 77
    # each pair's similarity (GDS's cosine: (1 + cos) / 2) is the exact best one (kNN may
    # pick another node of equal score)
    hits = sum(abs(row.similarity - (1 + best[row.node1]) / 2) < 1e-6 for row in found.itertuples())
    assert hits >= 0.95 * len(found), hits


def test_mutate_is_refused_for_relationship_results_and_estimate_mode(db) -> None:  # noqa: ANN001
    text = (
        "name: bad\ndefaults: {logProgress: false}\nsteps:\n"
        "  - {procedure: knn, mode: mutate, config: {nodeProperties: [x], mutateProperty: s,"
        " mutateRelationshipType: S}}\n"
        "  - {procedure: pageRank, mode: estimate}\n"
    )
    with pytest.raises(Exception) as caught:
        load_text(text, "bad.yaml")
    message = str(caught.value)
    assert "bad.yaml:4: step 1 (knn) key 'mode'" in message or "key 'mode'" in message
    assert "which 'knn' does not" in message
    assert "estimate" in message
