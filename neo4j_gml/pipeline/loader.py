"""Loading and validating a pipeline file before anything runs.

Validation is complete and up front: YAML syntax, the JSON Schema (:mod:`.schema`), projection
references, unique step names, and every step's merged configuration checked by its registry
entry for its mode. Every problem found is reported with the file, the line and the key, e.g.
``enrich.yaml:14: steps[1] 'rank' key 'dampingFactor': config key 'dampingFactor' must be ...``.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from neo4j_gml.core.errors import ConfigError
from neo4j_gml.io.connection import Connection
from neo4j_gml.pipeline.schema import PIPELINE_MODES
from neo4j_gml.procedures import model_store, registry
from neo4j_gml.procedures.spec import PROJECTION_KEY_NAMES as _PROJECTION_NAMES

PROJECTION_KEY_NAMES = frozenset(_PROJECTION_NAMES)
_KEY_IN_MESSAGE = re.compile(r"config key '([^'.]+)")
_STEP_IN_PROBLEM = re.compile(r"key 'steps\[(\d+)\]")
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")

Path_ = tuple[str | int, ...]


class PipelineError(ValueError):
    """A pipeline file that cannot run; ``problems`` lists ``file:line: message`` strings."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        head = problems[0] if len(problems) == 1 else f"{len(problems)} problems"
        super().__init__(head + ("" if len(problems) == 1 else ":\n  " + "\n  ".join(problems)))


@dataclass(frozen=True)
class Step:
    """One validated step: ``config`` is the user's merged map, ``validated`` the typed one."""

    index: int
    name: str
    procedure: str
    mode: str
    projection: str | None
    config: dict[str, Any]
    validated: Mapping[str, Any]
    output: Path | None = None
    replace: bool = True
    line: int = 0


@dataclass(frozen=True)
class Pipeline:
    """A validated pipeline file."""

    name: str
    path: Path
    file_hash: str
    steps: tuple[Step, ...]
    projections: dict[str, dict[str, Any]] = field(default_factory=dict)
    connection: dict[str, Any] = field(default_factory=dict)
    records: bool = True
    description: str = ""

    def connect(self, **overrides: str | None) -> Connection:
        """The connection: explicit ``overrides``, then the file, then the environment."""
        merged = {**self.connection, **{k: v for k, v in overrides.items() if v is not None}}
        return Connection.from_env(**merged)


