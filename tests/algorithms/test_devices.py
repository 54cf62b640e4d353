"""Every algorithm of the registry on each device: the result on ``device`` agrees with the CPU
result (exactly, or by the structural measure of a randomised algorithm: see
``benchmarks/device_cases.py``). On the CPU this checks that every algorithm is deterministic
under its seed; ``pytest -m cuda`` runs the CUDA cases where there is a GPU (the CPU results are
themselves checked against oracles by the other algorithm tests)."""

from __future__ import annotations

import pytest

from benchmarks import device_cases as dc
from neo4j_gml.procedures import registry

NAMES = [p.name for p in dc.algorithms()]


@pytest.fixture(scope="module")
def graphs() -> dict:
    src, dst, n = dc.generated_power_law(3_000, seed=5)
    return dc.build_graphs(src, dst, n)


def test_every_algorithm_has_a_case() -> None:
    assert dc.missing_cases() == []
    assert len(NAMES) >= 55


@pytest.mark.parametrize("name", NAMES)
def test_the_device_result_agrees_with_the_cpu_result(
    name: str,
    device: str,
    graphs: dict,
    tmp_path,  # noqa: ANN001
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GML_MODEL_DIR", str(tmp_path))
    proc = registry.get(name)
    graph = dc.graph_for(proc, graphs)
    if name in dc.USES_MODEL:  # the model both runs apply
        dc.run_case(dc.USES_MODEL[name], graph, device, "b")
    cpu = dc.run_case(name, graph, "cpu", "a")
    other = dc.run_case(name, graph, device, "c")
    ok, how = dc.agreement(name, cpu.result, other.result)
    assert ok, f"{name} on {device}: {how}"
    if device == "cuda":
        assert other.peak_bytes is not None and other.peak_bytes > 0
