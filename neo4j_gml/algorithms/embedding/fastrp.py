"""FastRP: fast random projection node embeddings (Chen et al. 2019), with GDS's semantics."""

from __future__ import annotations

import math
import secrets
from collections.abc import Sequence

import torch

from neo4j_gml.algorithms.embedding._hashrng import sparse_signs, uniform
from neo4j_gml.algorithms.embedding._sparse import adjacency
from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.graph import Graph

__all__ = ["SPARSITY", "fast_rp", "fastrp_initial_vectors", "property_dimension"]

SPARSITY = 3  # entries are +-sqrt(3/d) with probability 1/6 each, 0 with probability 2/3
_ENTRY_PROBABILITY = 1.0 / (2 * SPARSITY)
_CHUNK = 1 << 15
_EPSILON = 10.0 / torch.finfo(torch.float32).max  # norms below this count as zero


def _sparse_entries(u: torch.Tensor, value: torch.Tensor | float) -> torch.Tensor:
    """Map uniforms to ``+value`` (p=1/6), ``-value`` (p=1/6) or 0 (p=2/3)."""
    sign = (u < _ENTRY_PROBABILITY).to(torch.float32) - (
        (u >= _ENTRY_PROBABILITY) & (u < 2 * _ENTRY_PROBABILITY)
    ).to(torch.float32)
    return sign * value


def _safe_norm(x: torch.Tensor) -> torch.Tensor:
    """Row L2 norms ``[n, 1]``, with 1 where a norm is below ``_EPSILON`` (GDS: zero rows stay 0)."""
    norm = x.norm(dim=1, keepdim=True)
    return torch.where(norm < _EPSILON, torch.ones_like(norm), norm)


def property_dimension(embedding_dimension: int, property_ratio: float) -> int:
    """Columns fed by the feature projection: ``int(embeddingDimension * propertyRatio)``.

    Parameters
    ----------
    embedding_dimension : int
        ``d``, the embedding dimension.
    property_ratio : float
        Share of the columns given to the node properties, in ``[0, 1]``.

    Returns
    -------
    int
        The number of property columns (the last columns of the embedding).

    References
    ----------
    H. Chen, S. F. Sultan, Y. Tian, M. Chen, S. Skiena, "Fast and accurate network embeddings
    via very sparse random projection", CIKM 2019; GDS manual, Fast Random Projection.

    Examples
    --------
    >>> property_dimension(64, 0.25)
    16
    """
    return int(embedding_dimension * property_ratio)


def fastrp_initial_vectors(
    graph: Graph,
    embedding_dimension: int,
    *,
    normalization_strength: float = 0.0,
    features: torch.Tensor | None = None,
    property_ratio: float = 0.0,
    random_seed: int = 0,
) -> torch.Tensor:
    """The initial (iteration 0) vectors of :func:`fast_rp`, ``float32[n, d]``.

    The first ``d - p`` columns (``p = int(d * propertyRatio)``) of node ``u`` are a very sparse
    random projection row: ``+-sqrt(3 / d) * deg(u) ** normalizationStrength`` with
    probability 1/6 each, else 0 (``deg`` = out-arcs in the projection; a node of degree 0
    gets factor 1). The entries depend only on ``randomSeed`` and the node's Neo4j id, so a node
    gets the same vector on any device and in any projection that holds it. The last ``p``
    columns are ``features[u] @ P`` with ``P[f, p]`` a random matrix of the same kind and the
    *same* entry value ``+-sqrt(3 / d)``, not degree-scaled.

    Parameters
    ----------
    graph : Graph
        The projection (any device; the work runs there).
    embedding_dimension : int
        ``d >= 1``.
    normalization_strength : float
        Exponent of the degree scaling.
    features : torch.Tensor or None
        ``float[n, f]`` node features for the property part, or ``None``.
    property_ratio : float
        Share of the ``d`` columns given to the features, in ``[0, 1]``.
    random_seed : int
        Seed of the random projection.

    Returns
    -------
    torch.Tensor
        ``float32[n, d]`` initial vectors.

    Notes
    -----
    Measured on GDS 2.13 (propertyRatio 0.1, 0.37, 0.5, 0.8): its feature-projection entries
    equal its base entries in magnitude and carry no degree scaling. Only that ratio shows in
    :func:`fast_rp`'s output; one common scale of all of ``R`` cancels in the normalisations.

    References
    ----------
    H. Chen, S. F. Sultan, Y. Tian, M. Chen, S. Skiena, "Fast and accurate network embeddings
    via very sparse random projection", CIKM 2019; GDS manual, Fast Random Projection.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2, 3], [1, 2, 3, 0], orientation="UNDIRECTED")  # a 4-cycle
    >>> r = fastrp_initial_vectors(g, 6, random_seed=42)
    >>> r.shape, sorted(set(r.double().round(decimals=4).flatten().tolist()))
    (torch.Size([4, 6]), [-0.7071, 0.0, 0.7071])
    """
    n, d = graph.num_nodes, embedding_dimension
    pd = property_dimension(d, property_ratio) if features is not None else 0
    base = d - pd
    device = graph.device
    out = torch.zeros(n, d, dtype=torch.float32, device=device)
    if n == 0:
        return out
    deg = graph.out_degree().to(torch.float32)
    scaling = torch.where(deg > 0, deg.clamp(min=1) ** normalization_strength, torch.ones_like(deg))
    entry = math.sqrt(SPARSITY / d)
    ids = graph.node_ids.to(device)
    for start in range(0, n, _CHUNK):
        checkpoint()
        stop = min(start + _CHUNK, n)
        if base > 0:
            signs = sparse_signs(random_seed, ids[start:stop], base)
            out[start:stop, :base] = signs * (entry * scaling[start:stop, None])
    if pd > 0 and features is not None:
        f = features.reshape(n, -1).to(device=device, dtype=torch.float32)
        keys = torch.arange(f.shape[1], dtype=torch.long, device=device)
        proj = _sparse_entries(uniform(random_seed ^ 0x5EED, keys, pd), entry)
        out[:, base:] = f @ proj
    return out


