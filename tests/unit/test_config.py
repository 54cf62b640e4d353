"""Config validation: one place, clear messages naming the key."""

from __future__ import annotations

import pytest

import neo4j_gml
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures import registry


def test_unknown_key_is_named_with_the_valid_ones() -> None:
    with pytest.raises(ConfigError, match=r"unknown config key 'maxIteration'.*valid keys are"):
        registry.get("wcc").validate({"maxIteration": 3}, "stream")


def test_wrong_type_names_key_and_expected_type() -> None:
    with pytest.raises(ConfigError, match=r"'threshold' must be a number"):
        registry.get("wcc").validate({"threshold": "high"}, "stream")
    with pytest.raises(ConfigError, match=r"'concurrency' must be an integer"):
        registry.get("degree").validate({"concurrency": 2.5}, "stream")
    with pytest.raises(ConfigError, match=r"'orientation' must be one of"):
        registry.get("degree").validate({"orientation": "sideways"}, "stream")


def test_write_needs_write_property_and_mode_must_exist() -> None:
    with pytest.raises(ConfigError, match="'writeProperty' is required"):
        registry.get("degree").validate({}, "write")
    with pytest.raises(ConfigError, match="'mutateProperty' is required"):
        registry.get("degree").validate({}, "mutate")
    with pytest.raises(ConfigError, match="'mutateRelationshipType' is required"):
        registry.get("knn").validate({"nodeProperties": ["x"], "mutateProperty": "s"}, "mutate")
    with pytest.raises(ConfigError, match="has no mode 'mutate'"):
        registry.get("modularity").validate({}, "mutate")
    with pytest.raises(ConfigError, match="unknown procedure 'pagerankk'"):
        registry.get("pagerankk")


def test_defaults_are_filled_and_case_is_normalised() -> None:
    cfg = registry.get("degree").validate({"orientation": "undirected"}, "stream")
    assert cfg["orientation"] == "UNDIRECTED"
    assert cfg["nodeLabels"] == ["*"] and cfg["batchSize"] == 10000


def test_every_registered_procedure_is_consistent() -> None:
    for proc in registry.procedures():
        assert proc.modes, proc.name
        for mode in proc.modes:
            keys = [k.name for k in proc.all_keys()]
            assert len(keys) == len(set(keys)), proc.name
            assert "nodeId" in proc.stream_columns() or proc.result != "node", proc.name
            del mode


def test_degree_and_wcc_without_a_database() -> None:
    g = Graph.from_edges([0, 0, 1, 3], [1, 2, 2, 4], num_nodes=6, node_ids=range(100, 106))
    out = neo4j_gml.run("degree", "stream", {}, graph=g)
    assert dict(zip(out.nodeId, out.score, strict=True)) == {
        100: 2.0,
        101: 1.0,
        102: 0.0,
        103: 1.0,
        104: 0.0,
        105: 0.0,
    }
    comp = neo4j_gml.run("wcc", "stream", {}, graph=g)
    groups = comp.groupby("componentId").nodeId.apply(frozenset)
    assert set(groups) == {frozenset({100, 101, 102}), frozenset({103, 104}), frozenset({105})}
