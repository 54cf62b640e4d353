"""The procedure registry: one entry per procedure, read by every surface.

A procedure is an algorithm function plus what the surfaces need to call it: its name (GDS's
where GDS has it), its own typed config keys, the node properties it reads, its result and the
modes it supports. The Python API, the CLI, the HTTP service, the generated Java plugin and the
pipelines all discover procedures here, so a new algorithm is one function and one
:func:`register` call in a module of :mod:`neo4j_gml.procedures.families`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import torch

from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import ORIENTATIONS, Graph
from neo4j_gml.procedures.config import REQUIRED, Key
from neo4j_gml.procedures.spec import EmbeddingConfig, ProcedureConfig, RelationshipConfig

MODES = ("stream", "stats", "write")


# ---------------------------------------------------------------------------- results
@dataclass
class NodeValues:
    """A value per node of the graph, e.g. a score, a community id or an embedding.

    ``values`` is ``float[n]``, ``int[n]`` or ``float[n, d]`` in graph position order; ``extra``
    holds more per-node columns for stream mode (e.g. intermediate community ids); ``stats``
    holds algorithm facts for stats and write mode (``ranIterations``, ``didConverge``, ...).
    ``mask`` (bool[n]), when given, restricts stream rows and writes to those nodes.
    """

    values: torch.Tensor
    extra: dict[str, torch.Tensor] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    mask: torch.Tensor | None = None


@dataclass
class RelationshipValues:
    """A value per node pair (positions), e.g. a similarity or a link score."""

    source: torch.Tensor
    target: torch.Tensor
    values: torch.Tensor
    stats: dict[str, Any] = field(default_factory=dict)


@dataclass
class Rows:
    """Plain result rows (columns of equal length), for procedures that yield neither."""

    columns: dict[str, list[Any]]
    stats: dict[str, Any] = field(default_factory=dict)


Result = NodeValues | RelationshipValues | Rows


# ---------------------------------------------------------------------------- common keys
PROJECTION_KEYS: tuple[Key, ...] = (
    Key("nodeLabels", "str_list", ["*"], "node labels to project; ['*'] means every node"),
    Key("relationshipTypes", "str_list", ["*"], "relationship types; ['*'] means every type"),
    Key("orientation", "str?", None, "NATURAL, REVERSE or UNDIRECTED", choices=ORIENTATIONS),
    Key("relationshipWeightProperty", "str?", None, "relationship property used as weight"),
    Key("defaultValue", "float?", None, "weight used where the weight property is missing"),
    Key(
        "aggregation",
        "str",
        "NONE",
        "merge parallel relationships",
        choices=("NONE", "SINGLE", "SUM", "MIN", "MAX", "COUNT"),
    ),
    Key(
        "nodeProperties",
        "any",
        None,
        "node properties to load: a list of names, or a map name -> {defaultValue: v}",
    ),
    Key("nodeQuery", "str?", None, "Cypher returning `id` (and property columns)"),
    Key("relationshipQuery", "str?", None, "Cypher returning `source`, `target` [, `weight`]"),
    Key("parameters", "map", {}, "parameters of nodeQuery and relationshipQuery"),
)

RUN_KEYS: tuple[Key, ...] = (
    Key(
        "device",
        "str",
        "auto",
        "auto, cpu, cuda or cuda:N",
        check=lambda v: (
            None
            if v in ("auto", "cpu", "cuda") or v.startswith("cuda:")
            else "must be 'auto', 'cpu', 'cuda' or 'cuda:N'"
        ),
    ),
    Key("concurrency", "int", 4, "reader and writer threads", min=1, max=64),
    Key("writeConcurrency", "int?", None, "writer threads (default: concurrency)", min=1, max=64),
    Key("batchSize", "int", 10000, "rows per write transaction", min=1, max=1_000_000),
    Key("logProgress", "bool", True, "show progress bars on a terminal"),
    Key("sudo", "bool", False, "accepted for GDS compatibility; has no effect"),
    Key("jobId", "str?", None, "an id for this run, echoed back"),
)

NODE_WRITE_KEYS: tuple[Key, ...] = (
    Key("writeProperty", "str?", None, "node property to write (required in write mode)"),
)

EMBEDDING_WRITE_KEYS: tuple[Key, ...] = (
    Key(
        "vectorIndex",
        "bool",
        False,
        "write mode: also create a cosine vector index on the "
        "written property (if absent), so db.index.vector.queryNodes works at once",
    ),
    Key(
        "vectorIndexLabel",
        "str?",
        None,
        "label of the vector index (default: the single label in nodeLabels)",
    ),
)

REL_WRITE_KEYS: tuple[Key, ...] = (
    Key("writeRelationshipType", "str?", None, "relationship type to write (write mode)"),
    Key("writeProperty", "str?", None, "relationship property holding the value (write mode)"),
)


# ---------------------------------------------------------------------------- procedure
@dataclass(frozen=True)
class Procedure:
    """One registry entry.

    Attributes:
        name: ``pageRank``, ``wcc``, ``closeness.harmonic``...
        description: one sentence.
        category: ``centrality``, ``community``, ``embedding``, ``similarity``, ``linkpred``...
        config: the procedure's typed configuration class (:mod:`neo4j_gml.procedures.spec`):
            its fields are every key the procedure takes; ``compute`` receives an instance.
        keys: the procedure's own config keys, for a procedure without a ``config`` class
            (``compute`` then receives the validated map).
        compute: ``(graph, config) -> Result``.
        result: ``'node'``, ``'relationship'`` or ``'rows'``.
        column: the stream column of a node or relationship value (``score``, ``componentId``,
            ``embedding``, ``similarity``...).
        column_type: ``'float'``, ``'int'``, ``'floatList'`` (for the generated Java signatures).
        stats_columns: extra stats/write columns and their types, e.g. ``{'ranIterations': 'int'}``.
        property_keys: config keys whose value names node properties to load (one or a list).
        default_orientation: used when the config leaves ``orientation`` unset.
        weighted: whether ``relationshipWeightProperty`` is accepted.
        modes: the supported modes.
        relationship_columns: stream names of the two ends of a relationship result.
        rows_columns: column names and types of a ``'rows'`` result.
        extra_columns: more stream columns of a node result (``NodeValues.extra``) and types.
        write_extra: extra column -> config key naming the node property it is written to in
            write mode (e.g. ``{'hub': 'hubProperty'}``).
        replace_relationships: write mode first deletes every relationship of the
            ``writeRelationshipType`` (so a rerun replaces earlier results instead of adding).
        reads_graph: ``False`` for procedures that need no projection (the model catalogue:
            ``model.list``, ``model.drop``); the runner then reads nothing from Neo4j.
        pairs_query_key: a config key holding a Cypher query that returns ``source`` and
            ``target`` (Neo4j ids); the runner runs it (with ``parameters``) before compute and
            puts its rows into ``cfg['pairs']`` as ``[[source, target], ...]``.
    """

    name: str
    description: str
    category: str
    compute: Callable[[Graph, Any], Result]
    config: type[ProcedureConfig] | None = None
    keys: tuple[Key, ...] = ()
    result: str = "node"
    column: str = "score"
    column_type: str = "float"
    stats_columns: Mapping[str, str] = field(default_factory=dict)
    property_keys: tuple[str, ...] = ()
    default_orientation: str = "NATURAL"
    weighted: bool = True
    modes: tuple[str, ...] = MODES
    relationship_columns: tuple[str, str] = ("node1", "node2")
    rows_columns: Mapping[str, str] = field(default_factory=dict)
    extra_columns: Mapping[str, str] = field(default_factory=dict)
    write_extra: Mapping[str, str] = field(default_factory=dict)
    replace_relationships: bool = False
    pairs_query_key: str | None = None
    reads_graph: bool = True

    def stream_columns(self) -> dict[str, str]:
        """Column name -> type of a stream row (types: int, float, floatList, intList, ...)."""
        if self.result == "rows":
            return dict(self.rows_columns)
        if self.result == "relationship":
            a, b = self.relationship_columns
            return {a: "int", b: "int", self.column: self.column_type}
        return {"nodeId": "int", self.column: self.column_type, **self.extra_columns}

    def all_keys(self) -> tuple[Key, ...]:
        """Projection, run, write and own keys; the procedure's own keys win on a clash."""
        if self.config is not None:
            return self.config.keys_of()
        write = REL_WRITE_KEYS if self.result == "relationship" else NODE_WRITE_KEYS
        if self.result == "node" and self.column_type == "floatList":
            write = (*write, *EMBEDDING_WRITE_KEYS)
        merged: dict[str, Key] = {}
        for key in (*PROJECTION_KEYS, *RUN_KEYS, *write, *self.keys):
            merged[key.name] = key
        return tuple(merged.values())

    def validate(self, config: Mapping[str, Any] | None, mode: str) -> Any:
        """The full typed configuration for ``mode``; raises :class:`ConfigError`."""
        from neo4j_gml.procedures.config import validate

        if mode not in self.modes:
            raise ConfigError(
                f"procedure '{self.name}' has no mode '{mode}'; its modes are {list(self.modes)}"
            )
        what = f"gml.{self.name}.{mode}"
        cfg: Any
        if self.config is not None:
            cfg = self.config.parse(config, mode, what=what)
            if cfg.orientation is None:
                cfg = cfg.replace(orientation=self.default_orientation)
        else:
            cfg = validate(config, self.all_keys(), what=what)
            if cfg["orientation"] is None:
                cfg["orientation"] = self.default_orientation
        if cfg["relationshipWeightProperty"] is not None and not self.weighted:
            raise ConfigError(
                f"config key 'relationshipWeightProperty' is not supported by '{self.name}'"
            )
        if (cfg["nodeQuery"] is None) != (cfg["relationshipQuery"] is None):
            raise ConfigError(
                "config keys 'nodeQuery' and 'relationshipQuery' must be given together"
            )
        if mode == "write":
            if cfg.get("writeProperty") in (None, ""):
                raise ConfigError(
                    f"config key 'writeProperty' is required for gml.{self.name}.write"
                )
            if self.result == "relationship" and not cfg.get("writeRelationshipType"):
                raise ConfigError(
                    f"config key 'writeRelationshipType' is required for gml.{self.name}.write"
                )
        return cfg

    def node_properties_needed(self, cfg: Mapping[str, Any]) -> list[str]:
        """Names of the node properties this run reads (from :attr:`property_keys`)."""
        names: list[str] = []
        for key in self.property_keys:
            value = cfg.get(key)
            if value is None:
                continue
            for name in [value] if isinstance(value, str) else list(value):
                if name not in names:
                    names.append(name)
        if isinstance(cfg, ProcedureConfig):
            names += [n for n in cfg.extra_node_properties() if n not in names]
        return names


