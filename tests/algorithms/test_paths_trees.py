"""Spanning trees, k-spanning trees and Steiner trees against oracles and GDS's documentation.

Oracles: NetworkX's ``minimum_spanning_tree``/``maximum_spanning_tree`` of the component reached
from the source (total weight, node count) on random undirected multigraphs with many equal
weights; for Steiner trees, an exhaustive search over arc subsets for the optimum on tiny graphs
(the heuristic's tree is valid and never cheaper) and a plain re-implementation of the heuristic
with NetworkX's multi-source Dijkstra on graphs with distinct weights (no ties, so one answer).
GDS's documented examples (``minimum-weight-spanning-tree.adoc``,
``k-minimum-weight-spanning-tree.adoc``, ``directed-steiner-tree.adoc``) and cases of its unit
tests (``KSpanningTreeTest``) are reproduced exactly; tie-breaking is checked on a graph worked
through GDS's ``HugeLongPriorityQueue`` by hand.
"""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np
import pytest

from neo4j_gml.algorithms.paths.spanning import k_spanning_tree, spanning_tree
from neo4j_gml.algorithms.paths.steiner import SteinerTree, steiner_tree
from neo4j_gml.core.graph import Graph

# --------------------------------------------------------------------------- GDS doc graphs
ROAD = [("D", "B", 4), ("D", "E", 6), ("B", "A", 1), ("B", "C", 3), ("A", "C", 2), ("C", "E", 5)]
ROAD += [("F", "G", 1)]


def _road(order: str = "ABCDEFG") -> tuple[Graph, dict[str, int]]:
    pos = {name: i for i, name in enumerate(order)}
    return (
        Graph.from_edges(
            [pos[a] for a, _, _ in ROAD],
            [pos[b] for _, b, _ in ROAD],
            [float(w) for _, _, w in ROAD],
            orientation="UNDIRECTED",
        ),
        pos,
    )


def _named_rows(rows: tuple[np.ndarray, ...], names: str) -> list[tuple[str, str, float]]:
    return sorted(
        (names[v], names[p], w) for v, p, w in zip(*(r.tolist() for r in rows), strict=True)
    )


def test_spanning_tree_gds_doc_example() -> None:
    g, pos = _road()
    tree = spanning_tree(g, pos["D"])
    assert _named_rows(tree.rows(), "ABCDEFG") == [
        ("A", "B", 1.0),
        ("B", "D", 4.0),
        ("C", "A", 2.0),
        ("D", "D", 0.0),
        ("E", "C", 5.0),
    ]
    assert (tree.effective_node_count, tree.total_weight) == (5, 12.0)
    maximum = spanning_tree(g, pos["D"], objective="maximum")
    assert maximum.total_weight == 17.0
    assert maximum.effective_node_count == 5
    # rows come in position (internal id) order; the source row is its own parent
    nodes, parents, _ = tree.rows()
    assert nodes.tolist() == [0, 1, 2, 3, 4] and parents[pos["D"]] == pos["D"]


def test_spanning_tree_breaks_ties_as_gds_heap() -> None:
    # all weights 1: GDS's queue holds [1, 2, 3, 4] after node 0; popping 1 moves 4 to the top
    # (equal keys never sift), so 4 leaves before 2 and becomes 5's parent
    g = Graph.from_edges([0, 0, 0, 0, 2, 4], [1, 2, 3, 4, 5, 5], orientation="UNDIRECTED")
    tree = spanning_tree(g, 0)
    assert tree.parent.tolist() == [-1, 0, 0, 0, 0, 4]
    # unweighted: GDS reads every arc with weight 0.0
    assert tree.total_weight == 0.0 and tree.weight.tolist() == [0.0] * 6


def _component(g: Graph, source: int, weights: np.ndarray) -> nx.Graph:
    full = nx.MultiGraph()
    full.add_nodes_from(range(g.num_nodes))
    srcs = g.sources().tolist()
    for u, v, w in zip(srcs, g.indices.tolist(), weights.tolist(), strict=True):
        if u <= v:
            full.add_edge(u, v, weight=w)
    return full.subgraph(nx.node_connected_component(full, source)).copy()


