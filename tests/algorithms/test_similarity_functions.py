"""GDS's similarity functions of two lists (the reference of ``gml.similarity.*``).

Oracles: NumPy (``np.dot``/``np.linalg.norm`` for cosine and the Euclidean distance,
``np.corrcoef`` for Pearson), :func:`collections.Counter` multiset arithmetic written out here
for Jaccard and overlap, kNN's own metrics on the same vectors
(:func:`~neo4j_gml.algorithms.similarity.knn.similarity_of_pairs`: ``(cos + 1) / 2``,
``max(r, 0)``, ``1 / (1 + d)``, and the set metrics on lists without repeats), and the values
GDS 2.13's manual prints. Tolerance 1e-12 relative.
"""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
import torch

from neo4j_gml.algorithms.similarity import functions as sim
from neo4j_gml.algorithms.similarity.knn import prepare, similarity_of_pairs

REL = 1e-12


def _pairs(seed: int, n: int = 60) -> list[tuple[list[float], list[float]]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        d = rng.randint(1, 12)
        out.append(([rng.uniform(-5, 5) for _ in range(d)], [rng.uniform(-5, 5) for _ in range(d)]))
    return out


def test_numerical_functions_match_numpy() -> None:
    for a, b in _pairs(1):
        x, y = np.array(a), np.array(b)
        cos = float(x @ y / (np.linalg.norm(x) * np.linalg.norm(y)))
        assert math.isclose(sim.cosine(a, b), cos, rel_tol=REL, abs_tol=1e-15)
        dist = float(np.linalg.norm(x - y))
        assert math.isclose(sim.euclidean_distance(a, b), dist, rel_tol=REL)
        assert math.isclose(sim.euclidean(a, b), 1 / (1 + dist), rel_tol=REL)
        if len(a) > 1:
            r = float(np.corrcoef(x, y)[0, 1])
            assert math.isclose(sim.pearson(a, b), r, rel_tol=1e-9, abs_tol=1e-12)


def test_numerical_functions_match_knn_metrics() -> None:
    for a, b in _pairs(2):
        if len(a) < 2:
            continue
        x = torch.tensor([a, b], dtype=torch.float64)

        def knn(metric: str, x: torch.Tensor = x) -> float:
            pair = similarity_of_pairs(prepare([(x, metric)]), torch.tensor([0]), torch.tensor([1]))
            return float(pair[0])

        assert math.isclose((sim.cosine(a, b) + 1) / 2, knn("COSINE"), rel_tol=1e-12)
        assert math.isclose(max(sim.pearson(a, b), 0.0), knn("PEARSON"), abs_tol=1e-12)
        assert math.isclose(sim.euclidean(a, b), knn("EUCLIDEAN"), rel_tol=1e-12)


def test_set_functions_match_multiset_arithmetic_and_knn() -> None:
    rng = random.Random(3)
    for _ in range(60):
        a = [rng.randint(0, 6) for _ in range(rng.randint(0, 8))]
        b = [rng.randint(0, 6) for _ in range(rng.randint(0, 8))]
        both = sum(min(a.count(v), b.count(v)) for v in set(a) | set(b))
        union = sum(max(a.count(v), b.count(v)) for v in set(a) | set(b))
        assert sim.jaccard(a, b) == (both / union if union else 1.0)
        shorter = min(len(a), len(b))
        assert sim.overlap(a, b) == (len(set(a) & set(b)) / shorter if shorter else 0.0)
        # kNN treats equal-length lists as sets: the same where no value repeats
        d = min(len(set(a)), len(set(b)))
        sa, sb = sorted(set(a))[:d], sorted(set(b))[:d]
        if d:
            x = torch.tensor([sa, sb], dtype=torch.float64)
            for metric, fn in (("JACCARD", sim.jaccard), ("OVERLAP", sim.overlap)):
                got = similarity_of_pairs(
                    prepare([(x, metric)]), torch.tensor([0]), torch.tensor([1])
                )
                assert math.isclose(fn(sa, sb), float(got[0]), rel_tol=REL), (metric, sa, sb)


def test_gds_manual_values_and_edge_cases() -> None:
    # GDS 2.13 manual, "Similarity functions"
    a, b = [1.0, 5.0, 3.0, 6.7], [5.0, 2.5, 3.1, 9.0]
    assert math.isclose(sim.jaccard(a, b), 0.142857142857143, rel_tol=1e-14)
    assert sim.overlap(a, b) == 0.25
    assert math.isclose(sim.cosine(a, b), 0.882757381034594, rel_tol=1e-14)
    assert math.isclose(sim.pearson(a, b), 0.468277483648113, rel_tol=1e-14)
    assert math.isclose(sim.euclidean(a, b), 0.160030485454022, rel_tol=1e-14)
    assert math.isclose(sim.euclidean_distance(a, b), 5.248809388804284, rel_tol=1e-14)
    assert math.isclose(sim.jaccard([1.0, None, 3.0], [1.0, 2.0, 3.0]), 0.666666666666667)
    assert math.isclose(sim.cosine([1.0, None, 3.0], [1.0, 2.0, 3.0]), 0.845154254728517)
    # by value, and Java's Double.compare for -0.0 and NaN
    assert sim.jaccard([1, 2], [1.0, 2.0]) == 1.0
    assert sim.jaccard([-0.0], [0]) == 0.0
    assert sim.jaccard([math.nan], [math.nan]) == 1.0
    assert sim.jaccard([2**60], [float(2**60)]) == 1.0
    assert sim.jaccard(None, [1]) == 0.0 and sim.overlap([1], None) == 0.0
    assert sim.jaccard([], []) == 1.0 and sim.overlap([], []) == 0.0
    assert math.isnan(sim.cosine([0, 0], [1, 2]))
    assert sim.pearson([3, 3, 3], [1, 2, 3]) == 0.0
    for fn in (sim.cosine, sim.pearson, sim.euclidean, sim.euclidean_distance):
        with pytest.raises(ValueError, match="same length, got lengths 2 and 1"):
            fn([1, 2], [1])
        with pytest.raises(ValueError, match="got lengths 0 and 0"):
            fn([], [])
        with pytest.raises(ValueError, match="got None"):
            fn(None, [1])
