"""Every example pipeline runs against the local Neo4j and finds what was planted in its data.

Also checks the scheduler snippets of ``examples/deploy`` (cron, systemd, Kubernetes, Airflow)
name the same pipeline and parse.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import igraph
import pytest
import yaml
from croniter import croniter

from neo4j_gml.pipeline import load_pipeline, run_pipeline

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{path.parent.name}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run_example(name: str, db, **load_args):  # noqa: ANN001, ANN201
    module(EXAMPLES / name / "load.py").load(db, **load_args)
    run = run_pipeline(load_pipeline(EXAMPLES / name / "pipeline.yaml"), driver=db, progress=None)
    assert run.status == "succeeded", run.error
    assert all(s.status == "succeeded" for s in run.steps)
    return run


def scalar(db, query: str):  # noqa: ANN001, ANN201
    return db.execute_query(query).records[0][0]


@pytest.mark.neo4j
def test_fraud_rings_example_finds_the_planted_rings(db) -> None:  # noqa: ANN001
    run_example("fraud_rings", db)
    clusters = db.execute_query(
        "MATCH (a:Account) WITH a.identityCluster AS c, collect(DISTINCT a.ring) AS rings, "
        "count(*) AS n WHERE n > 1 RETURN rings, n"
    ).records
    # every multi-account identity cluster is exactly one planted ring (5 rings of 6)
    assert sorted((r["rings"][0], r["n"]) for r in clusters) == [(i, 6) for i in range(5)]
    links = db.execute_query(
        "MATCH (a:Account)-[s:SHARES_IDENTITY]->(b:Account) "
        "RETURN count(*) AS n, sum(CASE WHEN a.ring = b.ring AND a.ring >= 0 THEN 1 END) AS ok"
    ).records[0]
    assert links["n"] > 0 and links["ok"] == links["n"]
    assert scalar(
        db,
        "MATCH (a:Account) WHERE a.ring >= 0 WITH a.ring AS r, count(DISTINCT a.moneyCommunity) "
        "AS c RETURN max(c)",
    ) == 1  # fmt: skip


@pytest.mark.neo4j
def test_recommendations_example_links_the_same_tastes(db) -> None:  # noqa: ANN001
    run_example("recommendations", db)
    for rel, label in (("SIMILAR_TASTE", "Customer"), ("ALSO_LIKED", "Product")):
        row = db.execute_query(
            f"MATCH (a:{label})-[:{rel}]->(b:{label}) "
            "RETURN count(*) AS n, avg(CASE WHEN a.taste = b.taste THEN 1.0 ELSE 0.0 END) AS same"
        ).records[0]
        assert row["n"] >= 5 * (200 if label == "Customer" else 80) * 0.9
        assert row["same"] >= 0.9, f"{rel}: only {row['same']:.2f} join the same taste"


@pytest.mark.neo4j
def test_cora_example(db, monkeypatch, tmp_path) -> None:  # noqa: ANN001
    cora = module(EXAMPLES / "cora" / "load.py")
    if not (cora.DEFAULT_DIR / "ind.cora.graph").exists():
        pytest.skip(f"Cora (Planetoid) files are absent from {cora.DEFAULT_DIR}")
    monkeypatch.setenv("GML_MODEL_DIR", str(tmp_path / "models"))
    run = run_example("cora", db)
    assert [s.nodeCount for s in run.steps] == [2708] * 6
    assert run.steps[4].relationshipsWritten > 2708  # predicted citations
    assert run.steps[3].summary["testMetrics"]["aucRoc"] >= 0.8  # held-out citations
    for rel in ("PREDICTED_CITATION", "SIMILAR_PAPER"):
        row = db.execute_query(
            f"MATCH (a:Paper)-[:{rel}]->(b:Paper) RETURN count(*) AS n, "
            "avg(CASE WHEN a.subject = b.subject THEN 1.0 ELSE 0.0 END) AS same, "
            "sum(CASE WHEN (a)-[:CITES]-(b) THEN 1 ELSE 0 END) AS cited"
        ).records[0]
        assert row["same"] >= 0.6, rel  # chance is about 0.18 with 7 subjects
        if rel == "PREDICTED_CITATION":
            assert row["cited"] == 0  # predictions are new links only
    rows = db.execute_query("MATCH (p:Paper) RETURN p.subject AS s, p.community AS c").records
    nmi = igraph.compare_communities([r["s"] for r in rows], [r["c"] for r in rows], method="nmi")
    assert nmi >= 0.3
    assert scalar(db, "MATCH (p:Paper) RETURN size(p.embedding) LIMIT 1") == 128


@pytest.mark.neo4j
def test_paper_subjects_example_classifies_the_hidden_papers(db, tmp_path) -> None:  # noqa: ANN001
    example = module(EXAMPLES / "paper_subjects" / "classify.py")
    if not (module(EXAMPLES / "cora" / "load.py").DEFAULT_DIR / "ind.cora.graph").exists():
        pytest.skip("Cora (Planetoid) files are absent")
    found = example.classify(db, tmp_path)
    assert found["hidden"] == 1805
    assert found["hiddenAccuracy"] >= 0.65  # chance is about 0.3 (the largest subject)
    assert (tmp_path / "subjects.png").read_bytes()[:4] == b"\x89PNG"
    rows = db.execute_query(
        "MATCH (p:Paper) RETURN count(p.predictedSubject) AS n, min(size(p.subjectProbabilities)) "
        "AS width"
    ).records
    assert (rows[0]["n"], rows[0]["width"]) == (2708, 7)


@pytest.mark.neo4j
def test_routing_example_answers_as_networkx(db) -> None:  # noqa: ANN001
    """The routing answers on the generated road network against NetworkX on the same roads:
    the cheapest route and its length, A*'s equal length, Yen's three cheapest loopless routes,
    every town's distance, the minimum spanning tree's total; the route written once."""
    import networkx as nx

    roads = module(EXAMPLES / "routing" / "load.py")
    route = module(EXAMPLES / "routing" / "route.py")
    roads.load(db, towns=400, seed=3)
    _, _, edges = roads.generate(400, 3)
    oracle = nx.Graph()
    oracle.add_weighted_edges_from((f"town-{a}", f"town-{b}", km) for a, b, km in edges)
    for _ in range(2):  # the second run rewrites the same ROUTE relationship
        found = route.answer(db, "town-5", "town-333")
    km, path = nx.single_source_dijkstra(oracle, "town-5", "town-333", weight="weight")
    assert found["km"] == pytest.approx(km, rel=1e-12) and found["route"] == path
    assert found["astar_km"] == pytest.approx(km, rel=1e-12)
    simple = nx.shortest_simple_paths(oracle, "town-5", "town-333", weight="weight")
    best3 = [nx.path_weight(oracle, p, "weight") for p, _ in zip(simple, range(3), strict=False)]
    assert found["alternatives_km"] == pytest.approx(best3, rel=1e-12)
    lengths = nx.single_source_dijkstra_path_length(oracle, "town-5", weight="weight")
    assert found["reachable_towns"] == len(lengths)
    assert found["farthest_km"] == pytest.approx(max(lengths.values()), rel=1e-12)
    component = oracle.subgraph(nx.node_connected_component(oracle, "town-5"))
    mst = nx.minimum_spanning_tree(component, weight="weight").size(weight="weight")
    assert found["network_km"] == pytest.approx(mst, rel=1e-9)
    written = db.execute_query(
        "MATCH (a:Town {name: 'town-5'})-[r:ROUTE]->(b:Town {name: 'town-333'}) "
        "RETURN count(r) AS n, r.totalCost AS total, size(r.nodeIds) AS hops"
    ).records
    assert [(w["n"], w["total"], w["hops"]) for w in written] == [(1, found["km"], len(path))]


@pytest.mark.neo4j
def test_demo_pipeline_writes_a_picture(db, neo4j_connection, monkeypatch, tmp_path) -> None:  # noqa: ANN001
    monkeypatch.setenv("NEO4J_URI", neo4j_connection.uri)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_connection.password)
    demo = module(EXAMPLES / "demo_pipeline.py")
    assert demo.main(str(tmp_path)) == 0
    assert (tmp_path / "lesmis.png").read_bytes()[:4] == b"\x89PNG"
    assert "<svg" in (tmp_path / "lesmis.html").read_text()
    assert "Pipeline run" in (tmp_path / "report.html").read_text()
    assert (tmp_path / "lesmis.perspective.json").stat().st_size > 1000


def test_deploy_snippets_run_the_same_pipeline() -> None:
    deploy = EXAMPLES / "deploy"
    target = "examples/fraud_rings/pipeline.yaml"
    cron = [
        line
        for line in (deploy / "crontab").read_text().splitlines()
        if line and not line.startswith("#") and "=" not in line.split()[0]
    ]
    assert len(cron) == 1 and target in cron[0]
    assert croniter.is_valid(" ".join(cron[0].split()[:5]))
    service = (deploy / "neo4j-gml-fraud-rings.service").read_text()
    assert re.search(r"^ExecStart=.*neo4j-gml enrich .*" + re.escape(target), service, re.M)
    timer = (deploy / "neo4j-gml-fraud-rings.timer").read_text()
    assert "OnCalendar=*-*-* 02:00:00" in timer and "[Install]" in timer
    job = yaml.safe_load((deploy / "kubernetes-cronjob.yaml").read_text())
    assert job["kind"] == "CronJob" and job["apiVersion"] == "batch/v1"
    assert croniter.is_valid(job["spec"]["schedule"])
    assert job["spec"]["concurrencyPolicy"] == "Forbid"
    container = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    assert container["command"][:2] == ["neo4j-gml", "enrich"]
    dag = (deploy / "airflow_dag.py").read_text()
    compile(dag, "airflow_dag.py", "exec")  # Airflow itself is not installed here
    assert target in dag and 'schedule="0 2 * * *"' in dag
    load_pipeline(EXAMPLES / "fraud_rings" / "pipeline.yaml")
