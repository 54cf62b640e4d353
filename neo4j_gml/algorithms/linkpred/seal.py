"""SEAL: link prediction from the enclosing subgraph of each pair.

For a pair ``(i, j)`` SEAL (Zhang and Chen 2018) takes the subgraph induced by the nodes within
``hops`` of ``i`` or ``j``, labels every node of it by its distances to the two ends (double
radius node labelling, DRNL), and lets a GNN read the labelled subgraph: the model learns which
local structures around a pair make a link likely, which is what heuristics such as common
neighbours or Adamic-Adar hard-code.

All subgraphs of a batch of pairs are extracted at once, as one block-diagonal graph, with tensor
operations (no Python loop over pairs): the union of ``hops`` neighbour expansions per pair, the
induced relationships found by binary search over the sorted ``(pair, node)`` keys, and the two
distances of DRNL by breadth-first search from the two ends (each with the other end removed, as
the paper prescribes), capped at ``max_distance``.

The GNN here: a learned embedding of the DRNL label added to a linear projection of the node's
features, ``layers`` GCN layers over the subgraph (tanh, as DGCNN), the layers' outputs
concatenated, then ``MLP([h_i * h_j || mean over the subgraph])``: the two ends' representations
and the subgraph's mean. The paper reads out with DGCNN's sort pooling; reading out the two
target nodes (and a mean pool) is the choice of its later implementation for large graphs
(SEAL-OGB) and keeps a batch one sparse product per layer.

The target link itself is never in its own subgraph: training removes a batch's edges from the
graph (see :func:`~neo4j_gml.algorithms.linkpred.gnn.train_link_model`), and extraction drops a
relationship between the two ends if one is there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import torch
from torch import nn

from neo4j_gml.algorithms.linkpred.adjacency import Adjacency, expand, find_sorted
from neo4j_gml.algorithms.linkpred.layers import LinkPredictor, feature_dropout, linear
from neo4j_gml.core.cancellation import checkpoint

__all__ = ["EnclosingSubgraphs", "SealModel", "drnl_labels", "enclosing_subgraphs"]


@dataclass(frozen=True)
class EnclosingSubgraphs:
    """The enclosing subgraphs of ``p`` pairs as one block-diagonal graph.

    Attributes
    ----------
    pair : torch.Tensor
        ``int64[N]``: the pair each subgraph node belongs to (sorted).
    node : torch.Tensor
        ``int64[N]``: its node position in the whole graph.
    src, dst : torch.Tensor
        ``int64[E]``: the induced relationships, both directions, as indices into ``pair``.
    first, second : torch.Tensor
        ``int64[p]``: the subgraph indices of each pair's two ends.
    dist_first, dist_second : torch.Tensor
        ``int64[N]``: each node's hop distance to the first end with the second removed, and
        the reverse; ``-1`` where farther than ``max_distance`` or unreachable.
    """

    pair: torch.Tensor
    node: torch.Tensor
    src: torch.Tensor
    dst: torch.Tensor
    first: torch.Tensor
    second: torch.Tensor
    dist_first: torch.Tensor
    dist_second: torch.Tensor


def _distances(
    src: torch.Tensor,
    dst: torch.Tensor,
    size: int,
    start: torch.Tensor,
    blocked: torch.Tensor,
    max_distance: int,
) -> torch.Tensor:
    """Hop distances from ``start`` over the arcs ``src -> dst`` that avoid ``blocked`` nodes;
    ``-1`` beyond ``max_distance``."""
    dist = torch.full((size,), -1, dtype=torch.int64, device=src.device)
    dist[start] = 0
    usable = ~blocked[src] & ~blocked[dst]
    s, d = src[usable], dst[usable]
    for t in range(max_distance):
        checkpoint()
        reach = d[(dist[s] == t) & (dist[d] < 0)]
        if reach.numel() == 0:
            break
        dist[reach] = t + 1
    return dist


def enclosing_subgraphs(
    adj: Adjacency, a: torch.Tensor, b: torch.Tensor, *, hops: int = 1, max_distance: int = 6
) -> EnclosingSubgraphs:
    """The ``hops``-hop enclosing subgraph of every pair ``(a[i], b[i])``, batched.

    Parameters
    ----------
    adj : Adjacency
        The graph to extract from.
    a, b : torch.Tensor
        ``int64[p]`` node positions of the pairs (``a[i] != b[i]``).
    hops : int
        Radius: nodes within ``hops`` of either end are in the subgraph.
    max_distance : int
        Distances to the ends are searched up to this many hops inside the subgraph.

    Returns
    -------
    EnclosingSubgraphs
        The subgraphs; a relationship between the two ends of a pair is left out.

    Notes
    -----
    ``O(S * d log S)`` for ``S`` subgraph nodes in all and ``d`` their mean degree.

    References
    ----------
    M. Zhang and Y. Chen, "Link prediction based on graph neural networks", NeurIPS 2018,
    section 4 (enclosing subgraph extraction).

    Examples
    --------
    >>> from neo4j_gml.algorithms.linkpred.adjacency import from_edges
    >>> adj = from_edges(torch.tensor([0, 1, 2, 3]), torch.tensor([1, 2, 3, 4]), 5)  # a path
    >>> sub = enclosing_subgraphs(adj, torch.tensor([1]), torch.tensor([3]), hops=1)
    >>> sub.node.tolist(), sub.dist_first.tolist(), sub.dist_second.tolist()
    ([0, 1, 2, 3, 4], [1, 0, 1, -1, -1], [-1, -1, 1, 0, 1])
    """
    n, device = adj.num_nodes, adj.device
    p = a.numel()
    pair = torch.arange(p, device=device).repeat(2)
    frontier_pair, frontier_node = pair, torch.cat([a, b])
    keys = torch.unique(pair * n + frontier_node)
    for _ in range(hops):
        checkpoint()
        owner, nb = expand(adj, frontier_node)
        new = torch.unique(frontier_pair[owner] * n + nb)
        seen, _ = find_sorted(keys, new)
        new = new[~seen]
        if new.numel() == 0:
            break
        keys = torch.unique(torch.cat([keys, new]))
        frontier_pair = torch.div(new, n, rounding_mode="floor")
        frontier_node = new - frontier_pair * n
    sub_pair = torch.div(keys, n, rounding_mode="floor")
    sub_node = keys - sub_pair * n
    owner, nb = expand(adj, sub_node)
    found, pos = find_sorted(keys, sub_pair[owner] * n + nb)
    src, dst = owner[found], pos[found]
    _, first = find_sorted(keys, torch.arange(p, device=device) * n + a)
    _, second = find_sorted(keys, torch.arange(p, device=device) * n + b)
    is_first = torch.zeros(keys.numel(), dtype=torch.bool, device=device)
    is_second = torch.zeros_like(is_first)
    is_first[first], is_second[second] = True, True
    target = (is_first[src] & is_second[dst]) | (is_second[src] & is_first[dst])
    src, dst = src[~target], dst[~target]
    size = keys.numel()
    return EnclosingSubgraphs(
        pair=sub_pair,
        node=sub_node,
        src=src,
        dst=dst,
        first=first,
        second=second,
        dist_first=_distances(src, dst, size, first, is_second, max_distance),
        dist_second=_distances(src, dst, size, second, is_first, max_distance),
    )


def drnl_labels(dist_first: torch.Tensor, dist_second: torch.Tensor) -> torch.Tensor:
    """Double radius node labels from the distances to the two ends (``-1``: unreachable).

    ``1 + min(d1, d2) + (d // 2) * (d // 2 + d % 2 - 1)`` with ``d = d1 + d2``; the ends are
    ``1``; a node unreachable from either end is ``0``. Equal labels mean equal distance pairs
    ``{d1, d2}``, and the label grows with the distances.

    Parameters
    ----------
    dist_first, dist_second : torch.Tensor
        ``int64[N]`` hop distances to each end (with the other end removed).

    Returns
    -------
    torch.Tensor
        ``int64[N]`` labels.

    References
    ----------
    M. Zhang and Y. Chen, "Link prediction based on graph neural networks", NeurIPS 2018,
    equation 3.

    Examples
    --------
    >>> drnl_labels(torch.tensor([0, 1, 1, 2, 1, -1]), torch.tensor([-1, 0, 1, 1, 2, 1])).tolist()
    [1, 1, 2, 3, 3, 0]
    """
    d1, d2 = dist_first, dist_second
    d = d1 + d2
    half = torch.div(d, 2, rounding_mode="floor")
    label = 1 + torch.minimum(d1, d2) + half * (half + d % 2 - 1)
    label = torch.where((d1 < 0) | (d2 < 0), torch.zeros_like(label), label)
    return torch.where((d1 == 0) | (d2 == 0), torch.ones_like(label), label)


class SealModel(LinkPredictor):
    """SEAL: a GNN over each pair's DRNL-labelled enclosing subgraph.

    :meth:`encode` projects the node features once (``x W``); :meth:`score` extracts the pairs'
    subgraphs (:func:`enclosing_subgraphs`) and runs the GNN over them.

    Parameters
    ----------
    in_dim : int
        Number of input features.
    hidden : int
        Width of the GCN layers.
    layers : int
        GCN layers over each subgraph.
    dropout : float
        Dropout before the readout MLP.
    input_dropout : float
        Dropout on the input features.
    hops : int
        Radius of the enclosing subgraphs.
    max_label : int
        DRNL labels above this share one embedding.
    max_distance : int
        Distances searched inside a subgraph (farther nodes are labelled as unreachable).

    References
    ----------
    M. Zhang and Y. Chen, "Link prediction based on graph neural networks", NeurIPS 2018.

    Examples
    --------
    >>> from neo4j_gml.algorithms.linkpred.adjacency import from_edges
    >>> adj = from_edges(torch.tensor([0, 0, 1, 2]), torch.tensor([1, 2, 2, 3]), 4)
    >>> model = SealModel(2, hidden=8).eval()
    >>> h = model.encode(torch.ones(4, 2), adj)
    >>> model.score(h, adj, torch.tensor([0, 1]), torch.tensor([3, 3])).shape
    torch.Size([2])
    """

    def __init__(
        self,
        in_dim: int,
        *,
        hidden: int = 32,
        layers: int = 3,
        dropout: float = 0.5,
        input_dropout: float = 0.0,
        hops: int = 2,
        max_label: int = 50,
        max_distance: int = 6,
    ) -> None:
        super().__init__()
        self.hops, self.max_label, self.max_distance = hops, max_label, max_distance
        self.project = nn.Linear(in_dim, hidden, bias=False)
        self.label_embedding = nn.Embedding(max_label + 1, hidden)
        self.convs = nn.ModuleList([nn.Linear(hidden, hidden) for _ in range(layers)])
        width = hidden * layers
        self.readout = nn.Sequential(
            nn.Linear(2 * width, hidden), nn.ReLU(), nn.Dropout(dropout), nn.Linear(hidden, 1)
        )
        self.input_dropout = input_dropout

    def encode(self, x: torch.Tensor, adj: Adjacency) -> torch.Tensor:
        """``float32[n, hidden]``: the projected node features (``adj`` is not used here)."""
        x = feature_dropout(x, self.input_dropout, self.training)
        return linear(x, self.project.weight)

    def score(
        self, h: torch.Tensor, adj: Adjacency, a: torch.Tensor, b: torch.Tensor
    ) -> torch.Tensor:
        """``float32[p]``: the logit of each pair from its enclosing subgraph in ``adj``."""
        if a.numel() == 0:
            return torch.zeros(0, device=h.device)
        sub = enclosing_subgraphs(adj, a, b, hops=self.hops, max_distance=self.max_distance)
        labels = drnl_labels(sub.dist_first, sub.dist_second).clamp_(max=self.max_label)
        z = h[sub.node] + self.label_embedding(labels)
        size = sub.node.numel()
        loops = torch.arange(size, device=h.device)
        rows, cols = torch.cat([sub.dst, loops]), torch.cat([sub.src, loops])
        deg = torch.bincount(rows, minlength=size).to(z.dtype)
        inv = deg.rsqrt()
        prop = torch.sparse_coo_tensor(
            torch.stack([rows, cols]), inv[rows] * inv[cols], (size, size), check_invariants=False
        ).coalesce()
        outs = []
        for conv in self.convs:
            z = torch.tanh(torch.sparse.mm(prop, conv(z)))
            outs.append(z)
        z = torch.cat(outs, dim=1)
        p = a.numel()
        counts = torch.bincount(sub.pair, minlength=p).clamp_(min=1).to(z.dtype)
        mean = torch.zeros(p, z.shape[1], dtype=z.dtype, device=z.device).index_add_(
            0, sub.pair, z
        ) / counts.unsqueeze(1)
        out = self.readout(torch.cat([z[sub.first] * z[sub.second], mean], dim=1))
        return cast(torch.Tensor, out).squeeze(-1)
