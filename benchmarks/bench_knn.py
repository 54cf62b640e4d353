"""NN-Descent kNN (``knn_descent``, method NN_DESCENT) against an earlier version of itself.

    python -m benchmarks.bench_knn [--sizes 100000 500000] [--threads 1 2]
                                   [--baseline d02b416] [--no-baseline] [--sample 1000]

Data (issue 20's profile): ``n`` points around 50 Gaussian centres in 16 dimensions, COSINE,
topK 10, GDS's defaults (sampleRate 0.5, deltaThreshold 0.001, randomJoins 10), seed 1. For
each size and torch thread count it runs this tree's ``knn_descent`` and the baseline's (the
revision's ``knn_descent.py``, read with ``git show``, loaded as a module over this tree's
``knn.py``), and reports CPU time (``time.process_time``: the machine is shared, so wall time
alone misleads), wall time, iterations, pairs considered and recall@10 against the exact
neighbours of ``--sample`` random nodes (float64 brute force over all nodes for those rows, as
exact ``knn`` computes them). The last column is baseline CPU / ours. The GDS comparison runs
through Neo4j: ``python -m benchmarks.run --sizes 5M --algos knn``.

The baseline at 500k nodes takes about 5 minutes of CPU per thread count; ``--no-baseline``
skips it.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import torch

from neo4j_gml.algorithms.similarity import knn as knn_module
from neo4j_gml.algorithms.similarity.knn_descent import knn_descent

_MODULE = "neo4j_gml/algorithms/similarity/knn_descent.py"
_K = 10


def clustered(n: int, d: int = 16, centres: int = 50, seed: int = 0) -> torch.Tensor:
    """``float32[n, d]``: points around ``centres`` standard normal centres (spread 0.5)."""
    g = torch.Generator().manual_seed(seed)
    c = torch.randn(centres, d, generator=g)
    return c[torch.randint(0, centres, (n,), generator=g)] + 0.5 * torch.randn(n, d, generator=g)


def exact_rows(x: torch.Tensor, rows: torch.Tensor, k: int) -> torch.Tensor:
    """``long[len(rows), k]``: the exact ``k`` most similar nodes (COSINE) of ``rows``."""
    props = knn_module.prepare([(x, "COSINE")])
    out = [knn_module._exact_rows(props, r, k)[1] for r in rows.split(64)]
    return torch.cat(out)


def recall(src: torch.Tensor, dst: torch.Tensor, rows: torch.Tensor, exact: torch.Tensor) -> float:
    """Share of the exact neighbours of ``rows`` that the pairs ``(src, dst)`` hold."""
    n = max(int(exact.max()), int(rows.max()), int(dst.max()) if dst.numel() else 0) + 1
    mine = torch.isin(src, rows)
    found = src[mine] * n + dst[mine]
    want = rows[:, None] * n + exact
    return float(torch.isin(want, found).double().mean())


def baseline(rev: str) -> Callable[..., tuple] | None:
    """``knn_descent`` of git revision ``rev`` (``None`` when git cannot show it)."""
    root = Path(__file__).resolve().parents[1]
    try:
        text = subprocess.run(
            ["git", "show", f"{rev}:{_MODULE}"], cwd=root, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    path = Path(tempfile.mkdtemp()) / "knn_descent_baseline.py"
    path.write_bytes(text)
    spec = importlib.util.spec_from_file_location("knn_descent_baseline", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.knn_descent


def run(fn: Callable[..., tuple], x: torch.Tensor) -> tuple[tuple, float, float]:
    """``(result, cpu seconds, wall seconds)`` of one NN-Descent run with GDS's defaults."""
    cpu, wall = time.process_time(), time.perf_counter()
    out = fn([(x, "COSINE")], _K, random_seed=1)
    return out, time.process_time() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 500_000])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--baseline", default="d02b416", help="git revision compared against")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--sample", type=int, default=1000, help="nodes whose recall is measured")
    args = parser.parse_args()
    before = None if args.no_baseline else baseline(args.baseline)
    if before is None and not args.no_baseline:
        print(f"git cannot show {args.baseline}:{_MODULE}; running ours only", file=sys.stderr)
    print("| nodes | threads | version | CPU s | wall s | iterations | pairs | recall@10 | ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n in args.sizes:
        x = clustered(n)
        rows = torch.randperm(n, generator=torch.Generator().manual_seed(7))[: args.sample]
        rows = rows.sort().values
        exact = exact_rows(x, rows, _K)
        for threads in args.threads:
            torch.set_num_threads(threads)
            versions = [("ours", knn_descent)]
            if before is not None:
                versions.append((f"baseline {args.baseline}", before))
            cpu_of = {}
            for name, fn in versions:
                (src, dst, _, stats), cpu, wall = run(fn, x)
                cpu_of[name] = cpu
                ratio = f"{cpu / cpu_of['ours']:.2f}" if name != "ours" else ""
                print(
                    f"| {n:,} | {threads} | {name} | {cpu:.1f} | {wall:.1f} | "
                    f"{stats['ranIterations']} | {stats['nodePairsConsidered']:,} | "
                    f"{recall(src, dst, rows, exact):.4f} | {ratio} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
