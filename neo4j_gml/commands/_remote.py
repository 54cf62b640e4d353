"""Talking to the running service from the command line: its JSON endpoints, and procedure
calls that must run there (on a named graph: the catalog lives in the service's memory).

The service is found as the plugin finds it: ``GML_SERVICE_URL`` (default
``http://127.0.0.1:7475``) with ``GML_SERVICE_TOKEN``.
"""

from __future__ import annotations

import contextlib
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from neo4j_gml.server.settings import DEFAULT_URL


def _base(url: str | None) -> str:
    return (url or os.environ.get("GML_SERVICE_URL") or DEFAULT_URL).rstrip("/")


def _request(
    method: str, path: str, url: str | None, token: str | None, body: Any = None
) -> urllib.request.Request:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(_base(url) + path, data=data, method=method)
    token = token if token is not None else os.environ.get("GML_SERVICE_TOKEN")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    return request


def service_request(
    method: str, path: str, url: str | None = None, token: str | None = None
) -> dict[str, Any] | None:
    """The service's JSON answer to ``method path`` (``url`` and ``token`` default to
    ``GML_SERVICE_URL`` and ``GML_SERVICE_TOKEN``); None for 404; RuntimeError with the
    service's words otherwise."""
    base = _base(url)
    request = _request(method, path, url, token)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        detail = exc.read().decode(errors="replace")
        raise RuntimeError(
            f"the neo4j_gml service at {base} answered {exc.code}: {detail}"
        ) from None
    except OSError as exc:
        raise RuntimeError(
            f"the neo4j_gml service at {base} is not reachable ({exc}); start it with "
            "`neo4j-gml serve` or set GML_SERVICE_URL"
        ) from None


def service_call(
    name: str,
    mode: str,
    config: dict[str, Any],
    *,
    graph: str | None = None,
    database: str | None = None,
    url: str | None = None,
    token: str | None = None,
) -> list[dict[str, Any]]:
    """Run procedure ``name`` in ``mode`` on the service (on named graph ``graph``) as the
    ``NEO4J_USER`` (default ``neo4j``), whose graphs it sees; its rows. The service's error
    line becomes a RuntimeError with its message."""
    # the call runs as the Neo4j user the CLI connects as, so it sees that user's graphs
    user = os.environ.get("NEO4J_USER", "neo4j")
    body = {"config": config, "graph": graph, "database": database, "user": user}
    path = f"/procedures/{urllib.parse.quote(name, safe='')}/{urllib.parse.quote(mode, safe='')}"
    request = _request("POST", path, url, token, body)
    rows: list[dict[str, Any]] = []
    try:
        with urllib.request.urlopen(request, timeout=3600) as response:
            for raw in response:
                line = json.loads(raw)
                if "row" in line:
                    rows.append(line["row"])
                elif "error" in line:
                    raise RuntimeError(line["error"].get("message", "the call failed"))
                elif "end" in line:
                    return rows
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode(errors="replace")
        with contextlib.suppress(json.JSONDecodeError, AttributeError):
            detail = json.loads(detail).get("detail", detail)
        raise RuntimeError(f"the neo4j_gml service refused the call: {detail}") from None
    except OSError as exc:
        raise RuntimeError(
            f"the neo4j_gml service at {_base(url)} is not reachable ({exc}); start it with "
            "`neo4j-gml serve` or set GML_SERVICE_URL"
        ) from None
    raise RuntimeError("the service's answer ended early (did it stop?)")
