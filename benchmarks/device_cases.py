"""Every algorithm in the registry as a case the device check and the device tests run: a
configuration that runs it on a given graph, the graph it takes (directed or undirected, with
the node properties it reads), and how two results of it are compared (CPU against CUDA).

The registry is the list: a case's configuration is derived from the procedure's spec (each
required key by its name: ``sourceNode`` is the highest-degree node, ``featureProperties`` the
generated ``feat``...), plus overrides where the defaults would be slow or leave a result
unseeded. A new algorithm whose required keys no rule covers fails
``tests/algorithms/test_devices.py`` (:func:`missing_cases`) until a rule is added here.

The graphs get generated node properties (:func:`with_properties`): ``feat`` (16 numbers),
``label`` (4 classes), ``value``, ``community`` (16 groups), ``lat``/``lon``. Trainers store
their models under ``dc-<procedure>-<tag>``; the procedures that use a model use the one the
run tagged ``b`` trained (the device run), so both devices apply the same model.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures import model_store, registry
from neo4j_gml.procedures.config import REQUIRED
from neo4j_gml.procedures.registry import NodeValues, RelationshipValues, Rows

#: categories that are no algorithm (catalogs and builders: no graph, nothing to compute)
NOT_ALGORITHMS = {"catalog", "model", "pipeline"}

#: the procedures whose result depends on random draws that differ between devices (their
#: agreement is a structural measure, not equality)
RANDOMISED = {
    "fastRP",
    "node2vec",
    "graphSage.train",
    "graphSage",
    "randomWalk",
    "kmeans",
    "knn",
    "knn.filtered",
    "louvain",
    "leiden",
    "modularityOptimization",  # float atomics on CUDA may tip a tied move
    "labelPropagation",
    "topologicalConcentration",
    "linkPrediction.gnn.train",
    "linkPrediction.train",
    "nodeClassification.train",
    "nodeRegression.train",
    "influenceMaximization.celf",
    "irwe.train",
    "irwe",
}

#: procedures whose cost grows faster than the graph (all pairs, all sources): run only on
#: graphs up to this many nodes
QUADRATIC = {
    "allShortestPaths": 3_000,
    "closeness": 60_000,
    "closeness.harmonic": 60_000,
    "nodeSimilarity": 200_000,
    "knn": 200_000,
    "nodeSimilarity.filtered": 200_000,
    "knn.filtered": 200_000,
    "linkPrediction.gnn.train": 200_000,
    "graphSage.train": 2_000_000,
    "irwe.train": 2_000_000,
    "irwe": 2_000_000,
    # wedge and common-neighbour passes: sum of squared degrees, large on power-law hubs
    "graphletOrbits": 60_000,
    "subgraphCount": 60_000,
    "subgraphCount.relationships": 60_000,
    "orbitAdjacency": 60_000,
    "orbitEmbedding": 60_000,
}


def algorithms() -> list[registry.Procedure]:
    """The registry's algorithms, trainers before the procedures that use their models."""
    procs = [
        p
        for p in registry.procedures()
        if p.reads_graph and not p.arguments and p.category not in NOT_ALGORITHMS
    ]
    return sorted(procs, key=lambda p: (p.name in USES_MODEL, p.name))


#: procedure -> the trainer whose model it uses
USES_MODEL = {
    "graphSage": "graphSage.train",
    "irwe": "irwe.train",
    "linkPrediction.predict": "linkPrediction.train",
    "nodeClassification.predict": "nodeClassification.train",
    "nodeRegression.predict": "nodeRegression.train",
}


