"""Build the plugin jar (``plugin/procedures``) and put it into a local Neo4j home.

:func:`build_plugin` runs Maven when the jar is missing or older than its sources (the poms, the
hand-written Java and the generated classes); :func:`install_plugin` copies the jar into
``<home>/plugins`` (``neo4j_gml.local_neo4j.start`` calls it, so ``neo4j-gml neo4j start`` loads the
``gml.*`` procedures). ``NEO4J_GML_PLUGIN=0`` turns the installation off. The generated Java
sources are not regenerated here: run ``neo4j-gml plugin generate`` after changing the registry.
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


def _plugin_dir() -> Path:
    return PLUGIN_DIR


def plugin_jar() -> Path:
    """Where Maven puts the jar."""
    return _plugin_dir() / "procedures" / "target" / JAR_NAME


def _sources() -> list[Path]:
    root = _plugin_dir()
    paths = [root / "pom.xml", root / "procedures" / "pom.xml"]
    src = root / "procedures" / "src"
    if src.is_dir():
        paths.extend(p for p in src.rglob("*") if p.is_file())
    return [p for p in paths if p.exists()]


def needs_build() -> bool:
    jar = plugin_jar()
    if not jar.is_file():
        return True
    newest = max((p.stat().st_mtime for p in _sources()), default=0.0)
    return jar.stat().st_mtime < newest


@contextlib.contextmanager
def _build_lock() -> Iterator[None]:
    # Outside target/: ``mvn clean`` removes that folder.
    digest = hashlib.sha1(str(_plugin_dir().resolve()).encode()).hexdigest()[:12]
    lock = Path(tempfile.gettempdir()) / f"neo4j-gml-plugin-build-{digest}.lock"
    with lock.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def build_plugin(force: bool = False) -> Path:
    """Build the plugin jar with Maven if it is missing or stale (offline first, then online).

    Returns:
        The path of the jar.

    Raises:
        RuntimeError: no Maven project, no ``mvn``, or the build failed (with Maven's last lines).
    """
    with _build_lock():
        return _build_unlocked(force)


def _build_unlocked(force: bool) -> Path:
    pom = _plugin_dir() / "pom.xml"
    if not (_plugin_dir() / "procedures" / "pom.xml").is_file():
        raise RuntimeError(f"no plugin Maven project under {_plugin_dir()} (NEO4J_GML_PLUGIN_DIR)")
    jar = plugin_jar()
    if not force and not needs_build():
        return jar
    mvn = os.environ.get("MAVEN") or shutil.which("mvn")
    if not mvn:
        raise RuntimeError("Maven (mvn) not found on PATH; it is needed to build the plugin")
    base = ["-B", "-q", "-f", str(pom), "-pl", "procedures", "-am", "clean", "package"]
    output = ""
    for offline in (["-o"], []):
        proc = subprocess.run(
            [mvn, *offline, *base, "-DskipTests"], capture_output=True, text=True, check=False
        )
        output = proc.stdout + proc.stderr
        if proc.returncode == 0 and jar.is_file():
            jar.touch()  # a no-op Maven run keeps the old mtime
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
