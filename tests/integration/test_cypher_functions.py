"""The per-row Cypher functions: ``gml.similarity.*``, ``gml.linkprediction.*`` (also under
``gml.alpha.linkprediction.*``), computed in the plugin, and ``gml.util.nodeProperty`` (one service
round trip per call).

Oracles:

- random inputs against the pure-Python references, relative tolerance 1e-9:
  :mod:`neo4j_gml.algorithms.similarity.functions` (60 random vector pairs per function: floats,
  integers, mixed, nulls, repeats, NaN) and :mod:`neo4j_gml.algorithms.linkpred.pair_functions`
  (60 random node pairs of a random multigraph in Neo4j with three relationship types, parallel
  relationships and self-loops; every direction spelling and relationshipQuery variant);
- the values GDS 2.13's manual prints for its examples (similarity functions page, the six
  topological link prediction pages, ``gds.util.nodeProperty`` on the "Streaming nodes" page);
- ``gml.util.nodeProperty`` against ``gml.graph.nodeProperty.stream`` on every node;
- with Open GDS loaded (``neo4j-gml neo4j start --with-gds``), ``gds.*`` itself on the same
  random inputs (skipped otherwise);
- bad inputs fail with a message that names the argument and what was expected.
"""

from __future__ import annotations

import math
import random
from typing import Any

import neo4j
import pytest

from neo4j_gml.algorithms.linkpred import pair_functions
from neo4j_gml.algorithms.similarity import functions as sim

pytestmark = pytest.mark.neo4j

REL = 1e-9

SIMILARITY = {
    "jaccard": sim.jaccard,
    "overlap": sim.overlap,
    "cosine": sim.cosine,
    "pearson": sim.pearson,
    "euclidean": sim.euclidean,
    "euclideanDistance": sim.euclidean_distance,
}
SET_FUNCTIONS = ("jaccard", "overlap")

LINKPRED = {
    "adamicAdar": "ADAMIC_ADAR",
    "commonNeighbors": "COMMON_NEIGHBORS",
    "preferentialAttachment": "PREFERENTIAL_ATTACHMENT",
    "resourceAllocation": "RESOURCE_ALLOCATION",
    "totalNeighbors": "TOTAL_NEIGHBORS",
}
#: direction as given -> the oracle's (None: the key left out, GDS's default BOTH)
DIRECTIONS = {
    None: "BOTH",
    "OUTGOING": "OUTGOING",
    "INCOMING": "INCOMING",
    "BOTH": "BOTH",
    "out": "OUTGOING",
    "<": "INCOMING",
    "b": "BOTH",
}
TYPES = ("A", "B", "C")


def rows(driver: neo4j.Driver, text: str, **params: Any) -> list[dict[str, Any]]:
    records, _, _ = driver.execute_query(text, params)
    return [dict(r) for r in records]


def close(got: float, want: float) -> bool:
    if math.isnan(want):
        return math.isnan(got)
    if math.isinf(want):
        return got == want
    return math.isclose(got, want, rel_tol=REL, abs_tol=1e-300)


def has_gds(driver: neo4j.Driver) -> bool:
    found = rows(
        driver, "SHOW FUNCTIONS YIELD name WHERE name = 'gds.similarity.cosine' RETURN name"
    )
    return bool(found)


# ---------------------------------------------------------------------------- similarity
def random_vectors(rng: random.Random, name: str) -> tuple[list[Any], list[Any]]:
    """Lists to score: small integer values (so that sets meet), floats, mixed, nulls."""
    kind = rng.choice(["int", "float", "mixed"])
    n = rng.randint(1, 9)
    m = n if name not in SET_FUNCTIONS else rng.randint(0, 9)

    def value() -> Any:
        if rng.random() < 0.1:
            return None
        if kind == "int" or (kind == "mixed" and rng.random() < 0.5):
            return rng.randint(-3, 5)
        if name in SET_FUNCTIONS:
            return float(rng.randint(-3, 5)) + rng.choice([0.0, 0.0, 0.5])
        return rng.uniform(-10, 10)

    return [value() for _ in range(n)], [value() for _ in range(m)]


