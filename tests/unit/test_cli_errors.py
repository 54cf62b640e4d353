"""The CLI prints an error's complete message (every line), exits 1, and hides the traceback
unless ``--debug``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from neo4j_gml import cli
from neo4j_gml.io.write import WriteError
from neo4j_gml.procedures import runner

MESSAGE = (
    "writing to Neo4j failed after 10000 of 25000 rows were written (ServiceUnavailable: "
    "connection lost\nwhile sending a batch); every batch is written whole or not at all, and\n"
    "running the write again completes it"
)


def _raise_write_error(*args: object, **kwargs: object) -> None:
    raise WriteError(MESSAGE, 10000, 25000)


def test_every_line_of_a_multi_line_error_is_printed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(runner, "run", _raise_write_error)
    code = cli.main(["run", "degree", "--mode", "write", "--config", '{"writeProperty": "d"}'])
    err = capsys.readouterr().err
    assert code == 1
    assert err == f"error: {MESSAGE}\n"
    assert "running the write again completes it" in err
    assert "Traceback" not in err


def test_debug_shows_the_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "run", _raise_write_error)
    with pytest.raises(WriteError, match="running the write again completes it"):
        cli.main(["--debug", "run", "degree", "--mode", "write", "--config", "{}"])


def test_an_error_without_a_message_prints_its_class(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError

    monkeypatch.setattr(runner, "run", fail)
    assert cli.main(["run", "degree"]) == 1
    assert capsys.readouterr().err == "error: RuntimeError\n"


def test_config_error_in_a_subprocess_needs_no_database() -> None:
    """The console entry point end to end: the config layer refuses ``Infinity`` before any
    connection is made (the URI points at a closed port)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    env["NEO4J_URI"] = "bolt://127.0.0.1:9"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "neo4j_gml.cli",
            "run",
            "pageRank",
            "--config",
            '{"tolerance": Infinity}',
        ],  # fmt: skip
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr == "error: config key 'tolerance' must be a finite number, got inf\n"
