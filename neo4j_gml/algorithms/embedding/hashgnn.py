"""HashGNN: min-hash message passing over binary node features (Wu et al. 2021), as GDS runs it.

Each of ``iterations`` rounds builds a new binary vector per node from the previous round's
vectors with ``embeddingDensity`` (``K``) rounds of min-hash sampling: in round ``k`` node ``u``
takes the feature of least *self* hash among its own features, and, for each out-arc
``u -> v`` of relationship type ``t``, the feature of ``v`` of least *pre-aggregation* hash
(of type ``t``), of which the one with least *neighbour* hash wins; the overall winner (the
neighbour's only when its hash is strictly smaller) is switched on. The hash tables are drawn
per iteration with the counter-based generator of :mod:`._hashrng`, so a seed gives the same
embeddings on every device.
"""

from __future__ import annotations

import math
import secrets
from typing import NamedTuple

import torch

from neo4j_gml.algorithms.embedding._hashrng import sparse_signs, uniform
from neo4j_gml.core.cancellation import checkpoint
from neo4j_gml.core.errors import ParameterError
from neo4j_gml.core.graph import Graph

__all__ = [
    "HashTables",
    "binarize_features",
    "densify",
    "generate_features",
    "hash_gnn",
    "hash_tables",
    "min_hash_step",
    "neighbor_scale",
]

#: GDS clamps the scaled neighbour influence to ``[1 / MAX_INFLUENCE, MAX_INFLUENCE]``
MAX_INFLUENCE = 1e4
_MASK64 = (1 << 64) - 1
_CELLS = 1 << 24  # int64 cells of one (arcs x sampling rounds) block: 128 MiB


def _sub_seed(seed: int, purpose: int, index: int = 0) -> int:
    """A seed for one use of the randomness (hash tables of an iteration, hyperplanes...)."""
    return (seed + purpose * 0x9E3779B97F4A7C15 + (index + 1) * 0xBF58476D1CE4E5B9) & _MASK64


_TABLES, _HYPERPLANES, _HYPERPLANES2, _GENERATE, _DENSIFY = range(1, 6)


class HashTables(NamedTuple):
    """The hash values of one iteration, ``float64``, for features ``0..d-1``.

    ``self_hashes[k, f]`` (in ``[0, scale)``), ``neighbor_hashes[k, f]`` (in ``[0, 1)``) and
    ``pre_hashes[k, t, f]`` (in ``[0, 1)``, one table per relationship type ``t``) for sampling
    round ``k``. Within a table the values are distinct (with probability ``1 - 2**-40`` or so),
    so the least one picks a single feature.
    """

    self_hashes: torch.Tensor
    neighbor_hashes: torch.Tensor
    pre_hashes: torch.Tensor


def hash_tables(
    random_seed: int,
    iteration: int,
    embedding_density: int,
    num_features: int,
    num_types: int = 1,
    *,
    self_scale: float = 1.0,
    device: torch.device | str = "cpu",
) -> HashTables:
    """The hash tables :func:`hash_gnn` uses in iteration ``iteration``.

    GDS draws affine hashes ``(a * f + b) mod c`` whose self modulus is the neighbour modulus
    times the scaled neighbour influence (:func:`neighbor_scale`); here the values are uniform
    in ``[0, 1)`` and the self values are multiplied by ``self_scale``: the same law for which
    feature wins. A value depends only on ``(random_seed, iteration, k, table, feature)``.

    Parameters
    ----------
    random_seed : int
        The run's seed.
    iteration : int
        ``0 <= iteration``.
    embedding_density : int
        ``K``, sampling rounds per iteration.
    num_features : int
        ``d``, the binary dimension.
    num_types : int
        Relationship types with their own pre-aggregation table (1 when homogeneous).
    self_scale : float
        Range of the self hashes (the clamped scaled neighbour influence).
    device : torch.device or str
        Where the tables are made.

    Returns
    -------
    HashTables
        ``[K, d]``, ``[K, d]`` and ``[K, num_types, d]`` tables.

    References
    ----------
    W. Wu, B. Li, C. Luo, W. Nejdl, "Hashing-Accelerated Graph Neural Networks for Link
    Prediction", WWW 2021; GDS manual, HashGNN.

    Examples
    --------
    >>> t = hash_tables(7, 0, 2, 3, 2, self_scale=0.5)
    >>> t.self_hashes.shape, t.neighbor_hashes.shape, t.pre_hashes.shape
    (torch.Size([2, 3]), torch.Size([2, 3]), torch.Size([2, 2, 3]))
    >>> bool((t.self_hashes < 0.5).all())
    True
    """
    k, d, types = embedding_density, num_features, num_types
    keys = torch.arange(d, dtype=torch.long, device=device)
    u = uniform(_sub_seed(random_seed, _TABLES, iteration), keys, k * (2 + types))  # [d, cols]
    u = u.T.reshape(k, 2 + types, d)
    return HashTables(u[:, 0] * float(self_scale), u[:, 1].contiguous(), u[:, 2:].contiguous())


