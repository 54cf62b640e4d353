"""Pipeline files: validation with file/line/key, schema, estimates, lock, scheduler (no Neo4j)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import jsonschema
import pytest
import yaml

from neo4j_gml.cli import main
from neo4j_gml.pipeline.loader import PipelineError, load_pipeline, load_text
from neo4j_gml.pipeline.lock import LockedError, PipelineLock
from neo4j_gml.pipeline.plan import Counter, format_plan, plan
from neo4j_gml.pipeline.records import RunRecord, StepRecord
from neo4j_gml.pipeline.scheduler import Scheduler, check_cron
from neo4j_gml.pipeline.schema import pipeline_schema, schema_text
from neo4j_gml.procedures.registry import procedures

ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE = "bolt://127.0.0.1:1"

GOOD = """\
name: demo
projections:
  people:
    nodeLabels: [Person]
    orientation: UNDIRECTED
defaults:
  logProgress: false
steps:
  - name: rank
    procedure: pageRank
    projection: people
    config:
      writeProperty: pagerank
  - procedure: louvain
    projection: people
    config: {writeProperty: community}
  - procedure: degree
    mode: stats
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(PipelineError) as info:
        load_text(text, "p.yaml")
    return info.value.problems


def test_valid_pipeline_merges_defaults_and_projection() -> None:
    pipeline = load_text(GOOD, "p.yaml")
    assert [s.name for s in pipeline.steps] == ["rank", "louvain", "degree"]
    rank = pipeline.steps[0]
    assert rank.validated["nodeLabels"] == ["Person"]
    assert rank.validated["orientation"] == "UNDIRECTED"
    assert rank.validated["logProgress"] is False
    assert rank.mode == "write" and rank.line == 9
    assert pipeline.steps[2].mode == "stats" and pipeline.steps[2].projection is None
    assert len(pipeline.file_hash) == 64


def test_yaml_error_names_file_line_and_column() -> None:
    (problem,) = problems_of("name: x\nsteps: [\n  - a: 1\n")
    assert problem.startswith("p.yaml:3:") and "YAML error" in problem


def test_unknown_procedure_names_line_and_suggests() -> None:
    (problem,) = problems_of(GOOD.replace("procedure: louvain", "procedure: louvian"))
    assert problem.startswith("p.yaml:14:")
    assert "key 'procedure'" in problem and "did you mean louvain" in problem


def test_bad_config_key_points_at_its_line() -> None:
    text = GOOD.replace(
        "writeProperty: pagerank", "writeProperty: pagerank\n      dampingFactor: 3"
    )
    (problem,) = problems_of(text)
    assert problem.startswith("p.yaml:14:") and "steps[0] 'rank' key 'dampingFactor'" in problem


def test_bad_key_in_shared_projection_points_at_the_projection() -> None:
    text = GOOD.replace("orientation: UNDIRECTED", "orientation: SIDEWAYS")
    problems = problems_of(text)
    assert problems and all(p.startswith("p.yaml:5:") for p in problems)
    assert "orientation" in problems[0]


def test_every_problem_is_reported_before_anything_runs() -> None:
    text = GOOD.replace("procedure: louvain", "procedure: nope").replace(
        "mode: stats", "mode: stream\n    config: {bogus: 1}"
    )
    text = text.replace(
        "projection: people\n    config:\n      writeProperty",
        "projection: folk\n    config:\n      writeProperty",
    )
    problems = problems_of(text)
    assert len(problems) == 3
    assert "no projection named 'folk'" in problems[0] and problems[0].startswith("p.yaml:11:")
    assert "unknown procedure 'nope'" in problems[1]
    assert "unknown config key 'bogus'" in problems[2] and problems[2].startswith("p.yaml:19:")


