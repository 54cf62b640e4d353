"""neo4j_gml: graph machine-learning procedures for Neo4j on torch (CPU or GPU).

Read a projection of a Neo4j graph into tensors, run an algorithm, and stream the rows or write
them back as node and relationship properties::

    import neo4j_gml
    df = neo4j_gml.run("degree", "stream", {"nodeLabels": ["Person"]})
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from neo4j_gml.core.graph import Graph
    from neo4j_gml.graphs import Catalog

__version__ = "0.1.0"


def run(name, mode, config=None, driver=None, graph=None, database=None, format="pandas"):  # noqa: ANN001, ANN201, A002
    """Run procedure ``name`` in ``mode``; ``graph`` may name a graph of the catalog
    (``run("pageRank", "stream", {}, graph="g")``); ``format`` is ``pandas``, ``arrow`` or
    ``polars``. See :func:`neo4j_gml.procedures.runner.run`."""
    from neo4j_gml.procedures.runner import run as _run

    return _run(
        name, mode, config or {}, driver=driver, graph=graph, database=database, format=format
    )


def __getattr__(name: str) -> Any:
    # Graph (and torch with it) is imported on first use: a child process that only runs an
    # igraph call (neo4j_gml.core.isolated) imports this package without torch.
    if name == "Graph":
        from neo4j_gml.core.graph import Graph

        return Graph
    if name == "Catalog":
        from neo4j_gml.graphs import Catalog

        return Catalog
    raise AttributeError(f"module 'neo4j_gml' has no attribute {name!r}")


__all__ = ["Catalog", "Graph", "run", "__version__"]
