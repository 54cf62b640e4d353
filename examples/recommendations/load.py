"""A synthetic purchase graph with planted tastes: ``(:Customer)-[:BOUGHT]->(:Product)``.

Customers belong to one of a few taste groups; each group prefers its own products (90% of
purchases) and buys at random otherwise. ``Customer.taste`` and ``Product.taste`` hold the
planted group so that recommendations can be checked.
"""

from __future__ import annotations

import numpy as np


def make(customers: int = 200, products: int = 80, tastes: int = 4, seed: int = 7) -> dict:
    rng = np.random.default_rng(seed)
    taste_of_customer = rng.integers(tastes, size=customers)
    taste_of_product = np.arange(products) % tastes
    bought = set()
    for c in range(customers):
        own = np.flatnonzero(taste_of_product == taste_of_customer[c])
        for _ in range(8):
            pool = own if rng.random() < 0.9 else np.arange(products)
            bought.add((c, int(rng.choice(pool))))
    return {
        "customers": [{"id": f"C{c}", "taste": int(t)} for c, t in enumerate(taste_of_customer)],
        "products": [{"id": f"P{p}", "taste": int(t)} for p, t in enumerate(taste_of_product)],
        "bought": [[f"C{c}", f"P{p}"] for c, p in sorted(bought)],
    }


def load(driver, **kwargs) -> dict[str, int]:  # noqa: ANN001
    """(Re)create the graph in Neo4j; returns the counts."""
    data = make(**kwargs)
    driver.execute_query("MATCH (n) WHERE n:Customer OR n:Product DETACH DELETE n")
    driver.execute_query(
        "UNWIND $rows AS r CREATE (:Customer {id: r.id, taste: r.taste})", rows=data["customers"]
    )
    driver.execute_query(
        "UNWIND $rows AS r CREATE (:Product {id: r.id, taste: r.taste})", rows=data["products"]
    )
    driver.execute_query(
        "UNWIND $rows AS r MATCH (c:Customer {id: r[0]}), (p:Product {id: r[1]}) "
        "CREATE (c)-[:BOUGHT]->(p)",
        rows=data["bought"],
    )
    return {k: len(v) for k, v in data.items()}


if __name__ == "__main__":
    from neo4j_gml.io.connection import Connection

    with Connection.from_env().driver() as drv:
        print(load(drv))
