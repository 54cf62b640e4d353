"""Load Cora with most subjects unknown: ``(:Paper {id, subject?, trueSubject})-[:CITES]->``.

The papers and citations of ``../cora/load.py`` (the Planetoid files in
``../shared/data/planetoid``); only every third paper keeps its ``subject`` (the labelled ones
a classifier learns from), every paper keeps ``trueSubject`` to check the predictions against.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _cora():  # noqa: ANN202
    spec = importlib.util.spec_from_file_location("cora_load", HERE.parent / "cora" / "load.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


DEFAULT_DIR = _cora().DEFAULT_DIR


def load(driver, folder: Path = DEFAULT_DIR) -> dict[str, int]:  # noqa: ANN001
    """(Re)create Cora; returns the counts."""
    counts = _cora().load(driver, folder)
    driver.execute_query(
        "MATCH (p:Paper) SET p.trueSubject = p.subject WITH p WHERE p.id % 3 <> 0 REMOVE p.subject"
    )
    known, _, _ = driver.execute_query(
        "MATCH (p:Paper) WHERE p.subject IS NOT NULL RETURN count(*)"
    )
    return counts | {"labelled": int(known[0][0])}


if __name__ == "__main__":
    from neo4j_gml.io.connection import Connection

    with Connection.from_env().driver() as drv:
        print(load(drv, Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DIR))
