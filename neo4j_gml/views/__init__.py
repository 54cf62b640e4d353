"""Pictures of results: a subgraph as PNG and interactive HTML, and HTML reports of runs."""

from neo4j_gml.views.subgraph import Subgraph, fetch_subgraph

__all__ = ["Subgraph", "fetch_subgraph"]
