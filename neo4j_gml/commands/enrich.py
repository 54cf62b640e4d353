"""``neo4j-gml enrich PIPELINE.yaml``: validate a pipeline file, then run (or plan) it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "enrich",
        help="run a pipeline file: neo4j-gml enrich pipeline.yaml [--dry-run]",
        description="Validate every step of a pipeline file, then run the steps in order and "
        "record the run as (:GmlRun)-[:HAS_STEP]->(:GmlStep). Exit status: 0 succeeded, "
        "1 a step failed or Neo4j was unreachable, 2 the file is invalid, 3 already running.",
    )
    p.add_argument("pipeline", nargs="?", help="the pipeline YAML file")
    p.add_argument("--dry-run", action="store_true", help="print the plan with memory estimates")
    p.add_argument("--nodes", type=int, default=None, help="dry run: assume this many nodes")
    p.add_argument(
        "--relationships", type=int, default=None, help="dry run: assume this many relationships"
    )
    p.add_argument("--uri", default=None, help="Neo4j URI (default: the file, then NEO4J_URI)")
    p.add_argument("--database", default=None, help="database (default: file, NEO4J_DATABASE)")
    p.add_argument("--state-dir", default=None, help="lock and spool folder")
    p.add_argument("--json", action="store_true", help="print the run record as JSON")
    p.add_argument("--schema", action="store_true", help="print the pipeline JSON Schema")
    p.set_defaults(func=_enrich)


def _enrich(args: argparse.Namespace) -> int:
    from neo4j_gml.pipeline.loader import PipelineError, load_pipeline

    if args.schema:
        from neo4j_gml.pipeline.schema import schema_text

        sys.stdout.write(schema_text())
        return 0
    if not args.pipeline:
        print("error: give a pipeline file (or --schema)", file=sys.stderr)
        return 2
    try:
        pipeline = load_pipeline(args.pipeline)
    except PipelineError as exc:
        print("error: the pipeline file is invalid; nothing was run", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    if args.dry_run:
        return _dry_run(pipeline, args)
    return run_locked(pipeline, args.uri, args.database, args.state_dir, as_json=args.json)


def _dry_run(pipeline, args: argparse.Namespace) -> int:  # noqa: ANN001
    from neo4j_gml.pipeline.plan import Counter, format_plan, plan

    if args.nodes is not None and args.relationships is not None:
        counter = Counter(None, nodes=args.nodes, relationships=args.relationships)
        print(format_plan(pipeline, plan(pipeline, counter)))
        return 0
    connection = pipeline.connect(uri=args.uri, database=args.database)
    with connection.driver() as driver:
        try:
            driver.verify_connectivity()
        except Exception as exc:
            print(
                f"error: cannot reach Neo4j at {connection.uri} to count the graph ({exc}); "
                "give --nodes and --relationships to plan without it",
                file=sys.stderr,
            )
            return 1
        counter = Counter(driver, connection.database, args.nodes, args.relationships)
        print(format_plan(pipeline, plan(pipeline, counter)))
    return 0


def run_locked(
    pipeline,  # noqa: ANN001
    uri: str | None,
    database: str | None,
    state_dir: str | None,
    *,
    as_json: bool = False,
    should_stop=lambda: False,  # noqa: ANN001
) -> int:
    """Run under the pipeline's lock; the exit status of ``enrich``."""
    from neo4j_gml.pipeline.execute import run_pipeline
    from neo4j_gml.pipeline.lock import LockedError, PipelineLock, default_state_dir

    state = Path(state_dir) if state_dir else default_state_dir()
    try:
        with PipelineLock(state / f"{pipeline.name}.lock"):
            run = run_pipeline(
                pipeline,
                uri=uri,
                database=database,
                should_stop=should_stop,
                spool_file=state / f"{pipeline.name}.spool.jsonl",
            )
    except LockedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    if as_json:
        json.dump(run.to_json(), sys.stdout, default=str)
        sys.stdout.write("\n")
    else:
        print(f"{run.runId} {run.status}" + (f": {run.error}" if run.error else ""))
    return 0 if run.status == "succeeded" else 1