def neighbor_scale(
    active_features: int,
    num_nodes: int,
    num_arcs: int,
    num_features: int,
    neighbor_influence: float,
) -> float:
    """GDS's scaled neighbour influence: the range of the self hashes relative to the
    neighbour hashes in an iteration (larger: neighbours' features win more often).

    ``(active / n) * neighborInfluence / (d * (1 - (1 - 1/d) ** (arcs / n)))``: the average
    number of features a node has, over the expected number of distinct features ``arcs / n``
    random picks out of ``d`` give; 1 without arcs; clamped to ``[1e-4, 1e4]``.

    Parameters
    ----------
    active_features : int
        Features switched on over all nodes in the previous iteration.
    num_nodes, num_arcs, num_features : int
        ``n``, stored arcs (GDS's relationship count) and ``d``.
    neighbor_influence : float
        ``neighborInfluence``.

    Returns
    -------
    float
        The self hashes' range relative to the neighbour hashes' (1).

    References
    ----------
    GDS manual, HashGNN; W. Wu, B. Li, C. Luo, W. Nejdl, "Hashing-Accelerated Graph Neural
    Networks for Link Prediction", WWW 2021.

    Examples
    --------
    >>> round(neighbor_scale(20, 10, 20, 4, 1.0), 4)  # 2 features, 1.75 expected distinct
    1.1429
    >>> neighbor_scale(20, 10, 0, 4, 1.0)
    1.0
    """
    if num_arcs == 0 or num_nodes == 0:
        return 1.0
    d = num_features
    expected = 1.0 if d == 0 else d * (1.0 - math.pow(1.0 - 1.0 / d, num_arcs / num_nodes))
    scaled = (active_features / num_nodes) * neighbor_influence / expected
    return max(1.0 / MAX_INFLUENCE, min(MAX_INFLUENCE, scaled))


