"""Louvain and Leiden: the numba and torch paths and the igraph back end against igraph's
modularity, NetworkX's modularity and planted partitions; Louvain's sequential pass against a
plain Python loop; registry entries end to end (graph given, no database)."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
import torch

import neo4j_gml
from neo4j_gml.algorithms.community.louvain import apply_seeds, leiden, louvain
from neo4j_gml.algorithms.community.metrics import modularity, nmi, undirected_arcs
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def graph_of(g: nx.Graph) -> Graph:
    nodes = list(g.nodes())
    at = {u: i for i, u in enumerate(nodes)}
    src, dst, w = [], [], []
    for u, v, d in g.edges(data=True):
        src.append(at[u])
        dst.append(at[v])
        w.append(float(d.get("weight", 1.0)))
    return Graph.from_edges(src, dst, w, num_nodes=len(nodes), orientation="UNDIRECTED")


def nx_modularity(g: nx.Graph, labels: torch.Tensor) -> float:
    nodes = list(g.nodes())
    groups: dict[int, set] = {}
    for node, c in zip(nodes, labels.tolist(), strict=True):
        groups.setdefault(c, set()).add(node)
    return nx.community.modularity(g, list(groups.values()), weight="weight")


SMALL = {
    "karate": nx.karate_club_graph,  # weighted (interaction counts)
    "lesmis": nx.les_miserables_graph,  # weighted (co-appearances)
}
SEEDS = range(5)


@pytest.mark.parametrize("name", list(SMALL))
@pytest.mark.parametrize(
    ("algo", "backend"), [(louvain, "torch"), (leiden, "torch"), (louvain, "numba")]
)
def test_our_paths_match_igraph_modularity(name, algo, backend):
    """Mean modularity over 5 seeds within 0.005 of igraph's mean; every run within 0.02."""
    g = SMALL[name]()
    graph = graph_of(g)
    ours = [algo(graph, backend=backend, random_seed=s) for s in SEEDS]
    theirs = [algo(graph, backend="igraph", random_seed=s) for s in SEEDS]
    for r in ours:
        # the reported modularity is the partition's real modularity (NetworkX oracle)
        assert r.modularity == pytest.approx(nx_modularity(g, r.communities), abs=1e-9)
        assert r.backend == backend
    ref = np.mean([r.modularity for r in theirs])
    assert np.mean([r.modularity for r in ours]) >= ref - 0.005
    assert min(r.modularity for r in ours) >= ref - 0.02


def test_igraph_backend_reports_true_modularity():
    g = nx.les_miserables_graph()
    r = louvain(graph_of(g), backend="igraph")
    assert r.backend == "igraph"
    assert r.modularity == pytest.approx(nx_modularity(g, r.communities), abs=1e-9)
    assert len(r.levels) == r.ran_levels >= 1


