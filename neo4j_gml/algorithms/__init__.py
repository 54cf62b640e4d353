"""The algorithm layer: pure functions over neo4j_gml.core.graph.Graph, one package per family
(centrality, community, embedding, link prediction, similarity)."""

__all__: list[str] = []
