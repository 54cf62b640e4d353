"""A Neo4j Bloom 2.x perspective that shows what the procedures wrote.

:func:`read_schema` reads the labels, relationship types, their properties, counts and the
value ranges of the styled properties from Neo4j (through :mod:`neo4j_gml.io.schema`);
:func:`perspective` turns that into the JSON that Bloom imports (Perspectives -> Import), with
the structure of an exported perspective: top-level ``name``, ``categories``, ``labels``,
``relationshipTypes``, ``palette``, ``templates``, ``hiddenCategories``,
``hideUncategorisedData``, ``metadata``; one category per label with ``labels``,
``properties``, ``captionKeys`` and ``styleRules``.

The rules: a **range** rule sizes nodes by a centrality property (smallest value -> size 1,
largest -> size 4) and a **unique-values** rule colours them by a community property (one
palette colour per community id). The search phrases: ``top 25 nodes by <size-by>``,
``community $id`` and ``latest pipeline run``.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from neo4j_gml.io import schema as db_schema
from neo4j_gml.io.driver import Driver
from neo4j_gml.io.names import quote
from neo4j_gml.pipeline.loader import Pipeline
from neo4j_gml.pipeline.records import RECORD_LABELS, RUN_LABEL, STEP_LABEL
from neo4j_gml.procedures import registry

PALETTE = (
    "#FFE081", "#C990C0", "#F79767", "#57C7E3", "#F16667", "#D9C8AE", "#8DCC93",
    "#ECB5C9", "#4C8EDA", "#FFC454", "#DA7194", "#569480", "#848484", "#D9D9D9",
)  # fmt: skip
CAPTION_CANDIDATES = ("name", "title", "caption", "label", "id", "runId", "procedure")
SIZE_CANDIDATES = ("pagerank", "pageRank", "articleRank", "eigenvector", "betweenness", "degree")
COLOR_CANDIDATES = ("community", "louvain", "leiden", "component", "communityId", "wcc")
MAX_UNIQUE_VALUES = 50

_TYPES = {
    "String": "string",
    "Double": "number",
    "Float": "number",
    "Long": "integer",
    "Integer": "integer",
    "Boolean": "boolean",
    "Date": "date",
    "DateTime": "datetime",
    "LocalDateTime": "localdatetime",
    "Point": "point",
}


@dataclass
class GraphSchema:
    """What a perspective is made from; :func:`read_schema` fills it from Neo4j."""

    labels: dict[str, dict[str, str]]  # label -> property -> Bloom data type
    relationship_types: dict[str, dict[str, str]] = field(default_factory=dict)
    label_counts: dict[str, int] = field(default_factory=dict)
    relationship_counts: dict[str, int] = field(default_factory=dict)
    segments: list[tuple[str, str, str]] = field(default_factory=list)  # (source, type, target)
    ranges: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)
    values: dict[tuple[str, str], list[Any]] = field(default_factory=dict)


def _data_type(types: list[str] | None) -> str:
    if not types:
        return "string"
    first = types[0]
    if first.endswith("Array"):
        return "array"
    return _TYPES.get(first, "string")


def read_schema(
    driver: Driver,
    database: str | None = None,
    size_by: str | None = None,
    color_by: str | None = None,
) -> GraphSchema:
    """Labels, types, properties, counts, path segments and the styled properties' values."""
    labels: dict[str, dict[str, str]] = {}
    for label in db_schema.labels(driver, database):
        labels[label] = {}
    for node_labels, prop, prop_types in db_schema.node_type_properties(driver, database):
        for label in node_labels:
            if prop:
                labels.setdefault(label, {})[prop] = _data_type(prop_types)
    types: dict[str, dict[str, str]] = {
        t: {} for t in db_schema.relationship_types(driver, database)
    }
    for name, prop, prop_types in db_schema.relationship_type_properties(driver, database):
        if prop:
            types.setdefault(name, {})[prop] = _data_type(prop_types)
    schema = GraphSchema(labels, types)
    for label in labels:
        schema.label_counts[label] = db_schema.count_nodes(driver, database, label, key="label")
    for rtype in types:
        schema.relationship_counts[rtype] = db_schema.count_relationships(
            driver, database, rtype, key="type"
        )
    schema.segments = db_schema.path_segments(driver, database)
    for label, props in labels.items():
        size = pick(props, size_by, SIZE_CANDIDATES)
        if size and props.get(size) in ("number", "integer"):
            lo, hi = db_schema.property_range(driver, database, label, size)
            schema.ranges[(label, size)] = (float(lo), float(hi))
        color = pick(props, color_by, COLOR_CANDIDATES)
        if color and color in props:
            schema.values[(label, color)] = db_schema.frequent_values(
                driver, database, label, color, MAX_UNIQUE_VALUES
            )
    return schema


