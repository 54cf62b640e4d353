"""Graph construction, aggregation, conversion: checked by hand and against NetworkX."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import torch

from neo4j_gml.core.graph import Graph, resolve_device


def test_csr_rows_are_sorted_out_neighbours() -> None:
    g = Graph.from_edges([2, 0, 0, 1], [0, 2, 1, 2], num_nodes=3)
    assert g.indptr.tolist() == [0, 2, 3, 4]
    assert g.indices.tolist() == [1, 2, 2, 0]
    assert g.out_degree().tolist() == [2, 1, 1]
    assert g.in_degree().tolist() == [1, 1, 2]
    assert g.edge_index().tolist() == [[0, 0, 1, 2], [1, 2, 2, 0]]


def test_reverse_and_undirected_orientation() -> None:
    rev = Graph.from_edges([0, 0], [1, 2], num_nodes=3, orientation="REVERSE")
    assert rev.edge_index().tolist() == [[1, 2], [0, 0]]
    und = Graph.from_edges([0, 1], [1, 1], num_nodes=2, orientation="UNDIRECTED")
    # the self-loop is stored twice, so degrees are NetworkX's
    assert und.out_degree().tolist() == [1, 3]
    assert dict(und.to_networkx().degree()) == {0: 1, 1: 3}
    assert und.num_relationships == 2


@pytest.mark.parametrize(
    ("aggregation", "weights"),
    [
        ("SUM", [3.0, 3.0]),
        ("MIN", [1.0, 3.0]),
        ("MAX", [2.0, 3.0]),
        ("COUNT", [2.0, 1.0]),
        ("SINGLE", [1.0, 3.0]),
        ("NONE", [1.0, 2.0, 3.0]),
    ],
)
def test_aggregation_of_parallel_relationships(aggregation: str, weights: list[float]) -> None:
    g = Graph.from_edges([0, 0, 1], [1, 1, 0], [1.0, 2.0, 3.0], aggregation=aggregation)
    assert g.weights.tolist() == weights


def test_positions_of_maps_neo4j_ids_and_rejects_unknown() -> None:
    g = Graph.from_edges([0], [1], node_ids=[40, 7, 19])
    assert g.positions_of([19, 40]).tolist() == [2, 0]
    with pytest.raises(KeyError, match="99"):
        g.positions_of([7, 99])


def test_to_networkx_matches_edges_and_weights() -> None:
    g = Graph.from_edges([0, 0, 1], [1, 1, 2], [1.0, 2.0, 5.0], node_ids=[10, 11, 12])
    nxg = g.to_networkx()
    assert isinstance(nxg, nx.DiGraph)
    assert nxg[10][11]["weight"] == 3.0 and nxg[11][12]["weight"] == 5.0


def test_to_pyg_and_properties() -> None:
    g = Graph.from_edges(
        [0, 1], [1, 2], node_properties={"a": [1.0, 2.0, 3.0], "v": [[1, 2], [3, 4], [5, 6]]}
    )
    data = g.to_pyg()
    assert data.edge_index.tolist() == [[0, 1], [1, 2]]
    assert data.x.shape == (3, 3)
    assert data.node_ids.tolist() == [0, 1, 2]


def test_transpose_round_trip_and_empty_graph() -> None:
    g = Graph.from_edges([0, 0, 2], [1, 2, 1], [1.0, 2.0, 3.0], num_nodes=3)
    t = g.transpose()
    assert t.orientation == "REVERSE"
    assert sorted(zip(*t.edge_index().tolist(), strict=True)) == [(1, 0), (1, 2), (2, 0)]
    empty = Graph.from_edges([], [], num_nodes=0)
    assert empty.num_nodes == 0 and empty.num_arcs == 0


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="orientation"):
        Graph.from_edges([0], [1], orientation="SIDEWAYS")
    with pytest.raises(ValueError, match="positions"):
        Graph.from_edges([0], [5], num_nodes=2)
    with pytest.raises(ValueError, match="CUDA"):
        if torch.cuda.is_available():
            raise ValueError("CUDA present: nothing to check")
        resolve_device("cuda")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_undirected_is_from_edges_undirected(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = 40, 300
    src, dst, w = rng.integers(0, n, m), rng.integers(0, n, m), rng.random(m)
    src[:5] = dst[:5]  # self-loops
    src[5:10], dst[5:10] = src[10:15], dst[10:15]  # parallel arcs
    natural = Graph.from_edges(src, dst, w, num_nodes=n)
    fast = natural.undirected()
    oracle = Graph.from_edges(
        natural.sources(), natural.indices, natural.weights, num_nodes=n, orientation="UNDIRECTED"
    )
    assert torch.equal(fast.indptr, oracle.indptr)
    assert torch.equal(fast.indices, oracle.indices)
    assert torch.equal(fast.weights, oracle.weights)
    assert fast.num_relationships == m
    empty = Graph.from_edges([], [], num_nodes=3).undirected()
    assert empty.indptr.tolist() == [0, 0, 0, 0] and empty.num_arcs == 0
