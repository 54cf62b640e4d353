"""The subgraph a picture shows: the top N nodes by a property and some of their neighbours."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from neo4j_gml.io import subgraph as io_subgraph
from neo4j_gml.io.driver import Driver

CAPTIONS = ("name", "title", "caption", "label", "id")


@dataclass
class Subgraph:
    """Nodes (Neo4j id -> attributes) and relationships (pairs of Neo4j ids)."""

    nodes: dict[int, dict[str, Any]] = field(default_factory=dict)
    edges: list[tuple[int, int]] = field(default_factory=list)
    size_by: str | None = None
    color_by: str | None = None
    top: list[int] = field(default_factory=list)

    def to_networkx(self) -> nx.Graph:
        graph = nx.Graph()
        graph.add_nodes_from(self.nodes.items())
        graph.add_edges_from(self.edges)
        return graph

    def layout(self, seed: int = 7) -> dict[int, tuple[float, float]]:
        """Spring layout in [0, 1]^2, reproducible for a seed."""
        graph = self.to_networkx()
        if not graph:
            return {}
        pos = nx.spring_layout(graph, seed=seed, k=1.5 / max(len(graph), 1) ** 0.5)
        xs = [p[0] for p in pos.values()]
        ys = [p[1] for p in pos.values()]
        x0, y0 = min(xs), min(ys)
        w, h = (max(xs) - x0) or 1.0, (max(ys) - y0) or 1.0
        return {n: ((p[0] - x0) / w, (p[1] - y0) / h) for n, p in pos.items()}


def fetch_subgraph(
    driver: Driver,
    size_by: str,
    color_by: str | None = None,
    *,
    label: str | None = None,
    top: int = 25,
    neighbours: int = 5,
    database: str | None = None,
) -> Subgraph:
    """The ``top`` nodes by ``size_by`` and up to ``neighbours`` neighbours of each."""
    top_ids = io_subgraph.top_node_ids(driver, database, size_by, top, label=label)
    near = io_subgraph.neighbour_ids(driver, database, top_ids, neighbours, label=label)
    ids = list(dict.fromkeys(top_ids + near))
    sub = Subgraph(size_by=size_by, color_by=color_by, top=top_ids)
    for node_id, labels, props in io_subgraph.nodes_by_id(driver, database, ids):
        caption = next((str(props[c]) for c in CAPTIONS if c in props), str(node_id))
        sub.nodes[node_id] = {
            "caption": caption,
            "label": (labels or [""])[0],
            "size": props.get(size_by),
            "color": props.get(color_by) if color_by else None,
        }
    for a, b in io_subgraph.edges_between(driver, database, ids):
        if a != b:
            sub.edges.append((a, b))
    return sub
