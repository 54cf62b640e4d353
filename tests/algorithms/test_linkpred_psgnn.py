"""PSGNN: anchor distances, the position-sensing layers, the learned anchor selection, quality.

Oracles: ``networkx.single_source_shortest_path_length`` with a cutoff for the capped hop
distances (exact); a hand-written loop over every (node, anchor) pair of the P-GNN message
``ReLU(W [w f_v || w f_a] + b)`` with networkx distances for the position layers (1e-5); finite
differences (``torch.autograd.gradcheck``) for the gradient that reaches the anchor selector; and
on a ring of identical cliques with constant features, where only position tells the cliques
apart, the plain graph auto-encoder trained by the same trainer (PSGNN must beat it by a wide
margin in test AUC).
"""

from __future__ import annotations

import networkx as nx
import pytest
import torch

from neo4j_gml.algorithms.linkpred import adjacency
from neo4j_gml.algorithms.linkpred.gnn import build_link_model, train_link_model
from neo4j_gml.algorithms.linkpred.layers import propagation_matrix
from neo4j_gml.algorithms.linkpred.psgnn import (
    PsgnnModel,
    anchor_distances,
    default_anchor_count,
)
from neo4j_gml.algorithms.linkpred.split import split_edges

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _adj(g: nx.Graph, device: str = "cpu") -> adjacency.Adjacency:
    src, dst = zip(*g.edges(), strict=True)
    return adjacency.from_edges(
        torch.tensor(src, device=device), torch.tensor(dst, device=device), g.number_of_nodes()
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("cap", [0, 1, 3, 50])
def test_anchor_distances_match_networkx(seed: int, cap: int, device: str) -> None:
    # sparse random graphs: several components and isolated nodes (unreachable anchors)
    g = nx.gnm_random_graph(70, 75 + 10 * seed, seed=seed)
    adj = _adj(g, device)
    gen = torch.Generator().manual_seed(seed)
    anchors = torch.randint(0, 70, (12,), generator=gen)
    anchors[3] = anchors[0]  # a repeated anchor
    got = anchor_distances(adj, anchors.to(device), cap)
    assert got.shape == (70, 12) and got.dtype == torch.int64 and got.device.type == device
    expected = torch.full((70, 12), cap + 1, dtype=torch.int64)
    for i, a in enumerate(anchors.tolist()):
        for v, d in nx.single_source_shortest_path_length(g, a, cutoff=cap).items():
            expected[v, i] = d
    assert torch.equal(got.cpu(), expected)


def test_anchor_distances_edge_cases() -> None:
    adj = _adj(nx.path_graph(4))
    assert anchor_distances(adj, torch.tensor([], dtype=torch.int64), 2).shape == (4, 0)
    with pytest.raises(ValueError, match="max_distance"):
        anchor_distances(adj, torch.tensor([0]), -1)
    with pytest.raises(ValueError, match="anchors"):
        anchor_distances(adj, torch.tensor([4]), 2)
    assert [default_anchor_count(n) for n in (0, 1, 2, 4, 100, 2708)] == [0, 1, 1, 4, 36, 121]


def test_position_layers_match_hand_written_messages() -> None:
    g = nx.connected_watts_strogatz_graph(16, 4, 0.3, seed=3)
    g.add_edge(16, 17)  # a component no anchor reaches
    adj = _adj(g)
    torch.manual_seed(0)
    x = torch.randn(18, 5)
    model = PsgnnModel(
        5, hidden=6, anchors=4, max_distance=2, position_layers=2, position_dim=3, temperature=0.0
    ).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn_like(p))
        h, anchors = model.encode_with_anchors(x, adj)
        f = model.backbone(x, propagation_matrix(adj, "GCN"))
        scores = model.selector(f).squeeze(-1)
    assert torch.equal(anchors, torch.topk(scores, 4).indices)  # temperature 0: the top scores
    assert not {16, 17} & set(anchors.tolist())
    weight = torch.zeros(18, 4)  # P-GNN's 1 / (d + 1) within the cap, times the anchor's gate
    for v in range(18):
        for i, a in enumerate(anchors.tolist()):
            d = nx.shortest_path_length(g, v, a) if nx.has_path(g, v, a) else 99
            weight[v, i] = (1.0 / (d + 1) if d <= 2 else 0.0) * torch.sigmoid(scores[a])
    position = torch.zeros(18, 4)
    with torch.no_grad():
        for layer in model.position:
            w = torch.cat([layer.node.weight, layer.anchor.weight], dim=1)  # W of [f_v || f_a]
            structure = torch.zeros(18, w.shape[0])
            for v in range(18):
                for i, a in enumerate(anchors.tolist()):
                    pair = torch.cat([weight[v, i] * f[v], weight[v, i] * f[a]])
                    message = torch.relu(w @ pair + layer.bias)
                    position[v, i] = layer.out(message)[0]
                    structure[v] += message / 4
            f = structure  # the mean message: the next layer's input
    expected = position - position.mean(dim=1, keepdim=True)
    expected = expected / expected.norm(dim=1, keepdim=True).clamp_min(1e-12)
    torch.testing.assert_close(h, expected, atol=1e-5, rtol=1e-5)
    # the unreached component: every message is ReLU(b), the centred position is zero
    assert h[16:].abs().max() < 1e-6 and (h[:16].norm(dim=1) > 0.99).all()


