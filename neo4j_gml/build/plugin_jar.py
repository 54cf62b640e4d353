"""Build the plugin jar (``plugin/procedures``) and put it into a local Neo4j home.

The Java procedure classes (``gml.<name>.<mode>``) are not committed: :func:`build_plugin`
generates them from the procedure registry (:mod:`neo4j_gml.plugin_codegen`) into
``plugin/procedures/target/generated-sources/gml``, which the pom adds as a source root, then runs
Maven. :func:`needs_build` says a build is due when the jar is missing, older than the poms or the
hand-written Java, or built from other generated sources than the registry's now (the SHA-256 of
the generated files is kept beside the jar), so adding a procedure rebuilds the jar by itself.
:func:`install_plugin` copies the jar into ``<home>/plugins`` (``neo4j_gml.local_neo4j.start``
calls it, so ``neo4j-gml neo4j start`` loads the ``gml.*`` procedures). ``NEO4J_GML_PLUGIN=0``
turns the installation off.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from neo4j_gml.build.paths import PLUGIN_DIR

JAR_NAME = "neo4j-gml-procedures.jar"

#: The generated Java source root below ``plugin/procedures`` (the pom's build-helper adds it).
GENERATED_ROOT = Path("target", "generated-sources", "gml")

#: Beside the jar: the :func:`~neo4j_gml.plugin_codegen.sources_digest` it was built from.
DIGEST_NAME = "gml-sources.sha256"


def _plugin_dir() -> Path:
    return PLUGIN_DIR


def plugin_jar() -> Path:
    """Where Maven puts the jar."""
    return _plugin_dir() / "procedures" / "target" / JAR_NAME


def generated_root() -> Path:
    """The source root the build generates the procedure classes into."""
    return _plugin_dir() / "procedures" / GENERATED_ROOT


def _digest_file() -> Path:
    return plugin_jar().with_name(DIGEST_NAME)


def _legacy_generated_dir() -> Path:
    # Where the generated classes were once committed; a leftover copy would duplicate them.
    return _plugin_dir() / "procedures" / "src/main/java/org/neo4j_gml/procedures/generated"


def _sources() -> list[Path]:
    """The poms and the hand-written Java (the generated classes are tracked by digest)."""
    root = _plugin_dir()
    paths = [root / "pom.xml", root / "procedures" / "pom.xml"]
    src = root / "procedures" / "src"
    if src.is_dir():
        paths.extend(p for p in src.rglob("*") if p.is_file())
    return [p for p in paths if p.exists()]


def _registry_digest() -> str:
    from neo4j_gml import plugin_codegen  # imports the registry (and torch): only when needed

    return plugin_codegen.sources_digest()


def needs_build() -> bool:
    """Whether the jar is missing, older than its hand-written sources, or from another registry."""
    jar = plugin_jar()
    if not jar.is_file():
        return True
    newest = max((p.stat().st_mtime for p in _sources()), default=0.0)
    if jar.stat().st_mtime < newest:
        return True
    try:
        built_from = _digest_file().read_text().strip()
    except OSError:
        return True
    return built_from != _registry_digest()


@contextlib.contextmanager
def _build_lock() -> Iterator[None]:
    # Outside target/: the build removes that folder.
    digest = hashlib.sha1(str(_plugin_dir().resolve()).encode()).hexdigest()[:12]
    lock = Path(tempfile.gettempdir()) / f"neo4j-gml-plugin-build-{digest}.lock"
    with lock.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def build_plugin(force: bool = False) -> Path:
    """Generate the procedure classes and build the plugin jar with Maven if it is missing or
    stale (offline first, then online).

    Returns:
        The path of the jar.

    Raises:
        RuntimeError: no Maven project, no ``mvn``, or the build failed (with Maven's last lines).
    """
    with _build_lock():
        return _build_unlocked(force)


def _build_unlocked(force: bool) -> Path:
    from neo4j_gml import plugin_codegen

    pom = _plugin_dir() / "pom.xml"
    if not (_plugin_dir() / "procedures" / "pom.xml").is_file():
        raise RuntimeError(f"no plugin Maven project under {_plugin_dir()} (NEO4J_GML_PLUGIN_DIR)")
    jar = plugin_jar()
    if not force and not needs_build():
        return jar
    legacy = _legacy_generated_dir()
    if any(legacy.glob("*.java")):
        raise RuntimeError(
            f"{legacy} holds generated classes from an older checkout; remove that folder "
            f"(the build now generates them into {generated_root()})"
        )
    mvn = os.environ.get("MAVEN") or shutil.which("mvn")
    if not mvn:
        raise RuntimeError("Maven (mvn) not found on PATH; it is needed to build the plugin")
    # A clean build (what `mvn clean` did): no class of a removed procedure survives in the jar.
    shutil.rmtree(jar.parent, ignore_errors=True)
    files = plugin_codegen.generate_sources()
    plugin_codegen.write_sources(generated_root() / plugin_codegen.PACKAGE_DIR)
    base = ["-B", "-q", "-f", str(pom), "-pl", "procedures", "-am", "package"]
    output = ""
    for offline in (["-o"], []):
        proc = subprocess.run(
            [mvn, *offline, *base, "-DskipTests"], capture_output=True, text=True, check=False
        )
        output = proc.stdout + proc.stderr
        if proc.returncode == 0 and jar.is_file():
            jar.touch()  # a no-op Maven run keeps the old mtime
            _digest_file().write_text(plugin_codegen.sources_digest(files) + "\n")
            return jar
    tail = "\n".join(output.splitlines()[-40:])
    raise RuntimeError(f"building the gml plugin failed:\n{tail}")


def install_plugin(home: Path | str) -> Path | None:
    """Build the jar if needed and copy it into ``<home>/plugins`` when it differs there.

    Returns the installed jar, or ``None`` when ``NEO4J_GML_PLUGIN=0`` or there are no plugin
    sources (a package installed without its checkout); then an earlier copy is removed.
    """
    target = Path(home) / "plugins" / JAR_NAME
    enabled = os.environ.get("NEO4J_GML_PLUGIN", "1") not in ("0", "false", "no")
    if not enabled or not (_plugin_dir() / "procedures" / "pom.xml").is_file():
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
        return None
    with _build_lock():  # no other process may rebuild (mvn clean) while we copy
        jar = _build_unlocked(force=False)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_file() or target.read_bytes() != jar.read_bytes():
            tmp = target.with_suffix(".tmp")
            shutil.copyfile(jar, tmp)
            tmp.replace(target)
    return target