def with_properties(graph: Graph, seed: int = 0) -> Graph:
    """``graph`` with the node properties the cases read (see the module notes)."""
    n = graph.num_nodes
    rng = np.random.default_rng(seed)
    feat = rng.normal(size=(n, 16))
    label = (np.arange(n) % 4).astype(np.float64)
    feat[:, 0] += label  # a learnable signal
    props = {
        "feat": torch.as_tensor(feat),
        "label": torch.as_tensor(label),
        "value": torch.as_tensor(feat[:, 1] * 2.0 + 1.0),
        "community": torch.as_tensor((np.arange(n) % 16).astype(np.float64)),
        "lat": torch.as_tensor(rng.uniform(40.0, 60.0, n)),
        "lon": torch.as_tensor(rng.uniform(-10.0, 20.0, n)),
    }
    return Graph(graph.indptr, graph.indices, graph.weights, graph.node_ids, graph.orientation,
                 dict(graph.node_properties) | props)  # fmt: skip


def build_graphs(src: np.ndarray, dst: np.ndarray, num_nodes: int) -> dict[str, Graph]:
    """The directed (``NATURAL``) and ``UNDIRECTED`` graphs of the arcs, parallel arcs merged,
    weights in ``[1, 10)``, with the case properties."""
    weights = np.random.default_rng(1).uniform(1.0, 10.0, src.size)
    return {
        orientation: with_properties(
            Graph.from_edges(
                src,
                dst,
                weights,
                num_nodes=num_nodes,
                orientation=orientation,
                aggregation="SINGLE",
            )  # fmt: skip
        )
        for orientation in ("NATURAL", "UNDIRECTED")
    }


def _hubs(graph: Graph, k: int) -> list[int]:
    """The Neo4j ids of the ``k`` nodes of highest out-degree (sources and targets of paths)."""
    order = torch.argsort(graph.out_degree().cpu(), descending=True)[:k]
    return [int(graph.node_ids[i]) for i in order]


def _required(name: str, graph: Graph, model: str) -> dict[str, Any]:
    """A value for each required key of ``name``, by the key's name (the same names mean the
    same things across the registry); :class:`KeyError` for a key no rule covers."""
    hub, second, third = _hubs(graph, 3)
    by_key: dict[str, Any] = {
        "sourceNode": hub,
        "targetNode": second,
        "sourceNodes": [hub],
        "targetNodes": [second, third],
        "communityProperty": "community",
        "nodeProperty": "feat",
        "featureProperties": ["feat"],
        "targetProperty": "label",
        "latitudeProperty": "lat",
        "longitudeProperty": "lon",
        "embeddingDimension": 32,
        "seedSetSize": 3,
        "k": 3,
        "modelName": model,
        "pattern": "DIAMOND",
        "orbit1": 4,
        "orbit2": 5,
        "budget": 5,
        "iterations": 2,
        "embeddingDensity": 16,
        "maxIterations": 10,
    }
    out = {}
    for key in registry.get(name).all_keys():
        if key.default is REQUIRED:
            if key.name not in by_key:
                raise KeyError(f"{name}: no rule for the required key {key.name!r}")
            out[key.name] = by_key[key.name]
    return out


