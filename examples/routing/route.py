"""Answer routing questions on the road network of ``load.py`` with neo4j_gml's path finding.

    python examples/routing/load.py && python examples/routing/route.py town-12 town-1700

Prints the cheapest route (Dijkstra), the same found by A* guided by the coordinates, two
alternatives (Yen's), how far every town is from the start (delta-stepping)
and the cheapest network joining every town (a minimum spanning tree); writes the route back as
one ``(:Town)-[:ROUTE {totalCost, nodeIds, costs}]->(:Town)`` relationship (a rerun replaces
it in place) so Bloom can show it.
"""

from __future__ import annotations

import sys
from typing import Any

import neo4j_gml

ROADS = {"nodeLabels": ["Town"], "relationshipTypes": ["ROAD"], "relationshipWeightProperty": "km"}


def town_id(driver, name: str) -> int:  # noqa: ANN001
    records, _, _ = driver.execute_query(
        "MATCH (t:Town {name: $name}) RETURN id(t) AS id", name=name
    )
    if not records:
        raise SystemExit(f"no town called {name!r}")
    return int(records[0]["id"])


def answer(driver, start: str, end: str) -> dict[str, Any]:  # noqa: ANN001
    """The routing answers as plain values (what ``main`` prints)."""
    source, target = town_id(driver, start), town_id(driver, end)
    ends = {**ROADS, "sourceNode": source, "targetNode": target}
    names = dict(
        (r["id"], r["name"])
        for r in driver.execute_query("MATCH (t:Town) RETURN id(t) AS id, t.name AS name")[0]
    )
    best = neo4j_gml.run("shortestPath.dijkstra", "stream", ends, driver=driver).iloc[0]
    guided = neo4j_gml.run(
        "shortestPath.astar",
        "stream",
        {**ends, "latitudeProperty": "latitude", "longitudeProperty": "longitude"},
        driver=driver,
    ).iloc[0]
    options = neo4j_gml.run("shortestPath.yens", "stream", {**ends, "k": 3}, driver=driver)
    reach = neo4j_gml.run(
        "allShortestPaths.delta", "stream", {**ROADS, "sourceNode": source}, driver=driver
    )
    network = neo4j_gml.run("spanningTree", "stats", {**ROADS, "sourceNode": source}, driver=driver)
    written = neo4j_gml.run(
        "shortestPath.dijkstra",
        "write",
        {**ends, "writeRelationshipType": "ROUTE", "writeNodeIds": True, "writeCosts": True},
        driver=driver,
    )
    return {
        "route": [names[i] for i in best["nodeIds"]],
        "km": float(best["totalCost"]),
        "astar_km": float(guided["totalCost"]),
        "astar_route": [names[i] for i in guided["nodeIds"]],
        "alternatives_km": [float(c) for c in options["totalCost"]],
        "reachable_towns": int(len(reach)),
        "farthest_km": float(reach["totalCost"].max()),
        "network_km": float(network["totalWeight"]),
        "routes_written": int(written["relationshipsWritten"]),
    }


def main(argv: list[str]) -> int:
    from neo4j_gml.io.connection import Connection

    start, end = (argv + ["town-12", "town-1700"][len(argv) :])[:2]
    with Connection.from_env().driver() as driver:
        found = answer(driver, start, end)
    print(f"{start} -> {end}: {found['km']:.1f} km through {len(found['route'])} towns")
    print("  " + " -> ".join(found["route"]))
    print(f"A* agrees: {found['astar_km']:.1f} km")
    print("three cheapest routes: " + ", ".join(f"{k:.1f} km" for k in found["alternatives_km"]))
    print(
        f"{found['reachable_towns']} towns reachable, the farthest {found['farthest_km']:.1f} km; "
        f"joining every town takes {found['network_km']:.0f} km of road"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