@pytest.mark.parametrize("temperature", [0.0, 1.0])
def test_shapes_sparse_features_and_determinism(temperature: float, device: str) -> None:
    g = nx.barabasi_albert_graph(50, 2, seed=1)
    adj = _adj(g, device)
    x = (torch.rand(50, 8, generator=torch.Generator().manual_seed(0)) < 0.3).float().to(device)

    def build() -> PsgnnModel:
        torch.manual_seed(4)
        return PsgnnModel(8, hidden=12, position_dim=5, temperature=temperature).to(device)

    model = build().eval()
    h, anchors = model.encode_with_anchors(x, adj)
    k = default_anchor_count(50)
    assert h.shape == (50, k) and anchors.shape == (k,) and len(set(anchors.tolist())) == k
    norms = h.norm(dim=1)  # unit length, or zero where every message is cut off by the ReLU
    assert (((norms - 1).abs() < 1e-5) | (norms < 1e-6)).all() and (norms > 0.5).sum() >= 40
    # evaluation selects the top scores (or with a fixed Gumbel seed): the same anchors and
    # embeddings on every encode
    h2, anchors2 = model.encode_with_anchors(x, adj)
    assert torch.equal(anchors, anchors2) and torch.equal(h, h2)
    h_sparse, anchors_sparse = model.encode_with_anchors(x.to_sparse(), adj)
    assert torch.equal(anchors_sparse, anchors)
    torch.testing.assert_close(h_sparse, h, atol=1e-4, rtol=1e-4)
    logits = model.score(
        h, adj, torch.tensor([0, 1], device=device), torch.tensor([2, 3], device=device)
    )
    assert logits.shape == (2,) and torch.isfinite(logits).all()
    # training draws new dropout masks (and Gumbel noise) per encode, reproducibly under
    # torch.manual_seed
    model.train()
    torch.manual_seed(7)
    first = [model.encode_with_anchors(x, adj)[1] for _ in range(3)]
    torch.manual_seed(7)
    again = [model.encode_with_anchors(x, adj)[1] for _ in range(3)]
    assert all(torch.equal(a, b) for a, b in zip(first, again, strict=True))
    assert not torch.equal(first[0], first[1])
    # the same seed builds the same model
    other = build().eval()
    assert torch.equal(other.encode_with_anchors(x, adj)[0], h)


class _Linear(torch.nn.Module):
    """A linear layer whose weights are plain tensors (the inputs of a gradient check)."""

    def __init__(self, weight: torch.Tensor, bias: torch.Tensor) -> None:
        super().__init__()
        self.w, self.b = weight, bias

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.linear(h, self.w, self.b)


