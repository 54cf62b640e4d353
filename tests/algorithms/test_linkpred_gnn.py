"""Edge split, ranking metrics, the GNN encoder and the NCN decoder.

Oracles: brute-force pair counting for AUC-ROC (Mann-Whitney), the textbook average precision
loop for AUC-PR, a direct count for HR@K and MRR (exact); PyTorch Geometric's ``GCNConv`` and
``SAGEConv`` with the same weights for the encoder (1e-5); a hand-written sum over common
neighbours for the NCN decoder (1e-6); a planted-structure graph the model must learn.
"""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest
import torch

from neo4j_gml.algorithms.linkpred import adjacency
from neo4j_gml.algorithms.linkpred.gnn import (
    LinkModel,
    predict_logits,
    propagation_matrix,
    train_link_model,
)
from neo4j_gml.algorithms.linkpred.metrics import auc_pr, auc_roc, hits_at_k, mrr
from neo4j_gml.algorithms.linkpred.split import SplitError, split_edges, undirected_edges

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _adj(g: nx.Graph) -> adjacency.Adjacency:
    src, dst = zip(*g.edges(), strict=True)
    return adjacency.from_edges(torch.tensor(src), torch.tensor(dst), g.number_of_nodes())


def _keys(e: torch.Tensor, n: int) -> set[int]:
    return set((e[0] * n + e[1]).tolist())


def test_split_has_no_leakage_and_valid_negatives() -> None:
    g = nx.gnm_random_graph(60, 300, seed=3)
    adj = _adj(g)
    s = split_edges(adj, test_fraction=0.2, validation_fraction=0.1, negative_ratio=2.0, seed=5)
    n = 60
    train, valid, test = _keys(s.train, n), _keys(s.valid, n), _keys(s.test, n)
    assert not (train & valid) and not (train & test) and not (valid & test)
    assert train | valid | test == _keys(undirected_edges(adj), n)
    assert (len(test), len(valid)) == (60, 30)
    neg_t, neg_v = _keys(s.test_neg, n), _keys(s.valid_neg, n)
    assert len(neg_t) == 120 and len(neg_v) == 60 and not (neg_t & neg_v)
    for u, v in torch.cat([s.test_neg, s.valid_neg], 1).t().tolist():
        assert u < v and not g.has_edge(u, v)
    again = split_edges(adj, test_fraction=0.2, validation_fraction=0.1, negative_ratio=2.0, seed=5)
    assert torch.equal(again.test, s.test) and torch.equal(again.test_neg, s.test_neg)


def test_split_too_small_graph_is_a_clear_error() -> None:
    adj = _adj(nx.path_graph(3))
    with pytest.raises(SplitError, match="2 relationships"):
        split_edges(adj, test_fraction=0.2, validation_fraction=0.1)


def test_metrics_against_brute_force() -> None:
    rng = np.random.default_rng(0)
    pos = torch.tensor(np.round(rng.normal(1, 1, 50), 1))
    neg = torch.tensor(np.round(rng.normal(0, 1, 70), 1))
    wins = sum((p > q) + 0.5 * (p == q) for p, q in itertools.product(pos.tolist(), neg.tolist()))
    assert auc_roc(pos, neg) == pytest.approx(wins / (50 * 70), abs=1e-12)
    # average precision: precision at each distinct threshold, weighted by recall gained
    scores = np.concatenate([pos.numpy(), neg.numpy()])
    labels = np.concatenate([np.ones(50), np.zeros(70)])
    ap = 0.0
    for t in np.unique(scores)[::-1]:
        sel = scores >= t
        gained = ((scores == t) & (labels == 1)).sum()
        ap += gained / 50 * labels[sel].sum() / sel.sum()
    assert auc_pr(pos, neg) == pytest.approx(ap, abs=1e-12)
    kth = sorted(neg.tolist(), reverse=True)[9]
    assert hits_at_k(pos, neg, 10) == pytest.approx(np.mean([p > kth for p in pos.tolist()]))
    ranks = [1 + sum(q >= p for q in neg.tolist()) for p in pos.tolist()]
    assert mrr(pos, neg) == pytest.approx(np.mean([1 / r for r in ranks]), abs=1e-12)


