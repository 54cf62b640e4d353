"""A torch sparse CSR adjacency matrix with caller-chosen arc values."""

from __future__ import annotations

import warnings

import torch

from neo4j_gml.core.graph import Graph

__all__ = ["adjacency"]


def adjacency(graph: Graph, values: torch.Tensor) -> torch.Tensor:
    """``A[u, v] = sum of values of arcs u -> v`` as sparse CSR on the graph's device.

    ``values`` has one entry per arc in CSR order; its dtype is kept.
    """
    n = graph.num_nodes
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "sparse CSR support is in beta"
        return torch.sparse_csr_tensor(
            graph.indptr, graph.indices, values, size=(n, n), check_invariants=False
        )
