"""The subgraph a picture shows: the top N nodes by a property and some of their neighbours."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import neo4j
import networkx as nx

from neo4j_gml.io.names import quote
from neo4j_gml.pipeline.records import RECORD_LABELS

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


def _label_filter(label: str | None, var: str) -> str:
    if label:
        return f"{var}:{quote(label, key='label')}"
    return var


def fetch_subgraph(
    driver: neo4j.Driver,
    size_by: str,
    color_by: str | None = None,
    *,
    label: str | None = None,
    top: int = 25,
    neighbours: int = 5,
    database: str | None = None,
) -> Subgraph:
    """The ``top`` nodes by ``size_by`` and up to ``neighbours`` neighbours of each."""
    not_records = " AND ".join(f"NOT n:{x}" for x in sorted(RECORD_LABELS))

    def rows(query: str, **params: Any) -> list[neo4j.Record]:
        return driver.execute_query(query, parameters_=params, database_=database)[0]

    n = _label_filter(label, "n")
    top_ids = [
        r["id"]
        for r in rows(
            f"MATCH ({n}) WHERE n[$p] IS NOT NULL AND {not_records} "
            "RETURN id(n) AS id ORDER BY n[$p] DESC, id LIMIT $k",
            p=size_by,
            k=top,
        )
    ]
    m = _label_filter(label, "m")
    near = rows(
        f"UNWIND $ids AS i MATCH (t) WHERE id(t) = i "
        f"CALL {{ WITH t MATCH (t)--({m}) WHERE NOT m:GmlRun AND NOT m:GmlStep "
        "RETURN DISTINCT m LIMIT $k } RETURN collect(DISTINCT id(m)) AS ids",
        ids=top_ids,
        k=neighbours,
    )
    ids = list(dict.fromkeys(top_ids + (near[0]["ids"] if near else [])))
    sub = Subgraph(size_by=size_by, color_by=color_by, top=top_ids)
    for r in rows(
        "UNWIND $ids AS i MATCH (n) WHERE id(n) = i "
        "RETURN id(n) AS id, labels(n) AS labels, properties(n) AS props",
        ids=ids,
    ):
        props = r["props"]
        caption = next((str(props[c]) for c in CAPTIONS if c in props), str(r["id"]))
        sub.nodes[r["id"]] = {
            "caption": caption,
            "label": (r["labels"] or [""])[0],
            "size": props.get(size_by),
            "color": props.get(color_by) if color_by else None,
        }
    for r in rows(
        "UNWIND $ids AS i MATCH (a)-[]->(b) WHERE id(a) = i AND id(b) IN $ids "
        "RETURN DISTINCT id(a) AS a, id(b) AS b",
        ids=ids,
    ):
        if r["a"] != r["b"]:
            sub.edges.append((r["a"], r["b"]))
    return sub
