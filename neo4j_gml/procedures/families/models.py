"""Model catalog procedures (``model.list``, ``model.drop``, ``model.exists``): no graph needed.

They read no graph (``reads_graph=False``): the runner calls ``compute`` with an empty graph
and ignores the projection keys. Each has a typed config class (:mod:`neo4j_gml.procedures.spec`);
the model name is checked before ``compute`` runs, and ``model.drop`` with ``failIfMissing``
refuses a missing model there too (unless the store checks are deferred, see
:mod:`neo4j_gml.procedures.model_store`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from neo4j_gml import models
from neo4j_gml.core.errors import ConfigError
from neo4j_gml.core.graph import Graph
from neo4j_gml.procedures import model_store
from neo4j_gml.procedures.config import REQUIRED
from neo4j_gml.procedures.registry import Procedure, Rows, register
from neo4j_gml.procedures.spec import NodeConfig, RunConfig, option

spec = dataclass(frozen=True, kw_only=True, eq=False)

_ROW_COLUMNS = {
    "modelName": "string",
    "modelType": "string",
    "modelInfo": "map",
    "creationTime": "string",
}


def _valid_name(name: str) -> None:
    problem = model_store.model_name_check(name)
    if problem is not None:
        raise ConfigError(f"config key 'modelName' {problem}")


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


@spec
class ModelListConfig(NodeConfig):
    model_name: str | None = option("modelName", None, "list only this model")

    def check(self, mode: str) -> None:
        super().check(mode)
        if self.model_name is not None:
            _valid_name(self.model_name)


def _list(_graph: Graph, cfg: ModelListConfig) -> Rows:
    name = cfg.model_name
    if name is None:
        return _rows(models.list_models())
    try:
        return _rows([models.metadata(name)] if models.exists(name) else [])
    except models.ModelStoreError as exc:
        raise ConfigError(f"config key 'modelName': {exc}") from None


register(
    Procedure(
        name="model.list",
        description="Stored models (all, or the one named by modelName) with their metadata.",
        category="model",
        result="rows",
        modes=("stream",),
        weighted=False,
        reads_graph=False,
        config=ModelListConfig,
        rows_columns=_ROW_COLUMNS,
        compute=_list,
    )
)


@spec
class ModelDropConfig(NodeConfig):
    model_name: str = option("modelName", REQUIRED, "the model to delete")
    fail_if_missing: bool = option("failIfMissing", True, "error when there is no such model")

    def check(self, mode: str) -> None:
        super().check(mode)
        _valid_name(self.model_name)
        if self.fail_if_missing and not model_store.store_checks_deferred():
            model_store.stored_metadata(self.model_name)


def _drop(_graph: Graph, cfg: ModelDropConfig) -> Rows:
    name = cfg.model_name
    try:
        if not models.exists(name):
            if cfg.fail_if_missing:
                raise ConfigError(f"config key 'modelName': no model named '{name}'")
            return _rows([])
        return _rows([models.drop(name)])
    except models.ModelStoreError as exc:
        raise ConfigError(f"config key 'modelName': {exc}") from None


register(
    Procedure(
        name="model.drop",
        description="Delete a stored model and yield its metadata.",
        category="model",
        result="rows",
        modes=("stream",),
        weighted=False,
        reads_graph=False,
        config=ModelDropConfig,
        rows_columns=_ROW_COLUMNS,
        compute=_drop,
    )
)


@spec
class ModelExistsConfig(RunConfig):
    model_name: str = option("modelName", REQUIRED, "the model to look for")

    def check(self, mode: str) -> None:
        super().check(mode)
        _valid_name(self.model_name)


def _exists(_graph: Graph, cfg: ModelExistsConfig) -> Rows:
    try:
        found = models.exists(cfg.model_name)
        kind = models.metadata(cfg.model_name).get("modelType") if found else None
    except models.ModelStoreError as exc:
        raise ConfigError(f"config key 'modelName': {exc}") from None
    return Rows({"modelName": [cfg.model_name], "modelType": [kind], "exists": [found]})


register(
    Procedure(
        name="model.exists",
        description="Whether a model of this name is stored, and its type (as GDS's "
        "gds.model.exists(modelName)).",
        category="model",
        result="rows",
        modes=("stream",),
        bare_mode="stream",
        arguments=("modelName",),
        weighted=False,
        reads_graph=False,
        config=ModelExistsConfig,
        rows_columns={"modelName": "str", "modelType": "str", "exists": "bool"},
        compute=_exists,
    )
)
