"""The JSON Schema of a pipeline file, generated from the procedure registry (the specs).

Nothing reads a stored copy: the loader validates every pipeline file against
:func:`pipeline_schema` itself, so a new procedure or config key is in the schema at once. Editors
that understand JSON Schema (VS Code's YAML extension, IntelliJ) complete and check pipeline files
with a copy: ``neo4j-gml enrich --schema`` prints it, and ``make install`` writes
``neo4j_gml/pipeline/pipeline.schema.json`` (not committed), which the examples'
``# yaml-language-server: $schema=...`` lines point at.
"""

from __future__ import annotations

import json
from typing import Any

from neo4j_gml.procedures.config import Key
from neo4j_gml.procedures.registry import MODES, procedures
from neo4j_gml.procedures.spec import projection_keys

SCHEMA_ID = "https://neo4j-gml.dev/schemas/pipeline.schema.json"

_KIND_SCHEMAS: dict[str, dict[str, Any]] = {
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
    "str": {"type": "string"},
    "str?": {"type": ["string", "null"]},
    "float?": {"type": ["number", "null"]},
    "int?": {"type": ["integer", "null"]},
    "str_list": {"type": ["string", "array"], "items": {"type": "string"}},
    "int_list": {"type": ["integer", "array"], "items": {"type": "integer"}},
    "float_list": {"type": "array", "items": {"type": "number"}},
    "map": {"type": "object"},
    "map?": {"type": ["object", "null"]},
    "any": {},
}

#: The modes of a pipeline step: write, stream (to a file), stats, or mutate (keep node values
#: in the run's in-memory graph of the step's projection for later steps).
PIPELINE_MODES: tuple[str, ...] = (*MODES, "mutate")


def key_schema(key: Key) -> dict[str, Any]:
    """The JSON Schema of one config key (type, bounds, choices, description)."""
    out: dict[str, Any] = dict(_KIND_SCHEMAS[key.kind])
    if key.doc:
        out["description"] = key.doc
    if key.min is not None:
        out["exclusiveMinimum" if key.min_exclusive else "minimum"] = key.min
    if key.max is not None:
        out["maximum"] = key.max
    return out


def pipeline_schema() -> dict[str, Any]:
    """The schema of a pipeline file (draft 2020-12), procedures and keys from the registry."""
    projection_props = {k.name: key_schema(k) for k in projection_keys()}
    per_procedure = []
    for proc in procedures():
        per_procedure.append(
            {
                "if": {"properties": {"procedure": {"const": proc.name}}},
                "then": {
                    "properties": {
                        "mode": {"enum": [m for m in proc.modes if m in PIPELINE_MODES]},
                        "config": {
                            "type": "object",
                            "properties": {k.name: key_schema(k) for k in proc.all_keys()},
                            "additionalProperties": False,
                        },
                    }
                },
            }
        )
    step = {
        "type": "object",
        "description": "one procedure run; steps run in file order",
        "required": ["procedure"],
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "description": "unique step name (default: procedure)"},
            "procedure": {
                "type": "string",
                "enum": [p.name for p in procedures()],
                "description": "a procedure of `neo4j-gml list`",
            },
            "mode": {"enum": list(PIPELINE_MODES), "default": "write"},
            "projection": {"type": "string", "description": "name of a projection above"},
            "config": {"type": "object", "description": "the procedure's configuration"},
            "output": {
                "type": "string",
                "description": "stream mode: CSV file for the rows (relative to the pipeline)",
            },
            "replace": {
                "type": "boolean",
                "default": True,
                "description": "write steps of relationship procedures first delete the "
                "relationships of their writeRelationshipType, so a rerun leaves no stale ones",
            },
        },
        "allOf": per_procedure,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "neo4j-gml pipeline",
        "description": "A batch enrichment: projections read once, then ordered procedure steps.",
        "type": "object",
        "required": ["name", "steps"],
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "minLength": 1, "pattern": "^[A-Za-z0-9_.-]+$"},
            "description": {"type": "string"},
            "connection": {
                "type": "object",
                "description": "where to connect; missing values come from NEO4J_URI, "
                "NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE; ${VAR} and ${VAR:-default} "
                "are expanded from the environment",
                "additionalProperties": False,
                "properties": {
                    "uri": {"type": "string"},
                    "user": {"type": "string"},
                    "password": {"type": "string"},
                    "database": {"type": ["string", "null"]},
                },
            },
            "defaults": {
                "type": "object",
                "description": "config keys applied to every step (a step's own config wins)",
            },
            "projections": {
                "type": "object",
                "description": "named projections; steps naming the same one share one read",
                "additionalProperties": {
                    "type": "object",
                    "properties": projection_props,
                    "additionalProperties": False,
                },
            },
            "records": {
                "type": "boolean",
                "default": True,
                "description": "write (:GmlRun)-[:HAS_STEP]->(:GmlStep) records of each run",
            },
            "steps": {"type": "array", "minItems": 1, "items": step},
        },
    }


def schema_text() -> str:
    """The schema as ``neo4j-gml enrich --schema`` prints it (indented JSON)."""
    return json.dumps(pipeline_schema(), indent=2, sort_keys=False) + "\n"
