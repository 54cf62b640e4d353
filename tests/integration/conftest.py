"""Fixtures for the Cypher end-to-end tests: Neo4j with the gml plugin, and the service.

``gml`` (session) finds or starts both:

- ``NEO4J_URI`` set (``.ci/run`` / ``scripts/with-neo4j.sh``) and ``CALL gml.version()`` answers:
  that server is used; if its service does not answer, the tests start one where the plugin
  points (``serviceUrl``), with ``GML_SERVICE_TOKEN``.
- otherwise the tests start their own Neo4j (temporary home, free port, plugin loaded, a random
  token and a free service port in ``GML_SERVICE_*``) and their own ``neo4j-gml serve``.

A service the tests started can be killed and restarted (``restart_service``); tests that need
that skip when the service belongs to someone else.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import neo4j
import pytest

from neo4j_gml import local_neo4j


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def service_answers(url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/health", timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


@dataclass
class GmlStack:
    """Neo4j (with the plugin) and the service the plugin forwards to."""

    uri: str
    password: str
    driver: neo4j.Driver
    service_url: str
    token: str | None
    home: Path | None = None  # our own Neo4j home, else None
    service: subprocess.Popen | None = None  # our own service process, else None
    service_log: Path | None = None
    _env: dict[str, str] = field(default_factory=dict)

    @property
    def owns_service(self) -> bool:
        return self.service is not None

    def start_service(self, timeout: float = 90) -> None:
        """Start ``neo4j-gml serve`` on the service URL's port and wait for its health check."""
        port = int(self.service_url.rsplit(":", 1)[1].split("/")[0])
        env = dict(os.environ)
        env.update(
            {
                "NEO4J_URI": self.uri,
                "NEO4J_USER": "neo4j",
                "NEO4J_PASSWORD": self.password,
                "GML_SERVICE_URL": self.service_url,
                "GML_SERVICE_TOKEN": self.token or "",
            }
        )
        log = self.service_log or Path(tempfile.mkstemp(prefix="gml-service-", suffix=".log")[1])
        self.service_log = log
        with log.open("ab") as fh:
            self.service = subprocess.Popen(
                [sys.executable, "-m", "neo4j_gml.cli", "serve", "--port", str(port)],
                env=env,
                stdout=fh,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + timeout
        while not service_answers(self.service_url):
            if self.service.poll() is not None:
                raise RuntimeError(f"neo4j-gml serve exited:\n{log.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"neo4j-gml serve did not answer:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)

    def kill_service(self) -> None:
        """SIGKILL our service (no clean shutdown) and wait for it to exit."""
        assert self.service is not None
        self.service.kill()
        self.service.wait(timeout=30)

    def stop_service(self) -> None:
        if self.service is not None and self.service.poll() is None:
            self.service.terminate()
            try:
                self.service.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.service.kill()
                self.service.wait(timeout=10)

    def restart_service(self) -> None:
        self.stop_service()
        self.start_service()


def _has_plugin(driver: neo4j.Driver) -> dict | None:
    try:
        records, _, _ = driver.execute_query("CALL gml.version()")
    except neo4j.exceptions.ClientError:
        return None
    return dict(records[0])


@pytest.fixture(scope="session")
def gml() -> Iterator[GmlStack]:
    password = os.environ.get("NEO4J_PASSWORD", local_neo4j.DEFAULT_PASSWORD)
    uri = os.environ.get("NEO4J_URI")
    if uri:
        driver = neo4j.GraphDatabase.driver(
            uri, auth=(os.environ.get("NEO4J_USER", "neo4j"), password)
        )
        info = _has_plugin(driver)
        if info is not None:
            stack = GmlStack(
                uri, password, driver, info["serviceUrl"], os.environ.get("GML_SERVICE_TOKEN")
            )
            if not service_answers(stack.service_url):
                stack.start_service()
            try:
                yield stack
            finally:
                stack.stop_service()
                driver.close()
            return
        driver.close()
    # Our own Neo4j with the plugin, and our own service.
    home = Path(tempfile.mkdtemp(prefix="gml-cypher-neo4j-"))
    service_url = f"http://127.0.0.1:{free_port()}"
    token = secrets.token_hex(16)
    uri = local_neo4j.start(
        home=home,
        port=0,
        password=password,
        extra_env={"GML_SERVICE_URL": service_url, "GML_SERVICE_TOKEN": token},
        timeout=300,
    )
    driver = neo4j.GraphDatabase.driver(uri, auth=("neo4j", password))
    stack = GmlStack(uri, password, driver, service_url, token, home=home)
    stack.service_log = home / "logs" / "service.log"
    try:
        stack.start_service()
        yield stack
    finally:
        stack.stop_service()
        driver.close()
        local_neo4j.stop(home=home)
        with contextlib.suppress(OSError):
            shutil.rmtree(home)


@pytest.fixture
def gml_db(gml: GmlStack) -> neo4j.Driver:
    """The driver of ``gml``'s Neo4j, on an emptied database."""
    with gml.driver.session() as session:
        session.run(
            "MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
        ).consume()
    return gml.driver


@pytest.fixture(params=["shm", "bolt", "cypher"])
def io_path(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, db: neo4j.Driver
) -> str:
    """Run a read/write test three times: through the plugin's shared-memory transport
    (``GML_TRANSPORT=shm``: files in the directory both processes see), through its ``gml.io``
    procedures with packed bytes over Bolt (``GML_TRANSPORT=bolt``), and through plain Cypher
    (``NEO4J_GML_BULK_IO=0``). The plugin runs fail if the plugin (or, for ``shm``, the shared
    directory) is missing; the store-scan variants are in ``test_read_paths``."""
    from neo4j_gml.io import bulk, transport

    monkeypatch.setenv("NEO4J_GML_SCAN", "0")
    if request.param == "cypher":
        monkeypatch.setenv("NEO4J_GML_BULK_IO", "0")
        monkeypatch.setenv("GML_TRANSPORT", "bolt")
        assert not bulk.bulk_available(db, None, None)
    else:
        monkeypatch.setenv("NEO4J_GML_BULK_IO", "1")
        monkeypatch.setenv("GML_TRANSPORT", request.param)
        assert bulk.bulk_available(db, None, True)
        assert (transport.shared_directory(db, None) is not None) == (request.param == "shm")
    return request.param