def test_missing_write_property_duplicate_names_and_unknown_keys() -> None:
    text = """\
name: x
steps:
  - procedure: wcc
  - procedure: wcc
    mode: stats
    colour: red
"""
    problems = problems_of(text)
    assert "writeProperty' is required" in problems[0] and problems[0].startswith("p.yaml:3:")
    assert problems[1].startswith("p.yaml:6:") and "'steps[1].colour' is not allowed" in problems[1]
    text = "name: x\nsteps:\n  - procedure: wcc\n    mode: stats\n  - procedure: wcc\n    mode: stats\n"
    (problem,) = problems_of(text)
    assert "used twice" in problem and problem.startswith("p.yaml:5:")
    (problem,) = problems_of("name: x\nname: y\nsteps: []\n")
    assert problem.startswith("p.yaml:2:") and "twice" in problem


def test_wrong_types_are_refused_with_their_line() -> None:
    (problem,) = problems_of("name: x\nsteps:\n  - procedure: wcc\n    config: [1, 2]\n")
    assert problem.startswith("p.yaml:4:") and "steps[0].config" in problem
    assert "not of type 'object'" in problem
    (problem,) = problems_of("name: x\nsteps:\n  - wcc\n")
    assert problem.startswith("p.yaml:3:") and "not of type 'object'" in problem
    (problem,) = problems_of("name: x\nsteps: []\n")
    assert problem.startswith("p.yaml:2: key 'steps'")  # too short (jsonschema's wording varies)


def test_environment_is_expanded_in_the_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GML_TEST_PW", "s3cret")
    text = "name: x\nconnection:\n  password: ${GML_TEST_PW}\n  uri: ${GML_NO_SUCH:-bolt://h:1}\n"
    pipeline = load_text(text + "steps:\n  - procedure: wcc\n    mode: stats\n", "p.yaml")
    conn = pipeline.connect()
    assert conn.password == "s3cret" and conn.uri == "bolt://h:1"
    assert pipeline.connect(uri="bolt://other:2").uri == "bolt://other:2"
    (problem,) = problems_of(
        "name: x\nconnection:\n  password: ${GML_NOT_SET_X}\nsteps:\n"
        "  - procedure: wcc\n    mode: stats\n"
    )
    assert problem.startswith("p.yaml:2:") and "GML_NOT_SET_X" in problem


def test_schema_from_the_specs_accepts_the_examples(capsys: pytest.CaptureFixture) -> None:
    assert main(["enrich", "--schema"]) == 0  # what editors get; nothing committed to go stale
    printed = capsys.readouterr().out
    assert printed == schema_text()
    schema = json.loads(printed)
    assert schema == pipeline_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    step = schema["properties"]["steps"]["items"]
    assert step["properties"]["procedure"]["enum"] == [p.name for p in procedures()]
    files = sorted((ROOT / "examples").glob("*/pipeline.yaml"))
    assert files
    for file in files:
        jsonschema.validate(yaml.safe_load(file.read_text()), schema)
        load_pipeline(file)  # and the registry accepts every step
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            {"name": "x", "steps": [{"procedure": "pageRank", "mode": "x"}]}, schema
        )


def test_plan_estimates_scale_with_counts_and_dimension() -> None:
    text = GOOD.replace("  - procedure: degree\n    mode: stats\n", "") + (
        "  - procedure: fastRP\n    mode: stats\n    config: {embeddingDimension: 64}\n"
        "  - procedure: fastRP\n    name: wide\n    mode: stats\n"
        "    config: {embeddingDimension: 256}\n"
    )
    pipeline = load_text(text, "p.yaml")
    small = plan(pipeline, Counter(None, nodes=1000, relationships=5000))
    big = plan(pipeline, Counter(None, nodes=10_000, relationships=50_000))
    rank_small, rank_big = small[0].estimate, big[0].estimate
    assert rank_big.total_bytes == pytest.approx(10 * rank_small.total_bytes, rel=0.01)
    # pageRank on the undirected projection: indptr + ids (8 B per node) + 2 arcs per relationship
    assert rank_small.graph_bytes == 8 * (2 * 1000 + 1) + 8 * 2 * 5000
    assert small[3].estimate.result_bytes == 4 * small[2].estimate.result_bytes  # 256 vs 64 dims
    assert small[2].estimate.total_bytes > rank_small.total_bytes
    assert "peak memory estimate" in format_plan(pipeline, small)


