"""Speaker-listener label propagation (``sllpa``).

Oracles: the connected components of disjoint cliques (every node gets exactly its clique's
label); ``networkx.community.k_clique_communities`` on two cliques that share a bridge node (the
bridge gets both labels at ``minAssociationStrength: 0.1``); the speaker rule's probabilities
against a hand computation (5 standard deviations); hand-derived results on a star (the memory
is the same under every seed there); repeatability under a seed.
"""

from __future__ import annotations

import math

import networkx as nx
import pytest
import torch

import neo4j_gml
from neo4j_gml.algorithms.community.sllpa import _listen, _speak, speaker_listener_lpa
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures.registry import get


def graph_of(g: nx.Graph, **kwargs) -> Graph:  # noqa: ANN003
    src, dst = zip(*g.edges(), strict=True)
    return Graph.from_edges(
        src, dst, num_nodes=g.number_of_nodes(), orientation="UNDIRECTED", **kwargs
    )


def cover(lists: list[list[int]]) -> list[list[int]]:
    """The communities (sorted member lists) a per-node list of community ids describes."""
    members: dict[int, set[int]] = {}
    for node, ids in enumerate(lists):
        for c in ids:
            members.setdefault(c, set()).add(node)
    return sorted(sorted(m) for m in members.values())


def bridged_cliques(size: int = 10) -> nx.Graph:
    """Two ``size``-cliques sharing one node (``size - 1``)."""
    g = nx.complete_graph(size)
    g.add_edges_from(
        (a, b) for a in range(size - 1, 2 * size - 1) for b in range(a + 1, 2 * size - 1)
    )
    return g


@pytest.mark.parametrize("seed", range(6))
def test_disjoint_cliques_get_exactly_their_clique_label(seed: int) -> None:
    # (a 4-clique may keep two labels: its two smallest ids swap in the first supersteps)
    g = nx.disjoint_union_all([nx.complete_graph(5), nx.complete_graph(6), nx.complete_graph(7)])
    lists = speaker_listener_lpa(graph_of(g), max_iterations=30, random_seed=seed).lists()
    assert all(len(ids) == 1 for ids in lists)
    want = sorted(sorted(c) for c in nx.connected_components(g))
    assert cover(lists) == want
    for node, ids in enumerate(lists):  # the label is the id of a member of the clique
        assert nx.has_path(g, node, ids[0])


def test_a_bridge_node_gets_both_cliques_labels_as_k_clique_communities() -> None:
    g = bridged_cliques(10)
    want = sorted(sorted(c) for c in nx.community.k_clique_communities(g, 10))
    assert len(want) == 2 and set(want[0]) & set(want[1]) == {9}
    graph = graph_of(g)
    hits = []
    for seed in range(40):
        found = speaker_listener_lpa(
            graph, max_iterations=100, min_association_strength=0.1, random_seed=seed
        ).lists()
        hits.append(cover(found) == want)
    # the dynamics are random: one seed in 50 merged the cliques when this was written
    assert all(hits[:10]) and sum(hits) >= 36, hits


def test_the_speaker_draws_a_label_in_proportion_to_its_memory_frequency() -> None:
    memory = torch.tensor([[5, 5, 9, 7, 7], [1, 2, 3, 4, 6]])
    arcs = 60_000
    src = torch.zeros(arcs, dtype=torch.long)
    spoken = _speak(memory, src, step=2, seed=11)  # slots 0..2 of node 0: 5, 5, 9
    assert set(spoken.unique().tolist()) <= {5, 9}  # never a slot after the superstep
    share = (spoken == 5).double().mean().item()
    sigma = math.sqrt(2 / 3 * 1 / 3 / arcs)
    assert abs(share - 2 / 3) < 5 * sigma
    # every slot 0..4 equally often at superstep 4 (chi-square, 4 degrees of freedom, p ~ 1e-4)
    counts = torch.bincount(_speak(memory, src + 1, step=4, seed=3), minlength=7)[[1, 2, 3, 4, 6]]
    expected = arcs / 5
    chi2 = float(((counts.double() - expected) ** 2 / expected).sum())
    assert chi2 < 23.5


def test_the_listener_adopts_the_most_heard_label_ties_to_the_smallest() -> None:
    dst = torch.tensor([0, 0, 0, 1, 1, 3])
    spoken = torch.tensor([4, 4, 2, 3, 2, 1])
    heard, winner = _listen(dst, spoken, 5)
    assert heard.tolist() == [0, 1, 3]
    assert winner.tolist() == [4, 2, 1]


def star() -> Graph:
    """A directed star ``0 -> 1, 2, 3`` with Neo4j ids 100..103."""
    return Graph.from_edges([0, 0, 0], [1, 2, 3], num_nodes=4, node_ids=[100, 101, 102, 103])


def test_hand_computed_star() -> None:
    # the centre hears nothing, so its whole memory is its own id and it always speaks it; each
    # leaf's memory is [own, 100 x 9]: shares 0.1 and 0.9, kept when greater than the threshold
    for seed in (1, 2):
        assert speaker_listener_lpa(star(), max_iterations=10, random_seed=seed).lists() == [
            [100],
            [100],
            [100],
            [100],
        ]
    low = speaker_listener_lpa(star(), max_iterations=10, min_association_strength=0.05)
    assert low.lists() == [[100], [100, 101], [100, 102], [100, 103]]
    # GDS keeps a label only when its share is strictly greater: 0.1 is not kept at 0.1
    assert (
        speaker_listener_lpa(star(), max_iterations=10, min_association_strength=0.1).lists()
        == [[100]] * 4
    )
    one = speaker_listener_lpa(star(), max_iterations=1)  # no superstep prunes: the own id
    assert one.lists() == [[100], [101], [102], [103]]
    none = speaker_listener_lpa(star(), max_iterations=0)
    assert none.lists() == [[], [], [], []] and none.ran_iterations == 0
    assert (low.ran_iterations, low.did_converge) == (10, False)


