"""Triangle listing (GDS ``gds.triangles``).

Oracles: the set of triangles equals NetworkX's size-3 cliques (``nx.enumerate_all_cliques``,
exact) of the simple undirected graph, on random graphs with self-loops and parallel
relationships; every node's number of listed triangles equals ``nx.triangles``; the GDS
manual's example rows (as sets of names: GDS orders a row by its internal ids, which depend on
its projection; ours are in ascending Neo4j id order).
"""

from __future__ import annotations

import random

import networkx as nx
import pytest
import torch

from neo4j_gml.algorithms.community import triangles as tri_mod
from neo4j_gml.algorithms.community.triangle_listing import list_triangles
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures import runner

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _random(seed: int, n: int = 90, m: int = 700) -> tuple[list[int], list[int], nx.Graph]:
    """A random multigraph with self-loops and parallel relationships, and its simple
    undirected NetworkX graph."""
    rnd = random.Random(seed)
    src = [rnd.randrange(n) for _ in range(m)]
    dst = [rnd.randrange(n) if rnd.random() > 0.05 else src[i] for i in range(m)]  # loops
    src += src[:50]  # parallel relationships
    dst += dst[:50]
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from((u, v) for u, v in zip(src, dst, strict=True) if u != v)
    return src, dst, g


def _cliques(g: nx.Graph) -> set[tuple[int, ...]]:
    return {tuple(sorted(c)) for c in nx.enumerate_all_cliques(g) if len(c) == 3}


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("orientation", ["NATURAL", "UNDIRECTED"])
def test_listing_equals_networkx_cliques(seed: int, orientation: str, device: str) -> None:
    src, dst, g = _random(seed)
    graph = Graph.from_edges(src, dst, num_nodes=90, orientation=orientation).to(device)
    tri = list_triangles(graph)
    assert tri.device.type == device
    rows = [tuple(r) for r in tri.tolist()]
    assert rows == sorted(set(rows))  # each once, a < b < c, rows sorted
    assert set(rows) == _cliques(g)
    per_node = torch.bincount(tri.reshape(-1).cpu(), minlength=90)
    assert per_node.tolist() == [nx.triangles(g)[i] for i in range(90)]


def test_small_chunks_list_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    src, dst, g = _random(3)
    monkeypatch.setattr(tri_mod, "WEDGE_CHUNK", 37)
    graph = Graph.from_edges(src, dst, num_nodes=90)
    assert {tuple(r) for r in list_triangles(graph).tolist()} == _cliques(g)


def test_max_degree_leaves_out_nodes_and_their_triangles() -> None:
    src, dst, g = _random(4)
    graph = Graph.from_edges(src, dst, num_nodes=90, orientation="UNDIRECTED")
    limit = 16
    heavy = {i for i in range(90) if int(graph.out_degree()[i]) > limit}
    assert heavy and len(heavy) < 80, "the test graph must have nodes on both sides"
    want = _cliques(g.subgraph(set(range(90)) - heavy))
    assert {tuple(r) for r in list_triangles(graph, max_degree=limit).tolist()} == want
    # and the triangle count agrees on the others
    counts, _ = tri_mod.triangle_count(graph, max_degree=limit)
    listed = torch.bincount(list_triangles(graph, max_degree=limit).reshape(-1), minlength=90)
    light = counts >= 0
    assert listed[light].tolist() == counts[light].tolist()


def test_empty_and_triangle_free() -> None:
    assert list_triangles(Graph.from_edges([], [], num_nodes=0)).shape == (0, 3)
    star = Graph.from_edges([0, 0, 0], [1, 2, 3])
    assert list_triangles(star).shape == (0, 3)


def test_gds_manual_example() -> None:
    """GDS manual, Triangle Count, "Triangles listing": three triangles, Alice in none."""
    names = ["Alice", "Michael", "Karin", "Chris", "Will", "Mark"]
    knows = [("Michael", "Karin"), ("Michael", "Chris"), ("Will", "Michael"),
             ("Mark", "Michael"), ("Mark", "Will"), ("Alice", "Michael"), ("Will", "Chris"),
             ("Chris", "Karin")]  # fmt: skip
    src = [names.index(a) for a, _ in knows]
    dst = [names.index(b) for _, b in knows]
    ids = [10, 11, 12, 13, 14, 15]
    graph = Graph.from_edges(src, dst, node_ids=ids, orientation="UNDIRECTED")
    frame = runner.stream_frame(runner.compute("triangles", "stream", {}, graph=graph))
    assert list(frame.columns) == ["nodeA", "nodeB", "nodeC"]
    assert (frame["nodeA"] < frame["nodeB"]).all() and (frame["nodeB"] < frame["nodeC"]).all()
    got = {frozenset(names[ids.index(i)] for i in row) for row in frame.values.tolist()}
    assert got == {
        frozenset({"Michael", "Chris", "Karin"}),
        frozenset({"Michael", "Mark", "Will"}),
        frozenset({"Michael", "Will", "Chris"}),
    }
    # GDS's maxDegree example: Michael (degree 5) left out, so no triangle
    none = runner.compute("triangles", "stream", {"maxDegree": 4}, graph=graph)
    assert runner.stream_frame(none).empty
    with pytest.raises(ConfigError, match="'maxDegree'"):
        runner.compute("triangles", "stream", {"maxDegree": 1}, graph=graph)


def test_rows_are_in_neo4j_id_order_when_positions_are_not() -> None:
    # positions 0, 1, 2 carry Neo4j ids 30, 10, 20: a row lists 10, 20, 30
    graph = Graph.from_edges([0, 1, 2], [1, 2, 0], node_ids=[30, 10, 20])
    frame = runner.stream_frame(runner.compute("triangles", "stream", {}, graph=graph))
    assert frame.values.tolist() == [[10, 20, 30]]
