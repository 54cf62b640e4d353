"""K-means clustering of a node property (a list of numbers per node)."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from neo4j_gml.core.cancellation import checkpoint

__all__ = ["SAMPLERS", "KMeansResult", "kmeans"]

SAMPLERS = ("uniform", "kmeans++")


@dataclass
class KMeansResult:
    """Cluster of every node, its distance to its centroid, the centroids and run facts.

    Attributes
    ----------
    communities : torch.Tensor
        ``int64[n]`` cluster of every row.
    distances : torch.Tensor
        ``float64[n]`` Euclidean distance of every row to its centroid.
    centroids : torch.Tensor
        ``float64[k, d]`` cluster centres.
    ran_iterations : int
        Iterations of the winning run.
    did_converge : bool
        Whether the winning run met ``delta_threshold`` within ``max_iterations``.
    """

    communities: torch.Tensor
    distances: torch.Tensor
    centroids: torch.Tensor
    ran_iterations: int
    did_converge: bool


def _initial(x: torch.Tensor, k: int, sampler: str, gen: torch.Generator) -> torch.Tensor:
    n = x.shape[0]
    if sampler == "uniform":
        return x[torch.randperm(n, generator=gen, device=x.device)[:k]].clone()
    first = int(torch.randint(n, (1,), generator=gen, device=x.device).item())
    centres = [x[first]]
    nearest = ((x - x[first]) ** 2).sum(1)
    for _ in range(1, k):
        total = float(nearest.sum().item())
        if total <= 0:  # fewer distinct points than k: any point will do
            pick = int(torch.randint(n, (1,), generator=gen, device=x.device).item())
        else:
            pick = int(torch.multinomial(nearest / total, 1, generator=gen).item())
        centres.append(x[pick])
        nearest = torch.minimum(nearest, ((x - x[pick]) ** 2).sum(1))
    return torch.stack(centres)


def kmeans(
    x: torch.Tensor,
    *,
    k: int = 10,
    max_iterations: int = 10,
    delta_threshold: float = 0.05,
    number_of_restarts: int = 1,
    sampler: str = "uniform",
    random_seed: int | None = None,
) -> KMeansResult:
    """Lloyd's k-means on the rows of ``x``, as GDS's ``gds.kmeans``.

    Centroids start at ``k`` distinct random rows (``'uniform'``) or by k-means++ ``D^2``
    sampling (``'kmeans++'``). Each iteration assigns every row to its nearest centroid
    (Euclidean) and moves each centroid to the mean of its rows (an empty cluster keeps its
    centroid). A run stops after ``max_iterations`` iterations or once the fraction of rows that
    changed cluster is at most ``delta_threshold`` (GDS's rule). Of ``number_of_restarts`` runs,
    the one with the smallest average distance to the centroid wins.

    Parameters
    ----------
    x : torch.Tensor
        ``float[n, d]`` (or ``float[n]``) node property values.
    k : int
        Clusters; larger than ``n`` is reduced to ``n``.
    max_iterations : int
        Most iterations per run.
    delta_threshold : float
        Stop once at most this fraction of rows changed cluster.
    number_of_restarts : int
        Runs; the best one is returned.
    sampler : str
        ``'uniform'`` or ``'kmeans++'``.
    random_seed : int or None
        Seed (``None`` is ``0``).

    Returns
    -------
    KMeansResult
        Clusters, distances, centroids and run facts of the best run.

    Raises
    ------
    ValueError
        An unknown ``sampler``.

    Notes
    -----
    Each iteration is ``O(n k d)``.

    References
    ----------
    S. Lloyd, "Least squares quantization in PCM", IEEE Trans. Inf. Theory 28 (1982); D. Arthur
    and S. Vassilvitskii, "k-means++: the advantages of careful seeding", SODA 2007; GDS manual,
    K-Means Clustering.

    Examples
    --------
    >>> x = torch.tensor([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0]])
    >>> r = kmeans(x, k=2, random_seed=42)
    >>> r.communities.tolist(), r.centroids.round(decimals=2).tolist(), r.did_converge
    ([0, 0, 1, 1], [[0.05, 0.0], [5.05, 5.0]], True)
    """
    if sampler not in SAMPLERS:
        raise ValueError(f"sampler must be one of {SAMPLERS}, got {sampler!r}")
    x = x.to(torch.float64)
    if x.ndim == 1:
        x = x.reshape(-1, 1)
    n = x.shape[0]
    dev = x.device
    if n == 0:
        empty = torch.zeros(0, dtype=torch.long, device=dev)
        return KMeansResult(empty, empty.double(), x.new_zeros((0, x.shape[1])), 0, True)
    k = min(k, n)
    gen = torch.Generator(device=dev)
    gen.manual_seed(0 if random_seed is None else int(random_seed))
    best: KMeansResult | None = None
    best_score = float("inf")
    for _ in range(number_of_restarts):
        centroids = _initial(x, k, sampler, gen)
        assign = torch.full((n,), -1, dtype=torch.long, device=dev)
        ran, converged = 0, False
        for _ in range(max_iterations):
            checkpoint()
            ran += 1
            new = torch.cdist(x, centroids).argmin(1)
            changed = int((new != assign).sum().item())
            assign = new
            sums = torch.zeros_like(centroids).index_add_(0, assign, x)
            sizes = torch.bincount(assign, minlength=k).to(torch.float64)
            centroids = torch.where(
                sizes[:, None] > 0, sums / sizes.clamp(min=1)[:, None], centroids
            )
            if changed <= delta_threshold * n:
                converged = True
                break
        dist = (x - centroids[assign]).norm(dim=1)
        score = float(dist.mean().item())
        if score < best_score:
            best_score = score
            best = KMeansResult(assign, dist, centroids, ran, converged)
    assert best is not None
    return best
