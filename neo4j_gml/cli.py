"""The ``neo4j-gml`` command line: run procedures, list them, manage the local Neo4j, ...

Sub-commands live in :mod:`neo4j_gml.commands`, one module each. An error prints its complete
message (every line, after ``error:``) and exits 1; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    from neo4j_gml import __version__, commands

    parser = argparse.ArgumentParser(
        prog="neo4j-gml",
        description="Graph machine learning on Neo4j: GDS-style procedures on torch (CPU or GPU).",
    )
    parser.add_argument("--version", action="version", version=f"neo4j-gml {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):  # a helper of the commands, not a command
            continue
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``neo4j-gml`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the whole message, no traceback unless --debug
        if args.debug:
            raise
        print(f"error: {error_text(exc)}", file=sys.stderr)
        return 1


def error_text(exc: BaseException) -> str:
    """The complete message of ``exc``, every line of it (a hint often follows on a line of its
    own, e.g. "running the write again completes it"), or its class name when it has none."""
    return str(exc).strip() or type(exc).__name__


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