def similarity_cases(name: str, seed: int) -> list[tuple[list[Any], list[Any]]]:
    rng = random.Random(seed)
    cases = [random_vectors(rng, name) for _ in range(60)]
    if name in SET_FUNCTIONS:
        cases += [([], []), ([1, 1, 2], [1.0, 1, 3]), ([float("nan")], [float("nan"), 1.0])]
        cases += [([-0.0, 0], [0.0]), ([2**60, 2**60 + 1], [float(2**60)])]
    else:
        cases += [([0, 0], [1, 2]), ([3, 3, 3], [1, 2, 3]), ([float("nan"), 1.0], [1.0, 2.0])]
    return cases


@pytest.mark.parametrize("name", list(SIMILARITY))
def test_similarity_functions_match_the_python_reference(gml, name: str) -> None:  # noqa: ANN001
    cases = similarity_cases(name, seed=len(name))
    got = rows(
        gml.driver,
        f"UNWIND $cases AS c RETURN gml.similarity.{name}(c[0], c[1]) AS s",
        cases=[list(c) for c in cases],
    )
    assert len(got) == len(cases)
    for (a, b), row in zip(cases, got, strict=True):
        want = SIMILARITY[name](a, b)
        assert close(row["s"], want), (name, a, b, row["s"], want)


@pytest.mark.parametrize("name", list(SIMILARITY))
def test_similarity_functions_match_open_gds(gml, name: str) -> None:  # noqa: ANN001
    if not has_gds(gml.driver):
        pytest.skip("Open GDS is not loaded (neo4j-gml neo4j start --with-gds)")
    # GDS's overlap compares with Java equals (1 differs from 1.0): one kind per list there; and
    # GDS compares integers beyond 2^53 with doubles through their shortest decimal strings
    # (2^60 differs from 2.0^60 there): those are left out
    cases = [
        (a, b)
        for a, b in similarity_cases(name, seed=len(name) + 100)
        if (name != "overlap" or len({type(x) for x in [*a, *b] if x is not None}) <= 1)
        and all(x is None or abs(x) < 2**53 for x in [*a, *b])
    ]
    got = rows(
        gml.driver,
        f"UNWIND $cases AS c RETURN gml.similarity.{name}(c[0], c[1]) AS ours, "
        f"gds.similarity.{name}(c[0], c[1]) AS theirs",
        cases=[list(c) for c in cases],
    )
    for (a, b), row in zip(cases, got, strict=True):
        assert close(row["ours"], row["theirs"]), (name, a, b, row)


def test_similarity_functions_give_gds_manual_values(gml) -> None:  # noqa: ANN001
    # GDS 2.13 manual, "Similarity functions": the printed results
    a, b = [1.0, 5.0, 3.0, 6.7], [5.0, 2.5, 3.1, 9.0]
    expected = {
        "jaccard": 0.142857142857143,
        "overlap": 0.25,
        "cosine": 0.882757381034594,
        "pearson": 0.468277483648113,
        "euclidean": 0.160030485454022,
        "euclideanDistance": 5.248809388804284,
    }
    for name, value in expected.items():
        (row,) = rows(gml.driver, f"RETURN gml.similarity.{name}($a, $b) AS s", a=a, b=b)
        assert math.isclose(row["s"], value, rel_tol=1e-14), (name, row["s"], value)
    (row,) = rows(
        gml.driver,
        "RETURN gml.similarity.jaccard([1.0, null, 3.0], [1.0, 2.0, 3.0]) AS j, "
        "gml.similarity.cosine([1.0, null, 3.0], [1.0, 2.0, 3.0]) AS c",
    )
    assert math.isclose(row["j"], 0.666666666666667, rel_tol=1e-14)
    assert math.isclose(row["c"], 0.845154254728517, rel_tol=1e-14)


def test_similarity_functions_refuse_bad_input_naming_it(gml) -> None:  # noqa: ANN001
    for name in ("cosine", "pearson", "euclidean", "euclideanDistance"):
        fn = f"gml.similarity.{name}"
        with pytest.raises(
            neo4j.exceptions.ClientError,
            match=rf"{fn}: vector1 and vector2 must be non-empty lists of the same length, got "
            "lengths 2 and 3",
        ):
            rows(gml.driver, f"RETURN {fn}([1, 2], [1, 2, 3])")
        with pytest.raises(neo4j.exceptions.ClientError, match="got lengths 0 and 0"):
            rows(gml.driver, f"RETURN {fn}([], [])")
        for arg in ("vector1", "vector2"):
            with pytest.raises(
                neo4j.exceptions.ClientError,
                match=rf"{fn}: {arg} must be a list of numbers, got null",
            ):
                params = {"vector1": [1.0], "vector2": [1.0], arg: None}
                rows(gml.driver, f"RETURN {fn}($vector1, $vector2)", **params)
    # the set functions take null as GDS does: 0
    (row,) = rows(
        gml.driver,
        "RETURN gml.similarity.jaccard(null, [1]) AS j, gml.similarity.overlap([1], null) AS o",
    )
    assert row == {"j": 0.0, "o": 0.0}
    # Neo4j itself refuses a list element that is no number
    with pytest.raises(neo4j.exceptions.Neo4jError, match="Number"):
        rows(gml.driver, "RETURN gml.similarity.cosine($a, [1, 2])", a=[1, "x"])