def pick(props: dict[str, str], given: str | None, candidates: tuple[str, ...]) -> str | None:
    """``given`` if set, else the first candidate property present."""
    if given:
        return given
    return next((c for c in candidates if c in props), None)


def styled_properties(pipeline: Pipeline) -> tuple[str | None, str | None]:
    """(size-by, colour-by) from a pipeline: its first centrality and community writes."""
    size_by = color_by = None
    for step in pipeline.steps:
        proc = registry.get(step.procedure)
        if step.mode != "write" or proc.result != "node":
            continue
        prop = step.validated["writeProperty"]
        if size_by is None and proc.category == "centrality" and proc.column_type == "float":
            size_by = prop
        if color_by is None and proc.category == "community" and proc.column_type == "int":
            color_by = prop
    return size_by, color_by


def _now_ms() -> int:
    return int(time.time() * 1000)


def _id(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "neo4j-gml/bloom/" + "/".join(parts)))


def range_rule(prop: str, lo: float, hi: float, data_type: str = "number") -> dict[str, Any]:
    """Size nodes by ``prop``: ``lo`` -> size 1, ``hi`` -> size 4."""
    return {
        "id": _id("range", prop),
        "type": "range",
        "basedOn": prop,
        "dataType": data_type,
        "condition": None,
        "minValue": lo,
        "maxValue": hi,
        "minSize": 1,
        "maxSize": 4,
        "applySize": True,
        "applyColor": False,
        "applyCaption": False,
        "disabled": False,
    }


def unique_values_rule(prop: str, values: list[Any], data_type: str = "integer") -> dict:
    """Colour nodes by ``prop``: one palette colour per value (cycling after 14)."""
    return {
        "id": _id("unique", prop),
        "type": "unique",
        "basedOn": prop,
        "dataType": data_type,
        "condition": None,
        "applySize": False,
        "applyColor": True,
        "applyCaption": False,
        "disabled": False,
        "uniqueValues": [
            {"value": v, "color": PALETTE[i % len(PALETTE)]} for i, v in enumerate(values)
        ],
    }


def _category(
    cid: int, label: str, props: dict[str, str], schema: GraphSchema, size_by, color_by, now
) -> dict[str, Any]:  # noqa: ANN001
    caption = pick(props, None, CAPTION_CANDIDATES) or next(
        (p for p, t in props.items() if t == "string"), None
    )
    rules = []
    size = pick(props, size_by, SIZE_CANDIDATES)
    if size and (label, size) in schema.ranges:
        lo, hi = schema.ranges[(label, size)]
        rules.append(range_rule(size, lo, hi, props.get(size, "number")))
    color = pick(props, color_by, COLOR_CANDIDATES)
    if color and (label, color) in schema.values:
        rules.append(unique_values_rule(color, schema.values[(label, color)], props[color]))
    return {
        "id": cid,
        "name": label,
        "color": PALETTE[(cid - 1) % len(PALETTE)],
        "size": 1,
        "icon": "no-icon",
        "labels": [label],
        "properties": [
            {"name": p, "exclude": False, "isCaption": p == caption, "dataType": t}
            for p, t in sorted(props.items())
        ],
        "hiddenLabels": [],
        "caption": [""],
        "captionKeys": [caption] if caption else [],
        "textSize": 1,
        "textAlign": "top",
        "styleRules": rules,
        "createdAt": now,
        "lastEditedAt": now,
    }


