"""The FastAPI application that runs registry procedures for the Cypher plugin (and anyone else).

Endpoints (the OpenAPI spec is at ``/openapi.json``, the docs at ``/docs``):

- ``GET /health``: no token; ``{"status": "ok", "version", "procedures"}``.
- ``GET /procedures``: every procedure with its modes and columns.
- ``POST /procedures/{name}/{mode}``: body ``{"config": {...}, "database": str | null,
  "user": str | null}``. The answer is NDJSON (``application/x-ndjson``): one ``{"row": {...}}``
  line per row (stats and write modes: one row), then ``{"end": {"rows": n}}``. A failure after
  the first line is an ``{"error": {"message"}}`` line; a stream without ``end`` was cut off.
  Errors before any row: HTTP 400 (bad configuration, unknown label, refused by Neo4j), 404
  (unknown procedure), 503 (queue full), 500 (anything else); the body is ``{"detail": message}``.

Every endpoint but ``/health`` needs ``Authorization: Bearer <GML_SERVICE_TOKEN>`` when the service
has a token; a wrong or missing token gets 401 and runs nothing. At most ``max_jobs`` procedures
run at once; up to ``max_queue`` more wait for a slot in arrival order.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import neo4j
import numpy as np
import pandas as pd
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from neo4j_gml import __version__
from neo4j_gml.io.write import WriteError
from neo4j_gml.procedures import registry
from neo4j_gml.procedures.config import ConfigError
from neo4j_gml.procedures.runner import rows_of, run
from neo4j_gml.procedures.summary import summary_columns
from neo4j_gml.server.neo4j_access import Neo4jAccess
from neo4j_gml.server.settings import ServiceSettings

log = logging.getLogger("neo4j_gml.server")

NDJSON = "application/x-ndjson"
_CHUNK = 5000


class RunRequest(BaseModel):
    """One procedure call."""

    config: dict[str, Any] = Field(default_factory=dict, description="the procedure configuration")
    database: str | None = Field(None, description="database to read and write (default: server's)")
    user: str | None = Field(None, description="the calling Neo4j user, impersonated if possible")


class JobLimiter:
    """At most ``slots`` jobs at once; at most ``queue`` more waiting (FIFO), the rest refused."""

    def __init__(self, slots: int, queue: int) -> None:
        self.slots = slots
        self.queue = queue
        self.running = 0
        self.waiting = 0
        self._sem: asyncio.Semaphore | None = None

    def _semaphore(self) -> asyncio.Semaphore:
        if self._sem is None:  # created in the server's event loop
            self._sem = asyncio.Semaphore(self.slots)
        return self._sem

    async def __aenter__(self) -> JobLimiter:
        sem = self._semaphore()
        if sem.locked() and self.waiting >= self.queue:
            raise HTTPException(
                503, f"the service is busy: {self.running} jobs running, {self.waiting} queued"
            )
        self.waiting += 1
        try:
            await sem.acquire()
        finally:
            self.waiting -= 1
        self.running += 1
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.running -= 1
        self._semaphore().release()


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def _line(kind: str, payload: Any) -> bytes:
    return (json.dumps({kind: payload}, default=_json_default) + "\n").encode()


def _frame_lines(frame: pd.DataFrame) -> Iterator[bytes]:
    count = 0
    try:
        for start in range(0, len(frame), _CHUNK):
            rows = rows_of(frame.iloc[start : start + _CHUNK])
            count += len(rows)
            yield b"".join(_line("row", r) for r in rows)
        yield _line("end", {"rows": count})
    except Exception as exc:  # the rows began: report in-band
        log.exception("stream failed")
        yield _line("error", {"message": f"{type(exc).__name__}: {exc}"})


def create_app(settings: ServiceSettings, access: Neo4jAccess | None = None) -> FastAPI:
    """The application; ``access`` (the Neo4j driver) is made from ``NEO4J_*`` when omitted."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if app.state.access is not None:
            app.state.access.driver.close()

    app = FastAPI(
        lifespan=lifespan,
        title="neo4j_gml service",
        version=__version__,
        description="Runs neo4j_gml procedures (graph ML on torch) against Neo4j; "
        "called by the gml.* Cypher procedures.",
    )
    limiter = JobLimiter(settings.max_jobs, settings.max_queue)
    app.state.settings = settings
    app.state.limiter = limiter
    app.state.access = access

    def neo4j_access() -> Neo4jAccess:
        if app.state.access is None:
            from neo4j_gml.io.connection import Connection

            connection = Connection.from_env()
            app.state.access = Neo4jAccess(connection.driver(), connection.user)
        return app.state.access

    async def check_token(request: Request) -> None:
        if settings.token is None:
            return
        header = request.headers.get("authorization", "")
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), settings.token.encode()
        ):
            raise HTTPException(
                401, "missing or wrong token", headers={"WWW-Authenticate": "Bearer"}
            )

    @app.get("/health")
    def health() -> dict[str, Any]:
        """Liveness: answers without a token."""
        return {"status": "ok", "version": __version__, "procedures": len(registry.procedures())}

    @app.get("/procedures", dependencies=[Depends(check_token)])
    def list_procedures() -> list[dict[str, Any]]:
        """Every procedure: name, category, modes, description, columns per mode."""
        out = []
        for proc in registry.procedures():
            cols = {
                mode: proc.stream_columns() if mode == "stream" else summary_columns(proc, mode)
                for mode in proc.modes
            }
            out.append(
                {
                    "name": proc.name,
                    "category": proc.category,
                    "modes": list(proc.modes),
                    "description": proc.description,
                    "columns": cols,
                }
            )
        return out

    @app.get("/jobs", dependencies=[Depends(check_token)])
    def jobs() -> dict[str, int]:
        """Jobs running and waiting now, and the limits."""
        return {
            "running": limiter.running,
            "waiting": limiter.waiting,
            "maxJobs": limiter.slots,
            "maxQueue": limiter.queue,
        }

    @app.post(
        "/procedures/{name}/{mode}",
        dependencies=[Depends(check_token)],
        response_class=StreamingResponse,
        responses={200: {"content": {NDJSON: {}}, "description": "NDJSON rows"}},
    )
    async def run_procedure(name: str, mode: str, body: RunRequest) -> StreamingResponse:
        """Run ``name`` in ``mode``; NDJSON rows (see the module docs)."""
        try:
            registry.get(name)
        except ConfigError as exc:
            raise HTTPException(404, str(exc)) from None
        async with limiter:
            result = await run_in_threadpool(_run_job, neo4j_access(), name, mode, body)
        if isinstance(result, pd.DataFrame):
            return StreamingResponse(_frame_lines(result), media_type=NDJSON)
        return StreamingResponse(
            iter([_line("row", result), _line("end", {"rows": 1})]), media_type=NDJSON
        )

    return app


def _run_job(access: Neo4jAccess, name: str, mode: str, body: RunRequest) -> Any:
    """Run one procedure; user errors become HTTP 400, others 500 (with the message)."""
    try:
        driver, _ = access.for_user(body.user)
        return run(name, mode, body.config, driver=driver, database=body.database)
    except ConfigError as exc:
        raise HTTPException(400, str(exc)) from None
    except neo4j.exceptions.ClientError as exc:
        raise HTTPException(400, f"Neo4j refused: {exc.message or exc}") from None
    except WriteError as exc:
        raise HTTPException(500, f"writing failed: {exc}") from None
    except neo4j.exceptions.Neo4jError as exc:
        raise HTTPException(500, f"Neo4j failed: {exc.message or exc}") from None
    except neo4j.exceptions.DriverError as exc:
        raise HTTPException(500, f"cannot reach Neo4j: {exc}") from None
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    except Exception as exc:
        log.exception("procedure %s.%s failed", name, mode)
        raise HTTPException(500, f"{type(exc).__name__}: {exc}") from None