@pytest.mark.parametrize("conv", ["GCN", "SAGE"])
def test_encoder_matches_pyg(conv: str) -> None:
    from torch_geometric.nn import GCNConv, SAGEConv

    g = nx.gnm_random_graph(30, 70, seed=1)
    g.add_node(30)  # an isolated node
    adj = _adj(g)
    torch.manual_seed(0)
    x = torch.randn(31, 5)
    model = LinkModel(5, hidden=4, layers=1, encoder=conv, input_dropout=0.0).eval()
    enc = model.encoder
    edge_index = torch.stack([adj.indices, torch.repeat_interleave(torch.arange(31), adj.degree)])
    if conv == "GCN":
        ref = GCNConv(5, 4)
        ref.lin.weight.data.copy_(enc.weights[0].weight)
        ref.bias.data.copy_(torch.randn(4))
        enc.biases[0].data.copy_(ref.bias)
    else:
        ref = SAGEConv(5, 4)
        ref.lin_l.weight.data.copy_(enc.weights[0].weight)
        ref.lin_r.weight.data.copy_(enc.roots[0].weight)
        enc.biases[0].data.copy_(ref.lin_l.bias)
    expected = ref(x, edge_index)
    got = enc(x, propagation_matrix(adj, conv))
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-5)
    got_sparse = enc(x.to_sparse(), propagation_matrix(adj, conv))
    torch.testing.assert_close(got_sparse, expected, atol=1e-5, rtol=1e-5)


def test_ncn_decoder_sums_common_neighbours() -> None:
    g = nx.karate_club_graph()
    adj = _adj(g)
    torch.manual_seed(1)
    model = LinkModel(3, hidden=6, decoder="NCN").eval()
    h = torch.randn(34, 6)
    a, b = torch.tensor([0, 5, 33, 2]), torch.tensor([1, 6, 32, 20])
    got = model.score(h, adj, a, b)
    expected = []
    for u, v in zip(a.tolist(), b.tolist(), strict=True):
        cn = sum((h[k] for k in nx.common_neighbors(g, u, v)), torch.zeros(6))
        z = torch.cat([h[u] * h[v], cn])[None]
        expected.append(model.decoder.mlp(z)[0, 0])
    torch.testing.assert_close(got, torch.stack(expected), atol=1e-6, rtol=1e-6)


def test_ncnc_adds_residual_neighbours_weighted_by_completed_links() -> None:
    g = nx.karate_club_graph()
    adj = _adj(g)
    torch.manual_seed(2)
    model = LinkModel(3, hidden=6, decoder="NCNC", pt=0.6, scale=2.0, offset=0.5, alpha=0.8)
    model = model.eval()
    dec = model.decoder
    h = torch.randn(34, 6)
    a, b = torch.tensor([0, 5, 33, 2, 0]), torch.tensor([1, 6, 32, 20, 33])
    got = model.score(h, adj, a, b)

    gh = dec.neighbor_features(h)  # what a neighbour adds: h + MLP(h)

    def ncn(u: int, v: int) -> torch.Tensor:  # the decoder without completion
        cn = sum((gh[k] for k in nx.common_neighbors(g, u, v)), torch.zeros(6))
        return dec.head(h, torch.tensor([u]), torch.tensor([v]), cn[None])[0]

    def weight(logit: torch.Tensor) -> torch.Tensor:
        p0 = torch.sigmoid(2.0 * (logit - 0.5))
        return 0.8 * 0.6 * p0 / (0.6 * p0 + 1 - p0)

    expected = []
    for u, v in zip(a.tolist(), b.tolist(), strict=True):
        cn = sum((gh[k] for k in nx.common_neighbors(g, u, v)), torch.zeros(6))
        for near, far in ((u, v), (v, u)):
            for k in g[near]:
                if k != far and not g.has_edge(far, k):
                    cn = cn + weight(ncn(far, k)) * gh[k]
        expected.append(dec.head(h, torch.tensor([u]), torch.tensor([v]), cn[None])[0])
    torch.testing.assert_close(got, torch.stack(expected).detach(), atol=1e-5, rtol=1e-5)
    # the head: MLP(beta * MLP_cn(cn) + MLP_ij(h_a * h_b)), the branches ending in ReLU
    cn = torch.randn(1, 6)
    direct = dec.mlp(dec.neighbor_mlp(cn[0]) * dec.beta + dec.pair_mlp(h[0] * h[1]))
    torch.testing.assert_close(dec.head(h, a[:1], b[:1], cn), direct)
    assert isinstance(dec.pair_mlp[-1], torch.nn.ReLU) and isinstance(
        dec.neighbor_mlp[-1], torch.nn.ReLU
    )
    assert dec.neighbor_lin(h).ne(0).any() and not torch.equal(gh, h)


