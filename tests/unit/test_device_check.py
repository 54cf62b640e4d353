"""The device check's CPU dry run, so the script that runs whenever a GPU is at hand is exercised
on every submission: ``python -m benchmarks.device_check --device cpu --quick``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import device_cases as dc

ROOT = Path(__file__).resolve().parents[2]


def test_the_cpu_dry_run_covers_every_algorithm(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.device_check", "--device", "cpu", "--quick",
         "--budget-s", "240", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "0 disagreeing or failed: none" in done.stdout, done.stdout[-3000:]
    rows = json.loads((tmp_path / "device_check.json").read_text())["rows"]
    names = {p.name for p in dc.algorithms()}
    assert {r["algorithm"] for r in rows} == names
    assert all(r.get("ok") is True and r["cpu_s"] >= 0 for r in rows)
    table = (tmp_path / "device_check.md").read_text()
    assert all(f"| {name} |" in table for name in names)
    assert (tmp_path / "device_check.png").stat().st_size > 1000


def test_cuda_is_refused_where_there_is_none() -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("there is a CUDA device here")
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.device_check", "--device", "cuda", "--quick"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2 and "no CUDA device" in done.stderr
