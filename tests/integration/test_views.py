"""Pictures, reports and the Bloom perspective made from a real Neo4j after a pipeline run."""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path

import networkx as nx
import pytest

from neo4j_gml.cli import main
from neo4j_gml.pipeline import load_text, run_pipeline

pytestmark = pytest.mark.neo4j

PIPELINE = """\
name: views
projections:
  chars: {nodeLabels: [Character], relationshipTypes: [APPEARS_WITH], orientation: UNDIRECTED}
defaults: {logProgress: false}
steps:
  - {name: rank, procedure: pageRank, projection: chars, config: {writeProperty: pagerank}}
  - {name: groups, procedure: louvain, projection: chars, config: {writeProperty: community}}
  - name: similar
    procedure: nodeSimilarity
    projection: chars
    config: {writeProperty: score, writeRelationshipType: SIMILAR, topK: 2}
"""


@pytest.fixture
def enriched(db, neo4j_connection, monkeypatch):  # noqa: ANN001, ANN201
    graph = nx.les_miserables_graph()
    db.execute_query("UNWIND $names AS n CREATE (:Character {name: n})", names=list(graph))
    db.execute_query(
        "UNWIND $rows AS r MATCH (a:Character {name: r[0]}), (b:Character {name: r[1]}) "
        "CREATE (a)-[:APPEARS_WITH]->(b)",
        rows=[list(e) for e in graph.edges()],
    )
    run = run_pipeline(load_text(PIPELINE, "views.yaml"), driver=db, progress=None)
    assert run.status == "succeeded", run.error
    monkeypatch.setenv("NEO4J_URI", neo4j_connection.uri)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_connection.password)
    return run


def test_view_writes_png_and_offline_html(enriched, tmp_path: Path) -> None:  # noqa: ANN001
    out = tmp_path / "lesmis"
    args = ["view", "--size-by", "pagerank", "--color-by", "community", "--top", "10"]
    assert main([*args, "--label", "Character", "--out", str(out)]) == 0
    png = out.with_suffix(".png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (1600, 1200)
    page = out.with_suffix(".html").read_text()
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page and "<script src" not in page
    circles = re.findall(r"<circle [^>]*data-id=\"(\d+)\"", page)
    assert 10 < len(circles) <= 10 * 6  # the top 10 and up to 5 neighbours each
    assert "Valjean" in page and "community" in page  # caption and colour legend
    assert page.count("<line ") > 0


def test_report_of_the_run(enriched, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    out = tmp_path / "report.html"
    assert main(["report", "latest", "--out", str(out)]) == 0
    page = out.read_text()
    assert enriched.runId in page and "succeeded" in page
    assert page.count("data:image/png;base64,") == 4  # timings + one chart per step
    assert re.search(r"community: \d+ communities, largest \d+ of 77 nodes", page)
    assert "SIMILAR.score" in page
    assert main(["report", "no-such-run", "--out", str(tmp_path / "x.html")]) == 1
    capsys.readouterr()
    assert main(["report", "--list", "--pipeline", "views"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith(enriched.runId) and "succeeded" in line


def test_bloom_perspective_from_the_database(enriched, tmp_path: Path) -> None:  # noqa: ANN001
    out = tmp_path / "perspective.json"
    assert main(["bloom", "perspective", "--out", str(out)]) == 0
    p = json.loads(out.read_text())
    character = next(c for c in p["categories"] if c["name"] == "Character")
    size, colour = character["styleRules"]
    assert size["basedOn"] == "pagerank" and size["type"] == "range"
    assert 0 < size["minValue"] < size["maxValue"]
    assert colour["basedOn"] == "community" and len(colour["uniqueValues"]) >= 2
    assert character["captionKeys"] == ["name"]
    assert {"source": "Character", "relationshipType": "SIMILAR", "target": "Character"} in p[
        "metadata"
    ]["pathSegments"]
    hidden = {c["id"] for c in p["categories"] if c["name"] in ("GmlRun", "GmlStep")}
    assert set(p["hiddenCategories"]) == hidden and len(hidden) == 2
    assert p["metadata"]["stats"]["labels"]["Character"] == 77
    file = tmp_path / "views.yaml"
    file.write_text(PIPELINE)  # its pageRank and louvain writes name the styled properties
    assert main(["bloom", "perspective", "--out", str(out), "--pipeline", str(file)]) == 0
    rules = json.loads(out.read_text())["categories"][0]["styleRules"]
    assert [r["basedOn"] for r in rules] == ["pagerank", "community"]
    assert len(rules[1]["uniqueValues"]) >= 2