def test_ncnc_samples_at_most_the_residual_limit_per_end() -> None:
    from neo4j_gml.algorithms.linkpred.gnn import _sample_per_pair

    pair = torch.tensor([0] * 10 + [1] * 3 + [3] * 7)
    torch.manual_seed(0)
    picks = torch.zeros(10)
    for _ in range(300):
        keep = _sample_per_pair(pair, 4, None)
        assert torch.bincount(pair[keep], minlength=4).tolist() == [4, 3, 0, 4]
        picks += keep[:10].float()
    # uniform among pair 0's ten entries: each kept with probability 0.4 (300 draws: +-0.15)
    assert ((picks / 300) - 0.4).abs().max() < 0.15, picks
    # in evaluation the model samples with a fixed seed: the same logits twice
    g = nx.barabasi_albert_graph(60, 6, seed=1)
    adj = _adj(g)
    model = LinkModel(4, hidden=8, decoder="NCNC", test_residuals=2).eval()
    h = torch.randn(60, 8)
    a, b = torch.arange(0, 20), torch.arange(20, 40)
    torch.testing.assert_close(model.score(h, adj, a, b), model.score(h, adj, a, b))


@pytest.mark.parametrize("model_name", ["NCN", "NCNC", "GAE"])
def test_training_learns_planted_communities(model_name: str) -> None:
    # 4 dense communities, sparse between them; features: a noisy community indicator
    g = nx.planted_partition_graph(4, 20, 0.35, 0.01, seed=2)
    adj = _adj(g)
    s = split_edges(adj, test_fraction=0.2, validation_fraction=0.1, seed=0)
    torch.manual_seed(0)
    x = torch.eye(4).repeat_interleave(20, 0) + 0.1 * torch.randn(80, 4)
    model, report = train_link_model(
        x, s, model=model_name, hidden=16, epochs=15, batch_size=128, learning_rate=0.02, k=20
    )
    assert report.epochs == 15 and 1 <= report.best_epoch <= 15
    assert report.test["aucRoc"] > 0.85, report.test
    logits = predict_logits(model, x, adj, s.test[0], s.test[1])
    assert logits.shape == (s.test.shape[1],) and torch.isfinite(logits).all()


def test_two_layer_encoder_is_conv_norm_relu_conv() -> None:
    from torch_geometric.nn import GCNConv

    g = nx.gnm_random_graph(25, 60, seed=4)
    adj = _adj(g)
    x = torch.randn(25, 6)
    model = LinkModel(6, hidden=5, layers=2, encoder="GCN", input_dropout=0.0).eval()
    enc = model.encoder
    edge_index = torch.stack([adj.indices, torch.repeat_interleave(torch.arange(25), adj.degree)])
    convs = [GCNConv(6, 5), GCNConv(5, 5)]
    for conv, lin, bias in zip(convs, enc.weights, enc.biases, strict=True):
        conv.lin.weight.data.copy_(lin.weight)
        conv.bias.data.copy_(bias)
    hidden = torch.relu(enc.norms[0](convs[0](x, edge_index)))
    expected = convs[1](hidden, edge_index)
    got = enc(x, propagation_matrix(adj, "GCN"))
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-5)
