"""Load Cora (Planetoid split files) as ``(:Paper {id, subject})-[:CITES]->(:Paper)``.

The files are those of ``../shared/data/planetoid`` (``ind.cora.graph``, ``ally``, ``ty``,
``test.index``; see its README): 2,708 papers in 7 subjects and 5,278 undirected citation links.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import numpy as np

DEFAULT_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "planetoid"


def _part(folder: Path, name: str):  # noqa: ANN202
    with (folder / f"ind.cora.{name}").open("rb") as f:
        return pickle.load(f, encoding="latin1")


def read_cora(folder: Path = DEFAULT_DIR) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Subjects (int per paper) and unique undirected citation pairs ``(a, b)``, ``a < b``."""
    ally, ty = _part(folder, "ally"), _part(folder, "ty")
    test = [int(x) for x in (folder / "ind.cora.test.index").read_text().split()]
    labels = np.vstack([ally, ty])
    order = np.sort(test)
    labels[test, :] = labels[order, :]  # the test rows are stored in sorted order
    subjects = labels.argmax(axis=1)
    graph = _part(folder, "graph")
    pairs = sorted({(min(a, b), max(a, b)) for a, nbrs in graph.items() for b in nbrs if a != b})
    return subjects, pairs


def load(driver, folder: Path = DEFAULT_DIR) -> dict[str, int]:  # noqa: ANN001
    """(Re)create Cora in Neo4j; returns the counts."""
    subjects, pairs = read_cora(folder)
    driver.execute_query("MATCH (p:Paper) DETACH DELETE p")
    records, _, _ = driver.execute_query(
        "UNWIND range(0, size($s) - 1) AS i CREATE (p:Paper {id: i, subject: $s[i]}) "
        "RETURN i, elementId(p) AS e ORDER BY i",
        s=[int(x) for x in subjects],
    )
    element = [r["e"] for r in records]
    driver.execute_query(
        "UNWIND $rows AS r MATCH (a) WHERE elementId(a) = r[0] MATCH (b) WHERE elementId(b) = r[1] "
        "CREATE (a)-[:CITES]->(b)",
        rows=[[element[a], element[b]] for a, b in pairs],
    )
    return {"papers": len(subjects), "citations": len(pairs)}


if __name__ == "__main__":
    from neo4j_gml.io.connection import Connection

    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DIR
    with Connection.from_env().driver() as drv:
        print(load(drv, folder))
