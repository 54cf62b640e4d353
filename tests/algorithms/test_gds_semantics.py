"""GDS semantics that are easy to get subtly wrong, each with the answer GDS gives.

* ``seedProperty`` (wcc, louvain, leiden, labelPropagation): a node without a seed value starts
  unseeded, in a component / community of its own (GDS manual: WCC "Seeded components", Louvain
  and Leiden "Seeded", Label Propagation "Seeded communities"). The projection reads a missing
  seed as NaN; a stored NaN or Infinity is still refused.
* Ties in the top-k selections: nodeSimilarity keeps what GDS's ``BoundedLongPriorityQueue``
  keeps when a node's pairs are offered in ascending target order (GDS ``TopKMap``,
  ``NodeSimilarity#computeTopKMap``); exact kNN keeps the smallest ids (GDS's ``NeighborList``
  keeps whichever equal candidate it met first, in random order, so that is one GDS answer).
"""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
import torch

import neo4j_gml
from neo4j_gml.algorithms.similarity._pairs import top_per_source
from neo4j_gml.algorithms.similarity.knn import _Property, knn
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.io.read import NAN_IF_MISSING, NO_DEFAULT, Projection, ReadReport, _property_column
from neo4j_gml.procedures import runner
from neo4j_gml.procedures.registry import get

NAN = math.nan


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _column(frame, name: str) -> dict[int, int]:
    return dict(zip(frame["nodeId"].tolist(), frame[name].tolist(), strict=True))


# ---------------------------------------------------------------------------- seedProperty
def test_wcc_node_without_seed_joins_its_component() -> None:
    # GDS manual, WCC "Seeded components", step 4: 'Mats' (no componentId) is linked to
    # 'Bridget' (componentId 1) by a relationship of weight 2.0 and gets componentId 1.
    names = ["Alice", "Bridget", "Charles", "Doug", "Mark", "Michael", "Mats", "Nobody"]
    at = {name: i for i, name in enumerate(names)}
    links = [
        ("Alice", "Bridget", 0.5),
        ("Alice", "Charles", 4.0),
        ("Mark", "Doug", 1.1),
        ("Mark", "Michael", 2.0),
        ("Bridget", "Mats", 2.0),
    ]
    seeds = torch.tensor([0.0, 1.0, 0.0, 3.0, 3.0, 3.0, NAN, NAN])  # Mats, Nobody: no seed
    graph = Graph.from_edges(
        [at[a] for a, _, _ in links],
        [at[b] for _, b, _ in links],
        [w for _, _, w in links],
        num_nodes=len(names),
        node_properties={"componentId": seeds},
    )
    frame = neo4j_gml.run(
        "wcc",
        "stream",
        {"seedProperty": "componentId", "relationshipWeightProperty": "weight", "threshold": 1.0},
        graph=graph,
    )
    got = _column(frame, "componentId")
    assert [got[at[n]] for n in names[:7]] == [0, 1, 0, 3, 3, 3, 1]
    # "Otherwise, a new unique component ID is assigned to the node" (above every seed here)
    assert got[at["Nobody"]] > 3


def _two_user_communities() -> Graph:
    """GDS manual, Louvain / Leiden examples: seed 42 on Alice, Bridget, Charles only."""
    names = ["Alice", "Bridget", "Charles", "Doug", "Mark", "Michael"]
    at = {name: i for i, name in enumerate(names)}
    links = [
        ("Alice", "Bridget", 1.0),
        ("Alice", "Charles", 1.0),
        ("Charles", "Bridget", 1.0),
        ("Alice", "Doug", 5.0),
        ("Mark", "Doug", 1.0),
        ("Mark", "Michael", 1.0),
        ("Michael", "Mark", 1.0),
    ]
    return Graph.from_edges(
        [at[a] for a, _, _ in links],
        [at[b] for _, b, _ in links],
        [w for _, _, w in links],
        num_nodes=6,
        orientation="UNDIRECTED",
        node_properties={"seed": torch.tensor([42.0, 42.0, 42.0, NAN, NAN, NAN])},
    )


