"""The HTTP service behind the Cypher plugin: ``neo4j-gml serve``.

:mod:`~neo4j_gml.server.settings` reads where it listens and its limits from the environment,
:mod:`~neo4j_gml.server.app` is the FastAPI application, :mod:`~neo4j_gml.server.neo4j_access`
opens Neo4j as the calling user where the server can impersonate.
"""