# ---------------------------------------------------------------------------- YAML with lines
def _lines(
    node: yaml.Node, path: Path_, out: dict[Path_, int], problems: list[str], f: str
) -> None:
    """Record the 1-based line of every mapping key and sequence item below ``node``."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.append(f"{f}:{line}: key '{_dotted((*path, key))}' appears twice")
            seen.add(key)
            out[(*path, key)] = line
            _lines(value_node, (*path, key), out, problems, f)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out[(*path, i)] = item.start_mark.line + 1
            _lines(item, (*path, i), out, problems, f)


def _dotted(path: Path_) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _line_of(lines: Mapping[Path_, int], path: Path_) -> int:
    """The line of ``path`` or of its nearest recorded ancestor (1 for the top)."""
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return 1


def parse_yaml(text: str, filename: str) -> tuple[Any, dict[Path_, int]]:
    """The YAML document and a map path -> line; YAML errors become :class:`PipelineError`."""
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{filename}:{mark.line + 1}:{mark.column + 1}" if mark else filename
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        raise PipelineError([f"{where}: YAML error: {problem}"]) from None
    except yaml.YAMLError as exc:
        raise PipelineError([f"{filename}: YAML error: {exc}"]) from None
    lines: dict[Path_, int] = {}
    problems: list[str] = []
    if node is not None:
        _lines(node, (), lines, problems, filename)
    if problems:
        raise PipelineError(problems)
    return data, lines


def expand_env(value: Any) -> Any:
    """``${VAR}`` and ``${VAR:-default}`` in strings replaced from the environment."""
    if isinstance(value, str):

        def sub(m: re.Match) -> str:
            found = os.environ.get(m.group(1))
            if found is None:
                if m.group(2) is None:
                    raise ConfigError(f"environment variable {m.group(1)} is not set")
                return m.group(2)
            return found

        return _ENV.sub(sub, value)
    if isinstance(value, dict):
        return {k: expand_env(v) for k, v in value.items()}
    if isinstance(value, list):
        return [expand_env(v) for v in value]
    return value


# ---------------------------------------------------------------------------- validation
def _schema_problems(data: Any, lines: Mapping[Path_, int], f: str) -> list[str]:
    from neo4j_gml.pipeline.schema import pipeline_schema

    validator = jsonschema.Draft202012Validator(pipeline_schema())
    problems = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path))):
        path = tuple(error.absolute_path)
        # config keys are checked by the registry, which names the valid keys
        in_config = len(path) >= 3 and path[0] == "steps" and path[2] == "config"
        if in_config and (len(path) >= 4 or error.validator == "additionalProperties"):
            continue
        if error.validator in ("allOf", "if", "then"):
            continue
        # unknown procedures are reported by the registry check, with a suggestion
        if path[:1] == ("steps",) and path[2:] == ("procedure",) and error.validator == "enum":
            continue
        if error.validator == "additionalProperties":
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            for key in extra:
                p = (*path, key)
                problems.append(
                    f"{f}:{_line_of(lines, p)}: key '{_dotted(p)}' is not allowed here; "
                    f"allowed keys: {', '.join(error.schema.get('properties', {}))}"
                )
            continue
        message = error.message
        if error.validator == "enum" and len(message) > 200:
            message = f"{error.instance!r} is not one of the allowed values"
        problem = f"{f}:{_line_of(lines, path)}: key '{_dotted(path)}': {message}"
        if problem not in problems:
            problems.append(problem)
    return problems


def _config_key_path(
    key: str, step_path: Path_, step: Mapping, projection: str | None, data: Mapping
) -> Path_:
    """Where in the file the key that a :class:`ConfigError` names was written."""
    if key in (step.get("config") or {}):
        return (*step_path, "config", key)
    if projection and key in ((data.get("projections") or {}).get(projection) or {}):
        return ("projections", projection, key)
    if key in (data.get("defaults") or {}):
        return ("defaults", key)
    return step_path


def _check_steps(
    data: Mapping, lines: Mapping[Path_, int], f: str, base: Path, skip: set[int]
) -> tuple[list[Step], list[str]]:
    problems: list[str] = []
    steps: list[Step] = []
    projections = data.get("projections") or {}
    defaults = data.get("defaults") or {}
    names: dict[str, int] = {}
    for i, raw in enumerate(data["steps"]):
        step_path: Path_ = ("steps", i)
        if i in skip:
            continue
        name = raw.get("name") or raw["procedure"]
        label = f"steps[{i}] '{name}'"
        if name in names:
            problems.append(
                f"{f}:{_line_of(lines, step_path)}: {label}: step name '{name}' is used twice "
                f"(also steps[{names[name]}]); give each step a distinct 'name'"
            )
        names.setdefault(name, i)
        projection = raw.get("projection")
        if projection is not None and projection not in projections:
            problems.append(
                f"{f}:{_line_of(lines, (*step_path, 'projection'))}: {label} key 'projection': "
                f"no projection named '{projection}'; defined: {sorted(projections) or 'none'}"
            )
            continue
        config = {**defaults, **(projections.get(projection) or {}), **(raw.get("config") or {})}
        mode = raw.get("mode", "write")
        try:
            proc = registry.get(raw["procedure"])
            # A step may use a model an earlier step trains: the checks against the model store
            # run when the step runs (the runner validates it again), not at load time.
            with model_store.deferred_store_checks():
                validated = proc.validate(config, mode)
        except ConfigError as exc:
            message = str(exc)
            match = _KEY_IN_MESSAGE.search(message)
            if "unknown procedure" in message:
                close = difflib.get_close_matches(
                    raw["procedure"], [p.name for p in registry.procedures()], n=3
                )
                hint = (
                    f"; did you mean {' or '.join(close)}?" if close else "; see `neo4j-gml list`"
                )
                message = f"unknown procedure '{raw['procedure']}'{hint}"
            if "unknown procedure" in message or "has no mode" in message:
                part = "procedure" if "unknown procedure" in message else "mode"
                where, key = (*step_path, part), part
            elif match:
                key = match.group(1)
                where = _config_key_path(key, step_path, raw, projection, data)
            else:
                where, key = step_path, "config"
            problems.append(f"{f}:{_line_of(lines, where)}: {label} key '{key}': {message}")
            continue
        if mode not in PIPELINE_MODES or (mode == "mutate" and proc.result != "node"):
            problems.append(
                f"{f}:{_line_of(lines, (*step_path, 'mode'))}: {label} key 'mode': a pipeline "
                f"step runs in {', '.join(PIPELINE_MODES)} mode; mutate adds node values to the "
                "run's in-memory graph of the step's projection (later steps on it use them), so "
                "it takes procedures that yield a value per node"
                + (f", which '{proc.name}' does not" if mode == "mutate" else f", not '{mode}'")
            )
            continue
        output = raw.get("output")
        if output is not None and mode != "stream":
            problems.append(
                f"{f}:{_line_of(lines, (*step_path, 'output'))}: {label} key 'output': "
                "only stream steps have rows to write to a file"
            )
        steps.append(
            Step(
                index=i,
                name=name,
                procedure=proc.name,
                mode=mode,
                projection=projection,
                config=config,
                validated=validated,
                output=(base / output) if output else None,
                replace=bool(raw.get("replace", True)),
                line=_line_of(lines, step_path),
            )
        )
    return steps, problems


def _problem_line(problem: str) -> int:
    match = re.match(r"[^:]*:(\d+):", problem)
    return int(match.group(1)) if match else 0


def load_text(text: str, filename: str = "<pipeline>", base: Path | None = None) -> Pipeline:
    """Parse and validate pipeline ``text``; raises :class:`PipelineError` listing every problem."""
    data, lines = parse_yaml(text, filename)
    if not isinstance(data, dict):
        raise PipelineError([f"{filename}:1: a pipeline file is a map with 'name' and 'steps'"])
    problems = _schema_problems(data, lines, filename)
    bad_steps = {int(m.group(1)) for m in map(_STEP_IN_PROBLEM.search, problems) if m}
    if any(not _STEP_IN_PROBLEM.search(p) for p in problems):
        raise PipelineError(problems)  # the file's structure is wrong: steps cannot be checked
    steps, step_problems = _check_steps(data, lines, filename, base or Path.cwd(), bad_steps)
    problems = sorted(problems + step_problems, key=_problem_line)
    connection: dict[str, Any] = {}
    try:
        connection = expand_env(data.get("connection") or {})
    except ConfigError as exc:
        problems.append(f"{filename}:{_line_of(lines, ('connection',))}: key 'connection': {exc}")
    if problems:
        raise PipelineError(problems)
    return Pipeline(
        name=data["name"],
        path=Path(filename),
        file_hash=hashlib.sha256(text.encode()).hexdigest(),
        steps=tuple(steps),
        projections=dict(data.get("projections") or {}),
        connection=connection,
        records=bool(data.get("records", True)),
        description=data.get("description", ""),
    )


def load_pipeline(path: str | os.PathLike) -> Pipeline:
    """Read and validate the pipeline file at ``path``."""
    file = Path(path)
    try:
        text = file.read_text()
    except OSError as exc:
        raise PipelineError([f"{file}: cannot read the pipeline file: {exc.strerror}"]) from None
    return load_text(text, str(file), base=file.resolve().parent)
