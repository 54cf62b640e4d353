"""``neo4j-gml report RUN_ID``: an HTML report of a recorded pipeline run."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="write an HTML report of a pipeline run: neo4j-gml report RUN_ID|latest [--list]",
    )
    p.add_argument("run_id", nargs="?", default="latest", help="a runId, or 'latest'")
    p.add_argument("--list", action="store_true", help="list the recent runs instead")
    p.add_argument("--pipeline", default=None, help="with 'latest': the latest run of this one")
    p.add_argument("--out", default=None, help="HTML file (default: run-RUN_ID.html)")
    p.add_argument("--uri", default=None, help="Neo4j URI (default: NEO4J_URI)")
    p.add_argument("--database", default=None)
    p.set_defaults(func=_report)


def _report(args: argparse.Namespace) -> int:
    from neo4j_gml.io.connection import Connection
    from neo4j_gml.pipeline.records import latest_run_id, recent_runs
    from neo4j_gml.views.report import build_report

    connection = Connection.from_env(uri=args.uri, database=args.database)
    with connection.driver() as driver:
        if args.list:
            for run in recent_runs(driver, connection.database, args.pipeline):
                error = f"  {run['error'].splitlines()[0][:100]}" if run["error"] else ""
                print(
                    f"{run['runId']}  {run['pipeline']:<20} {run['status']:<10} "
                    f"{run['started']}{error}"
                )
            return 0
        run_id = args.run_id
        if run_id == "latest":
            run_id = latest_run_id(driver, connection.database, args.pipeline)
        page = build_report(driver, run_id, connection.database)
    out = Path(args.out or f"run-{run_id}.html")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page)
    print(f"wrote {out}")
    return 0
