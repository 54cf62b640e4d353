"""The shared-memory transport: columns as files in a directory Neo4j and the service both see.

When the service runs beside Neo4j (the same host, or containers sharing a volume such as
``/dev/shm`` or an ``emptyDir``), the plugin writes a whole projection into one file there and
the service maps it without copying (``mmap`` → :func:`numpy.frombuffer` →
:func:`torch.from_numpy`); results go the other way, the service writing one column file that
the plugin maps a batch at a time. Bolt then carries only file names.

Selection is automatic: :func:`shared_directory` probes once per driver and database (the
plugin writes a random token into a file, this process reads it; this process writes one, the
plugin reads it) and answers None (use Bolt bytes, :mod:`neo4j_gml.io.bulk`) when either side
cannot see the other's file: another host, another mount, another user, no directory.
``GML_TRANSPORT`` chooses: ``auto`` (default), ``shm`` (required: an error says why it is not
available) or ``bolt``. ``GML_TRANSPORT_DIR`` is the directory as this process sees it when it
is mounted elsewhere than in Neo4j (default: the path the plugin reports).

Files are ``0600`` under names with 128 random bits. The plugin deletes its own when the
transaction that made them closes, whatever the outcome (this process maps them inside that
transaction; a mapping outlives the name); :class:`ColumnFile` deletes this process's when the
write ends, also on error and cancellation.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import secrets
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import neo4j
import numpy as np

from neo4j_gml.core.errors import ConfigError
from neo4j_gml.io import bulk

MAGIC = int.from_bytes(b"GMLSHM01", "little")
HEADER_BYTES = 64

_known: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def mode_from_environment() -> str:
    """``auto``, ``shm`` or ``bolt``, from ``GML_TRANSPORT``."""
    mode = os.environ.get("GML_TRANSPORT", "auto").strip().lower() or "auto"
    if mode not in {"auto", "shm", "bolt"}:
        raise ConfigError(f"GML_TRANSPORT must be 'auto', 'shm' or 'bolt', got {mode!r}")
    return mode


@dataclass(frozen=True)
class SharedDirectory:
    """The transport directory: ``remote`` as Neo4j sees it, ``local`` as this process does."""

    remote: str
    local: str

    def path(self, name: str) -> str:
        return os.path.join(self.local, name)


def shared_directory(driver: neo4j.Driver, database: str | None) -> SharedDirectory | None:
    """The directory to move columns through, or None for Bolt. Probed once per driver and
    database (a failed probe is remembered too); ``GML_TRANSPORT=shm`` turns a failure into a
    :class:`ConfigError` that says why."""
    mode = mode_from_environment()
    if mode == "bolt" or not bulk.bulk_available(driver, database, True if mode == "shm" else None):
        return None
    key = (database, os.environ.get("GML_TRANSPORT_DIR"))
    with _lock:
        per_driver = _known.setdefault(driver, {})
        if key not in per_driver:
            per_driver[key] = _probe(driver, database)
        found, why = per_driver[key]
    if found is None and mode == "shm":
        raise ConfigError(
            f"GML_TRANSPORT=shm, but the shared-memory transport is not available: {why}; "
            "mount the plugin's transport directory (gml.transport.dir) into the service and "
            "set GML_TRANSPORT_DIR to it, or use GML_TRANSPORT=auto"
        )
    return found


def summary() -> list[dict[str, Any]]:
    """What the probes of this process found, per database: ``path`` (``shm`` or ``bolt``),
    the directory and why (for ``/health``)."""
    with _lock:
        entries = [
            (key, value) for per_driver in _known.values() for key, value in per_driver.items()
        ]
    return [
        {
            "database": database or "default",
            "path": "bolt" if found is None else "shm",
            "directory": None if found is None else found.local,
            "reason": why,
        }
        for (database, _), (found, why) in entries
    ]


def forget(driver: neo4j.Driver) -> None:
    """Probe again on the next call (tests change the environment between calls)."""
    with _lock:
        _known.pop(driver, None)


def _probe(driver: neo4j.Driver, database: str | None) -> tuple[SharedDirectory | None, str]:
    query = "CALL gml.io.transportProbe($name) YIELD directory, name, token, read RETURN *"
    try:
        with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
            first = session.execute_read(lambda tx: tx.run(query, name="").single(strict=True))
            remote = str(first["directory"])
            local = os.environ.get("GML_TRANSPORT_DIR") or remote
            if not os.path.isdir(local):
                return None, f"this process has no directory {local!r}"
            ours = secrets.token_hex(16)
            with ColumnFile(SharedDirectory(remote, local), suffix="probe") as mine:
                mine.write_text(ours)

                def both_ways(tx: neo4j.ManagedTransaction) -> tuple[Any, str | None]:
                    row = tx.run(query, name=mine.name).single(strict=True)
                    try:
                        with open(os.path.join(local, row["name"]), encoding="ascii") as f:
                            return row, f.read()
                    except OSError:
                        return row, None

                row, theirs = session.execute_read(both_ways)
    except neo4j.exceptions.Neo4jError as exc:
        return None, f"the plugin has no transport directory ({exc.message})"
    except OSError as exc:
        return None, f"this process cannot write in the directory ({exc})"
    if theirs != row["token"]:
        return None, f"this process cannot read the plugin's files in {local!r}"
    if row["read"] != ours:
        return None, f"the plugin cannot read this process's files in {remote!r}"
    found = SharedDirectory(remote, local)
    sweep(found)
    return found, "available"


#: Files older than this are left over from a process that died mid-call.
STALE_SECONDS = 3600.0


def sweep(shared: SharedDirectory, older_than: float = STALE_SECONDS) -> list[str]:
    """Delete this user's transport files older than ``older_than`` seconds (a service or
    Neo4j that died in the middle of a call leaves its file behind); returns their names."""
    removed = []
    now = time.time()
    for name in stale_files(shared):
        path = shared.path(name)
        try:
            info = os.lstat(path)
            if info.st_uid == os.getuid() and now - info.st_mtime > older_than:
                os.unlink(path)
                removed.append(name)
        except OSError:
            continue
    return removed


# ---------------------------------------------------------------------------- reads
@dataclass
class ProjectionColumns:
    """A projection as the plugin wrote it: sorted node ids, arcs as positions in them."""

    node_ids: np.ndarray
    sources: np.ndarray
    targets: np.ndarray
    weights: np.ndarray | None
    dropped: int


def map_file(path: str) -> mmap.mmap:
    """``path`` mapped copy-on-write: arrays over it are writable, nothing is copied until a
    page is written, and the mapping stays valid after the file is deleted."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    try:
        size = os.fstat(fd).st_size
        return mmap.mmap(fd, size, access=mmap.ACCESS_COPY)
    finally:
        os.close(fd)


