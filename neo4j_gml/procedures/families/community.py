"""Community procedures: a community (component) id per node."""

from __future__ import annotations

from neo4j_gml.algorithms.community.wcc import weakly_connected_components
from neo4j_gml.procedures.config import Key
from neo4j_gml.procedures.registry import NodeValues, Procedure, register


def _seed_values(graph, name):  # noqa: ANN001, ANN202
    return None if name is None else graph.node_properties[name]


register(
    Procedure(
        name="wcc",
        description="Weakly connected components: nodes joined by relationships in either "
        "direction share a componentId.",
        category="community",
        column="componentId",
        column_type="int",
        keys=(
            Key("threshold", "float?", None, "only relationships heavier than this connect"),
            Key("seedProperty", "str?", None, "node property with initial component ids"),
            Key("consecutiveIds", "bool", False, "renumber components 0..k-1"),
        ),
        property_keys=("seedProperty",),
        compute=lambda g, c: NodeValues(
            weakly_connected_components(
                g,
                threshold=c["threshold"],
                seeds=_seed_values(g, c["seedProperty"]),
            )
        ),
    )
)
