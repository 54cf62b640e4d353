"""Topological link scores and candidates against NetworkX's link prediction functions.

Oracles: ``nx.adamic_adar_index``, ``nx.resource_allocation_index``,
``nx.preferential_attachment``, ``nx.common_neighbors``, ``|N(a) | N(b)|`` from NetworkX
neighbour sets, and a brute-force top-k over all non-adjacent two-hop pairs. Tolerance 1e-12.
"""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest
import torch

import neo4j_gml
from neo4j_gml.algorithms.linkpred import adjacency
from neo4j_gml.algorithms.linkpred.topological import link_scores, two_hop_candidates
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph


def _graph(seed: int = 1, n: int = 40, p: float = 0.12) -> tuple[nx.Graph, Graph]:
    g = nx.gnp_random_graph(n, p, seed=seed)
    src, dst = zip(*g.edges(), strict=True)
    # duplicates and a self-loop must not change anything
    src = [*src, src[0], 3]
    dst = [*dst, dst[0], 3]
    ids = list(range(100, 100 + n))
    return g, Graph.from_edges(src, dst, num_nodes=n, node_ids=ids, orientation="NATURAL")


def _oracle(g: nx.Graph, measure: str, pairs: list[tuple[int, int]]) -> list[float]:
    if measure == "ADAMIC_ADAR":
        return [s for _, _, s in nx.adamic_adar_index(g, pairs)]
    if measure == "RESOURCE_ALLOCATION":
        return [s for _, _, s in nx.resource_allocation_index(g, pairs)]
    if measure == "PREFERENTIAL_ATTACHMENT":
        return [s for _, _, s in nx.preferential_attachment(g, pairs)]
    if measure == "COMMON_NEIGHBORS":
        return [len(list(nx.common_neighbors(g, a, b))) for a, b in pairs]
    if measure == "TOTAL_NEIGHBORS":
        return [len(set(g[a]) | set(g[b])) for a, b in pairs]
    raise AssertionError(measure)


MEASURES = [
    "ADAMIC_ADAR",
    "RESOURCE_ALLOCATION",
    "PREFERENTIAL_ATTACHMENT",
    "COMMON_NEIGHBORS",
    "TOTAL_NEIGHBORS",
]


@pytest.mark.parametrize("measure", MEASURES)
def test_pair_scores_match_networkx(measure: str) -> None:
    g, graph = _graph()
    pairs = [(a, b) for a, b in itertools.combinations(range(40), 2) if a != b][::3]
    a = torch.tensor([p[0] for p in pairs])
    b = torch.tensor([p[1] for p in pairs])
    got = link_scores(adjacency.from_graph(graph), a, b, measure).numpy()
    np.testing.assert_allclose(got, _oracle(g, measure, pairs), rtol=1e-12, atol=1e-12)


def test_adjacency_is_simple_and_symmetric() -> None:
    _, graph = _graph()
    adj = adjacency.from_graph(graph)
    assert not bool(adj.has_arc(torch.tensor([3]), torch.tensor([3]))[0])
    u = torch.repeat_interleave(torch.arange(40), adj.degree)
    assert bool(adj.has_arc(adj.indices, u).all())


@pytest.mark.parametrize("measure", ["ADAMIC_ADAR", "PREFERENTIAL_ATTACHMENT", "TOTAL_NEIGHBORS"])
def test_candidates_are_brute_force_top_k(measure: str) -> None:
    g, graph = _graph(seed=4)
    k = 3
    s, t, v = two_hop_candidates(adjacency.from_graph(graph), measure, k, path_budget=50)
    got: dict[int, list[tuple[int, float]]] = {}
    for a, b, x in zip(s.tolist(), t.tolist(), v.tolist(), strict=True):
        got.setdefault(a, []).append((b, x))
    for u in g.nodes:
        two_hop = {w for m in g[u] for w in g[m]} - set(g[u]) - {u}
        cands = sorted(two_hop)
        scores = _oracle(g, measure, [(u, c) for c in cands])
        best = sorted(zip(cands, scores, strict=True), key=lambda cs: (-cs[1], cs[0]))[:k]
        mine = got.get(u, [])
        assert [c for c, _ in mine] == [c for c, _ in best], u
        np.testing.assert_allclose([x for _, x in mine], [x for _, x in best], rtol=1e-12)