@pytest.mark.parametrize("name", ["louvain", "leiden"])
def test_modularity_optimisers_start_unseeded_nodes_alone(name: str) -> None:
    # GDS manual, Louvain "Seeded" (and Leiden "Seeded"): Alice, Bridget, Charles keep 42; the
    # unseeded Doug, Mark, Michael form one community with a new id (GDS prints 47 for Louvain,
    # 45 for Leiden), "guaranteed to be larger than the largest seeded community ID".
    frame = neo4j_gml.run(name, "stream", {"seedProperty": "seed"}, graph=_two_user_communities())
    ids = frame["communityId"].tolist()
    assert ids[:3] == [42, 42, 42]
    assert len(set(ids[3:])) == 1 and ids[3] > 42


def test_label_propagation_unseeded_label_is_max_seed_plus_neo4j_id_plus_one() -> None:
    # GDS InitStep: a node without a seed starts with maxSeed + originalNodeId + 1. Node 5
    # points to node 1 (seed 7) and adopts 7; node 9 has no relationship and keeps 7 + 9 + 1.
    graph = Graph.from_edges(
        [1], [0], num_nodes=3, node_ids=[1, 5, 9], node_properties={"s": [7.0, NAN, NAN]}
    )
    frame = neo4j_gml.run("labelPropagation", "stream", {"seedProperty": "s"}, graph=graph)
    assert _column(frame, "communityId") == {1: 7, 5: 7, 9: 17}


def test_missing_seed_is_read_as_nan_and_stored_nan_is_still_refused() -> None:
    missing = np.array([False, True, False])
    got = _property_column([3.0, 5.0], missing, NAN_IF_MISSING, name="seed")
    assert got[0] == 3.0 and math.isnan(got[1]) and got[2] == 5.0
    lists = _property_column([[1.0, 2.0], [3.0, 4.0]], missing, NAN_IF_MISSING, name="v")
    assert lists.shape == (3, 2) and np.isnan(lists[1]).all()
    with pytest.raises(ConfigError, match="lack property 'seed'"):
        _property_column([3.0, 5.0], missing, NO_DEFAULT, name="seed")
    with pytest.raises(ConfigError, match="non-finite"):
        _property_column([NAN, 5.0], missing, NAN_IF_MISSING, name="seed")
    with pytest.raises(ConfigError, match="non-finite"):
        _property_column([math.inf, 5.0], missing, NAN_IF_MISSING, name="seed")


def test_projection_allows_missing_values_only_for_seed_properties() -> None:
    louvain = get("louvain")
    cfg = louvain.validate({"seedProperty": "s"}, "stream")
    assert louvain.missing_allowed(cfg) == ["s"]
    proj = Projection.from_config(cfg, louvain.node_properties_needed(cfg), ["s"])
    assert proj.node_properties == {"s": NAN_IF_MISSING}
    # a defaultValue the user gives wins; a property listed without one becomes NaN-if-missing
    given = louvain.validate(
        {"seedProperty": "s", "nodeProperties": {"s": {"defaultValue": 0}}}, "stream"
    )
    assert Projection.from_config(given, ["s"], ["s"]).node_properties == {"s": 0}
    listed = louvain.validate({"seedProperty": "s", "nodeProperties": ["s"]}, "stream")
    assert Projection.from_config(listed, ["s"], ["s"]).node_properties == {"s": NAN_IF_MISSING}
    # a property another key needs in full stays strict
    lpa = get("labelPropagation")
    both = lpa.validate({"seedProperty": "s", "nodeWeightProperty": "s"}, "stream")
    assert lpa.missing_allowed(both) == []
    apart = lpa.validate({"seedProperty": "s", "nodeWeightProperty": "w"}, "stream")
    assert lpa.missing_allowed(apart) == ["s"]
    assert get("wcc").missing_allowed(get("wcc").validate({}, "stream")) == []
    kmeans = get("kmeans")
    assert kmeans.missing_allowed(kmeans.validate({"nodeProperty": "x"}, "stream")) == []


def test_load_graph_reads_missing_seeds_as_nan(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Projection] = []

    def fake_read(driver, projection, **kw):  # noqa: ANN001, ANN003, ANN202
        seen.append(projection)
        return Graph.from_edges([], [], num_nodes=0), ReadReport()

    monkeypatch.setattr(runner, "read_graph", fake_read)
    proc = get("wcc")
    runner.load_graph(proc, proc.validate({"seedProperty": "c"}, "stream"), None, None)
    proc = get("modularity")
    runner.load_graph(proc, proc.validate({"communityProperty": "c"}, "stream"), None, None)
    assert seen[0].node_properties == {"c": NAN_IF_MISSING}
    assert seen[1].node_properties == {"c": NO_DEFAULT}