def _overrides(graph: Graph) -> dict[str, dict[str, Any]]:
    """Keys beyond the required ones: seeds for the randomised algorithms, smaller settings
    where the defaults would make a device check slow, and what the defaults leave unset."""
    hub, second, third, fourth = _hubs(graph, 4)
    seeded = {"randomSeed": 7}
    ids = graph.node_ids.cpu()
    filters = {"sourceNodeFilter": ids[::2].tolist(), "targetNodeFilter": ids[::3].tolist()}
    return {
        "betweenness": {"samplingSize": min(graph.num_nodes, 64), "samplingSeed": 3},
        "orbitAdjacency": {"hop": 2},
        "orbitEmbedding": {"embeddingDimension": 16, "randomSeed": 7},
        "fastRP": {"embeddingDimension": 64, **seeded},
        "hashgnn": {"featureProperties": ["feat"], "binarizeFeatures": {"dimension": 64}, **seeded},
        "graphSage.train": {"epochs": 1, "maxIterations": 2, **seeded},
        "influenceMaximization.celf": {"monteCarloSimulations": 10, **seeded},
        "irwe.train": {"epochs": 1, "walksPerNode": 10, "embeddingDimension": 16, **seeded},
        "kSpanningTree": {"k": 5},
        "kmeans": {"k": 4, **seeded},
        "knn": {"nodeProperties": ["feat"], "topK": 5, **seeded},
        "knn.filtered": {"nodeProperties": ["feat"], "topK": 5, **filters, **seeded},
        "leiden": seeded,
        "linkCandidates": {"topK": 5},
        "linkPrediction.gnn.train": {"epochs": 1, "hiddenDimension": 32, **seeded},
        "linkPrediction.predict": {"topN": 3},
        "linkPrediction.train": {
            "featureProperties": ["feat"],
            "topologicalFeatures": ["adamicAdar"],
            "epochs": 20,
            **seeded,
        },  # fmt: skip
        "linkScore": {"sourceNodes": [hub, second], "targetNodes": [third, fourth]},
        "maxFlow": {"targetNodes": [second], "capacityProperty": "w"},
        "maxkcut": {"iterations": 2, **seeded},
        "node2vec": {"embeddingDimension": 32, "walkLength": 20, "walksPerNode": 2, **seeded},
        "nodeClassification.train": {
            "modelCandidates": [{"method": "LogisticRegression", "maxEpochs": 20}],
            **seeded,
        },
        "nodeRegression.train": {
            "targetProperty": "value",
            "modelCandidates": [{"method": "LinearRegression", "maxEpochs": 20}],
            **seeded,
        },
        "nodeSimilarity": {"topK": 5},
        "nodeSimilarity.filtered": {"topK": 5, **filters},
        "randomWalk": {
            "sourceNodes": [hub, second],
            "walkLength": 20,
            "walksPerNode": 2,
            **seeded,
        },  # fmt: skip
        "shortestPath.yens": {"targetNode": second, "k": 3},
        "shortestPath.dijkstra": {"targetNode": second},
        "shortestPath.astar": {"targetNode": second},
        "sllpa": seeded,
        "steinerTree": {"targetNodes": [second, third]},
        "topologicalConcentration": {"embeddingDimension": 32, **seeded},
    }


def case_config(name: str, graph: Graph, tag: str = "a") -> dict[str, Any]:
    """A configuration that runs procedure ``name`` on ``graph`` (in its stream or stats mode):
    its required keys from :func:`_required`, then :func:`_overrides`. A procedure that uses a
    model (:data:`USES_MODEL`) gets the model its trainer's ``b`` run stored.
    :class:`KeyError` when a required key has no rule."""
    trainer = USES_MODEL.get(name)
    model = f"dc-{trainer}-b" if trainer else f"dc-{name}-{tag}"
    return _required(name, graph, model) | _overrides(graph).get(name, {})


def missing_cases() -> list[str]:
    """Algorithms of the registry without a case here."""
    tiny = build_graphs(np.array([0, 1, 2, 3]), np.array([1, 2, 3, 0]), 4)["NATURAL"]
    out = []
    for proc in algorithms():
        try:
            with model_store.deferred_store_checks():  # the models are trained when it runs
                proc.validate(case_config(proc.name, tiny), mode_of(proc))
        except (KeyError, ConfigError) as exc:
            out.append(f"{proc.name}: {exc}")
    return out


def graph_for(proc: registry.Procedure, graphs: dict[str, Graph]) -> Graph:
    return graphs["UNDIRECTED" if proc.default_orientation == "UNDIRECTED" else "NATURAL"]


def mode_of(proc: registry.Procedure) -> str:
    return "stream" if "stream" in proc.modes else proc.modes[0]


