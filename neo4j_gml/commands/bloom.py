"""``neo4j-gml bloom perspective --out FILE.json``: a Bloom perspective of the written results."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    bloom = sub.add_parser("bloom", help="Neo4j Bloom helpers: neo4j-gml bloom perspective")
    bsub = bloom.add_subparsers(dest="bloom_command", metavar="COMMAND")
    p = bsub.add_parser(
        "perspective",
        help="write a Bloom 2.x perspective (size by a centrality, colour by a community)",
    )
    p.add_argument("--out", required=True, help="the perspective JSON file to write")
    p.add_argument("--size-by", default=None, help="node property sizing nodes (e.g. pagerank)")
    p.add_argument("--color-by", default=None, help="node property colouring nodes (community)")
    p.add_argument(
        "--pipeline", default=None, help="take --size-by and --color-by from a pipeline's writes"
    )
    p.add_argument("--name", default="neo4j-gml results", help="perspective name")
    p.add_argument("--uri", default=None, help="Neo4j URI (default: NEO4J_URI)")
    p.add_argument("--database", default=None)
    p.set_defaults(func=_perspective)
    bloom.set_defaults(func=lambda _a: (bloom.print_help(), 2)[1])


def _perspective(args: argparse.Namespace) -> int:
    from neo4j_gml.bloom import perspective, read_schema, rules_summary, styled_properties
    from neo4j_gml.io.connection import Connection

    if args.pipeline:
        from neo4j_gml.pipeline.loader import load_pipeline

        size_by, color_by = styled_properties(load_pipeline(args.pipeline))
        args.size_by = args.size_by or size_by
        args.color_by = args.color_by or color_by

    connection = Connection.from_env(uri=args.uri, database=args.database)
    with connection.driver() as driver:
        schema = read_schema(driver, connection.database, args.size_by, args.color_by)
    if not schema.labels:
        print("error: the database has no labels to make categories of", file=sys.stderr)
        return 1
    persp = perspective(schema, name=args.name, size_by=args.size_by, color_by=args.color_by)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(persp, indent=2, default=str) + "\n")
    print(f"wrote {out}: {len(persp['categories'])} categories")
    for line in rules_summary(persp):
        print(f"  {line}")
    return 0
