"""Node embeddings from orbit adjacencies (GOPMI), and from random-walk co-occurrences (RWPMI)
for comparison: the positive pointwise mutual information of a co-occurrence matrix, factorised
by a truncated SVD, as NetMF factorises DeepWalk's implicit matrix.

For a co-occurrence matrix ``M`` (an orbit adjacency of :mod:`.orbit_adjacency`, symmetrised,
or the random-walk matrix ``sum_{r=1..T} (D^-1 A)^r D^-1``): ``PMI(u, v) = log(vol(M) M(u, v) /
(M(u, .) M(., v)))``, kept where positive (PPMI), then ``U_d sqrt(S_d)`` of its rank-``d``
SVD. Several matrices give their embeddings side by side.
"""

from __future__ import annotations

import torch

from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.errors import ParameterError
from neo4j_gml.core.graph import Graph

__all__ = ["ppmi_embedding", "random_walk_matrix"]


def ppmi_embedding(matrix: torch.Tensor, dimension: int, *, random_seed: int = 0) -> torch.Tensor:
    """The rank-``dimension`` PPMI-SVD embedding of a sparse co-occurrence ``matrix``.

    Parameters
    ----------
    matrix : torch.Tensor
        Sparse (COO) or dense ``[n, n]`` non-negative counts; symmetrised first.
    dimension : int
        Columns of the embedding (at most ``n``).
    random_seed : int
        Seed of the randomised SVD.

    Returns
    -------
    torch.Tensor
        ``float32[n, dimension]``; rows of nodes without co-occurrences are zero.

    Raises
    ------
    ParameterError
        A non-positive ``dimension``.

    References
    ----------
    J. Qiu et al., "Network embedding as matrix factorization: unifying DeepWalk, LINE, PTE, and
    node2vec", WSDM 2018; S. F. L. Windels, N. Malod-Dognin and N. Pržulj, "Graphlets correct for
    the topological information missed by random walks", arXiv:2405.14194 (2024).

    Examples
    --------
    >>> m = torch.tensor([[0.0, 2, 0, 0], [2, 0, 1, 0], [0, 1, 0, 3], [0, 0, 3, 0]]).to_sparse()
    >>> ppmi_embedding(m, 2).shape
    torch.Size([4, 2])
    """
    if dimension < 1:
        raise ParameterError("dimension", f"must be positive, got {dimension}")
    m = matrix.to_sparse() if not matrix.is_sparse else matrix
    m = ((m + m.t()) * 0.5).coalesce().to(torch.float64)
    n = m.shape[0]
    index, values = m.indices(), m.values()
    keep = values > 0
    index, values = index[:, keep], values[keep]
    rows = torch.zeros(n, dtype=torch.float64, device=values.device).index_add_(0, index[0], values)
    vol = values.sum()
    if values.numel() == 0:
        return torch.zeros((n, dimension), dtype=torch.float32, device=values.device)
    pmi = torch.log(vol * values / (rows[index[0]] * rows[index[1]]))
    positive = pmi > 0
    ppmi = torch.sparse_coo_tensor(
        index[:, positive], pmi[positive], (n, n), check_invariants=False
    ).coalesce()
    rank = min(dimension, n)
    with torch.random.fork_rng(devices=[values.device] if values.device.type == "cuda" else []):
        torch.manual_seed(random_seed)
        u, s, _ = torch.svd_lowrank(ppmi, q=min(rank + 10, n), niter=4)
    out = (u[:, :rank] * s[:rank].clamp(min=0).sqrt()).to(torch.float32)
    if rank < dimension:
        out = torch.cat([out, out.new_zeros((n, dimension - rank))], dim=1)
    return out


def random_walk_matrix(graph: Graph, window: int) -> torch.Tensor:
    """DeepWalk's expected co-occurrence matrix for walks within ``window`` steps:
    ``sum_{r=1..window} (D^-1 A)^r D^-1`` on the simple undirected graph (dense ``float64``;
    for the graphs of the comparison, thousands of nodes).

    Parameters
    ----------
    graph : Graph
        Any orientation; read undirected.
    window : int
        ``T`` (1 = the adjacency itself, scaled).

    Returns
    -------
    torch.Tensor
        ``float64[n, n]``.

    References
    ----------
    J. Qiu et al., "Network embedding as matrix factorization", WSDM 2018, theorem 2.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1], [1, 2])
    >>> random_walk_matrix(g, 1)[1].tolist()
    [0.5, 0.0, 0.5]
    """
    from neo4j_gml.algorithms.community.triangles import simple_edges

    n = graph.num_nodes
    u, v = simple_edges(graph)
    a = torch.zeros((n, n), dtype=torch.float64, device=u.device)
    a[u, v] = 1.0
    a[v, u] = 1.0
    d = a.sum(1).clamp(min=1.0)
    p = a / d[:, None]
    total = torch.zeros_like(a)
    power = torch.eye(n, dtype=torch.float64, device=u.device)
    for _ in range(window):
        checkpoint()
        power = power @ p
        total = total + power
    return total / d[None, :]
