"""Node-property steps of the training pipelines (``nodePropertySteps``): registry procedures
that yield node values, run in memory on the graph a model trains on (and again on the graph it
predicts for), their values kept as node properties the model can take as features. Nothing is
written to Neo4j.

A step is ``{procedure: 'fastRP', config: {mutateProperty: 'emb', ...}}``: its configuration is
checked as the procedure's ``mutate`` configuration before anything is read.

No procedure is registered here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import torch

from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures import registry
from neo4j_gml.procedures.registry import NodeValues, Procedure


def steps_check(value: Any) -> str | None:
    if not isinstance(value, list):
        return "must be a list of {procedure, config} maps"
    for step in value:
        if not isinstance(step, Mapping) or not isinstance(step.get("procedure"), str):
            return "must be a list of maps with a 'procedure' name and an optional 'config' map"
        if not isinstance(step.get("config", {}), Mapping) or set(step) - {"procedure", "config"}:
            return "must be a list of maps with a 'procedure' name and an optional 'config' map"
    return None


def step_procedure(step: Mapping[str, Any]) -> tuple[Procedure, Any]:
    """The procedure of a step and its mutate config; :class:`ConfigError` naming
    ``nodePropertySteps`` for one that is unknown, yields no node values, or is misconfigured."""
    name = str(step["procedure"])
    try:
        proc = registry.get(name)
    except ConfigError:
        raise ConfigError(f"config key 'nodePropertySteps': unknown procedure '{name}'") from None
    if proc.result != "node" or "mutate" not in proc.modes:
        raise ConfigError(
            f"config key 'nodePropertySteps': '{name}' yields no node values to use as features"
        )
    try:
        cfg = proc.validate(dict(step.get("config", {})), "mutate")
    except ConfigError as exc:
        raise ConfigError(f"config key 'nodePropertySteps': step '{name}': {exc}") from None
    return proc, cfg


def run_steps(graph: Graph, steps: list[Mapping[str, Any]]) -> Graph:
    """``graph`` with each step's values added as the node property its ``mutateProperty``
    names, steps in order (a later step may read an earlier one's property)."""
    for step in steps:
        proc, cfg = step_procedure(step)
        result = proc.compute(graph, cfg)
        assert isinstance(result, NodeValues)
        values = result.values.to(torch.float64)
        if result.mask is not None:
            values = values.clone()
            values[~result.mask.to(values.device)] = float("nan")
        props = dict(graph.node_properties)
        props[cfg["mutateProperty"]] = values
        graph = dataclasses.replace(graph, node_properties=props)
    return graph


def step_outputs(steps: list[Mapping[str, Any]]) -> list[str]:
    return [str(dict(s.get("config", {})).get("mutateProperty")) for s in steps]


def step_inputs(steps: list[Mapping[str, Any]]) -> list[str]:
    """Node properties the steps read from Neo4j (not those an earlier step makes)."""
    made: set[str] = set()
    out: list[str] = []
    for step in steps:
        proc, cfg = step_procedure(step)
        out += [p for p in proc.node_properties_needed(cfg) if p not in made]
        made.add(str(cfg["mutateProperty"]))
    return out


def properties_to_read(features: list[str], steps: list[Mapping[str, Any]]) -> list[str]:
    """The node properties a pipeline reads from Neo4j: its ``features`` that no step makes,
    and what the steps themselves read."""
    made = set(step_outputs(steps))
    return list(dict.fromkeys([p for p in features if p not in made] + step_inputs(steps)))