_REGISTRY: dict[str, Procedure] = {}
_LOADED = False


def register(procedure: Procedure) -> Procedure:
    """Add ``procedure``; a second procedure of the same name is an error."""
    if procedure.name in _REGISTRY:
        raise ValueError(f"procedure '{procedure.name}' is registered twice")
    for key in procedure.keys:
        if key.default is REQUIRED and key.name in ("writeProperty",):
            raise ValueError("writeProperty is checked per mode, not REQUIRED")
    config = procedure.config
    if config is not None:
        wants: type[ProcedureConfig] = (
            RelationshipConfig
            if procedure.result == "relationship"
            else EmbeddingConfig
            if procedure.result == "node" and procedure.column_type == "floatList"
            else ProcedureConfig
        )
        names = {k.name for k in config.keys_of()}
        if not issubclass(config, wants) or "writeProperty" not in names:
            raise ValueError(
                f"procedure '{procedure.name}': its config {config.__name__} must derive from "
                f"{wants.__name__} (and have writeProperty) for a '{procedure.result}' result"
            )
    _REGISTRY[procedure.name] = procedure
    return procedure


def _load_families() -> None:
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    from neo4j_gml.procedures import families

    for info in sorted(pkgutil.iter_modules(families.__path__), key=lambda i: i.name):
        importlib.import_module(f"{families.__name__}.{info.name}")


def procedures() -> list[Procedure]:
    """Every registered procedure, sorted by name."""
    _load_families()
    return [_REGISTRY[name] for name in sorted(_REGISTRY)]


def get(name: str) -> Procedure:
    """The procedure called ``name`` (a leading ``gml.`` is allowed); else :class:`ConfigError`."""
    _load_families()
    short = name[4:] if name.startswith("gml.") else name
    try:
        return _REGISTRY[short]
    except KeyError:
        raise ConfigError(
            f"unknown procedure '{name}'; known procedures: {', '.join(sorted(_REGISTRY))}"
        ) from None
