"""Typed, validated procedure configuration: every key is declared once, as a :class:`Key`.

A procedure's configuration is the projection keys (which part of Neo4j to read), the run keys
(device, batching, where to write) and the procedure's own keys. :func:`validate` checks a user's
map against them in one place: an unknown key names itself and lists the valid ones, a wrong type
names the key and the expected type, and missing defaults are filled in.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from neo4j_gml.core.errors import ConfigError


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()

# kind -> what users are told they should have given
KIND_NAMES = {
    "int": "an integer",
    "float": "a number",
    "bool": "a boolean",
    "str": "a string",
    "str?": "a string or null",
    "float?": "a number or null",
    "int?": "an integer or null",
    "str_list": "a string or a list of strings",
    "int_list": "a list of integers",
    "float_list": "a list of numbers",
    "map": "a map",
    "map?": "a map or null",
    "any": "any value",
}


@dataclass(frozen=True)
class Key:
    """One configuration key.

    Attributes:
        name: the key as users write it (GDS's camelCase name where GDS has one).
        kind: one of :data:`KIND_NAMES`.
        default: the value used when the key is absent, or :data:`REQUIRED`.
        doc: one line for ``neo4j-gml list`` and the generated docs.
        choices: allowed values for a string key (compared case-insensitively, stored upper-case
            when all choices are upper-case).
        min, max: inclusive bounds for numbers; ``min_exclusive`` makes the lower bound strict.
        check: extra check returning an error text (without the key name) or ``None``.
    """

    name: str
    kind: str
    default: Any = None
    doc: str = ""
    choices: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    check: Callable[[Any], str | None] | None = None

    def coerce(self, value: Any) -> Any:
        """Return ``value`` converted to this key's kind, or raise :class:`ConfigError`."""
        kind = self.kind
        if value is None and (kind.endswith("?") or self.default is None):
            return None
        base = kind.rstrip("?")
        _refuse_non_finite(self.name, base, value)
        try:
            out = _COERCERS[base](value)
        except (TypeError, ValueError) as exc:
            raise ConfigError(
                f"config key '{self.name}' must be {KIND_NAMES[kind]}, got {_describe(value)}"
            ) from exc
        if self.choices is not None and out is not None:
            upper = {c.upper(): c for c in self.choices}
            if str(out).upper() not in upper:
                raise ConfigError(
                    f"config key '{self.name}' must be one of {list(self.choices)}, got {out!r}"
                )
            out = upper[str(out).upper()]
        if isinstance(out, int | float) and not isinstance(out, bool):
            low_bad = self.min is not None and (
                out <= self.min if self.min_exclusive else out < self.min
            )
            if low_bad or (self.max is not None and out > self.max):
                raise ConfigError(f"config key '{self.name}' must be {self._bounds()}, got {out}")
        if self.check is not None:
            problem = self.check(out)
            if problem:
                raise ConfigError(f"config key '{self.name}' {problem}")
        return out

    def _bounds(self) -> str:
        """The range of a number key in words: ``in [0, 1]``, ``at least 1``, ``above 0``."""
        if self.max is None:
            return f"{'above' if self.min_exclusive else 'at least'} {self.min}"
        if self.min is None:
            return f"at most {self.max}"
        return f"in {'(' if self.min_exclusive else '['}{self.min}, {self.max}]"


def _refuse_non_finite(name: str, base: str, value: Any) -> None:
    """Raise :class:`ConfigError` when ``value``, given for a key of the numeric kind ``base``
    (``int``, ``float`` or ``float_list``), is or holds NaN or ±Infinity.

    Such a value passes every bound check (``inf >= 0``) but breaks the algorithm that uses it:
    an infinite ``tolerance`` stops every iteration at once.
    """
    if base in ("float", "int") and isinstance(value, float) and not math.isfinite(value):
        if math.isnan(value):
            raise ConfigError(f"config key '{name}' must be {KIND_NAMES[base]}, got NaN")
        what = "a finite integer" if base == "int" else "a finite number"
        raise ConfigError(f"config key '{name}' must be {what}, got {value}")
    if base == "float_list" and isinstance(value, list | tuple):
        for i, x in enumerate(value):
            if isinstance(x, float) and not math.isfinite(x):
                raise ConfigError(
                    f"config key '{name}' must be a list of finite numbers, got {x} at index {i}"
                )


def _describe(value: Any) -> str:
    return f"{type(value).__name__} {value!r}"[:120]


def _to_int(v: Any) -> int:
    if isinstance(v, bool):
        raise TypeError
    if isinstance(v, float):
        if not v.is_integer():
            raise ValueError
        return int(v)
    if isinstance(v, int):
        return v
    raise TypeError


def _to_float(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise TypeError
    return float(v)


def _to_bool(v: Any) -> bool:
    if not isinstance(v, bool):
        raise TypeError
    return v


def _to_str(v: Any) -> str:
    if not isinstance(v, str):
        raise TypeError
    return v


def _to_str_list(v: Any) -> list[str]:
    if isinstance(v, str):
        return [v]
    if isinstance(v, list | tuple) and all(isinstance(x, str) for x in v):
        return list(v)
    raise TypeError


def _to_int_list(v: Any) -> list[int]:
    if isinstance(v, int) and not isinstance(v, bool):
        return [v]
    if isinstance(v, list | tuple):
        return [_to_int(x) for x in v]
    raise TypeError


def _to_float_list(v: Any) -> list[float]:
    if isinstance(v, list | tuple):
        return [_to_float(x) for x in v]
    raise TypeError


def _to_map(v: Any) -> dict:
    if not isinstance(v, Mapping):
        raise TypeError
    return dict(v)


_COERCERS: dict[str, Callable[[Any], Any]] = {
    "int": _to_int,
    "float": _to_float,
    "bool": _to_bool,
    "str": _to_str,
    "str_list": _to_str_list,
    "int_list": _to_int_list,
    "float_list": _to_float_list,
    "map": _to_map,
    "any": lambda v: v,
}


def validate(config: Mapping[str, Any] | None, keys: Iterable[Key], *, what: str) -> dict:
    """Check ``config`` against ``keys`` and return a complete, typed copy.

    Raises :class:`ConfigError` naming the first unknown key (with the valid ones), the first
    required key that is missing, or the first value of the wrong type. ``what`` names the
    procedure in messages.
    """
    if config is None:
        config = {}
    if not isinstance(config, Mapping):
        raise ConfigError(f"the configuration of {what} must be a map, got {_describe(config)}")
    by_name = {k.name: k for k in keys}
    unknown = [k for k in config if k not in by_name]
    if unknown:
        valid = ", ".join(sorted(by_name))
        raise ConfigError(f"unknown config key '{unknown[0]}' for {what}; valid keys are: {valid}")
    out: dict[str, Any] = {}
    for name, key in by_name.items():
        if name in config:
            out[name] = key.coerce(config[name])
        elif key.default is REQUIRED:
            raise ConfigError(f"config key '{name}' is required for {what}")
        else:
            out[name] = list(key.default) if isinstance(key.default, list) else key.default
    return out
