"""The Planetoid citation graphs (Cora, CiteSeer, PubMed) with their public split, from raw files.

Reads ``ind.<name>.{x,tx,allx,y,ty,ally,graph,test.index}`` as Kipf and Welling's ``gcn`` code and
PyG's ``read_planetoid_data`` do (the files of ``../shared/data/planetoid``, see its README):

* nodes: the ``allx`` rows (labelled pool), then the test rows; the test rows are stored in file
  order and belong at the positions ``test.index`` names, so ``x[test_index] = x[sorted(test_index)]``;
* the public split (Yang, Cohen and Salakhutdinov 2016): train = ``range(len(y))`` (20 per
  class), validation = ``range(len(y), len(y) + 500)``, test = the sorted ``test.index``;
* CiteSeer has 15 isolated nodes inside the test range that are not in ``test.index`` and have no
  features: zero rows (and no label, ``-1``) stand in for them, as in PyG;
* PubMed's ``allx`` is absent from the shared folder (too large): of the pool only the ``x`` rows
  (the training nodes, ``allx[:len(y)] == x``) have features, and the other pool rows, the
  validation nodes among them, are zero (:attr:`Planetoid.missing_features` marks them). Labels
  come from ``ally`` and are complete. Accuracies on this PubMed are therefore not comparable with
  published ones (both models of :mod:`benchmarks.bench_nodeclass` see the same data);
* edges: the ``graph`` adjacency lists symmetrised, self-loops and duplicates removed (PyG's
  ``edge_index_from_dict``), as unique pairs ``u < v``.

Features are row-normalised (every row sums to one, zero rows stay zero) as Kipf and Welling's
``preprocess_features`` and PyG's ``NormalizeFeatures`` do, unless ``normalize=False``.
"""

from __future__ import annotations

import pickle
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from neo4j_gml.core.graph import Graph

__all__ = ["DATASETS", "DEFAULT_ROOT", "Planetoid", "available", "load_planetoid", "to_graph"]

DATASETS = ("cora", "citeseer", "pubmed")
DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "shared" / "data" / "planetoid"


@dataclass(frozen=True)
class Planetoid:
    """One Planetoid data set with its public split.

    Attributes
    ----------
    name : str
        ``cora``, ``citeseer`` or ``pubmed``.
    features : np.ndarray
        ``float32[n, d]``, dense; row-normalised when :attr:`normalized`.
    labels : np.ndarray
        ``int64[n]`` classes, ``-1`` for a node without one (CiteSeer's padded rows).
    edges : np.ndarray
        ``int64[k, 2]`` unique undirected pairs ``u < v``, no self-loops.
    train, val, test : np.ndarray
        ``int64`` node positions of the public split (140 / 500 / 1000 for Cora).
    num_classes : int
        Number of classes.
    normalized : bool
        Whether :attr:`features` are row-normalised.
    missing_features : np.ndarray
        ``bool[n]``: nodes whose features the files do not hold (zero rows).
    """

    name: str
    features: np.ndarray
    labels: np.ndarray
    edges: np.ndarray
    train: np.ndarray
    val: np.ndarray
    test: np.ndarray
    num_classes: int
    normalized: bool
    missing_features: np.ndarray

    @property
    def num_nodes(self) -> int:
        """``n``."""
        return int(self.labels.shape[0])


def available(root: Path | str = DEFAULT_ROOT, name: str = "cora") -> bool:
    """Whether the raw files of ``name`` are under ``root``."""
    root = Path(root)
    return all(
        (root / f"ind.{name}.{part}").exists()
        for part in ("x", "tx", "y", "ty", "ally", "graph", "test.index")
    )


def _read(root: Path, name: str, part: str) -> object:
    with (root / f"ind.{name}.{part}").open("rb") as f, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy's "scipy.sparse.csr namespace" deprecation
        return pickle.load(f, encoding="latin1")


