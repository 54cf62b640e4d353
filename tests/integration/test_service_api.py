"""The HTTP service without Neo4j: token, errors, NDJSON framing, job limits, impersonation.

Procedures run on an in-memory graph (the runner's ``graph=`` path) in place of Neo4j; the
oracle is the runner called directly, and hand-counted degrees.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from fastapi import HTTPException
from fastapi.testclient import TestClient

from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures import runner
from neo4j_gml.server import app as app_module
from neo4j_gml.server.app import JobLimiter, create_app
from neo4j_gml.server.neo4j_access import ImpersonatingDriver, Neo4jAccess
from neo4j_gml.server.settings import ServiceSettings

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
# 0->1, 0->2, 1->2, 3->0: out-degrees 2, 1, 0, 1
GRAPH = Graph.from_edges([0, 0, 1, 3], [1, 2, 2, 0], num_nodes=4, node_ids=[10, 11, 12, 13])


class FakeDriver:
    def __init__(self, edition: str = "community") -> None:
        self.edition = edition
        self.calls: list[tuple[str, dict]] = []

    def execute_query(self, query: str, *args: Any, **kwargs: Any) -> Any:
        self.calls.append((query, kwargs))
        return [{"edition": self.edition}], None, None

    def session(self, **kwargs: Any) -> Any:
        self.calls.append(("session", kwargs))
        return None

    def close(self) -> None:
        pass


@pytest.fixture
def jobs(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """Replace Neo4j by GRAPH; records every job the service starts."""
    started: list[tuple] = []

    def fake_run(
        name: str,
        mode: str,
        config: dict,
        driver: Any,
        database: str | None,
        job: Any = None,
        graph: Any = None,
        user: str | None = None,
        admin: bool = False,
    ) -> Any:
        started.append((name, mode, config, database))
        return runner.run(name, "stream" if mode == "write" else mode, config, graph=GRAPH, job=job)

    monkeypatch.setattr(app_module, "run", fake_run)
    return started


@pytest.fixture
def client(jobs: list) -> TestClient:
    settings = ServiceSettings(token=TOKEN, max_jobs=2, max_queue=4)
    access = Neo4jAccess(FakeDriver(), "neo4j")
    return TestClient(create_app(settings, access))


def ndjson(text: str, progress: bool = False) -> list[dict]:
    """The lines of an NDJSON answer; without ``progress``, the progress lines are left out."""
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    return [x for x in lines if progress or "progress" not in x]


def test_health_needs_no_token_and_openapi_is_published(client: TestClient) -> None:
    assert client.get("/health").json()["status"] == "ok"
    spec = client.get("/openapi.json").json()
    assert "/procedures/{name}/{mode}" in spec["paths"]


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}]
)
def test_wrong_or_missing_token_is_401_and_runs_nothing(
    client: TestClient, jobs: list, headers: dict
) -> None:
    response = client.post("/procedures/degree/stream", json={"config": {}}, headers=headers)
    assert response.status_code == 401
    assert client.get("/procedures", headers=headers).status_code == 401
    assert jobs == []


def test_stream_is_ndjson_rows_then_end(client: TestClient, jobs: list) -> None:
    response = client.post(
        "/procedures/degree/stream", json={"config": {}, "database": "neo4j"}, headers=AUTH
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    lines = ndjson(response.text)
    assert lines[-1] == {"end": {"rows": 4}}
    rows = {line["row"]["nodeId"]: line["row"]["score"] for line in lines[:-1]}
    assert rows == {10: 2.0, 11: 1.0, 12: 0.0, 13: 1.0}
    assert jobs == [("degree", "stream", {}, "neo4j")]


def test_stats_is_one_row(client: TestClient) -> None:
    lines = ndjson(client.post("/procedures/wcc/stats", json={}, headers=AUTH).text)
    assert len(lines) == 2 and lines[1] == {"end": {"rows": 1}}
    assert lines[0]["row"]["componentCount"] == 1
    assert lines[0]["row"]["nodeCount"] == 4


def test_errors_carry_the_message(client: TestClient) -> None:
    bad_key = client.post("/procedures/degree/stream", json={"config": {"x": 1}}, headers=AUTH)
    assert bad_key.status_code == 400
    assert "unknown config key 'x'" in bad_key.json()["detail"]
    unknown = client.post("/procedures/nope/stream", json={}, headers=AUTH)
    assert unknown.status_code == 404 and "unknown procedure 'nope'" in unknown.json()["detail"]
    bad_mode = client.post("/procedures/modularity/mutate", json={}, headers=AUTH)
    assert bad_mode.status_code == 400 and "no mode 'mutate'" in bad_mode.json()["detail"]


def test_procedures_lists_registry_with_columns(client: TestClient) -> None:
    procs = {p["name"]: p for p in client.get("/procedures", headers=AUTH).json()}
    assert procs["degree"]["columns"]["stream"] == {"nodeId": "int", "score": "float"}
    assert "nodePropertiesWritten" in procs["degree"]["columns"]["write"]


def test_job_limiter_runs_at_most_slots_and_refuses_beyond_queue() -> None:
    async def scenario() -> tuple[int, int, int]:
        limiter = JobLimiter(slots=2, queue=2)
        peak = 0
        refused = 0
        done = 0
        release = asyncio.Event()

        async def job() -> None:
            nonlocal peak, refused, done
            try:
                async with limiter:
                    peak = max(peak, limiter.running)
                    await release.wait()
                    done += 1
            except HTTPException as exc:
                assert exc.status_code == 503
                refused += 1

        tasks = [asyncio.create_task(job()) for _ in range(6)]
        await asyncio.sleep(0.05)  # 2 running, 2 waiting, 2 refused
        assert (limiter.running, limiter.waiting) == (2, 2)
        release.set()
        await asyncio.gather(*tasks)
        return peak, refused, done

    peak, refused, done = asyncio.run(scenario())
    assert (peak, refused, done) == (2, 2, 4)


def test_settings_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GML_SERVICE_URL", "http://127.0.0.1:9123")
    monkeypatch.setenv("GML_SERVICE_TOKEN", "t")
    monkeypatch.setenv("GML_SERVICE_MAX_JOBS", "3")
    s = ServiceSettings.from_env()
    assert (s.host, s.port, s.token, s.max_jobs) == ("127.0.0.1", 9123, "t", 3)
    assert ServiceSettings.from_env(port=9999).port == 9999
    monkeypatch.delenv("GML_SERVICE_TOKEN")
    with pytest.raises(ValueError, match="without a token"):
        ServiceSettings.from_env(host="0.0.0.0")
    monkeypatch.setenv("GML_SERVICE_MAX_JOBS", "0")
    with pytest.raises(ValueError, match="GML_SERVICE_MAX_JOBS"):
        ServiceSettings.from_env()


def test_impersonation_only_where_the_server_supports_it() -> None:
    community = Neo4jAccess(FakeDriver("community"), "neo4j")
    drv, impersonating = community.for_user("alice")
    assert drv is community.driver and not impersonating

    enterprise = Neo4jAccess(FakeDriver("enterprise"), "neo4j")
    drv, impersonating = enterprise.for_user("alice")
    assert impersonating and isinstance(drv, ImpersonatingDriver)
    drv.session(database="neo4j")
    drv.execute_query("RETURN 1")
    assert enterprise.driver.calls[-2] == (
        "session",
        {"database": "neo4j", "impersonated_user": "alice"},
    )
    assert enterprise.driver.calls[-1][1] == {"impersonated_user": "alice"}
    # The service's own user and anonymous calls need no impersonation.
    assert enterprise.for_user("neo4j") == (enterprise.driver, False)
    assert enterprise.for_user(None) == (enterprise.driver, False)
