"""Weakly connected components: both back ends against NetworkX."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import torch

from neo4j_gml.algorithms.community import wcc
from neo4j_gml.core.graph import Graph


def _random_graph(seed: int, n: int = 300, m: int = 260) -> Graph:
    rng = np.random.default_rng(seed)
    src = torch.as_tensor(rng.integers(0, n, m))
    dst = torch.as_tensor(rng.integers(0, n, m))
    weights = torch.as_tensor(rng.random(m))
    return Graph.from_edges(src, dst, weights, num_nodes=n)


def _oracle(graph: Graph, threshold: float | None = None) -> np.ndarray:
    """Smallest member of each node's component, from NetworkX."""
    g = nx.Graph()
    g.add_nodes_from(range(graph.num_nodes))
    src, dst = graph.edge_index()
    w = graph.arc_weights()
    for s, d, x in zip(src.tolist(), dst.tolist(), w.tolist(), strict=True):
        if threshold is None or x > threshold:
            g.add_edge(s, d)
    out = np.empty(graph.num_nodes, dtype=np.int64)
    for comp in nx.connected_components(g):
        out[list(comp)] = min(comp)
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("threshold", [None, 0.5])
def test_both_back_ends_match_networkx(seed: int, threshold: float | None, device: str) -> None:
    graph = _random_graph(seed)
    want = _oracle(graph, threshold)
    # CPU: SciPy; CUDA: the torch path
    got = wcc.weakly_connected_components(graph.to(device), threshold=threshold)
    np.testing.assert_array_equal(got.cpu().numpy(), want)
    src, dst = graph.sources(), graph.indices
    if threshold is not None:
        keep = graph.weights > threshold
        src, dst = src[keep], dst[keep]
    torch_path = wcc._smallest_member(graph.num_nodes, src, dst)  # what CUDA runs
    np.testing.assert_array_equal(torch_path.numpy(), want)


def test_seeds_name_their_components() -> None:
    graph = Graph.from_edges(torch.tensor([0, 2, 4]), torch.tensor([1, 3, 4]), num_nodes=6)
    seeds = torch.tensor([float("nan"), 7.0, float("nan"), float("nan"), 3.0, float("nan")])
    got = wcc.weakly_connected_components(graph, seeds=seeds).tolist()
    assert got[0] == got[1] == 7 and got[4] == 3
    assert got[2] == got[3] and got[2] > 7 and got[5] > 7 and got[5] != got[2]


def test_empty_graph() -> None:
    graph = Graph.from_edges(
        torch.empty(0, dtype=torch.long), torch.empty(0, dtype=torch.long), num_nodes=0
    )
    assert wcc.weakly_connected_components(graph).numel() == 0
