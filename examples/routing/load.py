"""Load a generated road network as ``(:Town {name, latitude, longitude})-[:ROAD {km}]->(:Town)``.

Towns are scattered over a box of Scotland's size (seeded); each is joined to its four nearest
neighbours by a road in both directions, ``km`` being the great-circle distance times a detour
factor in [1.05, 1.4), so the straight line never overestimates a road (A*'s heuristic stays
admissible). Nothing here needs external data.
"""

from __future__ import annotations

import math
import sys

import numpy as np

EARTH_KM = 6371.0


def great_circle_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray):  # noqa: ANN201
    """Haversine distance in kilometres between points given in degrees."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_KM * np.arcsin(np.sqrt(a))


def generate(
    towns: int = 2000, seed: int = 7
) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int, float]]]:
    """Latitudes, longitudes and roads ``(a, b, km)`` (each road once, ``a < b``)."""
    rng = np.random.default_rng(seed)
    lat = rng.uniform(55.0, 58.5, towns)
    lon = rng.uniform(-6.0, -2.0, towns)
    roads: dict[tuple[int, int], float] = {}
    for i in range(towns):
        d = great_circle_km(lat[i], lon[i], lat, lon)
        d[i] = math.inf
        for j in np.argsort(d)[:4]:
            a, b = min(i, int(j)), max(i, int(j))
            if (a, b) not in roads:
                roads[(a, b)] = float(d[j]) * float(rng.uniform(1.05, 1.4))
    return lat, lon, [(a, b, km) for (a, b), km in sorted(roads.items())]


def load(driver, towns: int = 2000, seed: int = 7) -> dict[str, int]:  # noqa: ANN001
    """(Re)create the network in Neo4j; returns the counts."""
    lat, lon, roads = generate(towns, seed)
    driver.execute_query("MATCH (t:Town) DETACH DELETE t")
    driver.execute_query(
        "UNWIND range(0, size($lat) - 1) AS i "
        "CREATE (:Town {name: 'town-' + toString(i), latitude: $lat[i], longitude: $lon[i]})",
        lat=lat.tolist(),
        lon=lon.tolist(),
    )
    driver.execute_query("CREATE INDEX town_name IF NOT EXISTS FOR (t:Town) ON (t.name)")
    driver.execute_query(
        "UNWIND $roads AS r MATCH (a:Town {name: 'town-' + toString(r[0])}) "
        "MATCH (b:Town {name: 'town-' + toString(r[1])}) "
        "CREATE (a)-[:ROAD {km: r[2]}]->(b), (b)-[:ROAD {km: r[2]}]->(a)",
        roads=[[a, b, km] for a, b, km in roads],
    )
    return {"towns": towns, "roads": 2 * len(roads)}


if __name__ == "__main__":
    from neo4j_gml.io.connection import Connection

    with Connection.from_env().driver() as drv:
        print(load(drv, *(int(a) for a in sys.argv[1:3])))
