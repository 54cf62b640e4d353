"""The device check: every algorithm of the registry on the CPU and on CUDA, side by side with
cuGraph where it has the algorithm. One command, no Neo4j:

    python -m benchmarks.device_check                      # CUDA if present; SNAP + 1M, 10M, 100M
    python -m benchmarks.device_check --device cpu --quick # what CI runs: tiny graphs, seconds
    python -m benchmarks.device_check --budget-s 300 --sizes 1M,10M --out /tmp/dc

What it does, in order:

1. says what the machine has (torch, CUDA, the GPU, cuGraph or why not: ``pip install
   cugraph-cu12 nx-cugraph-cu12`` adds it; the check goes on without);
2. on CUDA, runs the device tests (``pytest -m cuda -q tests/algorithms``) and reports their
   summary line;
3. for each graph, smallest first (the SNAP edge lists in ``--snap-dir``, default
   ``../shared/data/snap`` or ``shared/data/snap``; then generated power-law graphs of
   ``--sizes`` relationships), for each algorithm (:mod:`benchmarks.device_cases`): runs the
   pure algorithm on the CPU and on the device (``--device cpu``: on the CPU twice, which checks
   that it is deterministic), times each, compares them
   (:func:`~benchmarks.device_cases.agreement`), records the peak GPU memory, and runs cuGraph's
   version where it has one;
4. keeps to ``--budget-s`` (default 480): cheap cases first; a case whose time, extrapolated from
   the previous graph, would not fit is skipped with that estimate (the CPU side alone when only
   it would not fit), and the run stops cleanly when the budget is spent;
5. writes ``device_check.md`` (the tables), ``device_check.json`` and ``device_check.png``
   (device speed-up per algorithm on the largest graph) to ``--out`` (default ``$OUT``, else
   ``benchmarks/results/<date>-<host>-device/``), printing each row as it goes.

On the lent GPU machine (no Neo4j, no package registry; its image has torch, PyG, SciPy, pandas,
NetworkX, matplotlib and pytest): run ``bash benchmarks/device_wheels.sh`` here first (the neo4j
driver and igraph wheels into ``.whl/``, the SNAP files into ``.device-data/``, both ignored),
then, with ``carry: ['.whl', '.device-data']`` and a ``timeout_s`` of about 420::

    python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl \
      && export PYTHONPATH=/tmp/site:. PYTHONUNBUFFERED=1 \
      && python3 -m benchmarks.device_check --budget-s 330 --snap-dir .device-data/snap

which leaves time in the 15 device minutes for one rerun after a fix.

The exit status is 0 unless the check itself breaks; disagreements and failures are reported in
the table (``ok`` column), not raised: it is evidence, not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

import numpy as np
import torch

from benchmarks import device_cases as dc

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"1M": 1_000_000, "10M": 10_000_000, "100M": 100_000_000}
QUICK = {"tiny": 2_000}
#: the cost of a case grows like size ** this when extrapolated to the next graph
GROWTH = 1.25


# ---------------------------------------------------------------------------- setup
def _machine(device: str) -> dict[str, Any]:
    info: dict[str, Any] = {
        "host": socket.gethostname(),
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "cuda": torch.cuda.is_available(),
        "device": device,
    }
    if torch.cuda.is_available():
        props = torch.cuda.get_device_properties(0)
        info["gpu"] = f"{props.name}, {props.total_memory / 2**30:.0f} GiB"
        info["torch_cuda"] = torch.version.cuda
    return info


def _cugraph() -> tuple[Any, str]:
    """cuGraph's module (or ``None``) and a line on it."""
    if not torch.cuda.is_available():
        return None, "cuGraph: not tried (no CUDA)"
    try:
        import cudf  # noqa: F401
        import cugraph

        return cugraph, f"cuGraph {cugraph.__version__}"
    except Exception as exc:  # noqa: BLE001 - any import failure means: go on without it
        return None, (
            f"cuGraph: absent ({type(exc).__name__}: {exc}); `pip install cugraph-cu12 "
            "nx-cugraph-cu12` adds it. Going on without it."
        )