# ---------------------------------------------------------------------------- running
@dataclass
class Run:
    """One run of a case: the result (moved to the CPU), seconds, peak GPU bytes or None."""

    result: Any
    seconds: float
    peak_bytes: int | None


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def run_case(name: str, graph: Graph, device: str, tag: str = "a") -> Run:
    """Validate the case's configuration and run the pure algorithm (``compute``) on
    ``device``, the graph moved there first (not timed)."""
    proc = registry.get(name)
    config = case_config(name, graph, tag) | {"device": device}
    cfg = proc.validate(config, mode_of(proc))
    on = graph.to(device)
    dev = on.device
    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats(dev)
    _sync(dev)
    started = time.perf_counter()
    result = proc.compute(on, cfg)
    _sync(dev)
    seconds = time.perf_counter() - started
    peak = torch.cuda.max_memory_allocated(dev) if dev.type == "cuda" else None
    return Run(_to_cpu(result), seconds, peak)


def _to_cpu(result: Any) -> Any:
    if isinstance(result, NodeValues):
        return NodeValues(
            result.values.cpu(),
            {k: v.cpu() for k, v in result.extra.items()},
            result.stats,
            None if result.mask is None else result.mask.cpu(),
        )
    if isinstance(result, RelationshipValues):
        return RelationshipValues(
            result.source.cpu(), result.target.cpu(), result.values.cpu(), result.stats
        )
    return result


# ---------------------------------------------------------------------------- agreement
def _ari(a: np.ndarray, b: np.ndarray) -> float:
    """Adjusted Rand index of two labelings (Hubert and Arabie 1985)."""
    _, ai = np.unique(a, return_inverse=True)
    _, bi = np.unique(b, return_inverse=True)
    table = np.zeros((ai.max() + 1, bi.max() + 1), dtype=np.float64)
    np.add.at(table, (ai, bi), 1.0)

    def pairs(x: np.ndarray) -> float:
        return float((x * (x - 1) / 2).sum())

    total, rows, cols = pairs(np.array([a.size])), pairs(table.sum(1)), pairs(table.sum(0))
    expected = rows * cols / total if total else 0.0
    top = (rows + cols) / 2 - expected
    return 1.0 if top == 0 else (pairs(table) - expected) / top


def _cosine_structure(a: np.ndarray, b: np.ndarray, seed: int = 0) -> float:
    """Pearson correlation of the cosine similarities of 2,000 random node pairs in the two
    embeddings: whether both give the graph the same geometry (seeds differ by device)."""
    rng = np.random.default_rng(seed)
    i, j = rng.integers(a.shape[0], size=(2, 2000))

    def cos(x: np.ndarray) -> np.ndarray:
        norm = np.linalg.norm(x, axis=1) + 1e-12
        return (x[i] * x[j]).sum(1) / (norm[i] * norm[j])

    ca, cb = cos(a), cos(b)
    if ca.std() == 0 or cb.std() == 0:
        return 1.0 if np.allclose(ca, cb) else 0.0
    return float(np.corrcoef(ca, cb)[0, 1])


def _numbers(stats: dict[str, Any]) -> dict[str, float]:
    out = {}
    for key, value in stats.items():
        if isinstance(value, dict):
            out |= {f"{key}.{k}": v for k, v in _numbers(value).items()}
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out[key] = float(value)
    return out


