"""Benchmark Louvain and Leiden: our torch path against igraph and NetworkX, time and modularity.

Usage::

    python benchmarks/bench_community.py [--sizes 100000 1000000] [--device auto]
        [--nx-limit 1000000] [--threads N]

Graphs are planted partitions drawn with NumPy: ``sizes`` relationships over ``size / 10``
nodes in blocks of 50 to 2000 nodes (sizes drawn from a power law); each relationship joins two
random nodes of one block, except a fraction ``--mixing`` (default 0.3) that joins two random
nodes anywhere. Ours is the torch path (``backend='torch'``) on ``--device``; igraph is
``community_multilevel`` / ``community_leiden(objective_function='modularity')``, which is
also what ``backend='auto'`` runs for a graph on the CPU; NetworkX is
``nx.community.louvain_communities`` (skipped above ``--nx-limit`` relationships; NetworkX has
no Leiden of its own). Times are of the algorithm call alone, the graph already built in each
library. Modularity is computed by one function for all. Prints a markdown table; ratios are
their time / ours (above 1: we are faster).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import torch

from neo4j_gml.algorithms.community.louvain import leiden, louvain
from neo4j_gml.algorithms.community.metrics import modularity, undirected_arcs
from neo4j_gml.core.graph import Graph, resolve_device


def planted_edges(
    relationships: int, *, mixing: float = 0.3, per_node: int = 10, seed: int = 0
) -> tuple[int, np.ndarray, np.ndarray]:
    """``(n, src, dst)`` of a planted partition with power-law block sizes (see module doc)."""
    rng = np.random.default_rng(seed)
    n = max(100, relationships // per_node)
    sizes: list[int] = []
    while sum(sizes) < n:
        sizes.append(int(min(2000, 50 * (1 - rng.random()) ** (-1 / 1.5))))
    sizes[-1] -= sum(sizes) - n
    sizes = [s for s in sizes if s > 0]
    starts = np.cumsum([0, *sizes[:-1]])
    block_of = np.repeat(np.arange(len(sizes)), sizes)
    # each relationship picks a block with probability proportional to its size
    first = rng.integers(0, n, size=relationships)
    blocks = block_of[first]
    second = starts[blocks] + (rng.random(relationships) * np.asarray(sizes)[blocks]).astype(
        np.int64
    )
    mixed = rng.random(relationships) < mixing
    second[mixed] = rng.integers(0, n, size=int(mixed.sum()))
    keep = first != second
    return n, first[keep], second[keep]


def timed(fn: Callable[[], object], device: torch.device | None = None) -> tuple[float, object]:
    started = time.perf_counter()
    out = fn()
    if device is not None and device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter() - started, out


def fmt(x: float | None, digits: int = 3) -> str:
    return "skipped" if x is None else f"{x:.{digits}f}"


def ratio(theirs: float | None, ours: float) -> str:
    return "–" if theirs is None else f"{theirs / ours:.2f}x"


def bench(size: int, device: torch.device, nx_limit: int, mixing: float) -> list[dict]:
    import igraph as ig
    import networkx as nx

    n, src, dst = planted_edges(size, mixing=mixing)
    graph = Graph.from_edges(src, dst, num_nodes=n, orientation="UNDIRECTED")
    arcs = undirected_arcs(graph, weighted=False)
    on_device = graph.to(device)
    if device.type == "cuda":  # warm-up: CUDA context and kernels
        louvain(on_device, weighted=False, backend="torch", max_levels=1, max_iterations=1)

    def q(labels: torch.Tensor) -> float:
        return modularity(*arcs, labels.cpu())

    rows = []
    ig_graph = ig.Graph(n=n, edges=np.stack([src, dst], 1).tolist(), directed=False)
    for name, algo in (("louvain", louvain), ("leiden", leiden)):
        ours_t, ours = timed(
            lambda algo=algo: algo(on_device, weighted=False, backend="torch"), device
        )
        if name == "louvain":
            ig_t, ig_res = timed(lambda: ig_graph.community_multilevel())
        else:
            ig_t, ig_res = timed(
                lambda: ig_graph.community_leiden(objective_function="modularity", n_iterations=-1)
            )
        ig_q = q(torch.as_tensor(ig_res.membership))
        nx_t = nx_q = None
        if name == "louvain" and len(src) <= nx_limit:
            g = nx.Graph()
            g.add_nodes_from(range(n))
            g.add_edges_from(zip(src.tolist(), dst.tolist(), strict=True))
            nx_t, parts = timed(lambda g=g: nx.community.louvain_communities(g, seed=0))
            labels = torch.empty(n, dtype=torch.long)
            for c, part in enumerate(parts):
                labels[list(part)] = c
            nx_q = q(labels)
        rows.append(
            {
                "graph": f"{n:,} nodes / {len(src):,} rels",
                "algorithm": name,
                "ours_s": ours_t,
                "ours_q": q(ours.communities),
                "igraph_s": ig_t,
                "igraph_q": ig_q,
                "nx_s": nx_t,
                "nx_q": nx_q,
            }
        )
        print(rows[-1], flush=True)
    return rows


def table(rows: list[dict], device: torch.device) -> str:
    head = (
        f"| graph | algorithm | ours torch ({device.type}) s | Q | igraph s | Q | igraph/ours "
        "| NetworkX s | Q | NetworkX/ours |\n|---|---|---|---|---|---|---|---|---|---|"
    )
    lines = [head]
    for r in rows:
        lines.append(
            f"| {r['graph']} | {r['algorithm']} | {fmt(r['ours_s'])} | {fmt(r['ours_q'], 4)} | "
            f"{fmt(r['igraph_s'])} | {fmt(r['igraph_q'], 4)} | {ratio(r['igraph_s'], r['ours_s'])}"
            f" | {fmt(r['nx_s'])} | {fmt(r['nx_q'], 4)} | {ratio(r['nx_s'], r['ours_s'])} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--nx-limit", type=int, default=1_000_000)
    parser.add_argument("--mixing", type=float, default=0.3)
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    rows = [row for size in args.sizes for row in bench(size, device, args.nx_limit, args.mixing)]
    print()
    print(table(rows, device))


if __name__ == "__main__":
    main()