# ---------------------------------------------------------------------------- nodeSimilarity ties
def _java_binary_search(a: list[float], n: int, key: float) -> int:
    """``java.util.Arrays.binarySearch(double[], 0, n, key)`` for finite, nonzero values."""
    low, high = 0, n - 1
    while low <= high:
        mid = (low + high) >> 1
        if a[mid] < key:
            low = mid + 1
        elif a[mid] > key:
            high = mid - 1
        else:
            return mid
    return -(low + 1)


class _GdsQueue:
    """GDS's ``BoundedLongPriorityQueue`` (``max`` stores negated priorities), transliterated."""

    def __init__(self, bound: int, largest: bool) -> None:
        self.bound, self.sign = bound, -1.0 if largest else 1.0
        self.elements, self.priorities = [0] * bound, [0.0] * bound
        self.count, self.min_value = 0, NAN

    def offer(self, element: int, priority: float) -> None:
        p = self.sign * priority
        if self.count < self.bound or math.isnan(self.min_value) or p < self.min_value:
            idx = _java_binary_search(self.priorities, self.count, p)
            idx = -idx if idx < 0 else idx + 1
            length = self.bound - idx
            if length > 0 and idx < self.bound:
                self.priorities[idx : idx + length] = self.priorities[idx - 1 : idx - 1 + length]
                self.elements[idx : idx + length] = self.elements[idx - 1 : idx - 1 + length]
            self.priorities[idx - 1], self.elements[idx - 1] = p, element
            self.count = min(self.count + 1, self.bound)
            self.min_value = self.priorities[self.count - 1]


def test_top_per_source_keeps_what_gds_queue_keeps() -> None:
    rnd = random.Random(11)
    for _ in range(150):
        n, k, largest = rnd.randint(2, 40), rnd.randint(1, 12), rnd.random() < 0.7
        values = [rnd.choice([0.1, 0.2, 0.25, 0.5, 1.0]) for _ in range(rnd.randint(1, 4))]
        pairs = {}
        for _ in range(rnd.randint(1, 600)):
            s, t = rnd.randrange(n), rnd.randrange(n)
            if s != t:
                pairs[(s, t)] = rnd.choice(values)
        queues: dict[int, _GdsQueue] = {}
        for (s, t), v in sorted(pairs.items()):  # GDS offers targets in ascending order
            queues.setdefault(s, _GdsQueue(k, largest)).offer(t, v)
        want = {(s, q.elements[i]) for s, q in queues.items() for i in range(q.count)}
        items = list(pairs.items())
        rnd.shuffle(items)
        src, dst, sim = top_per_source(
            torch.tensor([s for (s, _), _ in items]),
            torch.tensor([t for (_, t), _ in items]),
            torch.tensor([v for _, v in items], dtype=torch.float64),
            k,
            largest=largest,
        )
        assert set(zip(src.tolist(), dst.tolist(), strict=True)) == want
        rows = list(zip(src.tolist(), sim.tolist(), dst.tolist(), strict=True))
        assert rows == sorted(rows, key=lambda r: (r[0], -r[1] if largest else r[1], r[2]))


def test_node_similarity_ties_as_gds() -> None:
    # a -> {A, B}, b -> {A, C}, c -> {A, D}, d -> {A, B}: Jaccard(a, d) = 1, every other pair 1/3.
    # topK 2. GDS offers a's pairs in the order b (1/3), c (1/3), d (1): the queue holds [b],
    # then c goes before b ([c, b]), then d is better than the last entry b, which drops out:
    # a keeps d and c (not b). b is offered a, c, d (all 1/3): [a], [c, a], d refused (equal
    # to the last entry of a full queue): b keeps a, c; c likewise keeps a, b; d keeps a, b.
    a, b, c, d, item_a, item_b, item_c, item_d = range(100, 108)
    src = [a, a, b, b, c, c, d, d]
    dst = [item_a, item_b, item_a, item_c, item_a, item_d, item_a, item_b]
    pos = {node: i for i, node in enumerate(range(100, 108))}
    graph = Graph.from_edges(
        [pos[s] for s in src], [pos[t] for t in dst], num_nodes=8, node_ids=list(range(100, 108))
    )
    frame = neo4j_gml.run("nodeSimilarity", "stream", {"topK": 2}, graph=graph)
    got = set(zip(frame["node1"].tolist(), frame["node2"].tolist(), strict=True))
    assert got == {(a, d), (a, c), (b, a), (b, c), (c, a), (c, b), (d, a), (d, b)}
    rows = frame[frame["node1"] == a]
    assert rows["node2"].tolist() == [d, c] and rows["similarity"].tolist() == pytest.approx(
        [1.0, 1 / 3]
    )