def fast_rp(
    graph: Graph,
    embedding_dimension: int,
    *,
    iteration_weights: Sequence[float] = (0.0, 1.0, 1.0),
    normalization_strength: float = 0.0,
    node_self_influence: float = 0.0,
    weighted: bool = False,
    features: torch.Tensor | None = None,
    property_ratio: float = 0.0,
    random_seed: int | None = None,
) -> torch.Tensor:
    """FastRP node embeddings as GDS's ``gds.fastRP`` computes them.

    ``R`` = :func:`fastrp_initial_vectors` (very sparse random projection with sparsity 3, rows
    scaled by ``deg ** normalizationStrength``, optional feature projection in the last
    ``int(d * propertyRatio)`` columns). The result starts as
    ``nodeSelfInfluence * R_u / ||R_u||``. Then with ``X_0 = R``, for each ``i``:
    ``X_{i+1}[u] = (sum over arcs u->v of w(u,v) * X_i[v]) / deg(u)`` (``deg`` counts arcs,
    ``w = 1`` unweighted) and the result gains ``iterationWeights[i] * X_{i+1} / ||X_{i+1}||``.

    Parameters
    ----------
    graph : Graph
        The projection (any device; the work runs there).
    embedding_dimension : int
        ``d >= 1``.
    iteration_weights : sequence of float
        One weight per propagation step (non-empty).
    normalization_strength : float
        Exponent of the degree scaling of ``R``.
    node_self_influence : float
        Weight of the normalised initial vector.
    weighted : bool
        Use the graph's weights as ``w``.
    features : torch.Tensor or None
        ``float[n, f]`` node features for the property part, or ``None``.
    property_ratio : float
        Share of the ``d`` columns given to the features, in ``[0, 1]``.
    random_seed : int or None
        Same seed, same graph => identical output on every device; ``None`` draws one.

    Returns
    -------
    torch.Tensor
        ``float32[n, d]`` embeddings.

    Raises
    ------
    ValueError
        ``embedding_dimension < 1`` or empty ``iteration_weights``.

    Notes
    -----
    As in GDS (checked against GDS 2.13 to float precision), ``X_{i+1}`` itself is *not*
    normalised before the next step, so a neighbour's influence grows with the norm of its
    averaged vector (and with ``deg ** normalizationStrength`` through ``R``). Arcs are followed
    in the projection's orientation: ``NATURAL`` (the default, as in GDS) aggregates
    *out*-neighbours, so a node without out-relationships gets only its self-influence;
    ``UNDIRECTED`` is what most users want.

    Complexity: ``O(len(iteration_weights) * m * d)`` time (sparse-dense products),
    ``O(n * d)`` memory.

    References
    ----------
    H. Chen, S. F. Sultan, Y. Tian, M. Chen, S. Skiena, "Fast and accurate network embeddings
    via very sparse random projection", CIKM 2019; GDS manual, Fast Random Projection.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2, 3], [1, 2, 3, 0], orientation="UNDIRECTED")  # a 4-cycle
    >>> e = fast_rp(g, 8, iteration_weights=[1.0], random_seed=42)
    >>> e.shape, e.dtype
    (torch.Size([4, 8]), torch.float32)
    >>> e.norm(dim=1).double().round(decimals=3).tolist()  # one normalised step per node
    [1.0, 1.0, 1.0, 1.0]
    >>> torch.equal(e, fast_rp(g, 8, iteration_weights=[1.0], random_seed=42))
    True
    """
    if embedding_dimension < 1:
        raise ValueError("embedding_dimension must be at least 1")
    if len(iteration_weights) == 0:
        raise ValueError("iteration_weights must not be empty")
    seed = secrets.randbits(63) if random_seed is None else int(random_seed)
    n, d = graph.num_nodes, embedding_dimension
    device = graph.device
    x = fastrp_initial_vectors(
        graph,
        d,
        normalization_strength=normalization_strength,
        features=features,
        property_ratio=property_ratio,
        random_seed=seed,
    )
    result = torch.zeros(n, d, dtype=torch.float32, device=device)
    if n == 0:
        return result
    if node_self_influence != 0.0:
        result += node_self_influence * x / _safe_norm(x)
    if graph.num_arcs == 0:
        return result
    values = (
        graph.weights.to(torch.float32)
        if weighted and graph.weights is not None
        else torch.ones(graph.num_arcs, dtype=torch.float32, device=device)
    )
    adj = adjacency(graph, values)
    inv_deg = 1.0 / graph.out_degree().clamp(min=1).to(torch.float32)
    for weight in iteration_weights:
        # GDS carries the degree-averaged vectors to the next step *unnormalised*; only the
        # copy added to the result is L2-normalised.
        x = torch.sparse.mm(adj, x) * inv_deg[:, None]
        if weight != 0.0:
            result += float(weight) * x / _safe_norm(x)
    return result
