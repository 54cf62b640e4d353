"""The Java generated from the registry: committed sources are current; odd registrations work.

Oracles: the committed files (staleness), hand-written expected signatures, and ``javac`` itself
(the generated class for a procedure with unknown column types and hostile text compiles against
the Neo4j 5.26 jars).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from neo4j_gml import local_neo4j, plugin_codegen
from neo4j_gml.procedures.registry import Procedure

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


def test_committed_sources_are_current() -> None:
    stale = plugin_codegen.stale_files(REPO)
    assert stale == [], f"generated Java is stale: {stale}; run `neo4j-gml plugin generate`"


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
        "gml.degree.stream(config :: MAP = {}) :: (nodeId :: INTEGER, node :: NODE, score :: FLOAT)"
    )
    assert "nodePropertiesWritten :: INTEGER" in plugin_codegen.signature(degree, "write")
    source = plugin_codegen.procedure_class(degree)
    assert '@Procedure(name = "gml.degree.write", mode = Mode.WRITE)' in source
    assert '@Procedure(name = "gml.degree.stream", mode = Mode.READ)' in source
    assert '@Procedure(name = "gml.degree.stats", mode = Mode.READ)' in source


def test_unknown_types_keywords_and_text_are_safe() -> None:
    proc = _odd_procedure()
    sig = plugin_codegen.signature(proc, "stream")
    assert sig == (
        "gml.weird.thing.stream(config :: MAP = {}) :: "
        "(class_ :: STRING, from :: INTEGER, tags :: LIST<INTEGER>, blob :: ANY)"
    )
    source = plugin_codegen.procedure_class(proc)
    assert "public class GmlWeirdThing" in source
    assert "public Object blob;" in source
    assert '\\"quoted\\"' in source and "\\u00fc" in source
    assert "* / and newline." in source  # comment end defused, whitespace collapsed
    assert plugin_codegen.java_string('a"b\\c\n') == '"a\\"b\\\\c\\n"'
    assert plugin_codegen.class_name("closeness.harmonic") == "GmlClosenessHarmonic"


@pytest.mark.skipif(shutil.which("javac") is None, reason="no javac")
def test_generated_code_compiles(tmp_path: Path) -> None:
    lib = local_neo4j.PLUGIN_DIR / "launcher" / "target" / "lib"
    if not lib.is_dir():
        pytest.skip("the launcher's Neo4j jars are not built (neo4j-gml neo4j start builds them)")
    gen = tmp_path / "org/neo4j_gml/procedures/generated"
    gen.mkdir(parents=True)
    files = plugin_codegen.generate_sources([_odd_procedure()])
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
            f"{lib}/*",
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
