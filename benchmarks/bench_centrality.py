"""Benchmark our pageRank and betweenness against NetworkX and igraph.

Usage::

    python benchmarks/bench_centrality.py [--sizes 100000 1000000 5000000] [--device auto]
        [--betweenness-nodes 5000] [--nx-exact]

Graphs are Chung-Lu power-law graphs (degree exponent 2.5, ten relationships per node on
average) drawn with NumPy. pageRank: ours runs GDS's semantics (20 supersteps, tolerance 1e-7)
on the CPU and, when ``--device`` names or finds CUDA, on the device; NetworkX runs
``nx.pagerank`` (skipped above 1M relationships) and igraph ``Graph.pagerank`` (PRPACK).
Betweenness is exact Brandes on an undirected power-law graph of ``--betweenness-nodes`` nodes;
NetworkX's time is extrapolated from 10% of the sources unless ``--nx-exact`` is given. Prints a
markdown table of seconds and speed-up ratios (their time / ours).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import torch

from neo4j_gml.algorithms.centrality.betweenness import betweenness_centrality
from neo4j_gml.algorithms.centrality.pagerank import page_rank
from neo4j_gml.core.graph import Graph, resolve_device


def power_law_edges(relationships: int, seed: int = 0, per_node: int = 10):
    """Chung-Lu: both ends drawn with probability proportional to ``(i + 1) ** -(1/1.5)``."""
    n = max(2, relationships // per_node)
    rng = np.random.default_rng(seed)
    weights = (np.arange(n) + 1.0) ** (-1.0 / 1.5)
    p = weights / weights.sum()
    src = rng.choice(n, size=relationships, p=p)
    dst = rng.choice(n, size=relationships, p=p)
    keep = src != dst
    return n, src[keep], dst[keep]


def timed(fn: Callable[[], object], device: torch.device | None = None) -> float:
    started = time.perf_counter()
    fn()
    if device is not None and device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter() - started


def fmt(seconds: float | None) -> str:
    return "skipped" if seconds is None else f"{seconds:.3f}"


def ratio(theirs: float | None, ours: float) -> str:
    return "–" if theirs is None else f"{theirs / ours:.1f}x"


def bench_pagerank(size: int, device: torch.device) -> dict:
    import igraph as ig
    import networkx as nx

    n, src, dst = power_law_edges(size)
    g = Graph.from_edges(src, dst, num_nodes=n)
    page_rank(g, max_iterations=2)  # warm-up
    ours_cpu = timed(lambda: page_rank(g))
    ours_dev = None
    if device.type != "cpu":
        gd = g.to(device)
        page_rank(gd, max_iterations=2)
        ours_dev = timed(lambda: page_rank(gd), device)
    ih = ig.Graph(n=n, edges=np.stack([src, dst], axis=1).tolist(), directed=True)
    igraph_s = timed(lambda: ih.pagerank(damping=0.85))
    nx_s = None
    if size <= 1_000_000:
        nxg = nx.DiGraph()
        nxg.add_nodes_from(range(n))
        nxg.add_edges_from(zip(src.tolist(), dst.tolist(), strict=True))
        nx_s = timed(lambda: nx.pagerank(nxg, alpha=0.85))
    return {
        "task": f"pageRank, {src.size:,} rels, {n:,} nodes",
        "ours_cpu": ours_cpu,
        "ours_dev": ours_dev,
        "nx": nx_s,
        "igraph": igraph_s,
    }


def bench_betweenness(nodes: int, device: torch.device, nx_exact: bool) -> dict:
    import igraph as ig
    import networkx as nx

    _, src, dst = power_law_edges(nodes * 4, seed=1, per_node=4)
    g = Graph.from_edges(src, dst, num_nodes=nodes, orientation="UNDIRECTED", aggregation="SINGLE")
    nxg = g.to_networkx()
    edges = [(u, v) for u, v in nxg.edges() if u != v]
    ours_cpu = timed(lambda: betweenness_centrality(g))
    ours_dev = None
    if device.type != "cpu":
        gd = g.to(device)
        betweenness_centrality(gd, sampling_size=8, sampling_seed=0)
        ours_dev = timed(lambda: betweenness_centrality(gd), device)
    ih = ig.Graph(n=nodes, edges=edges, directed=False)
    igraph_s = timed(lambda: ih.betweenness(directed=False))
    if nx_exact:
        nx_s = timed(lambda: nx.betweenness_centrality(nxg, normalized=False))
        label = ""
    else:
        k = max(1, nodes // 10)
        nx_s = timed(lambda: nx.betweenness_centrality(nxg, k=k, normalized=False, seed=0))
        nx_s *= nodes / k
        label = " (NetworkX extrapolated from 10% of sources)"
    return {
        "task": f"betweenness exact, {len(edges):,} rels, {nodes:,} nodes{label}",
        "ours_cpu": ours_cpu,
        "ours_dev": ours_dev,
        "nx": nx_s,
        "igraph": igraph_s,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[100_000, 1_000_000],
        help="pageRank graph sizes in relationships",
    )
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N")
    parser.add_argument("--betweenness-nodes", type=int, default=5000)
    parser.add_argument(
        "--nx-exact", action="store_true", help="time NetworkX betweenness over all sources (slow)"
    )
    parser.add_argument(
        "--threads", type=int, default=0, help="torch CPU threads (0: torch's default)"
    )
    args = parser.parse_args(argv)
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    rows = [bench_pagerank(size, device) for size in args.sizes]
    if args.betweenness_nodes > 0:
        rows.append(bench_betweenness(args.betweenness_nodes, device, args.nx_exact))
    print(f"CPU threads: {torch.get_num_threads()}; device: {device}\n")
    print(
        "| task | ours cpu (s) | ours device (s) | NetworkX (s) | igraph (s) "
        "| NetworkX / ours cpu | igraph / ours cpu |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['task']} | {fmt(r['ours_cpu'])} | {fmt(r['ours_dev'])} | {fmt(r['nx'])} "
            f"| {fmt(r['igraph'])} | {ratio(r['nx'], r['ours_cpu'])} "
            f"| {ratio(r['igraph'], r['ours_cpu'])} |"
        )


if __name__ == "__main__":
    main()
