"""K-1 colouring against its oracles: GDS's documentation example (rows and stats as printed
there), NetworkX's sequential greedy colouring (exactly, where our walk is sequential: up to
256 nodes), validity of every converged colouring (no relationship joins two equal colours,
self-loops aside) on random, power-law, directed and multigraphs, the colour count beside
``networkx.greedy_color(strategy='largest_first')`` (at most 2 more) and ``max degree + 1``;
GDS's ``didConverge`` and ``minCommunitySize`` semantics; registry entries end to end (graph
given, no database)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import torch

import neo4j_gml
from neo4j_gml.algorithms.community.k1coloring import color_arcs, k1_coloring
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures import registry
from neo4j_gml.procedures.summary import summarize

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def graph_of(g: nx.Graph) -> Graph:
    edges = np.array(list(g.edges()), dtype=np.int64).reshape(-1, 2)
    return Graph.from_edges(
        edges[:, 0], edges[:, 1], num_nodes=g.number_of_nodes(), orientation="UNDIRECTED"
    )


def violations(graph: Graph, colors: torch.Tensor) -> int:
    src, dst = graph.sources(), graph.indices
    return int(((colors[src] == colors[dst]) & (src != dst)).sum())


# ---------------------------------------------------------------------------- GDS example
def gds_example() -> Graph:
    """GDS manual, K-1 Coloring: Alice, Bridget, Charles, Doug (ids 0..3); Alice links to all,
    Bridget to Charles; projected UNDIRECTED."""
    return Graph.from_edges([0, 0, 0, 1], [1, 2, 3, 2], orientation="UNDIRECTED")


def test_gds_documentation_example():
    """GDS prints Alice 0, Bridget 1, Charles 2, Doug 1 and nodeCount 4, colorCount 3,
    ranIterations 1, didConverge true (stream, stats, write and mutate rows alike)."""
    graph = gds_example()
    frame = neo4j_gml.run("k1coloring", "stream", {}, graph=graph)
    assert list(frame.columns) == ["nodeId", "color"]
    assert frame["color"].tolist() == [0, 1, 2, 1]
    stats = neo4j_gml.run("k1coloring", "stats", {}, graph=graph)
    assert (stats["nodeCount"], stats["colorCount"]) == (4, 3)
    assert (stats["ranIterations"], stats["didConverge"]) == (1, True)


# ---------------------------------------------------------------------------- oracles
def walk_order(g: nx.Graph) -> list[int]:
    """Our walk: largest degree first, ties by node id."""
    return sorted(g.nodes(), key=lambda u: (-g.degree(u), u))


@pytest.mark.parametrize("backend", ["numba", "torch"])
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize(("n", "p"), [(40, 0.2), (256, 0.05), (200, 0.3)])
def test_sequential_walk_equals_networkx_greedy(seed, n, p, backend):
    """Up to 256 nodes every node is its own batch: exactly NetworkX's greedy colouring in the
    same order, in one round."""
    g = nx.gnp_random_graph(n, p, seed=seed)
    r = k1_coloring(graph_of(g), backend=backend)
    want = nx.greedy_color(g, strategy=lambda gg, _colors: walk_order(gg))
    assert r.colors.tolist() == [want[u] for u in range(n)]
    assert (r.ran_iterations, r.did_converge) == (1, True)


@pytest.mark.parametrize("backend", ["numba", "torch"])
@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize(
    "make",
    [
        lambda s: nx.gnp_random_graph(3000, 0.004, seed=s),
        lambda s: nx.barabasi_albert_graph(5000, 5, seed=s),
        lambda s: nx.powerlaw_cluster_graph(4000, 4, 0.3, seed=s),
    ],
    ids=["gnp", "barabasi_albert", "powerlaw_cluster"],
)
def test_valid_and_few_colours_on_larger_graphs(seed, make, backend):
    """Batched (speculative) rounds: valid once converged, at most largest_first + 2 colours and
    at most max degree + 1."""
    g = make(seed)
    graph = graph_of(g)
    r = k1_coloring(graph, backend=backend)
    assert r.did_converge and violations(graph, r.colors) == 0
    largest_first = len(set(nx.greedy_color(g, strategy="largest_first").values()))
    max_degree = max(d for _, d in g.degree())
    assert r.color_count <= min(largest_first + 2, max_degree + 1)
    assert r.color_count == len(torch.unique(r.colors))
    assert int(r.colors.min()) == 0


def test_power_law_graph_with_hubs():
    """The benchmark's power-law graph (hubs of thousands of neighbours, parallel arcs):
    speculative rounds conflict, are repaired, and end valid with few colours."""
    from benchmarks.graphs import power_law_edges

    src, dst = power_law_edges(20_000, 200_000, seed=4)
    graph = Graph.from_edges(src, dst, num_nodes=20_000, orientation="UNDIRECTED")
    r = k1_coloring(graph)
    assert r.did_converge and r.ran_iterations >= 2  # there were conflicts to repair
    assert violations(graph, r.colors) == 0
    g = nx.Graph(zip(src.tolist(), dst.tolist(), strict=True))
    largest_first = len(set(nx.greedy_color(g, strategy="largest_first").values()))
    assert r.color_count <= largest_first + 2


def test_directed_graph_and_self_loops_and_parallel_arcs():
    """A NATURAL projection is coloured as its undirected view (valid along every arc in both
    directions); self-loops never conflict (GDS skips them); parallel arcs change nothing."""
    rng = np.random.default_rng(2)
    n, m = 500, 3000
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    dst[:50] = src[:50]  # self-loops
    natural = Graph.from_edges(src, dst, num_nodes=n)
    r = k1_coloring(natural)
    assert r.did_converge
    colors = r.colors
    off = src != dst
    assert not bool((colors[src[off]] == colors[dst[off]]).any())
    undirected = Graph.from_edges(src, dst, num_nodes=n, orientation="UNDIRECTED")
    both = Graph.from_edges(
        np.concatenate([src, src]), np.concatenate([dst, dst]), num_nodes=n,
        orientation="UNDIRECTED",
    )  # fmt: skip
    assert torch.equal(k1_coloring(undirected).colors, colors)
    assert violations(both, k1_coloring(both).colors) == 0
    loops = Graph.from_edges([0, 1], [0, 1], num_nodes=2, orientation="UNDIRECTED")
    assert k1_coloring(loops).colors.tolist() == [0, 0]


def test_did_converge_is_gds_ran_below_max():
    """GDS reports didConverge = ranIterations < maxIterations: a run that needed exactly
    maxIterations rounds is valid but 'not converged'; one round fewer leaves conflicts."""
    from benchmarks.graphs import power_law_edges

    src, dst = power_law_edges(20_000, 200_000, seed=4)
    graph = Graph.from_edges(src, dst, num_nodes=20_000, orientation="UNDIRECTED")
    full = k1_coloring(graph)
    rounds = full.ran_iterations
    exact = k1_coloring(graph, max_iterations=rounds)
    assert torch.equal(exact.colors, full.colors)
    assert (exact.ran_iterations, exact.did_converge) == (rounds, False)
    short = k1_coloring(graph, max_iterations=rounds - 1)
    assert not short.did_converge and violations(graph, short.colors) > 0


@pytest.mark.parametrize("seed", range(3))
def test_numba_and_torch_paths_give_the_same_colours(seed):
    """The compiled CPU rounds and the torch rounds: identical colours and rounds, also when
    cut short (maxIterations 1 leaves the first round's conflicts)."""
    from benchmarks.graphs import power_law_edges

    src, dst = power_law_edges(20_000, 200_000, seed=seed)
    natural = Graph.from_edges(src, dst, num_nodes=20_000)
    for max_iterations in (10, 1):
        a = k1_coloring(natural, max_iterations=max_iterations, backend="torch")
        b = k1_coloring(natural, max_iterations=max_iterations, backend="numba")
        assert torch.equal(a.colors, b.colors)
        assert (a.ran_iterations, a.did_converge) == (b.ran_iterations, b.did_converge)
    with pytest.raises(ValueError, match="backend"):
        k1_coloring(natural, backend="igraph")


def test_edge_cases():
    empty = Graph.from_edges([], [], num_nodes=0, orientation="UNDIRECTED")
    r = k1_coloring(empty)
    assert r.colors.numel() == 0 and r.color_count == 0
    alone = Graph.from_edges([], [], num_nodes=3, orientation="UNDIRECTED")
    assert k1_coloring(alone).colors.tolist() == [0, 0, 0]
    clique = nx.complete_graph(30)
    assert k1_coloring(graph_of(clique)).color_count == 30
    with pytest.raises(ValueError, match="max_iterations"):
        color_arcs(torch.tensor([0]), torch.tensor([1]), 2, max_iterations=0)


# ---------------------------------------------------------------------------- registry
def test_min_community_size_filters_stream_and_write_only():
    """A star with 5 leaves and a separate edge: colour 0 holds the hub and one end of the
    edge, colour 1 the five leaves and the other end. minCommunitySize 3 keeps the six nodes
    of colour 1; the stats row still counts both colours; stats and mutate refuse the key."""
    graph = Graph.from_edges([0, 0, 0, 0, 0, 6], [1, 2, 3, 4, 5, 7], orientation="UNDIRECTED")
    frame = neo4j_gml.run("k1coloring", "stream", {}, graph=graph)
    assert frame["color"].tolist() == [0, 1, 1, 1, 1, 1, 0, 1]
    kept = neo4j_gml.run("k1coloring", "stream", {"minCommunitySize": 3}, graph=graph)
    assert kept["nodeId"].tolist() == [1, 2, 3, 4, 5, 7]
    proc = registry.get("k1coloring")
    cfg = proc.validate({"minCommunitySize": 3, "writeProperty": "color"}, "write")
    row = summarize(proc, proc.compute(graph, cfg))
    assert row["colorCount"] == 2
    for mode in ("stats", "mutate"):
        with pytest.raises(ConfigError, match="minCommunitySize"):
            proc.validate({"minCommunitySize": 3, "mutateProperty": "c"}, mode)


def test_registry_refuses_bad_keys():
    graph = gds_example()
    with pytest.raises(ConfigError, match="maxIterations"):
        neo4j_gml.run("k1coloring", "stream", {"maxIterations": 0}, graph=graph)
    with pytest.raises(ConfigError, match="relationshipWeightProperty"):
        neo4j_gml.run("k1coloring", "stream", {"relationshipWeightProperty": "w"}, graph=graph)
