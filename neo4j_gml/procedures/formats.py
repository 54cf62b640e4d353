"""Result formats: pandas (the default), Apache Arrow tables and Polars frames.

Stream rows are a :class:`pandas.DataFrame` and summary rows a dict; ``format="arrow"`` gives a
:class:`pyarrow.Table` (a summary: a table of one row) and ``format="polars"`` a
:class:`polars.DataFrame` made from that table without copying its buffers. Vector columns
(embeddings) become fixed-size lists of float64 built from one stacked array, not list by list.
``pyarrow`` and ``polars`` are the optional extra ``neo4j-gml[arrow]``.

Example
-------
>>> import pandas as pd
>>> table = as_format(pd.DataFrame({"nodeId": [0, 1], "score": [0.5, 0.25]}), "arrow")
>>> table.column_names, table.num_rows
(['nodeId', 'score'], 2)
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
import pandas as pd

from neo4j_gml.core.errors import ConfigError

FORMATS = ("pandas", "arrow", "polars")


def _module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        raise ConfigError(
            f"format='{'arrow' if name == 'pyarrow' else name}' needs the {name} package: "
            "pip install 'neo4j-gml[arrow]'"
        ) from None


def check_format(format: str) -> None:
    """A :class:`ConfigError` naming the formats unless ``format`` is one of them."""
    if format not in FORMATS:
        raise ConfigError(f"format must be one of {', '.join(FORMATS)}; got {format!r}")


def _vectors(column: pd.Series) -> np.ndarray | None:
    """The rows of an object column of equal-length numeric vectors, stacked; else None."""
    values = column.to_numpy()
    if column.dtype != object or len(values) == 0:
        return None
    if not all(isinstance(v, np.ndarray) and v.ndim == 1 for v in values):
        return None
    if len({v.shape[0] for v in values}) != 1 or values[0].dtype.kind not in "fiu":
        return None
    return np.stack(values)


def to_arrow(result: pd.DataFrame | dict[str, Any]) -> Any:
    """``result`` (stream rows or one summary row) as a :class:`pyarrow.Table`."""
    pa = _module("pyarrow")
    if isinstance(result, dict):
        return pa.Table.from_pylist([result])
    arrays, names = [], []
    for name in result.columns:
        column = result[name]
        stacked = _vectors(column)
        if stacked is not None:
            flat = pa.array(stacked.reshape(-1))
            arrays.append(pa.FixedSizeListArray.from_arrays(flat, stacked.shape[1]))
        elif column.dtype != object:
            arrays.append(pa.array(column.to_numpy()))
        else:
            arrays.append(pa.array(column.tolist()))
        names.append(str(name))
    return pa.Table.from_arrays(arrays, names=names)


def as_format(result: pd.DataFrame | dict[str, Any], format: str) -> Any:
    """``result`` in ``format``: ``pandas`` (as it is), ``arrow`` or ``polars``."""
    check_format(format)
    if format == "pandas":
        return result
    table = to_arrow(result)
    if format == "polars":
        return _module("polars").from_arrow(table)
    return table