def _dense(m: object) -> np.ndarray:
    out = m.toarray() if hasattr(m, "toarray") else np.asarray(m)  # type: ignore[attr-defined]
    return np.asarray(out, dtype=np.float32)


def load_planetoid(
    name: str, root: Path | str = DEFAULT_ROOT, *, normalize: bool = True
) -> Planetoid:
    """Load ``name`` (``cora``, ``citeseer`` or ``pubmed``) from the raw files under ``root``.

    Raises ``FileNotFoundError`` when a file is missing (``allx`` may be, see the module's notes).
    """
    name = name.lower()
    if name not in DATASETS:
        raise ValueError(f"unknown Planetoid data set {name!r}; one of {DATASETS}")
    root = Path(root)
    x, tx, y, ty, ally = (_dense(_read(root, name, p)) for p in ("x", "tx", "y", "ty", "ally"))
    graph = _read(root, name, "graph")
    assert isinstance(graph, dict)
    test_index = np.loadtxt(root / f"ind.{name}.test.index", dtype=np.int64).reshape(-1)
    allx_path = root / f"ind.{name}.allx"
    if allx_path.exists():
        allx = _dense(_read(root, name, "allx"))
        pool_missing = np.zeros(allx.shape[0], dtype=bool)
    else:  # PubMed here: only the training rows of the pool have features
        allx = np.zeros((ally.shape[0], x.shape[1]), dtype=np.float32)
        allx[: x.shape[0]] = x
        pool_missing = np.ones(ally.shape[0], dtype=bool)
        pool_missing[: x.shape[0]] = False

    sorted_test = np.sort(test_index)
    low = int(sorted_test[0])
    span = int(sorted_test[-1]) - low + 1  # CiteSeer: isolated nodes leave holes in the range
    tx_full = np.zeros((span, tx.shape[1]), dtype=np.float32)
    ty_full = np.zeros((span, ty.shape[1]), dtype=np.float32)
    tx_full[sorted_test - low] = tx
    ty_full[sorted_test - low] = ty
    test_missing = np.ones(span, dtype=bool)
    test_missing[sorted_test - low] = False

    features = np.concatenate([allx, tx_full])
    onehot = np.concatenate([ally, ty_full])
    missing = np.concatenate([pool_missing, test_missing])
    features[test_index] = features[sorted_test]
    onehot[test_index] = onehot[sorted_test]
    missing[test_index] = missing[sorted_test]
    n = features.shape[0]
    if n != len(graph):
        raise ValueError(f"{name}: {n} feature rows but {len(graph)} nodes in the graph")
    labels = np.where(onehot.sum(1) > 0, onehot.argmax(1), -1).astype(np.int64)

    src = np.fromiter((u for u, vs in graph.items() for _ in vs), dtype=np.int64)
    dst = np.fromiter((v for vs in graph.values() for v in vs), dtype=np.int64)
    pairs = np.stack([np.minimum(src, dst), np.maximum(src, dst)], axis=1)
    pairs = np.unique(pairs[pairs[:, 0] != pairs[:, 1]], axis=0)

    if normalize:
        sums = features.sum(1, keepdims=True)
        features = features / np.where(sums == 0, 1.0, sums).astype(np.float32)
    return Planetoid(
        name=name,
        features=np.ascontiguousarray(features, dtype=np.float32),
        labels=labels,
        edges=pairs,
        train=np.arange(y.shape[0], dtype=np.int64),
        val=np.arange(y.shape[0], y.shape[0] + 500, dtype=np.int64),
        test=sorted_test,
        num_classes=int(ally.shape[1]),
        normalized=normalize,
        missing_features=missing,
    )


def to_graph(data: Planetoid) -> Graph:
    """The undirected :class:`Graph` of ``data`` (both arcs of every edge), on the CPU."""
    return Graph.from_edges(
        data.edges[:, 0],
        data.edges[:, 1],
        orientation="UNDIRECTED",
        num_nodes=data.num_nodes,
    )
