"""Graphlet orbits and subgraph counts beside igraph's motif census, on the SNAP graphs.

    python -m benchmarks.bench_graphlets                # every SNAP graph in ../shared/data/snap
    python -m benchmarks.bench_graphlets --snap CA-GrQc # one

For each graph (compute only, CPU unless ``--device cuda``): our per-node orbit counts of all
15 orbits (``graphletOrbits``), the 13 edge orbits per relationship, one pattern per node
(``subgraphCount`` CLIQUE4), and igraph's ``motifs_randesu`` for 3- and 4-node motifs (global
induced counts only, no per-node vector); agreement: our per-graphlet totals against igraph's
counts of the same isomorphism classes (exact). NetworkX's per-node triangles beside our
TRIANGLE count. Writes ``benchmarks/results/<date>-<host>-graphlets.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import igraph as ig
import networkx as nx
import numpy as np
import torch

from benchmarks.device_check import _load_snap, _snap_dir
from benchmarks.run import save_results
from neo4j_gml.algorithms.graphlets.edge_orbits import edge_orbits
from neo4j_gml.algorithms.graphlets.orbit_adjacency import orbit_adjacency
from neo4j_gml.algorithms.graphlets.orbits import (
    GRAPHLET_OF_ORBIT,
    ORBIT_SIZES,
    graphlet_orbits,
    orbit_of,
)
from neo4j_gml.algorithms.graphlets.subgraphs import subgraph_counts
from neo4j_gml.core.graph import Graph

#: above this many connected 4-node subgraphs igraph's census (which enumerates them) is skipped
IGRAPH_LIMIT = 300_000_000


def _timed(fn: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - started


def _igraph_graphlets(graph: ig.Graph) -> tuple[dict[int, int], float]:
    """Graphlet id -> igraph's induced count, and the seconds of both censuses."""
    found: dict[int, int] = {}
    seconds = 0.0
    for size in (3, 4):
        counts, took = _timed(lambda s=size: graph.motifs_randesu(size=s))
        seconds += took
        for cls, count in enumerate(counts):
            edges = ig.Graph.Isoclass(size, cls).get_edgelist()
            orbit = orbit_of(edges, size, 0)
            if orbit is not None and not np.isnan(count):
                found[GRAPHLET_OF_ORBIT[orbit]] = int(count)
    return found, seconds


def bench(name: str, path: Path, device: str) -> dict[str, Any]:
    src, dst, n = _load_snap(path)
    graph = Graph.from_edges(src, dst, num_nodes=n).to(device)
    orbits, t_orbits = _timed(lambda: graphlet_orbits(graph))
    _, _, edge_counts = edge_orbits(graph)
    _, t_edges = _timed(lambda: edge_orbits(graph))
    _, t_k4 = _timed(lambda: subgraph_counts(graph, "CLIQUE4"))
    tri, t_tri = _timed(lambda: subgraph_counts(graph, "TRIANGLE"))
    matrices, t_adjacency = _timed(lambda: orbit_adjacency(graph))
    adjacency_entries = sum(int(m.values().numel()) for m in matrices.values())
    del matrices
    ours: dict[int, int] = {}
    totals = orbits.sum(0).cpu().tolist()
    for orbit, total in enumerate(totals):
        ours.setdefault(GRAPHLET_OF_ORBIT[orbit], total // ORBIT_SIZES[orbit])
    simple = ig.Graph(n=n, edges=list(zip(src.tolist(), dst.tolist(), strict=True)))
    simple.simplify()
    four_node = sum(ours[g] for g in range(3, 9))
    if four_node <= IGRAPH_LIMIT:
        theirs, t_igraph = _igraph_graphlets(simple)
        same: bool | None = all(ours[g] == theirs[g] for g in theirs)
    else:  # igraph enumerates every 4-node subgraph: at about 4M/s here, too long
        theirs, t_igraph, same = {}, float("nan"), None
    nxg = nx.Graph()
    nxg.add_edges_from(zip(src.tolist(), dst.tolist(), strict=True))
    nxg.remove_edges_from(nx.selfloop_edges(nxg))
    nx_tri, t_nx = _timed(lambda: nx.triangles(nxg))
    tri_same = all(int(tri[i]) == nx_tri.get(i, 0) for i in range(n))
    return {
        "graph": name,
        "nodes": n,
        "edges": int(simple.ecount()),
        "orbits_s": t_orbits,
        "edge_orbits_s": t_edges,
        "clique4_s": t_k4,
        "orbit_adjacency_s": t_adjacency,
        "orbit_adjacency_entries": adjacency_entries,
        "igraph_motifs_s": t_igraph,
        "graphlets": {f"G{g}": ours[g] for g in sorted(ours)},
        "agrees_with_igraph": same,
        "triangle_s": t_tri,
        "networkx_triangles_s": t_nx,
        "triangles_agree": tri_same,
        "edge_orbit_total": int(edge_counts.sum()),
    }


def _agree(r: dict[str, Any]) -> str:
    if not r["triangles_agree"] or r["agrees_with_igraph"] is False:
        return "NO"
    return "yes" if r["agrees_with_igraph"] else "triangles yes (igraph skipped)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--snap", default=None, help="SNAP file stems, comma-separated")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    folder = _snap_dir(None)
    if folder is None:
        print("no SNAP folder (../shared/data/snap); nothing to do")
        return
    files = sorted((f for f in folder.glob("*.txt") if "labels" not in f.name),
                   key=lambda f: f.stat().st_size)  # fmt: skip
    if args.snap:
        files = [f for f in files if f.stem in args.snap.split(",")]
    rows = []
    for path in files:
        row = bench(path.stem, path, args.device)
        rows.append(row)
        print(row, flush=True)
    lines = [
        f"# Graphlet counts beside igraph ({args.device}, {torch.get_num_threads()} threads)",
        "",
        "| graph | nodes | edges | our 15 node orbits | our 13 edge orbits | CLIQUE4 per node | "
        "28 orbit adjacencies (non-zero entries) | igraph motifs 3+4 (global only) | "
        "node orbits / igraph | agree | TRIANGLE per node | NetworkX triangles |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        skipped = r["agrees_with_igraph"] is None
        igraph = "skipped" if skipped else f"{r['igraph_motifs_s']:.2f} s"
        ratio = "-" if skipped else f"{r['orbits_s'] / r['igraph_motifs_s']:.2f}"
        lines.append(
            f"| {r['graph']} | {r['nodes']:,} | {r['edges']:,} | {r['orbits_s']:.2f} s | "
            f"{r['edge_orbits_s']:.2f} s | {r['clique4_s']:.2f} s | "
            f"{r['orbit_adjacency_s']:.2f} s ({r['orbit_adjacency_entries']:,}) | {igraph} | "
            f"{ratio} | {_agree(r)} | {r['triangle_s']:.3f} s | {r['networkx_triangles_s']:.3f} s |"
        )
    tag = "" if not args.snap else "-" + args.snap.replace(",", "-")
    save_results("graphlets" + tag, "\n".join(lines) + "\n", rows)


if __name__ == "__main__":
    main()