def planted_10k(seed: int = 7) -> tuple[Graph, torch.Tensor]:
    """10 blocks of 1000 nodes: ~16 random relationships per node inside its block and ~0.5 to
    a random node anywhere (a planted partition drawn with NumPy; nx's generator is O(n^2))."""
    rng = np.random.default_rng(seed)
    n, size = 10_000, 1000
    inside = rng.integers(0, n, 8 * n)
    partner = (inside // size) * size + rng.integers(0, size, inside.size)
    anywhere = rng.integers(0, n, (2, n // 4))
    src = np.concatenate([inside, anywhere[0]])
    dst = np.concatenate([partner, anywhere[1]])
    keep = src != dst
    graph = Graph.from_edges(src[keep], dst[keep], num_nodes=n, orientation="UNDIRECTED")
    return graph, torch.arange(n) // size


@pytest.mark.parametrize(
    ("algo", "backend"), [(louvain, "torch"), (leiden, "torch"), (louvain, "numba")]
)
def test_planted_partition_10k(algo, backend):
    """NMI >= 0.9 to the planted blocks and modularity within 0.005 of igraph's."""
    graph, truth = planted_10k()
    ours = algo(graph, backend=backend)
    ref = algo(graph, backend="igraph", random_seed=0)
    assert nmi(ref.communities, truth) >= 0.9  # the structure is strong enough for igraph
    assert nmi(ours.communities, truth) >= 0.9
    assert ours.modularity >= ref.modularity - 0.005


def test_nmi_helper():
    assert nmi([0, 0, 1, 1], [5, 5, 3, 3]) == pytest.approx(1.0)
    assert nmi([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(0.0)
    # hand computation: a = [0,0,0,1], b = [0,0,1,1]
    # I = 0.5 ln(0.5/(0.75*0.5)) + 0.25 ln(0.25/(0.75*0.5)) + 0.25 ln(0.25/(0.25*0.5))
    mi = 0.5 * math.log(0.5 / 0.375) + 0.25 * math.log(0.25 / 0.375) + 0.25 * math.log(2.0)
    ha = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))
    hb = math.log(2.0)
    assert nmi([0, 0, 0, 1], [0, 0, 1, 1]) == pytest.approx(2 * mi / (ha + hb))


def test_modularity_helper_matches_networkx_with_loops_and_parallel():
    # two triangles joined by one edge, a self-loop on 0 and a parallel edge 4-5
    src = [0, 1, 2, 3, 4, 5, 2, 0, 4]
    dst = [1, 2, 0, 4, 5, 3, 3, 0, 5]
    graph = Graph.from_edges(src, dst, num_nodes=6, orientation="UNDIRECTED")
    labels = torch.tensor([0, 0, 0, 1, 1, 1])
    multi = nx.MultiGraph(list(zip(src, dst, strict=True)))
    want = nx.community.modularity(multi, [{0, 1, 2}, {3, 4, 5}])
    assert modularity(*undirected_arcs(graph), labels) == pytest.approx(want, abs=1e-12)


@pytest.mark.parametrize(
    ("algo", "backend"),
    [(a, b) for a in (louvain, leiden) for b in ("torch", "igraph")] + [(louvain, "numba")],
)
def test_disconnected_loops_parallel_and_isolated(algo, backend):
    # two 4-cliques that are not connected, with a self-loop, a parallel edge, and node 8 alone
    edges = [(a, b) for a in range(4) for b in range(a + 1, 4)]
    edges += [(a + 4, b + 4) for a, b in edges] + [(0, 0), (5, 6)]
    src, dst = zip(*edges, strict=True)
    graph = Graph.from_edges(src, dst, num_nodes=9, orientation="UNDIRECTED")
    c = algo(graph, backend=backend).communities.tolist()
    assert len(set(c[:4])) == 1 and len(set(c[4:8])) == 1
    assert len({c[0], c[4], c[8]}) == 3


@pytest.mark.parametrize("algo", [louvain, leiden])
def test_empty_and_edgeless(algo):
    empty = Graph.from_edges([], [], num_nodes=0, orientation="UNDIRECTED")
    assert algo(empty, backend="torch").communities.numel() == 0
    lonely = Graph.from_edges([], [], num_nodes=3, orientation="UNDIRECTED")
    backends = ("torch", "igraph", "numba") if algo is louvain else ("torch", "igraph")
    for backend in backends:
        assert sorted(algo(lonely, backend=backend).communities.tolist()) == [0, 1, 2]
    if algo is louvain:
        assert algo(empty, backend="numba").communities.numel() == 0


@pytest.mark.parametrize("backend", ["torch", "numba"])
def test_directed_graph_is_symmetrised(backend):
    g = nx.karate_club_graph()
    src, dst = zip(*g.edges(), strict=True)
    directed = Graph.from_edges(src, dst, num_nodes=34)
    undirected = Graph.from_edges(src, dst, num_nodes=34, orientation="UNDIRECTED")
    a = louvain(directed, weighted=False, backend=backend, random_seed=1)
    b = louvain(undirected, weighted=False, backend=backend, random_seed=1)
    assert torch.equal(a.communities, b.communities)


def test_apply_seeds_keeps_seed_ids():
    final = torch.tensor([3, 3, 7, 7, 9, 9])
    seeds = torch.tensor([42.0, math.nan, 5.0, 42.0, math.nan, math.nan])
    # community {0,1} holds seed 42; {2,3} holds 5 and 42 -> 5; {4,5} has none -> fresh (43)
    assert apply_seeds(final, seeds).tolist() == [42, 42, 5, 5, 43, 43]
    split = torch.tensor([0, 1])  # one seed group split in two: the second gets a fresh id
    assert apply_seeds(split, torch.tensor([4.0, 4.0])).tolist() == [4, 5]


@pytest.mark.parametrize(
    ("algo", "backend"), [(louvain, "torch"), (leiden, "torch"), (louvain, "numba")]
)
def test_seeded_run_keeps_seeds(algo, backend):
    g = nx.planted_partition_graph(3, 20, 0.9, 0.01, seed=3)
    graph = graph_of(g)
    seeds = torch.tensor([100.0 + u // 20 for u in g.nodes()])
    c = algo(graph, seeds=seeds, backend=backend).communities
    assert apply_seeds(c, seeds).tolist() == [100 + u // 20 for u in g.nodes()]


# ---------------------------------------------------------------------------- registry
def test_registry_louvain_stream_and_stats():
    graph = graph_of(nx.karate_club_graph())
    frame = neo4j_gml.run(
        "louvain",
        "stream",
        {"relationshipWeightProperty": "weight", "includeIntermediateCommunities": True},
        graph=graph,
    )
    assert list(frame.columns) == ["nodeId", "communityId", "intermediateCommunityIds"]
    assert len(frame) == 34
    last = [int(x[-1]) for x in frame["intermediateCommunityIds"]]
    assert nmi(last, frame["communityId"].tolist()) == pytest.approx(1.0)
    stats = neo4j_gml.run("louvain", "stats", {"relationshipWeightProperty": "weight"}, graph=graph)
    assert stats["communityCount"] == len(set(frame["communityId"]))
    assert stats["modularity"] == pytest.approx(stats["modularities"][-1])
    assert stats["ranLevels"] == len(stats["modularities"])


def test_registry_leiden_seeded_and_consecutive():
    g = nx.karate_club_graph()
    graph = graph_of(g)
    club = torch.tensor([0.0 if g.nodes[u]["club"] == "Mr. Hi" else 1.0 for u in g.nodes()])
    graph = Graph.from_edges(
        graph.sources()[graph.sources() <= graph.indices],
        graph.indices[graph.sources() <= graph.indices],
        num_nodes=34,
        orientation="UNDIRECTED",
        node_properties={"club": club},
    )
    frame = neo4j_gml.run(
        "leiden", "stream", {"seedProperty": "club", "randomSeed": 3}, graph=graph
    )
    assert len(frame) == 34
    ids = neo4j_gml.run("leiden", "stream", {"consecutiveIds": True}, graph=graph)["communityId"]
    assert sorted(set(ids)) == list(range(len(set(ids))))


@pytest.mark.parametrize("name", ["louvain", "leiden"])
@pytest.mark.parametrize("bad", [math.nan, -1.0])
def test_registry_rejects_bad_weights(name, bad):
    graph = Graph.from_edges([0, 1], [1, 2], [1.0, bad], num_nodes=3, orientation="UNDIRECTED")
    with pytest.raises(ConfigError, match="relationshipWeightProperty"):
        neo4j_gml.run(name, "stream", {"relationshipWeightProperty": "w"}, graph=graph)


def test_registry_empty_graph():
    empty = Graph.from_edges([], [], num_nodes=0, orientation="UNDIRECTED")
    for name in ("louvain", "leiden"):
        assert len(neo4j_gml.run(name, "stream", {}, graph=empty)) == 0


@pytest.mark.parametrize("weighted", [True, False])
@pytest.mark.parametrize("gamma", [1.0, 0.6])
def test_igraph_levels_report_the_partitions_real_modularity(weighted, gamma):
    """The igraph back end reports igraph's per-level modularity (no recomputation); it must be
    the modularity of the returned partition as NetworkX computes it (1e-9), self-loops and
    parallel relationships included, and the unweighted run (igraph without a weight list)
    gives the same partition as the run with every weight 1."""
    rng = np.random.default_rng(3)
    n, m = 120, 500
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    dst[:15] = src[:15]  # self-loops
    w = rng.uniform(0.5, 3.0, m)
    graph = Graph.from_edges(src, dst, w, num_nodes=n, orientation="UNDIRECTED")
    g = nx.MultiGraph()
    g.add_nodes_from(range(n))
    for u, v, x in zip(src.tolist(), dst.tolist(), w.tolist(), strict=True):
        g.add_edge(u, v, weight=x if weighted else 1.0)
    r = louvain(graph, weighted=weighted, gamma=gamma, backend="igraph", random_seed=2)
    assert r.backend == "igraph" and len(r.levels) >= 1
    for level, q in zip(r.levels, r.modularities, strict=True):
        groups: dict[int, set] = {}
        for node, c in enumerate(level.tolist()):
            groups.setdefault(c, set()).add(node)
        oracle = nx.community.modularity(
            g, list(groups.values()), weight="weight", resolution=gamma
        )
        assert q == pytest.approx(oracle, abs=1e-9)
    if not weighted:  # without self-loops every weight is 1: igraph's unweighted path
        s, d = src[15:], dst[15:]
        plain = Graph.from_edges(s, d, w[15:], num_nodes=n, orientation="UNDIRECTED")
        ones = Graph.from_edges(s, d, np.ones(m - 15), num_nodes=n, orientation="UNDIRECTED")
        a = louvain(plain, weighted=False, gamma=gamma, backend="igraph", random_seed=2)
        b = louvain(ones, weighted=True, gamma=gamma, backend="igraph", random_seed=2)
        assert torch.equal(a.communities, b.communities) and a.modularities == b.modularities


# ---------------------------------------------------------------------------- numba path
def python_pass(indptr, indices, weights, kdeg, comm, order, gamma, m2):
    """One sequential Louvain pass in plain Python (Blondel et al.): each node in ``order``
    leaves its community and joins the neighbouring one of largest gain
    ``w(v, c) - gamma k_v K_c / m2``, ties to the smallest community id, staying unless the best
    gain beats staying by more than 1e-10 (relative). Returns the moves and the modularity gain."""
    comm = comm.copy()
    sigma = {}
    for v, c in enumerate(comm.tolist()):
        sigma[c] = sigma.get(c, 0.0) + kdeg[v]
    moves, gained = 0, 0.0
    for v in order.tolist():
        if indptr[v] == indptr[v + 1]:
            continue
        links: dict[int, float] = {}
        for p in range(indptr[v], indptr[v + 1]):
            c = int(comm[indices[p]])
            links[c] = links.get(c, 0.0) + weights[p]
        own, kv = int(comm[v]), kdeg[v]
        sigma[own] -= kv
        stay = links.get(own, 0.0) - gamma * kv * sigma[own] / m2
        best, target = stay, own
        for c in sorted(links):
            gain = links[c] - gamma * kv * sigma.get(c, 0.0) / m2
            if c != own and (gain > best or (gain == best and target != own and c < target)):
                best, target = gain, c
        if target != own and best > stay + 1e-10 * (abs(stay) + 1.0):
            comm[v] = target
            moves += 1
            gained += best - stay
        else:
            target = own
        sigma[target] += kv
    return comm, moves, 2.0 * gained / m2


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_numba_pass_equals_a_python_loop(seed):
    """The compiled pass moves exactly the nodes the plain loop moves (same order, same ties),
    on a weighted random multigraph with self-loops, from singletons and from a random start."""
    from neo4j_gml.algorithms.community._modularity_opt import LevelGraph
    from neo4j_gml.algorithms.community._sequential_moving import _pass, level_csr

    rng = np.random.default_rng(seed)
    n, m = 300, 1500
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    dst[:20] = src[:20]
    w = rng.choice([1.0, 2.0, 0.5], m)  # repeated weights: ties happen
    graph = Graph.from_edges(src, dst, w, num_nodes=n, orientation="UNDIRECTED")
    level = LevelGraph.from_arcs(*undirected_arcs(graph), n)
    indptr, indices, weights = level_csr(level)
    kdeg = level.kdeg.numpy()
    m2 = float(undirected_arcs(graph)[2].sum())
    for start in (np.arange(n), rng.integers(0, 40, n)):
        for gamma in (1.0, 0.5):
            order = rng.permutation(n)
            want, want_moves, want_gain = python_pass(
                indptr, indices, weights, kdeg, start, order, gamma, m2
            )
            comm = start.astype(np.int64).copy()
            sigma = np.bincount(comm, weights=kdeg, minlength=n)
            scratch = (np.zeros(n), np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64))
            moves, gained = _pass(
                indptr, indices, weights, kdeg, comm, sigma, order, gamma, m2, *scratch
            )
            assert moves == want_moves > 0
            assert np.array_equal(comm, want)
            assert gained == pytest.approx(want_gain, rel=1e-9)
            # the volumes were kept up to date and the gain is the modularity's real change
            assert np.allclose(sigma, np.bincount(comm, weights=kdeg, minlength=n))
            q0 = level.quality(torch.from_numpy(start.astype(np.int64)), gamma, m2)
            q1 = level.quality(torch.from_numpy(comm), gamma, m2)
            assert q1 - q0 == pytest.approx(gained, abs=1e-12)


def test_numba_path_beside_igraph_on_a_power_law_graph():
    """100k relationships of the benchmark's power-law graph (no planted structure, where
    Louvains differ most): modularity within 0.002 of igraph's, every level's reported value
    the partition's real modularity (1e-9), and GDS's maxIterations honoured."""
    from benchmarks.graphs import power_law_edges

    src, dst = power_law_edges(10_000, 100_000)
    graph = Graph.from_edges(src, dst, orientation="UNDIRECTED")
    ours = louvain(graph, backend="numba")
    ref = louvain(graph, backend="igraph")
    assert ours.backend == "numba"
    assert ours.modularity >= ref.modularity - 0.002
    arcs = undirected_arcs(graph)
    for level, q in zip(ours.levels, ours.modularities, strict=True):
        assert q == pytest.approx(modularity(*arcs, level), abs=1e-9)
    assert 1 < ours.ran_iterations <= 10 * ours.ran_levels
    one = louvain(graph, backend="numba", max_iterations=1, max_levels=3)
    assert one.ran_iterations == one.ran_levels <= 3
    again = louvain(graph, backend="numba")
    assert torch.equal(again.communities, ours.communities)  # seeded order: repeatable


def test_backend_refusals():
    graph = graph_of(nx.karate_club_graph())
    with pytest.raises(ValueError, match="seeds"):
        louvain(graph, backend="igraph", seeds=torch.zeros(34))
    with pytest.raises(ValueError, match="Louvain only"):
        leiden(graph, backend="numba")
    assert louvain(graph).backend == "numba"  # auto on the CPU
