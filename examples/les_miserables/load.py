"""Load the co-appearance graph of Les Misérables as (:Character)-[:APPEARS_WITH {weight}]->()."""

from __future__ import annotations

import networkx as nx


def load(driver) -> dict[str, int]:  # noqa: ANN001
    """(Re)create the graph: 77 characters, 254 weighted co-appearances."""
    graph = nx.les_miserables_graph()
    driver.execute_query("MATCH (c:Character) DETACH DELETE c")
    driver.execute_query(
        "UNWIND $names AS name CREATE (:Character {name: name})", names=list(graph.nodes)
    )
    driver.execute_query(
        "UNWIND $rows AS row MATCH (a:Character {name: row.a}), (b:Character {name: row.b}) "
        "CREATE (a)-[:APPEARS_WITH {weight: row.w}]->(b)",
        rows=[{"a": a, "b": b, "w": float(d["weight"])} for a, b, d in graph.edges(data=True)],
    )
    return {"characters": graph.number_of_nodes(), "appearances": graph.number_of_edges()}


if __name__ == "__main__":
    from neo4j_gml.io.connection import Connection

    with Connection.from_env().driver() as drv:
        print(load(drv))
