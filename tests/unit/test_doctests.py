"""The docstring examples run as doctests, and every public algorithm is documented.

Runs ``doctest`` over every module of ``neo4j_gml.algorithms`` and ``neo4j_gml.core`` and over
``neo4j_gml.procedures.spec``. Each public algorithm module (no leading underscore) must declare
``__all__`` and hold at least one example; each public function it exports needs a numpydoc
docstring with Parameters, Returns (or Yields), References and Examples sections.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil
import re
from types import ModuleType

import pytest

import neo4j_gml.algorithms
import neo4j_gml.core

OPTIONS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
SECTIONS = ("Parameters", "Returns", "References", "Examples")


def _modules(package: ModuleType) -> list[str]:
    names = [package.__name__]
    for info in pkgutil.walk_packages(package.__path__, prefix=package.__name__ + "."):
        names.append(info.name)
    return sorted(names)


ALGORITHM_MODULES = _modules(neo4j_gml.algorithms)
CORE_MODULES = _modules(neo4j_gml.core)
DOCTEST_MODULES = ALGORITHM_MODULES + CORE_MODULES + ["neo4j_gml.procedures.spec"]


def _is_public_algorithm_module(name: str) -> bool:
    """A module of its own (not a package ``__init__``) with no private part in its name."""
    module = importlib.import_module(name)
    is_package = hasattr(module, "__path__")
    return not is_package and not any(part.startswith("_") for part in name.split("."))


PUBLIC_ALGORITHM_MODULES = [m for m in ALGORITHM_MODULES if _is_public_algorithm_module(m)]


@pytest.mark.parametrize("name", DOCTEST_MODULES)
def test_docstring_examples_pass(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=OPTIONS, report=True)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


@pytest.mark.parametrize("name", PUBLIC_ALGORITHM_MODULES)
def test_algorithm_module_has_examples(name: str) -> None:
    module = importlib.import_module(name)
    tests = doctest.DocTestFinder().find(module)
    assert sum(len(t.examples) for t in tests) > 0, f"{name} has no docstring example"


@pytest.mark.parametrize("name", ALGORITHM_MODULES)
def test_algorithm_module_declares_all(name: str) -> None:
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert isinstance(exported, list), f"{name} has no __all__ list"
    missing = [n for n in exported if not hasattr(module, n)]
    assert not missing, f"{name}.__all__ names what it does not define: {missing}"


def _section_titles(doc: str) -> set[str]:
    """numpydoc section titles: a line followed by a line of dashes of the same length."""
    lines = inspect.cleandoc(doc).splitlines()
    return {
        lines[i].strip()
        for i in range(len(lines) - 1)
        if re.fullmatch(r"-{3,}", lines[i + 1].strip())
        and len(lines[i + 1].strip()) == len(lines[i].strip())
    }


@pytest.mark.parametrize("name", PUBLIC_ALGORITHM_MODULES)
def test_public_functions_have_numpydoc(name: str) -> None:
    module = importlib.import_module(name)
    problems = []
    for export in getattr(module, "__all__", []):
        obj = getattr(module, export)
        if not inspect.isfunction(obj):
            continue
        doc = inspect.getdoc(obj) or ""
        titles = _section_titles(doc)
        if "Yields" in titles:
            titles.add("Returns")
        missing = [s for s in SECTIONS if s not in titles]
        if missing:
            problems.append(f"{export}: missing {', '.join(missing)}")
        elif ">>>" not in doc.split("Examples", 1)[1]:
            problems.append(f"{export}: the Examples section holds no example")
    assert not problems, f"{name}: " + "; ".join(problems)


@pytest.mark.parametrize("name", PUBLIC_ALGORITHM_MODULES)
def test_public_classes_document_their_methods(name: str) -> None:
    module = importlib.import_module(name)
    undocumented = []
    for export in getattr(module, "__all__", []):
        cls = getattr(module, export)
        if not inspect.isclass(cls) or cls.__module__ != name:
            continue
        if not (cls.__doc__ or "").strip():
            undocumented.append(export)
        for attr, value in vars(cls).items():
            if attr.startswith("_"):
                continue
            target = value.fget if isinstance(value, property) else value
            target = getattr(target, "__func__", target)  # classmethod, staticmethod
            is_method = inspect.isfunction(target) or isinstance(value, property)
            if is_method and not (getattr(target, "__doc__", None) or "").strip():
                undocumented.append(f"{export}.{attr}")
    assert not undocumented, f"{name}: no docstring for {', '.join(undocumented)}"
