"""The built plugin jar: its generated classes are the registry's; installing it into a home.

The jar must already be built and current (``neo4j-gml plugin build``, or ``.ci/run`` before the
tests); a jar built from another registry counts as stale and the tests skip.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from neo4j_gml import plugin_codegen
from neo4j_gml.build import plugin_jar


@pytest.fixture
def built_jar() -> Path:
    if plugin_jar.needs_build():
        pytest.skip(
            "the plugin jar is missing or stale (neo4j-gml plugin build); not building here"
        )
    return plugin_jar.plugin_jar()


def test_install_copies_the_jar_once_and_can_be_turned_off(
    tmp_path: Path, built_jar: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = plugin_jar.install_plugin(tmp_path)
    assert target == tmp_path / "plugins" / plugin_jar.JAR_NAME
    assert target.read_bytes() == built_jar.read_bytes()
    stamp = target.stat().st_mtime_ns
    assert plugin_jar.install_plugin(tmp_path) == target
    assert target.stat().st_mtime_ns == stamp  # unchanged jar: not copied again
    monkeypatch.setenv("NEO4J_GML_PLUGIN", "0")
    assert plugin_jar.install_plugin(tmp_path) is None
    assert not target.exists()


def test_jar_was_built_from_the_registry_sources(built_jar: Path) -> None:
    gen = plugin_jar.generated_root() / plugin_codegen.PACKAGE_DIR
    assert plugin_codegen.stale_files(gen) == []
    names = set(zipfile.ZipFile(built_jar).namelist())
    prefix = "org/neo4j_gml/procedures/generated/"
    classes = {n[len(prefix) :] for n in names if n.startswith(prefix) and n.endswith(".class")}
    classes = {c for c in classes if "$" not in c}  # not the row classes
    assert classes == {f[: -len(".java")] + ".class" for f in plugin_codegen.generate_sources()}


def test_jar_holds_the_generated_procedures_and_no_settings_declaration(built_jar: Path) -> None:
    names = set(zipfile.ZipFile(built_jar).namelist())
    assert "org/neo4j_gml/procedures/generated/Catalog.class" in names
    assert "org/neo4j_gml/procedures/GmlCore.class" in names
    # Neo4j 5 refuses plugin settings outside its namespaces: none may be declared.
    assert not any(n.startswith("META-INF/services/org.neo4j.configuration") for n in names)
    assert not any(n.startswith(("org/neo4j/", "com/", "kotlin/")) for n in names)  # no deps
