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
from dataclasses import dataclass, field, replace
from typing import Any

import torch

from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures.config import Key
from neo4j_gml.procedures.spec import (
    EmbeddingConfig,
    ProcedureConfig,
    RelationshipConfig,
    RunConfig,
)

MODES = ("stream", "stats", "write")
#: Modes every procedure that reads a graph gains at registration: ``estimate`` (all of them)
#: and ``mutate`` (those whose result is a node or relationship value), as in GDS.
DERIVED_MODES = ("mutate", "estimate")


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
    """Plain result rows (columns of equal length), for procedures that yield neither.

    ``relationships`` (positions and a value each) is what write and mutate modes add to
    Neo4j or the named graph for a procedure with a :attr:`Procedure.relationship_property`
    (a path from its source to its target, a tree's edges); ``write_lists`` holds list
    properties write mode also sets on them (GDS's ``writeNodeIds`` and ``writeCosts``);
    ``merge_key``, one of those, tells several relationships of one node pair apart (see
    :func:`neo4j_gml.io.write.write_relationships`). ``node_lists`` (``int64[n, L]`` in graph
    position order, rows padded with :data:`~neo4j_gml.core.graph_store.PAD`) is a list of a
    different length per node that write and mutate modes store as node property
    ``writeProperty``/``mutateProperty`` (SLLPA's community ids).
    """

    columns: dict[str, list[Any]]
    stats: dict[str, Any] = field(default_factory=dict)
    relationships: RelationshipValues | None = None
    write_lists: dict[str, list[Any]] = field(default_factory=dict)
    merge_key: str | None = None
    node_lists: torch.Tensor | None = None


Result = NodeValues | RelationshipValues | Rows

#: Row column types the Neo4j plugin builds from the rest of the row (see
#: :data:`neo4j_gml.plugin_codegen.PLUGIN_BUILT`): ``path``, a Cypher ``Path`` of ``PATH_<index>``
#: relationships with a ``cost`` each, and ``walkPath``, one of ``NEXT`` relationships.
PLUGIN_BUILT = ("path", "walkPath")

