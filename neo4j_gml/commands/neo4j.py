"""``neo4j-gml neo4j start|stop|status``: the local Neo4j 5.26 DBMS the project runs itself."""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction) -> None:
    neo = sub.add_parser("neo4j", help="start, stop or inspect the local Neo4j server")
    actions = neo.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, helptext in (
        ("start", "start the local Neo4j (idempotent); prints the Bolt URI"),
        ("stop", "stop the local Neo4j cleanly"),
        ("status", "say whether the local Neo4j runs, and where"),
    ):
        p = actions.add_parser(name, help=helptext)
        p.add_argument("--home", default=None, help="DBMS home folder (default: ./.neo4j-home)")
        if name == "start":
            p.add_argument(
                "--port", type=int, default=None, help="Bolt port (default 7687; 0 = any)"
            )
            p.add_argument("--timeout", type=float, default=180.0, help="seconds to wait for Bolt")
            p.add_argument(
                "--with-gds",
                action="store_true",
                help="also load Open GDS 2.13 from Maven Central (for benchmarks; allows gds.*)",
            )
        if name == "status":
            p.add_argument("--format", choices=("text", "json"), default="text")
        p.set_defaults(func=_ACTIONS[name])


def _start(args: argparse.Namespace) -> int:
    from neo4j_gml import local_neo4j

    uri = local_neo4j.start(
        home=args.home, port=args.port, timeout=args.timeout, with_gds=args.with_gds
    )
    print(uri)
    return 0


def _stop(args: argparse.Namespace) -> int:
    from neo4j_gml import local_neo4j

    was_running = local_neo4j.stop(home=args.home)
    print("stopped" if was_running else "not running")
    return 0


def _status(args: argparse.Namespace) -> int:
    from neo4j_gml import local_neo4j

    info = local_neo4j.status(home=args.home)
    if args.format == "json":
        json.dump(info, sys.stdout)
        sys.stdout.write("\n")
    else:
        state = (
            f"running (pid {info['pid']}) at {info['uri']}" if info["running"] else "not running"
        )
        print(f"{state}; home {info['home']}")
    return 0 if info["running"] else 3


_ACTIONS = {"start": _start, "stop": _stop, "status": _status}
