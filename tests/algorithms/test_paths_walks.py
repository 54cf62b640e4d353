"""``randomWalk``: GDS's keys and columns over node2vec's walker (its own tests check the
second-order probabilities against an exact transition table). Here: every walk is a walk of
the graph from the right start, the counts and lengths GDS gives, seeds, and the first-step
frequencies against the exact probabilities (uniform, and in proportion to the weights)."""

from __future__ import annotations

import numpy as np
import pytest

import neo4j_gml
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph

# GDS's documentation pages (Home 0, About 1, Product 2, Links 3, Site A-D 4-7), undirected
PAGES = [(0, 1), (1, 0), (2, 0), (0, 2), (3, 0), (0, 3), (3, 4), (4, 0), (3, 5), (5, 0)]
PAGES += [(3, 6), (6, 0), (3, 7), (7, 0)]


def _pages() -> Graph:
    src, dst = zip(*PAGES, strict=True)
    return Graph.from_edges(
        list(src), list(dst), node_ids=[100 + i for i in range(8)], orientation="UNDIRECTED"
    )


def _walk(graph: Graph, **config: object) -> list[list[int]]:
    frame = neo4j_gml.run("randomWalk", "stream", {"device": "cpu", **config}, graph=graph)
    assert list(frame.columns) == ["nodeIds"]
    return frame["nodeIds"].tolist()


def test_every_walk_follows_relationships_from_each_start() -> None:
    graph = _pages()
    neighbours = {(100 + a, 100 + b) for a, b in PAGES} | {(100 + b, 100 + a) for a, b in PAGES}
    walks = _walk(graph, walkLength=5, walksPerNode=3, randomSeed=42)
    assert len(walks) == 8 * 3
    assert sorted(w[0] for w in walks) == sorted(100 + i for i in range(8) for _ in range(3))
    for walk in walks:
        assert len(walk) == 5  # no dead ends in an undirected graph
        assert all((a, b) in neighbours for a, b in zip(walk, walk[1:], strict=False))
    assert walks == _walk(graph, walkLength=5, walksPerNode=3, randomSeed=42)  # seeded
    assert walks != _walk(graph, walkLength=5, walksPerNode=3, randomSeed=43)
    chosen = _walk(graph, sourceNodes=[100, 101], walkLength=3, walksPerNode=1, randomSeed=42)
    assert sorted(w[0] for w in chosen) == [100, 101]


def test_a_walk_stops_at_a_node_without_outgoing_relationships() -> None:
    line = Graph.from_edges([0, 1], [1, 2], node_ids=[7, 8, 9])
    assert _walk(line, walkLength=10, walksPerNode=1, randomSeed=1) == [[7, 8, 9], [8, 9], [9]]


@pytest.mark.parametrize("weighted", [False, True])
def test_first_steps_follow_the_transition_probabilities(weighted: bool) -> None:
    """A star: from the centre, each leaf with probability 1/4 (or weight / total weight);
    20,000 walks, every frequency within 5 standard errors."""
    weights = [1.0, 2.0, 3.0, 4.0]
    star = Graph.from_edges([0, 0, 0, 0], [1, 2, 3, 4], weights, node_ids=[10, 11, 12, 13, 14])
    config: dict[str, object] = {"sourceNodes": [10], "walkLength": 2, "walksPerNode": 20_000}
    if weighted:
        config["relationshipWeightProperty"] = "w"
    walks = np.asarray(_walk(star, randomSeed=5, **config))
    counts = np.bincount(walks[:, 1] - 10, minlength=5)[1:]
    expected = np.asarray(weights) / sum(weights) if weighted else np.full(4, 0.25)
    n = walks.shape[0]
    error = np.sqrt(expected * (1 - expected) / n)
    assert np.all(np.abs(counts / n - expected) <= 5 * error), (counts / n, expected)


def test_bad_keys_name_what_was_expected() -> None:
    graph = _pages()
    with pytest.raises(ConfigError, match="walkLength"):
        _walk(graph, walkLength=0)
    with pytest.raises(ConfigError, match="returnFactor"):
        _walk(graph, returnFactor=0.0)
    with pytest.raises(ConfigError, match="sourceNodes.*not in the projected graph"):
        _walk(graph, sourceNodes=[5])