def test_anchor_selector_is_trained_end_to_end() -> None:
    g = nx.connected_watts_strogatz_graph(30, 4, 0.2, seed=5)
    adj = _adj(g)
    torch.manual_seed(1)
    x = torch.randn(30, 4)
    model = PsgnnModel(4, hidden=8, anchors=5, position_dim=4, temperature=0.0, input_dropout=0.0)
    a, b = torch.tensor([0, 3, 7, 11]), torch.tensor([1, 15, 20, 29])

    def loss_of(h: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.softplus(-model.score(h, adj, a, b)).sum()

    loss_of(model.encode(x, adj)).backward()
    grad = model.selector.weight.grad
    assert grad is not None and grad.abs().sum() > 0
    assert model.backbone.weights[0].weight.grad.abs().sum() > 0

    # the selector's gradient agrees with finite differences, in float64 on the backbone's
    # output (temperature 0 and random features: no ties, so small steps keep the anchors)
    model.eval()
    with torch.no_grad():
        h = model.backbone(x, propagation_matrix(adj, "GCN")).double()
    model.double()
    selector = model.selector

    def loss_of_selector(weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        model.selector = _Linear(weight, bias)
        try:
            return loss_of(model.sense(h, adj)[0])
        finally:
            model.selector = selector

    weight = selector.weight.detach().clone().requires_grad_(True)
    bias = selector.bias.detach().clone().requires_grad_(True)
    assert torch.autograd.gradcheck(loss_of_selector, (weight, bias), eps=1e-6, atol=1e-6)

    # a few steps on the loss change which nodes score highest
    model.float().train()
    with torch.no_grad():
        before = model.selector(model.backbone(x, propagation_matrix(adj, "GCN"))).squeeze(-1)
    opt = torch.optim.Adam(model.selector.parameters(), lr=0.5)
    for _ in range(5):
        opt.zero_grad()
        loss_of(model.encode(x, adj)).backward()
        opt.step()
    with torch.no_grad():
        after = model.selector(model.backbone(x, propagation_matrix(adj, "GCN"))).squeeze(-1)
    assert not torch.equal(torch.topk(before, 5).indices, torch.topk(after, 5).indices)


def test_parameters_are_checked() -> None:
    with pytest.raises(ValueError, match="backbone"):
        PsgnnModel(3, backbone="GAT")
    with pytest.raises(ValueError, match="max_distance"):
        PsgnnModel(3, max_distance=-1)
    with pytest.raises(ValueError, match="temperature"):
        PsgnnModel(3, temperature=-0.5)
    with pytest.raises(ValueError, match="position_layers"):
        PsgnnModel(3, position_layers=0)
    built = build_link_model("PSGNN", 3, hidden=8, encoder="GCN", mlp_layers=2, anchors=4)
    assert isinstance(built, PsgnnModel) and built.anchor_count(100) == 4


def test_beats_the_graph_auto_encoder_where_only_position_matters() -> None:
    # 40 identical 6-cliques on a ring, constant features: a message-passing GNN embeds every
    # clique alike (it sees degrees only), distances to anchors tell the cliques apart
    g = nx.ring_of_cliques(40, 6)
    adj = _adj(g)
    split = split_edges(adj, test_fraction=0.2, validation_fraction=0.1, seed=0)
    x = torch.ones(adj.num_nodes, 1)
    common = dict(
        hidden=32, epochs=30, batch_size=256, learning_rate=0.01, input_dropout=0.0, k=50, seed=0
    )
    _, gae = train_link_model(x, split, model="GAE", **common)
    model, psgnn = train_link_model(x, split, model="PSGNN", **common)
    # chance is 0.5 (+- 0.04 with these 128 test edges); GAE is at or below it
    assert gae.test["aucRoc"] < 0.65, gae.test
    assert psgnn.test["aucRoc"] > 0.85, psgnn.test
    assert psgnn.test["aucRoc"] > gae.test["aucRoc"] + 0.3
    assert psgnn.test["hitsAtK"] > gae.test["hitsAtK"] + 0.3
    assert isinstance(model, PsgnnModel) and not model.training
