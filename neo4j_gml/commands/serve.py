"""``neo4j-gml serve``: the HTTP service the Cypher plugin forwards ``gml.*`` calls to."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser(
        "serve",
        help="run the HTTP service behind the gml.* Cypher procedures",
        description="Run the HTTP service behind the gml.* Cypher procedures. It listens where "
        "GML_SERVICE_URL points (default http://127.0.0.1:7475), checks GML_SERVICE_TOKEN, and "
        "reads and writes Neo4j at NEO4J_URI as NEO4J_USER / NEO4J_PASSWORD. At most "
        "GML_SERVICE_MAX_JOBS (2) procedures run at once; GML_SERVICE_MAX_QUEUE (32) more wait.",
    )
    serve.add_argument(
        "--host", default=None, help="address to bind (default from GML_SERVICE_URL)"
    )
    serve.add_argument("--port", type=int, default=None, help="port (default from GML_SERVICE_URL)")
    serve.add_argument(
        "--log-level", default="info", choices=("critical", "error", "warning", "info", "debug")
    )
    serve.set_defaults(func=_serve)


def _serve(args: argparse.Namespace) -> int:
    import logging

    import uvicorn

    from neo4j_gml.server.app import create_app
    from neo4j_gml.server.settings import ServiceSettings

    settings = ServiceSettings.from_env(host=args.host, port=args.port)
    if settings.token is None:
        logging.getLogger("neo4j_gml.server").warning(
            "GML_SERVICE_TOKEN is not set: any local process may call the service"
        )
    app = create_app(settings)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=args.log_level)
    return 0