def parse_projection(buffer: mmap.mmap) -> ProjectionColumns:
    """The columns of a projection file (layout in the plugin's ``Transport.writeProjection``),
    as arrays over ``buffer`` (no copy)."""
    header = np.frombuffer(buffer, dtype="<i8", count=8, offset=0)
    if int(header[0]) != MAGIC or int(header[1]) != 1:
        raise RuntimeError("the plugin's projection file has an unknown layout")
    n, m, weighted, dropped = (int(v) for v in header[2:6])
    offset = HEADER_BYTES
    node_ids = np.frombuffer(buffer, dtype="<i8", count=n, offset=offset)
    offset += 8 * n
    sources = np.frombuffer(buffer, dtype="<i8", count=m, offset=offset)
    offset += 8 * m
    targets = np.frombuffer(buffer, dtype="<i8", count=m, offset=offset)
    offset += 8 * m
    weights = np.frombuffer(buffer, dtype="<f8", count=m, offset=offset) if weighted else None
    return ProjectionColumns(node_ids, sources, targets, weights, dropped)


def read_projection(
    driver: neo4j.Driver,
    database: str | None,
    shared: SharedDirectory,
    *,
    labels: list[str],
    types: list[str],
    weight: str | None,
    default: float,
    concurrency: int,
    scan: bool | None,
) -> ProjectionColumns:
    """A filter projection through ``gml.io.projectToFile``: one call, read by ``concurrency``
    threads inside Neo4j, mapped here before its transaction closes (which deletes the file)."""
    query = (
        "CALL gml.io.projectToFile($labels, $types, $weight, $default, $concurrency, $scan) "
        "YIELD name RETURN name"
    )
    params = {
        "labels": labels,
        "types": types,
        "weight": weight,
        "default": default,
        "concurrency": concurrency,
        "scan": scan,
    }

    def project(tx: neo4j.ManagedTransaction) -> mmap.mmap:
        name = tx.run(query, params).single(strict=True)["name"]
        try:
            return map_file(shared.path(name))
        except OSError as exc:
            raise TransportFailed(f"cannot map the plugin's file {name}: {exc}") from None

    with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
        try:
            buffer = session.execute_read(project)
        except neo4j.exceptions.ClientError as exc:
            if "gml.io: cannot write the projection" in (exc.message or ""):
                raise TransportFailed(exc.message or str(exc)) from None
            raise (bulk.config_error_from(exc) or exc) from None
    return parse_projection(buffer)


