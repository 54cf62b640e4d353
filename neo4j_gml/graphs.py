"""Named graphs from Python, in the spirit of the ``graphdatascience`` client.

A :class:`Catalog` projects graphs into this process's catalog and hands back
:class:`NamedGraph` objects that run procedures on them; every call goes through the same
registry procedures as Cypher (``gml.graph.project``, ``gml.pageRank.stream('g', ...)``)::

    from neo4j_gml import Catalog
    catalog = Catalog()                                   # NEO4J_URI, NEO4J_USER, ...
    g, row = catalog.project("pages", "Page", {"LINKS": {"properties": "weight"}})
    g.run("pageRank", "mutate", {"mutateProperty": "pr"})
    g.run("louvain", "stream")
    g.write_node_properties(["pr"])
    g.drop()

A graph lives as long as the process (in the service: until it restarts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from neo4j_gml.io.driver import Driver
from neo4j_gml.procedures.runner import run


@dataclass
class NamedGraph:
    """A graph of the catalog, by name."""

    name: str
    catalog: Catalog

    def run(
        self, procedure: str, mode: str = "stream", config: dict[str, Any] | None = None
    ) -> pd.DataFrame | dict[str, Any]:
        """Run ``procedure`` in ``mode`` on this graph (``gml.<procedure>.<mode>(name, config)``)."""
        return self.catalog._run(procedure, mode, config or {}, graph=self.name)

    def info(self) -> dict[str, Any]:
        """The graph's ``gml.graph.list`` row."""
        rows = self.catalog.list(self.name)
        if not len(rows):
            raise KeyError(f"the graph '{self.name}' is not in the catalog any more")
        return dict(rows.iloc[0])

    @property
    def node_count(self) -> int:
        return int(self.info()["nodeCount"])

    @property
    def relationship_count(self) -> int:
        return int(self.info()["relationshipCount"])

    def node_properties(
        self, properties: list[str] | str, node_labels: list[str] | None = None
    ) -> pd.DataFrame:
        """``nodeId, nodeProperty, propertyValue`` rows (``gml.graph.nodeProperties.stream``)."""
        return self.catalog._graph_op(
            "graph.nodeProperties",
            "stream",
            nodeProperties=properties,
            nodeLabels=node_labels or ["*"],
            graphName=self.name,
        )

    def write_node_properties(
        self, properties: list[str] | str, node_labels: list[str] | None = None
    ) -> dict[str, Any]:
        """Write node properties of the graph to Neo4j (``gml.graph.nodeProperties.write``)."""
        frame = self.catalog._graph_op(
            "graph.nodeProperties",
            "write",
            nodeProperties=properties,
            nodeLabels=node_labels or ["*"],
            graphName=self.name,
        )
        return dict(frame.iloc[0])

    def drop(self) -> dict[str, Any]:
        """Drop the graph (``gml.graph.drop``); its last row."""
        frame = self.catalog._graph_op("graph.drop", "stream", graphName=self.name)
        return dict(frame.iloc[0])


class Catalog:
    """This process's named graphs, read from (and written to) one Neo4j database.

    ``driver`` defaults to one made from ``NEO4J_*`` per call; ``user`` is the owner the graphs
    are filed under (None: the process's own)."""

    def __init__(
        self, driver: Driver | None = None, database: str | None = None, user: str | None = None
    ) -> None:
        self.driver = driver
        self.database = database
        self.user = user

    def _run(self, name: str, mode: str, config: dict[str, Any], graph: str | None = None) -> Any:
        return run(
            name,
            mode,
            config,
            driver=self.driver,
            graph=graph,
            database=self.database,
            user=self.user,
        )

    def _graph_op(self, name: str, mode: str, **config: Any) -> pd.DataFrame:
        frame = self._run(name, mode, config)
        assert isinstance(frame, pd.DataFrame)
        return frame

    def project(
        self,
        name: str,
        node_projection: Any,
        relationship_projection: Any,
        config: dict[str, Any] | None = None,
    ) -> tuple[NamedGraph, dict[str, Any]]:
        """Project a graph (GDS's native projection syntax); the graph and its result row."""
        frame = self._graph_op(
            "graph.project",
            "stream",
            graphName=name,
            nodeProjection=node_projection,
            relationshipProjection=relationship_projection,
            **(config or {}),
        )
        return NamedGraph(name, self), dict(frame.iloc[0])

    def project_cypher(
        self,
        name: str,
        node_query: str,
        relationship_query: str,
        config: dict[str, Any] | None = None,
    ) -> tuple[NamedGraph, dict[str, Any]]:
        """Project a graph from two read-only Cypher queries; the graph and its result row."""
        frame = self._graph_op(
            "graph.project.cypher",
            "stream",
            graphName=name,
            nodeQuery=node_query,
            relationshipQuery=relationship_query,
            **(config or {}),
        )
        return NamedGraph(name, self), dict(frame.iloc[0])

    def get(self, name: str) -> NamedGraph:
        """The graph ``name``; a :class:`KeyError` when the catalog has none."""
        if not self.exists(name):
            raise KeyError(f"no graph named '{name}' in the catalog")
        return NamedGraph(name, self)

    def exists(self, name: str) -> bool:
        return bool(self._graph_op("graph.exists", "stream", graphName=name)["exists"].iloc[0])

    def list(self, name: str | None = None) -> pd.DataFrame:
        """``gml.graph.list`` rows."""
        return self._graph_op("graph.list", "stream", graphName=name)

    def drop(self, name: str, fail_if_missing: bool = True) -> pd.DataFrame:
        return self._graph_op("graph.drop", "stream", graphName=name, failIfMissing=fail_if_missing)
