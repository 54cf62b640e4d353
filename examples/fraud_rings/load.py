"""A synthetic transaction graph with planted fraud rings.

Accounts use devices and phone numbers, and send money to each other:
``(:Account)-[:USES]->(:Device|Phone)``, ``(:Account)-[:SENT {amount}]->(:Account)``.
Honest accounts have a device and a phone of their own and send money to random accounts. Each
ring is a handful of accounts sharing one or two devices and a phone, passing money round in a
cycle. The planted ring of each account is stored as ``Account.ring`` (-1 for honest ones) so the
results can be checked.
"""

from __future__ import annotations

import numpy as np


def make(honest: int = 300, rings: int = 5, ring_size: int = 6, seed: int = 42) -> dict:
    """Accounts, identity links and transfers as plain lists (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    accounts = [{"id": f"A{i}", "ring": -1} for i in range(honest)]
    uses = []
    for i in range(honest):
        uses += [(f"A{i}", "Device", f"D{i}"), (f"A{i}", "Phone", f"P{i}")]
    sent = []
    for _ in range(3 * honest):
        a, b = rng.choice(honest, size=2, replace=False)
        sent.append((f"A{a}", f"A{b}", float(round(rng.gamma(2.0, 50.0), 2))))
    for r in range(rings):
        members = [f"R{r}_{k}" for k in range(ring_size)]
        accounts += [{"id": m, "ring": r} for m in members]
        shared_devices = [f"RD{r}_0", f"RD{r}_1"]
        for k, m in enumerate(members):
            uses.append((m, "Device", shared_devices[k % 2]))
            uses.append((m, "Phone", f"RP{r}"))
        for k, m in enumerate(members):  # money goes round the ring, in large amounts
            sent.append((m, members[(k + 1) % ring_size], float(900 + 10 * k)))
        sent.append((members[0], f"A{int(rng.integers(honest))}", 25.0))  # a cash-out
    return {"accounts": accounts, "uses": uses, "sent": sent}


def load(driver, **kwargs) -> dict[str, int]:  # noqa: ANN001
    """(Re)create the graph in Neo4j; returns the counts."""
    data = make(**kwargs)
    driver.execute_query("MATCH (n) WHERE n:Account OR n:Device OR n:Phone DETACH DELETE n")
    driver.execute_query(
        "UNWIND $rows AS r CREATE (:Account {id: r.id, ring: r.ring})", rows=data["accounts"]
    )
    for kind in ("Device", "Phone"):
        rows = [{"a": a, "x": x} for a, k, x in data["uses"] if k == kind]
        driver.execute_query(
            f"UNWIND $rows AS r MATCH (a:Account {{id: r.a}}) MERGE (x:{kind} {{id: r.x}}) "
            "CREATE (a)-[:USES]->(x)",
            rows=rows,
        )
    driver.execute_query(
        "UNWIND $rows AS r MATCH (a:Account {id: r[0]}), (b:Account {id: r[1]}) "
        "CREATE (a)-[:SENT {amount: r[2]}]->(b)",
        rows=[list(s) for s in data["sent"]],
    )
    return {k: len(v) for k, v in data.items()}


if __name__ == "__main__":
    from neo4j_gml.io.connection import Connection

    with Connection.from_env().driver() as drv:
        print(load(drv))
