"""Typed procedure configuration: one frozen dataclass per procedure.

A procedure's configuration is a class whose fields are its config keys: the Python name is the
attribute algorithms' callers use (``cfg.damping_factor``), :func:`option` gives the key as users
write it (GDS's camelCase ``dampingFactor``), its default, bounds, choices and one line of doc,
and the type annotation gives its kind. Everything else is derived from the class: the
:class:`~neo4j_gml.procedures.config.Key` list (validation, ``neo4j-gml list``, the pipeline JSON
Schema, the Java signatures), and the typed instance that ``compute`` receives.

The common keys come from the base classes: :class:`ProcedureConfig` (projection and run keys),
:class:`NodeConfig` (``writeProperty``), :class:`EmbeddingConfig` (``vectorIndex``) and
:class:`RelationshipConfig` (``writeRelationshipType``). A subclass may override :meth:`check`
for rules that involve several keys; they run in :meth:`ProcedureConfig.parse`, before anything
is read from Neo4j.

A config is also a read-only mapping from key to value (``cfg["dampingFactor"]``), for the
surfaces that treat configurations as JSON (pipelines, summaries).

Examples
--------
>>> from dataclasses import dataclass
>>> @dataclass(frozen=True, kw_only=True, eq=False)
... class DampedConfig(NodeConfig):
...     damping_factor: float = option("dampingFactor", 0.85, "follow probability", min=0, max=1)
>>> cfg = DampedConfig.parse({"dampingFactor": 0.5}, "stream")
>>> cfg.damping_factor, cfg["dampingFactor"], cfg.concurrency
(0.5, 0.5, 4)
>>> DampedConfig.parse({"dampingFactor": 2}, "stream")
Traceback (most recent call last):
...
neo4j_gml.core.errors.ConfigError: config key 'dampingFactor' must be in [0, 1], got 2.0
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, TypeVar

from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import ORIENTATIONS
from neo4j_gml.procedures.config import REQUIRED, Key, validate

__all__ = [
    "PROJECTION_KEY_NAMES",
    "EmbeddingConfig",
    "NodeConfig",
    "ProcedureConfig",
    "RelationshipConfig",
    "RunConfig",
    "option",
    "projection_keys",
]

C = TypeVar("C", bound="RunConfig")


def option(
    key: str,
    default: Any = REQUIRED,
    doc: str = "",
    *,
    choices: tuple[str, ...] | None = None,
    min: float | None = None,  # noqa: A002 - the bound's name in Key
    max: float | None = None,  # noqa: A002
    min_exclusive: bool = False,
    check: Callable[[Any], str | None] | None = None,
    kind: str | None = None,
) -> Any:
    """A config field: ``key`` as users write it, its default (:data:`REQUIRED` for none),
    one line of doc, and the checks of :class:`~neo4j_gml.procedures.config.Key`. ``kind``
    overrides the kind derived from the annotation (e.g. ``'any'``)."""
    meta = {
        "key": key,
        "doc": doc,
        "choices": choices,
        "min": min,
        "max": max,
        "min_exclusive": min_exclusive,
        "check": check,
        "kind": kind,
        "default": default,
    }
    if isinstance(default, list | dict):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    if default is REQUIRED:
        return field(metadata=meta)
    return field(default=default, metadata=meta)


_KINDS: dict[Any, str] = {
    int: "int",
    float: "float",
    bool: "bool",
    str: "str",
    list[str]: "str_list",
    list[int]: "int_list",
    list[float]: "float_list",
    dict[str, Any]: "map",
    Any: "any",
}


def _kind(annotation: Any) -> str:
    """The :data:`~neo4j_gml.procedures.config.KIND_NAMES` kind of a field's type."""
    optional = False
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        optional = len(members) < len(typing.get_args(annotation))
        if len(members) != 1:
            raise TypeError(f"a config field cannot be of type {annotation}")
        annotation = members[0]
    kind = _KINDS.get(annotation)
    if kind is None:
        raise TypeError(f"a config field cannot be of type {annotation}")
    if optional and kind in ("str", "int", "float", "map"):
        kind += "?"
    return kind


