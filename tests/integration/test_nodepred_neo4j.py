"""Node classification and regression through every surface on a real Neo4j: from Cypher
(through the plugin and the service), the CLI and a pipeline file; predictions written back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import neo4j
import pytest

pytestmark = pytest.mark.neo4j

GRAPH = """
UNWIND range(0, 59) AS i
CREATE (:GmlSegT {i: i, visits: toFloat(i % 3) + (i % 7) / 10.0, spend: 100.0 * (i % 3) + i % 11,
                  segment: CASE WHEN i % 5 = 0 THEN null ELSE i % 3 END})
"""
KNOWS = """
MATCH (a:GmlSegT), (b:GmlSegT) WHERE a.i < b.i AND a.i % 3 = b.i % 3 AND (a.i + b.i) % 4 = 0
CREATE (a)-[:KNOWS]->(b)
"""
PROJECTION = "nodeLabels: ['GmlSegT'], relationshipTypes: ['KNOWS'], orientation: 'UNDIRECTED'"


@pytest.fixture
def customers(gml_db: neo4j.Driver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    gml_db.execute_query(GRAPH)
    gml_db.execute_query(KNOWS)
    yield gml_db
    for name in ("gml-it-seg", "gml-it-spend", "gml-it-cli", "gml-it-pipe"):
        gml_db.execute_query(
            "CALL gml.model.drop({modelName: $m, failIfMissing: false}) YIELD modelName "
            "RETURN count(*)",
            m=name,
        )


def test_classification_from_cypher_trains_predicts_and_writes(customers: neo4j.Driver) -> None:
    rows, _, _ = customers.execute_query(
        f"CALL gml.nodeClassification.train({{{PROJECTION}, modelName: 'gml-it-seg', "
        "targetProperty: 'segment', featureProperties: ['visits'], "
        "modelCandidates: [{method: 'LogisticRegression', learningRate: 0.1, maxEpochs: 300, "
        "patience: 20}], randomSeed: 1}) YIELD modelInfo, testMetrics "
        "RETURN modelInfo.modelType AS type, testMetrics.ACCURACY AS accuracy"
    )
    assert rows[0]["type"] == "nodeClassification" and rows[0]["accuracy"] >= 0.9
    rows, _, _ = customers.execute_query(
        f"CALL gml.nodeClassification.predict.write({{{PROJECTION}, modelName: 'gml-it-seg', "
        "writeProperty: 'predicted', predictedProbabilityProperty: 'p'}) "
        "YIELD nodePropertiesWritten RETURN nodePropertiesWritten"
    )
    assert rows[0]["nodePropertiesWritten"] == 120  # class and probabilities of 60 nodes
    rows, _, _ = customers.execute_query(
        "MATCH (c:GmlSegT) RETURN avg(CASE WHEN c.predicted = c.i % 3 THEN 1.0 ELSE 0.0 END) AS "
        "right, min(size(c.p)) AS width, count(c.predicted) AS n"
    )
    assert rows[0]["right"] >= 0.9 and rows[0]["width"] == 3 and rows[0]["n"] == 60
    rows, _, _ = customers.execute_query(
        "CALL gml.model.exists('gml-it-seg') YIELD exists, modelType RETURN exists, modelType"
    )
    assert dict(rows[0]) == {"exists": True, "modelType": "nodeClassification"}
    with pytest.raises(neo4j.exceptions.ClientError, match="modelName.*already exists"):
        customers.execute_query(
            f"CALL gml.nodeClassification.train({{{PROJECTION}, modelName: 'gml-it-seg', "
            "targetProperty: 'segment', featureProperties: ['visits']}) YIELD modelInfo RETURN 1"
        )
    with pytest.raises(neo4j.exceptions.ClientError, match="targetProperty"):
        customers.execute_query(
            f"CALL gml.nodeClassification.train({{{PROJECTION}, modelName: 'gml-it-x', "
            "featureProperties: ['visits']}) YIELD modelInfo RETURN 1"
        )


def test_regression_from_the_cli_and_a_pipeline_file(
    customers: neo4j.Driver,
    gml,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
) -> None:
    config = {
        "nodeLabels": ["GmlSegT"],
        "modelName": "gml-it-cli",
        "targetProperty": "spend",
        "featureProperties": ["visits"],
        "modelCandidates": [{"method": "RandomForest", "numberOfDecisionTrees": 20}],
        "randomSeed": 1,
    }
    env = {"NEO4J_URI": gml.uri, "NEO4J_PASSWORD": gml.password}
    monkeypatch.setenv("NEO4J_URI", gml.uri)
    monkeypatch.setenv("NEO4J_PASSWORD", gml.password)
    run = subprocess.run(
        [sys.executable, "-m", "neo4j_gml.cli", "run", "nodeRegression.train", "--mode", "stats",
         "--config", json.dumps(config), "--format", "json"],
        capture_output=True, text=True, env={**os.environ, **env}, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "MEAN_SQUARED_ERROR" in run.stdout
    from neo4j_gml.pipeline import load_pipeline, run_pipeline

    pipeline = tmp_path / "segments.yaml"
    pipeline.write_text(
        "name: segments\n"
        "defaults: {logProgress: false}\n"
        "projections:\n"
        "  customers: {nodeLabels: [GmlSegT], relationshipTypes: [KNOWS], orientation: UNDIRECTED}\n"
        "steps:\n"
        "  - procedure: nodeClassification.train\n"
        "    mode: stats\n"
        "    projection: customers\n"
        "    config: {modelName: gml-it-pipe, targetProperty: segment, featureProperties: [visits],\n"
        "             modelCandidates: [{method: RandomForest, numberOfDecisionTrees: 20}],\n"
        "             randomSeed: 1}\n"
        "  - procedure: nodeClassification.predict\n"
        "    projection: customers\n"
        "    config: {modelName: gml-it-pipe, writeProperty: pipedSegment}\n"
    )
    done = run_pipeline(load_pipeline(pipeline), driver=customers, progress=None)
    assert done.status == "succeeded", done.error
    rows, _, _ = customers.execute_query(
        "MATCH (c:GmlSegT) RETURN avg(CASE WHEN c.pipedSegment = c.i % 3 THEN 1.0 ELSE 0.0 END) "
        "AS right"
    )
    assert rows[0]["right"] >= 0.9


def test_a_pipeline_built_step_by_step_from_cypher(customers: neo4j.Driver) -> None:
    """GDS's builder calls through the plugin: each returns the pipeline so far, a bad step is
    refused naming the argument, and training with ``{pipeline}`` writes predictions."""
    run = customers.execute_query
    try:
        rows, _, _ = run("CALL gml.pipeline.nodeClassification.create('gml-it-pipe') YIELD name "
                         "RETURN name")  # fmt: skip
        assert rows[0]["name"] == "gml-it-pipe"
        run("CALL gml.pipeline.nodeClassification.addNodeProperty('gml-it-pipe', 'degree', "
            "{mutateProperty: 'deg'})")  # fmt: skip
        run("CALL gml.pipeline.nodeClassification.selectFeatures('gml-it-pipe', ['visits', 'deg'])")
        run("CALL gml.pipeline.nodeClassification.addRandomForest('gml-it-pipe', "
            "{numberOfDecisionTrees: {range: [10, 30]}})")  # fmt: skip
        rows, _, _ = run(
            "CALL gml.pipeline.nodeClassification.configureAutoTuning('gml-it-pipe', "
            "{maxTrials: 2}) YIELD nodePropertySteps, featureProperties, parameterSpace, "
            "autoTuningConfig RETURN *"
        )
        assert rows[0]["featureProperties"] == ["visits", "deg"]
        assert rows[0]["nodePropertySteps"][0]["procedure"] == "degree"
        assert rows[0]["autoTuningConfig"] == {"maxTrials": 2}
        assert list(rows[0]["parameterSpace"]) == ["RandomForest"]
        with pytest.raises(neo4j.exceptions.ClientError, match="modelConfiguration.*maxDepth"):
            run("CALL gml.pipeline.nodeClassification.addRandomForest('gml-it-pipe', "
                "{maxDepth: 0})")  # fmt: skip
        rows, _, _ = run(
            f"CALL gml.nodeClassification.train({{{PROJECTION}, pipeline: 'gml-it-pipe', "
            "modelName: 'gml-it-seg', targetProperty: 'segment', randomSeed: 1}) "
            "YIELD modelSelectionStats, testMetrics RETURN *"
        )
        assert len(rows[0]["modelSelectionStats"]["modelCandidates"]) == 2
        assert rows[0]["testMetrics"]["ACCURACY"] >= 0.9
        rows, _, _ = run(
            f"CALL gml.nodeClassification.predict.write({{{PROJECTION}, modelName: 'gml-it-seg', "
            "writeProperty: 'builtSegment'}) YIELD nodePropertiesWritten RETURN *"
        )
        assert rows[0]["nodePropertiesWritten"] == 60
        rows, _, _ = run("CALL gml.pipeline.exists('gml-it-pipe') YIELD exists RETURN exists")
        assert rows[0]["exists"] is True
    finally:
        run("CALL gml.pipeline.drop('gml-it-pipe', false) YIELD name RETURN count(*)")
    rows, _, _ = run("CALL gml.pipeline.list() YIELD name RETURN collect(name) AS names")
    assert "gml-it-pipe" not in rows[0]["names"]
