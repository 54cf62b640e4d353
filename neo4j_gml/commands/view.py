"""``neo4j-gml view``: a PNG and an interactive HTML page of the top nodes by a property."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "view",
        help="draw the top nodes by a property and their neighbours (PNG + HTML)",
        description="Draws the top N nodes by --size-by and up to --neighbours neighbours of "
        "each, sized by --size-by and coloured by --color-by, with legends. Writes OUT.png "
        "and OUT.html (self-contained, works offline).",
    )
    p.add_argument("--size-by", required=True, help="numeric node property, e.g. pagerank")
    p.add_argument("--color-by", default=None, help="category node property, e.g. community")
    p.add_argument("--label", default=None, help="only nodes with this label")
    p.add_argument("--top", type=int, default=25, help="how many top nodes (default 25)")
    p.add_argument("--neighbours", type=int, default=5, help="neighbours per top node")
    p.add_argument("--out", default="view", help="output path without extension")
    p.add_argument("--title", default=None)
    p.add_argument("--uri", default=None, help="Neo4j URI (default: NEO4J_URI)")
    p.add_argument("--database", default=None)
    p.set_defaults(func=_view)


def _view(args: argparse.Namespace) -> int:
    from neo4j_gml.io.connection import Connection
    from neo4j_gml.views.html import render_html
    from neo4j_gml.views.picture import render_png
    from neo4j_gml.views.subgraph import fetch_subgraph

    connection = Connection.from_env(uri=args.uri, database=args.database)
    with connection.driver() as driver:
        sub = fetch_subgraph(
            driver,
            args.size_by,
            args.color_by,
            label=args.label,
            top=args.top,
            neighbours=args.neighbours,
            database=connection.database,
        )
    if not sub.nodes:
        print(f"error: no node has the property '{args.size_by}'")
        return 1
    out = Path(args.out)
    png = render_png(sub, out.with_suffix(".png"), title=args.title)
    page = render_html(sub, out.with_suffix(".html"), title=args.title)
    print(f"{len(sub.nodes)} nodes, {len(sub.edges)} relationships -> {png}, {page}")
    return 0
