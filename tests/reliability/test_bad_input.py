"""Bad input fails at the read, with an error that names the config key and what was expected
(DESIGN.md, "The database contract"): non-finite weights and node property values, and Cypher
projection ids that are not integers. Nothing is written when the input is refused."""

from __future__ import annotations

import math
import re

import neo4j
import pytest

from neo4j_gml.core.errors import ConfigError
from neo4j_gml.io.read import Projection, read_graph
from neo4j_gml.procedures.runner import run

pytestmark = pytest.mark.neo4j

INF = math.inf

# a -> b (w 1.0), b -> c (Infinity), c -> a (-Infinity), a -> c (Infinity), c -> b (no w)
WEIGHTED = """
CREATE (a:N {name: 'a'}), (b:N {name: 'b'}), (c:N {name: 'c'}),
       (a)-[:R {w: 1.0}]->(b), (b)-[:R {w: $inf}]->(c), (c)-[:R {w: -$inf}]->(a),
       (a)-[:R {w: $inf}]->(c), (c)-[:R]->(b)
"""


def _written(db: neo4j.Driver, prop: str) -> int:
    records, _, _ = db.execute_query(
        "MATCH (n) WHERE n[$p] IS NOT NULL RETURN count(n) AS c", p=prop
    )
    return records[0]["c"]


# ---------------------------------------------------------------------------- weights
@pytest.mark.usefixtures("io_path")
def test_infinite_weights_are_refused_and_counted(db: neo4j.Driver) -> None:
    db.execute_query(WEIGHTED, inf=INF)
    with pytest.raises(ConfigError) as caught:
        read_graph(db, Projection(weight_property="w", default_weight=1.0))
    assert str(caught.value).startswith(
        "config key 'relationshipWeightProperty': 3 relationships have a non-finite weight in "
        "'w' (Infinity, -Infinity or NaN); weights must be finite numbers"
    )
    assert "defaultValue" not in str(caught.value)


@pytest.mark.usefixtures("io_path")
def test_infinite_and_missing_weights_without_default_are_both_counted(db: neo4j.Driver) -> None:
    db.execute_query(WEIGHTED, inf=INF)
    with pytest.raises(ConfigError) as caught:
        read_graph(db, Projection(weight_property="w"))
    assert str(caught.value) == (
        "config key 'relationshipWeightProperty': 3 relationships have a non-finite weight in "
        "'w' (Infinity or -Infinity) and 1 relationships have no number in 'w' (missing or NaN); "
        "weights must be finite numbers; give a defaultValue for missing ones"
    )


@pytest.mark.usefixtures("io_path")
def test_page_rank_refuses_infinite_weights_and_writes_nothing(db: neo4j.Driver) -> None:
    """Before the check, pageRank read the Infinity weights and wrote NaN scores."""
    db.execute_query(WEIGHTED, inf=INF)
    config = {"relationshipWeightProperty": "w", "defaultValue": 1.0, "writeProperty": "pr"}
    with pytest.raises(ConfigError, match=r"3 relationships have a non-finite weight in 'w'"):
        run("pageRank", "write", config, driver=db)
    assert _written(db, "pr") == 0
    with pytest.raises(ConfigError, match=r"'relationshipWeightProperty'.*non-finite weight"):
        run(
            "pageRank",
            "stream",
            {"relationshipWeightProperty": "w", "defaultValue": 1.0},
            driver=db,
        )


@pytest.mark.usefixtures("io_path")
def test_stored_nan_weight_without_default(db: neo4j.Driver) -> None:
    db.execute_query(
        "CREATE (a:N)-[:R {w: $nan}]->(b:N), (b)-[:R {w: 2.0}]->(a), (a)-[:R]->(a)", nan=math.nan
    )
    with pytest.raises(ConfigError) as caught:
        read_graph(db, Projection(weight_property="w"))
    # a stored NaN and a missing weight look alike here: the message is true for both
    assert str(caught.value) == (
        "config key 'relationshipWeightProperty': 2 relationships have no number in 'w' "
        "(missing or NaN); give a defaultValue for missing ones"
    )


@pytest.mark.usefixtures("io_path")
def test_stored_nan_weight_with_default_does_not_ask_for_a_default(db: neo4j.Driver) -> None:
    db.execute_query(
        "CREATE (a:N)-[:R {w: $nan}]->(b:N), (b)-[:R {w: 2.0}]->(a), (a)-[:R]->(a)", nan=math.nan
    )
    with pytest.raises(ConfigError) as caught:
        read_graph(db, Projection(weight_property="w", default_weight=0.5))
    message = str(caught.value)
    assert message.startswith(
        "config key 'relationshipWeightProperty': 1 relationships have a non-finite weight in 'w' "
        "(Infinity, -Infinity or NaN)"
    )
    assert "defaultValue" not in message and "missing" not in message
    with pytest.raises(ConfigError) as caught:
        run(
            "pageRank",
            "stream",
            {"relationshipWeightProperty": "w", "defaultValue": 0.5},
            driver=db,
        )
    assert "defaultValue" not in str(caught.value)


