"""Service settings from the environment (``GML_SERVICE_*``) and the command line."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_URL = "http://127.0.0.1:7475"
DEFAULT_MAX_JOBS = 2
DEFAULT_MAX_QUEUE = 32
DEFAULT_MAX_BODY = 64 * 1024 * 1024
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class ServiceSettings:
    """Where the service listens and how it guards itself.

    Attributes:
        host, port: the listening address (from ``GML_SERVICE_URL`` unless given).
        token: the shared token every request but ``/health`` must carry as
            ``Authorization: Bearer <token>`` (``GML_SERVICE_TOKEN``); ``None`` only on loopback.
        max_jobs: procedures that run at once (``GML_SERVICE_MAX_JOBS``, default 2).
        max_queue: jobs that may wait for a slot (``GML_SERVICE_MAX_QUEUE``, default 32); more get
            HTTP 503.
        max_body: the largest request body in bytes (``GML_SERVICE_MAX_BODY``, default 64 MiB);
            larger ones get HTTP 413 before they are read.
    """

    host: str = "127.0.0.1"
    port: int = 7475
    token: str | None = None
    max_jobs: int = DEFAULT_MAX_JOBS
    max_queue: int = DEFAULT_MAX_QUEUE
    max_body: int = DEFAULT_MAX_BODY

    @classmethod
    def from_env(cls, host: str | None = None, port: int | None = None) -> ServiceSettings:
        url = os.environ.get("GML_SERVICE_URL") or DEFAULT_URL
        parts = urlsplit(url if "://" in url else f"http://{url}")
        if parts.scheme not in ("http", ""):
            raise ValueError(f"GML_SERVICE_URL must be an http:// URL, not {url!r}")
        settings = cls(
            host=host or parts.hostname or "127.0.0.1",
            port=port if port is not None else (parts.port or 7475),
            token=os.environ.get("GML_SERVICE_TOKEN") or None,
            max_jobs=_positive_int("GML_SERVICE_MAX_JOBS", DEFAULT_MAX_JOBS),
            max_queue=_positive_int("GML_SERVICE_MAX_QUEUE", DEFAULT_MAX_QUEUE, zero_ok=True),
            max_body=_positive_int("GML_SERVICE_MAX_BODY", DEFAULT_MAX_BODY),
        )
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse to listen beyond this host without a token."""
        if self.token is None and self.host not in _LOOPBACK:
            raise ValueError(
                f"refusing to listen on {self.host} without a token: set GML_SERVICE_TOKEN"
            )


def _positive_int(name: str, default: int, zero_ok: bool = False) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, not {raw!r}") from None
    if value < (0 if zero_ok else 1):
        raise ValueError(f"{name} must be at least {0 if zero_ok else 1}, not {value}")
    return value
