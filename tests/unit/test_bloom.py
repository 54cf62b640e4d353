"""The Bloom perspective's structure (that of a perspective Bloom 2.x exports) and its rules."""

from __future__ import annotations

import json

from neo4j_gml.bloom import PALETTE, GraphSchema, perspective, rules_summary, styled_properties
from neo4j_gml.pipeline import load_text

TOP_LEVEL = {
    "name", "categories", "labels", "relationshipTypes", "palette", "templates",
    "hiddenCategories", "hideUncategorisedData", "metadata",
}  # fmt: skip
CATEGORY = {"id", "name", "color", "size", "labels", "properties", "captionKeys", "styleRules"}


def schema() -> GraphSchema:
    return GraphSchema(
        labels={
            "Person": {"name": "string", "pagerank": "number", "community": "integer"},
            "Company": {"title": "string", "pagerank": "number"},
            "GmlRun": {"runId": "string", "status": "string"},
        },
        relationship_types={"KNOWS": {"weight": "number"}, "WORKS_AT": {}},
        label_counts={"Person": 30, "Company": 5, "GmlRun": 2},
        relationship_counts={"KNOWS": 60, "WORKS_AT": 30},
        segments=[("Person", "KNOWS", "Person"), ("Person", "WORKS_AT", "Company")],
        ranges={("Person", "pagerank"): (0.15, 3.5), ("Company", "pagerank"): (0.2, 1.0)},
        values={("Person", "community"): [7, 3, 11]},
    )


def test_top_level_and_category_structure() -> None:
    p = perspective(schema(), name="test")
    assert set(p) >= TOP_LEVEL
    assert p["name"] == "test" and p["hideUncategorisedData"] is False
    assert p["palette"]["colors"] == list(PALETTE)
    names = [c["name"] for c in p["categories"]]
    assert names == ["Company", "GmlRun", "Person"]
    for cat in p["categories"]:
        assert set(cat) >= CATEGORY
        assert cat["labels"] == [cat["name"]]
        assert {q["name"] for q in cat["properties"]} == set(schema().labels[cat["name"]])
        assert all(
            {"name", "dataType", "isCaption", "exclude"} <= set(q) for q in cat["properties"]
        )
    by_name = {c["name"]: c for c in p["categories"]}
    assert by_name["Person"]["captionKeys"] == ["name"]
    assert by_name["Company"]["captionKeys"] == ["title"]
    assert p["hiddenCategories"] == [by_name["GmlRun"]["id"]]  # run records hidden
    assert p["labels"]["Person"][0] == {
        "propertyKey": "community",
        "type": "Person",
        "dataType": "integer",
    }
    assert [r["name"] for r in p["relationshipTypes"]] == ["KNOWS", "WORKS_AT"]
    assert p["relationshipTypes"][0]["properties"][0]["propertyKey"] == "weight"
    meta = p["metadata"]
    assert {"source": "Person", "relationshipType": "WORKS_AT", "target": "Company"} in meta[
        "pathSegments"
    ]
    assert meta["stats"]["labels"]["Person"] == 30
    json.dumps(p)  # serialisable as it is written


def test_range_rule_sizes_and_unique_rule_colours() -> None:
    p = perspective(schema())
    person = next(c for c in p["categories"] if c["name"] == "Person")
    size, colour = person["styleRules"]
    assert size["type"] == "range" and size["basedOn"] == "pagerank"
    assert (size["minValue"], size["maxValue"]) == (0.15, 3.5)
    assert size["applySize"] and not size["applyColor"] and size["minSize"] < size["maxSize"]
    assert colour["type"] == "unique" and colour["basedOn"] == "community"
    assert colour["applyColor"] and not colour["applySize"]
    assert [v["value"] for v in colour["uniqueValues"]] == [7, 3, 11]
    assert [v["color"] for v in colour["uniqueValues"]] == list(PALETTE[:3])
    company = next(c for c in p["categories"] if c["name"] == "Company")
    assert [r["type"] for r in company["styleRules"]] == ["range"]  # no community there


def test_search_phrases_and_explicit_properties() -> None:
    p = perspective(schema())
    texts = [t["text"] for t in p["templates"]]
    assert texts == ["top 25 nodes by pagerank", "community $id", "latest pipeline run"]
    top = p["templates"][0]
    assert "ORDER BY n.`pagerank` DESC LIMIT 25" in top["cypher"]
    assert "`Person`|`Company`" in top["cypher"] or "`Company`|`Person`" in top["cypher"]
    community = p["templates"][1]
    assert community["params"][0]["name"] == "$id" and "$id" in community["cypher"]
    lines = rules_summary(p)
    assert "Person: size by pagerank (0.15 -> 1, 3.5 -> 4)" in lines
    assert "Person: colour by community (3 values)" in lines
    s = schema()
    s.ranges[("Person", "score")] = (0.0, 1.0)
    s.labels["Person"]["score"] = "number"
    p = perspective(s, size_by="score", color_by="nothing")
    person = next(c for c in p["categories"] if c["name"] == "Person")
    assert [r["basedOn"] for r in person["styleRules"]] == ["score"]
    assert [t["text"] for t in p["templates"]][0] == "top 25 nodes by score"


def test_styled_properties_come_from_a_pipeline() -> None:
    pipeline = load_text(
        "name: x\nsteps:\n"
        "  - {procedure: wcc, config: {writeProperty: comp}}\n"
        "  - {procedure: degree, mode: stats}\n"
        "  - {procedure: betweenness, config: {writeProperty: between}}\n"
        "  - {procedure: louvain, config: {writeProperty: group}}\n"
        "  - {procedure: pageRank, config: {writeProperty: rank}}\n",
        "x.yaml",
    )
    assert styled_properties(pipeline) == ("between", "comp")
    assert styled_properties(
        load_text("name: y\nsteps:\n  - {procedure: degree, mode: stats}\n")
    ) == (
        None,
        None,
    )