class TransportFailed(RuntimeError):
    """The shared directory could not hold or hand over a file (full, unmounted since the
    probe): the read is done again over Bolt."""


# ---------------------------------------------------------------------------- writes
class ColumnFile:
    """A new ``0600`` file of the transport directory that this process writes and the plugin
    reads; removed when the ``with`` block ends, however it ends.

    :meth:`add` appends an array's little-endian bytes (as :func:`neo4j_gml.io.bulk.pack`
    encodes them) and returns its byte offset."""

    def __init__(self, shared: SharedDirectory, suffix: str = "bin") -> None:
        self.shared = shared
        self.name = f"gml-{secrets.token_hex(16)}.{suffix}"
        self.path = shared.path(self.name)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        self._fd: int | None = os.open(self.path, flags, 0o600)
        self.size = 0

    def add(self, values: np.ndarray) -> int:
        data = memoryview(bulk.encoded(np.asarray(values)).data).cast("B")
        offset = self.size
        assert self._fd is not None
        while data:
            written = os.write(self._fd, data)
            data = data[written:]
        self.size = os.lseek(self._fd, 0, os.SEEK_CUR)
        return offset

    def write_text(self, text: str) -> None:
        assert self._fd is not None
        os.write(self._fd, text.encode("ascii"))
        self.size = os.lseek(self._fd, 0, os.SEEK_CUR)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> ColumnFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)


@contextlib.contextmanager
def column_file(
    shared: SharedDirectory, arrays: list[np.ndarray]
) -> Iterator[tuple[ColumnFile, list[int]] | None]:
    """A :class:`ColumnFile` holding ``arrays`` one after the other, with their byte offsets,
    or None when the directory refuses the file (full, gone, read-only): the caller then
    writes over Bolt. The file is removed when the block ends."""
    try:
        file = ColumnFile(shared)
    except OSError:
        yield None
        return
    with file:
        try:
            offsets: list[int] | None = [file.add(np.asarray(a)) for a in arrays]
            file.close()
        except OSError:
            offsets = None
        yield None if offsets is None else (file, offsets)


def stale_files(shared: SharedDirectory) -> list[str]:
    """Transport files left in the directory (for tests and ``/health``)."""
    try:
        names = os.listdir(shared.local)
    except OSError:
        return []
    return sorted(n for n in names if n.startswith("gml-") and n.endswith((".bin", ".probe")))


def on_shared(
    driver: neo4j.Driver, database: str | None, use_bulk: bool | None
) -> SharedDirectory | None:
    """:func:`shared_directory`, unless the plugin's paths are off (``use_bulk=False``)."""
    if use_bulk is False:
        return None
    return shared_directory(driver, database)
