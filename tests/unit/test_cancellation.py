"""Cancelling a running procedure: the token, the checkpoints, the thread interrupt, and every
registry procedure stopping within 5 s of a cancel (target of the database contract).

Runs the runner on in-memory graphs (no Neo4j); what a cancel does to reads and writes against
a real Neo4j is in ``tests/reliability/test_contract.py``.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

import numpy as np
import pytest
import torch

from neo4j_gml.core import cancellation
from neo4j_gml.core.cancellation import Cancelled, CancelToken
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures import registry, runner
from neo4j_gml.procedures.jobs import Job, JobIdInUse, JobRegistry


def test_checkpoint_raises_only_for_the_current_cancelled_token() -> None:
    token = CancelToken()
    cancellation.checkpoint()  # no current token: nothing
    with cancellation.active(token):
        cancellation.checkpoint()
        assert token.cancel("stop now") and not token.cancel("again")
        with pytest.raises(Cancelled, match="cancelled: stop now"):
            cancellation.checkpoint()
    cancellation.checkpoint()  # the block ended: no current token again
    assert issubclass(Cancelled, BaseException) and not issubclass(Cancelled, Exception)


def test_interrupt_stops_a_python_loop_without_checkpoints() -> None:
    stopped: list[BaseException] = []
    started = threading.Event()

    def busy() -> None:
        started.set()
        try:
            x = 0
            while True:  # no checkpoint, and an `except Exception` that must not swallow it
                try:  # noqa: SIM105
                    x += 1
                except Exception:  # noqa: BLE001, S110
                    pass
        except Cancelled as exc:
            stopped.append(exc)

    thread = threading.Thread(target=busy, daemon=True)
    thread.start()
    started.wait(5)
    assert cancellation.interrupt(thread.ident)
    thread.join(5)
    assert not thread.is_alive() and len(stopped) == 1


def test_job_phases_registry_and_ids() -> None:
    jobs = JobRegistry(grace_seconds=0.05)
    job = jobs.add(Job("pageRank", "write", id="j1"))
    with pytest.raises(JobIdInUse, match="'j1' is running already"):
        jobs.add(Job("wcc", "stream", id="j1"))
    job.enter("write", total=10)
    job.add_written(4)
    assert job.describe()["rowsWritten"] == 4 and job.describe()["phase"] == "write"
    assert jobs.cancel("j1", "because").token.cancelled
    with pytest.raises(Cancelled, match="because"):
        job.enter("done")
    assert jobs.cancel("nope") is None
    jobs.remove(job)
    assert jobs.list() == []


def _graph(n: int = 20_000, m: int = 100_000) -> Graph:
    rng = np.random.default_rng(11)
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    return Graph.from_edges(
        torch.as_tensor(src),
        torch.as_tensor(dst),
        torch.as_tensor(rng.random(m) + 0.5),
        num_nodes=n,
        node_ids=np.arange(n) + 100,
        node_properties={
            "x": rng.random(n),
            "v": rng.random((n, 8)),
            "c": rng.integers(0, 50, n).astype(np.float64),
        },
    )


EXTRA = {
    "conductance": {"communityProperty": "c"},
    "modularity": {"communityProperty": "c"},
    "fastRP": {"embeddingDimension": 128, "iterationWeights": [0.0, 1.0, 1.0, 1.0]},
    "hashgnn": {
        "iterations": 50,
        "embeddingDensity": 512,
        "generateFeatures": {"dimension": 1024, "densityLevel": 16},
    },
    "influenceMaximization.celf": {"seedSetSize": 20},
    "kmeans": {"nodeProperty": "v", "k": 20},
    "knn": {"nodeProperties": ["v"]},
    "knn.filtered": {
        "nodeProperties": ["v"],
        "method": "NN_DESCENT",
        "sourceNodeFilter": list(range(100, 20_100, 2)),
        "targetNodeFilter": list(range(100, 20_100, 3)),
    },
    "nodeSimilarity.filtered": {"targetNodeFilter": list(range(100, 20_100, 3))},
    "localClustering": {"sourceNodes": [100, 101]},
    "shortestPath.dijkstra": {"sourceNode": 100, "targetNode": 101},
    "allShortestPaths.dijkstra": {"sourceNode": 100},
    "bfs": {"sourceNode": 100},
    "dfs": {"sourceNode": 100},
    "randomWalk": {"walksPerNode": 50},
    "shortestPath.astar": {
        "sourceNode": 100,
        "targetNode": 101,
        "latitudeProperty": "x",
        "longitudeProperty": "x",
    },
    "shortestPath.yens": {"sourceNode": 100, "targetNode": 101, "k": 50},
    "allShortestPaths.delta": {"sourceNode": 100},
    "bellmanFord": {"sourceNode": 100},
    "spanningTree": {"sourceNode": 100},
    "kSpanningTree": {"sourceNode": 100, "k": 1000},
    "steinerTree": {"sourceNode": 100, "targetNodes": list(range(101, 200))},
    "maxFlow": {"sourceNodes": [100, 101], "targetNodes": [102, 103], "capacityProperty": "w"},
    "graphSage.train": {"modelName": "cancel-sage", "featureProperties": ["v"], "epochs": 50},
    "linkPrediction.train": {"modelName": "cancel-lp", "epochs": 200},
    "linkPrediction.gnn.train": {"modelName": "cancel-gnn", "epochs": 200},
    "irwe.train": {"modelName": "cancel-irwe", "epochs": 1000},
    "node2vec": {"walksPerNode": 20},
    "nodeClassification.train": {
        "modelName": "cancel-nc",
        "featureProperties": ["v"],
        "targetProperty": "c",
        "modelCandidates": [{"method": "MLP", "maxEpochs": 1000, "patience": 1000}],
    },
    "nodeRegression.train": {
        "modelName": "cancel-nr",
        "featureProperties": ["v"],
        "targetProperty": "x",
        "modelCandidates": [{"method": "MLP", "maxEpochs": 1000, "patience": 1000}],
    },
}
NEEDS_A_MODEL = {
    "graphSage",
    "irwe",
    "linkPrediction.predict",
    "model.list",
    "model.drop",
    "model.exists",
    "nodeClassification.predict",
    "nodeRegression.predict",
}


@pytest.mark.parametrize(
    "name", sorted(p.name for p in registry.procedures() if p.name not in NEEDS_A_MODEL)
)
def test_every_procedure_stops_within_five_seconds_of_a_cancel(
    name: str, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GML_MODEL_DIR", str(tmp_path))
    proc = registry.get(name)
    mode = "stream" if "stream" in proc.modes else proc.modes[0]
    graph = _shared_graph()
    job = Job(name, mode)
    outcome: list[object] = []

    def work() -> None:
        try:
            outcome.append(
                runner.run(
                    name, mode, {"device": "cpu", **EXTRA.get(name, {})}, graph=graph, job=job
                )
            )
        except BaseException as exc:  # noqa: BLE001
            outcome.append(exc)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while job.phase != "compute" and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)
    t0 = time.monotonic()
    job.cancel("test cancel", grace_seconds=1.0)
    thread.join(5)
    assert not thread.is_alive(), f"{name} still runs 5 s after the cancel"
    if isinstance(outcome[0], BaseException):  # finished before the cancel, or cancelled
        assert isinstance(outcome[0], Cancelled | ValueError), repr(outcome[0])
    assert time.monotonic() - t0 < 5


_CACHE: dict[str, Graph] = {}


def _shared_graph() -> Graph:
    if "g" not in _CACHE:
        _CACHE["g"] = _graph()
    return _CACHE["g"]


def test_interrupt_waits_while_the_thread_imports(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a module whose import takes a while: an interrupt then would leave it half-initialised
    (tmp_path / "slow_module_for_cancel.py").write_text(
        "import time\nfor _ in range(40):\n    time.sleep(0.01)\nDONE = True\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    seen: list[bool] = []
    started = threading.Event()

    def work() -> None:
        started.set()
        import slow_module_for_cancel  # noqa: F401, PLC0415

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    started.wait(5)
    time.sleep(0.1)
    seen.append(cancellation.importing(thread.ident))
    seen.append(cancellation.interrupt(thread.ident))
    thread.join(5)
    import slow_module_for_cancel  # noqa: PLC0415

    assert seen == [True, False] and slow_module_for_cancel.DONE


def _random_undirected(n: int, m: int, seed: int) -> Graph:
    rng = np.random.default_rng(seed)
    return Graph.from_edges(
        torch.as_tensor(rng.integers(0, n, m)),
        torch.as_tensor(rng.integers(0, n, m)),
        num_nodes=n,
        orientation="UNDIRECTED",
    )


@contextlib.contextmanager
def _gil_watch() -> Iterator[list[float]]:
    """The gaps (seconds) between the wake-ups of a thread that sleeps 20 ms at a time while
    the block runs: a long gap means something held the GIL."""
    gaps: list[float] = []
    done = threading.Event()

    def watch() -> None:
        last = time.monotonic()
        while not done.is_set():
            time.sleep(0.02)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield gaps
    finally:
        done.set()
        watcher.join(5)


@pytest.mark.parametrize("name", ["louvain", "leiden"])
def test_igraph_in_a_child_gives_the_same_partition_and_leaves_the_gil_free(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from neo4j_gml.algorithms.community import louvain as module

    graph = _random_undirected(8_000, 40_000, seed=5)
    run = getattr(module, name)
    here = run(graph, random_seed=7, backend="igraph")
    monkeypatch.setattr(module, "ISOLATE_ABOVE_EDGES", 0)
    with _gil_watch() as gaps:  # a thread that must keep running while igraph computes
        there = run(graph, random_seed=7, backend="igraph")
    assert torch.equal(here.communities, there.communities)
    assert here.modularity == there.modularity
    assert max(gaps) < 0.5, f"the GIL was held for {max(gaps):.2f} s"


def _cancel_while_computing(name: str, graph: Graph, wait: float) -> tuple[float, object]:
    """Run ``name`` in a thread, cancel it ``wait`` seconds into its compute phase; returns the
    seconds the thread took to stop after the cancel and what the run returned or raised."""
    job = Job(name, "stream")
    outcome: list[object] = []

    def work() -> None:
        try:
            outcome.append(runner.run(name, "stream", {}, graph=graph, job=job))
        except BaseException as exc:  # noqa: BLE001
            outcome.append(exc)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while job.phase != "compute" and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(wait)
    t0 = time.monotonic()
    job.cancel("test cancel")
    thread.join(5)
    assert not thread.is_alive()
    return time.monotonic() - t0, outcome[0]


def test_cancel_kills_leiden_computing_in_a_child(monkeypatch: pytest.MonkeyPatch) -> None:
    from neo4j_gml.algorithms.community import louvain as module

    monkeypatch.setattr(module, "ISOLATE_ABOVE_EDGES", 0)
    graph = _random_undirected(60_000, 300_000, seed=3)  # several seconds of igraph here
    took, outcome = _cancel_while_computing("leiden", graph, wait=1.0)
    assert took < 2
    assert isinstance(outcome, Cancelled)


def test_cancel_stops_louvain_between_numba_passes_and_leaves_the_gil_free() -> None:
    """Louvain's CPU path runs each local-moving pass in compiled code without the GIL and
    checks for a cancel between passes (a pass over 2M arcs takes ~0.1 s here)."""
    from neo4j_gml.algorithms.community.louvain import louvain

    louvain(_random_undirected(10, 20, seed=4))  # compiled (or loaded from numba's cache) first
    graph = _random_undirected(200_000, 1_000_000, seed=4)
    with _gil_watch() as gaps:  # a thread that must keep running while the passes compute
        took, outcome = _cancel_while_computing("louvain", graph, wait=0.05)
    assert isinstance(outcome, Cancelled)
    assert took < 1.0
    assert max(gaps) < 0.5, f"the GIL was held for {max(gaps):.2f} s"
