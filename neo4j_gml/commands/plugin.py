"""``neo4j-gml plugin generate|build``: the Java sources and jar of the Neo4j plugin."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    plugin = sub.add_parser(
        "plugin", help="regenerate or build the Neo4j plugin (gml.* procedures)"
    )
    actions = plugin.add_subparsers(dest="action", metavar="ACTION", required=True)
    gen = actions.add_parser(
        "generate", help="regenerate the Java procedure classes from the Python registry"
    )
    gen.add_argument("--out", default=None, help="output folder (default: the plugin's sources)")
    gen.set_defaults(func=_generate)
    build = actions.add_parser("build", help="build the plugin jar with Maven; prints its path")
    build.add_argument("--force", action="store_true", help="build even when up to date")
    build.set_defaults(func=_build)


def _generate(args: argparse.Namespace) -> int:
    from neo4j_gml import local_neo4j, plugin_codegen

    out = (
        Path(args.out) if args.out else local_neo4j.PLUGIN_DIR.parent / plugin_codegen.GENERATED_DIR
    )
    files = plugin_codegen.write_sources(out)
    print(f"{len(files)} files in {out}")
    return 0


def _build(args: argparse.Namespace) -> int:
    from neo4j_gml.build.plugin_jar import build_plugin

    print(build_plugin(force=args.force))
    return 0
