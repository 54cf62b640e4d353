"""Modularity optimisation against its oracles: GDS's documentation example (the rows and stats
printed there) and GDS's own unit-test graph (``ModularityOptimizationTest``: unweighted,
weighted and seeded partitions and modularities); the reported modularity equals
``networkx.community.modularity`` of the returned partition (1e-9, weighted and unweighted,
self-loops and parallel relationships included); on planted partitions the one-level result is
within 0.002 (mean of 3 seeds) of the first level of ``networkx.community.louvain_partitions``;
seeded runs keep seed values; GDS's iteration and tolerance semantics; registry entries end to
end (graph given, no database)."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
import torch

import neo4j_gml
from neo4j_gml.algorithms.community.k1coloring import k1_coloring
from neo4j_gml.algorithms.community.modularity_optimization import modularity_optimization
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures import registry
from neo4j_gml.procedures.summary import summarize

pytestmark = pytest.mark.usefixtures("one_torch_thread")

NAN = math.nan


def nx_modularity(g: nx.Graph, labels: list[int], weight: str | None = "weight") -> float:
    groups: dict[int, set] = {}
    for node, c in enumerate(labels):
        groups.setdefault(c, set()).add(node)
    return nx.community.modularity(g, list(groups.values()), weight=weight)


def graph_of(g: nx.Graph, **kwargs) -> Graph:  # noqa: ANN003
    edges = list(g.edges(data=True))
    return Graph.from_edges(
        [u for u, _, _ in edges],
        [v for _, v, _ in edges],
        [float(d.get("weight", 1.0)) for _, _, d in edges],
        num_nodes=g.number_of_nodes(),
        orientation="UNDIRECTED",
        **kwargs,
    )


# ---------------------------------------------------------------------------- GDS examples
#: GDS manual, Modularity Optimization: Alice, Bridget, Charles, Doug, Elton, Frank (ids 0..5)
EXAMPLE = ([0, 0, 0, 1, 1, 2, 5], [1, 4, 5, 2, 3, 4, 3], [0.01, 5.0, 5.0, 5.0, 5.0, 0.01, 0.01])


def example(**kwargs) -> Graph:  # noqa: ANN003
    return Graph.from_edges(*EXAMPLE, orientation="UNDIRECTED", **kwargs)


def test_gds_documentation_example():
    """GDS prints Alice 4, Bridget 1, Charles 1, Doug 1, Elton 4, Frank 4 (weighted) and
    nodes 6, communityCount 2, ranIterations 2, didConverge true."""
    graph = example()
    cfg = {"relationshipWeightProperty": "weight"}
    frame = neo4j_gml.run("modularityOptimization", "stream", cfg, graph=graph)
    assert list(frame.columns) == ["nodeId", "communityId"]
    assert frame["communityId"].tolist() == [4, 1, 1, 1, 4, 4]
    stats = neo4j_gml.run("modularityOptimization", "stats", cfg, graph=graph)
    assert (stats["nodes"], stats["communityCount"]) == (6, 2)
    assert (stats["ranIterations"], stats["didConverge"]) == (2, True)
    assert stats["modularity"] == pytest.approx(0.4985, abs=1e-4)  # GDS's unit test value


@pytest.mark.parametrize("backend", ["numba", "torch"])
def test_gds_unit_test_unweighted_and_seeded(backend):
    """GDS's ModularityOptimizationTest on the same graph: unweighted {a,b,c,e} {d,f} at
    0.12244; seeded (seed1: a 1, b 5, c 2, d 3, e 2, f 3) {a,b} {c,e} {d,f} at 0.0816; with
    seed2 (b unseeded, largest seed 4242) a and b end in b's community, named b's Neo4j id +
    4242 (5580 for GDS's id 1338), and the seeded communities keep 4242 and 3333."""
    graph = example(node_ids=[0, 1338, 2, 3, 4, 5])
    r = modularity_optimization(graph, weighted=False, backend=backend)
    assert r.modularity == pytest.approx(0.12244, abs=1e-5)
    assert r.communities.tolist() == [4, 4, 4, 5, 4, 5]
    seed1 = torch.tensor([1.0, 5.0, 2.0, 3.0, 2.0, 3.0])
    r = modularity_optimization(graph, weighted=False, seeds=seed1, backend=backend)
    assert r.modularity == pytest.approx(0.0816, abs=1e-4)
    assert r.communities.tolist() == [5, 5, 2, 3, 2, 3]
    seed2 = torch.tensor([2121.0, NAN, 4242.0, 3333.0, 4242.0, 3333.0])
    r = modularity_optimization(graph, weighted=False, seeds=seed2, backend=backend)
    assert r.communities.tolist() == [5580, 5580, 4242, 3333, 4242, 3333]
    assert r.ran_iterations <= 3


# ---------------------------------------------------------------------------- oracles
@pytest.mark.parametrize("backend", ["numba", "torch"])
@pytest.mark.parametrize("weighted", [True, False])
@pytest.mark.parametrize("seed", range(3))
def test_reported_modularity_is_networkx_modularity(weighted, seed, backend):
    """Random weighted multigraph with self-loops: the reported modularity is the returned
    partition's modularity as NetworkX computes it (1e-9), and positive."""
    rng = np.random.default_rng(seed)
    n, m = 300, 1500
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    dst[:20] = src[:20]
    w = rng.uniform(0.5, 3.0, m)
    graph = Graph.from_edges(src, dst, w, num_nodes=n, orientation="UNDIRECTED")
    g = nx.MultiGraph()
    g.add_nodes_from(range(n))
    for u, v, x in zip(src.tolist(), dst.tolist(), w.tolist(), strict=True):
        g.add_edge(u, v, weight=x)
    r = modularity_optimization(graph, weighted=weighted, backend=backend)
    oracle = nx_modularity(g, r.communities.tolist(), "weight" if weighted else None)
    assert r.modularity == pytest.approx(oracle, abs=1e-9)
    assert r.modularity > 0.2


@pytest.mark.parametrize("planted", [(10, 50, 0.5, 0.005), (10, 100, 0.2, 0.005)])
def test_planted_partitions_beside_networkx_first_louvain_level(planted):
    """One level, moved colour by colour: mean modularity over 3 graphs at least the mean of
    NetworkX's first Louvain level (sequential local moving, 3 seeds each) - 0.002, every graph
    within 0.02, and 10 communities found."""
    ours, theirs = [], []
    for seed in range(3):
        g = nx.planted_partition_graph(*planted, seed=seed)
        r = modularity_optimization(graph_of(g))
        assert r.modularity == pytest.approx(nx_modularity(g, r.communities.tolist()), abs=1e-9)
        assert len(set(r.communities.tolist())) == 10
        levels = []
        for s in range(3):
            first = next(iter(nx.community.louvain_partitions(g, seed=s)))
            levels.append(nx.community.modularity(g, first))
        ours.append(r.modularity)
        theirs.append(float(np.mean(levels)))
        assert r.modularity >= theirs[-1] - 0.02
    assert np.mean(ours) >= np.mean(theirs) - 0.002


def test_moves_follow_a_valid_coloring():
    """The sweeps go colour by colour over GDS's 5-round K-1 colouring of the same graph."""
    g = nx.karate_club_graph()
    graph = graph_of(g)
    r = modularity_optimization(graph)
    assert r.color_count == k1_coloring(graph, max_iterations=5).color_count
    assert r.modularity == pytest.approx(nx_modularity(g, r.communities.tolist()), abs=1e-9)


def test_seeded_runs_keep_seed_values():
    """Nodes with one seed start together; a seeded community keeps its seed value as id, and
    a community started by an unseeded node is its Neo4j id + the largest seed."""
    g = nx.planted_partition_graph(3, 20, 0.9, 0.01, seed=3)
    ids = torch.arange(1000, 1060)
    graph = graph_of(g, node_ids=ids)
    seeds = torch.tensor([100.0 + u // 20 for u in g.nodes()])
    r = modularity_optimization(graph, seeds=seeds)
    assert r.communities.tolist() == [100 + u // 20 for u in g.nodes()]
    partial = seeds.clone()
    partial[40:] = NAN  # the third group unseeded
    r = modularity_optimization(graph, seeds=partial)
    assert r.communities[:40].tolist() == [100 + u // 20 for u in range(40)]
    third = set(r.communities[40:].tolist())
    assert len(third) == 1 and third.pop() in {int(i) + 101 for i in ids[40:]}


def test_weighted_case_follows_the_weights():
    """Two triangles joined by a bridge: unweighted they split at the bridge (modularity 5/14,
    the optimum); with a heavy bridge and light triangle sides the bridge's ends share a
    community apart from the pair (0, 1); both values are NetworkX's weighted modularity."""
    src, dst = [0, 1, 2, 3, 4, 5, 2], [1, 2, 0, 4, 5, 3, 3]
    plain = modularity_optimization(Graph.from_edges(src, dst, orientation="UNDIRECTED"))
    assert plain.communities.tolist() == [1, 1, 1, 5, 5, 5]
    assert plain.modularity == pytest.approx(5 / 14, abs=1e-12)
    w = [1.0, 0.1, 0.1, 1.0, 0.1, 0.1, 10.0]
    heavy = modularity_optimization(Graph.from_edges(src, dst, w, orientation="UNDIRECTED"))
    c = heavy.communities.tolist()
    assert c[2] == c[3] and c[0] == c[1] and c[0] != c[2]
    g = nx.Graph()
    g.add_weighted_edges_from(zip(src, dst, w, strict=True))
    g = nx.convert_node_labels_to_integers(g, ordering="sorted")
    assert heavy.modularity == pytest.approx(nx_modularity(g, c), abs=1e-12)
    assert heavy.modularity > nx_modularity(g, plain.communities.tolist())


def test_iterations_and_tolerance():
    """GDS: the first sweep always counts as a rise; a run stops at the first sweep that does
    not raise the modularity by more than ``tolerance``; maxIterations sweeps otherwise."""
    g = nx.planted_partition_graph(10, 100, 0.2, 0.005, seed=1)
    graph = graph_of(g)
    free = modularity_optimization(graph, max_iterations=50, tolerance=0.0)
    assert free.did_converge and free.ran_iterations >= 3
    one = modularity_optimization(graph, max_iterations=1)
    assert (one.ran_iterations, one.did_converge) == (1, False)
    loose = modularity_optimization(graph, tolerance=1.0)
    assert (loose.ran_iterations, loose.did_converge) == (2, True)
    with pytest.raises(ValueError, match="max_iterations"):
        modularity_optimization(graph, max_iterations=0)


def test_directed_graph_is_symmetrised_and_edge_cases():
    g = nx.karate_club_graph()
    both = graph_of(g)
    edges = list(g.edges())
    natural = Graph.from_edges([u for u, _ in edges], [v for _, v in edges], num_nodes=34)
    a = modularity_optimization(natural, weighted=False)
    b = modularity_optimization(both, weighted=False)
    assert torch.equal(a.communities, b.communities) and a.modularity == b.modularity
    empty = Graph.from_edges([], [], num_nodes=0, orientation="UNDIRECTED")
    assert modularity_optimization(empty).communities.numel() == 0
    alone = modularity_optimization(Graph.from_edges([], [], num_nodes=3))
    assert alone.communities.tolist() == [0, 1, 2] and alone.modularity == 0.0


@pytest.mark.parametrize("seed", range(3))
def test_numba_and_torch_paths_make_the_same_moves(seed):
    """The compiled CPU sweep and the torch colour-by-colour kernel: the same partition and
    iterations on a random multigraph with self-loops (unweighted: exact sums; weighted: the
    sums' order may differ, the partition here does not), modularity within 1e-12."""
    rng = np.random.default_rng(seed)
    n, m = 2000, 10_000
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    dst[:30] = src[:30]
    w = rng.uniform(0.5, 3.0, m)
    graph = Graph.from_edges(src, dst, w, num_nodes=n, orientation="UNDIRECTED")
    for weighted in (False, True):
        a = modularity_optimization(graph, weighted=weighted, backend="torch")
        b = modularity_optimization(graph, weighted=weighted, backend="numba")
        assert torch.equal(a.communities, b.communities)
        assert (a.ran_iterations, a.did_converge) == (b.ran_iterations, b.did_converge)
        assert a.modularity == pytest.approx(b.modularity, abs=1e-12)
    seeds = torch.tensor([float(u % 50) if u % 3 else NAN for u in range(n)])
    a = modularity_optimization(graph, seeds=seeds, backend="torch")
    b = modularity_optimization(graph, seeds=seeds, backend="numba")
    assert torch.equal(a.communities, b.communities)
    with pytest.raises(ValueError, match="backend"):
        modularity_optimization(graph, backend="igraph")


# ---------------------------------------------------------------------------- registry
def test_registry_keys():
    graph = example(node_properties={"seed": torch.tensor([1.0, 5.0, 2.0, 3.0, 2.0, 3.0])})
    proc = registry.get("modularityOptimization")
    ids = neo4j_gml.run("modularityOptimization", "stream", {"consecutiveIds": True}, graph=graph)
    assert ids["communityId"].tolist() == [0, 0, 0, 1, 0, 1]
    seeded = neo4j_gml.run(
        "modularityOptimization", "stream", {"seedProperty": "seed"}, graph=graph
    )
    assert seeded["communityId"].tolist() == [5, 5, 2, 3, 2, 3]
    # minCommunitySize (stream and write): the pair-communities {a, b}... all of size 2 here
    cfg = {"relationshipWeightProperty": "weight", "minCommunitySize": 3, "writeProperty": "c"}
    result = proc.compute(graph, proc.validate(cfg, "write"))
    assert result.mask is not None and bool(result.mask.all())
    small = {"seedProperty": "seed", "minCommunitySize": 3, "writeProperty": "c"}
    result = proc.compute(graph, proc.validate(small, "write"))
    assert result.mask is not None and not bool(result.mask.any())
    row = summarize(proc, result)  # the counts describe every community, not only those kept
    assert row["communityCount"] == 3 and row["communityDistribution"]["max"] == 2.0


def test_registry_refusals():
    graph = example(node_properties={"seed": torch.tensor([1.0, -5.0, 2.0, 3.0, 2.0, 3.0])})
    proc = registry.get("modularityOptimization")
    with pytest.raises(ConfigError, match="seedProperty"):
        neo4j_gml.run("modularityOptimization", "stream", {"seedProperty": "seed"}, graph=graph)
    with pytest.raises(ConfigError, match="consecutiveIds"):
        proc.validate({"seedProperty": "seed", "consecutiveIds": True}, "stream")
    for mode in ("stats", "mutate"):
        with pytest.raises(ConfigError, match="minCommunitySize"):
            proc.validate({"minCommunitySize": 2, "mutateProperty": "c"}, mode)
    bad = Graph.from_edges([0, 1], [1, 2], [1.0, -1.0], num_nodes=3, orientation="UNDIRECTED")
    with pytest.raises(ConfigError, match="relationshipWeightProperty"):
        neo4j_gml.run(
            "modularityOptimization", "stream", {"relationshipWeightProperty": "w"}, graph=bad
        )
