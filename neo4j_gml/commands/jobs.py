"""``neo4j-gml jobs list|cancel ID``: the service's running jobs, and cancelling one.

The service is found as the plugin finds it: ``GML_SERVICE_URL`` (default
``http://127.0.0.1:7475``) with ``GML_SERVICE_TOKEN``. A cancelled job stops at its next check
(between phases, per read chunk, write batch and algorithm iteration) and writes nothing after it.
"""

from __future__ import annotations

import argparse
import json
import urllib.parse

from neo4j_gml.commands._remote import service_request

__all__ = ["register", "service_request"]

COLUMNS = ("jobId", "procedure", "mode", "user", "phase", "cancelled", "rowsWritten", "seconds")


def register(sub: argparse._SubParsersAction) -> None:
    jobs = sub.add_parser(
        "jobs",
        help="list or cancel the service's running jobs",
        description="List the jobs the neo4j_gml service runs now, or cancel one by id (the id "
        "is the call's jobId config key, or the UUID gml.job.list() shows). Talks to "
        "GML_SERVICE_URL with GML_SERVICE_TOKEN.",
    )
    actions = jobs.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="the running jobs")
    listing.add_argument("--format", choices=("table", "json"), default="table")
    listing.set_defaults(func=_list)
    cancel = actions.add_parser("cancel", help="cancel a running job")
    cancel.add_argument("job_id", metavar="ID", help="the job's id")
    cancel.set_defaults(func=_cancel)


def _list(args: argparse.Namespace) -> int:
    answer = service_request("GET", "/jobs") or {}
    rows = answer.get("jobs", [])
    if args.format == "json":
        print(json.dumps(answer, indent=2))
        return 0
    print(
        f"{answer.get('running', 0)} running, {answer.get('waiting', 0)} waiting "
        f"(at most {answer.get('maxJobs')} at once, {answer.get('maxQueue')} queued)"
    )
    if rows:
        print("\t".join(COLUMNS))
        for row in rows:
            print("\t".join(str(row.get(c, "")) for c in COLUMNS))
    return 0


def _cancel(args: argparse.Namespace) -> int:
    row = service_request("POST", f"/jobs/{urllib.parse.quote(args.job_id, safe='')}/cancel")
    if row is None:
        raise RuntimeError(f"no job with id '{args.job_id}' is running (neo4j-gml jobs list)")
    print(f"cancelled {row['jobId']} ({row['procedure']}.{row['mode']}, phase {row['phase']})")
    return 0
