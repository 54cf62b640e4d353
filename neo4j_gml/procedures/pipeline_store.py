"""Training pipelines built step by step (GDS's pipeline catalog), and how a training call uses
one.

A training pipeline is nothing but part of a training configuration: the keys that
``pipeline.<type>.addNodeProperty``, ``selectFeatures``, ``configureSplit``, ``add<Model>``...
set (``nodePropertySteps``, ``featureProperties``, ``testFraction``, ``modelCandidates``...),
kept under a name. ``nodeClassification.train({pipeline: 'p', modelName: ..., targetProperty:
...})`` reads them back into its configuration (:func:`with_pipeline`) before the configuration
is checked, so a pipeline trains exactly as the same keys given in one call would; there is no
second mechanism.

The catalog is one JSON file per pipeline in ``<model store>/.pipelines/`` (a folder name no
model can take): written to a temporary file and renamed into place, and changed under a file
lock, so two builder calls on one pipeline never lose each other's change.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from neo4j_gml import models
from neo4j_gml.core.errors import ConfigError

__all__ = [
    "PIPELINE_TYPES",
    "change",
    "create",
    "drop",
    "exists",
    "list_pipelines",
    "load",
    "with_pipeline",
]

#: pipeline type -> the training procedure its pipelines configure
PIPELINE_TYPES = {
    "nodeClassification": "nodeClassification.train",
    "nodeRegression": "nodeRegression.train",
    "linkPrediction": "linkPrediction.train",
}


def _dir() -> Path:
    path = models.store_dir() / ".pipelines"
    path.mkdir(exist_ok=True)
    return path


def _path(name: str) -> Path:
    """The pipeline's file; :class:`ConfigError` naming ``pipelineName`` for a bad name."""
    problem = models.name_problem(name)
    if problem is not None:
        raise ConfigError(f"config key 'pipelineName': {problem.replace('model', 'pipeline')}")
    return _dir() / f"{name}.json"


@contextmanager
def _locked() -> Iterator[None]:
    with open(_dir() / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write(path: Path, record: dict[str, Any]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as out:
            json.dump(record, out, indent=2, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def exists(name: str) -> bool:
    return _path(name).is_file()


def load(name: str) -> dict[str, Any]:
    """The pipeline record (``pipelineName``, ``pipelineType``, ``creationTime``, ``config``);
    :class:`ConfigError` naming ``pipelineName`` when there is none."""
    path = _path(name)
    if not path.is_file():
        raise ConfigError(f"config key 'pipelineName': no pipeline named '{name}'")
    return dict(json.loads(path.read_text()))


def create(name: str, pipeline_type: str) -> dict[str, Any]:
    """A new, empty pipeline of ``pipeline_type``; :class:`ConfigError` if the name is taken."""
    path = _path(name)
    with _locked():
        if path.exists():
            raise ConfigError(f"config key 'pipelineName': a pipeline named '{name}' exists")
        record = {
            "pipelineName": name,
            "pipelineType": pipeline_type,
            "creationTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "config": {},
        }
        _write(path, record)
    return record


def change(
    name: str, pipeline_type: str, edit: Callable[[dict[str, Any]], dict[str, Any]]
) -> dict[str, Any]:
    """Apply ``edit`` (old config -> new config; it raises to refuse) to pipeline ``name``,
    which must be of ``pipeline_type``, under the catalog lock; the new record."""
    with _locked():
        record = load(name)
        if record["pipelineType"] != pipeline_type:
            raise ConfigError(
                f"config key 'pipelineName': '{name}' is a {record['pipelineType']} pipeline, "
                f"not a {pipeline_type} one"
            )
        record["config"] = edit(dict(record["config"]))
        _write(_path(name), record)
    return record


def list_pipelines() -> list[dict[str, Any]]:
    """Every pipeline record, sorted by name."""
    return [
        dict(json.loads(p.read_text()))
        for p in sorted(_dir().glob("*.json"))
        if not p.name.startswith(".")
    ]


def drop(name: str) -> dict[str, Any]:
    """Delete pipeline ``name``; its record (:class:`ConfigError` when there is none)."""
    with _locked():
        record = load(name)
        _path(name).unlink()
    return record


def with_pipeline(config: Mapping[str, Any] | None, pipeline_type: str) -> dict[str, Any] | None:
    """``config`` with the keys of the pipeline its ``pipeline`` key names added (the
    ``pipeline`` key itself stays, so the stored training configuration records it).

    A key given both in the call and by the pipeline is a :class:`ConfigError` naming it: the
    pipeline is the one place its keys are set.
    """
    if config is None or config.get("pipeline") is None:
        return None if config is None else dict(config)
    name = config["pipeline"]
    if not isinstance(name, str):
        raise ConfigError(f"config key 'pipeline' must be a pipeline name, got {name!r}")
    try:
        record = load(name)
    except ConfigError:
        raise ConfigError(f"config key 'pipeline': no pipeline named '{name}'") from None
    if record["pipelineType"] != pipeline_type:
        raise ConfigError(
            f"config key 'pipeline': '{name}' is a {record['pipelineType']} pipeline, "
            f"not a {pipeline_type} one"
        )
    both = sorted(set(record["config"]) & set(config))
    if both:
        raise ConfigError(
            f"config key '{both[0]}' is set by pipeline '{name}'; leave it out of the call "
            "(or build another pipeline)"
        )
    return dict(config) | dict(record["config"])