def _templates(schema: GraphSchema, size_by: str | None, color_by: str | None, now: int) -> list:
    data_labels = [x for x in schema.labels if x not in RECORD_LABELS]
    out = []
    size_labels = [x for x in data_labels if (x, size_by) in schema.ranges]
    if size_by and size_labels:
        match = "|".join(quote(x, key="label") for x in size_labels)
        out.append(
            {
                "id": _id("template", "top", size_by),
                "name": f"top 25 nodes by {size_by}",
                "text": f"top 25 nodes by {size_by}",
                "cypher": f"MATCH (n:{match}) WHERE n.{quote(size_by, key='property')} IS NOT NULL "
                f"RETURN n ORDER BY n.{quote(size_by, key='property')} DESC LIMIT 25",
                "params": [],
                "hasCypherErrors": False,
                "createdAt": now,
            }
        )
    color_labels = [x for x in data_labels if (x, color_by) in schema.values]
    if color_by and color_labels:
        match = "|".join(quote(x, key="label") for x in color_labels)
        prop = quote(color_by, key="property")
        out.append(
            {
                "id": _id("template", "community", color_by),
                "name": "community $id",
                "text": "community $id",
                "cypher": f"MATCH (n:{match}) WHERE n.{prop} = $id "
                f"OPTIONAL MATCH (n)-[r]-(m:{match}) WHERE m.{prop} = $id RETURN n, r, m",
                "params": [
                    {
                        "name": "$id",
                        "dataType": "Integer",
                        "collapsed": False,
                        "suggestionLabel": None,
                        "suggestionProp": None,
                        "suggestionBoolean": False,
                        "cypher": f"MATCH (n:{match}) WHERE n.{prop} IS NOT NULL "
                        f"RETURN DISTINCT n.{prop} AS id ORDER BY id LIMIT 100",
                    }
                ],
                "hasCypherErrors": False,
                "createdAt": now,
            }
        )
    out.append(
        {
            "id": _id("template", "latest-run"),
            "name": "latest pipeline run",
            "text": "latest pipeline run",
            "cypher": f"MATCH (r:{RUN_LABEL}) WITH r ORDER BY r.started DESC LIMIT 1 "
            f"MATCH (r)-[h:HAS_STEP]->(s:{STEP_LABEL}) RETURN r, h, s",
            "params": [],
            "hasCypherErrors": False,
            "createdAt": now,
        }
    )
    return out


def perspective(
    schema: GraphSchema,
    *,
    name: str = "neo4j-gml results",
    size_by: str | None = None,
    color_by: str | None = None,
) -> dict[str, Any]:
    """The perspective JSON (a dict); ``size_by`` / ``color_by`` default to common names."""
    now = _now_ms()
    all_props = {p for props in schema.labels.values() for p in props}
    size_by = pick(dict.fromkeys(all_props, ""), size_by, SIZE_CANDIDATES)
    color_by = pick(dict.fromkeys(all_props, ""), color_by, COLOR_CANDIDATES)
    categories = []
    for cid, (label, props) in enumerate(sorted(schema.labels.items()), start=1):
        categories.append(_category(cid, label, props, schema, size_by, color_by, now))
    hidden = [c["id"] for c in categories if c["name"] in RECORD_LABELS]
    return {
        "id": _id("perspective", name),
        "name": name,
        "version": "2.15.0",
        "type": "STANDARD_PERSPECTIVE",
        "createdAt": now,
        "lastEditedAt": now,
        "categories": categories,
        "categoryIndex": len(categories),
        "labels": {
            label: [
                {"propertyKey": p, "type": label, "dataType": t} for p, t in sorted(props.items())
            ]
            for label, props in sorted(schema.labels.items())
        },
        "relationshipTypes": [
            {
                "id": rtype,
                "name": rtype,
                "color": "#A5ABB6",
                "size": 1,
                "properties": [
                    {"propertyKey": p, "type": rtype, "dataType": t}
                    for p, t in sorted(props.items())
                ],
            }
            for rtype, props in sorted(schema.relationship_types.items())
        ],
        "palette": {"colors": list(PALETTE), "currentIndex": len(categories) % len(PALETTE)},
        "templates": _templates(schema, size_by, color_by, now),
        "sceneActions": [],
        "hiddenRelationshipTypes": [],
        "hiddenCategories": hidden,
        "hideUncategorisedData": False,
        "parentPerspectiveId": None,
        "metadata": {
            "pathSegments": [
                {"source": s, "relationshipType": r, "target": t} for s, r, t in schema.segments
            ],
            "indexes": [],
            "stats": {
                "labels": dict(schema.label_counts),
                "relationshipTypes": dict(schema.relationship_counts),
            },
        },
    }


def rules_summary(persp: dict[str, Any]) -> list[str]:
    """One line per style rule and search phrase, for the CLI and notes."""
    lines = []
    for cat in persp["categories"]:
        for rule in cat["styleRules"]:
            if rule["type"] == "range":
                lines.append(
                    f"{cat['name']}: size by {rule['basedOn']} "
                    f"({rule['minValue']:g} -> {rule['minSize']}, "
                    f"{rule['maxValue']:g} -> {rule['maxSize']})"
                )
            else:
                lines.append(
                    f"{cat['name']}: colour by {rule['basedOn']} "
                    f"({len(rule['uniqueValues'])} values)"
                )
    lines += [f"search phrase: {t['text']}" for t in persp["templates"]]
    return lines