#: :attr:`Procedure.relationship_property` naming the config's ``writeProperty`` (write) or
#: ``mutateProperty`` (mutate) as the property of the added relationships.
FROM_CONFIG = "<config>"


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
        compute: ``(graph, config) -> Result``.
        result: ``'node'``, ``'relationship'`` or ``'rows'``.
        column: the stream column of a node or relationship value (``score``, ``componentId``,
            ``embedding``, ``similarity``...).
        column_type: ``'float'``, ``'int'``, ``'floatList'`` (for the generated Java signatures).
        stats_columns: extra stats/write columns and their types, e.g. ``{'ranIterations': 'int'}``.
        property_keys: config keys whose value names node properties to load (one or a list).
        optional_property_keys: those of ``property_keys`` whose property may be missing on some
            nodes (GDS's ``seedProperty``): the projection reads a missing value as ``NaN``
            instead of refusing it (a stored NaN or Infinity is still refused).
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
        arguments: config keys a Cypher call passes as leading positional arguments before the
            configuration map, in order (``gml.graph.project(graphName, nodeProjection,
            relationshipProjection, configuration)``). A procedure that reads a graph and has
            none takes GDS's ``(graphName, configuration)``: a graph name from the catalog, or a
            configuration map that projects its own graph.
        bare_mode: the mode callable as plain ``gml.<name>`` (and then only so); by default
            the only mode of a single-mode procedure is callable both ways.
        mode_columns: the row columns of a ``'rows'`` result per mode, where a mode's rows
            differ from :attr:`rows_columns` (``graph.nodeProperties.write`` vs ``.stream``).
        working_memory: ``(config, nodes, arcs) -> bytes`` the algorithm holds besides the
            graph and its result, where the family's default model
            (:func:`~neo4j_gml.procedures.estimate.estimate_memory`) is far off.
        relationship_property: for a ``'rows'`` result that carries
            :attr:`Rows.relationships` (paths, trees): the property their values get in write
            and mutate modes (GDS's ``totalCost``), or :data:`FROM_CONFIG` for the config's
            ``writeProperty``/``mutateProperty``. Such a procedure gains mutate mode, and
            its write and mutate modes need ``writeRelationshipType``/``mutateRelationshipType``.
    """

    name: str
    description: str
    category: str
    compute: Callable[[Graph, Any], Result]
    config: type[RunConfig] = ProcedureConfig
    result: str = "node"
    column: str = "score"
    column_type: str = "float"
    stats_columns: Mapping[str, str] = field(default_factory=dict)
    property_keys: tuple[str, ...] = ()
    optional_property_keys: tuple[str, ...] = ()
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
    arguments: tuple[str, ...] = ()
    bare_mode: str | None = None
    mode_columns: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    working_memory: Callable[[Any, int, int], int] | None = None
    relationship_property: str | None = None

    @property
    def adds_relationships(self) -> bool:
        """Whether write and mutate modes add relationships (a relationship result, or rows
        that carry them)."""
        return self.result == "relationship" or self.relationship_property is not None

    def relationship_property_for(self, cfg: Mapping[str, Any], mode: str) -> str:
        """The property name the added relationships' values get in ``mode``."""
        if self.result == "relationship" or self.relationship_property == FROM_CONFIG:
            return str(cfg[f"{mode}Property"])
        assert self.relationship_property is not None
        return self.relationship_property

    @property
    def runs_on_graphs(self) -> bool:
        """Whether the procedure runs on a graph: a named catalog graph or its own projection."""
        return self.reads_graph and not self.arguments

    def stream_columns(self, mode: str = "stream") -> dict[str, str]:
        """Column name -> type of a stream row (types: int, float, floatList, intList, ...);
        for a ``'rows'`` result, of ``mode``'s rows."""
        if self.result == "rows":
            return dict(self.mode_columns.get(mode, self.rows_columns))
        if self.result == "relationship":
            a, b = self.relationship_columns
            return {a: "int", b: "int", self.column: self.column_type}
        return {"nodeId": "int", self.column: self.column_type, **self.extra_columns}

    def all_keys(self) -> tuple[Key, ...]:
        """Every config key the procedure takes, derived from its config class."""
        return self.config.keys_of()

    def validate(self, config: Mapping[str, Any] | None, mode: str) -> Any:
        """The typed configuration for ``mode`` (keys, kinds, bounds and the config's cross-key
        :meth:`~ProcedureConfig.check`, all before any read); raises :class:`ConfigError`."""
        if mode not in self.modes:
            raise ConfigError(
                f"procedure '{self.name}' has no mode '{mode}'; its modes are {list(self.modes)}"
            )
        cfg = self.config.parse(config, mode, what=f"gml.{self.name}.{mode}")
        if not isinstance(cfg, ProcedureConfig):  # a catalog operation: nothing to project
            return cfg
        if cfg.orientation is None:
            cfg = cfg.replace(orientation=self.default_orientation)
        if cfg.relationship_weight_property is not None and not self.weighted:
            raise ConfigError(
                f"config key 'relationshipWeightProperty' is not supported by '{self.name}'"
            )
        if mode in ("write", "mutate"):
            keys = [f"{mode}Property"]
            if self.adds_relationships:
                keys = [f"{mode}RelationshipType"]
                if self.relationship_property in (None, FROM_CONFIG):
                    keys.append(f"{mode}Property")
            for key in keys:
                if not cfg.get(key):
                    raise ConfigError(f"config key '{key}' is required for gml.{self.name}.{mode}")
        return cfg

    def node_properties_needed(self, cfg: Mapping[str, Any]) -> list[str]:
        """Names of the node properties this run reads: those its :attr:`property_keys` name,
        and the config's ``extra_node_properties()``."""
        names: list[str] = []
        for key in self.property_keys:
            names += _property_names(cfg.get(key))
        if isinstance(cfg, ProcedureConfig):
            names += cfg.extra_node_properties()
        return list(dict.fromkeys(names))

    def missing_allowed(self, cfg: Mapping[str, Any]) -> list[str]:
        """Names of the node properties this run reads that may be missing on some nodes (read
        as ``NaN``): those named by :attr:`optional_property_keys` or the config's
        ``optional_node_properties()``, unless another key names them too (then strict)."""
        optional: list[str] = []
        strict: set[str] = set()
        for key in self.property_keys:
            names = _property_names(cfg.get(key))
            if key in self.optional_property_keys:
                optional += names
            else:
                strict.update(names)
        if isinstance(cfg, ProcedureConfig):
            maybe_missing = cfg.optional_node_properties()
            optional += maybe_missing
            strict.update(n for n in cfg.extra_node_properties() if n not in maybe_missing)
        return [n for n in dict.fromkeys(optional) if n not in strict]


def _property_names(value: Any) -> list[str]:
    """The property names a config value gives: none, one, or a list."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


_REGISTRY: dict[str, Procedure] = {}
_LOADED = False


def register(procedure: Procedure) -> Procedure:
    """Add ``procedure``; a second procedure of the same name is an error."""
    if procedure.name in _REGISTRY:
        raise ValueError(f"procedure '{procedure.name}' is registered twice")
    config = procedure.config
    if procedure.arguments:  # a catalog operation
        if not issubclass(config, RunConfig):
            raise ValueError(f"procedure '{procedure.name}': its config must derive from RunConfig")
        _REGISTRY[procedure.name] = procedure
        return procedure
    wants: type[ProcedureConfig] = (
        RelationshipConfig
        if procedure.adds_relationships
        else EmbeddingConfig
        if procedure.result == "node" and procedure.column_type == "floatList"
        else ProcedureConfig
    )
    if not issubclass(config, wants) or "writeProperty" not in {k.name for k in config.keys_of()}:
        raise ValueError(
            f"procedure '{procedure.name}': its config {config.__name__} must derive from "
            f"{wants.__name__} (and have writeProperty) for a '{procedure.result}' result"
        )
    if procedure.runs_on_graphs:
        derived = (
            ("estimate",)
            if procedure.result == "rows" and procedure.relationship_property is None
            else DERIVED_MODES
        )
        extra = tuple(m for m in derived if m not in procedure.modes)
        procedure = replace(procedure, modes=procedure.modes + extra)
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
