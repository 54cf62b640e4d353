"""Model catalog procedures (``model.list``, ``model.drop``, ``model.exists``): no graph needed.

Their category is ``model``: the runner calls ``compute`` with an empty graph and ignores the
projection keys.
"""

from __future__ import annotations

from typing import Any

from neo4j_gml import models
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures.config import REQUIRED, Key
from neo4j_gml.procedures.registry import Procedure, Rows, register

_ROW_COLUMNS = {
    "modelName": "string",
    "modelType": "string",
    "modelInfo": "map",
    "creationTime": "string",
}


def _rows(metas: list[dict[str, Any]]) -> Rows:
    return Rows(
        {
            "modelName": [m.get("modelName") for m in metas],
            "modelType": [m.get("modelType") for m in metas],
            "modelInfo": metas,
            "creationTime": [m.get("creationTime") for m in metas],
        },
        stats={"modelCount": len(metas)},
    )


def _list(_graph: Graph, cfg: dict) -> Rows:
    name = cfg["modelName"]
    if name is None:
        return _rows(models.list_models())
    try:
        return _rows([models.metadata(name)] if models.exists(name) else [])
    except models.ModelStoreError as exc:
        raise ConfigError(f"config key 'modelName': {exc}") from None


def _drop(_graph: Graph, cfg: dict) -> Rows:
    name = cfg["modelName"]
    try:
        if not models.exists(name):
            if cfg["failIfMissing"]:
                raise ConfigError(f"config key 'modelName': no model named '{name}'")
            return _rows([])
        return _rows([models.drop(name)])
    except models.ModelStoreError as exc:
        raise ConfigError(f"config key 'modelName': {exc}") from None


register(
    Procedure(
        name="model.list",
        description="Stored models (all, or the one named by modelName) with their metadata.",
        category="model",
        reads_graph=False,
        result="rows",
        modes=("stream",),
        weighted=False,
        keys=(Key("modelName", "str?", None, "list only this model"),),
        rows_columns=_ROW_COLUMNS,
        compute=_list,
    )
)

register(
    Procedure(
        name="model.drop",
        description="Delete a stored model and yield its metadata.",
        category="model",
        reads_graph=False,
        result="rows",
        modes=("stream",),
        weighted=False,
        keys=(
            Key("modelName", "str", REQUIRED, "the model to delete"),
            Key("failIfMissing", "bool", True, "error when there is no such model"),
        ),
        rows_columns=_ROW_COLUMNS,
        compute=_drop,
    )
)