@pytest.mark.parametrize("seed", range(40))
def test_spanning_tree_against_networkx(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(2, 40)), int(rng.integers(1, 90))
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    weights = rng.integers(1, 4, m).astype(float)  # many ties
    g = Graph.from_edges(src, dst, weights, num_nodes=n, orientation="UNDIRECTED")
    source = int(rng.integers(0, n))
    component = _component(g, source, g.arc_weights().numpy())
    for objective, oracle in (
        ("minimum", nx.minimum_spanning_tree),
        ("maximum", nx.maximum_spanning_tree),
    ):
        tree = spanning_tree(g, source, objective=objective)  # type: ignore[arg-type]
        expected = oracle(component).size(weight="weight")
        assert tree.total_weight == pytest.approx(expected)
        assert tree.effective_node_count == component.number_of_nodes()
        nodes, parents, arc_weights = tree.rows()
        assert set(nodes.tolist()) == set(component.nodes)
        for v, p, w in zip(nodes.tolist(), parents.tolist(), arc_weights.tolist(), strict=True):
            if v != source:  # each tree arc is an edge of the graph with that weight
                assert w in {d["weight"] for d in component.get_edge_data(p, v).values()}
        assert sum(arc_weights.tolist()) == pytest.approx(expected)
        assert set(tree.heads()[nodes].tolist()) == {source}


# --------------------------------------------------------------------------- k-spanning tree
def test_k_spanning_tree_gds_doc_examples() -> None:
    # the doc's Cypher projection numbers nodes in the order they appear: A C B E D F G
    g, pos = _road("ACBEDFG")
    low = k_spanning_tree(g, pos["A"], 3)
    groups = {name: int(low.heads()[i]) for name, i in pos.items()}
    assert [n for n in "ABCDEFG" if groups[n] == 0] == ["A", "B", "C"]  # doc: partition 0
    assert low.effective_node_count == 3 and low.total_weight == 3.0
    high = k_spanning_tree(g, pos["D"], 3, objective="maximum")
    groups = {name: int(high.heads()[i]) for name, i in pos.items()}
    assert [n for n in "ABCDEFG" if groups[n] == 4] == ["C", "D", "E"]  # doc: partition 4
    assert high.total_weight == 11.0
    # a node outside the tree is written as its own id
    assert groups["F"] == pos["F"] and groups["G"] == pos["G"]


def _gdl(edges: list[tuple[str, str, float]], names: str, orientation: str) -> Graph:
    return Graph.from_edges(
        [names.index(a) for a, _, _ in edges],
        [names.index(b) for _, b, _ in edges],
        [w for _, _, w in edges],
        num_nodes=len(names),
        orientation=orientation,
    )


def test_k_spanning_tree_gds_unit_cases() -> None:
    # KSpanningTreeTest: (a)-3-(b), (a)-2-(c), (a)-1-(d), (b)-1-(c), (d)-3-(c), undirected
    square = [("a", "b", 3.0), ("a", "c", 2.0), ("a", "d", 1.0), ("b", "c", 1.0), ("d", "c", 3.0)]
    g = _gdl(square, "abcdx", "UNDIRECTED")
    high = k_spanning_tree(g, 0, 2, objective="maximum")
    head = high.heads().tolist()
    assert (head[0] == head[1]) ^ (head[2] == head[3])
    assert len({head[0], head[2], head[4]}) == 3 and high.total_weight == 3.0
    low = k_spanning_tree(g, 0, 2).heads().tolist()
    assert (low[0] == low[3]) ^ (low[1] == low[2])
    assert len({low[0], low[1], low[4]}) == 3
    # shouldProduceSingleTreeWithKMinusOneEdges (directed): k=2 -> 1.0, k=3 -> 2.0
    chain = [("b", "a", 1.0), ("c", "b", 20.0), ("d", "c", 30.0), ("d", "e", 1.0)]
    chain += [("e", "f", 1.0)]
    g = _gdl(chain, "abcdef", "NATURAL")
    for k, expected in ((2, 1.0), (3, 2.0)):
        tree = k_spanning_tree(g, 3, k)
        assert (tree.parent >= 0).sum() == k - 1 and tree.total_weight == expected
    # worstCaseForPruningLeaves: k=4 keeps a-e-f-g, weight 3.0
    lopsided = [("a", "b", 9.0), ("b", "c", 0.0), ("c", "d", 0.0), ("a", "e", 1.0)]
    lopsided += [("e", "f", 1.0), ("f", "g", 1.0)]
    tree = k_spanning_tree(_gdl(lopsided, "abcdefg", "NATURAL"), 0, 4)
    assert (tree.parent >= 0).sum() == 3 and tree.total_weight == 3.0
    # shouldWorkForComponentSmallerThanK: the Prim tree comes back whole
    small = _gdl([("a", "b", 1.0), ("b", "c", 1.0), ("c", "d", 1.0)], "abcdefg", "NATURAL")
    tree = k_spanning_tree(small, 0, 5)
    assert tree.effective_node_count == 4 and tree.total_weight == 3.0


