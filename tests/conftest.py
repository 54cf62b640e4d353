"""Shared fixtures: a real Neo4j over Bolt, and graphs with known answers.

Tests marked ``neo4j`` use the server named by ``NEO4J_URI`` (``.ci/run`` starts one with
``neo4j-gml neo4j start`` and exports it). Without ``NEO4J_URI`` the session starts its own local
Neo4j in a temporary home on a free port and stops it at the end, so plain ``pytest`` works too.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest
import torch

from neo4j_gml.io.connection import Connection

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def shared_data(*parts: str) -> Path:
    """A file of ``../shared/data``, or skip the test with a reason when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data set {path} is absent (../shared/data is not beside this checkout)")
    return path


@pytest.fixture(
    params=[
        "cpu",
        pytest.param(
            "cuda",
            marks=[
                pytest.mark.cuda,
                pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device here"),
            ],
        ),
    ]
)
def device(request: pytest.FixtureRequest) -> str:
    """The device an algorithm test runs on: ``cpu``, and ``cuda`` where there is one
    (``pytest -m cuda`` runs only the CUDA ones; ``benchmarks/device_check.py`` runs them)."""
    return str(request.param)


@pytest.fixture
def one_torch_thread() -> Iterator[None]:
    """One torch thread for the test, the previous count restored after: the test machine's
    2 cores are shared, and small kernels run far faster on one thread than on several.
    A module asks for it with ``pytestmark = pytest.mark.usefixtures("one_torch_thread")``."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def neo4j_connection() -> Iterator[Connection]:
    if os.environ.get("NEO4J_URI"):
        yield Connection.from_env()
        return
    from neo4j_gml import local_neo4j

    home = Path(tempfile.mkdtemp(prefix="gml-test-neo4j-"))
    password = os.environ.get("NEO4J_PASSWORD", local_neo4j.DEFAULT_PASSWORD)
    uri = local_neo4j.start(home=home, port=0, password=password, timeout=300)
    try:
        yield Connection(uri=uri, password=password)
    finally:
        local_neo4j.stop(home=home)


@pytest.fixture(scope="session")
def driver(neo4j_connection: Connection) -> Iterator[neo4j.Driver]:
    drv = neo4j_connection.driver()
    drv.verify_connectivity()
    yield drv
    drv.close()


@pytest.fixture
def db(driver: neo4j.Driver) -> neo4j.Driver:
    """The driver, on an emptied database (every node, relationship and index removed)."""
    with driver.session() as session:
        session.run(
            "MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
        ).consume()
    records, _, _ = driver.execute_query(
        "SHOW INDEXES YIELD name, type WHERE type = 'VECTOR' RETURN name"
    )
    for record in records:
        driver.execute_query(f"DROP INDEX `{record['name']}` IF EXISTS")
    return driver
