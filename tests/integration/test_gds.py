"""Open GDS 2.13 beside the local Neo4j (for benchmarks): ``start(with_gds=True)`` answers
``gds.version()`` and registers GDS's procedures; a later start without GDS drops them.

Slow (fetches GDS with Maven on first use, then starts Neo4j twice): runs only with
``GML_TEST_GDS=1``. Uses a temporary home and port 0, never a shared server.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from neo4j_gml import local_neo4j

PASSWORD = "test-password-gds"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.environ.get("GML_TEST_GDS") != "1", reason="set GML_TEST_GDS=1"),
]


@pytest.mark.timeout(900)
def test_start_with_gds_answers_gds_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which("java") is None or shutil.which("mvn") is None:
        pytest.skip("java and mvn are needed")
    monkeypatch.setenv("NEO4J_GML_CDS", "0")
    neo4j = pytest.importorskip("neo4j")
    home = tmp_path / "home"

    uri = local_neo4j.start(home, port=0, password=PASSWORD, timeout=400, with_gds=True)
    try:
        with neo4j.GraphDatabase.driver(uri, auth=("neo4j", PASSWORD)) as driver:
            version = driver.execute_query("CALL gds.version()").records[0]["gdsVersion"]
            assert version.startswith("2.13.")
            info = driver.execute_query(
                "CALL gds.debug.sysInfo() YIELD key, value "
                "WHERE key IN ['gdsEdition', 'neo4jVersion'] RETURN key, value"
            ).records
            assert {r["key"]: r["value"] for r in info}["gdsEdition"] == "OpenGDS"
            # A projection and pageRank on a 3-cycle, checked by hand.
            driver.execute_query("CREATE (a:G)-[:R]->(b:G)-[:R]->(c:G)-[:R]->(a)")
            driver.execute_query("CALL gds.graph.project('g', 'G', 'R')")
            rows = driver.execute_query(
                "CALL gds.pageRank.stream('g') YIELD score RETURN collect(score) AS s"
            ).records[0]["s"]
            # GDS starts every score at 1 - d and runs maxIterations = 20 supersteps, so each
            # node has 0.15 * (1 + 0.85 + ... + 0.85^19) = 1 - 0.85^20.
            assert rows == pytest.approx([1 - 0.85**20] * 3, abs=1e-9)
    finally:
        local_neo4j.stop(home)
    assert list((home / "plugins").glob("opengds--*.jar"))

    uri = local_neo4j.start(home, port=0, password=PASSWORD, timeout=400)
    try:
        assert not list((home / "plugins").glob("opengds--*.jar"))
        with neo4j.GraphDatabase.driver(uri, auth=("neo4j", PASSWORD)) as driver:
            names = driver.execute_query(
                "SHOW PROCEDURES YIELD name WHERE name STARTS WITH 'gds.' RETURN count(*) AS c"
            ).records[0]["c"]
            assert names == 0
    finally:
        local_neo4j.stop(home)
