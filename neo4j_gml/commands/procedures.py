"""``neo4j-gml run`` and ``neo4j-gml list``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import pandas as pd

from neo4j_gml.commands._remote import service_call
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.procedures import registry


def register(sub: argparse._SubParsersAction) -> None:
    run = sub.add_parser("run", help="run a procedure: neo4j-gml run degree --mode stream")
    run.add_argument("name", help="procedure name, e.g. pageRank (see `neo4j-gml list`)")
    run.add_argument("--mode", default="stream", help="stream, stats, write, mutate, estimate...")
    run.add_argument(
        "--graph",
        default=None,
        help="run on this named graph of the service's catalog (the call runs in the service)",
    )
    run.add_argument(
        "--service",
        action="store_true",
        help="run the call in the service (GML_SERVICE_URL), e.g. gml.graph.project, so the "
        "graph stays in its catalog",
    )
    run.add_argument("--config", default="{}", help="the configuration as a JSON map")
    run.add_argument("--format", choices=("table", "json", "csv"), default="table")
    run.add_argument("--limit", type=int, default=None, help="print at most this many rows")
    run.add_argument("--database", default=None, help="database (default: NEO4J_DATABASE)")
    run.set_defaults(func=_run)

    lst = sub.add_parser("list", help="list the procedures")
    lst.add_argument("--format", choices=("table", "json"), default="table")
    lst.set_defaults(func=_list)


def _parse_config(text: str) -> dict:
    try:
        config = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"--config is not valid JSON: {exc}") from None
    if not isinstance(config, dict):
        raise ConfigError('--config must be a JSON map, e.g. \'{"nodeLabels": ["Person"]}\'')
    return config


def _run(args: argparse.Namespace) -> int:
    from neo4j_gml.procedures.runner import rows_of, run

    config = _parse_config(args.config)
    if args.format != "table":
        config.setdefault("logProgress", False)
    result: pd.DataFrame | dict[str, Any]
    if args.graph is not None or args.service:
        rows = service_call(args.name, args.mode, config, graph=args.graph, database=args.database)
        proc = registry.get(args.name)
        single = args.mode != "stream" and not proc.arguments
        result = rows[0] if single and rows else pd.DataFrame(rows)
    else:
        result = run(args.name, args.mode, config, database=args.database)
    out = sys.stdout
    if isinstance(result, dict):
        if args.format == "json":
            json.dump(result, out, default=str)
            out.write("\n")
        elif args.format == "csv":
            keys = [k for k, v in result.items() if not isinstance(v, dict | list)]
            out.write(",".join(keys) + "\n" + ",".join(str(result[k]) for k in keys) + "\n")
        else:
            width = max(len(k) for k in result)
            for key, value in result.items():
                out.write(f"{key:<{width}}  {json.dumps(value, default=str)}\n")
        return 0
    frame = result if args.limit is None else result.head(args.limit)
    if args.format == "json":
        json.dump(rows_of(frame), out, default=str)
        out.write("\n")
    elif args.format == "csv":
        frame.to_csv(out, index=False)
    else:
        out.write(frame.to_string(index=False) + "\n" if len(frame) else "(no rows)\n")
    return 0


def _list(args: argparse.Namespace) -> int:
    from neo4j_gml.procedures.registry import procedures

    rows = [
        {"name": p.name, "modes": list(p.modes), "description": p.description} for p in procedures()
    ]
    if args.format == "json":
        json.dump(rows, sys.stdout)
        sys.stdout.write("\n")
    else:
        width = max((len(r["name"]) for r in rows), default=4)
        for r in rows:
            sys.stdout.write(
                f"{r['name']:<{width}}  {'|'.join(r['modes']):<18} {r['description']}\n"
            )
    return 0