def test_a_seed_repeats_and_different_seeds_differ() -> None:
    g = graph_of(nx.gnm_random_graph(300, 900, seed=4))
    a = speaker_listener_lpa(g, max_iterations=20, random_seed=5).lists()
    assert speaker_listener_lpa(g, max_iterations=20, random_seed=5).lists() == a
    others = [speaker_listener_lpa(g, max_iterations=20, random_seed=s).lists() for s in (6, 7)]
    assert any(o != a for o in others)


def test_procedure_rows_stats_and_config() -> None:
    g = graph_of(bridged_cliques(5), node_ids=list(range(50, 59)))
    config = {"maxIterations": 30, "randomSeed": 2, "relationshipWeightProperty": "w"}
    frame = neo4j_gml.run("sllpa", "stream", config, graph=g)
    assert list(frame.columns) == ["nodeId", "values"]
    assert frame["nodeId"].tolist() == list(range(50, 59))
    lists = [v["communityIds"] for v in frame["values"]]
    direct = speaker_listener_lpa(g, max_iterations=30, random_seed=2).lists()
    assert lists == direct and all(set(ids) <= set(range(50, 59)) for ids in lists)
    stats = neo4j_gml.run("sllpa", "stats", config, graph=g)
    assert (stats["ranIterations"], stats["didConverge"]) == (30, False)
    with pytest.raises(ConfigError, match="maxIterations"):
        neo4j_gml.run("sllpa", "stream", {}, graph=g)
    with pytest.raises(ConfigError, match="minAssociationStrength"):
        neo4j_gml.run("sllpa", "stream", {"maxIterations": 5, "minAssociationStrength": 2}, graph=g)
    with pytest.raises(ConfigError, match="partitioning"):
        neo4j_gml.run("sllpa", "stream", {"maxIterations": 5, "partitioning": "X"}, graph=g)
    proc = get("sllpa")
    assert set(proc.modes) == {"stream", "stats", "write", "mutate", "estimate"}
    for mode in ("write", "mutate"):
        with pytest.raises(ConfigError, match=f"{mode}Property"):
            proc.validate({"maxIterations": 5}, mode)


# ---------------------------------------------------------------------------- write, mutate
def test_mutate_stores_each_nodes_list_and_the_catalog_gives_it_back() -> None:
    """mutate adds a list property (a list of a different length per node, padded in the
    store) whose lists are the stream's; such a property cannot be read as a feature; the
    store keeps it through a copy and a subgraph; write mode gets the same padded lists."""
    from neo4j_gml.core.graph_store import PAD, GraphStore
    from neo4j_gml.procedures import runner
    from neo4j_gml.procedures.catalog import CatalogEntry
    from neo4j_gml.procedures.jobs import Job

    g = bridged_cliques(6)
    nodes = sorted(g.nodes())
    src = torch.tensor([nodes.index(u) for u, _ in g.edges()])
    dst = torch.tensor([nodes.index(v) for _, v in g.edges()])
    ids = torch.arange(len(nodes)) * 10 + 5  # Neo4j ids that are not positions
    store = GraphStore.from_relationships(
        ids, {"R": (src, dst, {})}, orientations={"R": "UNDIRECTED"}
    )
    entry = CatalogEntry("g", "neo4j", "test", store, "native", {})
    cfg = {"maxIterations": 30, "minAssociationStrength": 0.1, "randomSeed": 3}
    stream = runner.compute("sllpa", "stream", cfg, named=entry).result
    want = [row["communityIds"] for row in stream.columns["values"]]
    assert any(len(x) > 1 for x in want) and any(len(x) == 1 for x in want)
    done = runner.compute("sllpa", "mutate", cfg | {"mutateProperty": "c"}, named=entry)
    row = runner.mutate_result(done, entry, Job("sllpa", "mutate"))
    assert row["nodePropertiesWritten"] == len(nodes) and row["ranIterations"] == 30
    assert store.property_values("c") == want
    assert store.node_properties["c"].shape == (len(nodes), max(len(x) for x in want))
    assert int((store.node_properties["c"] == PAD).sum()) == sum(
        max(len(x) for x in want) - len(x) for x in want
    )
    assert store.to(torch.device("cpu")).property_values("c") == want
    keep = torch.zeros(len(nodes), dtype=torch.bool)
    keep[:4] = True
    part = store.subgraph(
        keep, {"R": torch.ones(store.relationships["R"].indices.numel(), dtype=torch.bool)}
    )
    assert part.property_values("c") == want[:4]
    with pytest.raises(ConfigError, match="different length per node"):
        store.view(relationship_types=["R"], node_properties=["c"])
    written = runner.compute("sllpa", "write", cfg | {"writeProperty": "c"}, named=entry).result
    assert torch.equal(written.node_lists, store.node_properties["c"])


def test_list_property_on_some_nodes_leaves_the_others_empty() -> None:
    from neo4j_gml.core.graph_store import PAD, GraphStore

    store = GraphStore.from_relationships(torch.tensor([1, 2, 3]), {})
    lists = torch.tensor([[7, PAD, PAD], [4, 5, 6]])
    assert store.add_node_property("c", lists, torch.tensor([2, 0]), lists=True) == 2
    assert store.property_values("c") == [[4, 5, 6], [], [7]]
    assert store.property_values("c", torch.tensor([2])) == [[7]]
    assert store.schema()["nodes"]["__ALL__"]["c"] == "List of Integer"
    with pytest.raises(ConfigError, match="exists already"):
        store.add_node_property("c", lists, lists=True)