@pytest.mark.parametrize("seed", range(30))
def test_k_spanning_tree_invariants(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = 14, 24
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    g = Graph.from_edges(src, dst, rng.integers(1, 5, m).astype(float), num_nodes=n,
                         orientation="UNDIRECTED")  # fmt: skip
    for objective in ("minimum", "maximum"):
        prim = spanning_tree(g, 0, objective=objective)  # type: ignore[arg-type]
        k = int(rng.integers(1, 9))
        tree = k_spanning_tree(g, 0, k, objective=objective)  # type: ignore[arg-type]
        if prim.effective_node_count < k:
            assert tree.parent.tolist() == prim.parent.tolist()
            continue
        kept = np.flatnonzero(tree.parent >= 0)
        assert kept.size == k - 1 and tree.effective_node_count == k
        assert set(tree.heads()[kept].tolist()) <= {tree.root}
        assert tree.total_weight == pytest.approx(tree.weight[kept].sum())
        # every kept arc is an arc of the Prim tree, in one direction or the other
        prim_arcs = {(int(p), v) for v, p in enumerate(prim.parent.tolist()) if p >= 0}
        for v in kept.tolist():
            p = int(tree.parent[v])
            assert (p, v) in prim_arcs or (v, p) in prim_arcs


# --------------------------------------------------------------------------- Steiner tree
STEINER = [("A", "F", 10), ("A", "B", 1), ("A", "E", 7), ("B", "C", 1), ("C", "D", 4)]
STEINER += [("C", "E", 6), ("F", "D", 3)]


@pytest.mark.parametrize(
    ("options", "expected", "total"),
    [
        (
            {},
            [("A", "A", 0.0), ("B", "A", 1.0), ("C", "B", 1.0), ("D", "C", 4.0)]
            + [("E", "C", 6.0), ("F", "A", 10.0)],
            22.0,
        ),
        (
            {"reroute": True},
            [("A", "A", 0.0), ("B", "A", 1.0), ("C", "B", 1.0), ("D", "F", 3.0)]
            + [("E", "C", 6.0), ("F", "A", 10.0)],
            21.0,
        ),
        (
            {"reroute": True, "inverse_indexed": True},
            [("A", "A", 0.0), ("D", "F", 3.0), ("E", "A", 7.0), ("F", "A", 10.0)],
            20.0,
        ),
    ],
)
def test_steiner_tree_gds_doc_examples(
    options: dict[str, bool], expected: list[tuple[str, str, float]], total: float
) -> None:
    g = _gdl([(a, b, float(w)) for a, b, w in STEINER], "ABCDEF", "NATURAL")
    tree = steiner_tree(g, 0, [3, 4, 5], **options)
    assert _named_rows(tree.rows(), "ABCDEF") == expected
    assert tree.total_weight == total
    assert tree.effective_node_count == len(expected)
    assert tree.effective_target_nodes_count == 3


def _arcs(g: Graph) -> list[tuple[int, int, float]]:
    return list(
        zip(g.sources().tolist(), g.indices.tolist(), g.arc_weights().tolist(), strict=True)
    )


def _check_tree(
    g: Graph, source: int, targets: list[int], tree: SteinerTree, connected: bool = True
) -> None:
    """A valid tree; ``connected=False`` for GDS's extended rerouting, which can give a node a
    parent it prunes in the same step (GDS's ``InverseRerouter`` checks the alternative parent
    when it is found, not when it is used), so only the arcs and counts are checked then."""
    arcs = _arcs(g)
    digraph = nx.DiGraph([(u, v) for u, v, _ in arcs])
    digraph.add_nodes_from(range(g.num_nodes))
    reach = nx.descendants(digraph, source)
    reachable = {t for t in targets if t in reach and t != source}
    nodes, parents, weights = tree.rows()
    in_tree = set(nodes.tolist())
    assert reachable <= in_tree and source in in_tree
    assert tree.effective_target_nodes_count == len(reachable)
    assert tree.effective_node_count == len(in_tree)
    for v, p, w in zip(nodes.tolist(), parents.tolist(), weights.tolist(), strict=True):
        if v == source:
            assert w == 0.0
            continue
        # GDS reports a path arc's weight as a difference of distances (so up to rounding)
        assert p in in_tree or not connected
        assert any(u == p and x == v and math.isclose(c, w, abs_tol=1e-9) for u, x, c in arcs)
        node, steps = v, 0  # the source is an ancestor of every tree node
        while connected and node != source:
            node, steps = int(tree.parent[node]), steps + 1
            assert steps <= g.num_nodes
    assert tree.total_weight == pytest.approx(sum(weights.tolist()))


def _optimum(g: Graph, source: int, targets: set[int]) -> float:
    """The cheapest arborescence from ``source`` reaching ``targets``, by trying arc subsets."""
    arcs = [(u, v, w) for u, v, w in _arcs(g) if u != v and v != source]
    best = math.inf
    for size in range(len(arcs) + 1):
        for subset in itertools.combinations(arcs, size):
            heads = [v for _, v, _ in subset]
            if len(set(heads)) != len(heads):
                continue
            children: dict[int, list[int]] = {}
            for u, v, _ in subset:
                children.setdefault(u, []).append(v)
            seen, stack = {source}, [source]
            while stack:
                for v in children.get(stack.pop(), []):
                    if v not in seen:
                        seen.add(v)
                        stack.append(v)
            if targets <= seen:
                best = min(best, sum(w for _, _, w in subset))
    return best


@pytest.mark.parametrize("seed", range(25))
def test_steiner_tree_against_exhaustive_optimum(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = 6, 9
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    g = Graph.from_edges(src, dst, rng.integers(0, 4, m).astype(float), num_nodes=n)
    targets = [int(t) for t in rng.choice(np.arange(1, n), size=3, replace=False)]
    arcs = _arcs(g)
    digraph = nx.DiGraph([(u, v) for u, v, _ in arcs])
    digraph.add_nodes_from(range(n))
    reach = nx.descendants(digraph, 0)
    optimum = _optimum(g, 0, {t for t in targets if t in reach})
    for options in ({}, {"reroute": True}, {"reroute": True, "inverse_indexed": True}):
        tree = steiner_tree(g, 0, targets, **options)  # type: ignore[arg-type]
        _check_tree(g, 0, targets, tree, connected="inverse_indexed" not in options)
        assert tree.total_weight >= optimum - 1e-9


def _heuristic(g: Graph, source: int, targets: list[int]) -> float:
    """The shortest-paths heuristic, plainly: Dijkstra from the whole tree to the nearest target."""
    digraph = nx.DiGraph()
    digraph.add_nodes_from(range(g.num_nodes))
    for u, v, w in _arcs(g):
        if not digraph.has_edge(u, v) or digraph[u][v]["weight"] > w:
            digraph.add_edge(u, v, weight=w)
    tree, left, total = {source}, set(targets) - {source}, 0.0
    while left:
        dist, paths = nx.multi_source_dijkstra(digraph, tree)
        reachable = [t for t in left if t in dist]
        if not reachable:
            break
        nearest = min(reachable, key=lambda t: dist[t])
        total += dist[nearest]
        tree.update(paths[nearest])
        left.discard(nearest)
        left -= tree
    return total


@pytest.mark.parametrize("seed", range(25))
@pytest.mark.parametrize("delta", [0.05, 2.0, 50.0])
def test_steiner_tree_matches_plain_heuristic(seed: int, delta: float) -> None:
    rng = np.random.default_rng(seed)
    n, m = 40, 120
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    weights = rng.random(m) * 5 + 0.01  # distinct: the nearest target and its path are unique
    g = Graph.from_edges(src, dst, weights, num_nodes=n, orientation="NATURAL")
    targets = [int(t) for t in rng.choice(np.arange(1, n), size=6, replace=False)]
    tree = steiner_tree(g, 0, targets, delta=delta)
    _check_tree(g, 0, targets, tree)
    assert tree.total_weight == pytest.approx(_heuristic(g, 0, targets))
    for options in ({"reroute": True}, {"reroute": True, "inverse_indexed": True}):
        rerouted = steiner_tree(g, 0, targets, delta=delta, **options)  # type: ignore[arg-type]
        _check_tree(g, 0, targets, rerouted, connected="inverse_indexed" not in options)
        assert rerouted.total_weight <= tree.total_weight + 1e-9


def test_steiner_tree_unweighted_and_errors() -> None:
    g = Graph.from_edges([0, 1, 0], [1, 2, 3], num_nodes=5)  # node 4 unreachable
    tree = steiner_tree(g, 0, [2, 4])
    assert tree.rows()[0].tolist() == [0, 1, 2] and tree.total_weight == 2.0  # weight 1 per arc
    assert tree.effective_target_nodes_count == 1 and math.isnan(tree.weight[3])
    with pytest.raises(ValueError, match="target"):
        steiner_tree(g, 0, [7])
    with pytest.raises(ValueError, match="delta"):
        steiner_tree(g, 0, [2], delta=0.0)
    with pytest.raises(ValueError, match="non-negative"):
        steiner_tree(Graph.from_edges([0], [1], [-1.0]), 0, [1])
    with pytest.raises(ValueError, match="objective"):
        spanning_tree(g, 0, objective="median")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="k must"):
        k_spanning_tree(g, 0, 0)
