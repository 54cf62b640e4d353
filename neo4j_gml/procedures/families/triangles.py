"""Triangle listing (GDS ``gds.triangles``): the three nodes of every triangle, one row each.

The triangle count and the local clustering coefficient, values per node, are in
:mod:`neo4j_gml.procedures.families.community`.
"""

from __future__ import annotations

from dataclasses import dataclass

from neo4j_gml.algorithms.community.triangle_listing import list_triangles
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures.registry import Procedure, Rows, register
from neo4j_gml.procedures.spec import NodeConfig, option

spec = dataclass(frozen=True, kw_only=True, eq=False)


@spec
class TrianglesConfig(NodeConfig):
    max_degree: int | None = option(
        "maxDegree",
        None,
        "leave out nodes of higher degree and their triangles (GDS 2.13 accepts the key and "
        "ignores it)",
        min=2,
    )


def _triangles(graph: Graph, cfg: TrianglesConfig) -> Rows:
    tri = list_triangles(graph, max_degree=cfg.max_degree)
    # Neo4j ids, each row in ascending id order (positions follow ids in a projection, so the
    # rows stay sorted; they are re-sorted per row in case a projection does not)
    ids = graph.node_ids[tri].sort(dim=1).values.cpu()
    return Rows(
        {
            "nodeA": ids[:, 0].tolist(),
            "nodeB": ids[:, 1].tolist(),
            "nodeC": ids[:, 2].tolist(),
        }
    )


register(
    Procedure(
        name="triangles",
        description="Every triangle of the undirected graph once, as nodeA < nodeB < nodeC "
        "(Neo4j ids); self-loops and parallel relationships make none.",
        category="community",
        config=TrianglesConfig,
        result="rows",
        rows_columns={"nodeA": "int", "nodeB": "int", "nodeC": "int"},
        modes=("stream",),
        default_orientation="UNDIRECTED",
        weighted=False,
        compute=_triangles,
    )
)
