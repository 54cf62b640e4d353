"""The FastAPI application that runs registry procedures for the Cypher plugin (and anyone else).

Endpoints (the OpenAPI spec is at ``/openapi.json``, the docs at ``/docs``):

- ``GET /health``: no token; ``{"status": "ok", "version", "procedures", "catalog",
  "transport"}`` (the graph catalog's :meth:`~neo4j_gml.procedures.catalog.Catalog.summary`;
  the read/write path per database, :func:`neo4j_gml.io.transport.summary`).
- ``GET /procedures``: every procedure with its modes and columns.
- ``POST /procedures/{name}/{mode}``: body ``{"config": {...}, "database": str | null,
  "user": str | null, "jobId": str | null, "graph": str | null, "admin": bool}`` (``graph``: a
  catalog graph to run on; ``admin``: the caller administers the DBMS). Checked before anything runs: HTTP 400 (body not
  JSON, nested deeper than :data:`MAX_DEPTH`, bad configuration), 404 (unknown procedure), 409
  (a job with that id runs already), 503 (the service is busy: queue full); the body is then
  ``{"detail": message}``. Otherwise the answer is NDJSON (``application/x-ndjson``):
  ``{"progress": {"jobId", "phase", "rowsWritten", "rowsToWrite"}}`` lines while the job runs
  (at least one a second), then one ``{"row": {...}}`` line per row (stats and write modes: one
  row) and ``{"end": {"rows": n}}``, or one ``{"error": {"message", "status", "rowsWritten"?,
  "cancelled"?}}`` line (status 400 for bad input and refusals by Neo4j, 499 for a cancelled
  job, 500 for anything else). A stream without ``end`` or ``error`` was cut off.
- ``GET /jobs``: slots, queue and every job with its phase and rows written.
- ``POST /jobs/{id}/cancel``: cancel a job (``gml.job.cancel``, ``neo4j-gml jobs cancel``). A
  job is cancelled too when its caller goes away before its last line was sent.
- ``POST /catalog/nodeProperty``: body ``{"graph", "nodeId", "propertyKey", "nodeLabel",
  "database", "user", "admin"}``; ``{"value": ...}``, one node's value of a node property of a
  catalog graph (the Cypher function ``gml.util.nodeProperty``, one round trip per call); 400
  with ``{"detail"}`` for an unknown graph, property, label or node.

Every endpoint but ``/health`` and the docs needs ``Authorization: Bearer <GML_SERVICE_TOKEN>``
when the service has a token, checked from the headers before the body is read: a wrong or
missing token gets 401 and runs nothing; a body over ``GML_SERVICE_MAX_BODY`` bytes gets 413. At
most ``max_jobs`` procedures run at once; up to ``max_queue`` more wait for a slot in arrival
order. A cancelled job stops at its next check and writes no batch after it (see
:mod:`neo4j_gml.procedures.jobs`).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

import neo4j
import numpy as np
import pandas as pd
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from neo4j_gml import __version__
from neo4j_gml.core.cancellation import Cancelled
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.io.write import WriteError
from neo4j_gml.procedures import registry
from neo4j_gml.procedures.catalog import CATALOG
from neo4j_gml.procedures.jobs import Job, JobIdInUse, JobRegistry
from neo4j_gml.procedures.runner import run
from neo4j_gml.procedures.summary import summary_columns
from neo4j_gml.server.neo4j_access import Neo4jAccess
from neo4j_gml.server.settings import ServiceSettings

log = logging.getLogger("neo4j_gml.server")

NDJSON = "application/x-ndjson"
_CHUNK = 5000
_PROGRESS_SECONDS = 0.1  # a progress line when something changed, at most this often


class RunRequest(BaseModel):
    """One procedure call."""

    config: dict[str, Any] = Field(default_factory=dict, description="the procedure configuration")
    database: str | None = Field(None, description="database to read and write (default: server's)")
    user: str | None = Field(None, description="the calling Neo4j user, impersonated if possible")
    jobId: str | None = Field(  # noqa: N815 - the wire name
        None,
        description="the job's id, for GET /jobs and POST /jobs/{id}/cancel (default: "
        "the config's jobId, else a new UUID)",
    )
    graph: str | None = Field(
        None,
        description="a graph of the service's catalog to run on (default: the run projects "
        "its own graph from the configuration)",
    )
    admin: bool = Field(
        False,
        description="whether the caller administers the DBMS (auth disabled or the admin "
        "role): may see and drop other users' catalog graphs",
    )


class NodePropertyRequest(BaseModel):
    """One ``gml.util.nodeProperty`` call."""

    graph: str = Field(description="a graph of the caller's catalog")
    nodeId: int = Field(description="the node's Neo4j id")  # noqa: N815 - the wire name
    propertyKey: str = Field(description="a node property of the graph")  # noqa: N815
    nodeLabel: str = Field("*", description="a node label ('*': any); null when the node lacks it")  # noqa: N815
    database: str | None = Field(None, description="the caller's database")
    user: str | None = Field(None, description="the calling Neo4j user")
    admin: bool = Field(False, description="whether the caller administers the DBMS")


def node_property_value(body: NodePropertyRequest) -> Any:
    """The value of ``body.propertyKey`` of node ``body.nodeId`` in the catalog graph
    ``body.graph`` (GDS's ``gds.util.nodeProperty``): ``None`` when the node lacks
    ``body.nodeLabel`` or the value is missing (NaN); a :class:`ConfigError` naming the argument
    for an unknown graph, property, label or node. ``O(n)`` (a scan of the node ids)."""
    database = body.database or os.environ.get("NEO4J_DATABASE") or "neo4j"
    entry = CATALOG.get(body.graph, body.user, database, body.admin)
    store = entry.store
    if body.propertyKey not in store.node_properties:
        raise ConfigError(
            f"propertyKey: the graph '{entry.name}' has no node property '{body.propertyKey}'; "
            f"its node properties: {sorted(store.node_properties) or 'none'}"
        )
    if body.nodeLabel != "*" and body.nodeLabel not in store.labels:
        raise ConfigError(
            f"nodeLabel: the graph '{entry.name}' has no node label '{body.nodeLabel}'; its "
            f"labels: {sorted(store.labels) or 'none'} (or '*')"
        )
    hit = (store.node_ids == body.nodeId).nonzero().reshape(-1)
    if hit.numel() == 0:
        raise ConfigError(f"nodeId: node {body.nodeId} is not in the graph '{entry.name}'")
    at = int(hit[0])
    if body.nodeLabel != "*" and not bool(store.labels[body.nodeLabel][at]):
        return None
    return store.property_values(body.propertyKey, hit[:1])[0]


class JobLimiter:
    """At most ``slots`` jobs at once; at most ``queue`` more waiting (FIFO), the rest refused.

    :meth:`acquire` waits for a slot (or raises HTTP 503 at once when the queue is full);
    :meth:`release` frees it, from any thread (a job's slot is held until its thread ends,
    cancelled or not, so ``running`` counts threads that really run).
    """

    def __init__(self, slots: int, queue: int) -> None:
        self.slots = slots
        self.queue = queue
        self.running = 0
        self.waiting = 0
        self._sem: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _semaphore(self) -> asyncio.Semaphore:
        if self._sem is None:  # created in the server's event loop
            self._sem = asyncio.Semaphore(self.slots)
            self._loop = asyncio.get_running_loop()
        return self._sem

    def reserve(self) -> None:
        """Take a place in the queue now, or HTTP 503 when the queue is full."""
        sem = self._semaphore()
        if sem.locked() and self.waiting >= self.queue:
            raise HTTPException(
                503, f"the service is busy: {self.running} jobs running, {self.waiting} queued"
            )
        self.waiting += 1

    def unreserve(self) -> None:
        """Give back a place in the queue that never became a slot."""
        self.waiting -= 1

    async def take(self) -> None:
        """Turn a reserved place into a slot, waiting for one (cancelling keeps the place)."""
        await self._semaphore().acquire()
        self.waiting -= 1
        self.running += 1

    async def acquire(self) -> None:
        self.reserve()
        try:
            await self.take()
        except BaseException:
            self.unreserve()
            raise

    def release(self) -> None:
        """Free a slot; safe to call from a job's thread."""
        loop = self._loop
        if loop is None:
            return
        try:
            running_here = asyncio.get_running_loop() is loop
        except RuntimeError:
            running_here = False
        if running_here:
            self._release()
        else:
            loop.call_soon_threadsafe(self._release)

    def _release(self) -> None:
        self.running -= 1
        self._semaphore().release()

    async def __aenter__(self) -> JobLimiter:
        await self.acquire()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.release()


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def _line(kind: str, payload: Any) -> bytes:
    return (json.dumps({kind: payload}, default=_json_default) + "\n").encode()


def _frame_chunks(frame: pd.DataFrame) -> Iterator[bytes]:
    """The frame's rows as NDJSON, :data:`_CHUNK` rows per piece. Columns are turned into
    Python values a column at a time (``Series.tolist``); what is left of NumPy inside object
    columns (an array, a scalar) is encoded by :func:`_json_default`. Streaming 100k path rows
    took 1.5 s through per-value conversion, 0.5 s this way."""
    names = [str(c) for c in frame.columns]
    for start in range(0, len(frame), _CHUNK):
        piece = frame.iloc[start : start + _CHUNK]
        columns = [piece[c].tolist() for c in frame.columns]
        yield b"".join(
            _line("row", dict(zip(names, values, strict=True)))
            for values in zip(*columns, strict=True)
        )


MAX_DEPTH = 64


def _depth(value: Any) -> int:
    """How deeply ``value`` nests maps and lists (a scalar: 0), without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Iterable[Any] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children)
    return deepest


def parse_request(raw: bytes) -> RunRequest:
    """The request body as a :class:`RunRequest`, or HTTP 400 saying what is wrong with it."""
    try:
        decoded = json.loads(raw or b"{}")
    except RecursionError:
        raise HTTPException(
            400, f"the request body nests maps or lists too deeply (at most {MAX_DEPTH} levels)"
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise HTTPException(400, f"the request body is not valid JSON: {exc}") from None
    if not isinstance(decoded, dict):
        raise HTTPException(
            400,
            "the request body must be a JSON object {config, database, user, jobId, graph, admin}",
        )
    depth = _depth(decoded)
    if depth > MAX_DEPTH:
        raise HTTPException(
            400,
            f"the request body nests maps or lists {depth} levels deep; at most {MAX_DEPTH} "
            "are allowed (config values are numbers, strings, lists and maps of those)",
        )
    try:
        return RunRequest.model_validate(decoded)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first.get("loc", ())) or "body"
        raise HTTPException(
            400, f"the request body's '{where}' is wrong: {first.get('msg')}"
        ) from None


class Guard:
    """ASGI middleware: the token is checked from the headers before any body is read, and a
    body over ``max_body`` bytes is refused (413), by its Content-Length or as it arrives."""

    OPEN = ("/health", "/docs", "/openapi.json", "/redoc")

    def __init__(self, app: Any, settings: ServiceSettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if scope["path"] not in self.OPEN and not _token_ok(
            headers.get("authorization", ""), self.settings.token
        ):
            await _plain_response(
                send, 401, "missing or wrong token", {"www-authenticate": "Bearer"}
            )
            return
        limit = self.settings.max_body
        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await _plain_response(send, 413, _too_large(limit))
            return
        seen = 0

        async def counted() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise HTTPException(413, _too_large(limit))
            return message

        await self.app(scope, counted, send)


def _too_large(limit: int) -> str:
    return f"the request body is larger than {limit} bytes (GML_SERVICE_MAX_BODY)"


def _token_ok(header: str, token: str | None) -> bool:
    if token is None:
        return True
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


async def _plain_response(send: Any, status: int, detail: str, extra: dict | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.encode(), v.encode()) for k, v in (extra or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class JobResponse(StreamingResponse):
    """A job's NDJSON lines: progress while it waits for a slot and while it runs (one a second
    at least, so a caller that went away is noticed), then its rows and ``end``, or one
    ``error`` line. Headers go out at once, so a caller whose job was queued when the service
    died learns that it died, not that it was never there.

    The job holds a reserved place in ``limiter``'s queue when the response is made; ``start``
    runs it once it has a slot and returns its future (whose completion frees the slot). If the
    response ends before its last line was sent (the caller went away, the connection broke),
    the job is cancelled, and a place or slot it never used is given back (``dropped`` is then
    called with the job)."""

    def __init__(
        self,
        job: Job,
        limiter: JobLimiter,
        start: Callable[[], asyncio.Future],
        dropped: Callable[[Job], None],
    ) -> None:
        self.job = job
        self.limiter = limiter
        self.start = start
        self.dropped = dropped
        self.state = "queued"  # -> "slot" (a slot, not yet running) -> "started"
        self.complete = False
        super().__init__(self._lines(), media_type=NDJSON)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            if not self.complete:
                self.job.cancel("the caller went away before the result was sent")
            if self.state == "queued":
                self.limiter.unreserve()
            elif self.state == "slot":
                self.limiter.release()
            if self.state != "started":
                self.state = "started"
                self.dropped(self.job)

    def _taken(self) -> None:
        self.state = "slot"

    async def _progress(
        self, future: asyncio.Future, until_cancelled: bool = False
    ) -> AsyncIterator[bytes]:
        """Progress lines until ``future`` is done (or, with ``until_cancelled``, the job is
        cancelled): on a change, at most every :data:`_PROGRESS_SECONDS`, once a second anyway."""
        job = self.job
        last: dict[str, Any] | None = None
        quiet = 0.0
        while not future.done() and not (until_cancelled and job.token.cancelled):
            await asyncio.wait({future}, timeout=_PROGRESS_SECONDS)
            quiet += _PROGRESS_SECONDS
            now = {"phase": job.phase, "rowsWritten": job.written, "rowsToWrite": job.total}
            if now != last or quiet >= 1.0:
                last, quiet = now, 0.0
                yield _line("progress", {"jobId": job.id, **now})

    async def _lines(self) -> AsyncIterator[bytes]:
        job = self.job
        slot = asyncio.ensure_future(self._take())
        try:
            async for line in self._progress(slot, until_cancelled=True):
                yield line
        finally:
            slot.cancel()
        if self.state == "queued":  # cancelled while it waited: it never runs
            yield _line("error", _error_payload(job, Cancelled(f"cancelled: {job.token.reason}")))
            self.complete = True
            return
        future = self.start()
        self.state = "started"
        async for line in self._progress(future):
            yield line
        failure = future.exception()  # _run_job reports errors itself: a bug or an interrupt
        kind, payload = ("error", _error_payload(job, failure)) if failure else future.result()
        if kind == "error":
            yield _line("error", payload)
        elif isinstance(payload, pd.DataFrame):
            count = 0
            chunks = _frame_chunks(payload)
            while (piece := await run_in_threadpool(next, chunks, None)) is not None:
                count += piece.count(b"\n")
                yield piece
            yield _line("end", {"rows": count})
        else:
            yield _line("row", payload)
            yield _line("end", {"rows": 1})
        self.complete = True

    async def _take(self) -> None:
        await self.limiter.take()
        self._taken()  # in the same step as the slot was taken: never lost


def create_app(settings: ServiceSettings, access: Neo4jAccess | None = None) -> FastAPI:
    """The application; ``access`` (the Neo4j driver) is made from ``NEO4J_*`` when omitted."""
    executor = ThreadPoolExecutor(max_workers=settings.max_jobs, thread_name_prefix="gml-job")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        for job in registry_of_jobs.list():
            job.cancel("the service is shutting down")
        executor.shutdown(wait=False, cancel_futures=True)
        if app.state.access is not None:
            app.state.access.driver.close()

    app = FastAPI(
        lifespan=lifespan,
        title="neo4j_gml service",
        version=__version__,
        description="Runs neo4j_gml procedures (graph ML on torch) against Neo4j; "
        "called by the gml.* Cypher procedures.",
    )
    app.add_middleware(Guard, settings=settings)
    limiter = JobLimiter(settings.max_jobs, settings.max_queue)
    registry_of_jobs = JobRegistry()
    app.state.settings = settings
    app.state.limiter = limiter
    app.state.jobs = registry_of_jobs
    app.state.access = access

    def neo4j_access() -> Neo4jAccess:
        if app.state.access is None:
            from neo4j_gml.io.connection import Connection

            connection = Connection.from_env()
            app.state.access = Neo4jAccess(connection.driver(), connection.user)
        return app.state.access

    @app.get("/health")
    def health() -> dict[str, Any]:
        """Liveness: answers without a token; also the catalog's size (graphs, bytes, limits)
        and the transport the probes chose per database (after the first read or write)."""
        from neo4j_gml.io import transport

        return {
            "status": "ok",
            "version": __version__,
            "procedures": len(registry.procedures()),
            "catalog": CATALOG.summary(),
            "transport": transport.summary(),
        }

    @app.get("/procedures")
    def list_procedures() -> list[dict[str, Any]]:
        """Every procedure: name, category, modes, description, columns per mode."""
        out = []
        for proc in registry.procedures():
            cols = {
                mode: proc.stream_columns(mode)
                if mode == "stream" or proc.arguments
                else summary_columns(proc, mode)
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

    @app.get("/jobs")
    def jobs() -> dict[str, Any]:
        """Jobs running and waiting now, the limits, and each job (id, procedure, phase, ...)."""
        return {
            "running": limiter.running,
            "waiting": limiter.waiting,
            "maxJobs": limiter.slots,
            "maxQueue": limiter.queue,
            "jobs": [job.describe() for job in registry_of_jobs.list()],
        }

    @app.post("/jobs/{job_id}/cancel")
    def cancel_job(job_id: str) -> dict[str, Any]:
        """Cancel a job: it stops at its next check and writes nothing after it (404: no job)."""
        job = registry_of_jobs.cancel(job_id, "cancelled on request (gml.job.cancel)")
        if job is None:
            raise HTTPException(404, f"no job with id '{job_id}' is running")
        return job.describe()

    @app.post("/catalog/nodeProperty")
    def node_property(body: NodePropertyRequest) -> dict[str, Any]:
        """One node's value of a node property of a catalog graph (``gml.util.nodeProperty``)."""
        try:
            return {"value": node_property_value(body)}
        except ConfigError as exc:
            raise HTTPException(400, str(exc)) from None

    @app.post(
        "/procedures/{name}/{mode}",
        response_class=StreamingResponse,
        responses={200: {"content": {NDJSON: {}}, "description": "NDJSON rows"}},
        openapi_extra={
            "requestBody": {
                "content": {"application/json": {"schema": RunRequest.model_json_schema()}},
                "required": False,
            }
        },
    )
    async def run_procedure(name: str, mode: str, request: Request) -> StreamingResponse:
        """Run ``name`` in ``mode``; NDJSON lines (see the module docs)."""
        body = parse_request(await request.body())
        try:
            proc = registry.get(name)
        except ConfigError as exc:
            raise HTTPException(404, str(exc)) from None
        try:
            cfg = proc.validate(body.config, mode)
        except ConfigError as exc:
            raise HTTPException(400, str(exc)) from None
        job = Job(name, mode, user=body.user, database=body.database)
        job.id = body.jobId or cfg.get("jobId") or job.id
        try:
            registry_of_jobs.add(job)
        except JobIdInUse as exc:
            raise HTTPException(409, str(exc)) from None
        try:
            limiter.reserve()
        except HTTPException:
            registry_of_jobs.remove(job)
            raise
        access = neo4j_access()

        def start() -> asyncio.Future:
            future = asyncio.get_running_loop().run_in_executor(
                executor, _run_job, access, job, body
            )

            def finished(_: asyncio.Future) -> None:
                registry_of_jobs.remove(job)
                limiter.release()

            future.add_done_callback(finished)
            return future

        return JobResponse(job, limiter, start, registry_of_jobs.remove)

    return app


