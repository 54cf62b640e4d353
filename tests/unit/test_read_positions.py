"""Mapping Neo4j ids to positions (the lookup table and the binary search agree); read sessions."""

from __future__ import annotations

import numpy as np
import pytest

import neo4j_gml.io.read as read_module
from neo4j_gml.io.read import _positions


def _by_dict(node_ids: np.ndarray, ids: np.ndarray) -> np.ndarray:
    where = {int(v): i for i, v in enumerate(node_ids)}
    return np.asarray([where.get(int(v), -1) for v in ids])


@pytest.mark.parametrize("spread", [1, 3, 10_000])  # dense ids, gaps, sparse (binary search)
def test_positions_match_a_dictionary(spread: int) -> None:
    rng = np.random.default_rng(spread)
    node_ids = np.unique(rng.integers(0, 200 * spread, 150))
    candidates = np.concatenate([node_ids, [-5, 200 * spread + 7, 10**12]])
    src_ids = rng.choice(candidates, 400)
    dst_ids = rng.choice(candidates, 400)
    src, dst, inside = _positions(node_ids, src_ids, dst_ids)
    want_src, want_dst = _by_dict(node_ids, src_ids), _by_dict(node_ids, dst_ids)
    np.testing.assert_array_equal(inside, (want_src >= 0) & (want_dst >= 0))
    np.testing.assert_array_equal(src[inside], want_src[inside])
    np.testing.assert_array_equal(dst[inside], want_dst[inside])


def test_positions_of_an_empty_node_set() -> None:
    empty = np.empty(0, dtype=np.int64)
    _, _, inside = _positions(empty, np.asarray([1, 2]), np.asarray([2, 3]))
    assert not inside.any()


@pytest.mark.parametrize(
    ("cores", "concurrency", "expected"), [(2, 4, 2), (16, 4, 4), (1, 4, 2), (8, 1, 1)]
)
def test_read_sessions_follow_the_cores(
    monkeypatch: pytest.MonkeyPatch, cores: int, concurrency: int, expected: int
) -> None:
    monkeypatch.setattr(
        read_module.os, "sched_getaffinity", lambda _pid: set(range(cores)), raising=False
    )
    assert read_module.read_sessions(concurrency) == expected
