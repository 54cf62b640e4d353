"""The Java generated from the registry: the build generates it; odd registrations work.

Oracles: the registry itself (the build's generated sources and the digest it keeps are the
registry's; a fake ``mvn`` checks the sources exist before Maven runs), hand-written expected
signatures, and ``javac`` itself (the generated class for a procedure with unknown column types and
hostile text compiles against the Neo4j 5.26 jars).
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from neo4j_gml import local_neo4j, plugin_codegen
from neo4j_gml.build import plugin_jar
from neo4j_gml.procedures import registry
from neo4j_gml.procedures.config import REQUIRED
from neo4j_gml.procedures.registry import Procedure
from neo4j_gml.procedures.spec import RunConfig, option

REPO = Path(__file__).resolve().parents[2]
SUPPORT = REPO / "plugin/procedures/src/main/java/org/neo4j_gml/procedures"


def _odd_procedure() -> Procedure:
    return Procedure(
        name="weird.thing",
        description='A "quoted" description with a backslash \\ and ünïcode */ and\nnewline.',
        category="community",
        compute=lambda graph, cfg: None,
        result="rows",
        rows_columns={"class": "str", "from": "int", "tags": "intList", "blob": "tensor5d"},
        modes=("stream", "stats"),
    )


@dataclass(frozen=True, kw_only=True, eq=False)
class _CatalogOpConfig(RunConfig):
    graph_name: str = option("graphName", REQUIRED, "the graph")
    node_projection: Any = option("nodeProjection", REQUIRED, "labels", kind="any")
    relationship_projection: Any = option("relationshipProjection", "*", "types", kind="any")
    fail_if_missing: bool = option("failIfMissing", True, "error when missing")
    limit: int | None = option("limit", None, "at most this many")
    ratio: float = option("ratio", 0.5, "a share")
    labels: list[str] = option("labels", ["*", "it's"], "labels")
    db_name: str = option("dbName", "", "the database")


def _catalog_op(**changes: Any) -> Procedure:
    """A catalog operation as the graph catalog registers them: positional arguments, rows in
    every mode, one bare mode."""
    proc = Procedure(
        name="graph.thing",
        description="Does a thing to a graph.",
        category="catalog",
        compute=lambda graph, cfg: None,
        config=_CatalogOpConfig,
        result="rows",
        rows_columns={"graphName": "str", "nodeCount": "int"},
        mode_columns={"estimate": {"requiredMemory": "str", "bytesMax": "int"}},
        modes=("stream", "estimate"),
        reads_graph=False,
        arguments=(
            "graphName",
            "nodeProjection",
            "relationshipProjection",
            "failIfMissing",
            "limit",
            "ratio",
            "labels",
            "dbName",
        ),
        bare_mode="stream",
    )
    return replace(proc, **changes)


FAKE_MVN = """#!/bin/sh
# Stands in for Maven: the generated sources must be there when it runs; the "jar" lists them.
gen="$GML_FAKE_PLUGIN/procedures/target/generated-sources/gml/org/neo4j_gml/procedures/generated"
[ -f "$gen/Catalog.java" ] || { echo "no generated sources in $gen" >&2; exit 1; }
echo "$@" >> "$GML_FAKE_PLUGIN/mvn.log"
ls "$gen" > "$GML_FAKE_PLUGIN/procedures/target/neo4j-gml-procedures.jar"
"""


@pytest.fixture
def fake_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A plugin Maven project with the real poms and hand-written Java, built by a fake mvn."""
    plugin = tmp_path / "plugin"
    (plugin / "procedures").mkdir(parents=True)
    shutil.copy(REPO / "plugin/pom.xml", plugin / "pom.xml")
    shutil.copy(REPO / "plugin/procedures/pom.xml", plugin / "procedures/pom.xml")
    shutil.copytree(REPO / "plugin/procedures/src", plugin / "procedures/src")
    mvn = tmp_path / "mvn"
    mvn.write_text(FAKE_MVN)
    mvn.chmod(mvn.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(plugin_jar, "PLUGIN_DIR", plugin)
    monkeypatch.setenv("MAVEN", str(mvn))
    monkeypatch.setenv("GML_FAKE_PLUGIN", str(plugin))
    return plugin


def test_no_generated_sources_are_committed() -> None:
    legacy = SUPPORT / "generated"
    assert not any(legacy.glob("*.java")), f"{legacy}: the build generates these; remove them"
    assert not any((REPO / "plugin/procedures/src").rglob("Catalog.java"))


def test_the_build_generates_the_registry_sources_and_rebuilds_when_it_changes(
    fake_plugin: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gen = plugin_jar.generated_root() / plugin_codegen.PACKAGE_DIR
    assert (
        gen
        == fake_plugin
        / "procedures/target/generated-sources/gml/org/neo4j_gml/procedures/generated"
    )
    # The pom compiles exactly that folder (build-helper adds it as a source root).
    pom = (fake_plugin / "procedures/pom.xml").read_text()
    assert "<source>${project.build.directory}/generated-sources/gml</source>" in pom
    assert plugin_jar.needs_build()
    jar = plugin_jar.build_plugin()
    assert jar == plugin_jar.plugin_jar() and jar.is_file()
    assert plugin_codegen.stale_files(gen) == []  # the registry's sources, all of them
    assert jar.read_text().split() == sorted(plugin_codegen.generate_sources())
    assert "clean" not in (fake_plugin / "mvn.log").read_text().split()  # would remove them
    assert not plugin_jar.needs_build()
    assert plugin_jar.build_plugin() == jar  # up to date: Maven does not run again
    assert len((fake_plugin / "mvn.log").read_text().splitlines()) == 1

    registry.procedures()  # load the families before adding one
    monkeypatch.setitem(registry._REGISTRY, "weird.thing", _odd_procedure())
    assert plugin_jar.needs_build()  # no regeneration command: the registry changed, so rebuild
    plugin_jar.build_plugin()
    assert "GmlWeirdThing.java" in jar.read_text().split()
    assert plugin_codegen.stale_files(gen) == []
    assert not plugin_jar.needs_build()
    monkeypatch.delitem(registry._REGISTRY, "weird.thing")
    assert plugin_jar.needs_build()
    plugin_jar.build_plugin()
    assert not (gen / "GmlWeirdThing.java").exists()  # a removed procedure leaves no class
    assert "GmlWeirdThing.java" not in jar.read_text().split()


def test_hand_written_changes_rebuild_and_old_generated_copies_are_refused(
    fake_plugin: Path,
) -> None:
    jar = plugin_jar.build_plugin()
    assert not plugin_jar.needs_build()
    core = fake_plugin / "procedures/src/main/java/org/neo4j_gml/procedures/GmlCore.java"
    later = jar.stat().st_mtime + 10
    os.utime(core, (later, later))
    assert plugin_jar.needs_build()
    legacy = fake_plugin / "procedures/src/main/java/org/neo4j_gml/procedures/generated"
    legacy.mkdir()
    (legacy / "Catalog.java").write_text("// stale copy")
    with pytest.raises(RuntimeError, match="older checkout"):
        plugin_jar.build_plugin()


def test_write_sources_round_trip_and_removes_orphans(tmp_path: Path) -> None:
    (tmp_path / "GmlGone.java").write_text("// old")
    files = plugin_codegen.write_sources(tmp_path)
    assert not (tmp_path / "GmlGone.java").exists()
    assert {p.name for p in files} == set(plugin_codegen.generate_sources())
    assert "Catalog.java" in {p.name for p in files}


def test_signatures() -> None:
    from neo4j_gml.procedures import registry

    degree = registry.get("degree")
    assert plugin_codegen.signature(degree, "stream") == (
        "gml.degree.stream(graphName :: ANY = null, configuration :: MAP = {}) :: "
        "(nodeId :: INTEGER, node :: NODE, score :: FLOAT)"
    )
    assert "nodePropertiesWritten :: INTEGER" in plugin_codegen.signature(degree, "write")
    source = plugin_codegen.procedure_class(degree)
    assert '@Procedure(name = "gml.degree.write", mode = Mode.WRITE)' in source
    assert '@Procedure(name = "gml.degree.stream", mode = Mode.READ)' in source
    assert '@Procedure(name = "gml.degree.stats", mode = Mode.READ)' in source
    assert '@Procedure(name = "gml.degree.mutate", mode = Mode.READ)' in source
    assert '@Procedure(name = "gml.degree.estimate", mode = Mode.READ)' in source
    assert (
        'Caller.callOnGraph(this.db, this.tx, this.security, "degree", "stream", graphName'
        in source
    )
    assert '@Name(value = "graphName", defaultValue = "null") Object graphName' in source
    assert "mutateMillis :: INTEGER" in plugin_codegen.signature(degree, "mutate")
    assert "bytesMax :: INTEGER" in plugin_codegen.signature(degree, "estimate")
    # A procedure that reads no graph keeps its one map; single mode: both names.
    models = registry.get("model.list")
    assert plugin_codegen.procedure_names(models, "stream") == [
        "gml.model.list.stream",
        "gml.model.list",
    ]
    assert plugin_codegen.signature(models, "stream").startswith(
        "gml.model.list.stream(config :: MAP = {}) :: (modelName :: STRING"
    )
    # One mode besides estimate still gets the bare name (gml.graphSage.train({...})).
    train = registry.get("graphSage.train")
    assert plugin_codegen.procedure_names(train, "stats") == [
        "gml.graphSage.train.stats",
        "gml.graphSage.train",
    ]
    assert plugin_codegen.procedure_names(train, "estimate") == [
        "gml.graphSage.train.estimate",
        "gml.graphSage.train.stats.estimate",  # GDS's <mode>.estimate
    ]
    assert plugin_codegen.procedure_names(degree, "estimate")[1:] == [
        f"gml.degree.{m}.estimate" for m in ("stream", "stats", "write", "mutate")
    ]


def test_unknown_types_keywords_and_text_are_safe() -> None:
    proc = _odd_procedure()
    sig = plugin_codegen.signature(proc, "stream")
    assert sig == (
        "gml.weird.thing.stream(graphName :: ANY = null, configuration :: MAP = {}) :: "
        "(class_ :: STRING, from :: INTEGER, tags :: LIST<INTEGER>, blob :: ANY)"
    )
    source = plugin_codegen.procedure_class(proc)
    assert "public class GmlWeirdThing" in source
    assert "public Object blob;" in source
    assert '\\"quoted\\"' in source and "\\u00fc" in source
    assert "* / and newline." in source  # comment end defused, whitespace collapsed
    assert plugin_codegen.java_string('a"b\\c\n') == '"a\\"b\\\\c\\n"'
    assert plugin_codegen.class_name("closeness.harmonic") == "GmlClosenessHarmonic"


def test_catalog_operations_take_typed_positional_arguments_with_neo4j_defaults() -> None:
    proc = _catalog_op()
    assert not proc.runs_on_graphs
    assert plugin_codegen.procedure_names(proc, "stream") == ["gml.graph.thing"]
    assert plugin_codegen.procedure_names(proc, "estimate") == ["gml.graph.thing.estimate"]
    assert plugin_codegen.signature(proc, "stream", "gml.graph.thing") == (
        "gml.graph.thing(graphName :: STRING, nodeProjection :: ANY, "
        "relationshipProjection :: ANY = *, failIfMissing :: BOOLEAN = true, limit :: ANY = null, "
        "ratio :: FLOAT = 0.5, labels :: ANY = ['*', 'it\\'s'], dbName :: STRING = '', "
        "configuration :: MAP = {}) :: (graphName :: STRING, nodeCount :: INTEGER)"
    )
    # every mode of a catalog operation returns its own rows, not the summary row
    assert plugin_codegen.signature(proc, "estimate").endswith(
        ":: (requiredMemory :: STRING, bytesMax :: INTEGER)"
    )
    source = plugin_codegen.procedure_class(proc)
    assert '@Procedure(name = "gml.graph.thing", mode = Mode.READ)' in source
    assert '@Procedure(name = "gml.graph.thing.stream"' not in source
    assert '@Procedure(name = "gml.graph.thing.estimate", mode = Mode.READ)' in source
    for param in (
        '@Name("graphName") String graphName,',
        '@Name("nodeProjection") Object nodeProjection,',
        '@Name(value = "relationshipProjection", defaultValue = "*") Object relationshipProjection,',
        '@Name(value = "failIfMissing", defaultValue = "true") Boolean failIfMissing,',
        '@Name(value = "limit", defaultValue = "null") Object limit,',
        '@Name(value = "ratio", defaultValue = "0.5") Double ratio,',
        "@Name(value = \"labels\", defaultValue = \"['*', 'it\\\\'s']\") Object labels,",
        '@Name(value = "dbName", defaultValue = "") String dbName,',
        '@Name(value = "configuration", defaultValue = "{}") Map<String, Object> configuration) {',
    ):
        assert param in source, param
    for arg in (
        'Caller.argument("graphName", graphName, Caller.REQUIRED)',
        'Caller.argument("relationshipProjection", relationshipProjection, "*")',
        'Caller.argument("failIfMissing", failIfMissing, Boolean.TRUE)',
        'Caller.argument("limit", limit, null)',
        'Caller.argument("ratio", ratio, Double.valueOf(0.5))',
        'Caller.argument("labels", labels, Caller.listOf("*", "it\'s"))',
    ):
        assert arg in source, arg
    assert 'Caller.arguments("gml.graph.thing", configuration,' in source
    assert 'Caller.call(this.db, this.tx, this.security, "graph.thing", "stream", callConfig)' in (
        source
    )


def test_argument_orders_and_defaults_neo4j_refuses_fail_at_generation() -> None:
    with pytest.raises(ValueError, match="required argument 'graphName' follows 'failIfMissing'"):
        plugin_codegen.generate_sources([_catalog_op(arguments=("failIfMissing", "graphName"))])
    with pytest.raises(ValueError, match="argument 'nope' is not a config key"):
        plugin_codegen.generate_sources([_catalog_op(arguments=("nope",))])

    @dataclass(frozen=True, kw_only=True, eq=False)
    class Ambiguous(RunConfig):
        what: Any = option(
            "what", "true", "a string that Neo4j would read as a boolean", kind="any"
        )

    with pytest.raises(ValueError, match="would not read the default 'true'"):
        plugin_codegen.generate_sources([_catalog_op(config=Ambiguous, arguments=("what",))])
    with pytest.raises(ValueError, match="both be called gml.graph.thing"):
        plugin_codegen.generate_sources(
            [_catalog_op(), _catalog_op(name="graph", bare_mode=None, modes=("thing",))]
        )


def test_cypher_literals() -> None:
    lit = plugin_codegen.cypher_literal
    assert (
        lit({"a b": [1, 2.5, None, True], "c": "x'y\\"})
        == "{`a b`: [1, 2.5, null, true], c: 'x\\'y\\\\'}"
    )


@pytest.mark.skipif(shutil.which("javac") is None, reason="no javac")
def test_generated_code_compiles(tmp_path: Path) -> None:
    lib = local_neo4j.PLUGIN_DIR / "launcher" / "target" / "lib"
    own = local_neo4j.PLUGIN_DIR / "procedures" / "target" / "lib"  # arrow-format, flatbuffers
    if not lib.is_dir() or not own.is_dir():
        pytest.skip("the plugin's jars are not built (neo4j-gml neo4j start builds them)")
    gen = tmp_path / "org/neo4j_gml/procedures/generated"
    gen.mkdir(parents=True)
    files = plugin_codegen.generate_sources([_odd_procedure(), _catalog_op()])
    for name, text in files.items():
        (gen / name).write_text(text)
    sources = [str(p) for p in SUPPORT.glob("*.java")] + [str(p) for p in gen.glob("*.java")]
    out = tmp_path / "classes"
    proc = subprocess.run(
        [
            "javac",
            "-nowarn",
            "-proc:none",
            "--release",
            "17",
            "-cp",
            f"{lib}/*:{own}/*",
            "-d",
            str(out),
            *sources,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (out / "org/neo4j_gml/procedures/generated/GmlWeirdThing.class").is_file()
    assert (out / "org/neo4j_gml/procedures/generated/GmlGraphThing.class").is_file()
