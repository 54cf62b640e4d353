"""FastRP: invariants and a numpy re-derivation of GDS's propagation on hand-sized graphs."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from neo4j_gml.algorithms.embedding.fastrp import fast_rp, fastrp_initial_vectors
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures.registry import get


def _path3() -> Graph:
    # 0 -> 1 -> 2, ids chosen unlike positions
    return Graph.from_edges([0, 1], [1, 2], num_nodes=3, node_ids=[10, 20, 30])


def _normalize(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v)
    return v / n if n > 0 else v


def test_shape_dtype_and_determinism() -> None:
    g = Graph.from_edges([0, 1, 2, 3], [1, 2, 3, 0], orientation="UNDIRECTED")
    a = fast_rp(g, 16, random_seed=42)
    b = fast_rp(g, 16, random_seed=42)
    c = fast_rp(g, 16, random_seed=43)
    assert a.shape == (4, 16) and a.dtype == torch.float32
    assert torch.equal(a, b)
    assert not torch.equal(a, c)


def test_zero_iteration_weights_give_zero_vectors() -> None:
    g = Graph.from_edges([0, 1, 2], [1, 2, 0])
    out = fast_rp(g, 8, iteration_weights=[0.0, 0.0], random_seed=1)
    assert torch.count_nonzero(out) == 0


def test_initial_vectors_are_very_sparse_and_scaled() -> None:
    # 2000 nodes x 64 columns: nonzero share 1/3 (binomial sd ~0.0017, tolerance 0.01)
    n, d = 2000, 64
    g = Graph.from_edges([], [], num_nodes=n)
    r = fastrp_initial_vectors(g, d, random_seed=7)
    nz = r[r != 0]
    assert abs(nz.numel() / (n * d) - 1 / 3) < 0.01
    assert torch.allclose(nz.abs(), torch.full_like(nz, math.sqrt(3 / d)))
    assert abs((nz > 0).float().mean().item() - 0.5) < 0.02


def test_initial_vectors_depend_on_node_id_not_position() -> None:
    g1 = Graph.from_edges([], [], num_nodes=3, node_ids=[5, 6, 7])
    g2 = Graph.from_edges([], [], num_nodes=2, node_ids=[7, 5])
    r1 = fastrp_initial_vectors(g1, 32, random_seed=3)
    r2 = fastrp_initial_vectors(g2, 32, random_seed=3)
    assert torch.equal(r1[2], r2[0]) and torch.equal(r1[0], r2[1])


def test_hand_checked_path() -> None:
    # 0 -> 1 -> 2 NATURAL, one step of weight 1: node 0 sees R[1], node 1 sees R[2],
    # node 2 has no out-neighbour -> zero. Two steps [0, 1]: node 0 gets normalize(R[2]).
    g = _path3()
    r = fastrp_initial_vectors(g, 32, random_seed=5).numpy()
    one = fast_rp(g, 32, iteration_weights=[1.0], random_seed=5).numpy()
    np.testing.assert_allclose(one[0], _normalize(r[1]), atol=1e-6)
    np.testing.assert_allclose(one[1], _normalize(r[2]), atol=1e-6)
    np.testing.assert_allclose(one[2], 0.0)
    two = fast_rp(g, 32, iteration_weights=[0.0, 1.0], random_seed=5).numpy()
    np.testing.assert_allclose(two[0], _normalize(r[2]), atol=1e-6)
    np.testing.assert_allclose(two[1:], 0.0)


def test_matches_numpy_rederivation_weighted_with_self_influence() -> None:
    # reference: GDS FastRP loop written out in numpy (dense), tolerance 1e-5 (float32)
    src = [0, 0, 1, 2, 2, 3, 4]
    dst = [1, 2, 2, 0, 3, 4, 0]
    w = [0.5, 2.0, 1.0, 1.5, 0.25, 3.0, 1.0]
    g = Graph.from_edges(src, dst, w, num_nodes=5)
    kw = dict(normalization_strength=-0.5, random_seed=11)
    r = fastrp_initial_vectors(g, 24, **kw).numpy().astype(np.float64)
    out = fast_rp(
        g, 24, iteration_weights=[0.3, 1.0, 2.0], node_self_influence=0.7, weighted=True, **kw
    ).numpy()
    a = np.zeros((5, 5))
    for s, t, x in zip(src, dst, w, strict=True):
        a[s, t] += x
    deg = np.maximum(np.bincount(src, minlength=5), 1)
    expect = 0.7 * np.stack([_normalize(v) for v in r])
    x = r
    for weight in [0.3, 1.0, 2.0]:
        x = (a @ x) / deg[:, None]  # carried on unnormalised, as GDS 2.13 does
        expect += weight * np.stack([_normalize(v) for v in x])
    np.testing.assert_allclose(out, expect, atol=1e-5)
    # degree scaling: node 0 has out-degree 2, so its initial row is scaled by 2 ** -0.5
    nz = np.abs(r[0][r[0] != 0])
    np.testing.assert_allclose(nz, math.sqrt(3 / 24) * 2**-0.5, rtol=1e-6)


def test_propagation_carries_unnormalised_means() -> None:
    # Hand-derived (GDS 2.13 semantics, confirmed against gds.fastRP.stream to 5e-7 on a 3000-node
    # graph): the step-1 vectors are the plain neighbour means, only their copy in the result is
    # normalised. UNDIRECTED 0-1, 0-2, 2-3, 2-4, node 5 isolated; iterationWeights [0, 1]:
    #   X1[1] = R0, X1[2] = (R0 + R3 + R4) / 3, X2[0] = (X1[1] + X1[2]) / 2 ~ 4 R0 + R3 + R4.
    # Normalising X1 in place (our old code) would give R0/|R0| + (R0+R3+R4)/|R0+R3+R4| instead,
    # whose cosine with the right answer is ~0.97 at d = 64: the tolerance 1e-6 tells them apart.
    g = Graph.from_edges([0, 0, 2, 2], [1, 2, 3, 4], num_nodes=6, orientation="UNDIRECTED")
    d = 64
    r = fastrp_initial_vectors(g, d, random_seed=9).numpy().astype(np.float64)
    out = fast_rp(g, d, iteration_weights=[0.0, 1.0], random_seed=9).numpy()
    np.testing.assert_allclose(out[0], _normalize(4 * r[0] + r[3] + r[4]), atol=1e-6)
    wrong = _normalize(_normalize(r[0]) + _normalize(r[0] + r[3] + r[4]))
    assert np.abs(out[0] - wrong).max() > 1e-3
    np.testing.assert_allclose(out[5], 0.0)  # isolated node: no neighbours, no self-influence


def test_feature_columns() -> None:
    g = Graph.from_edges([0, 1], [1, 0], num_nodes=2)
    feats = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    r = fastrp_initial_vectors(g, 10, features=feats, property_ratio=0.5, random_seed=2)
    # 5 property columns: node 0's are P[0], node 1's 2 * P[1]. P's entries have the magnitude
    # of the base entries, sqrt(3/10) (GDS 2.13, measured: feature entries / base entries = 1
    # to 5e-7 at propertyRatio 0.1, 0.37, 0.5, 0.8; the old sqrt(3/p) over-weighted features).
    assert r.shape == (2, 10)
    p0, p1 = r[0, 5:], r[1, 5:] / 2
    for row in (p0, p1, r[0, :5], r[1, :5]):
        nz = row[row != 0].abs()
        assert torch.allclose(nz, torch.full_like(nz, math.sqrt(3 / 10)))
    # unequal split (p = 3 of d = 12): still one magnitude, and no degree scaling of features
    g2 = Graph.from_edges([0, 0, 0], [1, 1, 1], num_nodes=2)  # node 0: out-degree 3
    f2 = torch.tensor([[1.0], [1.0]])
    r2 = fastrp_initial_vectors(
        g2, 12, features=f2, property_ratio=0.25, normalization_strength=1.0, random_seed=3
    )
    base0 = r2[0, :9][r2[0, :9] != 0].abs()
    assert torch.allclose(base0, torch.full_like(base0, 3 * math.sqrt(3 / 12)))
    assert torch.equal(r2[0, 9:], r2[1, 9:])
    feat0 = r2[0, 9:][r2[0, 9:] != 0].abs()
    assert base0.numel() > 0 and feat0.numel() > 0  # seed 3 gives nonzero entries in both parts
    assert torch.allclose(feat0, torch.full_like(feat0, math.sqrt(3 / 12)))
    # base columns are unaffected by features
    r0 = fastrp_initial_vectors(g, 10, features=feats * 0, property_ratio=0.5, random_seed=2)
    assert torch.equal(r0[:, :5], r[:, :5]) and torch.count_nonzero(r0[:, 5:]) == 0


def test_empty_graph() -> None:
    g = Graph.from_edges([], [], num_nodes=0)
    assert fast_rp(g, 4, random_seed=0).shape == (0, 4)


def test_procedure_config_errors() -> None:
    proc = get("fastRP")
    with pytest.raises(ConfigError, match="embeddingDimension"):
        proc.validate({}, "stream")
    with pytest.raises(ConfigError, match="embeddingDimension"):
        proc.validate({"embeddingDimension": 0}, "stream")
    with pytest.raises(ConfigError, match="iterationWeights"):
        proc.validate({"embeddingDimension": 4, "iterationWeights": []}, "stream")
    cfg = proc.validate(
        {"embeddingDimension": 4, "featureProperties": ["x"], "propertyRatio": 0.5}, "stream"
    )
    g = Graph.from_edges([0], [1], num_nodes=2, node_properties={"x": [1.0, float("nan")]})
    with pytest.raises(ConfigError, match="featureProperties"):
        proc.compute(g, cfg)


def test_procedure_compute() -> None:
    proc = get("fastRP")
    cfg = proc.validate({"embeddingDimension": 8, "randomSeed": 1}, "stream")
    g = Graph.from_edges([0, 1], [1, 2], num_nodes=3)
    res = proc.compute(g, cfg)
    assert res.values.shape == (3, 8)
    assert proc.column == "embedding" and proc.column_type == "floatList"


def test_runner_stream() -> None:
    import neo4j_gml

    g = Graph.from_edges([0, 1], [1, 2], num_nodes=3, node_ids=[5, 6, 7], orientation="UNDIRECTED")
    frame = neo4j_gml.run("fastRP", "stream", {"embeddingDimension": 4, "randomSeed": 2}, graph=g)
    assert frame["nodeId"].tolist() == [5, 6, 7]
    assert all(len(v) == 4 for v in frame["embedding"])