@pytest.mark.usefixtures("io_path")
def test_missing_weights_keep_their_own_message_and_a_default_fills_them(
    db: neo4j.Driver,
) -> None:
    db.execute_query("CREATE (a:N)-[:R {w: 2.0}]->(b:N), (b)-[:R]->(a)")
    with pytest.raises(ConfigError, match=r"1 relationships have no number in 'w'.*defaultValue"):
        read_graph(db, Projection(weight_property="w"))
    graph, _ = read_graph(db, Projection(weight_property="w", default_weight=0.5))
    assert sorted(graph.weights.tolist()) == [0.5, 2.0]


def test_infinite_default_value_is_refused(db: neo4j.Driver) -> None:
    db.execute_query("CREATE (a:N)-[:R]->(b:N)")
    with pytest.raises(ConfigError, match=r"^config key 'defaultValue' must be a finite number"):
        read_graph(db, Projection(weight_property="w", default_weight=INF))
    with pytest.raises(ConfigError, match=r"^config key 'defaultValue' must be a finite number"):
        run(
            "pageRank",
            "stream",
            {"relationshipWeightProperty": "w", "defaultValue": INF},
            driver=db,
        )


def test_cypher_projection_weights_are_checked_too(db: neo4j.Driver) -> None:
    db.execute_query(WEIGHTED, inf=INF)
    proj = Projection.from_config(
        {
            "nodeQuery": "MATCH (n:N) RETURN id(n) AS id",
            "relationshipQuery": "MATCH (a)-[r:R]->(b) RETURN id(a) AS source, id(b) AS target, "
            "r.w AS weight",
            "defaultValue": 1.0,
        }
    )
    with pytest.raises(ConfigError) as caught:
        read_graph(db, proj)
    assert str(caught.value).startswith(
        "config key 'relationshipQuery': 3 relationships have a non-finite weight in 'weight' "
        "(Infinity, -Infinity or NaN)"
    )


# ---------------------------------------------------------------------------- Cypher ids
CHAIN = "UNWIND range(0, 3) AS i CREATE (:N {i: i})"
LINKS = "MATCH (a:N), (b:N) WHERE b.i = a.i + 1 CREATE (a)-[:R]->(b)"
BAD_VALUES = [
    ("id(a) + 0.5", r"float \d+\.5"),
    ("true", "boolean true"),
    ("false", "boolean false"),
    ("'x'", "string 'x'"),
    ("null", "null"),
    ("[id(a)]", r"list \[\d+\]"),
]


@pytest.fixture
def chain(db: neo4j.Driver) -> neo4j.Driver:
    db.execute_query(CHAIN)
    db.execute_query(LINKS)
    return db


@pytest.mark.parametrize("column", ["source", "target"])
@pytest.mark.parametrize(("expression", "shown"), BAD_VALUES)
def test_relationship_query_ids_must_be_integers(
    chain: neo4j.Driver, column: str, expression: str, shown: str
) -> None:
    # rows are ordered by a.i: the third row (a.i = 2) has the bad value, the others are ids
    ends = {"source": "id(a)", "target": "id(b)"}
    ends[column] = f"CASE WHEN a.i = 2 THEN {expression} ELSE {ends[column]} END"
    proj = Projection.from_config(
        {
            "nodeQuery": "MATCH (n:N) RETURN id(n) AS id",
            "relationshipQuery": "MATCH (a:N)-[:R]->(b) WITH a, b ORDER BY a.i "
            f"RETURN {ends['source']} AS source, {ends['target']} AS target",
        }
    )
    with pytest.raises(ConfigError) as caught:
        read_graph(chain, proj)
    pattern = (
        rf"config key 'relationshipQuery': column `{column}` must hold integer node ids, "
        rf"found {shown} \(row 3\)"
    )
    assert re.fullmatch(pattern, str(caught.value)), str(caught.value)