def _ranked(values: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """For hash tables ``values[c, d]``: ``rank[d + 1, c]`` of each feature in its column, the
    features in rank order ``perm[d + 1, c]`` and their values ``sorted[d + 1, c]``; row ``d``
    is the sentinel "no feature" (rank ``d``, feature ``d``, value ``inf``)."""
    cols, d = values.shape
    device = values.device
    sorted_values, perm = torch.sort(values.T, dim=0, stable=True)
    rank = torch.empty_like(perm)
    rank.scatter_(0, perm, torch.arange(d, device=device)[:, None].expand(d, cols))
    sentinel = torch.full((1, cols), d, dtype=torch.long, device=device)
    inf = torch.full((1, cols), math.inf, dtype=values.dtype, device=device)
    return (
        torch.cat([rank, sentinel]),
        torch.cat([perm, sentinel]),
        torch.cat([sorted_values, inf]),
    )


def _min_rank(rows: torch.Tensor, ranks: torch.Tensor, num_rows: int, fill: int) -> torch.Tensor:
    """``[num_rows, c]``: per row the least of ``ranks[i]`` over the entries ``i`` of that row
    (``fill`` where it has none)."""
    out = torch.full((num_rows, ranks.shape[1]), fill, dtype=torch.long, device=ranks.device)
    if rows.numel():
        out.scatter_reduce_(0, rows[:, None].expand_as(ranks), ranks, "amin")
    return out


def min_hash_step(
    graph: Graph,
    active: torch.Tensor,
    tables: HashTables,
    arc_types: torch.Tensor | None = None,
) -> torch.Tensor:
    """One HashGNN iteration with given hash tables: the new ``bool[n, d]`` vectors.

    For each sampling round ``k`` and node ``u``: ``s`` = the feature of ``active[u]`` with
    least ``self_hashes[k]``; for each arc ``u -> v`` (type ``t``), the feature of ``active[v]``
    with least ``pre_hashes[k, t]``; of those, ``n`` = the one with least ``neighbor_hashes[k]``.
    ``n`` is switched on if its neighbour hash is strictly below the self hash of ``s``, else
    ``s`` (nothing when ``u`` and its neighbours have no feature).

    Parameters
    ----------
    graph : Graph
        Arcs are followed in the projection's orientation (out-arcs).
    active : torch.Tensor
        ``bool[n, d]``, the previous iteration's vectors.
    tables : HashTables
        From :func:`hash_tables` (or any values of those shapes).
    arc_types : torch.Tensor or None
        ``int64[m]`` the type index of each arc (into ``tables.pre_hashes``'s second axis);
        ``None``: all type 0.

    Returns
    -------
    torch.Tensor
        ``bool[n, d]``.

    Notes
    -----
    Vectorised over nodes, arcs and rounds: per round, segment minima of ranks over the
    nonzero entries (``O(nnz)``) and over the arcs (``O(m)``); ``O(K * (nnz + m))`` in all,
    in blocks of at most 2**24 cells.

    References
    ----------
    GDS manual, HashGNN (its "virtual example" is the test of this function).

    Examples
    --------
    >>> g = Graph.from_edges([0, 1], [1, 2], num_nodes=3, orientation="UNDIRECTED")  # a-b-c
    >>> x = torch.tensor([[1, 0, 0], [0, 1, 0], [1, 0, 1]], dtype=torch.bool)
    >>> t = HashTables(
    ...     torch.tensor([[7.0, 8.0, 9.0], [4.0, 9.0, 9.0]]),  # self: f1, f2, f3
    ...     torch.tensor([[5.0, 11.0, 6.0], [5.0, 2.0, 9.0]]),  # neighbour
    ...     torch.tensor([[[3.0, 3.0, 1.0]], [[3.0, 3.0, 1.0]]]),  # pre-aggregation
    ... )
    >>> min_hash_step(g, x, t).int().tolist()[:2]  # a: f1 then f2; b: f1 twice
    [[1, 1, 0], [1, 0, 0]]
    """
    n, d = active.shape
    device = active.device
    k_total, types = tables.self_hashes.shape[0], tables.pre_hashes.shape[1]
    out = torch.zeros(n, d + 1, dtype=torch.bool, device=device)
    if n == 0 or d == 0 or k_total == 0:
        return out[:, :d]
    self_rank, self_perm, self_sorted = _ranked(tables.self_hashes.to(device))
    nb_rank, nb_perm, nb_sorted = _ranked(tables.neighbor_hashes.to(device))
    pre_rank, pre_perm, _ = _ranked(tables.pre_hashes.to(device).reshape(k_total * types, d))
    nodes, feats = active.nonzero(as_tuple=True)
    src, dst = graph.sources(), graph.indices
    types_of = (
        torch.zeros_like(dst)
        if arc_types is None
        else arc_types.to(device=device, dtype=torch.long)
    )
    rows = torch.arange(n, device=device)[:, None]
    block = max(1, _CELLS // max((nodes.numel() + n) * types, graph.num_arcs, 1))
    for k0 in range(0, k_total, block):
        checkpoint()
        ks = slice(k0, min(k0 + block, k_total))
        width = ks.stop - ks.start
        self_min = _min_rank(nodes, self_rank[feats, ks], n, d)  # [n, w]
        take = torch.gather(self_perm[:, ks], 0, self_min)
        if graph.num_arcs:
            cols = slice(k0 * types, ks.stop * types)  # (k, t) columns, k-major
            pre_min = _min_rank(nodes, pre_rank[feats, cols], n, d)  # [n, w * types]
            picked = torch.gather(pre_perm[:, cols], 0, pre_min).reshape(n, width, types)
            cand = picked[dst, :, types_of]  # [m, w]: the feature each neighbour offers
            nb_min = _min_rank(src, torch.gather(nb_rank[:, ks], 0, cand), n, d)
            nb_value = torch.gather(nb_sorted[:, ks], 0, nb_min)
            self_value = torch.gather(self_sorted[:, ks], 0, self_min)
            take = torch.where(nb_value < self_value, torch.gather(nb_perm[:, ks], 0, nb_min), take)
        out[rows.expand(n, width), take] = True
    return out[:, :d]


def generate_features(
    graph: Graph, dimension: int, density_level: int, random_seed: int
) -> torch.Tensor:
    """GDS's ``generateFeatures``: ``bool[n, dimension]``, per node ``density_level`` features
    drawn uniformly with replacement (so between 1 and ``density_level`` of them), keyed by the
    node's Neo4j id: a node gets the same features in every projection that holds it.

    Parameters
    ----------
    graph : Graph
        Its ``node_ids`` key the draws; the result is on its device.
    dimension : int
        Binary features to draw from.
    density_level : int
        Draws per node, ``1 <= density_level <= dimension``.
    random_seed : int
        The run's seed.

    Returns
    -------
    torch.Tensor
        ``bool[n, dimension]``.

    References
    ----------
    GDS manual, HashGNN; W. Wu, B. Li, C. Luo, W. Nejdl, "Hashing-Accelerated Graph Neural
    Networks for Link Prediction", WWW 2021.

    Examples
    --------
    >>> g = Graph.from_edges([], [], num_nodes=4, node_ids=[3, 5, 8, 13])
    >>> f = generate_features(g, 6, 2, 42)
    >>> f.shape, bool(((f.sum(1) >= 1) & (f.sum(1) <= 2)).all())
    (torch.Size([4, 6]), True)
    """
    n = graph.num_nodes
    out = torch.zeros(n, dimension, dtype=torch.bool, device=graph.device)
    if n == 0:
        return out
    u = uniform(_sub_seed(random_seed, _GENERATE), graph.node_ids.to(graph.device), density_level)
    picks = (u * dimension).floor().to(torch.long).clamp_(max=dimension - 1)
    out[torch.arange(n, device=graph.device)[:, None].expand_as(picks), picks] = True
    return out


def binarize_features(
    features: torch.Tensor, dimension: int, threshold: float, random_seed: int
) -> torch.Tensor:
    """GDS's ``binarizeFeatures``: hyperplane rounding, ``bool[n, dimension]``.

    Feature ``j`` of node ``u`` is on when ``features[u] @ G[:, j] > threshold``, with ``G``
    ``[f, dimension]`` standard normal (Box-Muller over counter-based uniforms, keyed by input
    column, so the same seed gives the same hyperplanes on every device).

    Parameters
    ----------
    features : torch.Tensor
        ``float[n, f]`` input features.
    dimension : int
        Hyperplanes, i.e. binary features out.
    threshold : float
        A feature is on when the scalar product exceeds it.
    random_seed : int
        The run's seed.

    Returns
    -------
    torch.Tensor
        ``bool[n, dimension]`` on the features' device.

    References
    ----------
    GDS manual, HashGNN; W. Wu, B. Li, C. Luo, W. Nejdl, "Hashing-Accelerated Graph Neural
    Networks for Link Prediction", WWW 2021.

    Examples
    --------
    >>> x = torch.tensor([[1.0, 0.0], [-1.0, 0.0], [0.0, 0.0]])
    >>> b = binarize_features(x, 8, 0.0, 42)
    >>> bool((b[0] ^ b[1]).all()), int(b[2].sum())  # opposite inputs: complementary bits
    (True, 0)
    """
    x = features.reshape(features.shape[0], -1).to(torch.float64)
    keys = torch.arange(x.shape[1], dtype=torch.long, device=x.device)
    u1 = uniform(_sub_seed(random_seed, _HYPERPLANES), keys, dimension)
    u2 = uniform(_sub_seed(random_seed, _HYPERPLANES2), keys, dimension)
    gauss = torch.sqrt(-2.0 * torch.log1p(-u1)) * torch.cos(2.0 * math.pi * u2)
    return (x @ gauss) > threshold


def densify(active: torch.Tensor, output_dimension: int, random_seed: int) -> torch.Tensor:
    """GDS's ``outputDimension``: ``float32[n, output_dimension]``, the sum over a node's
    features of rows of a very sparse random matrix (entries ``+-sqrt(3 / output_dimension)``
    with probability 1/6 each, else 0), as FastRP projects node properties.

    Parameters
    ----------
    active : torch.Tensor
        ``bool[n, d]`` binary embeddings.
    output_dimension : int
        Floats per node.
    random_seed : int
        The run's seed.

    Returns
    -------
    torch.Tensor
        ``float32[n, output_dimension]``.

    References
    ----------
    GDS manual, HashGNN; W. Wu, B. Li, C. Luo, W. Nejdl, "Hashing-Accelerated Graph Neural
    Networks for Link Prediction", WWW 2021.

    Examples
    --------
    >>> x = torch.tensor([[True, False], [False, False]])
    >>> densify(x, 4, 1).shape, int(torch.count_nonzero(densify(x, 4, 1)[1]))
    (torch.Size([2, 4]), 0)
    """
    d = active.shape[1]
    keys = torch.arange(d, dtype=torch.long, device=active.device)
    entry = float(torch.tensor(math.sqrt(3.0), dtype=torch.float32)) / float(
        torch.tensor(math.sqrt(output_dimension), dtype=torch.float32)
    )
    proj = sparse_signs(_sub_seed(random_seed, _DENSIFY), keys, output_dimension).double() * entry
    return (active.double() @ proj).to(torch.float32)


def _binary(features: torch.Tensor, node_ids: torch.Tensor) -> torch.Tensor:
    """Raw 0/1 features as ``bool[n, f]``; another value is a :class:`ParameterError`."""
    x = features.reshape(features.shape[0], -1)
    bad = (x != 0) & (x != 1)
    if bool(bad.any()):
        row, col = (int(i) for i in bad.nonzero()[0])
        raise ParameterError(
            "feature_properties",
            f"may only hold the values 0 and 1 unless 'binarizeFeatures' is given; node "
            f"{int(node_ids[row])} has {float(x[row, col])!r} (feature {col})",
        )
    return x == 1


def hash_gnn(
    graph: Graph,
    *,
    iterations: int,
    embedding_density: int,
    features: torch.Tensor | None = None,
    binarize: tuple[int, float] | None = None,
    generate: tuple[int, int] | None = None,
    neighbor_influence: float = 1.0,
    heterogeneous: bool = False,
    arc_types: torch.Tensor | None = None,
    output_dimension: int | None = None,
    random_seed: int | None = None,
) -> torch.Tensor:
    """HashGNN node embeddings as GDS's ``gds.hashgnn`` computes them.

    The input is a binary vector per node: ``features`` as given (values 0 or 1), their
    hyperplane rounding ``binarize = (dimension, threshold)`` (:func:`binarize_features`), or
    ``generate = (dimension, densityLevel)`` random features (:func:`generate_features`).
    Then ``iterations`` times :func:`min_hash_step` with the tables of :func:`hash_tables`,
    whose self hashes span :func:`neighbor_scale` (from the previous vectors' density and
    ``neighbor_influence``). The result is the binary vectors as ``0.0``/``1.0``, or their
    :func:`densify` projection to ``output_dimension`` floats.

    Parameters
    ----------
    graph : Graph
        The projection (any device; the work runs there). Arcs are followed in its
        orientation.
    iterations : int
        ``>= 1``; a node's vector depends on its ``iterations``-hop neighbourhood only.
    embedding_density : int
        ``K >= 1`` sampling rounds per iteration: at most ``K`` features are on per node.
    features : torch.Tensor or None
        ``float[n, f]`` node features; ``None`` with ``generate``.
    binarize : tuple of (int, float) or None
        ``(dimension, threshold)`` of the hyperplane rounding of ``features``.
    generate : tuple of (int, int) or None
        ``(dimension, densityLevel)`` of generated features (exactly one of ``features`` and
        ``generate``).
    neighbor_influence : float
        ``>= 0``; larger picks neighbours' features more often.
    heterogeneous : bool
        Use one pre-aggregation hash per relationship type (``arc_types``).
    arc_types : torch.Tensor or None
        ``int64[m]`` the relationship type index of each arc (heterogeneous runs).
    output_dimension : int or None
        Densify the binary vectors to this many floats.
    random_seed : int or None
        Same seed, same graph => identical output on every device; ``None`` draws one.

    Returns
    -------
    torch.Tensor
        ``float32[n, d]``: ``d`` = the binary dimension (the feature count, ``binarize``'s or
        ``generate``'s dimension), or ``output_dimension``.

    Raises
    ------
    ParameterError
        A parameter out of range, features that are not 0/1 without ``binarize``, both or
        neither of ``features`` and ``generate``.

    Notes
    -----
    Hash values differ from GDS's (its generator is another), the semantics do not: which
    features can be chosen (only those within ``iterations`` hops), at most ``K`` per node,
    self wins ties, the self/neighbour balance GDS scales by density, per-type hashes when
    heterogeneous, the very sparse densification. Complexity ``O(iterations * K * (nnz + m))``
    time for ``nnz`` active features and ``m`` arcs, ``O(n * d)`` memory.

    References
    ----------
    W. Wu, B. Li, C. Luo, W. Nejdl, "Hashing-Accelerated Graph Neural Networks for Link
    Prediction", WWW 2021; GDS manual, HashGNN.

    Examples
    --------
    >>> g = Graph.from_edges([0, 1, 2], [1, 2, 3], orientation="UNDIRECTED")  # a path of 4
    >>> x = torch.eye(4)  # one feature per node
    >>> e = hash_gnn(g, iterations=1, embedding_density=4, features=x, random_seed=1)
    >>> e.shape, sorted(set(e.flatten().tolist()))
    (torch.Size([4, 4]), [0.0, 1.0])
    >>> bool((e[0, 2:] == 0).all())  # node 0 sees features of nodes 0 and 1 only
    True
    >>> torch.equal(e, hash_gnn(g, iterations=1, embedding_density=4, features=x, random_seed=1))
    True
    """
    if iterations < 1:
        raise ParameterError("iterations", "must be at least 1")
    if embedding_density < 1:
        raise ParameterError("embedding_density", "must be at least 1")
    if neighbor_influence < 0 or math.isnan(neighbor_influence):
        raise ParameterError("neighbor_influence", "must be non-negative")
    if (features is None) == (generate is None):
        raise ParameterError("features", "give exactly one of features and generate")
    if output_dimension is not None and output_dimension < 1:
        raise ParameterError("output_dimension", "must be at least 1")
    seed = secrets.randbits(63) if random_seed is None else int(random_seed)
    device = graph.device
    n = graph.num_nodes
    if generate is not None:
        dimension, density_level = generate
        if dimension < 1 or not 1 <= density_level <= dimension:
            raise ParameterError("generate", "needs 1 <= densityLevel <= dimension")
        active = generate_features(graph, dimension, density_level, seed)
    elif binarize is not None:
        assert features is not None
        if binarize[0] < 1:
            raise ParameterError("binarize", "dimension must be at least 1")
        active = binarize_features(features.to(device), binarize[0], binarize[1], seed)
    else:
        assert features is not None
        active = _binary(features.to(device), graph.node_ids)
    d = active.shape[1]
    types = arc_types if heterogeneous else None
    num_types = int(types.max().item()) + 1 if types is not None and types.numel() else 1
    for iteration in range(iterations):
        checkpoint()
        scale = neighbor_scale(int(active.sum().item()), n, graph.num_arcs, d, neighbor_influence)
        tables = hash_tables(
            seed, iteration, embedding_density, d, num_types, self_scale=scale, device=device
        )
        active = min_hash_step(graph, active, tables, types)
    if output_dimension is not None:
        return densify(active, output_dimension, seed)
    return active.to(torch.float32)
