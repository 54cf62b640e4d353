"""Results as Arrow tables and Polars frames equal the pandas rows (the oracle), vectors
included, for stream and summary modes; an unknown format names the valid ones."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

import neo4j_gml
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph

pa = pytest.importorskip("pyarrow")
pl = pytest.importorskip("polars")


def _graph() -> Graph:
    src = torch.tensor([0, 1, 2, 3, 4, 0])
    dst = torch.tensor([1, 2, 0, 4, 3, 3])
    return Graph.from_edges(src, dst, num_nodes=5, node_ids=torch.tensor([10, 11, 12, 13, 14]))


@pytest.mark.parametrize("fmt", ["arrow", "polars"])
def test_stream_rows_in_each_format_equal_the_pandas_rows(fmt: str) -> None:
    graph = _graph()
    frame = neo4j_gml.run("pageRank", "stream", {}, graph=graph)
    other = neo4j_gml.run("pageRank", "stream", {}, graph=graph, format=fmt)
    assert isinstance(other, pa.Table if fmt == "arrow" else pl.DataFrame)
    back = other.to_pandas() if fmt == "arrow" else other.to_pandas()
    pd.testing.assert_frame_equal(back, frame, check_dtype=False)


def test_vector_columns_become_fixed_size_lists() -> None:
    graph = _graph()
    cfg = {"embeddingDimension": 8, "randomSeed": 3}
    frame = neo4j_gml.run("fastRP", "stream", cfg, graph=graph)
    table = neo4j_gml.run("fastRP", "stream", cfg, graph=graph, format="arrow")
    column = table.column("embedding")
    assert pa.types.is_fixed_size_list(column.type) and column.type.list_size == 8
    got = np.asarray(column.combine_chunks().flatten()).reshape(-1, 8)
    np.testing.assert_array_equal(got, np.stack(frame["embedding"].to_numpy()))
    frame_pl = neo4j_gml.run("fastRP", "stream", cfg, graph=graph, format="polars")
    np.testing.assert_array_equal(frame_pl["nodeId"].to_numpy(), frame["nodeId"].to_numpy())


def test_a_summary_is_a_table_of_one_row() -> None:
    row = neo4j_gml.run("wcc", "stats", {}, graph=_graph())
    table = neo4j_gml.run("wcc", "stats", {}, graph=_graph(), format="arrow")
    assert (
        table.num_rows == 1 and table.column("componentCount")[0].as_py() == row["componentCount"]
    )


def test_an_unknown_format_names_the_valid_ones() -> None:
    with pytest.raises(ConfigError, match="format must be one of pandas, arrow, polars"):
        neo4j_gml.run("wcc", "stats", {}, graph=_graph(), format="csv")