def test_dry_run_plan_shares_one_read(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    pipeline = load_text(GOOD, "p.yaml")
    steps = plan(pipeline, Counter(None, nodes=1000, relationships=4000))
    assert [s.read for s in steps] == [1, 1, 2]
    text = format_plan(pipeline, steps)
    assert "2 projection read(s)" in text and "-> property 'pagerank'" in text
    file = tmp_path / "p.yaml"
    file.write_text(GOOD)
    args = ["enrich", str(file), "--dry-run", "--nodes", "1000", "--relationships", "4000"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "[1/3] rank: pageRank write" in out and "peak memory estimate" in out


def test_enrich_refuses_an_invalid_file_with_exit_2(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    file = tmp_path / "bad.yaml"
    file.write_text(GOOD.replace("procedure: degree", "procedure: degre"))
    assert main(["enrich", str(file), "--state-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"{file}:17:" in err and "nothing was run" in err


def test_lock_refuses_a_live_holder_and_takes_over_a_crashed_one(tmp_path: Path) -> None:
    path = tmp_path / "p.lock"
    with PipelineLock(path):
        assert json.loads(path.read_text())["pid"] == os.getpid()
        with pytest.raises(LockedError, match="already running"):
            PipelineLock(path).acquire()
    assert not path.exists()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    pid = int(dead.stdout)  # a process that has exited: its lock is stale
    path.write_text(json.dumps({"pid": pid, "host": socket.gethostname(), "since": 0}))
    with PipelineLock(path):
        assert json.loads(path.read_text())["pid"] == os.getpid()
    path.write_text("garbage")
    with PipelineLock(path):
        pass


def test_run_record_round_trips_through_json() -> None:
    run = RunRecord("r1", "p", "p.yaml", "abc", "2026-01-01T00:00:00+00:00")
    run.steps = [StepRecord(0, "rank", "pageRank", "write", {"writeProperty": "x"})]
    assert RunRecord.from_json(json.loads(json.dumps(run.to_json()))) == run


def test_cron_expression_is_checked() -> None:
    assert check_cron("0 2 * * *") == "0 2 * * *"
    with pytest.raises(ValueError, match="not a valid cron"):
        check_cron("every night")


def test_scheduler_logs_unreachable_runs_as_failed_and_keeps_going(tmp_path: Path) -> None:
    file = tmp_path / "p.yaml"
    file.write_text(GOOD)
    log = tmp_path / "log.jsonl"
    lines: list[str] = []
    sched = Scheduler(
        file,
        "* * * * * *",
        state_dir=tmp_path,
        log_file=log,
        uri=UNREACHABLE,
        max_runs=2,
        run_now=True,
        echo=lines.append,
    )
    assert sched.serve() == 0
    entries = [json.loads(x) for x in log.read_text().splitlines()]
    runs = [e for e in entries if e["event"] == "run"]
    assert len(runs) == 2 and all(r["status"] == "failed" for r in runs)
    assert "unreachable" in runs[0]["error"]
    assert entries[-1]["event"] == "stopped" and entries[-1]["runs"] == 2
    spooled = (tmp_path / "demo.spool.jsonl").read_text().splitlines()
    assert [json.loads(x)["runId"] for x in spooled] == [r["runId"] for r in runs]
    assert not (tmp_path / "demo.lock").exists()


def test_scheduler_skips_while_locked_and_stops_on_request(tmp_path: Path) -> None:
    file = tmp_path / "p.yaml"
    file.write_text(GOOD)
    sched = Scheduler(file, "0 2 * * *", state_dir=tmp_path, uri=UNREACHABLE, echo=lambda m: None)
    with PipelineLock(tmp_path / "demo.lock"):
        assert sched.run_once()["event"] == "skipped"
    file.write_text(GOOD.replace("louvain", "louvian"))
    entry = sched.run_once()
    assert entry["status"] == "failed" and "invalid pipeline file" in entry["error"]
    threading.Timer(0.5, sched.stop).start()  # what the SIGTERM handler does
    assert sched.serve() == 0 and sched.runs == 0
