"""Non-finite numbers (NaN, ±Infinity) are refused by the config layer, naming the key."""

from __future__ import annotations

import math

import pytest

from neo4j_gml.core.errors import ConfigError
from neo4j_gml.procedures import registry
from neo4j_gml.procedures.config import Key

INF = math.inf


@pytest.mark.parametrize("kind", ["float", "float?"])
@pytest.mark.parametrize(("value", "shown"), [(INF, "inf"), (-INF, "-inf")])
def test_infinite_float_is_refused(kind: str, value: float, shown: str) -> None:
    key = Key("tolerance", kind, 1e-7)
    with pytest.raises(ConfigError) as caught:
        key.coerce(value)
    assert str(caught.value) == f"config key 'tolerance' must be a finite number, got {shown}"


@pytest.mark.parametrize("kind", ["int", "int?"])
def test_infinite_int_is_refused(kind: str) -> None:
    with pytest.raises(ConfigError, match=r"^config key 'maxIterations' must be a finite integer"):
        Key("maxIterations", kind, 20).coerce(INF)


@pytest.mark.parametrize("kind", ["float", "float?", "int"])
def test_nan_is_still_refused(kind: str) -> None:
    with pytest.raises(
        ConfigError, match=r"^config key 'x' must be (a number|an integer), got NaN"
    ):
        Key("x", kind, 0.0).coerce(math.nan)


@pytest.mark.parametrize(("value", "shown"), [(INF, "inf"), (-INF, "-inf"), (math.nan, "nan")])
def test_non_finite_list_element_is_refused(value: float, shown: str) -> None:
    key = Key("iterationWeights", "float_list", [1.0])
    with pytest.raises(ConfigError) as caught:
        key.coerce([1.0, value])
    assert str(caught.value) == (
        f"config key 'iterationWeights' must be a list of finite numbers, got {shown} at index 1"
    )


def test_finite_values_still_pass() -> None:
    assert Key("tolerance", "float", 1e-7).coerce(1e308) == 1e308
    assert Key("tolerance", "float?", None).coerce(None) is None
    assert Key("maxIterations", "int", 20).coerce(3.0) == 3
    assert Key("w", "float_list", [1.0]).coerce([0, -1e308, 2.5]) == [0.0, -1e308, 2.5]


def test_registered_procedures_refuse_infinity() -> None:
    with pytest.raises(ConfigError, match=r"'tolerance' must be a finite number, got inf"):
        registry.get("pageRank").validate({"tolerance": INF}, "stream")
    with pytest.raises(ConfigError, match=r"'dampingFactor' must be a finite number, got -inf"):
        registry.get("pageRank").validate({"dampingFactor": -INF}, "stream")
    with pytest.raises(ConfigError, match=r"'defaultValue' must be a finite number, got inf"):
        registry.get("pageRank").validate({"defaultValue": INF}, "stream")
    with pytest.raises(ConfigError, match=r"'iterationWeights' must be a list of finite numbers"):
        registry.get("fastRP").validate(
            {"embeddingDimension": 8, "iterationWeights": [1.0, INF]}, "stream"
        )


def test_no_registered_default_is_non_finite() -> None:
    for proc in registry.procedures():
        for key in proc.all_keys():
            values = key.default if isinstance(key.default, list) else [key.default]
            for value in values:
                if isinstance(value, float):
                    assert math.isfinite(value), (proc.name, key.name, value)
