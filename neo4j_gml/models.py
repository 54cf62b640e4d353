"""The model store: trained models on disk, one folder per model.

The store is the folder named by ``GML_MODEL_DIR`` (default ``~/.neo4j_gml/models``). A model
``name`` lives in ``<store>/<name>/`` as ``state.pt`` (a ``torch.save``-d state dict, loaded
with ``weights_only=True``) and ``model.json`` (its metadata: type, feature properties,
dimensions, training configuration, creation time, metrics). A model is written into a temporary
folder and renamed into place, so a reader never sees half a model.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import torch

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}$")


class ModelStoreError(KeyError):
    """A model is missing, already exists, or has an invalid name."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def store_dir() -> Path:
    """The store folder (``GML_MODEL_DIR`` or ``~/.neo4j_gml/models``), created if missing."""
    path = Path(os.environ.get("GML_MODEL_DIR") or Path.home() / ".neo4j_gml" / "models")
    path.mkdir(parents=True, exist_ok=True)
    return path


def name_problem(name: object) -> str | None:
    """``None`` for a valid model name, else what is wrong with it."""
    if not isinstance(name, str) or not _NAME.match(name) or name in (".", ".."):
        return (
            f"invalid model name {name!r}: use 1-128 letters, digits, '_', '.', '-' "
            "(starting with a letter or digit)"
        )
    return None


def _folder(name: str) -> Path:
    problem = name_problem(name)
    if problem is not None:
        raise ModelStoreError(problem)
    return store_dir() / name


def exists(name: str) -> bool:
    return (_folder(name) / "model.json").is_file()


def save(
    name: str, state: dict[str, torch.Tensor], metadata: dict[str, Any], *, overwrite: bool = False
) -> dict[str, Any]:
    """Store ``state`` and ``metadata`` as model ``name``; returns the stored metadata.

    ``modelName`` and ``creationTime`` (ISO 8601, UTC) are added to the metadata. An existing
    model of that name is an error unless ``overwrite``.
    """
    folder = _folder(name)
    if folder.exists() and not overwrite:
        raise ModelStoreError(f"a model named '{name}' already exists; drop it first")
    meta = dict(metadata)
    meta["modelName"] = name
    meta["creationTime"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=store_dir()))
    try:
        torch.save({k: v.detach().cpu() for k, v in state.items()}, tmp / "state.pt")
        (tmp / "model.json").write_text(json.dumps(meta, indent=2, sort_keys=True, default=str))
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return meta


def metadata(name: str) -> dict[str, Any]:
    """The metadata of model ``name``; :class:`ModelStoreError` if there is none."""
    path = _folder(name) / "model.json"
    if not path.is_file():
        raise ModelStoreError(f"no model named '{name}' in {store_dir()}")
    return json.loads(path.read_text())


def load(name: str, device: str | torch.device = "cpu") -> tuple[dict[str, torch.Tensor], dict]:
    """``(state_dict, metadata)`` of model ``name``, tensors on ``device``."""
    meta = metadata(name)
    state = torch.load(_folder(name) / "state.pt", map_location=device, weights_only=True)
    return state, meta


def list_models() -> list[dict[str, Any]]:
    """Metadata of every stored model, sorted by name."""
    out = []
    for path in sorted(store_dir().iterdir()):
        if path.name.startswith(".") or not (path / "model.json").is_file():
            continue
        out.append(json.loads((path / "model.json").read_text()))
    return out


def drop(name: str) -> dict[str, Any]:
    """Delete model ``name`` and return its metadata; :class:`ModelStoreError` if missing."""
    meta = metadata(name)
    shutil.rmtree(_folder(name))
    return meta
