"""The graph catalog: named in-memory graphs, held by the process (the service) between calls.

GDS's working model: project a graph once (``gml.graph.project``), run many procedures on it by
name (``gml.pageRank.stream('g', {...})``), add results to it (``mutate``), write them once. A
graph lives on its device (the GPU when there is one) as a :class:`~neo4j_gml.core.graph_store.
GraphStore` and belongs to a database and a user: a user sees, uses and drops only their own
graphs, an admin everyone's. The catalog lives in memory: it starts empty with the process, as
GDS's does after a restart.

Memory discipline: the graphs held on one device may take at most ``GML_CATALOG_MAX_BYTES``
bytes (default: half of the device's memory free when the catalog first needs the figure); a
projection that would pass the limit is refused before it is read, naming the graphs held.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import torch

from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph_store import GraphStore
from neo4j_gml.procedures.estimate import available_bytes, human_bytes

#: the share of a device's free memory the catalog may hold when GML_CATALOG_MAX_BYTES is unset
DEFAULT_SHARE = 0.5


@dataclass
class CatalogEntry:
    """One named graph: its store and what made it."""

    name: str
    database: str
    user: str
    store: GraphStore
    origin: str  # "native", "cypher" or "filter"
    projection: dict[str, Any]  # nodeProjection/relationshipProjection or the queries
    project_millis: int = 0
    creation_time: datetime = field(default_factory=lambda: datetime.now(UTC))
    modification_time: datetime = field(default_factory=lambda: datetime.now(UTC))
    #: held while a mutate adds to the graph (two mutates of one graph run one after the other)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def touch(self) -> None:
        self.modification_time = datetime.now(UTC)

    def describe(self) -> dict[str, Any]:
        """GDS's ``gds.graph.list`` columns (``schema`` as our plain map)."""
        store = self.store
        size = store.nbytes()
        return {
            "graphName": self.name,
            "database": self.database,
            "user": self.user,
            "nodeCount": store.num_nodes,
            "relationshipCount": store.num_relationships(),
            "schema": store.schema(),
            "schemaWithOrientation": store.schema(with_orientation=True),
            "configuration": dict(self.projection),
            "memoryUsage": human_bytes(size),
            "sizeInBytes": size,
            "density": store.density(),
            "degreeDistribution": store.degree_distribution(),
            "creationTime": self.creation_time.isoformat(),
            "modificationTime": self.modification_time.isoformat(),
            "projectMillis": self.project_millis,
            "device": str(store.device),
            "origin": self.origin,
        }


