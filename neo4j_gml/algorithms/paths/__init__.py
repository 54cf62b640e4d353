"""Path-finding algorithms: pure functions over neo4j_gml.core.graph.Graph."""

__all__: list[str] = []