def _device_tests(budget: float) -> str:
    """Run ``pytest -m cuda -q tests/algorithms``; its summary line."""
    if not torch.cuda.is_available():
        return "device tests: not run (no CUDA)"
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-m", "cuda", "-q", "-p", "no:cacheprovider",
             "tests/algorithms"],
            cwd=ROOT, capture_output=True, text=True, timeout=budget,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return f"device tests: stopped after {budget:.0f} s"
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    failures = [line for line in lines if line.startswith(("FAILED", "ERROR"))]
    return (
        "device tests (pytest -m cuda): "
        + (lines[-1] if lines else done.stderr[-300:])
        + ("\n" + "\n".join(failures[:30]) if failures else "")
    )


def _snap_dir(given: str | None) -> Path | None:
    for path in [given] if given else [ROOT.parent / "shared/data/snap", ROOT / "shared/data/snap"]:
        if path and Path(path).is_dir():
            return Path(path)
    return None


def _graph_list(args: argparse.Namespace) -> list[tuple[str, Any]]:
    """(name, loader) of every graph, smallest first."""
    if args.quick:
        return [(name, lambda m=m: dc.generated_power_law(m)) for name, m in QUICK.items()]
    out: list[tuple[str, Any]] = []
    snap = _snap_dir(args.snap_dir)
    if snap is not None:
        files = sorted(
            (f for f in snap.glob("*.txt") if "labels" not in f.name),
            key=lambda f: f.stat().st_size,
        )
        out += [(f"SNAP {f.stem}", lambda f=f: _load_snap(f)) for f in files]
    for size in [s for s in args.sizes.split(",") if s]:
        out.append((f"power-law {size}", lambda m=SIZES[size]: dc.generated_power_law(m)))
    return out


def _load_snap(path: Path) -> tuple[np.ndarray, np.ndarray, int]:
    raw = np.loadtxt(path, comments="#", dtype=np.int64, ndmin=2)
    uniq, inverse = np.unique(raw[:, :2], return_inverse=True)
    inverse = inverse.reshape(-1, 2)
    return inverse[:, 0], inverse[:, 1], int(uniq.size)


# ---------------------------------------------------------------------------- cuGraph
def _cugraph_graph(cugraph: Any, graph: Any, directed: bool) -> Any:
    import cudf

    src = graph.sources().cpu().numpy()
    dst = graph.indices.cpu().numpy()
    frame = cudf.DataFrame({"src": src, "dst": dst, "w": graph.weights.cpu().numpy()})
    g = cugraph.Graph(directed=directed)
    g.from_cudf_edgelist(frame, source="src", destination="dst", edge_attr="w")
    return g


def _by_vertex(frame: Any, column: str, n: int, fill: float = 0.0) -> np.ndarray:
    out = np.full(n, fill, dtype=np.float64)
    pdf = frame.to_pandas()
    out[pdf["vertex"].to_numpy()] = pdf[column].to_numpy()
    return out


def _cugraph_case(cugraph: Any, name: str, graph: Any, ours: Any) -> tuple[float, str] | None:
    """(seconds, agreement) of cuGraph's version of ``name``, or ``None`` if it has none."""
    n = graph.num_nodes
    hub = int(torch.argmax(graph.out_degree().cpu()))
    undirected = graph.orientation == "UNDIRECTED"
    runs = {
        "pageRank": lambda g: cugraph.pagerank(g, alpha=0.85, max_iter=20, tol=1e-7),
        "wcc": lambda g: cugraph.weakly_connected_components(g),
        "louvain": lambda g: cugraph.louvain(g),
        "leiden": lambda g: cugraph.leiden(g),
        "betweenness": lambda g: cugraph.betweenness_centrality(g, k=min(n, 64), seed=3),
        "bfs": lambda g: cugraph.bfs(g, start=hub),
        "allShortestPaths.dijkstra": lambda g: cugraph.sssp(g, source=hub),
        "triangleCount": lambda g: cugraph.triangle_count(g),
        "kcore": lambda g: cugraph.core_number(g),
        "nodeSimilarity": lambda g: cugraph.jaccard(g),
        "randomWalk": lambda g: cugraph.random_walks(g, "uniform", [hub], 20),
    }
    if name not in runs:
        return None
    g = _cugraph_graph(cugraph, graph, directed=not undirected and name != "wcc")
    torch.cuda.synchronize()
    started = time.perf_counter()
    out = runs[name](g)
    torch.cuda.synchronize()
    seconds = time.perf_counter() - started
    return seconds, _cugraph_agreement(name, out, ours, n)


