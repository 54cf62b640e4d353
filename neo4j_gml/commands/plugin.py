"""``neo4j-gml plugin build|generate``: the jar and the generated Java of the Neo4j plugin.

``build`` is all a change to the registry needs: it generates the ``gml.*`` procedure classes
from the registry and runs Maven when the jar is missing or stale (``neo4j-gml neo4j start`` does
the same by itself). ``generate`` only writes the generated classes, for reading them.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    plugin = sub.add_parser("plugin", help="build the Neo4j plugin (gml.* procedures)")
    actions = plugin.add_subparsers(dest="action", metavar="ACTION", required=True)
    build = actions.add_parser(
        "build",
        help="generate the procedure classes from the registry and build the plugin jar with "
        "Maven (when missing or stale); prints its path",
    )
    build.add_argument("--force", action="store_true", help="build even when up to date")
    build.set_defaults(func=_build)
    gen = actions.add_parser(
        "generate",
        help="write the Java procedure classes generated from the registry, for reading "
        "(the build generates them itself)",
    )
    gen.add_argument(
        "--out",
        default=None,
        help="output folder (default: where the build puts them, under "
        "plugin/procedures/target/generated-sources/gml)",
    )
    gen.set_defaults(func=_generate)


def _generate(args: argparse.Namespace) -> int:
    from neo4j_gml import plugin_codegen
    from neo4j_gml.build.plugin_jar import generated_root

    out = Path(args.out) if args.out else generated_root() / plugin_codegen.PACKAGE_DIR
    files = plugin_codegen.write_sources(out)
    print(f"{len(files)} files in {out}")
    return 0


def _build(args: argparse.Namespace) -> int:
    from neo4j_gml.build.plugin_jar import build_plugin

    print(build_plugin(force=args.force))
    return 0
