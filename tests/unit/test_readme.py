"""The README's procedure table names exactly the registry's procedures, modes and families.

A new procedure without its README row (or a row for a procedure that is gone, or with other
modes) fails here. The table's format: one row per family, procedures in backticks; a
parenthesised mode list after one or more names applies to the names since the last mode list
or ``;``; names without one have the modes of the note above the table ("Modes are `stream`,
`stats` and `write` unless noted"). Other parenthesised text and backticked text that is no
procedure name (``vectorIndex: true``) are commentary.
"""

from __future__ import annotations

import re
from pathlib import Path

from neo4j_gml.procedures.registry import MODES, procedures

README = Path(__file__).resolve().parents[2] / "README.md"

#: The table's family column -> the registry's ``category``.
FAMILIES = {
    "embeddings": "embedding",
    "link prediction": "linkpred",
    "node prediction": "nodepred",
    "models": "model",
    "pipelines": "pipeline",
    "graphlets": "graphlets",
}

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)*")
_TOKEN = re.compile(r"`([^`]*)`|\(([^()]*)\)|(;)")


def _section(text: str, title: str) -> str:
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def parse_table(section: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    """procedure -> (family, modes) from the section's table and its default-modes note."""
    note = re.search(r"Modes are (.*?) unless noted", section)
    assert note, "the note 'Modes are ... unless noted' above the table is missing"
    default = tuple(re.findall(r"`(\w+)`", note.group(1)))
    rows: dict[str, tuple[str, tuple[str, ...]]] = {}
    lines = [ln for ln in section.splitlines() if ln.startswith("|")]
    assert lines[0].replace(" ", "") == "|family|procedures(modes)|", lines[0]
    for line in lines[2:]:
        family, cell = (c.strip() for c in line.strip().strip("|").split("|"))
        pending: list[str] = []

        def settle(modes: tuple[str, ...], family: str = family, pending: list[str] = pending):
            for name in pending:
                assert name not in rows, f"{name} is in the table twice"
                rows[name] = (family, modes)
            pending.clear()

        for code, paren, semi in _TOKEN.findall(cell):
            if code and _NAME.fullmatch(code):
                pending.append(code)
            elif paren:
                words = tuple(w.strip() for w in paren.split(","))
                if pending and all(w in MODES for w in words):
                    settle(words)
            elif semi:
                settle(default)
        settle(default)
    return rows


def test_the_procedure_table_matches_the_registry() -> None:
    table = parse_table(_section(README.read_text(encoding="utf-8"), "Procedures"))
    registry = {p.name: (p.category, tuple(m for m in MODES if m in p.modes)) for p in procedures()}
    listed = {
        name: (FAMILIES.get(family, family), tuple(m for m in MODES if m in modes))
        for name, (family, modes) in table.items()
    }
    missing = sorted(set(registry) - set(listed))
    extra = sorted(set(listed) - set(registry))
    assert not missing, f"README.md '## Procedures' lacks {missing}: add them to their family row"
    assert not extra, f"README.md '## Procedures' names {extra}, which the registry does not have"
    wrong = {n: (listed[n], registry[n]) for n in registry if listed[n] != registry[n]}
    assert not wrong, f"README family/modes differ from the registry (README, registry): {wrong}"


def test_the_parser_reads_mode_notes_and_commentary() -> None:
    section = (
        "\n## Procedures\n\nModes are `stream`, `stats` and `write` unless noted.\n\n"
        "| family | procedures (modes) |\n|---|---|\n"
        "| x | `a`, `b.c`; `d` (stream, stats); `e` (stats), `f` (stream, write); notes `k: v` |\n"
        "| y | `g`, `h` (some words) (stats); `i` |\n"
    )
    all3 = ("stream", "stats", "write")
    assert parse_table(section) == {
        "a": ("x", all3),
        "b.c": ("x", all3),
        "d": ("x", ("stream", "stats")),
        "e": ("x", ("stats",)),
        "f": ("x", ("stream", "write")),
        "g": ("y", ("stats",)),
        "h": ("y", ("stats",)),
        "i": ("y", all3),
    }