# ---------------------------------------------------------------------------- link prediction
def random_multigraph(
    driver: neo4j.Driver, seed: int
) -> tuple[list[int], list[tuple[int, int, str]]]:
    """40 nodes and 200 relationships of types A, B, C in Neo4j: parallel relationships and
    self-loops included, degrees skewed. The database was emptied before (``gml_db``)."""
    rng = random.Random(seed)
    n = 40
    (row,) = rows(
        driver,
        "UNWIND range(0, $n - 1) AS i CREATE (x:Fn {i: i}) WITH collect(x) AS xs "
        "RETURN [x IN xs | id(x)] AS ids",
        n=n,
    )
    ids = row["ids"]
    rels = []
    for _ in range(200):
        s = min(rng.randrange(n), rng.randrange(n))  # low ids get more relationships
        t = s if rng.random() < 0.05 else rng.randrange(n)
        rels.append((s, t, rng.choice(TYPES)))
    rels += [rels[i] for i in rng.sample(range(len(rels)), 15)]  # parallel relationships
    for rtype in TYPES:
        pairs = [[ids[s], ids[t]] for s, t, r in rels if r == rtype]
        rows(
            driver,
            "UNWIND $pairs AS p MATCH (a) WHERE id(a) = p[0] MATCH (b) WHERE id(b) = p[1] "
            f"CREATE (a)-[:{rtype}]->(b)",
            pairs=pairs,
        )
    return ids, [(ids[s], ids[t], r) for s, t, r in rels]


def random_pairs(ids: list[int], rels: list[tuple[int, int, str]], seed: int) -> list[list[int]]:
    rng = random.Random(seed)
    pairs = [[rng.choice(ids), rng.choice(ids)] for _ in range(40)]
    pairs += [[s, t] for s, t, _ in rng.sample(rels, 15)]  # adjacent pairs
    pairs += [[x, x] for x in rng.sample(ids, 5)]  # a node and itself
    return pairs


PAIR_QUERY = (
    "UNWIND $pairs AS p MATCH (a) WHERE id(a) = p[0] MATCH (b) WHERE id(b) = p[1] "
    "RETURN {fn}(a, b, $config) AS score"
)


def test_link_prediction_functions_match_the_python_reference(gml, gml_db) -> None:  # noqa: ANN001
    ids, rels = random_multigraph(gml_db, seed=7)
    pairs = random_pairs(ids, rels, seed=8)
    checked = 0
    for name, measure in LINKPRED.items():
        for prefix in ("gml.linkprediction.", "gml.alpha.linkprediction."):
            for given, direction in DIRECTIONS.items():
                for rtype in (None, "A", "C", "NOPE"):
                    config: dict[str, Any] = {}
                    if given is not None:
                        config["direction"] = given
                    if rtype is not None:
                        config["relationshipQuery"] = rtype
                    kept = [(s, t) for s, t, r in rels if rtype is None or r == rtype]
                    want = pair_functions.pair_scores(
                        [s for s, _ in kept],
                        [t for _, t in kept],
                        [(a, b) for a, b in pairs],
                        measure,
                        direction=direction,
                    )
                    got = rows(
                        gml_db, PAIR_QUERY.format(fn=prefix + name), pairs=pairs, config=config
                    )
                    for pair, row, w in zip(pairs, got, want, strict=True):
                        assert close(row["score"], w), (prefix + name, config, pair, row, w)
                        checked += 1
    assert checked == len(LINKPRED) * 2 * len(DIRECTIONS) * 4 * len(pairs)


