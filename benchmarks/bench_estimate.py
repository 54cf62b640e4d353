"""Memory estimates beside measured peaks: is ``estimate`` within 2x of what a run takes?

    python -m benchmarks.bench_estimate                 # 100k, 1M and 3M relationships
    python -m benchmarks.bench_estimate --sizes 100k    # one size

For each size and procedure, a fresh child process builds the power-law graph of
:mod:`benchmarks.graphs` (10 relationships per node) as a :class:`~neo4j_gml.core.graph.Graph`,
runs the procedure once on a tiny graph (imports), resets the kernel's peak-RSS counter
(``/proc/self/clear_refs``), runs the procedure's compute
exactly as the runner does (``Procedure.compute(graph, config)``) and reads the peak
(``VmHWM``). The measured figure is the graph's tensor bytes plus the peak's rise over the RSS
before the run, plus the peak RSS of a child process the run started (igraph's, for large
graphs); the estimate is ``estimate_memory``'s ``bytesMax`` (what the runner checks
against free memory, and what ``gml.<proc>.estimate`` yields). A ratio in [0.5, 2] is the
target. Linux only (``clear_refs`` and ``VmHWM``). Writes ``benchmarks/results/<date>-<host>-
estimate.md`` and ``.json``; not a pass/fail test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
SIZES = {"100k": 100_000, "1M": 1_000_000, "3M": 3_000_000}
CASES: dict[str, dict[str, Any]] = {
    "pageRank": {},
    "wcc": {},
    "louvain": {"orientation": "UNDIRECTED"},
    "fastRP": {"orientation": "UNDIRECTED", "embeddingDimension": 128, "randomSeed": 1},
    "degree": {},
}


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


class _ChildWatcher(threading.Thread):
    """Samples the peak RSS (``VmHWM``) of this process's children every 10 ms while a run
    lasts: the largest seen is the peak of a child the run started."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0
        self._done = threading.Event()

    def run(self) -> None:
        me = os.getpid()
        while not self._done.wait(0.01):
            for task in Path(f"/proc/{me}/task").iterdir():
                try:
                    children = (task / "children").read_text().split()
                except OSError:
                    continue
                for pid in children:
                    try:
                        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                            if line.startswith("VmHWM:"):
                                self.peak = max(self.peak, int(line.split()[1]) * 1024)
                    except OSError:
                        pass

    def stop(self) -> None:
        self._done.set()
        self.join()


def child(name: str, relationships: int) -> dict[str, Any]:
    """Run one case in this (fresh) process; its row."""
    import gc

    import torch

    from benchmarks.graphs import power_law_edges
    from neo4j_gml.core.graph import Graph
    from neo4j_gml.procedures import registry
    from neo4j_gml.procedures.estimate import estimate_memory

    torch.set_num_threads(2)
    n = relationships // 10
    src, dst = power_law_edges(n, relationships, seed=0)[:2]
    proc = registry.get(name)
    cfg = proc.validate(dict(CASES[name]), "stream")
    graph = Graph.from_edges(src, dst, num_nodes=n, orientation=cfg.orientation)
    del src, dst
    gc.collect()
    graph_bytes = sum(
        t.numel() * t.element_size() for t in (graph.indptr, graph.indices, graph.node_ids)
    )
    tiny = Graph.from_edges([0, 1], [1, 2], num_nodes=3, orientation=cfg.orientation)
    proc.compute(tiny, cfg)  # imports and first-call set-up are not the run's memory
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak RSS
    before = _status("VmRSS")
    watcher = _ChildWatcher()
    watcher.start()
    proc.compute(graph, cfg)
    watcher.stop()
    peak = _status("VmHWM")
    # a child process (igraph above ISOLATE_ABOVE_EDGES) holds memory of its own
    child_peak = watcher.peak
    estimate = estimate_memory(proc, cfg, graph.num_nodes, graph.num_relationships)
    measured = graph_bytes + max(peak - before, 0) + child_peak
    return {
        "procedure": name,
        "relationships": relationships,
        "nodes": n,
        "estimate": estimate.total_bytes,
        "measured": measured,
        "graph_bytes": graph_bytes,
        "peak_rise": peak - before,
        "child_peak": child_peak,
        "ratio": estimate.total_bytes / measured if measured else float("nan"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100k,1M,3M")
    parser.add_argument("--procedures", default=",".join(CASES))
    parser.add_argument("--child", nargs=2, metavar=("PROCEDURE", "RELATIONSHIPS"))
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]))))
        return 0
    rows = []
    for size in args.sizes.split(","):
        for name in args.procedures.split(","):
            out = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "benchmarks.bench_estimate",
                    "--child",
                    name,
                    str(SIZES[size]),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            row = json.loads(out.stdout.strip().splitlines()[-1])
            row["size"] = size
            print(json.dumps(row), flush=True)
            rows.append(row)
    mib = 2**20
    lines = [
        "# Memory estimates beside measured peaks",
        "",
        f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M UTC}, {socket.gethostname()}, CPU. "
        "Measured: graph tensors + rise of peak RSS during compute (fresh process per case). "
        "Target: estimate / measured in [0.5, 2].",
        "",
        "| size | procedure | estimate (MiB) | measured (MiB) | estimate / measured |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['size']} | {r['procedure']} | {r['estimate'] / mib:.1f} | "
            f"{r['measured'] / mib:.1f} | {r['ratio']:.2f} |"
        )
    text = "\n".join(lines) + "\n"
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = f"{dt.date.today().isoformat()}-{socket.gethostname()}-estimate"
    (RESULTS / f"{stem}.md").write_text(text)
    (RESULTS / f"{stem}.json").write_text(json.dumps(rows, indent=1))
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