def test_candidates_for_sources_only_and_empty_graph() -> None:
    _, graph = _graph(seed=4)
    adj = adjacency.from_graph(graph)
    s, _, _ = two_hop_candidates(adj, "COMMON_NEIGHBORS", 2, sources=torch.tensor([5, 7]))
    assert set(s.tolist()) <= {5, 7}
    empty = adjacency.from_graph(Graph.from_edges([], [], num_nodes=0))
    s, t, v = two_hop_candidates(empty, "ADAMIC_ADAR", 5)
    assert s.numel() == t.numel() == v.numel() == 0


def test_link_score_procedure_and_missing_pairs() -> None:
    g, graph = _graph()
    frame = neo4j_gml.run(
        "linkScore",
        "stream",
        {"measure": "adamicAdar", "pairs": [[100, 101], [102, 139]]},
        graph=graph,
    )
    assert list(frame.columns) == ["source", "target", "score"]
    np.testing.assert_allclose(frame["score"], _oracle(g, "ADAMIC_ADAR", [(0, 1), (2, 39)]))
    with pytest.raises(ConfigError, match=r"not in the projection.*\(100, 7\)"):
        neo4j_gml.run("linkScore", "stream", {"pairs": [[100, 7]]}, graph=graph)
    stats = neo4j_gml.run(
        "linkScore",
        "stats",
        {"sourceNodes": [100, 5], "targetNodes": [101, 101], "skipMissingPairs": True},
        graph=graph,
    )
    assert stats["missingPairs"] == 1 and stats["pairCount"] == 1
    with pytest.raises(ConfigError, match="same length"):
        neo4j_gml.run("linkScore", "stream", {"sourceNodes": [100], "targetNodes": []}, graph=graph)
    with pytest.raises(ConfigError, match="pairsQuery"):
        neo4j_gml.run("linkScore", "stream", {"pairsQuery": "RETURN 1"}, graph=graph)


def test_same_community_score() -> None:
    comm = torch.tensor([0.0, 0.0, 1.0, 1.0])
    graph = Graph.from_edges([0, 1, 2], [1, 2, 3], num_nodes=4, node_properties={"community": comm})
    frame = neo4j_gml.run(
        "linkScore",
        "stream",
        {"measure": "sameCommunity", "pairs": [[0, 1], [1, 2], [2, 3]]},
        graph=graph,
    )
    assert frame["score"].tolist() == [1.0, 0.0, 1.0]


def test_same_community_without_a_value_is_no_community() -> None:
    """GDS's sameCommunity(a, b, prop) is 0 when either node lacks ``prop``; here a node without
    a value holds NaN. Hand case on the path 10 - 11 - 12 - 13 - 14 with communities
    5, 5, none, none, 7: (10, 11) -> 1 (both 5); (11, 12) -> 0 and (13, 14) -> 0 (one lacks it);
    (12, 13) -> 0 and (12, 12) -> 0 (neither has one: no community equals another);
    (10, 14) -> 0 (5 != 7); (10, 10) -> 1."""
    nan = float("nan")
    comm = torch.tensor([5.0, 5.0, nan, nan, 7.0], dtype=torch.float64)
    graph = Graph.from_edges(
        [0, 1, 2, 3],
        [1, 2, 3, 4],
        num_nodes=5,
        node_ids=[10, 11, 12, 13, 14],
        node_properties={"team": comm},
    )
    pairs = [[10, 11], [11, 12], [13, 14], [12, 13], [12, 12], [10, 14], [10, 10]]
    frame = neo4j_gml.run(
        "linkScore",
        "stream",
        {"measure": "sameCommunity", "communityProperty": "team", "pairs": pairs},
        graph=graph,
    )
    assert frame["score"].tolist() == [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]
    # candidates (non-adjacent two-hop pairs): each has a node without a community -> 0
    frame = neo4j_gml.run(
        "linkCandidates",
        "stream",
        {"measure": "sameCommunity", "communityProperty": "team", "topK": 5},
        graph=graph,
    )
    got = {(a, b): s for a, b, s in frame[["node1", "node2", "score"]].itertuples(index=False)}
    two_hop = [(10, 12), (11, 13), (12, 14)]
    assert got == {p: 0.0 for a, b in two_hop for p in ((a, b), (b, a))}