class Catalog:
    """Named graphs by (database, user, name), with a byte limit per device. Thread-safe."""

    def __init__(self, max_bytes: int | None = None) -> None:
        self._graphs: dict[tuple[str, str, str], CatalogEntry] = {}
        self._lock = threading.RLock()
        self._max_bytes = max_bytes
        self._limits: dict[str, int] = {}
        self.started = time.time()

    # ------------------------------------------------------------------ limits
    def limit(self, device: Any) -> int:
        """The most bytes graphs may take on ``device``: ``GML_CATALOG_MAX_BYTES``, or half of
        the device's free memory the first time it is asked."""
        if self._max_bytes is not None:
            return self._max_bytes
        env = os.environ.get("GML_CATALOG_MAX_BYTES")
        if env:
            try:
                return int(float(env))
            except ValueError:
                raise ConfigError(
                    f"GML_CATALOG_MAX_BYTES must be a number of bytes, got {env!r}"
                ) from None
        dev = torch.device(device) if isinstance(device, str) else device
        key = str(dev)
        with self._lock:
            if key not in self._limits:
                self._limits[key] = int(available_bytes(dev) * DEFAULT_SHARE)
            return self._limits[key]

    def held_bytes(self, device: Any) -> int:
        """Bytes the graphs on ``device`` take now."""
        key = str(device)
        with self._lock:
            return sum(
                e.store.nbytes() for e in self._graphs.values() if str(e.store.device) == key
            )

    def check_room(self, need: int, device: Any, what: str) -> None:
        """Raise :class:`ConfigError` when ``need`` more bytes on ``device`` pass the limit; the
        message names the graphs held there, largest first."""
        limit = self.limit(device)
        with self._lock:
            held = [e for e in self._graphs.values() if str(e.store.device) == str(device)]
            used = sum(e.store.nbytes() for e in held)
        if used + need <= limit:
            return
        held.sort(key=lambda e: -e.store.nbytes())
        names = ", ".join(
            f"'{e.name}' ({human_bytes(e.store.nbytes())}, user '{e.user or '-'}', database "
            f"'{e.database}')"
            for e in held[:10]
        )
        raise ConfigError(
            f"{what} needs about {human_bytes(need)} on {device}, but the catalog holds "
            f"{human_bytes(used)} of its limit {human_bytes(limit)} (GML_CATALOG_MAX_BYTES)"
            + (f"; graphs held: {names}. Drop some with gml.graph.drop" if held else "")
        )

    # ------------------------------------------------------------------ graphs
    def put(self, entry: CatalogEntry) -> CatalogEntry:
        """Add ``entry``; a graph of that name for that user and database is an error."""
        key = (entry.database, entry.user, entry.name)
        with self._lock:
            if key in self._graphs:
                raise ConfigError(
                    f"config key 'graphName': a graph named '{entry.name}' exists already in "
                    f"database '{entry.database}'; drop it first (gml.graph.drop)"
                )
            self.check_room(entry.store.nbytes(), entry.store.device, f"graph '{entry.name}'")
            self._graphs[key] = entry
        return entry

    def find(
        self, name: str, user: str | None, database: str | None, admin: bool = False
    ) -> CatalogEntry | None:
        """The graph ``name`` the caller may use: their own, or (for an admin) the only graph of
        that name in the database; None when there is none."""
        db, who = database or "", user or ""
        with self._lock:
            own = self._graphs.get((db, who, name))
            if own is not None or not admin:
                return own
            others = [e for (d, _, n), e in self._graphs.items() if d == db and n == name]
            return others[0] if len(others) == 1 else None

    def get(
        self, name: str, user: str | None, database: str | None, admin: bool = False
    ) -> CatalogEntry:
        """As :meth:`find`, or a :class:`ConfigError` that says what the caller has."""
        entry = self.find(name, user, database, admin)
        if entry is not None:
            return entry
        mine = sorted(e.name for e in self.entries(user, database, admin))
        started = datetime.fromtimestamp(self.started, UTC).isoformat(timespec="seconds")
        raise ConfigError(
            f"config key 'graphName': no graph named '{name}' in database '{database or ''}' "
            f"for this user; graphs you have: {mine or 'none'}. The catalog is held in the "
            f"service's memory since {started} and does not survive a restart (project the "
            "graph again with gml.graph.project)"
        )

    def drop(
        self, name: str, user: str | None, database: str | None, admin: bool = False
    ) -> CatalogEntry | None:
        """Remove and return the graph ``name`` (as :meth:`find` finds it), or None."""
        with self._lock:
            entry = self.find(name, user, database, admin)
            if entry is not None:
                del self._graphs[(entry.database, entry.user, entry.name)]
            return entry

    def entries(
        self, user: str | None, database: str | None = None, admin: bool = False
    ) -> list[CatalogEntry]:
        """The graphs the caller sees (an admin: everyone's), of ``database`` when given."""
        with self._lock:
            out = [
                e
                for e in self._graphs.values()
                if (admin or e.user == (user or ""))
                and (database is None or e.database == database)
            ]
        return sorted(out, key=lambda e: (e.database, e.user, e.name))

    def forget_databases(self, existing: Iterable[str]) -> list[CatalogEntry]:
        """Drop the graphs of databases not in ``existing`` (dropped databases); returns them."""
        keep = set(existing)
        with self._lock:
            gone = [k for k in self._graphs if k[0] and k[0] not in keep]
            return [self._graphs.pop(k) for k in gone]

    def clear(self) -> None:
        with self._lock:
            self._graphs.clear()

    def summary(self) -> dict[str, Any]:
        """For ``/health``: graphs held, bytes used, and the limit, per device."""
        with self._lock:
            entries = list(self._graphs.values())
        devices: dict[str, dict[str, Any]] = {}
        for e in entries:
            d = devices.setdefault(str(e.store.device), {"graphs": 0, "bytes": 0})
            d["graphs"] += 1
            d["bytes"] += e.store.nbytes()
        for name, d in devices.items():
            d["maxBytes"] = self.limit(name)
        return {
            "graphs": len(entries),
            "bytes": sum(d["bytes"] for d in devices.values()),
            "devices": devices,
            "since": datetime.fromtimestamp(self.started, UTC).isoformat(timespec="seconds"),
        }


#: The process's catalog (the service's, or a Python session's).
CATALOG = Catalog()
