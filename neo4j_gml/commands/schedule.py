"""``neo4j-gml schedule PIPELINE.yaml --cron "0 2 * * *"``: run a pipeline on a schedule."""

from __future__ import annotations

import argparse
import signal
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "schedule",
        help='run a pipeline on a cron schedule: neo4j-gml schedule p.yaml --cron "0 2 * * *"',
        description="A long-lived process that runs the pipeline at each cron time, never two "
        "runs of one pipeline at once (lock file with the pid; a crashed run's lock is taken "
        "over), logs each run as a JSON line, and stops cleanly on SIGTERM or SIGINT.",
    )
    p.add_argument("pipeline", help="the pipeline YAML file")
    p.add_argument(
        "--cron", required=True, help="5-field cron expression, local time (6th field: seconds)"
    )
    p.add_argument("--state-dir", default=None, help="lock, spool and default log folder")
    p.add_argument("--log", default=None, help="JSON-lines log file (default: STATE/NAME.log)")
    p.add_argument("--uri", default=None, help="Neo4j URI (default: the file, then NEO4J_URI)")
    p.add_argument("--database", default=None)
    p.add_argument("--run-now", action="store_true", help="also run once at start")
    p.add_argument("--max-runs", type=int, default=None, help="exit after this many runs")
    p.set_defaults(func=_schedule)


def _schedule(args: argparse.Namespace) -> int:
    from neo4j_gml.pipeline.loader import load_pipeline
    from neo4j_gml.pipeline.lock import default_state_dir
    from neo4j_gml.pipeline.scheduler import Scheduler, check_cron

    check_cron(args.cron)
    pipeline = load_pipeline(args.pipeline)  # refuse a broken file before scheduling it
    state = Path(args.state_dir) if args.state_dir else default_state_dir()
    log = Path(args.log) if args.log else state / f"{pipeline.name}.log"
    scheduler = Scheduler(
        args.pipeline,
        args.cron,
        state_dir=state,
        log_file=log,
        uri=args.uri,
        database=args.database,
        max_runs=args.max_runs,
        run_now=args.run_now,
    )
    signal.signal(signal.SIGTERM, scheduler.stop)
    signal.signal(signal.SIGINT, scheduler.stop)
    return scheduler.serve()
