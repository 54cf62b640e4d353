"""SEAL: enclosing subgraphs, double radius node labels, and the model learning from them.

Oracles: NetworkX's ``ego_graph`` union and ``subgraph`` for the enclosing subgraphs and
``single_source_shortest_path_length`` on the subgraph with the other end removed for the DRNL
distances (exact); the DRNL formula evaluated by hand on the paper's small cases; a graph whose
links follow a local rule no node feature reveals (features are constant), which only a model
that reads structure can learn.
"""

from __future__ import annotations

import networkx as nx
import pytest
import torch

from neo4j_gml.algorithms.linkpred import adjacency
from neo4j_gml.algorithms.linkpred.gnn import train_link_model
from neo4j_gml.algorithms.linkpred.seal import SealModel, drnl_labels, enclosing_subgraphs
from neo4j_gml.algorithms.linkpred.split import split_edges

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _adj(g: nx.Graph) -> adjacency.Adjacency:
    src, dst = zip(*g.edges(), strict=True)
    return adjacency.from_edges(torch.tensor(src), torch.tensor(dst), g.number_of_nodes())


@pytest.mark.parametrize("hops", [1, 2])
def test_enclosing_subgraphs_match_networkx(hops: int) -> None:
    g = nx.gnm_random_graph(40, 90, seed=hops)
    adj = _adj(g)
    gen = torch.Generator().manual_seed(0)
    a = torch.randint(0, 40, (25,), generator=gen)
    b = (a + torch.randint(1, 40, (25,), generator=gen)) % 40
    sub = enclosing_subgraphs(adj, a, b, hops=hops, max_distance=40)
    for i, (u, v) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
        nodes = set(nx.ego_graph(g, u, hops)) | set(nx.ego_graph(g, v, hops))
        mine = sub.pair == i
        got_nodes = sub.node[mine].tolist()
        assert got_nodes == sorted(nodes)
        h = g.subgraph(nodes).copy()
        if h.has_edge(u, v):
            h.remove_edge(u, v)
        index = {
            int(k): node for k, node in zip(torch.nonzero(mine).flatten(), got_nodes, strict=True)
        }
        edge_mask = mine[sub.src]
        got_edges = {
            (index[int(s)], index[int(t)])
            for s, t in zip(sub.src[edge_mask], sub.dst[edge_mask], strict=True)
        }
        assert got_edges == {(x, y) for x, y in h.edges()} | {(y, x) for x, y in h.edges()}
        assert index[int(sub.first[i])] == u and index[int(sub.second[i])] == v
        for end, other, dist in ((u, v, sub.dist_first), (v, u, sub.dist_second)):
            without = h.copy()
            without.remove_node(other)
            expected = nx.single_source_shortest_path_length(without, end)
            for k, node in index.items():
                assert int(dist[k]) == expected.get(node, -1), (u, v, node)


def test_drnl_labels_follow_the_paper_formula() -> None:
    # (d1, d2) -> label: ends 1; (1,1) 2; (1,2)/(2,1) 3; (1,3) 4; (2,2) 5; (2,3) 7; unreachable 0
    d1 = torch.tensor([0, 3, 1, 1, 2, 2, 1, 2, 3, -1, 4])
    d2 = torch.tensor([-1, 0, 1, 2, 1, 2, 3, 3, 2, 2, -1])
    assert drnl_labels(d1, d2).tolist() == [1, 1, 2, 3, 3, 5, 4, 7, 7, 0, 0]
    # the closed form against the definition "rank of the pair {d1, d2} ordered by (d, min)"
    pairs = sorted(
        {(x, y) for x in range(1, 9) for y in range(x, 9) if x + y <= 9},
        key=lambda p: (p[0] + p[1], p[0]),
    )
    labels = drnl_labels(torch.tensor([p[0] for p in pairs]), torch.tensor([p[1] for p in pairs]))
    # the pairs {d1, d2} in that order get the labels 2, 3, 4, ...: one label per distinct pair
    assert labels.tolist() == list(range(2, 2 + len(pairs)))


def test_the_target_link_is_not_in_its_own_subgraph() -> None:
    g = nx.cycle_graph(6)
    adj = _adj(g)
    sub = enclosing_subgraphs(adj, torch.tensor([0]), torch.tensor([1]), hops=1)
    pairs = {(int(sub.node[s]), int(sub.node[t])) for s, t in zip(sub.src, sub.dst, strict=True)}
    assert (0, 1) not in pairs and (1, 0) not in pairs
    # without the link, 0 and 1 are not connected inside the 1-hop subgraph {5, 0, 1, 2}
    assert sub.dist_first[sub.second].item() == -1


def test_seal_learns_a_structural_rule_that_features_cannot_show() -> None:
    # communities of triangles-rich ties: a link closes a triangle far more often than not;
    # features are constant, so a feature-only model (GAE) has nothing to go on.
    g = nx.relaxed_caveman_graph(12, 8, 0.15, seed=3)
    g = nx.convert_node_labels_to_integers(g)
    adj = _adj(g)
    s = split_edges(adj, test_fraction=0.2, validation_fraction=0.1, seed=1)
    x = torch.ones(g.number_of_nodes(), 1)
    torch.manual_seed(0)
    _, seal = train_link_model(
        x,
        s,
        model="SEAL",
        hidden=16,
        layers=2,
        epochs=12,
        batch_size=64,
        learning_rate=0.01,
        k=20,
        options={"hops": 1},
    )
    _, gae = train_link_model(
        x,
        s,
        model="GAE",
        hidden=16,
        epochs=12,
        batch_size=64,
        learning_rate=0.01,
        k=20,
        input_dropout=0.0,
    )
    assert seal.test["aucRoc"] > 0.85, seal.test
    assert seal.test["aucRoc"] > gae.test["aucRoc"] + 0.1, (seal.test, gae.test)


def test_seal_scores_are_per_pair_and_batch_independent() -> None:
    g = nx.karate_club_graph()
    adj = _adj(g)
    torch.manual_seed(4)
    model = SealModel(3, hidden=8, layers=2).eval()
    x = torch.randn(34, 3)
    h = model.encode(x, adj)
    a, b = torch.tensor([0, 5, 33, 2]), torch.tensor([1, 6, 32, 20])
    together = model.score(h, adj, a, b)
    alone = torch.stack([model.score(h, adj, a[i : i + 1], b[i : i + 1])[0] for i in range(4)])
    torch.testing.assert_close(together, alone, atol=1e-5, rtol=1e-5)
    assert model.score(h, adj, a[:0], b[:0]).shape == (0,)