def test_link_prediction_functions_match_open_gds(gml, gml_db) -> None:  # noqa: ANN001
    if not has_gds(gml_db):
        pytest.skip("Open GDS is not loaded (neo4j-gml neo4j start --with-gds)")
    ids, rels = random_multigraph(gml_db, seed=11)
    # GDS also counts b as a common neighbour of (a, b) when they are adjacent and b has a
    # self-loop (gml does not): leave out pairs whose nodes have self-loops
    looped = {s for s, t, _ in rels if s == t}
    pairs = [p for p in random_pairs(ids, rels, seed=12) if not set(p) & looped]
    for name in LINKPRED:
        for given in ("OUTGOING", "INCOMING", "BOTH"):
            for rtype in (None, "B"):
                config = {"direction": given, "relationshipQuery": rtype}
                got = rows(
                    gml_db,
                    "UNWIND $pairs AS p MATCH (a) WHERE id(a) = p[0] MATCH (b) WHERE id(b) = p[1] "
                    f"RETURN gml.linkprediction.{name}(a, b, $config) AS ours, "
                    f"gds.alpha.linkprediction.{name}(a, b, $config) AS theirs",
                    pairs=pairs,
                    config=config,
                )
                for pair, row in zip(pairs, got, strict=True):
                    assert close(row["ours"], row["theirs"]), (name, config, pair, row)


GDS_PEOPLE = (
    "CREATE (zhen:Person {name: 'Zhen'}), (praveena:Person {name: 'Praveena'}), "
    "(michael:Person {name: 'Michael'}), (arya:Person {name: 'Arya'}), "
    "(karin:Person {name: 'Karin'}), (zhen)-[:FRIENDS]->(arya), (zhen)-[:FRIENDS]->(praveena), "
    "(praveena)-[:WORKS_WITH]->(karin), (praveena)-[:FRIENDS]->(michael), "
    "(michael)-[:WORKS_WITH]->(karin), (arya)-[:FRIENDS]->(karin)"
)


def test_link_prediction_functions_give_gds_manual_values(gml, gml_db) -> None:  # noqa: ANN001
    # GDS 2.13 manual, the topological link prediction pages: Michael and Karin, all
    # relationships and FRIENDS only
    rows(gml_db, GDS_PEOPLE)
    expected = {
        "adamicAdar": (0.9102392266268373, 0.0),
        "commonNeighbors": (1.0, 0.0),
        "preferentialAttachment": (6.0, 1.0),
        "resourceAllocation": (0.3333333333333333, 0.0),
        "totalNeighbors": (4.0, 2.0),
    }
    for name, (everything, friends) in expected.items():
        for prefix in ("gml.linkprediction.", "gml.alpha.linkprediction."):
            (row,) = rows(
                gml_db,
                "MATCH (p1:Person {name: 'Michael'}) MATCH (p2:Person {name: 'Karin'}) "
                f"RETURN {prefix}{name}(p1, p2) AS score, "
                f"{prefix}{name}(p1, p2, {{relationshipQuery: 'FRIENDS'}}) AS friends",
            )
            assert math.isclose(row["score"], everything, rel_tol=1e-15), (name, row)
            assert math.isclose(row["friends"], friends, rel_tol=1e-15), (name, row)
    # the total neighbours page spells the defaults out
    (row,) = rows(
        gml_db,
        "MATCH (p1:Person {name: 'Michael'}) MATCH (p2:Person {name: 'Karin'}) RETURN "
        "gml.linkprediction.totalNeighbors(p1, p2, {relationshipQuery: null, direction: 'BOTH'}) "
        "AS score",
    )
    assert row["score"] == 4.0