@dataclass(frozen=True, kw_only=True, eq=False)
class RunConfig(Mapping[str, Any]):
    """The keys every call takes (how to run it), and what every configuration class can do:
    parse, check, list its keys, be read as a mapping. The graph catalog's operations
    (``graph.project``, ``graph.drop``...) derive from it directly."""

    device: str = option(
        "device",
        "auto",
        "auto, cpu, cuda or cuda:N",
        check=lambda v: (
            None
            if v in ("auto", "cpu", "cuda") or v.startswith("cuda:")
            else "must be 'auto', 'cpu', 'cuda' or 'cuda:N'"
        ),
    )
    concurrency: int = option("concurrency", 4, "reader and writer threads", min=1, max=64)
    write_concurrency: int | None = option(
        "writeConcurrency", None, "writer threads (default: concurrency)", min=1, max=64
    )
    batch_size: int = option("batchSize", 10000, "rows per write transaction", min=1, max=1_000_000)
    log_progress: bool = option("logProgress", True, "show progress bars on a terminal")
    sudo: bool = option("sudo", False, "accepted for GDS compatibility; has no effect")
    job_id: str | None = option("jobId", None, "an id for this run, echoed back")

    #: key -> attribute name, per class (filled by :meth:`_names`)
    _NAMES: ClassVar[dict[type, dict[str, str]]] = {}

    # ------------------------------------------------------------------ derived from the class
    @classmethod
    def keys_of(cls) -> tuple[Key, ...]:
        """The :class:`Key` of every field, in declaration order (base classes first)."""
        hints = typing.get_type_hints(cls)
        out = []
        for f in fields(cls):
            meta = f.metadata
            out.append(
                Key(
                    meta["key"],
                    meta["kind"] or _kind(hints[f.name]),
                    meta["default"],
                    meta["doc"],
                    choices=meta["choices"],
                    min=meta["min"],
                    max=meta["max"],
                    min_exclusive=meta["min_exclusive"],
                    check=meta["check"],
                )
            )
        return tuple(out)

    @classmethod
    def _names(cls) -> dict[str, str]:
        names = RunConfig._NAMES.get(cls)
        if names is None:
            names = {f.metadata["key"]: f.name for f in fields(cls)}
            RunConfig._NAMES[cls] = names
        return names

    @classmethod
    def parse(cls: type[C], config: Mapping[str, Any] | None, mode: str, *, what: str = "") -> C:
        """Check ``config`` against the keys and the cross-key rules; the typed config.

        Raises :class:`ConfigError` naming the first unknown key (with the valid ones), missing
        required key, value of the wrong type or out of range, or broken cross-key rule.
        """
        values = validate(config, cls.keys_of(), what=what or cls.__name__)
        names = cls._names()
        cfg = cls(**{names[k]: v for k, v in values.items()})
        cfg.check(mode)
        return cfg

    def check(self, mode: str) -> None:
        """Rules that involve several keys; raise :class:`ConfigError`. Runs before any read."""

    def extra_node_properties(self) -> list[str]:
        """Node properties this run reads beyond those its ``property_keys`` name (e.g. the
        feature properties a stored model was trained on); none by default."""
        return []

    def optional_node_properties(self) -> list[str]:
        """Node properties this run reads that may be missing on some nodes (read as ``NaN``),
        beyond its procedure's ``optional_property_keys``; none by default."""
        return []

    def replace(self: C, **changes: Any) -> C:
        """A copy with ``changes`` (attribute names) applied; no checks run."""
        return dataclasses.replace(self, **changes)

    # ------------------------------------------------------------------ read-only mapping
    def __getitem__(self, key: str) -> Any:
        try:
            return getattr(self, self._names()[key])
        except KeyError:
            raise KeyError(key) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())


