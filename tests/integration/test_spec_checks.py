"""Cross-key rules of the typed configs fail before anything is read from Neo4j.

The driver is the real one, wrapped to count every session and query it is asked for: a
config error must leave the count at zero (and a good config must not)."""

from __future__ import annotations

from typing import Any

import neo4j
import pytest

from neo4j_gml.core.errors import ConfigError
from neo4j_gml.procedures import runner

pytestmark = pytest.mark.neo4j


class CountingDriver:
    """The real driver; counts the sessions and queries asked of it."""

    def __init__(self, driver: neo4j.Driver) -> None:
        self._driver = driver
        self.calls = 0

    def session(self, **kwargs: Any) -> neo4j.Session:
        self.calls += 1
        return self._driver.session(**kwargs)

    def execute_query(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self._driver.execute_query(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._driver, name)


CASES = [
    ("hits", {"authProperty": "x", "hubProperty": "x"}, "must differ"),
    ("pageRank", {"nodeQuery": "MATCH (n) RETURN id(n) AS id"}, "must be given together"),
    ("pageRank", {"dampingFactor": 1.0}, "dampingFactor"),
    ("katz", {"alpha": -1}, "alpha"),
    ("degree", {"bogus": 1}, "unknown config key 'bogus'"),
]


@pytest.mark.parametrize(("name", "config", "message"), CASES)
def test_cross_key_errors_come_before_any_read(
    db: neo4j.Driver, name: str, config: dict, message: str
) -> None:
    db.execute_query("CREATE (:P)-[:R]->(:P)")
    counting = CountingDriver(db)
    with pytest.raises(ConfigError, match=message):
        runner.run(name, "stream", config, driver=counting)
    assert counting.calls == 0
    runner.run("degree", "stream", {}, driver=counting)
    assert counting.calls > 0  # the proxy does see the reads of a good call