def _error_payload(job: Job, exc: BaseException) -> dict[str, Any]:
    """The ``error`` line of a failed job: message, HTTP-like status, rows written so far."""
    status, message = _classify(exc)
    payload: dict[str, Any] = {"message": message, "status": status}
    if job.phase == "write" or job.written:
        payload["rowsWritten"] = job.written
        payload["rowsToWrite"] = job.total
    if isinstance(exc, Cancelled):
        payload["cancelled"] = True
    return payload


def _classify(exc: BaseException) -> tuple[int, str]:
    """(status, message): user errors 400, refusals by Neo4j 400, cancels 499, the rest 500."""
    if isinstance(exc, Cancelled):
        return 499, str(exc) or "cancelled"
    if isinstance(exc, ConfigError):
        return 400, str(exc)
    if isinstance(exc, neo4j.exceptions.ClientError):
        return 400, f"Neo4j refused: {exc.message or exc}"
    if isinstance(exc, WriteError):
        return 500, f"writing failed: {exc}"
    if isinstance(exc, neo4j.exceptions.Neo4jError):
        return 500, f"Neo4j failed: {exc.message or exc}"
    if isinstance(exc, neo4j.exceptions.DriverError):
        return 500, f"cannot reach Neo4j: {exc}"
    if isinstance(exc, ValueError):
        return 400, str(exc)
    return 500, f"{type(exc).__name__}: {exc}"


def _run_job(access: Neo4jAccess, job: Job, body: RunRequest) -> tuple[str, Any]:
    """Run one job in this thread: ``("ok", rows or row)`` or ``("error", payload)``."""
    try:
        driver, _ = access.for_user(body.user)
        result = run(
            job.procedure,
            job.mode,
            body.config,
            driver=driver,
            database=body.database,
            job=job,
            graph=body.graph,
            user=body.user,
            admin=body.admin,
        )
        job.finish()
        return "ok", result
    except BaseException as exc:  # noqa: BLE001 - every failure is reported in-band
        payload = _error_payload(job, exc)
        expected = Cancelled | ConfigError | ValueError | neo4j.exceptions.Neo4jError
        if isinstance(exc, WriteError | neo4j.exceptions.DriverError):  # Neo4j went away
            log.warning("procedure %s.%s failed: %s", job.procedure, job.mode, payload["message"])
        elif not isinstance(exc, expected):  # a bug: keep the traceback
            log.exception("procedure %s.%s failed", job.procedure, job.mode)
        return "error", payload