def _cugraph_agreement(name: str, out: Any, ours: Any, n: int) -> str:
    values = getattr(ours, "values", None)
    mine = values.numpy() if values is not None else None
    if name == "pageRank" and mine is not None:
        theirs = _by_vertex(out, "pagerank", n)
        a, b = mine / mine.sum(), theirs / max(theirs.sum(), 1e-300)
        return f"corr {np.corrcoef(a, b)[0, 1]:.4f} (normalised scores)"
    if name in ("wcc", "louvain", "leiden") and mine is not None:
        frame = out[0] if isinstance(out, tuple) else out
        column = "labels" if name == "wcc" else "partition"
        theirs = _by_vertex(frame, column, n, fill=-1).astype(np.int64)
        extra = f", their modularity {out[1]:.4f}" if isinstance(out, tuple) else ""
        mod = ours.stats.get("modularity")
        extra += f", ours {mod:.4f}" if isinstance(mod, float) else ""
        return f"ARI {dc._ari(mine, theirs):.3f}{extra}"
    if name in ("triangleCount", "kcore") and mine is not None:
        column = "counts" if name == "triangleCount" else "core_number"
        theirs = _by_vertex(out, column, n)
        return "identical" if np.array_equal(mine, theirs) else f"{(mine != theirs).sum()} differ"
    if name == "allShortestPaths.dijkstra":
        theirs = out.to_pandas()["distance"].to_numpy()
        reach = np.sort(theirs[theirs < np.finfo(np.float32).max / 2])
        costs = np.sort(np.asarray(ours.columns.get("totalCost", []), dtype=np.float64))
        same = reach.size == costs.size and np.allclose(reach, costs, rtol=1e-5)
        return "same distances" if same else f"{reach.size} vs {costs.size} reached"
    if name == "bfs":
        reached = int((out.to_pandas()["distance"] < np.iinfo(np.int32).max).sum())
        return f"reached {reached} vs ours {len(ours.columns.get('nodeIds', [[]])[0])}"
    return "time only (different outputs)"