@dataclass(frozen=True, kw_only=True, eq=False)
class ProcedureConfig(RunConfig):
    """The keys every procedure that runs on a graph takes: which part of Neo4j to read (or of
    a named graph to use), and how to run."""

    node_labels: list[str] = option(
        "nodeLabels", ["*"], "node labels to project; ['*'] means every node"
    )
    relationship_types: list[str] = option(
        "relationshipTypes", ["*"], "relationship types; ['*'] means every type"
    )
    orientation: str | None = option(
        "orientation", None, "NATURAL, REVERSE or UNDIRECTED", choices=ORIENTATIONS
    )
    relationship_weight_property: str | None = option(
        "relationshipWeightProperty", None, "relationship property used as weight"
    )
    default_value: float | None = option(
        "defaultValue", None, "weight used where the weight property is missing"
    )
    aggregation: str = option(
        "aggregation",
        "NONE",
        "merge parallel relationships",
        choices=("NONE", "SINGLE", "SUM", "MIN", "MAX", "COUNT"),
    )
    node_properties: Any = option(
        "nodeProperties",
        None,
        "node properties to load: a list of names, or a map name -> {defaultValue: v}",
    )
    node_query: str | None = option(
        "nodeQuery", None, "Cypher returning `id` (and property columns)"
    )
    relationship_query: str | None = option(
        "relationshipQuery", None, "Cypher returning `source`, `target` [, `weight`]"
    )
    parameters: dict[str, Any] = option(
        "parameters", {}, "parameters of nodeQuery and relationshipQuery"
    )

    def check(self, mode: str) -> None:
        super().check(mode)
        if (self.node_query is None) != (self.relationship_query is None):
            raise ConfigError(
                "config keys 'nodeQuery' and 'relationshipQuery' must be given together"
            )


@dataclass(frozen=True, kw_only=True, eq=False)
class NodeConfig(ProcedureConfig):
    """A procedure whose result is a value per node (or plain rows)."""

    write_property: str | None = option(
        "writeProperty", None, "node property to write (required in write mode)"
    )
    mutate_property: str | None = option(
        "mutateProperty", None, "node property to add to the named graph (mutate mode)"
    )


@dataclass(frozen=True, kw_only=True, eq=False)
class EmbeddingConfig(NodeConfig):
    """A procedure whose result is a vector per node."""

    vector_index: bool = option(
        "vectorIndex",
        False,
        "write mode: also create a cosine vector index on the written property (if absent), "
        "so db.index.vector.queryNodes works at once",
    )
    vector_index_label: str | None = option(
        "vectorIndexLabel",
        None,
        "label of the vector index (default: the single label in nodeLabels)",
    )


@dataclass(frozen=True, kw_only=True, eq=False)
class RelationshipConfig(ProcedureConfig):
    """A procedure whose result is a value per node pair."""

    write_relationship_type: str | None = option(
        "writeRelationshipType", None, "relationship type to write (write mode)"
    )
    write_property: str | None = option(
        "writeProperty", None, "relationship property holding the value (write mode)"
    )
    mutate_relationship_type: str | None = option(
        "mutateRelationshipType", None, "relationship type to add to the named graph (mutate mode)"
    )
    mutate_property: str | None = option(
        "mutateProperty", None, "relationship property holding the value (mutate mode)"
    )


#: The keys that say which part of Neo4j a procedure reads (a pipeline's named projections).
PROJECTION_KEY_NAMES: tuple[str, ...] = (
    "nodeLabels",
    "relationshipTypes",
    "orientation",
    "relationshipWeightProperty",
    "defaultValue",
    "aggregation",
    "nodeProperties",
    "nodeQuery",
    "relationshipQuery",
    "parameters",
)


def projection_keys() -> tuple[Key, ...]:
    """The :class:`Key` of each of :data:`PROJECTION_KEY_NAMES`."""
    return tuple(k for k in ProcedureConfig.keys_of() if k.name in PROJECTION_KEY_NAMES)