def agreement(name: str, a: Any, b: Any) -> tuple[bool, str]:
    """Whether two results of ``name`` agree, and how it was measured: exact or to ``1e-6``
    relative for deterministic algorithms; for randomised ones (:data:`RANDOMISED`) the
    adjusted Rand index of partitions (>= 0.5), the correlation of pair similarities of
    embeddings (>= 0.5), or the test metrics within 0.15."""
    randomised = name in RANDOMISED
    if isinstance(a, NodeValues):
        x, y = a.values.numpy(), b.values.numpy()
        if x.shape != y.shape:
            return False, f"shapes {x.shape} vs {y.shape}"
        if np.array_equal(x, y):
            return True, "identical"
        if x.ndim == 2:
            corr = _cosine_structure(x.astype(np.float64), y.astype(np.float64))
            return corr >= 0.5 or not randomised and corr > 0.999, f"pair-cosine corr {corr:.3f}"
        if np.issubdtype(x.dtype, np.integer) or np.issubdtype(x.dtype, np.bool_):
            ari = _ari(x, y)
            ok = ari >= 0.5 if randomised else ari == 1.0
            return ok, f"ARI {ari:.3f}"
        scale = max(float(np.nanmax(np.abs(x))) if x.size else 0.0, 1e-12)
        diff = float(np.nanmax(np.abs(x - y))) / scale if x.size else 0.0
        same_nan = np.array_equal(np.isnan(x), np.isnan(y))
        return same_nan and (diff <= 1e-6 or randomised), f"max rel diff {diff:.1e}"
    if isinstance(a, RelationshipValues):
        pa = set(zip(a.source.tolist(), a.target.tolist(), strict=True))
        pb = set(zip(b.source.tolist(), b.target.tolist(), strict=True))
        if not pa and not pb:
            return True, "both empty"
        jac = len(pa & pb) / len(pa | pb)
        ok = jac >= 0.5 if randomised else jac >= 0.99
        return ok, f"pair Jaccard {jac:.3f}"
    assert isinstance(a, Rows) and isinstance(b, Rows)
    if a.columns or b.columns:
        if a.columns == b.columns:
            return True, "identical rows"
        costs = "totalCost" if "totalCost" in a.columns else None
        if costs and len(a.columns[costs]) == len(b.columns[costs]):
            ca, cb = np.asarray(a.columns[costs], float), np.asarray(b.columns[costs], float)
            ok = bool(np.allclose(np.sort(ca), np.sort(cb), rtol=1e-9, atol=1e-9))
            return ok or randomised, "same costs" if ok else "costs differ"
        sizes = {k: len(v) for k, v in a.columns.items()}
        return randomised, f"rows differ ({sizes} rows)"
    if "testMetrics" in a.stats:
        na, nb = _numbers(a.stats["testMetrics"]), _numbers(b.stats["testMetrics"])
        worst = max((abs(na[k] - nb.get(k, math.nan)) for k in na), default=0.0)
        return (worst <= 0.15 if randomised else worst <= 1e-6), f"test metrics within {worst:.3f}"
    # a trainer without test metrics (graphSage.train): its numbers (loss...) relative
    na, nb = (
        {k: v for k, v in _numbers(r.stats).items() if not k.endswith("Millis")} for r in (a, b)
    )
    worst = max(
        (abs(na[k] - nb.get(k, math.nan)) / max(abs(na[k]), 1e-12) for k in na), default=0.0
    )
    return (worst <= 0.15 if randomised else worst <= 1e-6), f"stats within {worst:.1%}"


def generated_power_law(num_edges: int, seed: int = 42) -> tuple[np.ndarray, np.ndarray, int]:
    """A Chung-Lu power-law graph (exponent 2.1) with ``num_edges`` arcs on ``num_edges / 10``
    nodes, drawn in chunks (``O(m)`` memory beyond the arcs)."""
    n = max(num_edges // 10, 10)
    rng = np.random.default_rng(seed)
    weights = np.arange(1, n + 1, dtype=np.float64) ** (-1.0 / 1.1)
    cdf = np.cumsum(weights / weights.sum())
    src = np.empty(num_edges, dtype=np.int64)
    dst = np.empty(num_edges, dtype=np.int64)
    for lo in range(0, num_edges, 10_000_000):
        hi = min(lo + 10_000_000, num_edges)
        src[lo:hi] = np.minimum(np.searchsorted(cdf, rng.random(hi - lo)), n - 1)
        dst[lo:hi] = rng.integers(0, n, hi - lo)
    keep = src != dst
    return src[keep], dst[keep], n


Timer = Callable[[], float]
