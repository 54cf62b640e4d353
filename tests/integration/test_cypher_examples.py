"""Every ``cypher/*.cypher`` example file runs, statement by statement, without an error.

The oracle for the results is light (examples, not tests of the algorithms): every ``CALL gml.*``
statement must answer, and write procedures must report what they wrote.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.neo4j

CYPHER = Path(__file__).resolve().parents[2] / "cypher"
FILES = sorted(CYPHER.glob("*.cypher"))


def statements(text: str) -> list[str]:
    """Statements of a file: full-line ``//`` comments dropped, split at a ``;`` ending a line."""
    body = "\n".join(line for line in text.splitlines() if not line.strip().startswith("//"))
    return [s.strip() for s in re.split(r";[ \t]*(?:\n|$)", body) if s.strip()]


def test_there_are_examples() -> None:
    assert len(FILES) >= 4


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_example_file_runs(gml, path: Path) -> None:  # noqa: ANN001
    calls = 0
    for statement in statements(path.read_text()):
        try:
            records, _, _ = gml.driver.execute_query(statement)
        except Exception as exc:  # noqa: BLE001
            pytest.fail(f"{path.name}: statement failed:\n{statement}\n-> {exc}")
        if "CALL gml." in statement:
            calls += 1
            if ".write(" in statement and "YIELD nodePropertiesWritten" in statement:
                assert records and records[0]["nodePropertiesWritten"] > 0, statement
    assert calls > 0