@pytest.mark.parametrize(("expression", "shown"), BAD_VALUES)
def test_node_query_ids_must_be_integers(chain: neo4j.Driver, expression: str, shown: str) -> None:
    proj = Projection.from_config(
        {
            "nodeQuery": "MATCH (a:N) WITH a ORDER BY a.i "
            f"RETURN CASE WHEN a.i = 1 THEN {expression} ELSE id(a) END AS id",
            "relationshipQuery": "MATCH (a:N)-[:R]->(b) RETURN id(a) AS source, id(b) AS target",
        }
    )
    with pytest.raises(ConfigError) as caught:
        read_graph(chain, proj)
    pattern = (
        rf"config key 'nodeQuery': column `id` must hold integer node ids, found {shown} \(row 2\)"
    )
    assert re.fullmatch(pattern, str(caught.value)), str(caught.value)


def test_a_procedure_refuses_float_ids_and_writes_nothing(chain: neo4j.Driver) -> None:
    config = {
        "nodeQuery": "MATCH (n:N) RETURN id(n) AS id",
        "relationshipQuery": "MATCH (a:N)-[:R]->(b) RETURN id(a) + 0.5 AS source, id(b) AS target",
        "writeProperty": "deg",
    }
    with pytest.raises(
        ConfigError, match=r"column `source` must hold integer node ids, found float"
    ):
        run("degree", "write", config, driver=chain)
    assert _written(chain, "deg") == 0


def test_integer_ids_still_read(chain: neo4j.Driver) -> None:
    proj = Projection.from_config(
        {
            "nodeQuery": "MATCH (n:N) RETURN id(n) AS id",
            "relationshipQuery": "MATCH (a:N)-[:R]->(b) RETURN id(a) AS source, id(b) AS target",
        }
    )
    graph, report = read_graph(chain, proj)
    assert graph.num_nodes == 4 and report.relationship_count == 3


# ---------------------------------------------------------------------------- node properties
def test_infinite_node_property_values_are_refused(db: neo4j.Driver) -> None:
    db.execute_query(
        "CREATE (:P {x: $inf}), (:P {x: -$inf}), (:P {x: 1.0}), (:P {x: $nan}), (:P)",
        inf=INF,
        nan=math.nan,
    )
    config = {"nodeLabels": ["P"], "nodeProperties": {"x": {"defaultValue": 0.0}}}
    with pytest.raises(ConfigError) as caught:
        read_graph(db, Projection.from_config(config))
    assert str(caught.value) == (
        "config key 'nodeProperties': 3 of 5 nodes have a non-finite value in property 'x' "
        "(Infinity, -Infinity or NaN); node properties must be finite numbers"
    )


def test_infinite_elements_of_list_properties_are_refused(db: neo4j.Driver) -> None:
    db.execute_query("CREATE (:P {v: [1.0, $inf]}), (:P {v: [1.0, 2.0]})", inf=INF)
    with pytest.raises(
        ConfigError, match=r"'nodeProperties': 1 of 2 nodes have a non-finite value"
    ):
        read_graph(db, Projection.from_config({"nodeProperties": ["v"]}))


def test_infinite_node_property_default_is_refused(db: neo4j.Driver) -> None:
    db.execute_query("CREATE (:P {x: 1.0}), (:P)")
    config = {"nodeProperties": {"x": {"defaultValue": INF}}}
    with pytest.raises(ConfigError, match=r"the defaultValue of property 'x' must be a finite"):
        read_graph(db, Projection.from_config(config))


def test_cypher_projection_property_columns_are_checked(db: neo4j.Driver) -> None:
    db.execute_query("CREATE (:P {x: $inf}), (:P {x: 2.0})", inf=INF)
    proj = Projection.from_config(
        {
            "nodeQuery": "MATCH (n:P) RETURN id(n) AS id, n.x AS x",
            "relationshipQuery": "MATCH (a:P)-[:R]->(b) RETURN id(a) AS source, id(b) AS target",
        }
    )
    with pytest.raises(ConfigError, match=r"1 of 2 nodes have a non-finite value in property 'x'"):
        read_graph(db, proj)


def test_a_procedure_reading_node_properties_refuses_infinity(db: neo4j.Driver) -> None:
    db.execute_query("CREATE (:P {x: $inf})-[:R]->(:P {x: 2.0})-[:R]->(:P {x: 3.0})", inf=INF)
    with pytest.raises(ConfigError, match=r"'nodeProperties': 1 of 3 nodes .* property 'x'"):
        run("knn", "stream", {"nodeProperties": ["x"], "topK": 1}, driver=db)


@pytest.mark.usefixtures("io_path")
def test_boolean_weights_are_refused_on_both_paths(db: neo4j.Driver) -> None:
    db.execute_query("CREATE (a:N)-[:R {w: true}]->(b:N)")
    with pytest.raises(
        ConfigError, match=r"'relationshipWeightProperty': property 'w' must hold numbers"
    ):
        read_graph(db, Projection(weight_property="w", default_weight=1.0))