# ---------------------------------------------------------------------------- one graph
def _fits(
    history: dict[tuple[str, str], tuple[int, float]], key: tuple[str, str], arcs: int, left: float
) -> tuple[bool, float]:
    """Whether a case is expected to fit in ``left`` seconds, and the estimate."""
    if key not in history:
        return True, 0.0
    seen_arcs, seconds = history[key]
    estimate = seconds * (arcs / max(seen_arcs, 1)) ** GROWTH
    return estimate < left, estimate


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds * 1e3:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def check_graph(
    label: str,
    edges: tuple[np.ndarray, np.ndarray, int],
    device: str,
    deadline: float,
    history: dict[tuple[str, str], tuple[int, float]],
    cugraph: Any,
    warm: bool,
) -> list[dict[str, Any]]:
    src, dst, n = edges
    models = Path(os.environ["GML_MODEL_DIR"])  # each graph trains its own models
    shutil.rmtree(models, ignore_errors=True)
    models.mkdir(parents=True)
    graphs = dc.build_graphs(src, dst, n)
    arcs = graphs["NATURAL"].num_arcs
    print(f"\n## {label}: {n:,} nodes, {arcs:,} relationships", flush=True)
    rows: list[dict[str, Any]] = []
    other = "cpu" if device == "cpu" else device
    for proc in dc.algorithms():
        name = proc.name
        row: dict[str, Any] = {"graph": label, "nodes": n, "arcs": arcs, "algorithm": name}
        rows.append(row)
        left = deadline - time.monotonic()
        limit = dc.QUADRATIC.get(name)
        if limit is not None and n > limit:
            row["note"] = f"skipped: all pairs / all sources, above {limit:,} nodes"
            continue
        if left < 2:
            row["note"] = "not run: budget spent"
            continue
        graph = dc.graph_for(proc, graphs)
        fits_dev, est_dev = _fits(history, (name, other), arcs, left)
        if not fits_dev:
            row["note"] = f"skipped: {other} estimated {est_dev:.0f} s, {left:.0f} s left"
            continue
        fits_cpu, est_cpu = _fits(history, (name, "cpu"), arcs, (left - est_dev) * 0.8)
        try:
            if warm:  # the first graph: kernels, allocator and caches warm up untimed
                dc.run_case(name, graph, other, "w")
            cpu = dc.run_case(name, graph, "cpu", "a") if fits_cpu else None
            dev = dc.run_case(name, graph, other, "b")
        except Exception as exc:  # noqa: BLE001 - reported in the table, the check goes on
            row["ok"] = False
            row["note"] = f"failed: {type(exc).__name__}: {str(exc)[:160]}"
            traceback.print_exc(limit=3)
            continue
        history[(name, other)] = (arcs, dev.seconds)
        row["device_s"] = dev.seconds
        row["peak_mib"] = None if dev.peak_bytes is None else dev.peak_bytes / 2**20
        if cpu is not None:
            history[(name, "cpu")] = (arcs, cpu.seconds)
            row["cpu_s"] = cpu.seconds
            row["ok"], row["agreement"] = dc.agreement(name, cpu.result, dev.result)
            if other != "cpu":
                row["ratio"] = cpu.seconds / max(dev.seconds, 1e-9)
        else:
            row["note"] = f"cpu skipped: estimated {est_cpu:.0f} s"
        if cugraph is not None and deadline - time.monotonic() > 5:
            try:
                found = _cugraph_case(cugraph, name, graph, dev.result)
                if found is not None:
                    row["cugraph_s"], row["cugraph_agreement"] = found
                    row["vs_cugraph"] = found[0] / max(dev.seconds, 1e-9)
            except Exception as exc:  # noqa: BLE001
                row["cugraph_agreement"] = f"failed: {type(exc).__name__}: {str(exc)[:120]}"
        _print_row(row, other)
    return rows


def _print_row(row: dict[str, Any], other: str) -> None:
    parts = [f"{row['algorithm']:28s}", f"cpu {_fmt(row.get('cpu_s')):>10s}"]
    if other != "cpu":
        parts.append(f"{other} {_fmt(row.get('device_s')):>10s}")
        parts.append(f"x{row['ratio']:.1f}" if "ratio" in row else "")
    parts.append(str(row.get("agreement", row.get("note", ""))))
    if row.get("peak_mib") is not None:
        parts.append(f"peak {row['peak_mib']:.0f} MiB")
    if "cugraph_s" in row:
        parts.append(f"cuGraph {_fmt(row['cugraph_s'])} ({row.get('cugraph_agreement')})")
    print("  ".join(p for p in parts if p), flush=True)