def test_node_similarity_earliest_tied_pair_drops_first() -> None:
    # topK 3; node 0's pairs come in the order 1, 2, 3, 4 (Jaccard 1/2 each), then 5 (1): the
    # queue holds [3, 2, 1] (each equal score goes before the probed equal entry), refuses 4,
    # and 5 pushes out the last entry, 1. GDS keeps 5, 3, 2.
    src = torch.tensor([0, 0, 0, 0, 0])
    dst = torch.tensor([5, 4, 3, 2, 1])
    sim = torch.tensor([1.0, 0.5, 0.5, 0.5, 0.5], dtype=torch.float64)
    s, t, v = top_per_source(src, dst, sim, 3)
    assert t.tolist() == [5, 2, 3] and v.tolist() == [1.0, 0.5, 0.5]


# ---------------------------------------------------------------------------- kNN ties
def _brute_force(x: np.ndarray, metric: str, k: int) -> list[list[int]]:
    """Each node's k most similar others by the pairwise formula, ties by ascending id."""
    n = len(x)
    prop = _Property(torch.as_tensor(x), metric)
    a, b = torch.meshgrid(torch.arange(n), torch.arange(n), indexing="ij")
    sim = prop.pairs(a.reshape(-1), b.reshape(-1)).reshape(n, n).numpy()
    return [
        sorted((v for v in range(n) if v != u), key=lambda v: (-sim[u, v], v))[: min(k, n - 1)]
        for u in range(n)
    ]


@pytest.mark.parametrize(
    ("metric", "make"),
    [
        ("DEFAULT", lambda rng, n: rng.integers(0, 6, size=n).astype(float)),  # scalar path
        ("DEFAULT", lambda rng, n: rng.integers(0, 40, size=n) * 0.1),  # scalar, rounding
        ("EUCLIDEAN", lambda rng, n: np.repeat(rng.integers(-3, 3, size=(n // 5, 3)), 5, 0)),
        ("COSINE", lambda rng, n: rng.integers(-2, 3, size=(n, 2)).astype(float)),
        ("JACCARD", lambda rng, n: rng.integers(0, 4, size=(n, 4)).astype(float)),
    ],
)
def test_exact_knn_breaks_ties_by_smallest_id(metric: str, make) -> None:  # noqa: ANN001
    rng = np.random.default_rng(7)
    for _ in range(8):
        n, k = int(rng.integers(5, 120)), int(rng.integers(1, 12))
        x = np.asarray(make(rng, n), dtype=float)
        src, dst, _ = knn([(torch.as_tensor(x), metric)], k)
        got: dict[int, list[int]] = {}
        for s, t in zip(src.tolist(), dst.tolist(), strict=True):
            got.setdefault(s, []).append(t)
        assert [got[u] for u in range(len(x))] == _brute_force(x, metric, k)


def test_knn_procedure_ties_keep_smallest_neo4j_ids() -> None:
    # node 10 (value 0) has four nodes at distance 1 (similarity 1/2): 40, 20, 50, 30. topK 2
    # keeps the smallest Neo4j ids, 20 and 30. GDS keeps the two it happened to meet first (its
    # NeighborList refuses an equal candidate on a full list), any two of the four.
    graph = Graph.from_edges(
        [],
        [],
        num_nodes=5,
        node_ids=[10, 20, 30, 40, 50],
        node_properties={"x": [0.0, -1.0, 1.0, 1.0, -1.0]},
    )
    frame = neo4j_gml.run("knn", "stream", {"nodeProperties": "x", "topK": 2}, graph=graph)
    rows = frame[frame["node1"] == 10]
    assert rows["node2"].tolist() == [20, 30] and rows["similarity"].tolist() == [0.5, 0.5]
    # 20 (value -1): 50 (same value, similarity 1) first, then 10 (distance 1)
    assert frame[frame["node1"] == 20]["node2"].tolist() == [50, 10]
