"""The in-memory graph every algorithm works on: CSR tensors on a torch device.

A :class:`Graph` holds ``n`` nodes at positions ``0..n-1`` and ``m`` directed arcs in compressed
sparse row form: the out-neighbours of node ``u`` are ``indices[indptr[u]:indptr[u + 1]]`` with
``weights`` at the same positions. An ``UNDIRECTED`` graph stores every edge as two arcs (a
self-loop too, so degrees match NetworkX's). ``node_ids`` maps a position to the Neo4j internal
id of that node; :meth:`Graph.positions_of` maps back.

The graph knows nothing of Neo4j: ``neo4j_gml.io`` builds it from a projection, and tests build it
from edge lists with :meth:`Graph.from_edges`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

ORIENTATIONS = ("NATURAL", "REVERSE", "UNDIRECTED")
AGGREGATIONS = ("NONE", "SINGLE", "SUM", "MIN", "MAX", "COUNT")

TensorLike = torch.Tensor | np.ndarray | Sequence[Any]


def _as_long(values: TensorLike) -> torch.Tensor:
    if isinstance(values, torch.Tensor):
        return values.to(torch.long)
    return torch.as_tensor(np.asarray(values, dtype=np.int64))


def _as_double(values: TensorLike) -> torch.Tensor:
    if isinstance(values, torch.Tensor):
        return values.to(torch.float64)
    return torch.as_tensor(np.asarray(values, dtype=np.float64))


def resolve_device(device: str | torch.device | None = "auto") -> torch.device:
    """Turn ``'auto' | 'cpu' | 'cuda' | 'cuda:N'`` into a :class:`torch.device`.

    ``'auto'`` picks CUDA when it is available, else the CPU. Asking for CUDA where there is
    none is an error, never a silent fall-back to the CPU.

    Examples
    --------
    >>> resolve_device("cpu")
    device(type='cpu')
    """
    if device is None or device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dev = torch.device(device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device '{device}' was asked for, but torch sees no CUDA device")
    return dev


@dataclass(frozen=True)
class Graph:
    """A directed (or symmetrised undirected) graph in CSR form.

    Attributes
    ----------
    indptr : torch.Tensor
        ``int64[n + 1]``, row pointers.
    indices : torch.Tensor
        ``int64[m]``, target position of each arc, sorted within a row.
    weights : torch.Tensor or None
        ``float64[m]`` arc weights, or ``None`` for an unweighted graph.
    node_ids : torch.Tensor
        ``int64[n]``, the Neo4j internal id of each position.
    orientation : str
        ``'NATURAL'``, ``'REVERSE'`` or ``'UNDIRECTED'``.
    node_properties : Mapping[str, torch.Tensor]
        name -> ``float64[n]`` or ``float64[n, d]`` (lists of fixed length).
    arc_types : torch.Tensor or None
        ``int64[m]``, each arc's relationship type as an index into ``arc_type_names``, where
        the graph holds several types told apart (a named graph's view); ``None`` otherwise.
    arc_type_names : tuple of str
        The relationship types of the arcs, where known (a named graph's view); ``()`` when
        not known (a projection read from Neo4j merges its types).
    node_labels : Mapping[str, torch.Tensor]
        label -> ``bool[n]``, the nodes carrying it, where known (a named graph's view:
        every label of the graph); ``{}`` when not known.

    Examples
    --------
    >>> g = Graph.from_edges([0, 0, 1], [1, 2, 2], orientation="UNDIRECTED")  # a triangle
    >>> g
    Graph(nodes=3, arcs=6, orientation=UNDIRECTED, weighted=False, properties=[], device=cpu)
    >>> g.indptr.tolist(), g.indices.tolist(), g.num_relationships
    ([0, 2, 4, 6], [1, 2, 0, 2, 0, 1], 3)
    """

    indptr: torch.Tensor
    indices: torch.Tensor
    weights: torch.Tensor | None
    node_ids: torch.Tensor
    orientation: str = "NATURAL"
    node_properties: Mapping[str, torch.Tensor] = field(default_factory=dict)
    arc_types: torch.Tensor | None = None
    arc_type_names: tuple[str, ...] = ()
    node_labels: Mapping[str, torch.Tensor] = field(default_factory=dict)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_edges(
        cls,
        source: TensorLike,
        target: TensorLike,
        weights: TensorLike | None = None,
        *,
        num_nodes: int | None = None,
        node_ids: TensorLike | None = None,
        orientation: str = "NATURAL",
        aggregation: str = "NONE",
        node_properties: Mapping[str, TensorLike] | None = None,
    ) -> Graph:
        """Build a graph from arcs ``source[i] -> target[i]`` given as positions ``0..n-1``.

        ``REVERSE`` flips every arc and ``UNDIRECTED`` adds both directions. ``aggregation``
        merges parallel arcs as GDS does: ``NONE`` keeps them, ``SINGLE`` keeps the first,
        ``SUM``/``MIN``/``MAX`` combine their weights and ``COUNT`` makes the weight their
        number. Runs in ``O(m log m)`` (one sort).

        Parameters
        ----------
        source, target : TensorLike
            Arc end positions.
        weights : TensorLike or None
            One weight per arc, or ``None`` for an unweighted graph.
        num_nodes : int or None
            ``n``; by default the largest position plus one (or the length of ``node_ids``).
        node_ids : TensorLike or None
            The Neo4j id of every position; by default the positions themselves.
        orientation : str
            One of :data:`ORIENTATIONS`.
        aggregation : str
            One of :data:`AGGREGATIONS`.
        node_properties : Mapping[str, TensorLike] or None
            name -> ``[n]`` or ``[n, d]`` values.

        Returns
        -------
        Graph
            The graph, on the CPU.

        Raises
        ------
        ValueError
            An unknown orientation or aggregation, or inputs of mismatched lengths or out of range.

        Examples
        --------
        >>> g = Graph.from_edges([0, 0, 1], [1, 1, 2], [1.0, 2.0, 3.0], aggregation="SUM")
        >>> g.weights.tolist(), g.num_arcs
        ([3.0, 3.0], 2)
        """
        if orientation not in ORIENTATIONS:
            raise ValueError(f"orientation must be one of {ORIENTATIONS}, got {orientation!r}")
        if aggregation not in AGGREGATIONS:
            raise ValueError(f"aggregation must be one of {AGGREGATIONS}, got {aggregation!r}")
        src = _as_long(source).reshape(-1)
        dst = _as_long(target).reshape(-1)
        if src.numel() != dst.numel():
            raise ValueError("source and target must have the same length")
        w = None if weights is None else _as_double(weights).reshape(-1)
        if w is not None and w.numel() != src.numel():
            raise ValueError("weights must have one value per arc")
        if node_ids is not None:
            ids = _as_long(node_ids).reshape(-1)
            n = ids.numel() if num_nodes is None else num_nodes
            if ids.numel() != n:
                raise ValueError("node_ids must have num_nodes entries")
        else:
            if num_nodes is None:
                n = int(max(src.max().item(), dst.max().item())) + 1 if src.numel() else 0
            else:
                n = num_nodes
            ids = torch.arange(n, dtype=torch.long)
        if src.numel() and (
            min(src.min().item(), dst.min().item()) < 0
            or max(src.max().item(), dst.max().item()) >= n
        ):
            raise ValueError(f"arc end points must be positions in [0, {n})")

        if orientation == "REVERSE":
            src, dst = dst, src
        elif orientation == "UNDIRECTED":
            src, dst = torch.cat([src, dst]), torch.cat([dst, src])
            if w is not None:
                w = torch.cat([w, w])

        # sort arcs by (source, target), stable so that SINGLE keeps the first one read
        key = src * max(n, 1) + dst
        order = torch.sort(key, stable=True).indices
        src, dst, key = src[order], dst[order], key[order]
        if w is not None:
            w = w[order]
        if aggregation != "NONE" and key.numel():
            uniq, inverse, counts = torch.unique_consecutive(
                key, return_inverse=True, return_counts=True
            )
            first = torch.cumsum(counts, 0) - counts
            if aggregation == "COUNT":
                w = counts.to(torch.float64)
            elif w is not None and aggregation in ("SUM", "MIN", "MAX"):
                reduce = {"SUM": "sum", "MIN": "amin", "MAX": "amax"}[aggregation]
                out = torch.zeros(uniq.numel(), dtype=torch.float64)
                w = out.scatter_reduce(0, inverse, w, reduce=reduce, include_self=False)
            elif w is not None:
                w = w[first]
            src, dst = src[first], dst[first]
        indptr = torch.zeros(n + 1, dtype=torch.long)
        if src.numel():
            indptr[1:] = torch.cumsum(torch.bincount(src, minlength=n), 0)
        props = {k: _as_double(v) for k, v in (node_properties or {}).items()}
        for name, values in props.items():
            if values.shape[0] != n:
                raise ValueError(f"node property {name!r} must have {n} rows")
        return cls(indptr, dst.contiguous(), w, ids, orientation, props)

    # ------------------------------------------------------------------ shape
    @property
    def num_nodes(self) -> int:
        """``n``, the number of nodes."""
        return self.indptr.numel() - 1

    @property
    def num_arcs(self) -> int:
        """Stored directed arcs (an undirected edge counts twice)."""
        return self.indices.numel()

    @property
    def num_relationships(self) -> int:
        """Relationships as GDS counts them: arcs, halved for an undirected graph."""
        return self.num_arcs // 2 if self.orientation == "UNDIRECTED" else self.num_arcs

    @property
    def is_weighted(self) -> bool:
        """Whether the graph carries relationship weights."""
        return self.weights is not None

    @property
    def device(self) -> torch.device:
        """The device the graph's tensors are on."""
        return self.indptr.device

    def out_degree(self) -> torch.Tensor:
        """``int64[n]``: number of stored arcs leaving each node."""
        return self.indptr[1:] - self.indptr[:-1]

    def in_degree(self) -> torch.Tensor:
        """``int64[n]``: number of stored arcs entering each node."""
        return torch.bincount(self.indices, minlength=self.num_nodes)

    def sources(self) -> torch.Tensor:
        """``int64[m]``: the source position of each arc (the CSR rows expanded)."""
        return torch.repeat_interleave(
            torch.arange(self.num_nodes, device=self.device), self.out_degree()
        )

    def edge_index(self) -> torch.Tensor:
        """``int64[2, m]`` in PyG's layout (row 0 sources, row 1 targets)."""
        return torch.stack([self.sources(), self.indices])

    def arc_weights(self) -> torch.Tensor:
        """``float64[m]``: the weights, or ones for an unweighted graph."""
        if self.weights is not None:
            return self.weights
        return torch.ones(self.num_arcs, dtype=torch.float64, device=self.device)

    def transpose(self) -> Graph:
        """The graph with every arc reversed (CSC of this one as CSR). ``O(m log m)``."""
        if self.orientation == "UNDIRECTED":
            return self
        flipped = {"NATURAL": "REVERSE", "REVERSE": "NATURAL"}[self.orientation]
        g = Graph.from_edges(
            self.indices.cpu(),
            self.sources().cpu(),
            None if self.weights is None else self.weights.cpu(),
            num_nodes=self.num_nodes,
            node_ids=self.node_ids.cpu(),
        )
        return replace(g, orientation=flipped, node_properties=self.node_properties).to(self.device)

    def undirected(self) -> Graph:
        """The ``UNDIRECTED`` graph of this ``NATURAL`` graph's arcs: each arc in both
        directions (parallel arcs and self-loops kept), exactly as
        ``Graph.from_edges(sources, targets, weights, orientation='UNDIRECTED')`` builds it.

        The arcs are sorted already, so only the reversed ones are sorted (``m`` keys, not
        ``2m``) and the two runs are merged by binary search: about twice as fast.

        Examples
        --------
        >>> g = Graph.from_edges([0, 1], [1, 2]).undirected()
        >>> g.indptr.tolist(), g.indices.tolist(), g.orientation
        ([0, 1, 3, 4], [1, 0, 2, 1], 'UNDIRECTED')
        """
        if self.orientation != "NATURAL":
            raise ValueError(f"undirected() needs a NATURAL graph, got {self.orientation}")
        n, m = self.num_nodes, self.num_arcs
        src, dst = self.sources(), self.indices
        width = max(n, 1)
        forward = src * width + dst  # sorted: CSR order
        order = torch.sort(dst, stable=True).indices  # by target, then source (stable)
        rsrc, rdst = dst[order], src[order]
        backward = rsrc * width + rdst  # sorted too
        # place both sorted runs in one (ties: the forward arc first, as a stable sort of the
        # concatenation would)
        at_forward = torch.arange(m, device=src.device) + torch.searchsorted(backward, forward)
        at_backward = torch.arange(m, device=src.device) + torch.searchsorted(
            forward, backward, right=True
        )
        indices = torch.empty(2 * m, dtype=torch.long, device=src.device)
        indices[at_forward] = dst
        indices[at_backward] = rdst
        weights = None
        if self.weights is not None:
            weights = torch.empty(2 * m, dtype=self.weights.dtype, device=src.device)
            weights[at_forward] = self.weights
            weights[at_backward] = self.weights[order]
        indptr = torch.zeros(n + 1, dtype=torch.long, device=src.device)
        if m:
            degree = torch.bincount(src, minlength=n) + torch.bincount(dst, minlength=n)
            indptr[1:] = torch.cumsum(degree, 0)
        return Graph(
            indptr, indices, weights, self.node_ids, "UNDIRECTED", dict(self.node_properties)
        )

    def to_sparse_csr(self, weighted: bool = True) -> torch.Tensor:
        """The adjacency matrix ``A[u, v] = w(u -> v)`` as a torch sparse CSR tensor."""
        values = self.arc_weights() if weighted else torch.ones_like(self.arc_weights())
        return torch.sparse_csr_tensor(
            self.indptr, self.indices, values, size=(self.num_nodes, self.num_nodes)
        )

    # ------------------------------------------------------------------ ids
    def positions_of(self, neo4j_ids: TensorLike, *, what: str = "node id") -> torch.Tensor:
        """Positions of the given Neo4j ids; an id not in the graph raises ``KeyError``.

        Examples
        --------
        >>> g = Graph.from_edges([0], [1], node_ids=[10, 20])
        >>> g.positions_of([20, 10]).tolist()
        [1, 0]
        """
        ids = self.node_ids.cpu().numpy()
        wanted = np.asarray(neo4j_ids, dtype=np.int64).reshape(-1)
        order = np.argsort(ids, kind="stable")
        sorted_ids = ids[order]
        at = np.searchsorted(sorted_ids, wanted)
        at_clipped = np.minimum(at, max(len(sorted_ids) - 1, 0))
        found = (at < len(sorted_ids)) & (
            sorted_ids[at_clipped] == wanted if len(sorted_ids) else False
        )
        if not np.all(found):
            missing = wanted[~np.asarray(found, dtype=bool)][:10].tolist()
            raise KeyError(f"{what}s not in the projected graph: {missing}")
        return torch.as_tensor(order[at_clipped], dtype=torch.long, device=self.device)

    # ------------------------------------------------------------------ conversion
    def to(self, device: str | torch.device) -> Graph:
        """A copy on ``device`` (``'auto'`` allowed); the same object if already there."""
        dev = resolve_device(device) if isinstance(device, str) else device
        if dev == self.device:
            return self
        return Graph(
            self.indptr.to(dev),
            self.indices.to(dev),
            None if self.weights is None else self.weights.to(dev),
            self.node_ids.to(dev),
            self.orientation,
            {k: v.to(dev) for k, v in self.node_properties.items()},
            None if self.arc_types is None else self.arc_types.to(dev),
            self.arc_type_names,
            {k: v.to(dev) for k, v in self.node_labels.items()},
        )

    def to_networkx(self, weight: str = "weight") -> nx.DiGraph | nx.Graph:
        """A NetworkX graph keyed by Neo4j id (``Graph`` when undirected, else ``DiGraph``).

        Parallel arcs collapse into one edge whose weight is their sum; node properties become
        node attributes.
        """
        import networkx as nx

        g: nx.Graph = nx.Graph() if self.orientation == "UNDIRECTED" else nx.DiGraph()
        ids = self.node_ids.cpu().tolist()
        g.add_nodes_from(ids)
        for name, values in self.node_properties.items():
            col = values.cpu().tolist()
            nx.set_node_attributes(g, dict(zip(ids, col, strict=True)), name)
        src = self.sources().cpu().tolist()
        dst = self.indices.cpu().tolist()
        w = self.arc_weights().cpu().tolist()
        undirected = self.orientation == "UNDIRECTED"
        for u, v, x in zip(src, dst, w, strict=True):
            if undirected and u > v:
                continue  # the same edge is stored again as v -> u
            if undirected and u == v:
                x = x / 2  # a self-loop is stored as two arcs u -> u
            a, b = ids[u], ids[v]
            if g.has_edge(a, b):
                g[a][b][weight] += x
            else:
                g.add_edge(a, b, **{weight: x})
        return g

    def to_pyg(self) -> Any:
        """A ``torch_geometric.data.Data`` with ``edge_index``, ``edge_weight``, ``x``.

        ``x`` stacks the node properties (scalars as one column each) when there are any;
        ``node_ids`` is carried along so results can be mapped back to Neo4j.
        """
        from torch_geometric.data import Data

        data = Data(edge_index=self.edge_index(), num_nodes=self.num_nodes)
        if self.weights is not None:
            data.edge_weight = self.weights
        if self.node_properties:
            cols = [v.reshape(self.num_nodes, -1) for v in self.node_properties.values()]
            data.x = torch.cat(cols, dim=1).to(torch.float32)
        data.node_ids = self.node_ids
        return data

    def __repr__(self) -> str:
        return (
            f"Graph(nodes={self.num_nodes}, arcs={self.num_arcs}, orientation={self.orientation}, "
            f"weighted={self.is_weighted}, properties={list(self.node_properties)}, "
            f"device={self.device})"
        )