def test_same_community_gives_gds_manual_values_and_compares_by_value(gml, gml_db) -> None:  # noqa: ANN001
    # GDS 2.13 manual, "Same Community": 1.0, 0.0, 0.0 (no community), 1.0 (partition)
    rows(
        gml_db,
        "CREATE (:Person {name: 'Zhen', community: 1}), (:Person {name: 'Praveena', community: 2}),"
        " (:Person {name: 'Michael', community: 1}), (:Person {name: 'Arya', partition: 5}),"
        " (:Person {name: 'Karin', partition: 5}), (:Person {name: 'Jennifer'}),"
        " (:Person {name: 'Float', community: 1.0}), (:Person {name: 'List', community: [1, 2]}),"
        " (:Person {name: 'FloatList', community: [1.0, 2.0]})",
    )
    cases = [
        ("Michael", "Zhen", None, 1.0),
        ("Michael", "Praveena", None, 0.0),
        ("Michael", "Jennifer", None, 0.0),
        ("Jennifer", "Jennifer", None, 0.0),
        ("Arya", "Karin", "partition", 1.0),
        ("Michael", "Float", None, 1.0),  # Cypher's 1 = 1.0 (GDS's Java equals says 0)
        ("List", "FloatList", None, 1.0),
        ("List", "Michael", None, 0.0),
    ]
    for a, b, prop, want in cases:
        args = "p1, p2" if prop is None else f"p1, p2, '{prop}'"
        for fn in ("gml.linkprediction.sameCommunity", "gml.alpha.linkprediction.sameCommunity"):
            (row,) = rows(
                gml_db,
                f"MATCH (p1:Person {{name: $a}}) MATCH (p2:Person {{name: $b}}) RETURN {fn}({args}) AS s",
                a=a,
                b=b,
            )
            assert row["s"] == want, (fn, a, b, prop)


def test_same_community_matches_link_scores(gml, gml_db) -> None:  # noqa: ANN001
    import torch

    from neo4j_gml.algorithms.linkpred.adjacency import from_edges
    from neo4j_gml.algorithms.linkpred.topological import link_scores

    rng = random.Random(3)
    values = [rng.randint(0, 4) for _ in range(30)]
    (row,) = rows(
        gml_db,
        "UNWIND range(0, size($v) - 1) AS i CREATE (x:Fn {i: i, community: $v[i]}) "
        "WITH collect(x) AS xs RETURN [x IN xs | id(x)] AS ids",
        v=values,
    )
    ids = row["ids"]
    pairs = [(rng.randrange(30), rng.randrange(30)) for _ in range(60)]
    got = rows(
        gml_db,
        "UNWIND $pairs AS p MATCH (a) WHERE id(a) = p[0] MATCH (b) WHERE id(b) = p[1] "
        "RETURN gml.linkprediction.sameCommunity(a, b) AS s",
        pairs=[[ids[a], ids[b]] for a, b in pairs],
    )
    adj = from_edges(torch.tensor([0]), torch.tensor([1]), 30)
    want = link_scores(
        adj,
        torch.tensor([a for a, _ in pairs]),
        torch.tensor([b for _, b in pairs]),
        "SAME_COMMUNITY",
        community=torch.tensor(values),
    )
    assert [r["s"] for r in got] == want.tolist()


def test_link_prediction_functions_refuse_bad_input_naming_it(gml, gml_db) -> None:  # noqa: ANN001
    rows(gml_db, "CREATE (:Fn {i: 0})-[:A]->(:Fn {i: 1})")
    match = "MATCH (a:Fn {i: 0}), (b:Fn {i: 1}) "
    for name in LINKPRED:
        fn = f"gml.linkprediction.{name}"
        bad = {
            "{direction: 'UP'}": rf"{fn}: config key 'direction' must be OUTGOING, INCOMING or "
            r"BOTH .*got 'UP'",
            "{direction: 1}": r"config key 'direction' must be OUTGOING, INCOMING or BOTH .*got 1",
            "{relationshipQuery: ['A']}": rf"{fn}: config key 'relationshipQuery' must be a "
            r"relationship type name \(STRING\), got \[A\]",
            "{relationshipQuery: ''}": r"config key 'relationshipQuery' must be a relationship "
            "type name",
            "{relationshipQuery: 'MATCH (n) RETURN n'}": None,  # a type name nobody has: 0
            "{orientation: 'UNDIRECTED'}": rf"{fn}: unknown config key 'orientation'; the keys "
            "are 'relationshipQuery'",
        }
        for config, message in bad.items():
            if message is None:
                (row,) = rows(gml_db, match + f"RETURN {fn}(a, b, {config}) AS s")
                assert row["s"] == 0.0
                continue
            with pytest.raises(neo4j.exceptions.ClientError, match=message):
                rows(gml_db, match + f"RETURN {fn}(a, b, {config})")
        with pytest.raises(
            neo4j.exceptions.ClientError, match=rf"{fn}: node1 must be a node, got null"
        ):
            rows(gml_db, match + f"RETURN {fn}(null, b)")
        with pytest.raises(
            neo4j.exceptions.ClientError, match=rf"{fn}: node2 must be a node, got null"
        ):
            rows(gml_db, match + f"RETURN {fn}(a, null)")
    with pytest.raises(
        neo4j.exceptions.ClientError, match="communityProperty must be a property name"
    ):
        rows(gml_db, match + "RETURN gml.linkprediction.sameCommunity(a, b, '')")


