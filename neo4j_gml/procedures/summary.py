"""Stats and write-mode summary columns, shaped as GDS shapes them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

from neo4j_gml.procedures.registry import NodeValues, Procedure, RelationshipValues, Result

#: families whose relationship results are pair scores, summarised as GDS summarises
#: similarities (``similarityPairs``, ``similarityDistribution``); others (a flow) are not
PAIR_SCORE_FAMILIES = ("similarity", "linkpred")

PERCENTILES = {"p50": 50, "p75": 75, "p90": 90, "p95": 95, "p99": 99, "p999": 99.9}

TIMING_COLUMNS = {
    "preProcessingMillis": "int",
    "computeMillis": "int",
    "postProcessingMillis": "int",
    "nodeCount": "int",
    "relationshipCount": "int",
    "droppedRelationshipCount": "int",
    "configuration": "map",
}


def distribution(values: np.ndarray) -> dict[str, float]:
    """min, max, mean, stdDev and GDS's percentiles of ``values`` (empty -> zeros)."""
    if values.size == 0:
        return {
            "min": 0.0,
            "max": 0.0,
            "mean": 0.0,
            "stdDev": 0.0,
            **dict.fromkeys(PERCENTILES, 0.0),
        }
    out = {
        "min": float(values.min()),
        "max": float(values.max()),
        "mean": float(values.mean()),
        "stdDev": float(values.std()),
    }
    for name, q in PERCENTILES.items():
        out[name] = float(np.percentile(values, q))
    return out


def group_column(proc: Procedure) -> str | None:
    """``componentCount``-style prefix for procedures whose node value is a group id."""
    if proc.result == "node" and proc.column_type == "int" and proc.column.endswith("Id"):
        return proc.column[: -len("Id")]
    return None


#: The row of every ``estimate`` mode (GDS's memory estimation columns).
ESTIMATE_COLUMNS = {
    "nodeCount": "int",
    "relationshipCount": "int",
    "bytesMin": "int",
    "bytesMax": "int",
    "requiredMemory": "str",
    "treeView": "str",
    "mapView": "map",
    "heapPercentageMin": "float",
    "heapPercentageMax": "float",
}


def summary_columns(proc: Procedure, mode: str) -> dict[str, str]:
    """Column name -> type of the stats, write, mutate or estimate row of ``proc`` (for the Java
    signatures)."""
    if mode == "estimate":
        return dict(ESTIMATE_COLUMNS)
    cols = dict(TIMING_COLUMNS)
    group = group_column(proc)
    if group:
        cols[f"{group}Count"] = "int"
        cols[f"{group}Distribution"] = "map"
    elif proc.result == "node" and proc.column_type == "float" and proc.category == "centrality":
        cols["centralityDistribution"] = "map"
    elif proc.result == "relationship" and proc.category in PAIR_SCORE_FAMILIES:
        cols["similarityPairs"] = "int"
        cols["similarityDistribution"] = "map"
    cols.update(proc.stats_columns)
    if mode in ("write", "mutate"):
        cols[f"{mode}Millis"] = "int"
        if proc.adds_relationships:
            cols["relationshipsWritten"] = "int"
        else:
            cols["nodePropertiesWritten"] = "int"
            if proc.column_type == "floatList" and mode == "write":
                cols["vectorIndex"] = "str"
    return cols


def summarize(proc: Procedure, result: Result) -> dict[str, Any]:
    """The result-dependent part of a stats or write row."""
    out: dict[str, Any] = {}
    if isinstance(result, NodeValues):
        values = result.values
        if result.mask is not None:
            values = values[result.mask]
        arr = values.detach().cpu().numpy()
        group = group_column(proc)
        if group and arr.ndim == 1:
            _, sizes = np.unique(arr, return_counts=True)
            out[f"{group}Count"] = int(sizes.size)
            out[f"{group}Distribution"] = distribution(sizes.astype(np.float64))
        elif arr.ndim == 1 and proc.category == "centrality" and proc.column_type == "float":
            out["centralityDistribution"] = distribution(arr.astype(np.float64))
    elif isinstance(result, RelationshipValues) and proc.category in PAIR_SCORE_FAMILIES:
        vals = result.values.detach().cpu().numpy().astype(np.float64)
        out["similarityPairs"] = int(vals.size)
        out["similarityDistribution"] = distribution(vals)
    out.update(_plain(result.stats))
    return out


def _plain(value: Any) -> Any:
    """Tensors and numpy scalars turned into plain Python values (for JSON and Bolt)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value
