"""Reading projections from a real Neo4j: every option, and bad input."""

from __future__ import annotations

import math

import neo4j
import numpy as np
import pytest

from neo4j_gml.core.errors import ConfigError
from neo4j_gml.io.read import Projection, read_graph

pytestmark = [pytest.mark.neo4j, pytest.mark.usefixtures("io_path")]

GRAPH = """
CREATE (a:Person {name: 'a', age: 30, vec: [1.0, 2.0]}),
       (b:Person {name: 'b', age: 40, vec: [3.0, 4.0]}),
       (c:Person {name: 'c', vec: [5.0, 6.0]}),
       (d:City {name: 'd', age: 7}),
       (a)-[:KNOWS {w: 1.0}]->(b),
       (a)-[:KNOWS {w: 2.5}]->(b),
       (b)-[:KNOWS]->(c),
       (c)-[:LIKES {w: 4.0}]->(a),
       (a)-[:LIVES_IN {w: 9.0}]->(d)
"""


def _ids(db: neo4j.Driver) -> dict[str, int]:
    records, _, _ = db.execute_query("MATCH (n) RETURN n.name AS name, id(n) AS id")
    return {r["name"]: r["id"] for r in records}


def _arcs(graph, ids: dict[str, int]) -> list[tuple[str, str]]:  # noqa: ANN001
    names = {v: k for k, v in ids.items()}
    src, dst = graph.edge_index().tolist()
    node_ids = graph.node_ids.tolist()
    return sorted((names[node_ids[s]], names[node_ids[t]]) for s, t in zip(src, dst, strict=True))


@pytest.fixture
def people(db: neo4j.Driver) -> dict[str, int]:
    db.execute_query(GRAPH)
    return _ids(db)


def test_filter_projection_labels_types_and_dropped(db: neo4j.Driver, people: dict) -> None:
    g, report = read_graph(db, Projection(node_labels=("Person",), relationship_types=("KNOWS",)))
    assert g.num_nodes == 3
    assert _arcs(g, people) == [("a", "b"), ("a", "b"), ("b", "c")]
    assert report.dropped_relationships == 0
    g, report = read_graph(db, Projection(node_labels=("Person",)))
    # a -> d leaves the node set: dropped and counted
    assert report.dropped_relationships == 1
    assert _arcs(g, people) == [("a", "b"), ("a", "b"), ("b", "c"), ("c", "a")]
    g, _ = read_graph(db, Projection())
    assert g.num_nodes == 4 and g.num_arcs == 5


def test_self_loops_and_several_types(db: neo4j.Driver, people: dict) -> None:
    db.execute_query("MATCH (a {name: 'a'}) CREATE (a)-[:KNOWS {w: 3.0}]->(a)")
    proj = Projection(
        node_labels=("Person",),
        relationship_types=("KNOWS", "LIKES"),
        weight_property="w",
        default_weight=0.5,
    )
    g, _ = read_graph(db, proj)
    arcs = _arcs(g, people)
    assert arcs == [("a", "a"), ("a", "b"), ("a", "b"), ("b", "c"), ("c", "a")]
    src, dst = g.edge_index().tolist()
    names = {v: k for k, v in people.items()}
    node_ids = g.node_ids.tolist()
    weight_of = {
        (names[node_ids[s]], names[node_ids[t]], w)
        for s, t, w in zip(src, dst, g.arc_weights().tolist(), strict=True)
    }
    assert weight_of == {("a", "a", 3.0), ("a", "b", 1.0), ("a", "b", 2.5), ("b", "c", 0.5),
                         ("c", "a", 4.0)}  # fmt: skip


@pytest.mark.parametrize(
    ("orientation", "expected"),
    [
        ("NATURAL", [("a", "b"), ("b", "c")]),
        ("REVERSE", [("b", "a"), ("c", "b")]),
        ("UNDIRECTED", [("a", "b"), ("b", "a"), ("b", "c"), ("c", "b")]),
    ],
)
def test_orientation(db: neo4j.Driver, people: dict, orientation: str, expected: list) -> None:
    proj = Projection(relationship_types=("KNOWS",), orientation=orientation, aggregation="SINGLE")
    g, _ = read_graph(db, proj)
    assert _arcs(g, people) == expected


def test_weights_default_value_and_aggregation(db: neo4j.Driver, people: dict) -> None:
    proj = Projection(
        relationship_types=("KNOWS",), weight_property="w", default_weight=0.5, aggregation="SUM"
    )
    g, _ = read_graph(db, proj)
    names = {v: k for k, v in people.items()}
    got = {
        (names[g.node_ids[s].item()], names[g.node_ids[t].item()]): w
        for s, t, w in zip(*g.edge_index().tolist(), g.weights.tolist(), strict=True)
    }
    assert got == {("a", "b"): 3.5, ("b", "c"): 0.5}
    g, _ = read_graph(db, Projection(relationship_types=("KNOWS",), aggregation="COUNT"))
    assert sorted(g.weights.tolist()) == [1.0, 2.0]