def test_link_candidates_procedure() -> None:
    _, graph = _graph(seed=4)
    frame = neo4j_gml.run("linkCandidates", "stream", {"topK": 2}, graph=graph)
    assert set(frame.columns) == {"node1", "node2", "score"}
    assert frame.groupby("node1").size().max() <= 2
    with pytest.raises(ConfigError, match="sourceNodes"):
        neo4j_gml.run("linkCandidates", "stream", {"sourceNodes": [1]}, graph=graph)


@pytest.mark.parametrize("measure", MEASURES)
def test_without_pair_edge_equals_scoring_on_graph_without_it(measure: str) -> None:
    g, graph = _graph(seed=2)
    pairs = list(g.edges())[:15] + [(0, 39), (5, 6)]
    a = torch.tensor([p[0] for p in pairs])
    b = torch.tensor([p[1] for p in pairs])
    got = link_scores(adjacency.from_graph(graph), a, b, measure, without_pair_edge=True)
    expected = []
    for u, v in pairs:
        h = g.copy()
        if h.has_edge(u, v):
            h.remove_edge(u, v)
        expected += _oracle(h, measure, [(u, v)])
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-12, atol=1e-12)


class _FakeDriver:
    """Records queries and the access mode of their sessions; answers every query with
    ``records`` (the pairs query runs through ``session(...).execute_read``)."""

    def __init__(self, records: list[dict]) -> None:
        self.records = records
        self.calls: list[tuple[str, dict]] = []
        self.access_modes: list[str | None] = []

    def execute_query(self, query: str, parameters_: dict | None = None, **kwargs):  # noqa: ANN201
        self.calls.append((query, dict(parameters_ or {})))
        return self.records, None, None

    def session(self, **kwargs):  # noqa: ANN201
        self.access_modes.append(kwargs.get("default_access_mode"))
        return _FakeSession(self)


class _FakeSession:
    def __init__(self, driver: _FakeDriver) -> None:
        self.driver = driver

    def __enter__(self):  # noqa: ANN204
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def execute_read(self, work):  # noqa: ANN001, ANN201
        return work(self)

    def run(self, query: str, parameters: dict | None = None):  # noqa: ANN201
        self.driver.calls.append((query, dict(parameters or {})))
        records = self.driver.records

        class _Result(list):
            def keys(self) -> list[str]:
                return list(records[0]) if records else []

        return _Result(records)


def test_runner_hooks_pairs_query_and_replacing_write(monkeypatch) -> None:
    from neo4j_gml.io.write import WriteReport
    from neo4j_gml.procedures import runner

    g, graph = _graph()
    fake = _FakeDriver([{"source": 100, "target": 101}, {"source": 102, "target": 139}])
    frame = neo4j_gml.run(
        "linkScore",
        "stream",
        {"pairsQuery": "MATCH ... RETURN s AS source, t AS target", "parameters": {"x": 1}},
        graph=graph,
        driver=fake,
    )
    assert fake.calls == [("MATCH ... RETURN s AS source, t AS target", {"x": 1})]
    assert fake.access_modes == ["READ"]  # user Cypher runs read-only
    np.testing.assert_allclose(frame["score"], _oracle(g, "ADAMIC_ADAR", [(0, 1), (2, 39)]))
    bad = _FakeDriver([{"a": 1}])
    with pytest.raises(ConfigError, match="'source' and 'target'"):
        neo4j_gml.run("linkScore", "stream", {"pairsQuery": "Q"}, graph=graph, driver=bad)

    events: list[str] = []
    monkeypatch.setattr(
        runner,
        "delete_relationships",
        lambda driver, rtype, **kw: events.append(f"delete {rtype}") or 7,
    )
    monkeypatch.setattr(
        runner,
        "write_relationships",
        lambda driver, s, t, rtype, props, **kw: (
            events.append(f"write {rtype}") or WriteReport(rows=int(s.numel()))
        ),
    )
    config = {"topK": 1, "writeRelationshipType": "CAND", "writeProperty": "score"}
    row = neo4j_gml.run("linkCandidates", "write", config, graph=graph, driver=fake)
    assert events == ["delete CAND", "write CAND"] and row["relationshipsDeleted"] == 7