# ---------------------------------------------------------------------------- report
def markdown(info: dict[str, Any], lines: list[str], rows: list[dict[str, Any]], dev: str) -> str:
    out = [f"# Device check, {dt.date.today().isoformat()}", ""]
    out += [f"- {k}: {v}" for k, v in info.items()] + [f"- {line}" for line in lines] + [""]
    graphs = list(dict.fromkeys(r["graph"] for r in rows))
    second = "second cpu run" if dev == "cpu" else dev
    for graph in graphs:
        sel = [r for r in rows if r["graph"] == graph]
        out += [f"## {graph}: {sel[0]['nodes']:,} nodes, {sel[0]['arcs']:,} relationships", ""]
        out += [
            f"| algorithm | cpu | {second} | cpu / {dev} | agreement | ok | peak GPU MiB | "
            "cuGraph | cuGraph / ours | cuGraph agreement |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in sel:
            ratio = f"{r['ratio']:.1f}" if "ratio" in r else "-"
            peak = f"{r['peak_mib']:.0f}" if r.get("peak_mib") is not None else "-"
            vs = f"{r['vs_cugraph']:.2f}" if "vs_cugraph" in r else "-"
            ok = {True: "yes", False: "**no**"}.get(r.get("ok"), "-")
            out.append(
                f"| {r['algorithm']} | {_fmt(r.get('cpu_s'))} | {_fmt(r.get('device_s'))} | "
                f"{ratio} | {r.get('agreement', r.get('note', ''))} | {ok} | {peak} | "
                f"{_fmt(r.get('cugraph_s'))} | {vs} | {r.get('cugraph_agreement', '-')} |"
            )
        out.append("")
    return "\n".join(out)


def chart(rows: list[dict[str, Any]], dev: str, path: Path) -> bool:
    """Bars of the device speed-up (or, on the CPU, the times) per algorithm on the largest
    graph that ran; ``False`` when nothing ran."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    done = [r for r in rows if "device_s" in r]
    if not done:
        return False
    largest = max(done, key=lambda r: r["arcs"])["graph"]
    sel = [r for r in done if r["graph"] == largest]
    key = "ratio" if dev != "cpu" else "cpu_s"
    sel = [r for r in sel if key in r]
    if not sel:
        return False
    fig, ax = plt.subplots(figsize=(8, max(3.0, 0.22 * len(sel))))
    ax.barh([r["algorithm"] for r in sel], [r[key] for r in sel], color="#4477aa")
    ax.set_xscale("log")
    ax.set_xlabel("CPU time / CUDA time" if dev != "cpu" else "CPU seconds")
    ax.set_title(f"{largest}: {'speed-up on ' + dev if dev != 'cpu' else 'CPU compute time'}")
    ax.invert_yaxis()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    parser.add_argument("--quick", action="store_true", help="tiny generated graphs only")
    parser.add_argument("--budget-s", type=float, default=480.0)
    parser.add_argument("--sizes", default="1M,10M,100M", help=f"of {', '.join(SIZES)}")
    parser.add_argument("--snap-dir", default=None)
    parser.add_argument("--out", default=None)
    parser.add_argument("--no-tests", action="store_true", help="skip pytest -m cuda")
    args = parser.parse_args(argv)
    started = time.monotonic()
    deadline = started + args.budget_s
    device = args.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        print("--device cuda: no CUDA device here; use --device cpu", file=sys.stderr)
        return 2
    stamp = f"{dt.date.today().isoformat()}-{socket.gethostname()}-device"
    out_dir = Path(args.out or os.environ.get("OUT") or ROOT / "benchmarks/results" / stamp)
    out_dir.mkdir(parents=True, exist_ok=True)
    os.environ["GML_MODEL_DIR"] = tempfile.mkdtemp(prefix="gml-device-models-")

    info = _machine(device)
    print("# device check\n" + "\n".join(f"{k}: {v}" for k, v in info.items()), flush=True)
    cugraph, cugraph_line = _cugraph()
    lines = [cugraph_line]
    print(cugraph_line, flush=True)
    if device == "cuda" and not args.no_tests:
        lines.append(_device_tests(min(150.0, args.budget_s / 3)))
        print(lines[-1], flush=True)
    torch.manual_seed(0)
    rows: list[dict[str, Any]] = []
    history: dict[tuple[str, str], tuple[int, float]] = {}
    for i, (label, load) in enumerate(_graph_list(args)):
        if deadline - time.monotonic() < 5:
            lines.append(f"stopped before {label}: budget spent")
            print(lines[-1], flush=True)
            break
        try:
            edges = load()
            rows += check_graph(label, edges, device, deadline, history, cugraph, warm=i == 0)
        except (MemoryError, torch.OutOfMemoryError) as exc:
            lines.append(f"{label}: out of memory ({exc}); stopped")
            print(lines[-1], flush=True)
            break
        if device == "cuda":
            torch.cuda.empty_cache()
    lines.append(f"ran {time.monotonic() - started:.0f} s of a {args.budget_s:.0f} s budget")
    text = markdown(info, lines, rows, device)
    (out_dir / "device_check.md").write_text(text)
    payload = {"machine": info, "notes": lines, "rows": rows}
    (out_dir / "device_check.json").write_text(json.dumps(payload, indent=1, default=str))
    drew = chart(rows, device, out_dir / "device_check.png")
    print(f"\nwrote {out_dir}/device_check.md, .json{', .png' if drew else ''}", flush=True)
    bad = [r["algorithm"] for r in rows if r.get("ok") is False]
    print(f"{len(rows)} cases, {len(bad)} disagreeing or failed: {', '.join(bad) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
