"""GraphStore views, mutation and filters against graphs built directly (the oracle:
``Graph.from_edges`` of the same arcs, and NetworkX for an algorithm run on a view)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import torch

from neo4j_gml.algorithms.centrality.pagerank import page_rank
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.core.graph_store import GraphStore
from neo4j_gml.procedures import graph_filter
from neo4j_gml.procedures.catalog import Catalog, CatalogEntry


def _store(seed: int = 0, n: int = 60, m: int = 300) -> tuple[GraphStore, dict]:
    rng = np.random.default_rng(seed)
    arcs = {}
    for rtype in ("A", "B"):
        src = torch.as_tensor(rng.integers(0, n, m))
        dst = torch.as_tensor(rng.integers(0, n, m))
        w = torch.as_tensor(rng.random(m))
        arcs[rtype] = (src, dst, {"w": w})
    labels = {"X": torch.as_tensor(rng.random(n) < 0.6)}
    labels["Y"] = ~labels["X"]
    store = GraphStore.from_relationships(
        torch.arange(n) * 10 + 5,
        arcs,
        labels=labels,
        node_properties={"p": torch.as_tensor(rng.random(n))},
        orientations={"B": "UNDIRECTED"},
    )
    return store, arcs


def _same(a: Graph, b: Graph) -> None:
    assert torch.equal(a.node_ids, b.node_ids)
    assert torch.equal(a.indptr, b.indptr)
    assert torch.equal(a.indices, b.indices)
    assert a.orientation == b.orientation
    if b.weights is None:
        assert a.weights is None
    else:
        assert a.weights is not None
        assert torch.allclose(a.weights, b.weights)


def test_a_whole_type_is_the_graph_from_edges_and_shares_its_tensors() -> None:
    store, arcs = _store()
    src, dst, props = arcs["A"]
    oracle = Graph.from_edges(src, dst, props["w"], node_ids=store.node_ids)
    view = store.view(relationship_types=["A"], weight_property="w")
    _same(view, oracle)
    assert view.indices.data_ptr() == store.relationships["A"].indices.data_ptr()
    undirected = store.view(relationship_types=["B"])
    src, dst, _ = arcs["B"]
    _same(undirected, Graph.from_edges(src, dst, node_ids=store.node_ids, orientation="UNDIRECTED"))
    assert undirected.num_relationships == 300
    assert store.relationships["B"].num_relationships == 600  # GDS's catalog count


def test_a_label_view_keeps_the_arcs_between_its_nodes_in_order() -> None:
    store, arcs = _store(1)
    keep = store.labels["X"]
    positions = torch.nonzero(keep).reshape(-1)
    remap = torch.full((store.num_nodes,), -1)
    remap[positions] = torch.arange(positions.numel())
    src, dst, props = arcs["A"]
    inside = keep[src] & keep[dst]
    oracle = Graph.from_edges(
        remap[src[inside]],
        remap[dst[inside]],
        props["w"][inside],
        node_ids=store.node_ids[positions],
        node_properties={"p": store.node_properties["p"][positions]},
    )
    view = store.view(["X"], ["A"], "w", ["p"])
    _same(view, oracle)
    assert torch.equal(view.node_properties["p"], oracle.node_properties["p"])


def test_types_merge_and_mixed_orientations_keep_their_arcs() -> None:
    store, arcs = _store(2)
    store.add_relationships("C", arcs["A"][1], arcs["A"][0], {"w": arcs["A"][2]["w"]})
    view = store.view(relationship_types=["A", "C"], weight_property="w")
    src = torch.cat([arcs["A"][0], arcs["A"][1]])
    dst = torch.cat([arcs["A"][1], arcs["A"][0]])
    w = torch.cat([arcs["A"][2]["w"]] * 2)
    oracle = Graph.from_edges(src, dst, w, node_ids=store.node_ids)
    assert torch.equal(view.indptr, oracle.indptr) and torch.equal(view.indices, oracle.indices)
    # parallel arcs may come in another order: compare the weight multiset per row
    assert torch.allclose(view.weights.sum(), oracle.weights.sum())
    mixed = store.view(relationship_types=["A", "B"])  # arcs as stored, as GDS holds them
    assert mixed.orientation == "NATURAL"
    assert mixed.num_arcs == store.relationships["A"].num_arcs + store.relationships["B"].num_arcs


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"node_labels": ["Nope"]}, "nodeLabels"),
        ({"relationship_types": ["Nope"]}, "relationshipTypes"),
        ({"relationship_types": ["A"], "weight_property": "nope"}, "relationshipWeightProperty"),
        ({"relationship_types": ["A"], "node_properties": ["nope"]}, "nodeProperties"),
    ],
)
def test_unknown_names_are_errors_naming_the_key(kwargs: dict, key: str) -> None:
    store, _ = _store()
    with pytest.raises(ConfigError, match=f"config key '{key}'"):
        store.view(**kwargs)


def test_pagerank_on_a_label_view_equals_pagerank_on_the_networkx_induced_subgraph() -> None:
    store, arcs = _store(3)
    full = nx.MultiDiGraph()
    ids = store.node_ids.tolist()
    full.add_nodes_from(ids)
    src, dst, _ = arcs["A"]
    full.add_edges_from((ids[u], ids[v]) for u, v in zip(src.tolist(), dst.tolist(), strict=True))
    kept = [ids[i] for i in torch.nonzero(store.labels["X"]).reshape(-1).tolist()]
    induced = full.subgraph(kept)
    at = {node: i for i, node in enumerate(kept)}
    edges = list(induced.edges())
    oracle = Graph.from_edges(
        [at[u] for u, _ in edges], [at[v] for _, v in edges], num_nodes=len(kept), node_ids=kept
    )
    got = page_rank(store.view(["X"], ["A"]), max_iterations=50, tolerance=1e-12).scores
    want = page_rank(oracle, max_iterations=50, tolerance=1e-12).scores
    assert torch.allclose(got, want, atol=1e-12)


def test_mutated_properties_cover_the_view_and_leave_nan_elsewhere() -> None:
    store, _ = _store(4)
    positions = store.positions(["X"])
    assert positions is not None
    values = torch.arange(positions.numel(), dtype=torch.float64)
    assert store.add_node_property("score", values, positions) == positions.numel()
    full = store.node_properties["score"]
    assert torch.equal(full[positions], values)
    assert torch.isnan(full[store.labels["Y"]]).all()
    assert torch.equal(
        store.view(["X"], ["A"], node_properties=["score"]).node_properties["score"], values
    )
    with pytest.raises(ConfigError, match="no value for node property 'score'"):
        store.view(["Y"], ["A"], node_properties=["score"])
    with pytest.raises(ConfigError, match="'mutateProperty'.*exists already"):
        store.add_node_property("score", values, positions)
    communities = torch.arange(store.num_nodes)
    store.add_node_property("community", communities)
    assert store.node_properties["community"].dtype == torch.long


def test_filter_expressions() -> None:
    store, _ = _store(5)
    p = store.node_properties["p"]
    got = graph_filter.node_mask(
        "n:X AND n.p > 0.5 OR NOT (n.p <= 0.9)", store.labels, store.node_properties, 60
    )
    assert torch.equal(got, (store.labels["X"] & (p > 0.5)) | ~(p <= 0.9))
    assert graph_filter.node_mask("*", store.labels, store.node_properties, 60).all()
    assert torch.equal(
        graph_filter.node_mask("0.5 < n.p", store.labels, store.node_properties, 60), p > 0.5
    )
    w = store.relationships["A"].properties["w"]
    rel = graph_filter.relationship_mask(
        "r:A AND r.w >= 0.25", "A", ["A", "B"], {"w": w}, w.numel()
    )
    assert torch.equal(rel, w >= 0.25)
    for bad, why in [
        ("n:Nope", "no node label 'Nope'"),
        ("n.nope > 1", "no node property 'nope'"),
        ("n.p >", "expected num"),
        ("n:X AND m:Y", "one variable only"),
        ("n.p > 1 garbage", "unexpected"),
    ]:
        with pytest.raises(ConfigError, match=why):
            graph_filter.node_mask(bad, store.labels, store.node_properties, 60)


def test_subgraph_keeps_nodes_and_arcs_that_pass() -> None:
    store, _ = _store(6)
    nodes = store.labels["X"]
    rel_masks = {"A": store.relationships["A"].properties["w"] > 0.5}
    sub = store.subgraph(nodes, rel_masks)
    assert sub.num_nodes == int(nodes.sum())
    assert list(sub.relationships) == ["A"]
    oracle = store.view(["X"], ["A"], "w")
    keep = oracle.weights > 0.5
    assert sub.relationships["A"].num_arcs == int(keep.sum())
    assert torch.allclose(sub.relationships["A"].properties["w"], oracle.weights[keep])


def test_catalog_owners_limits_and_listing() -> None:
    store, _ = _store()
    catalog = Catalog(max_bytes=store.nbytes() * 2 + 10)
    catalog.put(CatalogEntry("g", "neo4j", "alice", store, "native", {}))
    with pytest.raises(ConfigError, match="exists already"):
        catalog.put(CatalogEntry("g", "neo4j", "alice", store, "native", {}))
    catalog.put(CatalogEntry("g", "neo4j", "bob", store, "native", {}))
    with pytest.raises(ConfigError, match=r"holds .* of its limit .*'g'"):
        catalog.put(CatalogEntry("h", "neo4j", "alice", store, "native", {}))
    assert catalog.find("g", "carol", "neo4j") is None
    with pytest.raises(ConfigError, match="does not survive a restart"):
        catalog.get("g", "carol", "neo4j")
    assert catalog.get("g", "alice", "neo4j").user == "alice"
    assert [e.user for e in catalog.entries("alice", "neo4j")] == ["alice"]
    assert [e.user for e in catalog.entries("carol", "neo4j", admin=True)] == ["alice", "bob"]
    assert catalog.find("g", "carol", "neo4j", admin=True) is None  # two owners: ambiguous
    assert catalog.drop("g", "bob", "neo4j") is not None
    assert catalog.find("g", "carol", "neo4j", admin=True).user == "alice"
    assert catalog.summary()["graphs"] == 1
    assert [e.name for e in catalog.forget_databases(["system"])] == ["g"]
    assert catalog.summary()["graphs"] == 0