# ---------------------------------------------------------------------------- nodeProperty
def test_node_property_gives_the_gds_manual_value(gml, gml_db) -> None:  # noqa: ANN001
    # GDS 2.13 manual, "Streaming nodes": the socialGraph, degree mutated as 'score';
    # gds.util.nodeProperty('socialGraph', florentin, 'score') = 2.0
    rows(
        gml_db,
        "CREATE (florentin:Person {name: 'Florentin', age: 16}), (adam:Person {name: 'Adam', age: 18}),"
        " (veselin:Person {name: 'Veselin', age: 20}),"
        " (hobbit:Book {name: 'The Hobbit', numberOfPages: 310}),"
        " (florentin)-[:KNOWS {since: 2010}]->(adam), (florentin)-[:KNOWS {since: 2018}]->(veselin),"
        " (adam)-[:READ]->(hobbit)",
    )
    rows(gml_db, "CALL gml.graph.drop('socialGraph', false) YIELD graphName RETURN graphName")
    try:
        rows(
            gml_db,
            "MATCH (n:Person)-[r:KNOWS|READ]->(m:Person|Book) "
            "RETURN gml.graph.project('socialGraph', n, m, {sourceNodeLabels: labels(n), "
            "targetNodeLabels: labels(m), sourceNodeProperties: n { .age }, "
            "targetNodeProperties: CASE WHEN m:Person THEN m { .age } ELSE {} END, "
            "relationshipType: type(r)})",
        )
        rows(gml_db, "CALL gml.degree.mutate('socialGraph', {mutateProperty: 'score'})")
        (row,) = rows(
            gml_db,
            "MATCH (florentin:Person {name: 'Florentin'}) RETURN florentin.name AS name, "
            "gml.util.nodeProperty('socialGraph', florentin, 'score') AS score, "
            "gml.util.nodeProperty('socialGraph', id(florentin), 'age', 'Person') AS age, "
            "gml.util.nodeProperty('socialGraph', florentin, 'score', 'Book') AS asBook",
        )
        assert row == {"name": "Florentin", "score": 2.0, "age": 16.0, "asBook": None}
        (row,) = rows(
            gml_db,
            "MATCH (b:Book) RETURN gml.util.nodeProperty('socialGraph', b, 'age') AS age, "
            "gml.util.nodeProperty('socialGraph', b, 'score', 'Book') AS score",
        )
        assert row == {"age": None, "score": 0.0}  # projected without age: missing is null
        # every node against the catalog's own stream
        stream = rows(
            gml_db,
            "CALL gml.graph.nodeProperty.stream('socialGraph', 'score') YIELD nodeId, propertyValue "
            "RETURN nodeId, propertyValue, "
            "gml.util.nodeProperty('socialGraph', nodeId, 'score') AS one",
        )
        assert len(stream) == 4
        for r in stream:
            assert r["one"] == float(r["propertyValue"]), r
        bad = {
            "gml.util.nodeProperty('nope', 0, 'score')": "no graph named 'nope'",
            "gml.util.nodeProperty('socialGraph', 0, 'nope')": "propertyKey: the graph "
            "'socialGraph' has no node property 'nope'",
            "gml.util.nodeProperty('socialGraph', 0, 'score', 'Nope')": "nodeLabel: the graph "
            "'socialGraph' has no node label 'Nope'",
            "gml.util.nodeProperty('socialGraph', 123456789, 'score')": "nodeId: node 123456789 "
            "is not in the graph 'socialGraph'",
            "gml.util.nodeProperty('socialGraph', 'x', 'score')": r"nodeId must be a node or a "
            r"node id \(INTEGER\), got x",
            "gml.util.nodeProperty('socialGraph', null, 'score')": "nodeId must be a node or a "
            "node id",
            "gml.util.nodeProperty('', 0, 'score')": "graphName must be the name of a graph",
        }
        for call, message in bad.items():
            with pytest.raises(neo4j.exceptions.ClientError, match=message):
                rows(gml_db, f"RETURN {call}")
    finally:
        rows(gml_db, "CALL gml.graph.drop('socialGraph', false) YIELD graphName RETURN graphName")
