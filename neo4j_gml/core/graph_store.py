"""A graph with several node labels and relationship types: what a named graph holds.

A :class:`GraphStore` is GDS's in-memory graph: ``n`` nodes (their Neo4j ids, sorted), a boolean
mask per node label, node properties (``[n]`` or ``[n, d]`` tensors; NaN marks a node without a
value; a *list property* holds a list of a different length per node, as ``int64[n, L]`` padded
with :data:`PAD`, e.g. SLLPA's community ids), and one :class:`RelationshipSet` per relationship type, each in CSR form with its own
orientation and properties. Algorithms never see it: :meth:`GraphStore.view` cuts the
:class:`~neo4j_gml.core.graph.Graph` a run asks for (some labels, some types, one weight
property, some node properties). A view of every node and one type shares the store's tensors:
it costs nothing, on any device.

Results are added in place (GDS's ``mutate``): :meth:`GraphStore.add_node_property` and
:meth:`GraphStore.add_relationships`.

Examples
--------
>>> import torch
>>> store = GraphStore.from_relationships(
...     torch.tensor([10, 20, 30]),
...     {"KNOWS": (torch.tensor([0, 1]), torch.tensor([1, 2]), {"w": torch.tensor([1.0, 2.0])})},
...     labels={"Person": torch.tensor([True, True, False])},
... )
>>> store.view(relationship_types=["KNOWS"], weight_property="w").weights.tolist()
[1.0, 2.0]
>>> g = store.view(node_labels=["Person"], relationship_types=["KNOWS"])
>>> g.node_ids.tolist(), g.num_arcs
([10, 20], 1)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import ORIENTATIONS, Graph

#: The padding of a list property's rows (``GraphStore.list_properties``).
PAD = -1


def unpad(rows: torch.Tensor) -> list[list[int]]:
    """A list property's rows (``int64[n, L]`` padded with :data:`PAD`) as Python lists without
    their padding.

    >>> unpad(torch.tensor([[3, PAD], [4, 5]]))
    [[3], [4, 5]]
    """
    return [[x for x in row if x != PAD] for row in rows.detach().cpu().tolist()]


def _csr(
    src: torch.Tensor,
    dst: torch.Tensor,
    n: int,
    properties: Mapping[str, torch.Tensor],
    *,
    is_sorted: bool = False,
) -> tuple[torch.Tensor, torch.Tensor, dict[str, torch.Tensor]]:
    """CSR (``indptr``, ``indices``, properties in arc order) of arcs ``src -> dst`` on their
    device; a stable sort by (source, target) unless ``is_sorted``. ``O(m log m)``."""
    props = dict(properties)
    if not is_sorted and src.numel():
        order = torch.sort(src * max(n, 1) + dst, stable=True).indices
        src, dst = src[order], dst[order]
        props = {k: v[order] for k, v in props.items()}
    indptr = torch.zeros(n + 1, dtype=torch.long, device=src.device)
    if src.numel():
        indptr[1:] = torch.cumsum(torch.bincount(src, minlength=n), 0)
    return indptr, dst.contiguous(), props


@dataclass
class RelationshipSet:
    """The relationships of one type: CSR arcs (an ``UNDIRECTED`` edge is two arcs), their
    orientation and properties (``float64[arcs]``)."""

    indptr: torch.Tensor
    indices: torch.Tensor
    orientation: str = "NATURAL"
    properties: dict[str, torch.Tensor] = field(default_factory=dict)

    @property
    def num_arcs(self) -> int:
        return self.indices.numel()

    @property
    def num_relationships(self) -> int:
        """As GDS's catalog counts them: every stored direction (an ``UNDIRECTED``
        relationship counts twice, as in ``gds.graph.project`` and ``gds.graph.list``)."""
        return self.num_arcs

    def sources(self) -> torch.Tensor:
        n = self.indptr.numel() - 1
        return torch.repeat_interleave(
            torch.arange(n, device=self.indptr.device), self.indptr[1:] - self.indptr[:-1]
        )

    def to(self, device: torch.device) -> RelationshipSet:
        return RelationshipSet(
            self.indptr.to(device),
            self.indices.to(device),
            self.orientation,
            {k: v.to(device) for k, v in self.properties.items()},
        )


def _nbytes(tensor: torch.Tensor) -> int:
    return tensor.numel() * tensor.element_size()


@dataclass
class GraphStore:
    """Nodes with labels and properties, and relationship sets by type (see the module doc)."""

    node_ids: torch.Tensor
    labels: dict[str, torch.Tensor] = field(default_factory=dict)
    node_properties: dict[str, torch.Tensor] = field(default_factory=dict)
    relationships: dict[str, RelationshipSet] = field(default_factory=dict)
    list_properties: set[str] = field(default_factory=set)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_relationships(
        cls,
        node_ids: torch.Tensor,
        relationships: Mapping[str, tuple[torch.Tensor, torch.Tensor, Mapping[str, torch.Tensor]]],
        *,
        labels: Mapping[str, torch.Tensor] | None = None,
        node_properties: Mapping[str, torch.Tensor] | None = None,
        orientations: Mapping[str, str] | None = None,
    ) -> GraphStore:
        """A store from arcs given as positions per type (``type -> (source, target,
        properties)``), each type ``NATURAL`` unless ``orientations`` says otherwise (an
        ``UNDIRECTED`` type gets both arcs of every edge, ``REVERSE`` flipped arcs)."""
        n = node_ids.numel()
        sets = {}
        for rtype, (src, dst, props) in relationships.items():
            orientation = (orientations or {}).get(rtype, "NATURAL")
            if orientation not in ORIENTATIONS:
                raise ValueError(f"orientation must be one of {ORIENTATIONS}, got {orientation!r}")
            src, dst = src.to(torch.long), dst.to(torch.long)
            props = {k: v.to(torch.float64) for k, v in props.items()}
            if orientation == "REVERSE":
                src, dst = dst, src
            elif orientation == "UNDIRECTED":
                src, dst = torch.cat([src, dst]), torch.cat([dst, src])
                props = {k: torch.cat([v, v]) for k, v in props.items()}
            indptr, indices, props = _csr(src, dst, n, props)
            sets[rtype] = RelationshipSet(indptr, indices, orientation, props)
        return cls(
            node_ids.to(torch.long),
            dict(labels or {}),
            dict(node_properties or {}),
            sets,
        )

    # ------------------------------------------------------------------ shape
    @property
    def num_nodes(self) -> int:
        return self.node_ids.numel()

    @property
    def device(self) -> torch.device:
        return self.node_ids.device

    def num_relationships(self, types: Sequence[str] | None = None) -> int:
        """Relationships of ``types`` (default: all), as GDS counts them."""
        names = self.relationships if types is None or "*" in types else types
        return sum(self.relationships[t].num_relationships for t in names)

    def nbytes(self) -> int:
        """Bytes of every tensor the store holds."""
        total = _nbytes(self.node_ids)
        total += sum(_nbytes(t) for t in self.labels.values())
        total += sum(_nbytes(t) for t in self.node_properties.values())
        for rel in self.relationships.values():
            total += _nbytes(rel.indptr) + _nbytes(rel.indices)
            total += sum(_nbytes(t) for t in rel.properties.values())
        return total

    def schema(self, with_orientation: bool = False) -> dict[str, Any]:
        """Labels with their node properties, and types with their properties (and
        orientation), as GDS's ``schema`` column."""
        props = {
            name: "List of Integer"
            if name in self.list_properties
            else "List of Float"
            if t.ndim == 2
            else ("Integer" if not t.is_floating_point() else "Float")
            for name, t in self.node_properties.items()
        }
        nodes = {label: dict(props) for label in self.labels} or {"__ALL__": dict(props)}
        rels: dict[str, Any] = {}
        for rtype, rel in self.relationships.items():
            entry: dict[str, Any] = dict.fromkeys(rel.properties, "Float")
            if with_orientation:
                entry = {"properties": entry, "direction": rel.orientation}
            rels[rtype] = entry
        return {"nodes": nodes, "relationships": rels, "graphProperties": {}}

    def density(self) -> float:
        n = self.num_nodes
        return 0.0 if n < 2 else self.num_relationships() / (n * (n - 1))

    def degree_distribution(self) -> dict[str, float]:
        """min, max, mean and percentiles of the out-degree over all types (GDS's column)."""
        degree = torch.zeros(self.num_nodes, dtype=torch.float64, device=self.device)
        for rel in self.relationships.values():
            degree += (rel.indptr[1:] - rel.indptr[:-1]).to(torch.float64)
        if degree.numel() == 0:
            return {"min": 0, "max": 0, "mean": 0.0}
        out: dict[str, float] = {
            "min": int(degree.min().item()),
            "max": int(degree.max().item()),
            "mean": float(degree.mean().item()),
        }
        for q in (50, 75, 90, 95, 99, 999):
            quantile = q / 1000 if q == 999 else q / 100
            out[f"p{q}"] = int(torch.quantile(degree.cpu(), quantile).item())
        return out

    # ------------------------------------------------------------------ selecting
    def node_mask(self, node_labels: Sequence[str] | None) -> torch.Tensor | None:
        """``bool[n]`` of the nodes carrying any of ``node_labels``; None for every node.
        An unknown label is a :class:`ConfigError` naming ``nodeLabels``."""
        if node_labels is None or "*" in node_labels:
            return None
        mask = torch.zeros(self.num_nodes, dtype=torch.bool, device=self.device)
        for label in node_labels:
            if label not in self.labels:
                raise ConfigError(
                    f"config key 'nodeLabels': the graph has no node label '{label}'; its labels: "
                    f"{sorted(self.labels) or 'none (projected without labels)'}"
                )
            mask |= self.labels[label]
        return mask

    def relationship_types(self, types: Sequence[str] | None) -> list[str]:
        """The types ``types`` names (``'*'``: all); an unknown one names
        ``relationshipTypes``."""
        if types is None or "*" in types:
            return list(self.relationships)
        for rtype in types:
            if rtype not in self.relationships:
                raise ConfigError(
                    f"config key 'relationshipTypes': the graph has no relationship type "
                    f"'{rtype}'; its types: {sorted(self.relationships) or 'none'}"
                )
        return list(dict.fromkeys(types))

    def view(
        self,
        node_labels: Sequence[str] | None = None,
        relationship_types: Sequence[str] | None = None,
        weight_property: str | None = None,
        node_properties: Sequence[str] = (),
        missing_allowed: Sequence[str] = (),
    ) -> Graph:
        """The :class:`Graph` of the nodes with any of ``node_labels``, the relationships of
        ``relationship_types`` between them (weighted by ``weight_property``) and the named
        node properties (``float64``). Types of one orientation give a graph of that
        orientation; of mixed ones, a ``NATURAL`` graph of the arcs as stored. Raises
        :class:`ConfigError` naming the config key for an unknown label, type or property, a
        weight property some chosen type lacks, and a node property without a value on a
        chosen node (unless in ``missing_allowed``: then NaN). The graph names its types
        (``arc_type_names``) and, for several, gives each arc's (``arc_types``); it carries
        every label of the store as a mask over its nodes (``node_labels``). One type and
        every node: the store's own tensors."""
        mask = self.node_mask(node_labels)
        types = self.relationship_types(relationship_types)
        orientations = {self.relationships[t].orientation for t in types}
        # types of mixed orientations: their arcs as stored (an undirected relationship is its
        # two arcs), as GDS's in-memory graph holds them
        orientation = orientations.pop() if len(orientations) == 1 else "NATURAL"
        if weight_property is not None:
            lacking = [t for t in types if weight_property not in self.relationships[t].properties]
            if lacking or not types:
                raise ConfigError(
                    f"config key 'relationshipWeightProperty': relationship property "
                    f"'{weight_property}' is not projected for the types {lacking or types}"
                )
        kept = None if mask is None else torch.nonzero(mask).reshape(-1)
        props = {
            name: self._view_property(name, kept, name in missing_allowed)
            for name in node_properties
        }
        ids = self.node_ids if kept is None else self.node_ids[kept]
        labels = {k: v if kept is None else v[kept] for k, v in self.labels.items()}
        n = ids.numel()
        names = tuple(types)
        if len(types) == 1 and kept is None:
            rel = self.relationships[types[0]]
            weights = None if weight_property is None else rel.properties[weight_property]
            return Graph(
                rel.indptr, rel.indices, weights, ids, orientation, props, None, names, labels
            )
        srcs, dsts, ws = [], [], []
        kinds: list[torch.Tensor] = []
        remap = None
        if kept is not None:
            remap = torch.full((self.num_nodes,), -1, dtype=torch.long, device=self.device)
            remap[kept] = torch.arange(n, device=self.device)
        for rtype in types:
            rel = self.relationships[rtype]
            src, dst = rel.sources(), rel.indices
            w = None if weight_property is None else rel.properties[weight_property]
            if remap is not None:
                src, dst = remap[src], remap[dst]
                inside = (src >= 0) & (dst >= 0)
                src, dst = src[inside], dst[inside]
                w = None if w is None else w[inside]
            srcs.append(src)
            dsts.append(dst)
            kinds.append(torch.full_like(src, len(kinds)))
            if w is not None:
                ws.append(w)
        src = torch.cat(srcs) if srcs else torch.empty(0, dtype=torch.long, device=self.device)
        dst = torch.cat(dsts) if dsts else torch.empty(0, dtype=torch.long, device=self.device)
        merged = {"w": torch.cat(ws)} if ws else {}
        if len(types) > 1:  # each arc's type (as an index into names), sorted with the arcs
            merged["type"] = torch.cat(kinds)
        # one type stays sorted under a monotone renumbering; several need a merge
        indptr, indices, arcs = _csr(src, dst, n, merged, is_sorted=len(types) == 1)
        w = arcs.get("w")
        return Graph(indptr, indices, w, ids, orientation, props, arcs.get("type"), names, labels)

    def _view_property(self, name: str, kept: torch.Tensor | None, nan_ok: bool) -> torch.Tensor:
        if name not in self.node_properties:
            raise ConfigError(
                f"config key 'nodeProperties': the graph has no node property '{name}'; its "
                f"node properties: {sorted(self.node_properties) or 'none'}"
            )
        if name in self.list_properties:
            raise ConfigError(
                f"config key 'nodeProperties': node property '{name}' holds a list of a different "
                "length per node; it cannot be read as a number or a vector per node"
            )
        values = self.node_properties[name]
        values = values if kept is None else values[kept]
        values = values.to(torch.float64)
        if not nan_ok and values.numel():
            finite = torch.isfinite(values)
            if finite.ndim > 1:
                finite = finite.all(dim=1)
            missing = int((~finite).sum().item())
            if missing:
                raise ConfigError(
                    f"config key 'nodeProperties': {missing} of {values.shape[0]} nodes have no "
                    f"value for node property '{name}' in the graph (they were projected "
                    "without it, or a mutate gave it to other labels only)"
                )
        return values

    def positions(self, node_labels: Sequence[str] | None) -> torch.Tensor | None:
        """Store positions of a view's nodes, in view order; None when the view has all."""
        mask = self.node_mask(node_labels)
        return None if mask is None else torch.nonzero(mask).reshape(-1)

    # ------------------------------------------------------------------ mutating
    def add_node_property(
        self,
        name: str,
        values: torch.Tensor,
        positions: torch.Tensor | None = None,
        *,
        lists: bool = False,
    ) -> int:
        """Add node property ``name``: ``values`` (``[k]`` or ``[k, d]``) for the nodes at
        ``positions`` (default: every node, in order); other nodes get NaN. With ``lists``,
        ``values`` is ``int64[k, L]`` padded with :data:`PAD` (a list of a different length per
        node) and other nodes get an empty list. Returns how many values were set. An existing
        property of that name is a :class:`ConfigError`."""
        if name in self.node_properties:
            raise ConfigError(
                f"config key 'mutateProperty': node property '{name}' exists already in the "
                "graph; choose another name or drop it (gml.graph.nodeProperties.drop)"
            )
        values = values.detach().to(self.device)
        if lists:
            values = values.to(torch.long).reshape(values.shape[0], -1)
            full = values
            if positions is not None:
                full = torch.full(
                    (self.num_nodes, values.shape[1]), PAD, dtype=torch.long, device=self.device
                )
                full[positions.to(self.device)] = values
            self.node_properties[name] = full
            self.list_properties.add(name)
            return values.shape[0]
        self.list_properties.discard(name)
        values = values.to(torch.float64 if values.is_floating_point() else torch.long)
        if positions is None:
            if values.shape[0] != self.num_nodes:
                raise ValueError(f"node property {name!r} needs {self.num_nodes} rows")
            self.node_properties[name] = values
            return values.shape[0]
        full_dtype = torch.float64  # NaN marks the nodes left out
        full = torch.full(
            (self.num_nodes, *values.shape[1:]), math.nan, dtype=full_dtype, device=self.device
        )
        full[positions.to(self.device)] = values.to(full_dtype)
        self.node_properties[name] = full
        return values.shape[0]

    def property_values(self, name: str, positions: torch.Tensor | None = None) -> list[Any]:
        """Node property ``name`` as plain Python values, one per node (at ``positions``, or
        every node): ``None`` where a node has no value (NaN), a list per node for a
        ``[n, d]`` property, and a list property's rows without their padding."""
        column = self.node_properties[name]
        column = column if positions is None else column[positions.to(column.device)]
        if name in self.list_properties:
            return list(unpad(column))
        out: list[Any] = column.detach().cpu().tolist()
        if column.is_floating_point():
            if column.ndim == 1:
                return [None if v != v else v for v in out]  # NaN: no value
            return [None if any(x != x for x in v) else v for v in out]
        return out

    def add_relationships(
        self,
        rtype: str,
        source: torch.Tensor,
        target: torch.Tensor,
        properties: Mapping[str, torch.Tensor],
        *,
        key: str = "mutateRelationshipType",
    ) -> int:
        """Add relationship type ``rtype`` (``NATURAL``) with arcs between store positions and
        their properties; an existing type is a :class:`ConfigError` naming ``key``."""
        if rtype in self.relationships:
            raise ConfigError(
                f"config key '{key}': relationship type '{rtype}' exists already in the graph; "
                "choose another type or drop it (gml.graph.relationships.drop)"
            )
        src, dst = source.to(self.device, torch.long), target.to(self.device, torch.long)
        values = {k: v.detach().to(self.device, torch.float64) for k, v in properties.items()}
        indptr, indices, values = _csr(src, dst, self.num_nodes, values)
        self.relationships[rtype] = RelationshipSet(indptr, indices, "NATURAL", values)
        return src.numel()

    def to(self, device: torch.device) -> GraphStore:
        """A copy on ``device`` (the same object when already there)."""
        if device == self.device:
            return self
        return GraphStore(
            self.node_ids.to(device),
            {k: v.to(device) for k, v in self.labels.items()},
            {k: v.to(device) for k, v in self.node_properties.items()},
            {k: v.to(device) for k, v in self.relationships.items()},
            set(self.list_properties),
        )

    def subgraph(
        self, node_mask: torch.Tensor, relationship_masks: Mapping[str, torch.Tensor]
    ) -> GraphStore:
        """The nodes of ``node_mask`` and, per type kept, the arcs of its mask (``bool[arcs]``)
        between them: a new store (GDS's ``gml.graph.filter``)."""
        kept = torch.nonzero(node_mask).reshape(-1)
        n = kept.numel()
        remap = torch.full((self.num_nodes,), -1, dtype=torch.long, device=self.device)
        remap[kept] = torch.arange(n, device=self.device)
        sets = {}
        for rtype, arcs in relationship_masks.items():
            rel = self.relationships[rtype]
            src, dst = remap[rel.sources()], remap[rel.indices]
            keep = arcs & (src >= 0) & (dst >= 0)
            props = {k: v[keep] for k, v in rel.properties.items()}
            indptr, indices, props = _csr(src[keep], dst[keep], n, props, is_sorted=True)
            sets[rtype] = RelationshipSet(indptr, indices, rel.orientation, props)
        return GraphStore(
            self.node_ids[kept],
            {k: v[kept] for k, v in self.labels.items()},
            {k: v[kept] for k, v in self.node_properties.items()},
            sets,
            set(self.list_properties),
        )
