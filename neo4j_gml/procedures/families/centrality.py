"""Centrality procedures: a score per node."""

from __future__ import annotations

from neo4j_gml.algorithms.centrality.degree import degree_centrality
from neo4j_gml.procedures.registry import NodeValues, Procedure, register

register(
    Procedure(
        name="degree",
        description="Degree centrality: number (or positive weight sum) of relationships per node "
        "in the projection's orientation (NATURAL = outgoing).",
        category="centrality",
        compute=lambda g, c: NodeValues(
            degree_centrality(g, weighted=c["relationshipWeightProperty"] is not None)
        ),
    )
)