def test_missing_weight_without_default_is_an_error(db: neo4j.Driver, people: dict) -> None:
    with pytest.raises(ConfigError, match=r"relationshipWeightProperty.*1 relationships.*'w'"):
        read_graph(db, Projection(relationship_types=("KNOWS",), weight_property="w"))


def test_node_properties_scalars_lists_and_defaults(db: neo4j.Driver, people: dict) -> None:
    g, _ = read_graph(
        db,
        Projection(node_labels=("Person",), node_properties={"vec": object(), "age": 0.0})
        if False
        else Projection.from_config(
            {"nodeLabels": ["Person"], "nodeProperties": {"vec": {}, "age": {"defaultValue": -1}}}
        ),
    )
    names = {v: k for k, v in people.items()}
    order = [names[i] for i in g.node_ids.tolist()]
    ages = dict(zip(order, g.node_properties["age"].tolist(), strict=True))
    assert ages == {"a": 30.0, "b": 40.0, "c": -1.0}
    vecs = dict(zip(order, g.node_properties["vec"].tolist(), strict=True))
    assert vecs["c"] == [5.0, 6.0] and g.node_properties["vec"].shape == (3, 2)
    with pytest.raises(ConfigError, match=r"1 of 3 nodes lack property 'age'"):
        read_graph(
            db, Projection.from_config({"nodeLabels": ["Person"], "nodeProperties": ["age"]})
        )


def test_cypher_projection_with_parameters(db: neo4j.Driver, people: dict) -> None:
    proj = Projection.from_config(
        {
            "nodeQuery": "MATCH (n:Person) WHERE n.name IN $names RETURN id(n) AS id, n.age AS age",
            "relationshipQuery": "MATCH (a)-[r:KNOWS]->(b) RETURN id(a) AS source, id(b) AS target,"
            " coalesce(r.w, 1.0) AS weight",
            "parameters": {"names": ["a", "b"]},
            "nodeProperties": {"age": {"defaultValue": 0}},
        }
    )
    g, report = read_graph(db, proj)
    assert g.num_nodes == 2
    assert _arcs(g, people) == [("a", "b"), ("a", "b")]
    assert sorted(g.weights.tolist()) == [1.0, 2.5]
    assert report.dropped_relationships == 1  # b -> c: c is not in the node set
    assert sorted(g.node_properties["age"].tolist()) == [30.0, 40.0]


def test_unknown_names_and_wrong_types(db: neo4j.Driver, people: dict) -> None:
    with pytest.raises(ConfigError, match=r"nodeLabels.*'Persn' does not exist"):
        read_graph(db, Projection(node_labels=("Persn",)))
    with pytest.raises(ConfigError, match=r"relationshipTypes.*'KNOW' does not exist"):
        read_graph(db, Projection(relationship_types=("KNOW",)))
    with pytest.raises(ConfigError, match=r"relationshipWeightProperty.*'nope' does not exist"):
        read_graph(db, Projection(weight_property="nope"))
    db.execute_query("MATCH (a {name: 'a'}) CREATE (a)-[:RATED {w: 'high'}]->(a)")
    with pytest.raises(ConfigError, match=r"relationshipWeightProperty.*must hold numbers.*'high'"):
        read_graph(db, Projection(relationship_types=("RATED",), weight_property="w"))
    with pytest.raises(ConfigError, match=r"nodeProperties.*'name' must hold numbers"):
        read_graph(
            db, Projection.from_config({"nodeLabels": ["Person"], "nodeProperties": ["name"]})
        )


def test_nan_weights_are_refused(db: neo4j.Driver) -> None:
    db.execute_query("CREATE (:N)-[:R {w: $nan}]->(:N)", nan=math.nan)
    # missing weights get the default, so the NaN is a stored one: no hint to give a default
    with pytest.raises(
        ConfigError, match=r"relationshipWeightProperty.*1 relationships have a non-finite weight"
    ) as caught:
        read_graph(db, Projection(weight_property="w", default_weight=1.0))
    assert "defaultValue" not in str(caught.value)
    with pytest.raises(
        ConfigError, match=r"1 relationships have no number in 'w' \(missing or NaN\)"
    ):
        read_graph(db, Projection(weight_property="w"))


def test_backtick_in_a_label_cannot_inject(db: neo4j.Driver, people: dict) -> None:
    hostile = "Person`) DETACH DELETE n //"
    db.execute_query(f"CREATE (:`{hostile.replace('`', '``')}` {{name: 'x'}})")
    g, _ = read_graph(db, Projection(node_labels=(hostile,)))
    assert g.num_nodes == 1
    count, _, _ = db.execute_query("MATCH (n) RETURN count(n) AS c")
    assert count[0]["c"] == 5  # nothing was deleted


def test_empty_graph(db: neo4j.Driver) -> None:
    g, report = read_graph(db, Projection())
    assert g.num_nodes == 0 and report.relationship_count == 0
    assert np.asarray(g.node_ids).size == 0
