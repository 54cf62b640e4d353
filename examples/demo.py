"""The demo: start the local Neo4j, load Les Misérables, run degree and wcc, print the top nodes.

Run it with ``make demo`` (or ``python examples/demo.py`` inside the virtual environment). The
local Neo4j keeps running afterwards (``neo4j-gml neo4j stop`` stops it) so that you can look at
the written properties, e.g. ``MATCH (c:Character) RETURN c.name, c.degree, c.component``.
"""

from __future__ import annotations

import networkx as nx

import neo4j_gml
from neo4j_gml import local_neo4j
from neo4j_gml.io.connection import Connection


def load_les_miserables(driver) -> int:  # noqa: ANN001
    """(Re)create the co-appearance graph of Les Misérables as :Character / :APPEARS_WITH."""
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
    return graph.number_of_edges()


def main() -> None:
    uri = local_neo4j.start()
    print(f"Neo4j is up at {uri}")
    connection = Connection.from_env(uri=uri)
    with connection.driver() as driver:
        edges = load_les_miserables(driver)
        print(f"loaded Les Misérables: 77 characters, {edges} co-appearances")
        projection = {"nodeLabels": ["Character"], "relationshipTypes": ["APPEARS_WITH"]}
        degree = neo4j_gml.run(
            "degree",
            "write",
            {
                **projection,
                "orientation": "UNDIRECTED",
                "relationshipWeightProperty": "weight",
                "writeProperty": "degree",
            },
            driver=driver,
        )
        wcc = neo4j_gml.run(
            "wcc", "write", {**projection, "writeProperty": "component"}, driver=driver
        )
        print(
            f"degree: {degree['nodePropertiesWritten']} properties written in "
            f"{degree['writeMillis']} ms; wcc: {wcc['componentCount']} component(s)"
        )
        records, _, _ = driver.execute_query(
            "MATCH (c:Character) RETURN c.name AS name, c.degree AS degree, "
            "c.component AS component ORDER BY degree DESC LIMIT 10"
        )
        print("\ntop 10 characters by weighted degree:")
        for r in records:
            print(f"  {r['name']:<18} {r['degree']:6.0f}   component {r['component']}")
    print("\nNeo4j keeps running; stop it with: .venv/bin/neo4j-gml neo4j stop")


if __name__ == "__main__":
    main()
